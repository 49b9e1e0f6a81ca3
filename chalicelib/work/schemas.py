"""Request models of the work-tracking routes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UnitQuery(BaseModel):
    unit: str | None = Field(default=None, max_length=20)


class PreferencesIn(BaseModel):
    digest: bool = True  # the 07:30 digest of due-soon and overdue work
    instant: bool = True  # a mail when work is assigned
    due_soon_days: int = Field(default=2, ge=1, le=5)  # working days

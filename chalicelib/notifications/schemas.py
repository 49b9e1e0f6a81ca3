"""Request models of the notification routes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class NoticeQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)

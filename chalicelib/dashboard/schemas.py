"""Request models of the dashboard route."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class DashboardQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from")
    to: dt.date
    unit: str | None = Field(default=None, min_length=1, max_length=20,
                             pattern=r"^[A-Za-z0-9_-]+$")

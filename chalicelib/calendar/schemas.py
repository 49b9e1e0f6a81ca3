"""Request and response models of the calendar routes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, Field


class AddWorkingDaysQuery(BaseModel):
    start: AwareDatetime
    days: Decimal = Field(ge=0, le=3650, decimal_places=2)


class DueResponse(BaseModel):
    start: dt.datetime
    counted_from: dt.datetime
    due: dt.datetime


class YearQuery(BaseModel):
    year: int = Field(ge=2000, le=2100)


class Override(BaseModel):
    date: dt.date
    working: bool
    note: str = Field(default="", max_length=200)


class DayInfo(BaseModel):
    date: dt.date
    working: bool
    holiday: str | None = None
    override: bool = False

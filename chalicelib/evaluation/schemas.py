"""Request models of the staff evaluation routes."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

BandCode = Literal["HTXS", "HTT", "HT", "KHT"]
MarkCode = Literal["chua_dat", "dat", "tot", "xuat_sac"]
FieldName = Literal["assigned", "completed", "early", "on_time", "late", "overdue_open",
                    "returned", "extensions_asked", "extensions_granted", "marks.chua_dat",
                    "marks.dat", "marks.tot", "marks.xuat_sac"]


class PeriodQuery(BaseModel):
    # Checked by evaluation.period_rules.parse_period (400 naming ``period``).
    period: str = Field(default="", max_length=10)


class ItemsQuery(PeriodQuery):
    field: FieldName


class MarkIn(BaseModel):
    item_id: str = Field(min_length=3, max_length=300)  # as /api/work/mine gives it
    mark: MarkCode
    reason: str = Field(min_length=1, max_length=1000)


class SelfIn(BaseModel):
    text: str = Field(default="", max_length=4000)
    band: BandCode


class ProposalIn(BaseModel):
    general_points: Decimal | None = Field(default=None, ge=0, le=30, decimal_places=2)
    general_well: bool = False  # Decree 90/2020: the general criteria observed well
    violations: list[str] = Field(default_factory=list, max_length=10)
    band: BandCode | None = None  # absent: the band the measures give
    note: str = Field(default="", max_length=2000)


class DecisionItem(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    band: BandCode
    reason: str = Field(default="", max_length=1000)


class DecisionIn(BaseModel):
    unit_band: BandCode
    decisions: list[DecisionItem] = Field(default_factory=list, max_length=200)
    version: int = Field(ge=0)  # the round's version read (0 before any decision)


class PublishIn(BaseModel):
    version: int = Field(ge=1)

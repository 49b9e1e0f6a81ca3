"""The dashboard's pure rules: the period asked for, who may see what, and the
arithmetic of the figures (rates, sums over months). No store, no AWS."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalicelib.kernel.errors import FieldProblem, Forbidden, InvalidInput
from chalicelib.kernel.identity import Caller, Role

# A dashboard reads O(units × months) counter items: the period is bounded.
MAX_MONTHS = 24
MEASURE_FIELDS = ("assigned", "completed", "early", "on_time", "late", "overdue_open",
                  "returned")
NO_ROUND = "Chưa có kỳ đánh giá được công khai"


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def months(self) -> list[str]:
        """Every month the period touches, ``YYYY-MM``, in order. Monthly counters
        are whole months: a period that cuts a month counts the whole month."""
        out = []
        y, m = self.first.year, self.first.month
        while (y, m) <= (self.last.year, self.last.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def period(frm: date, to: date) -> Period:
    """The period asked for, refused with the field at fault named."""
    if to < frm:
        raise InvalidInput("Khoảng thời gian không hợp lệ.", "Invalid period.", "invalid_period",
                           [FieldProblem("to", "Ngày kết thúc trước ngày bắt đầu.",
                                         "The end is before the start.")])
    p = Period(frm, to)
    if len(p.months) > MAX_MONTHS:
        raise InvalidInput("Khoảng thời gian quá dài.", "Period too long.", "invalid_period",
                           [FieldProblem("to", f"Tối đa {MAX_MONTHS} tháng.",
                                         f"At most {MAX_MONTHS} months.")])
    return p


def this_month(today: date) -> Period:
    return Period(today.replace(day=1), today)


@dataclass(frozen=True)
class Scope:
    """What the caller sees: the whole agency (a leader with no unit chosen) or
    one unit."""

    unit: str | None
    agency: bool  # leaders: agency-wide figures (totals, complaints by kind)


def scope_of(caller: Caller, unit: str | None) -> Scope:
    """Leaders: any unit or all; heads of unit: their own unit only; anyone else: 403."""
    if Role.LEADER in caller.roles:
        return Scope(unit or None, agency=True)
    if Role.UNIT_HEAD in caller.roles and caller.unit:
        if unit and unit != caller.unit:
            raise Forbidden("Trưởng đơn vị chỉ xem được số liệu của đơn vị mình.",
                            "A head of unit sees only their own unit's figures.")
        return Scope(caller.unit, agency=False)
    raise Forbidden("Bảng số liệu dành cho lãnh đạo Sở và trưởng đơn vị.",
                    "The dashboard is for leaders and heads of unit.")


def summed(found: Mapping[tuple[str, str], Mapping[str, Any]], holder: str,
           months: Iterable[str], fields: Iterable[str] = MEASURE_FIELDS) -> dict[str, int]:
    """A holder's counters summed over the months (a missing month counts 0)."""
    names = tuple(fields)
    out = dict.fromkeys(names, 0)
    for m in months:
        item = found.get((holder, m)) or {}
        for f in names:
            out[f] += int(item.get(f) or 0)
    return out


def on_time_rate(early: int, on_time: int, late: int) -> float | None:
    """Per cent of the completed items with a deadline done by it, one decimal;
    None when nothing was completed."""
    done = early + on_time + late
    if done <= 0:
        return None
    value = Decimal(100 * (early + on_time)) / Decimal(done)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

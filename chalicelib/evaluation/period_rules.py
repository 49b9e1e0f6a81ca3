"""Evaluation periods: a month (``YYYY-MM``), a quarter (``YYYY-Qn``) or a year
(``YYYY``), each the months it covers.

Measures are kept per month; quarters and the year are the sums of their months
(Decree 233/2026/NĐ-CP as DOMAIN.md states it: "the year's score comes from
monthly or quarterly tracking").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from chalicelib.kernel.errors import FieldProblem, InvalidInput

# Years the e-office can hold measures for; outside them the input is a typo.
MIN_YEAR, MAX_YEAR = 2000, 2099

# [0-9], not \d: \d also takes other scripts' digits (e.g. full-width ２０２６).
_PATTERN = re.compile(r"([0-9]{4})(?:-(?:([0-9]{2})|[Qq]([0-9])))?")


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    """``index`` is the month (1–12), the quarter (1–4) or 0 for a year."""

    kind: PeriodKind
    year: int
    index: int = 0

    def __str__(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

    @property
    def months(self) -> tuple[Month, ...]:
        if self.kind is PeriodKind.MONTH:
            return (Month(self.year, self.index),)
        if self.kind is PeriodKind.QUARTER:
            first = 3 * (self.index - 1) + 1
            return tuple(Month(self.year, m) for m in range(first, first + 3))
        return tuple(Month(self.year, m) for m in range(1, 13))

    @property
    def first_day(self) -> date:
        first = self.months[0]
        return date(first.year, first.month, 1)

    @property
    def last_day(self) -> date:
        last = self.months[-1]
        return date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])

    @property
    def label(self) -> str:
        """How a person reads it: "tháng 03/2026", "quý I/2026", "năm 2026"."""
        if self.kind is PeriodKind.MONTH:
            return f"tháng {self.index:02d}/{self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"quý {('I', 'II', 'III', 'IV')[self.index - 1]}/{self.year}"
        return f"năm {self.year}"


def _bad(vi: str, en: str) -> InvalidInput:
    return InvalidInput(
        "Kỳ đánh giá không hợp lệ (dạng YYYY-MM, YYYY-Qn hoặc YYYY).",
        "Invalid evaluation period (YYYY-MM, YYYY-Qn or YYYY).",
        "invalid_period",
        [FieldProblem("period", vi, en)],
    )


def parse_period(text: str | None) -> Period:
    """``2026-03`` → March 2026; ``2026-Q1`` (or ``2026-q1``) → its three months;
    ``2026`` → its twelve. Anything else is an ``InvalidInput`` on ``period``."""
    if text is None or not text.strip():
        raise _bad("Chưa chọn kỳ đánh giá.", "The period is required.")
    match = _PATTERN.fullmatch(text)
    if match is None:
        raise _bad(f"“{text[:20]}” không phải dạng YYYY-MM, YYYY-Qn hoặc YYYY.",
                   f"{text[:20]!r} is not YYYY-MM, YYYY-Qn or YYYY.")
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _bad(f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}.",
                   f"The year must be {MIN_YEAR}–{MAX_YEAR}.")
    if match.group(2) is not None:
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise _bad("Tháng phải từ 01 đến 12.", "The month must be 01–12.")
        return Period(PeriodKind.MONTH, year, month)
    if match.group(3) is not None:
        quarter = int(match.group(3))
        if not 1 <= quarter <= 4:
            raise _bad("Quý phải từ 1 đến 4.", "The quarter must be 1–4.")
        return Period(PeriodKind.QUARTER, year, quarter)
    return Period(PeriodKind.YEAR, year)

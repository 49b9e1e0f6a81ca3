"""What the e-office measures of a person's (or a unit's) work in one month, and
the roll-up of months into a quarter or a year.

The counters are those DOMAIN.md lists under "What an e-office measures itself"
(completed ÷ assigned, early / on time / late against deadlines, a reviewer's
quality mark), plus the work-tracking facts the issue asks for (overdue still
open, returned for revision, extensions asked and granted).

How the store is expected to count a month (the rules only see the numbers):
an item belongs to the month its deadline falls in (or, without a deadline, the
month it was assigned in), so that ``completed / assigned`` is meaningful;
``early``, ``on_time`` and ``late`` split the completed items that had a deadline,
against the deadline in force after any granted extension; ``overdue_open`` are
items past their deadline and still open at the end of the month; a completed
item without a reviewer's mark counts as "đạt" (its completion was accepted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import StrEnum

from chalicelib.kernel.errors import FieldProblem, InvalidInput


class Mark(StrEnum):
    """A reviewer's quality mark on one completed work item."""

    CHUA_DAT = "chua_dat"
    DAT = "dat"
    TOT = "tot"
    XUAT_SAC = "xuat_sac"

    @property
    def label(self) -> str:
        return MARK_LABELS[self]


MARK_LABELS: dict[Mark, str] = {
    Mark.CHUA_DAT: "Chưa đạt", Mark.DAT: "Đạt", Mark.TOT: "Tốt", Mark.XUAT_SAC: "Xuất sắc",
}


@dataclass(frozen=True)
class Marks:
    """How many completed items got each mark."""

    chua_dat: int = 0
    dat: int = 0
    tot: int = 0
    xuat_sac: int = 0

    @property
    def total(self) -> int:
        return self.chua_dat + self.dat + self.tot + self.xuat_sac

    def of(self, mark: Mark) -> int:
        return int(getattr(self, mark.value))

    def __add__(self, other: Marks) -> Marks:
        return Marks(self.chua_dat + other.chua_dat, self.dat + other.dat,
                     self.tot + other.tot, self.xuat_sac + other.xuat_sac)


@dataclass(frozen=True)
class Measures:
    """One person's or one unit's counters for a month (or, rolled up, a longer
    period). Field names are what a score part lists in ``fields`` so that the
    API can open each point down to the work items counted in that field."""

    assigned: int = 0  # giao trong kỳ
    completed: int = 0  # đã hoàn thành
    early: int = 0  # hoàn thành trước hạn
    on_time: int = 0  # hoàn thành đúng hạn
    late: int = 0  # hoàn thành quá hạn
    overdue_open: int = 0  # quá hạn, chưa hoàn thành
    returned: int = 0  # bị trả lại để sửa
    extensions_asked: int = 0  # đề nghị gia hạn
    extensions_granted: int = 0  # được gia hạn
    marks: Marks = Marks()

    @property
    def unmarked(self) -> int:
        """Completed items no reviewer marked: counted as "đạt"."""
        return max(self.completed - self.marks.total, 0)

    @property
    def with_deadline_due(self) -> int:
        """Items whose deadline has come: done (early, on time, late) or overdue."""
        return self.early + self.on_time + self.late + self.overdue_open

    def __add__(self, other: Measures) -> Measures:
        counters = {f.name: getattr(self, f.name) + getattr(other, f.name)
                    for f in fields(self) if f.name != "marks"}
        return Measures(**counters, marks=self.marks + other.marks)

    def problems(self) -> list[FieldProblem]:
        """Every counter that cannot be true, each named (empty when consistent)."""
        found = []
        for f in fields(self):
            value = getattr(self, f.name)
            values = ([(f"marks.{m.value}", value.of(m)) for m in Mark]
                      if f.name == "marks" else [(f.name, value)])
            for name, number in values:
                if not isinstance(number, int) or isinstance(number, bool) or number < 0:
                    found.append(FieldProblem(name, "Phải là số nguyên không âm.",
                                              "Must be a non-negative integer."))
        if found:
            return found
        if self.completed > self.assigned:
            found.append(FieldProblem("completed", "Số hoàn thành vượt số được giao.",
                                      "More completed than assigned."))
        if self.early + self.on_time + self.late > self.completed:
            found.append(FieldProblem("late", "Trước hạn + đúng hạn + quá hạn vượt số hoàn thành.",
                                      "Early + on time + late exceed the completed items."))
        if self.completed <= self.assigned and \
                self.overdue_open > self.assigned - self.completed:
            found.append(FieldProblem("overdue_open",
                                      "Số quá hạn chưa xong vượt số chưa hoàn thành.",
                                      "More overdue items than open items."))
        if self.extensions_granted > self.extensions_asked:
            found.append(FieldProblem("extensions_granted", "Số được gia hạn vượt số đề nghị.",
                                      "More extensions granted than asked."))
        if self.marks.total > self.completed:
            found.append(FieldProblem("marks", "Số việc được chấm vượt số hoàn thành.",
                                      "More marks than completed items."))
        return found

    def check(self) -> Measures:
        problems = self.problems()
        InvalidInput.unless_none(problems, "Số liệu theo dõi công việc không nhất quán.",
                                 "The work measures are inconsistent.", "invalid_measures")
        return self


def rollup(months: Iterable[Measures]) -> Measures:
    """A quarter or a year: the sum of its months (Decree 233/2026 as DOMAIN.md
    states it: the year's score comes from monthly or quarterly tracking). Scores
    are computed on the sums, never averaged from monthly scores, so that a busy
    month weighs more than a quiet one."""
    total = Measures()
    for month in months:
        total = total + month
    return total

"""A piece of work of any kind (a document part, a task, a case, a dossier step):
who leads and who supports, its status, whether a deadline may be set, and how
its completion counts against the deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import FieldProblem, InvalidInput


class Part(StrEnum):
    LEAD = "lead"  # chủ trì
    SUPPORT = "support"  # phối hợp


class WorkStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    RETURNED = "returned"


def check_deadline(calendar: AgencyCalendar, now: datetime, deadline: datetime | date,
                   field: str) -> datetime:
    """A deadline chosen by hand: not in the past, and on a working day (with the
    next working day offered when it is not). A bare date means the end of that
    working day."""
    if isinstance(deadline, datetime):
        instant = deadline
        day = deadline.astimezone(calendar.tz).date()
    else:
        day = deadline
        instant = datetime.combine(day, calendar.periods[-1][1], calendar.tz)
    if instant <= now:
        raise InvalidInput("Hạn xử lý phải sau thời điểm hiện tại.",
                           "The deadline must be in the future.", "invalid_deadline",
                           [FieldProblem(field, "Hạn xử lý đã qua.", "The deadline has passed.")])
    if not calendar.is_working_day(day):
        suggestion = calendar.working_day_on_or_after(day)
        name = calendar.holiday_name(day)
        why = f" ({name})" if name else ""
        raise InvalidInput(
            f"Ngày {day:%d/%m/%Y} là ngày nghỉ{why}; đề nghị chọn {suggestion:%d/%m/%Y}.",
            f"{day.isoformat()} is not a working day; the next one is {suggestion.isoformat()}.",
            "not_a_working_day",
            [FieldProblem(field, f"Ngày nghỉ; gợi ý {suggestion:%d/%m/%Y}.",
                          f"Day off; suggested {suggestion.isoformat()}.")],
        )
    return instant


@dataclass(frozen=True)
class Timeliness:
    code: str  # on_time | due_soon | overdue | done_early | done_on_time | done_late
    label: str


LABELS = {
    "on_time": "Trong hạn", "due_soon": "Sắp đến hạn", "overdue": "Quá hạn",
    "done_early": "Hoàn thành trước hạn", "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn", "no_deadline": "Không có hạn",
}


def timeliness(calendar: AgencyCalendar, deadline: datetime | None, now: datetime,
               completed_at: datetime | None = None,
               due_soon_days: Decimal = Decimal(2)) -> Timeliness:
    """Status derived from the deadline (the work-tracking rules): due soon is
    within ``due_soon_days`` working days; early/on time are counted by day."""
    if deadline is None:
        return Timeliness("no_deadline", LABELS["no_deadline"])
    if completed_at is not None:
        done_day = completed_at.astimezone(calendar.tz).date()
        due_day = deadline.astimezone(calendar.tz).date()
        if completed_at > deadline:
            code = "done_late"
        elif done_day < due_day:
            code = "done_early"
        else:
            code = "done_on_time"
        return Timeliness(code, LABELS[code])
    if now > deadline:
        return Timeliness("overdue", LABELS["overdue"])
    if calendar.working_days_between(now, deadline) <= due_soon_days:
        return Timeliness("due_soon", LABELS["due_soon"])
    return Timeliness("on_time", LABELS["on_time"])

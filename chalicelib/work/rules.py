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
    CANCELLED = "cancelled"  # nobody must act any more (recalled, withdrawn, transferred)


def week_key(day: date) -> str:
    """The ISO week a completion is counted in (the weekly counters' sort key)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


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


# ---------------------------------------------------------------- pending actions

class Action(StrEnum):
    """Every kind of pending action a person (or a unit, or the holders of a role)
    must take. The value is the ``kind`` the inbox shows."""

    REGISTER = "incoming.register"  # văn thư vào sổ văn bản đến
    DISTRIBUTE = "incoming.distribute"  # lãnh đạo phân phối
    ASSIGN = "incoming.assign"  # trưởng đơn vị chủ trì giao cán bộ
    HANDLE = "incoming.handle"  # cán bộ xử lý
    OPINION = "incoming.opinion"  # đơn vị phối hợp cho ý kiến
    REVIEW_COMPLETION = "incoming.review_completion"  # trưởng đơn vị duyệt kết quả
    REVIEW = "outgoing.review"  # kiểm tra dự thảo (từng người trong chuỗi)
    SIGN = "outgoing.sign"  # người ký hoặc người được ủy quyền
    ISSUE = "outgoing.issue"  # văn thư cấp số, phát hành
    REVISE = "outgoing.revise"  # người soạn thảo sửa dự thảo bị trả lại
    TASK = "task.handle"  # thực hiện nhiệm vụ được giao
    DECIDE_EXTENSION = "task.decide_extension"  # người giao quyết định gia hạn
    CLASSIFY = "complaint.classify"  # bộ phận tiếp nhận phân loại, thụ lý
    ASSIGN_CASE = "complaint.assign"  # lãnh đạo giao giải quyết
    ANSWER_CASE = "complaint.answer"  # đơn vị/cán bộ giải quyết
    APPROVE_ANSWER = "complaint.approve"  # lãnh đạo duyệt văn bản giải quyết
    DOSSIER_STEP = "dossier.step"  # bước xử lý hồ sơ của đơn vị
    SIGN_RESULT = "dossier.sign_result"  # ký kết quả hồ sơ
    RETURN_RESULT = "dossier.return_result"  # bộ phận một cửa trả kết quả
    ANSWER_INVITATION = "meeting.answer"  # trả lời giấy mời họp
    ACKNOWLEDGE_PROCEDURE = "iso.acknowledge"  # đọc và xác nhận quy trình mới
    REVIEW_PROCEDURE = "iso.review"  # chủ trì xem xét lại quy trình đến hạn


@dataclass(frozen=True)
class ActionRule:
    label: str  # what the inbox calls the action (Vietnamese, shown to people)
    group: str  # the inbox group it is shown under
    days: Decimal | None  # working days allowed; None: the deadline comes with the work
    source: str  # where the time limit comes from
    urgent_at_once: bool = False  # Decree 30: urgent documents are handled at once


DECREE30_SAME_OR_NEXT_DAY = "trong ngày, chậm nhất ngày làm việc tiếp theo"
AGENCY_SETTING = "Quy chế làm việc của cơ quan (thiết lập theo loại việc)"

# The agency's settings per kind of action. Decree 30/2020/NĐ-CP fixes the clerk's
# and the leader's steps on documents ("same working day, at the latest the next");
# the other steps are the agency's own rules, so they are data here with the rule
# they come from, to be changed per agency and versioned like the other settings.
ACTION_RULES: dict[Action, ActionRule] = {
    Action.REGISTER: ActionRule("Vào sổ văn bản đến", "Văn bản đến", Decimal(1),
                                f"Nghị định 30/2020/NĐ-CP, Điều 22: {DECREE30_SAME_OR_NEXT_DAY}",
                                urgent_at_once=True),
    Action.DISTRIBUTE: ActionRule("Phân phối văn bản đến", "Văn bản đến", Decimal(1),
                                  f"Nghị định 30/2020/NĐ-CP, Điều 23: {DECREE30_SAME_OR_NEXT_DAY}",
                                  urgent_at_once=True),
    Action.ASSIGN: ActionRule("Giao cán bộ xử lý văn bản đến", "Văn bản đến", Decimal(1),
                              "Nghị định 30/2020/NĐ-CP, Điều 23–24; " + AGENCY_SETTING,
                              urgent_at_once=True),
    Action.HANDLE: ActionRule("Xử lý văn bản đến", "Văn bản đến", None,
                              "Hạn do lãnh đạo, trưởng đơn vị giao (Nghị định 30, Điều 24)"),
    Action.OPINION: ActionRule("Phối hợp, cho ý kiến", "Văn bản đến", None,
                               "Hạn do lãnh đạo giao (Nghị định 30, Điều 24)"),
    Action.REVIEW_COMPLETION: ActionRule("Duyệt kết quả xử lý của cán bộ", "Văn bản đến",
                                         Decimal(1), AGENCY_SETTING),
    Action.REVIEW: ActionRule("Kiểm tra dự thảo văn bản đi", "Văn bản đi", Decimal(2),
                              "Nghị định 30/2020/NĐ-CP, Điều 11–12; " + AGENCY_SETTING),
    Action.SIGN: ActionRule("Ký duyệt văn bản đi", "Văn bản đi", Decimal(2),
                            "Nghị định 30/2020/NĐ-CP, Điều 13; " + AGENCY_SETTING),
    Action.ISSUE: ActionRule("Cấp số, phát hành văn bản đi", "Văn bản đi", Decimal(1),
                             f"Nghị định 30/2020/NĐ-CP, Điều 18: {DECREE30_SAME_OR_NEXT_DAY}",
                             urgent_at_once=True),
    Action.REVISE: ActionRule("Chỉnh sửa dự thảo bị trả lại", "Văn bản đi", Decimal(2),
                              AGENCY_SETTING),
    Action.TASK: ActionRule("Thực hiện nhiệm vụ", "Nhiệm vụ", None, "Hạn do người giao việc đặt"),
    Action.DECIDE_EXTENSION: ActionRule("Quyết định đề nghị gia hạn", "Nhiệm vụ", Decimal(1),
                                        AGENCY_SETTING),
    Action.CLASSIFY: ActionRule("Phân loại, thụ lý đơn", "Đơn thư", None,
                                "Luật Khiếu nại 2011, Luật Tố cáo 2018 (thời hạn thụ lý)"),
    Action.ASSIGN_CASE: ActionRule("Giao giải quyết đơn", "Đơn thư", Decimal(2), AGENCY_SETTING),
    Action.ANSWER_CASE: ActionRule("Giải quyết đơn", "Đơn thư", None,
                                   "Luật Khiếu nại 2011, Luật Tố cáo 2018 (thời hạn giải quyết)"),
    Action.APPROVE_ANSWER: ActionRule("Duyệt văn bản giải quyết đơn", "Đơn thư", Decimal(2),
                                      AGENCY_SETTING),
    Action.DOSSIER_STEP: ActionRule("Xử lý hồ sơ một cửa", "Hồ sơ một cửa", None,
                                    "Phần thời hạn của bước theo quy trình nội bộ "
                                    "(Nghị định 61/2018/NĐ-CP)"),
    Action.SIGN_RESULT: ActionRule("Ký kết quả hồ sơ", "Hồ sơ một cửa", Decimal("0.5"),
                                   "Quy trình nội bộ giải quyết thủ tục hành chính"),
    Action.RETURN_RESULT: ActionRule("Trả kết quả hồ sơ", "Hồ sơ một cửa", None,
                                     "Ngày hẹn trả kết quả (Nghị định 61/2018/NĐ-CP)"),
    Action.ANSWER_INVITATION: ActionRule("Trả lời giấy mời họp", "Lịch họp", None,
                                         "Trước giờ họp"),
    Action.ACKNOWLEDGE_PROCEDURE: ActionRule("Đọc và xác nhận quy trình", "Quy trình ISO",
                                             Decimal(5), "TCVN ISO 9001:2015, mục 7.3, 7.5.3; "
                                             + AGENCY_SETTING),
    Action.REVIEW_PROCEDURE: ActionRule("Xem xét lại quy trình", "Quy trình ISO", Decimal(10),
                                        "TCVN ISO 9001:2015, mục 9.3; " + AGENCY_SETTING),
}

URGENT_WITHIN_DAYS = Decimal("0.25")  # "at once": two working hours, the agency's reading


def action_deadline(calendar: AgencyCalendar, now: datetime, action: Action, *,
                    urgent: bool = False) -> datetime | None:
    """When a pending action is due under its rule: urgent documents at once,
    "the same working day, at the latest the next" as the end of the next working
    day, other steps their working days. ``None`` when the work brings its own
    deadline (the caller passes it)."""
    rule = ACTION_RULES[action]
    if urgent and rule.urgent_at_once:
        return calendar.add_working_days(now, URGENT_WITHIN_DAYS)
    if rule.days is None:
        return None
    if rule.days == 1:
        start = calendar.start_of_counting(now).astimezone(calendar.tz).date()
        return datetime.combine(calendar.next_working_day(start), calendar.periods[-1][1],
                                calendar.tz)
    return calendar.add_working_days(now, rule.days)


# ---------------------------------------------------------------- measures

MEASURE_FIELDS = ("assigned", "completed", "early", "on_time", "late", "returned",
                  "extensions_asked", "extensions_granted")
COMPLETION_STATES = ("early", "on_time", "late")


@dataclass(frozen=True)
class Measured:
    """Where and how a work item counts in the monthly measures (staff evaluation):
    for whom (a person, and the unit), in which month (of its deadline, so that
    completed ÷ assigned compares like with like) and in which state."""

    person: str | None  # U#name: the holder, or who completed a queue's item
    unit: str | None  # UNIT#code
    month: str  # YYYY-MM, local
    state: str  # open | handed_back | early | on_time | late | cancelled

    def as_item(self) -> dict[str, str]:
        return {"person": self.person or "", "unit": self.unit or "", "month": self.month,
                "state": self.state}

    @classmethod
    def from_item(cls, value: dict[str, str] | None) -> Measured | None:
        if not value:
            return None
        return cls(value.get("person") or None, value.get("unit") or None, value["month"],
                   value["state"])


def contributions(state: str) -> dict[str, int]:
    """What one item in ``state`` adds to its month's counters."""
    if state == "open" or state == "handed_back":
        return {"assigned": 1}
    if state in COMPLETION_STATES:
        return {"assigned": 1, "completed": 1, state: 1}
    return {}  # cancelled: nobody had to do it after all


def measure_changes(before: Measured | None, after: Measured, *, revise: bool = False
                    ) -> list[tuple[str, str, dict[str, int]]]:
    """The counter changes from ``before`` to ``after``: (holder, month, fields).
    An item never measured before (new, or older than the measures) counts whole.
    A completed item opened again was returned for revision, as is a new
    revision asked of a drafter (``revise``)."""
    changes: dict[tuple[str, str], dict[str, int]] = {}

    def add(holder: str | None, month: str, fields: dict[str, int], sign: int) -> None:
        if not holder:
            return
        row = changes.setdefault((holder, month), {})
        for name, n in fields.items():
            row[name] = row.get(name, 0) + sign * n

    if before is not None:
        for holder in (before.person, before.unit):
            add(holder, before.month, contributions(before.state), -1)
    for holder in (after.person, after.unit):
        add(holder, after.month, contributions(after.state), 1)
    reopened = before is not None and before.state in COMPLETION_STATES \
        and after.state == "open"
    if reopened or (revise and before is None):
        for holder in (after.person, after.unit):
            add(holder, after.month, {"returned": 1}, 1)
    return [(h, m, {f: n for f, n in row.items() if n}) for (h, m), row in changes.items()
            if any(row.values())]

"""The legal clocks of complaints (khiếu nại), denunciations (tố cáo) and
petitions (phản ánh, kiến nghị), as versioned rule sets.

Each case keeps the rule version in force on the day it was received
(``CaseFacts.rule_version``, stored on the case), so a later decree never
moves the deadlines of a case already in hand. The deadlines computed here
are shown on the case and feed the reminders (``Deadlines.milestones``).

How days are counted (Civil Code 2015, Art. 147-148):

* The day of the event (receipt, acceptance) is not counted; the clock starts
  the next day (Art. 147(1)).
* A limit in calendar days ends on ``start date + n``; when that day is a
  weekend day or a holiday the limit ends on the next working day
  (Art. 148(5)). ``AgencyCalendar.add_calendar_days`` does exactly that.
* A limit in working days ends on the n-th working day after the day of the
  event, so a letter received at 07:00 gets the same deadline as one received
  at 16:00 the same day.
* An agency's deadline ends when its working day ends (17:00 by default), not
  at midnight as Art. 148(6) has it: the office is closed afterwards, and the
  rest of the app counts the same way.

Pure domain code: standard library and the calendar module only.

Sources (article numbers as recalled from the texts; those marked
"unconfirmed" were not checked against an official copy):

* Luật Khiếu nại 2011 (02/2011/QH13): Art. 9 lodging limit 90 days, time of
  force majeure not counted; Art. 27 accept in 10 days; Art. 28 first
  settlement 30/45 days, remote 45/60; Art. 33 second complaint lodged within
  30 days (remote 45); Art. 36 accept in 10 days; Art. 37 second settlement
  45/60 days, remote 60/70.
* Luật Tố cáo 2018 (25/2018/QH14, in force 2019-01-01): Art. 24 register,
  classify and check in 7 working days (10 when several sites must be
  checked), transfer in 5 working days when not ours; Art. 29 notify the
  denouncer within 5 working days of acceptance; Art. 30 settle in 30 days,
  complex cases one extension of up to 30 days, especially complex cases two,
  each decided in writing; Art. 34 suspension (tạm đình chỉ) does not count
  towards the settlement time.
* Nghị định 20/2008/NĐ-CP (amended by 48/2013/NĐ-CP) on petitions about
  regulations: transfer within 5 working days; no general handling limit.
* The 2025 amendment of the Law on Complaints and Decree 155/2026/NĐ-CP:
  UNCONFIRMED. Modelled as acceptance of a (first) complaint in 7 working
  days from 2026-07-01, everything else unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from chalicelib.kernel.calendar import DEFAULT_TZ, AgencyCalendar, require_aware

__all__ = [
    "RULES",
    "CaseFacts",
    "CaseKind",
    "Complexity",
    "DayCount",
    "Deadlines",
    "Pause",
    "RuleSet",
    "Span",
    "TimeLeft",
    "deadlines",
    "lodged_in_time",
    "rule_by_version",
    "rules_for",
    "rules_of",
    "time_left",
]

_ONE_DAY = timedelta(days=1)


class CaseKind(StrEnum):
    COMPLAINT = "complaint"  # khiếu nại
    DENUNCIATION = "denunciation"  # tố cáo
    PETITION = "petition"  # phản ánh, kiến nghị

    @property
    def label_vi(self) -> str:
        return _KIND_LABELS[self]


class Complexity(StrEnum):
    NORMAL = "normal"
    COMPLEX = "complex"  # phức tạp
    VERY_COMPLEX = "very_complex"  # đặc biệt phức tạp: only denunciations know it

    @property
    def label_vi(self) -> str:
        return _COMPLEXITY_LABELS[self]


_KIND_LABELS: Mapping[CaseKind, str] = MappingProxyType({
    CaseKind.COMPLAINT: "Khiếu nại",
    CaseKind.DENUNCIATION: "Tố cáo",
    CaseKind.PETITION: "Phản ánh, kiến nghị",
})

_COMPLEXITY_LABELS: Mapping[Complexity, str] = MappingProxyType({
    Complexity.NORMAL: "Thông thường",
    Complexity.COMPLEX: "Phức tạp",
    Complexity.VERY_COMPLEX: "Đặc biệt phức tạp",
})

REMOTE_LABEL_VI = "Vùng sâu, vùng xa đi lại khó khăn"


class DayCount(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


@dataclass(frozen=True)
class Span:
    """A legal time limit: ``days`` calendar or working days."""

    days: int
    count: DayCount

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 1:
            raise ValueError(f"a span is a positive whole number of days, got {self.days!r}")
        object.__setattr__(self, "count", DayCount(self.count))

    @property
    def label_vi(self) -> str:
        unit = "ngày làm việc" if self.count is DayCount.WORKING else "ngày"
        return f"{self.days} {unit}"


def _cal(days: int) -> Span:
    return Span(days, DayCount.CALENDAR)


def _work(days: int) -> Span:
    return Span(days, DayCount.WORKING)


@dataclass(frozen=True)
class RuleSet:
    """Every legal clock of one version of the rules."""

    version: str
    effective_from: date
    title_vi: str
    # Complaints (Luật Khiếu nại 2011).
    complaint_lodge: Span  # Art. 9: 90 days from receiving or learning of the decision
    # The law has no longer first-complaint limit for remote areas; the field
    # exists so that a later text can add one.
    complaint_lodge_remote: Span | None
    second_lodge: Span  # Art. 33
    second_lodge_remote: Span
    complaint_accept: Span  # Art. 27
    first_settle: Span  # Art. 28, from acceptance
    first_settle_complex: Span
    first_settle_remote: Span
    first_settle_remote_complex: Span
    second_accept: Span  # Art. 36
    second_settle: Span  # Art. 37, from acceptance
    second_settle_complex: Span
    second_settle_remote: Span
    second_settle_remote_complex: Span
    # Denunciations (Luật Tố cáo 2018).
    denunciation_accept: Span  # Art. 24(1)
    denunciation_accept_multi_site: Span  # Art. 24(1), several sites to check
    denunciation_transfer: Span  # Art. 24(2)-(3), not ours
    denunciation_notify_after_accept: Span  # Art. 29, tell the denouncer
    denunciation_settle: Span  # Art. 30(1), from acceptance
    denunciation_extension: Span  # Art. 30(1), "up to" this much each time
    # Art. 30(1): complex 1 extension, especially complex 2. Kept out of the
    # hash because a mapping is not hashable.
    max_extensions: Mapping[Complexity, int] = field(hash=False)
    # Petitions (Nghị định 20/2008/NĐ-CP).
    petition_transfer: Span
    # Kinds whose settlement time a suspension decision stops. Luật Tố cáo
    # 2018 Art. 34 says the suspended time does not count. No equivalent for
    # the settlement time of a complaint was found in the Law on Complaints
    # 2011 (unconfirmed: add COMPLAINT here if a decree provides one).
    settle_pause_kinds: frozenset[CaseKind] = frozenset({CaseKind.DENUNCIATION})

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_extensions", MappingProxyType(dict(self.max_extensions)))
        if self.denunciation_extension.count is not self.denunciation_settle.count:
            # Extensions are added to the settlement span as plain days.
            raise ValueError("the extension and the settlement must count days the same way")

    def extensions_allowed(self, kind: CaseKind, complexity: Complexity) -> int:
        # The Law on Complaints has no extension of the settlement time.
        if kind is not CaseKind.DENUNCIATION:
            return 0
        return self.max_extensions.get(complexity, 0)


# The laws of 2011 (complaints, in force 2012-07-01) and 2018 (denunciations,
# in force 2019-01-01). The set only takes effect on 2019-01-01: before that
# the Law on Denunciations 2011 applied (60/90 day settlement), which this
# catalogue does not model, so an older case has no rule version and
# ``rules_for`` refuses it rather than give it wrong deadlines.
LAWS_2011_2018 = RuleSet(
    version="LKN2011-LTC2018",
    effective_from=date(2019, 1, 1),
    title_vi=(
        "Luật Khiếu nại 2011 (số 02/2011/QH13); Luật Tố cáo 2018 (số 25/2018/QH14); "
        "Nghị định 20/2008/NĐ-CP (sửa đổi bởi Nghị định 48/2013/NĐ-CP)"
    ),
    complaint_lodge=_cal(90),
    complaint_lodge_remote=None,
    second_lodge=_cal(30),
    second_lodge_remote=_cal(45),
    # "10 ngày" in Art. 27 and 36, read as calendar days.
    complaint_accept=_cal(10),
    first_settle=_cal(30),
    first_settle_complex=_cal(45),
    first_settle_remote=_cal(45),
    first_settle_remote_complex=_cal(60),
    second_accept=_cal(10),
    second_settle=_cal(45),
    second_settle_complex=_cal(60),
    second_settle_remote=_cal(60),
    second_settle_remote_complex=_cal(70),
    denunciation_accept=_work(7),
    denunciation_accept_multi_site=_work(10),
    denunciation_transfer=_work(5),
    denunciation_notify_after_accept=_work(5),
    denunciation_settle=_cal(30),
    denunciation_extension=_cal(30),
    max_extensions={Complexity.COMPLEX: 1, Complexity.VERY_COMPLEX: 2},
    petition_transfer=_work(5),
)

# UNCONFIRMED: the 2025 amendment of the Law on Complaints and its decree
# (155/2026/NĐ-CP, effective date assumed 2026-07-01). Only the acceptance of
# a first complaint is known to change (7 working days). The acceptance of a
# second complaint is kept at 10 days until the text is confirmed.
DECREE_155_2026 = dataclasses.replace(
    LAWS_2011_2018,
    version="ND155-2026",
    effective_from=date(2026, 7, 1),
    title_vi=(
        "Luật Khiếu nại 2011 (sửa đổi, bổ sung năm 2025) và Nghị định 155/2026/NĐ-CP "
        "(chưa xác nhận); Luật Tố cáo 2018 (số 25/2018/QH14); "
        "Nghị định 20/2008/NĐ-CP (sửa đổi bởi Nghị định 48/2013/NĐ-CP)"
    ),
    complaint_accept=_work(7),
)

# Oldest first. A new text is a new entry: never edit one that cases refer to.
RULES: tuple[RuleSet, ...] = (LAWS_2011_2018, DECREE_155_2026)


def rules_for(received: date) -> RuleSet:
    """The rule set in force on ``received``: the latest one whose
    ``effective_from`` is not after it."""
    if isinstance(received, datetime) or not isinstance(received, date):
        raise TypeError(f"received must be a datetime.date, got {type(received).__name__}")
    found: RuleSet | None = None
    for rules in RULES:
        if rules.effective_from <= received and (
            found is None or rules.effective_from >= found.effective_from
        ):
            found = rules
    if found is None:
        raise ValueError(
            f"Không có bộ quy định thời hạn áp dụng cho vụ việc tiếp nhận ngày "
            f"{received:%d/%m/%Y}."
        )
    return found


def rule_by_version(version: str) -> RuleSet:
    for rules in RULES:
        if rules.version == version:
            return rules
    raise ValueError(f"Không có bộ quy định thời hạn phiên bản “{version}”.")


@dataclass(frozen=True)
class CaseFacts:
    """What the clocks need to know about a case.

    ``decision_date``: for a first complaint, the day the person received or
    learnt of the decision or act complained of; for a second complaint, the
    day they received the first settlement decision or, when none came, the
    day the first settlement time ran out (Art. 33). Unused otherwise.
    ``rule_version``: the version stored on the case; None means the one in
    force on the (local) day of ``received_at``.
    """

    kind: CaseKind
    received_at: datetime
    decision_date: date | None = None
    second: bool = False  # khiếu nại lần hai
    remote: bool = False  # vùng sâu, vùng xa đi lại khó khăn
    complexity: Complexity = Complexity.NORMAL
    multi_site: bool = False  # tố cáo: phải kiểm tra, xác minh tại nhiều địa điểm
    rule_version: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", CaseKind(self.kind))
        object.__setattr__(self, "complexity", Complexity(self.complexity))
        require_aware(self.received_at, "received_at")
        if isinstance(self.decision_date, datetime):
            raise TypeError("decision_date must be a datetime.date, not a datetime")
        # Facts that mean nothing for the kind would be silently ignored;
        # refusing them catches a form sending the wrong case type.
        if self.complexity is Complexity.VERY_COMPLEX and self.kind is not CaseKind.DENUNCIATION:
            raise ValueError("Chỉ vụ việc tố cáo mới có mức “đặc biệt phức tạp”.")
        if self.second and self.kind is not CaseKind.COMPLAINT:
            raise ValueError("Chỉ khiếu nại mới có giải quyết lần hai.")
        if self.multi_site and self.kind is not CaseKind.DENUNCIATION:
            raise ValueError("Kiểm tra, xác minh tại nhiều địa điểm chỉ áp dụng cho tố cáo.")

    @property
    def received_on(self) -> date:
        return self.received_at.astimezone(DEFAULT_TZ).date()

    @property
    def label_vi(self) -> str:
        if self.kind is CaseKind.COMPLAINT:
            return "Khiếu nại lần hai" if self.second else "Khiếu nại lần đầu"
        return self.kind.label_vi


def rules_of(facts: CaseFacts) -> RuleSet:
    if facts.rule_version is not None:
        return rule_by_version(facts.rule_version)
    return rules_for(facts.received_on)


@dataclass(frozen=True)
class Pause:
    """A stretch the law does not count: a suspension decision for a
    denunciation (Art. 34), or an obstacle such as illness or a natural
    disaster for the complaint lodging limit (Art. 9). ``end`` None means
    still running."""

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.start, "pause start")
        if self.end is not None:
            require_aware(self.end, "pause end")
            if self.end < self.start:
                raise ValueError("Thời điểm kết thúc tạm dừng phải sau thời điểm bắt đầu.")


# -- counting ------------------------------------------------------------------


def _deadline(calendar: AgencyCalendar, start: datetime, days: int, count: DayCount) -> datetime:
    """End of a limit of ``days`` counted from the day after ``start``."""
    if count is DayCount.CALENDAR:
        return calendar.add_calendar_days(start, days)
    # Counting from midnight after the event day: start_of_counting moves it
    # to the first working period of the next working day, and ``days`` whole
    # working days from there run out exactly at the close of the n-th one.
    next_day = start.astimezone(calendar.tz).date() + _ONE_DAY
    return calendar.add_working_days(datetime.combine(next_day, time(), calendar.tz), days)


def _clock(calendar: AgencyCalendar, start: datetime, span: Span) -> datetime:
    return _deadline(calendar, start, span.days, span.count)


def _merge(pauses: Sequence[Pause], not_before: datetime | None) -> list[Pause]:
    """Pauses clipped to start no earlier than ``not_before``, sorted, with
    overlaps merged, so no day is counted twice."""
    clipped: list[Pause] = []
    for p in pauses:
        start = p.start if not_before is None else max(p.start, not_before)
        if p.end is not None and p.end <= start:
            continue
        clipped.append(Pause(start, p.end))
    clipped.sort(key=lambda p: p.start)
    merged: list[Pause] = []
    for p in clipped:
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or p.start <= last.end):
            end = None if last.end is None or p.end is None else max(last.end, p.end)
            merged[-1] = Pause(last.start, end)
        else:
            merged.append(p)
    return merged


def _days_paused(calendar: AgencyCalendar, pause: Pause, count: DayCount) -> int:
    """Days of the pause that come off the clock: the dates from the pause's
    first day up to, not including, the day it ends (the clock runs again on
    that day). Working-day limits only lose the working days among them."""
    assert pause.end is not None
    first = pause.start.astimezone(calendar.tz).date()
    resume = pause.end.astimezone(calendar.tz).date()
    if count is DayCount.CALENDAR:
        return (resume - first).days
    n, d = 0, first
    while d < resume:
        n += calendar.is_working_day(d)
        d += _ONE_DAY
    return n


# -- lodging -------------------------------------------------------------------


def lodged_in_time(
    facts: CaseFacts,
    *,
    calendar: AgencyCalendar,
    lodged_on: date | None = None,
    obstacles: Sequence[Pause] = (),
) -> tuple[bool, date | None]:
    """Whether a complaint was lodged within its limitation period, and the
    last day allowed.

    ``lodged_on`` defaults to the day the case was received (give the postmark
    date for a letter). ``obstacles`` are the closed stretches during which
    the person could not complain (illness, natural disaster, work far away:
    Art. 9); they lengthen the limit by their calendar days. A last day on a
    day off moves to the next working day (Civil Code Art. 148(5)); whether
    that rule reaches a limitation period (thời hiệu) is not confirmed, and
    the reading in the complainant's favour is taken.

    Denunciations and petitions have no lodging limit: ``(True, None)``.
    """
    if facts.kind is not CaseKind.COMPLAINT:
        return True, None
    if facts.decision_date is None:
        raise ValueError("Cần ngày nhận được hoặc biết được quyết định bị khiếu nại.")
    rules = rules_of(facts)
    if facts.second:
        span = rules.second_lodge_remote if facts.remote else rules.second_lodge
    else:
        remote = rules.complaint_lodge_remote
        span = remote if facts.remote and remote is not None else rules.complaint_lodge
    if any(o.end is None for o in obstacles):
        raise ValueError("Trở ngại khách quan phải có ngày kết thúc.")
    extra = sum(
        _days_paused(calendar, o, DayCount.CALENDAR) for o in _merge(obstacles, None)
    )
    start = datetime.combine(facts.decision_date, time(12), calendar.tz)
    last = _deadline(calendar, start, span.days + extra, span.count)
    last_day = last.astimezone(calendar.tz).date()
    day = lodged_on if lodged_on is not None else facts.received_at.astimezone(calendar.tz).date()
    return day <= last_day, last_day


# -- deadlines -----------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    """The deadlines of one case, in the calendar's time zone.

    ``accept_by``: accept (thụ lý) or, for a denunciation, finish registering
    and checking it; None for petitions, which have no such limit.
    ``transfer_by``: pass it on if it is not ours (denunciations, petitions).
    ``notify_by``: tell the denouncer it was accepted (None until accepted).
    ``settle_by``: None until accepted, for petitions (the agency sets its own
    handling time), and while a pause is open (``paused``): the clock is
    stopped, and the deadline is only known once the pause ends.
    """

    rule_version: str
    accept_by: datetime | None
    transfer_by: datetime | None
    notify_by: datetime | None
    settle_by: datetime | None
    extensions_allowed: int
    extensions_used: int
    paused_days: int
    paused: bool = False

    def milestones(self) -> tuple[tuple[str, datetime], ...]:
        """(Vietnamese label, deadline) of every clock that is set, for the
        case page and the reminders."""
        named = (
            ("Hạn thụ lý", self.accept_by),
            ("Hạn chuyển đơn", self.transfer_by),
            ("Hạn thông báo thụ lý", self.notify_by),
            ("Hạn giải quyết", self.settle_by),
        )
        return tuple((label, at) for label, at in named if at is not None)


def _settle_span(rules: RuleSet, facts: CaseFacts) -> Span | None:
    if facts.kind is CaseKind.DENUNCIATION:
        return rules.denunciation_settle
    if facts.kind is CaseKind.PETITION:
        return None
    complex_ = facts.complexity is Complexity.COMPLEX
    if facts.second:
        if facts.remote:
            return rules.second_settle_remote_complex if complex_ else rules.second_settle_remote
        return rules.second_settle_complex if complex_ else rules.second_settle
    if facts.remote:
        return rules.first_settle_remote_complex if complex_ else rules.first_settle_remote
    return rules.first_settle_complex if complex_ else rules.first_settle


def _extension_days(
    extensions: int | Sequence[int], rules: RuleSet, facts: CaseFacts
) -> tuple[int, ...]:
    longest = rules.denunciation_extension.days
    if isinstance(extensions, bool):
        raise TypeError("extensions must be a count or a list of days")
    if isinstance(extensions, int):
        if extensions < 0:
            raise ValueError("extensions must be >= 0")
        granted = (longest,) * extensions
    else:
        granted = tuple(extensions)
        for days in granted:
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= longest:
                raise ValueError(f"Mỗi lần gia hạn không quá {longest} ngày.")
    allowed = rules.extensions_allowed(facts.kind, facts.complexity)
    if len(granted) > allowed:
        if facts.kind is not CaseKind.DENUNCIATION:
            raise ValueError(f"{facts.kind.label_vi} không được gia hạn thời hạn giải quyết.")
        if allowed == 0:
            raise ValueError(
                "Vụ việc tố cáo không phức tạp không được gia hạn thời hạn giải quyết "
                "(Điều 30 Luật Tố cáo 2018)."
            )
        raise ValueError(
            f"Vụ việc tố cáo {facts.complexity.label_vi.lower()} chỉ được gia hạn tối đa "
            f"{allowed} lần (Điều 30 Luật Tố cáo 2018)."
        )
    return granted


def deadlines(
    facts: CaseFacts,
    *,
    accepted_at: datetime | None,
    extensions: int | Sequence[int] = 0,
    pauses: Sequence[Pause] = (),
    calendar: AgencyCalendar,
) -> Deadlines:
    """The deadlines of a case under its rule version.

    Acceptance, transfer and registration count from ``received_at``;
    settlement and the notice to the denouncer from ``accepted_at``.

    ``extensions``: the written extension decisions of a denunciation, either
    a count (each the full 30 days) or the days each one granted ("up to 30
    days"). More than the complexity allows raises ValueError.

    ``pauses``: suspensions of the settlement (denunciations only, Art. 34).
    Each closed pause pushes the settlement deadline back by its length:
    calendar days for a calendar-day limit, the working days in it for a
    working-day limit. Only the part after acceptance counts, and a pause
    that starts after the clock has run out does not revive it. While a pause
    is open the deadline cannot be known without "now", so ``settle_by`` is
    None and ``paused`` is True.
    """
    rules = rules_of(facts)
    if accepted_at is not None:
        require_aware(accepted_at, "accepted_at")
        if accepted_at < facts.received_at:
            raise ValueError("Ngày thụ lý không thể trước ngày tiếp nhận.")
    granted = _extension_days(extensions, rules, facts)
    if granted and accepted_at is None:
        raise ValueError("Chưa thụ lý thì chưa thể gia hạn giải quyết.")
    if pauses and facts.kind not in rules.settle_pause_kinds:
        raise ValueError(
            f"Pháp luật không cho phép tạm dừng thời hạn giải quyết {facts.kind.label_vi.lower()}."
        )

    received = facts.received_at
    accept_by = transfer_by = notify_by = settle_by = None
    if facts.kind is CaseKind.COMPLAINT:
        accept_by = _clock(
            calendar, received, rules.second_accept if facts.second else rules.complaint_accept
        )
    elif facts.kind is CaseKind.DENUNCIATION:
        accept_by = _clock(
            calendar,
            received,
            rules.denunciation_accept_multi_site if facts.multi_site else rules.denunciation_accept,
        )
        transfer_by = _clock(calendar, received, rules.denunciation_transfer)
        if accepted_at is not None:
            notify_by = _clock(calendar, accepted_at, rules.denunciation_notify_after_accept)
    else:
        transfer_by = _clock(calendar, received, rules.petition_transfer)

    span = _settle_span(rules, facts)
    paused_days, paused = 0, False
    if span is not None and accepted_at is not None:
        budget = span.days + sum(granted)
        settle_by = _deadline(calendar, accepted_at, budget, span.count)
        for pause in _merge(pauses, accepted_at):
            if pause.start >= settle_by:
                break
            if pause.end is None:
                settle_by, paused = None, True
                break
            paused_days += _days_paused(calendar, pause, span.count)
            settle_by = _deadline(calendar, accepted_at, budget + paused_days, span.count)

    return Deadlines(
        rule_version=rules.version,
        accept_by=accept_by,
        transfer_by=transfer_by,
        notify_by=notify_by,
        settle_by=settle_by,
        extensions_allowed=rules.extensions_allowed(facts.kind, facts.complexity),
        extensions_used=len(granted),
        paused_days=paused_days,
        paused=paused,
    )


# -- time left -----------------------------------------------------------------


@dataclass(frozen=True)
class TimeLeft:
    overdue: bool
    due_today: bool
    # Working time from now to the deadline, negative once overdue.
    working_days_left: Decimal
    # Calendar days from the deadline's day to today; 0 when not overdue.
    days_overdue: int
    label_vi: str


def time_left(deadline: datetime, now: datetime, calendar: AgencyCalendar) -> TimeLeft:
    """How a deadline stands at ``now``, with a label for the case list.

    Time left is told in whole working days after today ("Còn 3 ngày làm
    việc" on Monday for a Thursday deadline), since that is what an officer
    can plan with; lateness in calendar days, as the legal limits mostly are.
    """
    require_aware(deadline, "deadline")
    require_aware(now, "now")
    due = deadline.astimezone(calendar.tz).date()
    today = now.astimezone(calendar.tz).date()
    left = calendar.working_days_between(now, deadline)
    if now > deadline:
        late = (today - due).days
        label = f"Quá hạn {late} ngày" if late > 0 else "Đã quá hạn hôm nay"
        return TimeLeft(True, False, left, late, label)
    if due == today:
        return TimeLeft(False, True, left, 0, "Đến hạn hôm nay")
    n, d = 0, today + _ONE_DAY
    while d <= due:
        n += calendar.is_working_day(d)
        d += _ONE_DAY
    # A deadline set by hand on a day off with no working day before it.
    label = f"Còn {n} ngày làm việc" if n else f"Còn {(due - today).days} ngày"
    return TimeLeft(False, False, left, 0, label)

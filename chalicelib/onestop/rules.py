"""One-stop dossiers (hồ sơ thủ tục hành chính, cơ chế một cửa).

What this module knows, as pure functions over plain values:

* the status codes of the national public-service portal and which changes
  of status are allowed;
* what a version of a procedure is (time limit, steps with their share of
  the time, fee, papers, result) and which version is in force (the versions
  themselves are data, in ``onestop/catalogue.py``);
* the dossier code, the appointment on the receipt, each step's deadline, the
  new appointment after a request for additional papers;
* whether a result was early, on time or late, and report form 06 with the
  progress score of the service index, computed from per-unit per-day
  counters so that a report never reads the dossiers themselves.

Pure domain code: standard library and the calendar module only.

Sources (as recalled; those marked UNCONFIRMED were not checked against an
official copy):

* Nghị định 118/2025/NĐ-CP on the one-stop mechanism (replaces Nghị định
  61/2018/NĐ-CP and 107/2021/NĐ-CP); forms in Thông tư 03/2025/TT-VPCP.
* Thông tư 01/2020/TT-VPCP, report form 06 (received: carried over, online,
  in person or by post; resolved: early, on time, late; in progress: within
  time, overdue).
* Quyết định 766/QĐ-TTg (2022), service index: progress score = (in progress
  within time + resolved early or on time) ÷ received × 20.
* Luật Doanh nghiệp 2020 (59/2020/QH14) Art. 26: business registration within
  3 working days of receiving a valid dossier (UNCONFIRMED: DOMAIN.md calls
  the figure "believed"; it is therefore a setting of the procedure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from enum import IntEnum, StrEnum
from types import MappingProxyType

from chalicelib.kernel.calendar import DEFAULT_TZ, AgencyCalendar, require_aware

__all__ = [
    "COUNTERS",
    "OPEN",
    "OVERDUE",
    "RECEIVED_IN_PERSON",
    "RECEIVED_ONLINE",
    "RESOLVED_EARLY",
    "RESOLVED_LATE",
    "RESOLVED_ON_TIME",
    "STOPPED",
    "TOTAL_LABEL",
    "CounterDelta",
    "DayCount",
    "DossierStatus",
    "Form06Row",
    "OpenTimeliness",
    "Paper",
    "Procedure",
    "ProcedureStep",
    "Timeliness",
    "allowed_next",
    "appointment",
    "appointment_after_pause",
    "apply_deltas",
    "carried_in_deltas",
    "check_transition",
    "dossier_code",
    "form06",
    "form06_total",
    "open_timeliness",
    "overdue_from",
    "paused_deltas",
    "procedure_in_force",
    "progress_score",
    "received_deltas",
    "resolved_deltas",
    "resumed_deltas",
    "step_deadlines",
    "stopped_deltas",
    "timeliness",
    "will_miss",
]

_CENT = Decimal("0.01")


def _require_date(d: object, what: str) -> date:
    # A datetime is a date subclass but would compare wrongly with dates.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{what} must be a datetime.date, got {type(d).__name__}")
    return d


def _local_date(dt: datetime, tz: tzinfo, what: str) -> date:
    return require_aware(dt, what).astimezone(tz).date()


def _micros(td: timedelta) -> int:
    return (td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise TypeError(f"{what} must be a Decimal, got {type(value).__name__}")
    # str() of a float is the literal the caller wrote (0.1, not 0.1000...055).
    result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, got {value!r}")
    return result


# -- status codes ----------------------------------------------------------------


class DossierStatus(IntEnum):
    """Status codes of the national public-service portal (Cổng Dịch vụ công
    quốc gia), as DOMAIN.md lists them. The numbers are what is synchronised
    with the portal: never renumber."""

    NEW = 1  # Mới đăng ký (submitted online, not yet received)
    RECEIVED = 2
    REFUSED = 3  # not received: the dossier never enters the counts
    IN_PROGRESS = 4
    SUPPLEMENT_REQUESTED = 5
    FINANCIAL_OBLIGATION = 6
    WITHDRAWAL_REQUESTED = 7
    STOPPED = 8
    RESOLVED = 9
    RETURNED = 10

    @property
    def label_vi(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_final(self) -> bool:
        return not _TRANSITIONS[self]

    @property
    def stops_clock(self) -> bool:
        """Whether the processing time stands still in this status.

        A request for additional papers stops the clock (DOMAIN.md; Nghị định
        118/2025). The time the applicant takes to pay a financial obligation
        is not counted either: that is the rule of the land procedures
        (Nghị định 43/2014/NĐ-CP Art. 61), assumed here for all procedures
        (UNCONFIRMED)."""
        return self in _CLOCK_STOPPED


_STATUS_LABELS: Mapping[DossierStatus, str] = MappingProxyType({
    DossierStatus.NEW: "Mới đăng ký",
    DossierStatus.RECEIVED: "Được tiếp nhận",
    DossierStatus.REFUSED: "Không được tiếp nhận",
    DossierStatus.IN_PROGRESS: "Đang xử lý",
    DossierStatus.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung",
    DossierStatus.FINANCIAL_OBLIGATION: "Yêu cầu thực hiện nghĩa vụ tài chính",
    DossierStatus.WITHDRAWAL_REQUESTED: "Công dân yêu cầu rút hồ sơ",
    DossierStatus.STOPPED: "Dừng xử lý",
    DossierStatus.RESOLVED: "Đã xử lý xong",
    DossierStatus.RETURNED: "Đã trả kết quả",
})

_CLOCK_STOPPED = frozenset({DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.FINANCIAL_OBLIGATION})

_S = DossierStatus
# The portal publishes no transition table; this one follows the procedure of
# Nghị định 118/2025 (receive or refuse, process, ask for papers at most once,
# stop on withdrawal or when papers do not come, finish, return). UNCONFIRMED
# against the portal's own validation.
_TRANSITIONS: Mapping[DossierStatus, frozenset[DossierStatus]] = MappingProxyType({
    # An online dossier is checked before it is received: it may be received,
    # refused, sent back for more papers, or withdrawn by the applicant.
    _S.NEW: frozenset({_S.RECEIVED, _S.REFUSED, _S.SUPPLEMENT_REQUESTED, _S.WITHDRAWAL_REQUESTED}),
    # A simple procedure may be resolved on the spot, hence RECEIVED -> RESOLVED.
    _S.RECEIVED: frozenset({
        _S.IN_PROGRESS, _S.SUPPLEMENT_REQUESTED, _S.FINANCIAL_OBLIGATION,
        _S.WITHDRAWAL_REQUESTED, _S.STOPPED, _S.RESOLVED,
    }),
    _S.REFUSED: frozenset(),
    _S.IN_PROGRESS: frozenset({
        _S.SUPPLEMENT_REQUESTED, _S.FINANCIAL_OBLIGATION, _S.WITHDRAWAL_REQUESTED,
        _S.STOPPED, _S.RESOLVED,
    }),
    # Papers came: back to RECEIVED (asked before receipt) or IN_PROGRESS;
    # papers did not come: REFUSED (before receipt) or STOPPED.
    _S.SUPPLEMENT_REQUESTED: frozenset({
        _S.RECEIVED, _S.IN_PROGRESS, _S.REFUSED, _S.WITHDRAWAL_REQUESTED, _S.STOPPED,
    }),
    _S.FINANCIAL_OBLIGATION: frozenset({
        _S.IN_PROGRESS, _S.RESOLVED, _S.WITHDRAWAL_REQUESTED, _S.STOPPED,
    }),
    # The agency agrees (STOPPED) or the applicant takes the request back.
    _S.WITHDRAWAL_REQUESTED: frozenset({_S.STOPPED, _S.IN_PROGRESS}),
    _S.STOPPED: frozenset(),
    _S.RESOLVED: frozenset({_S.RETURNED}),
    _S.RETURNED: frozenset(),
})


def _status(value: object, what: str) -> DossierStatus:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a status code, got {type(value).__name__}")
    try:
        return DossierStatus(value)
    except ValueError:
        raise ValueError(f"Mã trạng thái hồ sơ không hợp lệ: {value!r}.") from None


def allowed_next(status: DossierStatus | int) -> frozenset[DossierStatus]:
    return _TRANSITIONS[_status(status, "status")]


def check_transition(old: DossierStatus | int, new: DossierStatus | int) -> None:
    """Raise ValueError (Vietnamese message, shown to the officer) unless a
    dossier may go from ``old`` to ``new``."""
    a, b = _status(old, "old"), _status(new, "new")
    if a is b:
        raise ValueError(f"Hồ sơ đã ở trạng thái “{a.label_vi}”.")
    if a.is_final:
        raise ValueError(
            f"Hồ sơ ở trạng thái “{a.label_vi}” đã kết thúc, "
            f"không thể chuyển sang “{b.label_vi}”."
        )
    if b not in _TRANSITIONS[a]:
        raise ValueError(
            f"Không thể chuyển hồ sơ từ trạng thái “{a.label_vi}” sang “{b.label_vi}”."
        )


# -- procedure catalogue -----------------------------------------------------------


class DayCount(StrEnum):
    WORKING = "working"  # ngày làm việc
    CALENDAR = "calendar"  # ngày (lịch)


@dataclass(frozen=True)
class ProcedureStep:
    """One step of the internal process (quy trình nội bộ) and its share of
    the procedure's time."""

    name: str
    performer_unit: str | None
    performer_role: str | None
    share: Decimal

    def __post_init__(self) -> None:
        share = _decimal(self.share, "share")
        if not 0 < share <= 1:
            raise ValueError(
                f"Tỷ lệ thời gian của bước “{self.name}” phải lớn hơn 0 và không quá 1."
            )
        object.__setattr__(self, "share", share)


@dataclass(frozen=True)
class Paper:
    """A paper of the dossier (thành phần hồ sơ)."""

    code: str
    name: str
    required: bool = True


@dataclass(frozen=True)
class Procedure:
    """One version of an administrative procedure.

    A new decision publishing the procedure is a new version: never edit one
    that dossiers refer to. ``effective_to`` is the last day the version is in
    force (inclusive); it is only needed when a procedure is abolished
    without a successor, because a later version supersedes an earlier one
    from its own ``effective_from`` (see ``procedure_in_force``).

    ``time_limit`` is the legal limit, in ``day_count`` days, fractions
    allowed (0.5 working day = 4 working hours). ``target_days`` is the
    department's own, shorter commitment, or None.
    """

    code: str
    version: str
    effective_from: date
    effective_to: date | None
    name: str
    field: str  # lĩnh vực
    time_limit: Decimal
    day_count: DayCount
    steps: tuple[ProcedureStep, ...]
    fee: int  # VND; 0 when free
    papers: tuple[Paper, ...]
    result: str
    target_days: Decimal | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not self.code or not self.version:
            raise ValueError("Thủ tục phải có mã và phiên bản.")
        _require_date(self.effective_from, "effective_from")
        if self.effective_to is not None:
            _require_date(self.effective_to, "effective_to")
            if self.effective_to < self.effective_from:
                raise ValueError(
                    f"Thủ tục {self.code}: ngày hết hiệu lực trước ngày có hiệu lực."
                )
        limit = _decimal(self.time_limit, "time_limit")
        if limit <= 0:
            raise ValueError(f"Thủ tục {self.code}: thời hạn giải quyết phải lớn hơn 0.")
        set_(self, "time_limit", limit)
        set_(self, "day_count", DayCount(self.day_count))
        steps = tuple(self.steps)
        if not steps:
            raise ValueError(f"Thủ tục {self.code}: phải có ít nhất một bước xử lý.")
        # Exact Decimal sum: the shares are written as 0.1, 0.6 ... in the
        # catalogue, and a sum of 0.999 would leave the last step short.
        if sum((s.share for s in steps), Decimal(0)) != 1:
            raise ValueError(f"Thủ tục {self.code}: tổng tỷ lệ thời gian các bước phải bằng 1.")
        set_(self, "steps", steps)
        if isinstance(self.fee, bool) or not isinstance(self.fee, int) or self.fee < 0:
            raise ValueError(f"Thủ tục {self.code}: lệ phí phải là số nguyên không âm (đồng).")
        papers = tuple(self.papers)
        if len({p.code for p in papers}) != len(papers):
            raise ValueError(f"Thủ tục {self.code}: mã thành phần hồ sơ bị trùng.")
        set_(self, "papers", papers)
        if self.target_days is not None:
            target = _decimal(self.target_days, "target_days")
            if not 0 < target <= limit:
                raise ValueError(
                    f"Thủ tục {self.code}: thời hạn mục tiêu phải lớn hơn 0 và không vượt "
                    "thời hạn theo quy định."
                )
            set_(self, "target_days", target)

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def days(self, *, target: bool = False) -> Decimal:
        """The time limit to count: the legal one, or the target when asked
        for and set."""
        if target and self.target_days is not None:
            return self.target_days
        return self.time_limit


def procedure_in_force(versions: Iterable[Procedure], code: str, on: date) -> Procedure:
    """The version of procedure ``code`` in force on ``on``: among the
    versions whose window contains ``on``, the one that took effect last."""
    _require_date(on, "on")
    mine = [p for p in versions if p.code == code]
    if not mine:
        raise ValueError(f"Không có thủ tục mã “{code}” trong danh mục.")
    in_force = [p for p in mine if p.in_force_on(on)]
    if not in_force:
        when = "chưa có hiệu lực" if all(p.effective_from > on for p in mine) else (
            "không còn hiệu lực"
        )
        raise ValueError(f"Thủ tục {code} {when} vào ngày {on:%d/%m/%Y}.")
    latest = max(p.effective_from for p in in_force)
    found = [p for p in in_force if p.effective_from == latest]
    if len(found) > 1:
        # Two versions starting the same day is a catalogue error, not a choice.
        raise ValueError(
            f"Thủ tục {code} có hai phiên bản cùng hiệu lực từ ngày {latest:%d/%m/%Y}."
        )
    return found[0]


# -- dossier code ----------------------------------------------------------------------


def dossier_code(
    unit_code: str, received_local: datetime, sequence: int, *, tz: tzinfo = DEFAULT_TZ
) -> str:
    """``{unit code}-{yyMMdd}-{4-digit sequence}``, e.g.
    ``000.00.12.H26-261127-0007``, the form provincial systems issue.

    The sequence restarts at 1 every day for every unit (the caller keeps
    the counter). A naive ``received_local`` is taken as local time already;
    an aware one is converted to ``tz`` first, so the date part is always
    the agency's date.
    """
    if not isinstance(unit_code, str) or not unit_code or unit_code != unit_code.strip():
        raise ValueError(f"Mã đơn vị không hợp lệ: {unit_code!r}.")
    # "-" separates the parts and whitespace would not survive a QR code.
    if "-" in unit_code or any(ch.isspace() for ch in unit_code):
        raise ValueError(f"Mã đơn vị không được chứa dấu “-” hoặc khoảng trắng: {unit_code!r}.")
    if not isinstance(received_local, datetime):
        raise TypeError("received_local must be a datetime")
    if received_local.tzinfo is not None:
        received_local = received_local.astimezone(tz)
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 1 <= sequence <= 9999:
        raise ValueError(f"Số thứ tự hồ sơ trong ngày phải từ 1 đến 9999, nhận được {sequence!r}.")
    return f"{unit_code}-{received_local:%y%m%d}-{sequence:04d}"


# -- appointment and step deadlines ---------------------------------------------------


# The access key printed on the receipt: what the public routes that change a
# dossier (withdraw, supplied) ask for besides the phone. 8 characters of 31
# (about 40 bits) without look-alikes (0/O, 1/I/L), so that it is read back from
# paper without doubt; with the code's budget of 5 failed checks an hour,
# guessing it is out of reach, and the dossier code itself may stay the
# sequential number the desk and provincial systems use.
ACCESS_KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_KEY_LENGTH = 8


def new_access_key() -> str:
    """A fresh key, shown as two groups of four (``K7QM-3WXA``)."""
    import secrets

    raw = "".join(secrets.choice(ACCESS_KEY_ALPHABET) for _ in range(ACCESS_KEY_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_access_key(given: str) -> str:
    """What a person types (lower case, spaces, with or without the dash), as stored."""
    raw = "".join(ch for ch in given.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == ACCESS_KEY_LENGTH else raw


def access_key_matches(stored: str | None, given: str) -> bool:
    """Compared in constant time; a dossier without a key (received before keys
    were issued) matches nothing: it is withdrawn at the desk."""
    import hmac

    return bool(stored) and hmac.compare_digest(str(stored).encode(),
                                                normalise_access_key(given).encode())


def _add_working_time(calendar: AgencyCalendar, start: datetime, amount: timedelta) -> datetime:
    """``start`` plus ``amount`` of working time (via add_working_days, which
    takes days; the extra precision keeps the round trip exact to the
    microsecond)."""
    with localcontext() as ctx:
        ctx.prec = 50
        days = Decimal(_micros(amount)) / Decimal(_micros(calendar.working_day_length))
        return calendar.add_working_days(start, days)


def appointment(
    procedure: Procedure, received_at: datetime, calendar: AgencyCalendar, *, target: bool = False
) -> datetime:
    """The appointment for returning the result (ngày hẹn trả), as printed on
    the receipt.

    Counting starts at ``calendar.start_of_counting(received_at)``: after
    17:00 (or on a day off) from the next working morning.

    * Working days: that start plus the limit in working time, so Monday
      09:00 + 3 days = Thursday 09:00, and 0.5 day = 4 working hours.
    * Calendar days: ``calendar.add_calendar_days`` from that start: the
      close of the working day (17:00) on start date + n, moved to the close
      of the next working day when that date is a day off (Civil Code 2015
      Art. 147-148, as the complaint clocks count). Fractions round up to a
      whole day.

    ``target=True`` counts the department's target (``target_days``) instead
    of the legal limit when the procedure has one. The receipt carries the
    legal appointment and form 06 measures against it; the target is the
    officers' own goal.
    """
    require_aware(received_at, "received_at")
    begin = calendar.start_of_counting(received_at)
    days = procedure.days(target=target)
    if procedure.day_count is DayCount.CALENDAR:
        return calendar.add_calendar_days(begin, days)
    return calendar.add_working_days(begin, days)


def step_deadlines(
    procedure: Procedure, start: datetime, calendar: AgencyCalendar, *, target: bool = False
) -> tuple[tuple[ProcedureStep, datetime], ...]:
    """Each step's deadline for a dossier received at ``start``.

    The working time from the start of counting to the appointment is shared
    out by the steps' shares, cumulatively, so the last step's deadline is
    the appointment itself (no rounding drift). For a calendar-day procedure
    the same is done with the working time inside its calendar window: work
    only happens in working hours.

    A step's deadline is then moved to the end of the half-day (the office
    hours' period, by the calendar's settings) it falls in: 09:24 becomes the
    morning's close, 14:36 the afternoon's, since people plan by half-days and
    a share of the time ending at an odd minute promises nothing more. Never
    past the appointment, which stays as the receipt prints it.
    """
    require_aware(start, "start")
    begin = calendar.start_of_counting(start)
    end = appointment(procedure, start, calendar, target=target)
    total = _micros(calendar.working_time_between(begin, end))
    out: list[tuple[ProcedureStep, datetime]] = []
    done = Decimal(0)
    for i, step in enumerate(procedure.steps):
        done += step.share
        if i == len(procedure.steps) - 1:
            out.append((step, end))
            continue
        micros = (done * total).to_integral_value(ROUND_HALF_EVEN)
        due = _add_working_time(calendar, begin, timedelta(microseconds=int(micros)))
        out.append((step, min(end_of_half_day(due, calendar), end)))
    return tuple(out)


def end_of_half_day(instant: datetime, calendar: AgencyCalendar) -> datetime:
    """The close of the office-hours period that ``instant`` falls inside; an
    instant at a period's bounds or outside office hours stays as it is."""
    require_aware(instant, "instant")
    local = instant.astimezone(calendar.tz)
    for opens, closes in calendar.periods:
        if opens < local.time().replace(tzinfo=None) < closes:
            return datetime.combine(local.date(), closes, calendar.tz).astimezone(instant.tzinfo)
    return instant


def appointment_after_pause(
    original_appointment: datetime,
    paused_from: datetime,
    resumed_at: datetime,
    calendar: AgencyCalendar,
    *,
    day_count: DayCount = DayCount.WORKING,
) -> datetime:
    """The appointment once the clock runs again after a request for
    additional papers (or any clock-stopping status).

    Working days (the default): the working time that was left when the
    clock stopped, counted again from the resumption (itself moved to the
    next working period, as at receipt): new = resumed + (original −
    paused_from) in working time.

    ``day_count=CALENDAR``: the calendar days left (appointment date minus
    the pause date) counted from the resumption with ``add_calendar_days``,
    so weekends in the remaining time stay counted as the law counts them
    (UNCONFIRMED reading; the brief only set the working-time rule).

    A pause that starts when the appointment has already passed does not
    move it: the dossier is late already, and a late request for papers does
    not buy time. Call again for each further pause, with the previous result.
    """
    require_aware(original_appointment, "original_appointment")
    require_aware(paused_from, "paused_from")
    require_aware(resumed_at, "resumed_at")
    if resumed_at < paused_from:
        raise ValueError("Thời điểm tiếp tục xử lý không thể trước thời điểm tạm dừng.")
    day_count = DayCount(day_count)
    if paused_from >= original_appointment:
        return original_appointment
    if day_count is DayCount.CALENDAR:
        tz = calendar.tz
        left = (
            original_appointment.astimezone(tz).date() - paused_from.astimezone(tz).date()
        ).days
        return calendar.add_calendar_days(calendar.start_of_counting(resumed_at), left)
    left_time = calendar.working_time_between(paused_from, original_appointment)
    return _add_working_time(calendar, resumed_at, left_time)


# -- timeliness --------------------------------------------------------------------------


class Timeliness(StrEnum):
    """How a resolved dossier compares with its appointment (form 06)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def label_vi(self) -> str:
        return {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}[self.value]


class OpenTimeliness(StrEnum):
    """How a dossier still in progress stands (form 06)."""

    WITHIN_TIME = "within_time"
    OVERDUE = "overdue"

    @property
    def label_vi(self) -> str:
        return "Trong hạn" if self is OpenTimeliness.WITHIN_TIME else "Quá hạn"


def timeliness(
    returned_at: datetime, appointment: datetime, *, tz: tzinfo = DEFAULT_TZ
) -> Timeliness:
    """Compared by local DATE, as form 06 does: before the appointment date
    is early, on that date (even after the appointed hour) on time, after it
    late.

    Which instant to pass: the moment the result was ready to hand over (the
    dossier reached "Đã xử lý xong"), so that an applicant who collects late
    does not make the agency late; whether the portal uses that or the
    handing-over is UNCONFIRMED.
    """
    done = _local_date(returned_at, tz, "returned_at")
    due = _local_date(appointment, tz, "appointment")
    if done < due:
        return Timeliness.EARLY
    if done == due:
        return Timeliness.ON_TIME
    return Timeliness.LATE


def open_timeliness(
    appointment: datetime, at_close_of: date, *, tz: tzinfo = DEFAULT_TZ
) -> OpenTimeliness:
    """A dossier still open at the close of day ``at_close_of`` (the last day
    of a report period): overdue when its appointment date is that day or
    earlier, since it can at best be resolved the next day, which is late."""
    _require_date(at_close_of, "at_close_of")
    due = _local_date(appointment, tz, "appointment")
    return OpenTimeliness.OVERDUE if due <= at_close_of else OpenTimeliness.WITHIN_TIME


# -- counters for form 06 --------------------------------------------------------------------
#
# Each step that changes a dossier adds small deltas to counters kept per
# (unit, local day), so that a report reads units × days rows, never the
# dossiers. Two of the counters are balances kept as daily changes:
#
# * OPEN: +1 when a dossier is received, -1 when it is resolved or stopped.
#   Open dossiers at the close of a day = opening balance + all OPEN deltas
#   up to that day.
# * OVERDUE: dossiers open at the close of their appointment date or later
#   (see ``open_timeliness``). Nothing happens on the day a dossier turns
#   overdue, so the +1 is written in advance, at receipt, on its appointment
#   date (``overdue_from``); when the dossier closes, or the clock stops
#   while it is still in time, the +1 is taken back with a -1 on max(that
#   day, overdue_from): a dossier resolved on its appointment date nets 0
#   that day. No delta ever lands on a day before the event that writes it,
#   so reports of past periods never change. The dossier keeps its
#   ``overdue_from`` (None while it is paused in time) for the next step.

RECEIVED_ONLINE = "received_online"  # trực tuyến
RECEIVED_IN_PERSON = "received_in_person"  # trực tiếp hoặc qua bưu chính
RESOLVED_EARLY = "resolved_early"
RESOLVED_ON_TIME = "resolved_on_time"
RESOLVED_LATE = "resolved_late"
STOPPED = "stopped"  # closed without a result: withdrawn or stopped
OPEN = "open"
OVERDUE = "overdue"

COUNTERS: tuple[str, ...] = (
    RECEIVED_ONLINE,
    RECEIVED_IN_PERSON,
    RESOLVED_EARLY,
    RESOLVED_ON_TIME,
    RESOLVED_LATE,
    STOPPED,
    OPEN,
    OVERDUE,
)

_RESOLVED_COUNTER: Mapping[Timeliness, str] = MappingProxyType({
    Timeliness.EARLY: RESOLVED_EARLY,
    Timeliness.ON_TIME: RESOLVED_ON_TIME,
    Timeliness.LATE: RESOLVED_LATE,
})


@dataclass(frozen=True)
class CounterDelta:
    unit: str
    day: date
    counter: str
    delta: int


def overdue_from(appointment: datetime, *, tz: tzinfo = DEFAULT_TZ) -> date:
    """The first day at whose close a dossier still open counts as overdue:
    its appointment date (see ``open_timeliness``)."""
    return _local_date(appointment, tz, "appointment")


def _closing(
    unit: str, day: date, counter: str, scheduled: date | None
) -> tuple[CounterDelta, ...]:
    out = [CounterDelta(unit, day, counter, 1), CounterDelta(unit, day, OPEN, -1)]
    if scheduled is not None:
        out.append(CounterDelta(unit, max(day, scheduled), OVERDUE, -1))
    return tuple(out)


def received_deltas(
    unit: str, received_at: datetime, appointment: datetime, *, online: bool,
    tz: tzinfo = DEFAULT_TZ,
) -> tuple[CounterDelta, ...]:
    """A dossier received (status 2) on the local date of ``received_at``.
    Its ``overdue_from`` is ``overdue_from(appointment)``."""
    day = _local_date(received_at, tz, "received_at")
    return (
        CounterDelta(unit, day, RECEIVED_ONLINE if online else RECEIVED_IN_PERSON, 1),
        *carried_in_deltas(unit, day, appointment, tz=tz),
    )


def carried_in_deltas(
    unit: str, day: date, appointment: datetime, *, tz: tzinfo = DEFAULT_TZ
) -> tuple[CounterDelta, ...]:
    """An open dossier that enters the counters on ``day`` without being
    received that day: dossiers taken over at go-live. Its ``overdue_from``
    is max(day, ``overdue_from(appointment)``)."""
    _require_date(day, "day")
    return (
        CounterDelta(unit, day, OPEN, 1),
        CounterDelta(unit, max(day, overdue_from(appointment, tz=tz)), OVERDUE, 1),
    )


def resolved_deltas(
    unit: str, resolved_at: datetime, appointment: datetime, scheduled: date | None,
    *, tz: tzinfo = DEFAULT_TZ,
) -> tuple[CounterDelta, ...]:
    """A dossier resolved: early, on time or late against ``appointment``
    (the one in force after pauses; an apology's new appointment does not
    make a late dossier on time). ``scheduled`` is its ``overdue_from``."""
    day = _local_date(resolved_at, tz, "resolved_at")
    kind = timeliness(resolved_at, appointment, tz=tz)
    return _closing(unit, day, _RESOLVED_COUNTER[kind], scheduled)


def stopped_deltas(
    unit: str, stopped_at: datetime, scheduled: date | None, *, tz: tzinfo = DEFAULT_TZ
) -> tuple[CounterDelta, ...]:
    """A received dossier closed without a result (withdrawn, stopped)."""
    return _closing(unit, _local_date(stopped_at, tz, "stopped_at"), STOPPED, scheduled)


def paused_deltas(
    unit: str, paused_at: datetime, scheduled: date | None, *, tz: tzinfo = DEFAULT_TZ
) -> tuple[tuple[CounterDelta, ...], date | None]:
    """The clock stops (status 5 or 6). A dossier still in time leaves the
    overdue schedule: it cannot run late while the clock stands. One already
    overdue stays overdue: a late request for papers does not hide it.
    Returns the deltas and the new ``overdue_from`` to store."""
    day = _local_date(paused_at, tz, "paused_at")
    # scheduled < day: the appointment date has passed, so the appointment
    # itself does not move either (``appointment_after_pause``).
    if scheduled is None or scheduled < day:
        return (), scheduled
    return (CounterDelta(unit, scheduled, OVERDUE, -1),), None


def resumed_deltas(
    unit: str, resumed_at: datetime, new_appointment: datetime, scheduled: date | None,
    *, tz: tzinfo = DEFAULT_TZ,
) -> tuple[tuple[CounterDelta, ...], date | None]:
    """The clock runs again with ``new_appointment``
    (``appointment_after_pause``). Returns the deltas and the new
    ``overdue_from`` to store."""
    day = _local_date(resumed_at, tz, "resumed_at")
    if scheduled is not None:  # paused when already overdue: nothing moved
        return (), scheduled
    new = max(day, overdue_from(new_appointment, tz=tz))
    return (CounterDelta(unit, new, OVERDUE, 1),), new


def apply_deltas(
    deltas: Iterable[CounterDelta],
    into: dict[tuple[str, date], dict[str, int]] | None = None,
) -> dict[tuple[str, date], dict[str, int]]:
    """Add ``deltas`` to in-memory counters (what the store does with atomic
    increments)."""
    counters = {} if into is None else into
    for d in deltas:
        if d.counter not in COUNTERS:
            raise ValueError(f"unknown counter {d.counter!r}")
        row = counters.setdefault((d.unit, d.day), {})
        row[d.counter] = row.get(d.counter, 0) + d.delta
    return counters


# -- report form 06 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Form06Row:
    """One unit's line of form 06 (Thông tư 01/2020/TT-VPCP).

    ``stopped`` is not a column of the form; it is kept so that the line
    reconciles: received_total = resolved_total + in_progress_total + stopped.
    """

    unit: str
    received_carried_over: int
    received_online: int
    received_in_person: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    in_progress_within_time: int
    in_progress_overdue: int
    stopped: int = 0

    @property
    def received_total(self) -> int:
        return self.received_carried_over + self.received_online + self.received_in_person

    @property
    def resolved_total(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress_total(self) -> int:
        return self.in_progress_within_time + self.in_progress_overdue


_ROW_FIELDS = (
    "received_carried_over",
    "received_online",
    "received_in_person",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_within_time",
    "in_progress_overdue",
    "stopped",
)

TOTAL_LABEL = "Tổng cộng"


def form06(
    counters_by_unit_and_day: Mapping[tuple[str, date], Mapping[str, int]],
    opening_balance: Mapping[str, int],
    frm: date,
    to: date,
    *,
    opening_overdue: Mapping[str, int] | None = None,
) -> list[Form06Row]:
    """Form 06 for the period ``frm``..``to`` (both included), one row per
    unit, sorted by unit.

    ``counters_by_unit_and_day`` holds the counters above for every day from
    the start of the counters' history up to ``to`` (later days are
    ignored). ``opening_balance`` (and ``opening_overdue``) are the OPEN (and
    OVERDUE) sums of everything before that history starts: zero at go-live,
    or a snapshot taken when old days were rolled up. Cost: one pass over the
    counter rows, O(units × days).

    Carried over = open at the start of ``frm``; in progress = open at the
    close of ``to``, split by the OVERDUE balance.
    """
    _require_date(frm, "frm")
    _require_date(to, "to")
    if frm > to:
        raise ValueError("Ngày bắt đầu kỳ báo cáo phải không sau ngày kết thúc.")
    overdue_open = dict(opening_overdue or {})
    units = set(opening_balance) | set(overdue_open)
    acc: dict[str, dict[str, int]] = {}

    def unit_acc(unit: str) -> dict[str, int]:
        return acc.setdefault(unit, dict.fromkeys((*_ROW_FIELDS, "open_before", "open_end"), 0))

    for (unit, day), row in counters_by_unit_and_day.items():
        _require_date(day, "counter day")
        if day > to:
            continue
        unknown = set(row) - set(COUNTERS)
        if unknown:
            raise ValueError(f"unknown counters {sorted(unknown)} for {unit} on {day}")
        units.add(unit)
        a = unit_acc(unit)
        opened = row.get(OPEN, 0)
        a["open_end"] += opened
        a["in_progress_overdue"] += row.get(OVERDUE, 0)
        if day < frm:
            a["open_before"] += opened
            continue
        for name in (RECEIVED_ONLINE, RECEIVED_IN_PERSON, RESOLVED_EARLY, RESOLVED_ON_TIME,
                     RESOLVED_LATE, STOPPED):
            a[name] += row.get(name, 0)

    rows: list[Form06Row] = []
    for unit in sorted(units):
        a = unit_acc(unit)
        opening = opening_balance.get(unit, 0)
        overdue = overdue_open.get(unit, 0) + a["in_progress_overdue"]
        in_progress = opening + a["open_end"]
        values = {
            "received_carried_over": opening + a["open_before"],
            "received_online": a[RECEIVED_ONLINE],
            "received_in_person": a[RECEIVED_IN_PERSON],
            "resolved_early": a[RESOLVED_EARLY],
            "resolved_on_time": a[RESOLVED_ON_TIME],
            "resolved_late": a[RESOLVED_LATE],
            "in_progress_within_time": in_progress - overdue,
            "in_progress_overdue": overdue,
            "stopped": a[STOPPED],
        }
        if any(v < 0 for v in values.values()) or overdue > in_progress:
            raise ValueError(f"Số liệu đếm của đơn vị {unit} không nhất quán: {values}.")
        if any(values.values()):
            rows.append(Form06Row(unit, **values))
    return rows


def form06_total(rows: Iterable[Form06Row], *, unit: str = TOTAL_LABEL) -> Form06Row:
    """The total line of the form."""
    sums = dict.fromkeys(_ROW_FIELDS, 0)
    for row in rows:
        for name in _ROW_FIELDS:
            sums[name] += getattr(row, name)
    return Form06Row(unit, **sums)


def progress_score(row: Form06Row, *, if_none_received: Decimal | None = None) -> Decimal | None:
    """Progress score of the service index (Quyết định 766/QĐ-TTg), out of
    20: (in progress within time + resolved early + resolved on time) ÷
    received total × 20, rounded half up to 0.01.

    A unit that received nothing has nothing to measure: None, unless the
    caller passes the value its scoring rules give (Decision 766's own rule
    for that case is UNCONFIRMED; full marks, 20, is the usual reading).
    """
    total = row.received_total
    if total == 0:
        return if_none_received
    good = row.in_progress_within_time + row.resolved_early + row.resolved_on_time
    return (Decimal(good) * 20 / total).quantize(_CENT, rounding=ROUND_HALF_UP)


# -- late apology ------------------------------------------------------------------------------


def will_miss(
    appointment: datetime,
    now: datetime,
    remaining_steps_time: timedelta | Decimal | int | float,
    calendar: AgencyCalendar,
) -> bool:
    """Whether the dossier will be late if the steps still to do take their
    planned time: then an apology letter with a new appointment is due
    (Nghị định 118/2025; the letter must go out before the appointment).

    ``remaining_steps_time`` is working time (a timedelta) or working days
    (a number), e.g. the shares of the remaining steps × the time limit.
    Finishing is counted from ``now`` (moved to the next working period, as
    everywhere else), and missing means finishing after the appointment
    instant; an appointment already passed is always missed.
    """
    require_aware(appointment, "appointment")
    require_aware(now, "now")
    if now > appointment:
        return True
    if isinstance(remaining_steps_time, timedelta):
        if remaining_steps_time < timedelta(0):
            raise ValueError("remaining_steps_time must be >= 0")
        finish = _add_working_time(calendar, now, remaining_steps_time)
    else:
        finish = calendar.add_working_days(now, remaining_steps_time)
    return finish > appointment


RESULT_REQUESTED = "dossier.result_requested"


# ---------------------------------------------------------------- who signs the result

# The internal process names the signing step by its performer ("Lãnh đạo
# phòng", "Lãnh đạo Sở"); dossiers received before the performer was kept on
# their steps are read by the step's name ("Ký duyệt kết quả").
_SIGNER_ROLE = "lãnh đạo"
_SIGNING_NAME = "ký"
# A performer above the units: the department's leaders sign.
_DEPARTMENT_SIGNERS = ("lãnh đạo sở", "giám đốc")


def signs_result(step: Mapping[str, object]) -> bool:
    """Whether the result is signed at this step of a dossier."""
    role = str(step.get("role") or "").casefold()
    if role:
        return role.startswith(_SIGNER_ROLE)
    return str(step.get("name") or "").casefold().startswith(_SIGNING_NAME)


def signed_by_leaders(step: Mapping[str, object]) -> bool:
    """Whether the department's leaders (not the head of the step's unit) sign."""
    role = str(step.get("role") or "").casefold()
    return any(name in role for name in _DEPARTMENT_SIGNERS)

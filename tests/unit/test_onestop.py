"""Unit tests for one-stop dossiers, on concrete 2026 dates.

Calendar facts used (the `holidays` package, as in test_calendar.py): Mon 9
Mar 2026 is an ordinary Monday; Mon 31 Aug, Tue 1 and Wed 2 Sep 2026 are days
off (National Day); Thu 30 Apr and Fri 1 May 2026 are holidays.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.onestop import rules as onestop
from chalicelib.onestop.catalogue import SEED_PROCEDURES
from chalicelib.onestop.rules import (
    OPEN,
    OVERDUE,
    RECEIVED_IN_PERSON,
    CounterDelta,
    DayCount,
    DossierStatus,
    Form06Row,
    OpenTimeliness,
    Paper,
    Procedure,
    ProcedureStep,
    Timeliness,
    allowed_next,
    apply_deltas,
    appointment,
    appointment_after_pause,
    check_transition,
    dossier_code,
    form06,
    form06_total,
    open_timeliness,
    overdue_from,
    paused_deltas,
    procedure_in_force,
    progress_score,
    received_deltas,
    resolved_deltas,
    resumed_deltas,
    step_deadlines,
    stopped_deltas,
    timeliness,
    will_miss,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOUR = timedelta(hours=1)
UNIT = "000.00.12.H26"


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN)


@pytest.fixture(scope="module")
def cal() -> AgencyCalendar:
    return AgencyCalendar()


@pytest.fixture(scope="module")
def dntn() -> Procedure:
    return procedure_in_force(SEED_PROCEDURES, "DKDN-DNTN", date(2026, 3, 9))


@pytest.fixture(scope="module")
def investment() -> Procedure:
    return procedure_in_force(SEED_PROCEDURES, "DKDT-CAPMOI", date(2026, 3, 9))


def make_procedure(**changes: object) -> Procedure:
    base = Procedure(
        code="TEST",
        version="1",
        effective_from=date(2026, 1, 1),
        effective_to=None,
        name="Thủ tục thử",
        field="Thử nghiệm",
        time_limit=Decimal(1),
        day_count=DayCount.WORKING,
        steps=(ProcedureStep("Xử lý", None, None, Decimal(1)),),
        fee=0,
        papers=(Paper("A", "Giấy đề nghị"),),
        result="Kết quả",
    )
    return dataclasses.replace(base, **changes)


# -- status codes ----------------------------------------------------------------


def test_status_codes_and_labels() -> None:
    assert [int(s) for s in DossierStatus] == list(range(1, 11))
    assert DossierStatus(1).label_vi == "Mới đăng ký"
    assert DossierStatus(5).label_vi == "Yêu cầu bổ sung"
    assert DossierStatus(6).label_vi == "Yêu cầu thực hiện nghĩa vụ tài chính"
    assert DossierStatus(7).label_vi == "Công dân yêu cầu rút hồ sơ"
    assert DossierStatus(10).label_vi == "Đã trả kết quả"
    assert DossierStatus.SUPPLEMENT_REQUESTED.stops_clock
    assert not DossierStatus.IN_PROGRESS.stops_clock
    finals = {s for s in DossierStatus if s.is_final}
    assert finals == {DossierStatus.REFUSED, DossierStatus.STOPPED, DossierStatus.RETURNED}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (1, 2),
        (1, 3),
        (1, 5),
        (2, 4),
        (2, 9),  # resolved on the spot
        (4, 5),
        (5, 4),
        (5, 2),
        (4, 6),
        (6, 4),
        (4, 7),
        (7, 8),
        (7, 4),
        (4, 9),
        (9, 10),
    ],
)
def test_allowed_transitions(old: int, new: int) -> None:
    check_transition(old, new)
    assert DossierStatus(new) in allowed_next(old)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (1, 4, "Không thể chuyển hồ sơ từ trạng thái “Mới đăng ký” sang “Đang xử lý”."),
        (4, 2, "Không thể chuyển hồ sơ từ trạng thái “Đang xử lý” sang “Được tiếp nhận”."),
        (4, 10, "Không thể chuyển hồ sơ từ trạng thái “Đang xử lý” sang “Đã trả kết quả”."),
        (10, 4, "Hồ sơ ở trạng thái “Đã trả kết quả” đã kết thúc, không thể chuyển sang "
         "“Đang xử lý”."),
        (3, 2, "Hồ sơ ở trạng thái “Không được tiếp nhận” đã kết thúc"),
        (8, 4, "Hồ sơ ở trạng thái “Dừng xử lý” đã kết thúc"),
        (4, 4, "Hồ sơ đã ở trạng thái “Đang xử lý”."),
    ],
)
def test_forbidden_transitions(old: int, new: int, message: str) -> None:
    with pytest.raises(ValueError) as err:
        check_transition(old, new)
    assert str(err.value).startswith(message)


def test_unknown_status_code() -> None:
    with pytest.raises(ValueError, match="Mã trạng thái hồ sơ không hợp lệ"):
        check_transition(4, 11)
    with pytest.raises(TypeError):
        check_transition(True, 2)


# -- procedure catalogue -----------------------------------------------------------


def test_business_registration_seed(dntn: Procedure) -> None:
    assert dntn.name == "Đăng ký thành lập doanh nghiệp tư nhân"
    assert dntn.time_limit == 3 and dntn.target_days == 2
    assert dntn.day_count is DayCount.WORKING
    assert dntn.fee == 50_000
    assert [s.share for s in dntn.steps] == [Decimal(x) for x in ("0.1", "0.6", "0.2", "0.1")]
    assert dntn.steps[1].performer_unit == "Phòng Đăng ký kinh doanh"
    assert dntn.papers[0].name == "Giấy đề nghị đăng ký doanh nghiệp"
    tnhh = procedure_in_force(SEED_PROCEDURES, "DKDN-TNHH1TV", date(2026, 3, 9))
    assert tnhh.name == "Đăng ký thành lập công ty TNHH một thành viên"
    assert "Điều lệ công ty" in [p.name for p in tnhh.papers]


def test_seed_catalogue_is_consistent() -> None:
    names = {p.name for p in SEED_PROCEDURES}
    assert "Đăng ký thay đổi nội dung đăng ký doanh nghiệp" in names
    assert "Thông báo tạm ngừng kinh doanh" in names
    assert {p.day_count for p in SEED_PROCEDURES} == {DayCount.WORKING, DayCount.CALENDAR}
    for p in SEED_PROCEDURES:
        assert sum(s.share for s in p.steps) == 1
        for text in (p.name, p.field, p.result, *(x.name for x in p.papers)):
            assert unicodedata.is_normalized("NFC", text)


def test_source_is_nfc() -> None:
    for module in (onestop.__file__, __file__):
        text = Path(module).read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text)


def test_version_in_force_switches_on_effective_date() -> None:
    before = procedure_in_force(SEED_PROCEDURES, "DKDN-DNTN", date(2025, 6, 30))
    after = procedure_in_force(SEED_PROCEDURES, "DKDN-DNTN", date(2025, 7, 1))
    assert (before.version, after.version) == ("2021.1", "2025.1")
    assert "CSHHL" not in {p.code for p in before.papers}
    assert "CSHHL" in {p.code for p in after.papers}


def test_version_not_yet_in_force() -> None:
    with pytest.raises(ValueError) as err:
        procedure_in_force(SEED_PROCEDURES, "DKDN-DNTN", date(2020, 12, 31))
    assert str(err.value) == "Thủ tục DKDN-DNTN chưa có hiệu lực vào ngày 31/12/2020."


def test_version_no_longer_in_force() -> None:
    abolished = make_procedure(effective_to=date(2026, 6, 30))
    assert procedure_in_force([abolished], "TEST", date(2026, 6, 30)) is abolished
    with pytest.raises(ValueError) as err:
        procedure_in_force([abolished], "TEST", date(2026, 7, 1))
    assert str(err.value) == "Thủ tục TEST không còn hiệu lực vào ngày 01/07/2026."


def test_unknown_procedure_and_duplicate_versions() -> None:
    with pytest.raises(ValueError, match="Không có thủ tục mã “NOPE”"):
        procedure_in_force(SEED_PROCEDURES, "NOPE", date(2026, 1, 1))
    twins = [make_procedure(), make_procedure(version="2")]
    with pytest.raises(ValueError, match="hai phiên bản"):
        procedure_in_force(twins, "TEST", date(2026, 3, 1))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"steps": (
                ProcedureStep("a", None, None, Decimal("0.5")),
                ProcedureStep("b", None, None, Decimal("0.4")),
            )},
            "tổng tỷ lệ thời gian các bước phải bằng 1",
        ),
        ({"steps": ()}, "ít nhất một bước"),
        ({"time_limit": Decimal(0)}, "thời hạn giải quyết phải lớn hơn 0"),
        ({"target_days": Decimal(2)}, "thời hạn mục tiêu"),
        ({"fee": -1}, "lệ phí"),
        ({"effective_to": date(2025, 12, 31)}, "ngày hết hiệu lực"),
        ({"papers": (Paper("A", "x"), Paper("A", "y"))}, "trùng"),
    ],
)
def test_procedure_validation(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_procedure(**changes)


def test_step_share_must_be_positive() -> None:
    with pytest.raises(ValueError, match="Tỷ lệ thời gian"):
        ProcedureStep("a", None, None, Decimal(0))


# -- dossier code ----------------------------------------------------------------------


def test_dossier_code() -> None:
    assert dossier_code(UNIT, datetime(2026, 11, 27, 9, 30), 7) == "000.00.12.H26-261127-0007"
    assert dossier_code(UNIT, at(2026, 1, 2, 8), 9999) == "000.00.12.H26-260102-9999"


def test_dossier_code_uses_local_date_of_aware_input() -> None:
    # 18:00 UTC on the 26th is 01:00 on the 27th in Vietnam.
    utc = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
    assert dossier_code(UNIT, utc, 1) == "000.00.12.H26-261127-0001"


@pytest.mark.parametrize("sequence", [0, 10_000, -1, True])
def test_dossier_code_sequence_range(sequence: int) -> None:
    with pytest.raises(ValueError, match="từ 1 đến 9999"):
        dossier_code(UNIT, at(2026, 11, 27, 9), sequence)


@pytest.mark.parametrize("unit", ["", "H26-X", "000 12", " H26"])
def test_dossier_code_rejects_bad_unit(unit: str) -> None:
    with pytest.raises(ValueError, match="Mã đơn vị"):
        dossier_code(unit, at(2026, 11, 27, 9), 1)


# -- appointment -----------------------------------------------------------------------


def test_appointment_legal_limit_and_target(cal: AgencyCalendar, dntn: Procedure) -> None:
    received = at(2026, 3, 9, 9)  # Monday
    assert appointment(dntn, received, cal) == at(2026, 3, 12, 9)  # Thursday
    assert appointment(dntn, received, cal, target=True) == at(2026, 3, 11, 9)  # Wednesday


def test_target_falls_back_to_legal_limit(cal: AgencyCalendar) -> None:
    reissue = procedure_in_force(SEED_PROCEDURES, "DKDN-CAPLAI", date(2026, 3, 9))
    assert reissue.target_days is None
    assert appointment(reissue, at(2026, 3, 9, 9), cal, target=True) == at(2026, 3, 12, 9)


def test_received_after_office_hours_counts_from_next_morning(
    cal: AgencyCalendar, dntn: Procedure
) -> None:
    # Counting from Tue 07:00; three full days end at the close of Thursday.
    assert appointment(dntn, at(2026, 3, 9, 17, 30), cal) == at(2026, 3, 12, 17)


def test_received_friday_afternoon_runs_into_next_week(
    cal: AgencyCalendar, dntn: Procedure
) -> None:
    # Fri 1 h + Mon 8 h + Tue 8 h + Wed 7 h.
    assert appointment(dntn, at(2026, 3, 13, 16), cal) == at(2026, 3, 18, 16)


def test_appointment_skips_national_day(cal: AgencyCalendar, dntn: Procedure) -> None:
    assert cal.holiday_name(date(2026, 9, 2)) is not None
    # Fri 28 Aug 6 h; 29 Aug - 2 Sep off; Thu 8 h, Fri 8 h, Mon 2 h.
    assert appointment(dntn, at(2026, 8, 28, 9), cal) == at(2026, 9, 7, 9)
    # Submitted online on Saturday: counting starts Thu 3 Sep 07:00.
    assert appointment(dntn, at(2026, 8, 29, 10), cal) == at(2026, 9, 7, 17)


def test_half_day_procedure(cal: AgencyCalendar) -> None:
    half = make_procedure(time_limit=Decimal("0.5"))
    assert appointment(half, at(2026, 3, 9, 10), cal) == at(2026, 3, 9, 16)
    # 2 h on Monday afternoon, 2 h on Tuesday morning.
    assert appointment(half, at(2026, 3, 9, 15), cal) == at(2026, 3, 10, 9)


def test_calendar_day_procedure(cal: AgencyCalendar, investment: Procedure) -> None:
    assert investment.day_count is DayCount.CALENDAR and investment.time_limit == 15
    # Day of receipt not counted; ends at the close of the 15th day.
    assert appointment(investment, at(2026, 3, 9, 9), cal) == at(2026, 3, 24, 17)
    # The 15th day is a Saturday: moves to the close of Monday.
    assert appointment(investment, at(2026, 3, 13, 9), cal) == at(2026, 3, 30, 17)
    # Received after 17:00 on Friday: counted as received on Monday.
    assert appointment(investment, at(2026, 3, 13, 17, 30), cal) == at(2026, 3, 31, 17)
    # The 15th day is 1 May: moves past the weekend to Monday 4 May.
    assert appointment(investment, at(2026, 4, 16, 9), cal) == at(2026, 5, 4, 17)


# -- step deadlines ----------------------------------------------------------------------


def test_step_deadlines_of_business_registration(cal: AgencyCalendar, dntn: Procedure) -> None:
    received = at(2026, 3, 9, 9)
    steps = step_deadlines(dntn, received, cal)
    assert [s.name for s, _ in steps] == [s.name for s in dntn.steps]
    # Each share ends at an odd minute; the deadline is the close of that half-day.
    assert [due for _, due in steps] == [
        at(2026, 3, 9, 11, 30),  # 0.1 × 24 h = 2 h 24: 11:24, the morning's close
        at(2026, 3, 11, 11, 30),  # 0.7 × 24 h = 16 h 48: 09:48
        at(2026, 3, 11, 17),  # 0.9 × 24 h = 21 h 36: 16:36
        at(2026, 3, 12, 9),  # the appointment, as the receipt prints it
    ]
    assert steps[-1][1] == appointment(dntn, received, cal)
    # Rounding never takes a step past the appointment, nor before its share.
    begin = cal.start_of_counting(received)
    bounds = [begin, *(due for _, due in steps)]
    spent = [cal.working_time_between(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    assert sum(spent, timedelta(0)) == 24 * HOUR
    shares = [int(s.share * 24 * 60) * timedelta(minutes=1) for s in dntn.steps]
    assert cal.working_time_between(begin, steps[0][1]) >= shares[0]


def test_a_step_deadline_is_the_close_of_its_half_day_but_never_past_the_appointment(
        cal: AgencyCalendar, dntn: Procedure) -> None:
    from chalicelib.onestop.rules import end_of_half_day

    # The office hours of the calendar: 07:00-11:30 and 13:30-17:00.
    assert end_of_half_day(at(2026, 3, 9, 9, 24), cal) == at(2026, 3, 9, 11, 30)
    assert end_of_half_day(at(2026, 3, 9, 14, 36), cal) == at(2026, 3, 9, 17)
    assert end_of_half_day(at(2026, 3, 9, 11, 30), cal) == at(2026, 3, 9, 11, 30)  # a close
    assert end_of_half_day(at(2026, 3, 9, 12), cal) == at(2026, 3, 9, 12)  # the lunch break
    # Received Monday 16:00: every deadline on a half-day's close but the last,
    # which is the appointment (Thursday 16:00), never passed.
    steps = step_deadlines(dntn, at(2026, 3, 9, 16), cal)
    dues = [due for _, due in steps]
    assert dues == sorted(dues) and dues[-1] == appointment(dntn, at(2026, 3, 9, 16), cal)
    # Signing's share ends Thursday afternoon, whose close (17:00) is past the
    # appointment: the appointment it is.
    assert [d.astimezone(cal.tz).strftime("%a %H:%M") for d in dues[:-1]] == [
        "Tue 11:30", "Wed 17:00", "Thu 16:00"]
    assert dues[-1].astimezone(cal.tz).strftime("%H:%M") == "16:00"


def test_step_deadlines_target(cal: AgencyCalendar, dntn: Procedure) -> None:
    steps = step_deadlines(dntn, at(2026, 3, 9, 9), cal, target=True)
    assert steps[0][1] == at(2026, 3, 9, 11, 30)  # 0.1 × 16 h = 1 h 36: 10:36
    assert steps[-1][1] == at(2026, 3, 11, 9)


def test_step_deadlines_calendar_procedure(cal: AgencyCalendar, investment: Procedure) -> None:
    received = at(2026, 3, 9, 9)
    steps = step_deadlines(investment, received, cal)
    dues = [due for _, due in steps]
    assert dues == sorted(dues)
    assert dues[-1] == appointment(investment, received, cal) == at(2026, 3, 24, 17)


# -- pause for additional papers -----------------------------------------------------------


def test_pause_moves_appointment_by_remaining_working_time(cal: AgencyCalendar) -> None:
    original = at(2026, 3, 12, 9)  # Thursday
    # Stopped Tue 09:00 with 16 working hours left; resumed the next Monday
    # 14:00: Mon 3 h + Tue 8 h + Wed 5 h.
    new = appointment_after_pause(original, at(2026, 3, 10, 9), at(2026, 3, 16, 14), cal)
    assert new == at(2026, 3, 18, 14)
    assert cal.working_time_between(at(2026, 3, 16, 14), new) == 16 * HOUR


def test_pause_resumed_after_hours_counts_from_next_morning(cal: AgencyCalendar) -> None:
    new = appointment_after_pause(
        at(2026, 3, 12, 9), at(2026, 3, 11, 9), at(2026, 3, 16, 18), cal
    )
    # 8 h left, counted from Tue 07:00: the close of Tuesday.
    assert new == at(2026, 3, 17, 17)


def test_pause_after_appointment_does_not_move_it(cal: AgencyCalendar) -> None:
    original = at(2026, 3, 12, 9)
    assert appointment_after_pause(original, at(2026, 3, 12, 10), at(2026, 3, 16, 9), cal) == (
        original
    )


def test_pause_calendar_days(cal: AgencyCalendar) -> None:
    # 8 calendar days left when stopped on Mon 16 Mar; resumed Wed 25 Mar.
    new = appointment_after_pause(
        at(2026, 3, 24, 17), at(2026, 3, 16, 10), at(2026, 3, 25, 9), cal,
        day_count=DayCount.CALENDAR,
    )
    assert new == at(2026, 4, 2, 17)


def test_resume_before_pause_rejected(cal: AgencyCalendar) -> None:
    with pytest.raises(ValueError, match="tiếp tục xử lý"):
        appointment_after_pause(at(2026, 3, 12, 9), at(2026, 3, 10, 9), at(2026, 3, 10, 8), cal)


# -- timeliness ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        (at(2026, 3, 11, 16), Timeliness.EARLY),
        (at(2026, 3, 12, 8), Timeliness.ON_TIME),
        (at(2026, 3, 12, 16), Timeliness.ON_TIME),  # after the hour, same date
        (at(2026, 3, 13, 7), Timeliness.LATE),
        # 20:00 UTC on Thursday is 03:00 on Friday in Vietnam.
        (datetime(2026, 3, 12, 20, 0, tzinfo=UTC), Timeliness.LATE),
    ],
)
def test_timeliness_by_date(returned: datetime, expected: Timeliness) -> None:
    assert timeliness(returned, at(2026, 3, 12, 9)) is expected


def test_timeliness_labels() -> None:
    assert Timeliness.EARLY.label_vi == "Trước hạn"
    assert Timeliness.ON_TIME.label_vi == "Đúng hạn"
    assert Timeliness.LATE.label_vi == "Quá hạn"
    assert OpenTimeliness.WITHIN_TIME.label_vi == "Trong hạn"


def test_open_timeliness_at_close_of_day() -> None:
    due = at(2026, 3, 12, 9)
    assert open_timeliness(due, date(2026, 3, 11)) is OpenTimeliness.WITHIN_TIME
    # Still open when its appointment day closes: it can only be late now.
    assert open_timeliness(due, date(2026, 3, 12)) is OpenTimeliness.OVERDUE
    assert open_timeliness(due, date(2026, 3, 20)) is OpenTimeliness.OVERDUE


# -- counters and form 06 -----------------------------------------------------------------------


def three_dossiers(cal: AgencyCalendar, dntn: Procedure) -> dict[tuple[str, date], dict[str, int]]:
    """A: early. B: additional papers requested, then on time. C: late."""
    deltas: list[CounterDelta] = []

    # A, online, Mon 2 Nov 09:00 -> appointment Thu 5 Nov 09:00; done Wed.
    a_due = appointment(dntn, at(2026, 11, 2, 9), cal)
    assert a_due == at(2026, 11, 5, 9)
    deltas += received_deltas(UNIT, at(2026, 11, 2, 9), a_due, online=True)
    deltas += resolved_deltas(UNIT, at(2026, 11, 4, 15), a_due, overdue_from(a_due))

    # B, in person, Mon 2 Nov 10:00 -> Thu 5 Nov 10:00. Papers requested Tue
    # 10:00 (16 h left), supplied Mon 9 Nov 08:00 -> Wed 11 Nov 08:00.
    b_due = appointment(dntn, at(2026, 11, 2, 10), cal)
    assert b_due == at(2026, 11, 5, 10)
    deltas += received_deltas(UNIT, at(2026, 11, 2, 10), b_due, online=False)
    b_sched: date | None = overdue_from(b_due)
    paused, b_sched = paused_deltas(UNIT, at(2026, 11, 3, 10), b_sched)
    assert b_sched is None
    deltas += paused
    b_new = appointment_after_pause(b_due, at(2026, 11, 3, 10), at(2026, 11, 9, 8), cal)
    assert b_new == at(2026, 11, 11, 8)
    resumed, b_sched = resumed_deltas(UNIT, at(2026, 11, 9, 8), b_new, b_sched)
    assert b_sched == date(2026, 11, 11)
    deltas += resumed
    deltas += resolved_deltas(UNIT, at(2026, 11, 11, 16), b_new, b_sched)

    # C, in person, Tue 3 Nov 09:00 -> Fri 6 Nov 09:00; done Mon 9 Nov.
    c_due = appointment(dntn, at(2026, 11, 3, 9), cal)
    assert c_due == at(2026, 11, 6, 9)
    deltas += received_deltas(UNIT, at(2026, 11, 3, 9), c_due, online=False)
    deltas += resolved_deltas(UNIT, at(2026, 11, 9, 10), c_due, overdue_from(c_due))

    return apply_deltas(deltas)


def test_form06_counts_all_three(cal: AgencyCalendar, dntn: Procedure) -> None:
    counters = three_dossiers(cal, dntn)
    rows = form06(counters, {}, date(2026, 11, 1), date(2026, 11, 30))
    assert rows == [Form06Row(UNIT, 0, 1, 2, 1, 1, 1, 0, 0)]
    row = rows[0]
    assert (row.received_total, row.resolved_total, row.in_progress_total) == (3, 3, 0)
    # (0 in time + 1 early + 1 on time) / 3 × 20
    assert progress_score(row) == Decimal("13.33")


def test_form06_mid_period_split_and_carry_over(cal: AgencyCalendar, dntn: Procedure) -> None:
    counters = three_dossiers(cal, dntn)
    # At the close of Fri 6 Nov: A resolved early, B paused (in time), C open
    # on its appointment date (overdue).
    first = form06(counters, {}, date(2026, 11, 1), date(2026, 11, 6))
    assert first == [Form06Row(UNIT, 0, 1, 2, 1, 0, 0, 1, 1)]
    assert progress_score(first[0]) == Decimal("13.33")  # (1 + 1 + 0) / 3 × 20
    # The next period carries B and C over and resolves them.
    second = form06(counters, {}, date(2026, 11, 7), date(2026, 11, 30))
    assert second == [Form06Row(UNIT, 2, 0, 0, 0, 1, 1, 0, 0)]
    assert progress_score(second[0]) == Decimal("10.00")  # (0 + 0 + 1) / 2 × 20


def test_form06_with_rolled_up_history(cal: AgencyCalendar, dntn: Procedure) -> None:
    counters = three_dossiers(cal, dntn)
    cut = date(2026, 11, 7)
    old = {k: v for k, v in counters.items() if k[1] < cut}
    recent = {k: v for k, v in counters.items() if k[1] >= cut}
    opening = sum(v.get(OPEN, 0) for v in old.values())
    overdue = sum(v.get(OVERDUE, 0) for v in old.values())
    assert (opening, overdue) == (2, 1)
    rolled = form06(recent, {UNIT: opening}, cut, date(2026, 11, 30), opening_overdue={UNIT: 1})
    assert rolled == form06(counters, {}, cut, date(2026, 11, 30))


def test_form06_stopped_dossier_and_totals(cal: AgencyCalendar, dntn: Procedure) -> None:
    counters = three_dossiers(cal, dntn)
    due = appointment(dntn, at(2026, 11, 10, 9), cal)
    apply_deltas(received_deltas("OTHER", at(2026, 11, 10, 9), due, online=True), counters)
    apply_deltas(stopped_deltas("OTHER", at(2026, 11, 11, 9), overdue_from(due)), counters)
    due2 = appointment(dntn, at(2026, 11, 27, 9), cal)
    apply_deltas(received_deltas("OTHER", at(2026, 11, 27, 9), due2, online=False), counters)
    rows = form06(counters, {}, date(2026, 11, 1), date(2026, 11, 30))
    assert [r.unit for r in rows] == [UNIT, "OTHER"]
    other = rows[1]
    assert other == Form06Row("OTHER", 0, 1, 1, 0, 0, 0, 1, 0, stopped=1)
    assert other.received_total == other.resolved_total + other.in_progress_total + other.stopped
    total = form06_total(rows)
    assert total == Form06Row("Tổng cộng", 0, 2, 3, 1, 1, 1, 1, 0, stopped=1)
    assert progress_score(total) == Decimal("12.00")  # (1 + 1 + 1) / 5 × 20


def test_paused_while_overdue_stays_overdue(cal: AgencyCalendar, dntn: Procedure) -> None:
    due = at(2026, 11, 5, 9)
    sched = overdue_from(due)
    deltas, after = paused_deltas(UNIT, at(2026, 11, 6, 9), sched)
    assert (deltas, after) == ((), sched)
    deltas, after = resumed_deltas(UNIT, at(2026, 11, 9, 9), due, after)
    assert (deltas, after) == ((), sched)


def test_form06_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="kỳ báo cáo"):
        form06({}, {}, date(2026, 11, 30), date(2026, 11, 1))
    with pytest.raises(ValueError, match="unknown counters"):
        form06({(UNIT, date(2026, 11, 2)): {"recieved": 1}}, {}, date(2026, 11, 1),
               date(2026, 11, 30))
    # More resolved than ever opened: the counters are broken.
    with pytest.raises(ValueError, match="không nhất quán"):
        form06({(UNIT, date(2026, 11, 2)): {OPEN: -1}}, {}, date(2026, 11, 1), date(2026, 11, 30))
    with pytest.raises(ValueError, match="unknown counter"):
        apply_deltas([CounterDelta(UNIT, date(2026, 11, 2), "nope", 1)])


def test_form06_ignores_days_after_period_and_empty_units() -> None:
    counters = {
        (UNIT, date(2026, 12, 1)): {RECEIVED_IN_PERSON: 1, OPEN: 1},
        ("IDLE", date(2026, 11, 3)): {},
    }
    assert form06(counters, {}, date(2026, 11, 1), date(2026, 11, 30)) == []


def test_progress_score_when_nothing_received() -> None:
    empty = Form06Row(UNIT, 0, 0, 0, 0, 0, 0, 0, 0)
    assert progress_score(empty) is None
    assert progress_score(empty, if_none_received=Decimal(20)) == Decimal(20)
    perfect = Form06Row(UNIT, 1, 1, 1, 1, 1, 0, 1, 0)
    assert progress_score(perfect) == Decimal("20.00")


# -- late apology ---------------------------------------------------------------------------------


def test_will_miss(cal: AgencyCalendar) -> None:
    due = at(2026, 3, 12, 9)  # Thursday
    now = at(2026, 3, 11, 9)
    assert not will_miss(due, now, 8 * HOUR, cal)  # finishes exactly at the appointment
    assert will_miss(due, now, 8 * HOUR + timedelta(minutes=1), cal)
    assert not will_miss(due, now, Decimal("0.5"), cal)
    assert will_miss(due, now, Decimal("1.5"), cal)
    # Evening: the remaining work starts only the next morning.
    assert will_miss(due, at(2026, 3, 11, 18), 3 * HOUR, cal)
    assert will_miss(due, at(2026, 3, 12, 10), timedelta(0), cal)  # already late

"""The legal clocks of complaints, denunciations and petitions, tested against
the statutes' cases on concrete dates with the real Vietnamese calendar.

Holiday facts used below are those of the `holidays` package for VN (see
test_calendar.py): Tết 2026 = Mon 16 .. Fri 20 Feb; Hùng Kings 2026 on Sun 26
Apr, observed Mon 27 Apr; 30 Apr and 1 May 2026 (Thu, Fri); Tết 2027 = Thu 4
.. Wed 10 Feb. Calendar-day limits skip the day of the event (Civil Code Art.
147) and move off a day off to the next working day (Art. 148(5)); every
deadline ends at 17:00.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chalicelib.complaints.clocks import (
    RULES,
    CaseFacts,
    CaseKind,
    Complexity,
    DayCount,
    Pause,
    Span,
    deadlines,
    lodged_in_time,
    rule_by_version,
    rules_for,
    time_left,
)
from chalicelib.kernel.calendar import AgencyCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OLD = "LKN2011-LTC2018"
NEW = "ND155-2026"


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN)


def close(y: int, mo: int, d: int) -> datetime:
    """A deadline: the end of that working day."""
    return at(y, mo, d, 17)


@pytest.fixture(scope="module")
def cal() -> AgencyCalendar:
    return AgencyCalendar()


def complaint(received: datetime, **kw: object) -> CaseFacts:
    return CaseFacts(kind=CaseKind.COMPLAINT, received_at=received, **kw)  # type: ignore[arg-type]


def denunciation(received: datetime, **kw: object) -> CaseFacts:
    return CaseFacts(kind=CaseKind.DENUNCIATION, received_at=received, **kw)  # type: ignore[arg-type]


# -- rule versions -----------------------------------------------------------


def test_rules_for_picks_the_latest_version_in_force() -> None:
    assert rules_for(date(2019, 1, 1)).version == OLD
    assert rules_for(date(2026, 6, 30)).version == OLD
    assert rules_for(date(2026, 7, 1)).version == NEW
    assert rules_for(date(2030, 1, 1)).version == NEW
    assert [r.version for r in RULES] == [OLD, NEW]


def test_no_rule_version_before_the_2018_denunciation_law() -> None:
    with pytest.raises(ValueError, match="Không có bộ quy định"):
        rules_for(date(2018, 12, 31))


def test_unknown_stored_version_is_refused() -> None:
    with pytest.raises(ValueError, match="phiên bản"):
        rule_by_version("LKN1998")


def test_the_2026_version_only_changes_first_complaint_acceptance() -> None:
    old, new = rule_by_version(OLD), rule_by_version(NEW)
    assert old.complaint_accept == Span(10, DayCount.CALENDAR)
    assert new.complaint_accept == Span(7, DayCount.WORKING)
    same = dataclasses.replace(
        new,
        version=old.version,
        effective_from=old.effective_from,
        title_vi=old.title_vi,
        complaint_accept=old.complaint_accept,
    )
    assert same == old


# -- lodging (Luật Khiếu nại Art. 9 and 33) ----------------------------------


def test_first_complaint_day_90_in_time_day_91_out(cal: AgencyCalendar) -> None:
    # Learnt of the decision on Tue 6 Jan 2026; day 90 is Mon 6 Apr 2026
    # (25 days left in January + 28 + 31 + 6), a working day.
    learnt = date(2026, 1, 6)
    ok = complaint(at(2026, 4, 6, 9), decision_date=learnt)
    assert lodged_in_time(ok, calendar=cal) == (True, date(2026, 4, 6))
    late = complaint(at(2026, 4, 7, 9), decision_date=learnt)
    assert lodged_in_time(late, calendar=cal) == (False, date(2026, 4, 6))


def test_first_complaint_limit_ending_on_sunday_moves_to_monday(cal: AgencyCalendar) -> None:
    # Learnt on Mon 2 Mar 2026: day 90 is Sun 31 May, so Mon 1 Jun is the last day.
    facts = complaint(at(2026, 6, 1, 16), decision_date=date(2026, 3, 2))
    assert lodged_in_time(facts, calendar=cal) == (True, date(2026, 6, 1))
    assert lodged_in_time(facts, calendar=cal, lodged_on=date(2026, 6, 2))[0] is False


def test_first_complaint_has_no_longer_remote_limit(cal: AgencyCalendar) -> None:
    # The 2011 law gives remote areas more time only for the second complaint.
    facts = complaint(at(2026, 4, 7, 9), decision_date=date(2026, 1, 6), remote=True)
    assert lodged_in_time(facts, calendar=cal) == (False, date(2026, 4, 6))


def test_postmark_date_decides_not_the_day_the_letter_arrived(cal: AgencyCalendar) -> None:
    facts = complaint(at(2026, 4, 9, 9), decision_date=date(2026, 1, 6))
    assert lodged_in_time(facts, calendar=cal, lodged_on=date(2026, 4, 6))[0] is True


def test_force_majeure_does_not_count_towards_the_limit(cal: AgencyCalendar) -> None:
    # A flood kept the person from complaining from 10 to 20 Mar (10 days):
    # the last day moves from Mon 6 Apr to Thu 16 Apr.
    facts = complaint(at(2026, 4, 16, 9), decision_date=date(2026, 1, 6))
    flood = Pause(at(2026, 3, 10, 8), at(2026, 3, 20, 8))
    assert lodged_in_time(facts, calendar=cal, obstacles=[flood]) == (True, date(2026, 4, 16))
    with pytest.raises(ValueError):
        lodged_in_time(facts, calendar=cal, obstacles=[Pause(at(2026, 3, 10, 8))])


@pytest.mark.parametrize(
    ("remote", "lodged", "in_time"),
    [
        # First settlement decision received Mon 1 Jun 2026.
        (False, date(2026, 7, 1), True),  # day 30: Wed 1 Jul
        (False, date(2026, 7, 2), False),
        (True, date(2026, 7, 16), True),  # remote, day 45: Thu 16 Jul
        (True, date(2026, 7, 17), False),
    ],
)
def test_second_complaint_30_days_45_remote(
    cal: AgencyCalendar, remote: bool, lodged: date, in_time: bool
) -> None:
    facts = complaint(
        at(2026, 7, 20, 9), decision_date=date(2026, 6, 1), second=True, remote=remote
    )
    ok, last = lodged_in_time(facts, calendar=cal, lodged_on=lodged)
    assert ok is in_time
    assert last == (date(2026, 7, 16) if remote else date(2026, 7, 1))


def test_denunciations_and_petitions_have_no_lodging_limit(cal: AgencyCalendar) -> None:
    assert lodged_in_time(denunciation(at(2026, 3, 2, 10)), calendar=cal) == (True, None)
    petition = CaseFacts(kind=CaseKind.PETITION, received_at=at(2026, 3, 2, 10))
    assert lodged_in_time(petition, calendar=cal) == (True, None)


def test_complaint_lodging_needs_the_decision_date(cal: AgencyCalendar) -> None:
    with pytest.raises(ValueError):
        lodged_in_time(complaint(at(2026, 3, 2, 10)), calendar=cal)


# -- complaint acceptance: 10 days (2011) vs 7 working days (2026) -------------


def test_acceptance_10_calendar_days_under_the_2011_law(cal: AgencyCalendar) -> None:
    # Received Mon 2 Mar 2026 -> day 10 is Thu 12 Mar.
    d = deadlines(complaint(at(2026, 3, 2, 10)), accepted_at=None, calendar=cal)
    assert d.rule_version == OLD
    assert d.accept_by == close(2026, 3, 12)
    assert d.settle_by is None and d.transfer_by is None and d.notify_by is None


@pytest.mark.parametrize(("received", "version", "accept_by"), [
    # Mon 29 Jun 2026, old rules: 10 calendar days -> Thu 9 Jul
    # (7 working days would have been Wed 8 Jul).
    pytest.param(at(2026, 6, 29, 10), OLD, close(2026, 7, 9), id="just-before-the-cut-over"),
    # Mon 6 Jul 2026, 2026 rules: working days 7, 8, 9, 10 Jul, 13, 14, 15 Jul
    # -> Wed 15 Jul (10 calendar days would be Thu 16 Jul).
    pytest.param(at(2026, 7, 6, 10), NEW, close(2026, 7, 15), id="just-after-the-cut-over"),
    # Mon 1 Feb 2027: Tue 2, Wed 3, then Tết Thu 4 .. Wed 10 Feb, then Thu 11,
    # Fri 12, Mon 15, Tue 16, Wed 17 -> Wed 17 Feb.
    pytest.param(at(2027, 2, 1, 10), NEW, close(2027, 2, 17), id="over-tet-2027-working-days"),
    # Fri 6 Feb 2026: day 10 is Mon 16 Feb, the first day of Tết (Mon 16 ..
    # Fri 20), so the limit ends on Mon 23 Feb.
    pytest.param(at(2026, 2, 6, 10), OLD, close(2026, 2, 23), id="over-tet-2026-calendar-days"),
])
def test_acceptance_limit_by_the_rules_in_force_at_receipt(
        cal: AgencyCalendar, received: datetime, version: str, accept_by: datetime) -> None:
    d = deadlines(complaint(received), accepted_at=None, calendar=cal)
    assert (d.rule_version, d.accept_by) == (version, accept_by)


def test_working_day_acceptance_does_not_count_the_day_of_receipt(cal: AgencyCalendar) -> None:
    # At 07:00 or 16:59 on Mon 6 Jul, or after hours: the same deadline.
    for received in (at(2026, 7, 6, 7), at(2026, 7, 6, 16, 59), at(2026, 7, 6, 19)):
        d = deadlines(complaint(received), accepted_at=None, calendar=cal)
        assert d.accept_by == close(2026, 7, 15)
    # Received on Saturday 4 Jul: counting starts Monday 6 -> Tue 14 Jul.
    d = deadlines(complaint(at(2026, 7, 4, 10)), accepted_at=None, calendar=cal)
    assert d.accept_by == close(2026, 7, 14)


def test_second_complaint_acceptance_stays_10_days(cal: AgencyCalendar) -> None:
    # The 2026 version is only known to change the first acceptance (unconfirmed).
    d = deadlines(complaint(at(2026, 7, 6, 10), second=True), accepted_at=None, calendar=cal)
    assert (d.rule_version, d.accept_by) == (NEW, close(2026, 7, 16))


# -- complaint settlement (Art. 28 and 37) ------------------------------------


ACCEPTED = at(2026, 3, 2, 10)  # Mon 2 Mar 2026


@pytest.mark.parametrize(
    ("second", "remote", "complexity", "expected"),
    [
        # From Mon 2 Mar 2026: +30 = Wed 1 Apr; +45 = Thu 16 Apr; +60 = Fri 1 May
        # (Labour Day) -> Sat, Sun -> Mon 4 May; +70 = Mon 11 May.
        (False, False, Complexity.NORMAL, close(2026, 4, 1)),  # 30
        (False, False, Complexity.COMPLEX, close(2026, 4, 16)),  # 45
        (False, True, Complexity.NORMAL, close(2026, 4, 16)),  # remote 45
        (False, True, Complexity.COMPLEX, close(2026, 5, 4)),  # remote complex 60
        (True, False, Complexity.NORMAL, close(2026, 4, 16)),  # 45
        (True, False, Complexity.COMPLEX, close(2026, 5, 4)),  # 60
        (True, True, Complexity.NORMAL, close(2026, 5, 4)),  # remote 60
        (True, True, Complexity.COMPLEX, close(2026, 5, 11)),  # remote complex 70
    ],
)
def test_complaint_settlement(
    cal: AgencyCalendar, second: bool, remote: bool, complexity: Complexity, expected: datetime
) -> None:
    facts = complaint(at(2026, 2, 24, 9), second=second, remote=remote, complexity=complexity)
    d = deadlines(facts, accepted_at=ACCEPTED, calendar=cal)
    assert d.settle_by == expected
    assert d.extensions_allowed == 0


def test_calendar_deadline_on_sunday_moves_to_monday(cal: AgencyCalendar) -> None:
    # Accepted Fri 6 Mar 2026: day 30 is Sun 5 Apr -> Mon 6 Apr.
    d = deadlines(complaint(at(2026, 3, 2, 10)), accepted_at=at(2026, 3, 6, 9), calendar=cal)
    assert d.settle_by == close(2026, 4, 6)


def test_complaints_cannot_be_extended_or_paused(cal: AgencyCalendar) -> None:
    facts = complaint(at(2026, 3, 2, 10), complexity=Complexity.COMPLEX)
    with pytest.raises(ValueError, match="không được gia hạn"):
        deadlines(facts, accepted_at=ACCEPTED, extensions=1, calendar=cal)
    with pytest.raises(ValueError, match="tạm dừng"):
        deadlines(
            facts,
            accepted_at=ACCEPTED,
            pauses=[Pause(at(2026, 3, 10, 8), at(2026, 3, 12, 8))],
            calendar=cal,
        )


def test_case_keeps_its_rule_version_when_decided_after_the_cut_over(
    cal: AgencyCalendar,
) -> None:
    # Received Mon 29 Jun 2026 under the old rules, accepted Tue 7 Jul under
    # the new ones: still the old version; settlement 30 days -> Thu 6 Aug.
    d = deadlines(complaint(at(2026, 6, 29, 10)), accepted_at=at(2026, 7, 7, 9), calendar=cal)
    assert d.rule_version == OLD
    assert d.accept_by == close(2026, 7, 9)
    assert d.settle_by == close(2026, 8, 6)


def test_stored_rule_version_wins_over_the_received_date(cal: AgencyCalendar) -> None:
    # The version stored on the case is used even if the catalogue's dates
    # would pick another: received Mon 6 Jul 2026, old rules -> Thu 16 Jul.
    facts = complaint(at(2026, 7, 6, 10), rule_version=OLD)
    d = deadlines(facts, accepted_at=None, calendar=cal)
    assert (d.rule_version, d.accept_by) == (OLD, close(2026, 7, 16))


# -- denunciations (Luật Tố cáo 2018) -----------------------------------------


DEN_RECEIVED = at(2026, 3, 2, 10)  # Mon 2 Mar 2026
DEN_ACCEPTED = at(2026, 3, 11, 15)  # Wed 11 Mar 2026


def test_denunciation_registration_7_or_10_working_days(cal: AgencyCalendar) -> None:
    # From Mon 2 Mar: 3, 4, 5, 6, 9 (5th: transfer), 10, 11 (7th) Mar,
    # then 12, 13, 16 (10th) Mar.
    d = deadlines(denunciation(DEN_RECEIVED), accepted_at=None, calendar=cal)
    assert d.accept_by == close(2026, 3, 11)
    assert d.transfer_by == close(2026, 3, 9)
    assert d.notify_by is None and d.settle_by is None
    multi = deadlines(denunciation(DEN_RECEIVED, multi_site=True), accepted_at=None, calendar=cal)
    assert multi.accept_by == close(2026, 3, 16)


def test_denunciation_notify_and_settle_from_acceptance(cal: AgencyCalendar) -> None:
    # Accepted Wed 11 Mar: notify by 12, 13, 16, 17, 18 -> Wed 18 Mar;
    # settle 30 days -> Fri 10 Apr.
    d = deadlines(denunciation(DEN_RECEIVED), accepted_at=DEN_ACCEPTED, calendar=cal)
    assert d.notify_by == close(2026, 3, 18)
    assert d.settle_by == close(2026, 4, 10)
    assert (d.extensions_allowed, d.extensions_used, d.paused_days, d.paused) == (0, 0, 0, False)


@pytest.mark.parametrize(("complexity", "allowed", "settle_by"), [
    # 30 + 30 days from Wed 11 Mar = Sun 10 May -> Mon 11 May.
    pytest.param(Complexity.COMPLEX, 1, close(2026, 5, 11), id="complex-one"),
    # 30 + 30 + 30 days from Wed 11 Mar = Tue 9 Jun (20 + 30 + 31 + 9).
    pytest.param(Complexity.VERY_COMPLEX, 2, close(2026, 6, 9), id="very-complex-two"),
])
def test_denunciation_extensions_up_to_the_complexitys_allowance(
        cal: AgencyCalendar, complexity: Complexity, allowed: int, settle_by: datetime) -> None:
    facts = denunciation(DEN_RECEIVED, complexity=complexity)
    d = deadlines(facts, accepted_at=DEN_ACCEPTED, extensions=allowed, calendar=cal)
    assert d.settle_by == settle_by
    assert (d.extensions_allowed, d.extensions_used) == (allowed, allowed)
    with pytest.raises(ValueError, match=f"tối đa {allowed} lần"):
        deadlines(facts, accepted_at=DEN_ACCEPTED, extensions=allowed + 1, calendar=cal)


def test_normal_denunciation_cannot_be_extended(cal: AgencyCalendar) -> None:
    with pytest.raises(ValueError, match="không phức tạp"):
        deadlines(denunciation(DEN_RECEIVED), accepted_at=DEN_ACCEPTED, extensions=1, calendar=cal)


def test_shorter_extension_decided_in_writing(cal: AgencyCalendar) -> None:
    # A 15-day extension: 45 days from Wed 11 Mar = Sat 25 Apr; Sun 26 Apr and
    # Mon 27 Apr (Hùng Kings, observed) are off -> Tue 28 Apr.
    facts = denunciation(DEN_RECEIVED, complexity=Complexity.COMPLEX)
    d = deadlines(facts, accepted_at=DEN_ACCEPTED, extensions=[15], calendar=cal)
    assert d.settle_by == close(2026, 4, 28)
    with pytest.raises(ValueError, match="không quá 30 ngày"):
        deadlines(facts, accepted_at=DEN_ACCEPTED, extensions=[31], calendar=cal)


def test_extension_needs_acceptance(cal: AgencyCalendar) -> None:
    facts = denunciation(DEN_RECEIVED, complexity=Complexity.COMPLEX)
    with pytest.raises(ValueError, match="Chưa thụ lý"):
        deadlines(facts, accepted_at=None, extensions=1, calendar=cal)


# -- pauses (Luật Tố cáo 2018 Art. 34) ----------------------------------------


def test_pause_pushes_the_deadline_by_its_length(cal: AgencyCalendar) -> None:
    # Suspended Fri 20 Mar, resumed Mon 30 Mar: 10 days off the clock;
    # 40 days from Wed 11 Mar = Mon 20 Apr.
    pause = Pause(at(2026, 3, 20, 10), at(2026, 3, 30, 9))
    d = deadlines(
        denunciation(DEN_RECEIVED), accepted_at=DEN_ACCEPTED, pauses=[pause], calendar=cal
    )
    assert (d.paused_days, d.paused) == (10, False)
    assert d.settle_by == close(2026, 4, 20)


def test_overlapping_pauses_count_once(cal: AgencyCalendar) -> None:
    pauses = [
        Pause(at(2026, 3, 23, 8), at(2026, 3, 30, 9)),
        Pause(at(2026, 3, 20, 10), at(2026, 3, 25, 9)),
    ]
    d = deadlines(
        denunciation(DEN_RECEIVED), accepted_at=DEN_ACCEPTED, pauses=pauses, calendar=cal
    )
    assert d.paused_days == 10
    assert d.settle_by == close(2026, 4, 20)


def test_only_the_pause_within_the_running_clock_counts(cal: AgencyCalendar) -> None:
    # Before acceptance (Wed 11 Mar 15:00) nothing counts: 5..13 Mar keeps
    # only 11..13 Mar (2 days); 32 days = Sun 12 Apr -> Mon 13 Apr.
    early = Pause(at(2026, 3, 5, 8), at(2026, 3, 13, 8))
    d = deadlines(
        denunciation(DEN_RECEIVED), accepted_at=DEN_ACCEPTED, pauses=[early], calendar=cal
    )
    assert (d.paused_days, d.settle_by) == (2, close(2026, 4, 13))
    # A pause after the deadline (Fri 10 Apr 17:00) does not revive the clock.
    late = Pause(at(2026, 4, 13, 8), at(2026, 4, 20, 8))
    d = deadlines(
        denunciation(DEN_RECEIVED), accepted_at=DEN_ACCEPTED, pauses=[late], calendar=cal
    )
    assert (d.paused_days, d.settle_by) == (0, close(2026, 4, 10))


def test_open_pause_leaves_the_deadline_unknown(cal: AgencyCalendar) -> None:
    d = deadlines(
        denunciation(DEN_RECEIVED),
        accepted_at=DEN_ACCEPTED,
        pauses=[Pause(at(2026, 3, 20, 10))],
        calendar=cal,
    )
    assert d.paused is True
    assert d.settle_by is None
    assert d.accept_by == close(2026, 3, 11)  # the other clocks still show


def test_pause_extends_an_extended_deadline(cal: AgencyCalendar) -> None:
    # Very complex, two extensions (90 days) plus a 7-day suspension:
    # 97 days from Wed 11 Mar = Tue 16 Jun.
    facts = denunciation(DEN_RECEIVED, complexity=Complexity.VERY_COMPLEX)
    pause = Pause(at(2026, 5, 4, 8), at(2026, 5, 11, 8))
    d = deadlines(facts, accepted_at=DEN_ACCEPTED, extensions=2, pauses=[pause], calendar=cal)
    assert (d.paused_days, d.settle_by) == (7, close(2026, 6, 16))


# -- petitions ---------------------------------------------------------------


def test_petition_transfer_5_working_days_and_no_settlement_limit(cal: AgencyCalendar) -> None:
    # Received Thu 26 Feb 2026: 27 Feb, 2, 3, 4, 5 Mar -> Thu 5 Mar.
    facts = CaseFacts(kind=CaseKind.PETITION, received_at=at(2026, 2, 26, 10))
    d = deadlines(facts, accepted_at=at(2026, 2, 27, 9), calendar=cal)
    assert d.transfer_by == close(2026, 3, 5)
    assert d.accept_by is None and d.settle_by is None
    assert d.milestones() == (("Hạn chuyển đơn", close(2026, 3, 5)),)


# -- facts -------------------------------------------------------------------


def test_facts_refuse_what_the_kind_does_not_know() -> None:
    with pytest.raises(ValueError, match="đặc biệt phức tạp"):
        complaint(DEN_RECEIVED, complexity=Complexity.VERY_COMPLEX)
    with pytest.raises(ValueError, match="lần hai"):
        denunciation(DEN_RECEIVED, second=True)
    with pytest.raises(ValueError, match="nhiều địa điểm"):
        complaint(DEN_RECEIVED, multi_site=True)
    with pytest.raises(ValueError, match="timezone-aware"):
        complaint(datetime(2026, 3, 2, 10))


def test_acceptance_before_receipt_is_refused(cal: AgencyCalendar) -> None:
    with pytest.raises(ValueError):
        deadlines(denunciation(DEN_RECEIVED), accepted_at=at(2026, 3, 1, 10), calendar=cal)


def test_milestones_feed_the_reminders(cal: AgencyCalendar) -> None:
    d = deadlines(denunciation(DEN_RECEIVED), accepted_at=DEN_ACCEPTED, calendar=cal)
    assert [label for label, _ in d.milestones()] == [
        "Hạn thụ lý",
        "Hạn chuyển đơn",
        "Hạn thông báo thụ lý",
        "Hạn giải quyết",
    ]


# -- time left ---------------------------------------------------------------


DUE = close(2026, 3, 12)  # Thu 12 Mar 2026 17:00


def test_time_left_counts_whole_working_days_after_today(cal: AgencyCalendar) -> None:
    # Mon 10:00: Tue, Wed, Thu left; exact working time is the rest of Monday
    # (10:00-11:30 and 13:30-17:00 = 5 h = 0.625 day) + 3 = 3.625 -> 3.63.
    left = time_left(DUE, at(2026, 3, 9, 10), cal)
    assert left.label_vi == "Còn 3 ngày làm việc"
    assert left.working_days_left == Decimal("3.63")
    assert not left.overdue and not left.due_today


def test_time_left_due_today(cal: AgencyCalendar) -> None:
    left = time_left(DUE, at(2026, 3, 12, 9), cal)
    assert (left.label_vi, left.due_today, left.overdue) == ("Đến hạn hôm nay", True, False)


def test_time_left_overdue(cal: AgencyCalendar) -> None:
    # Sat 14 Mar: two days late; the working time missed is Friday's.
    left = time_left(DUE, at(2026, 3, 14, 10), cal)
    assert (left.overdue, left.days_overdue, left.label_vi) == (True, 2, "Quá hạn 2 ngày")
    assert left.working_days_left == Decimal("-1.00")
    evening = time_left(DUE, at(2026, 3, 12, 18), cal)
    assert (evening.overdue, evening.days_overdue) == (True, 0)
    assert evening.label_vi == "Đã quá hạn hôm nay"


def test_time_left_over_tet(cal: AgencyCalendar) -> None:
    # Wed 3 Feb 2027, due Thu 11 Feb: Tết (4..10 Feb) leaves one working day.
    left = time_left(close(2027, 2, 11), at(2027, 2, 3, 10), cal)
    assert left.label_vi == "Còn 1 ngày làm việc"


# -- labels ------------------------------------------------------------------


def test_labels_are_vietnamese_nfc() -> None:
    labels = [k.label_vi for k in CaseKind] + [c.label_vi for c in Complexity]
    labels += [r.title_vi for r in RULES]
    labels += [complaint(DEN_RECEIVED).label_vi, complaint(DEN_RECEIVED, second=True).label_vi]
    assert CaseKind.PETITION.label_vi == "Phản ánh, kiến nghị"
    assert Complexity.VERY_COMPLEX.label_vi == "Đặc biệt phức tạp"
    assert Span(7, DayCount.WORKING).label_vi == "7 ngày làm việc"
    for label in labels:
        assert unicodedata.is_normalized("NFC", label), label

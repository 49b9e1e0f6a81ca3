"""Unit tests for the agency calendar, on concrete 2026-2027 dates.

Holiday facts below are those of the `holidays` package (0.109) for VN:
Tết 2026 = Mon 16 .. Fri 20 Feb; Hùng Kings 2026 falls on Sunday 26 Apr and
is observed Mon 27 Apr; 30 Apr and 1 May; Mon 31 Aug (swapped with Saturday
22 Aug, a make-up working day); 1-2 Sep; Tết 2027 = Thu 4 .. Wed 10 Feb.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chalicelib.kernel.calendar import DEFAULT_PERIODS, AgencyCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOUR = timedelta(hours=1)
DAY = 8 * HOUR


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN)


@pytest.fixture(scope="module")
def cal() -> AgencyCalendar:
    return AgencyCalendar()


# -- working days ------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 3, 10), True),  # ordinary Tuesday
        (date(2026, 3, 14), False),  # Saturday
        (date(2026, 3, 15), False),  # Sunday
        (date(2026, 1, 1), False),  # New Year
        (date(2026, 2, 16), False),  # Tết
        (date(2026, 2, 20), False),  # Tết
        (date(2026, 2, 23), True),  # first day back after Tết
        (date(2026, 4, 27), False),  # Hùng Kings, observed on Monday
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 8, 22), True),  # make-up working Saturday from the package
        (date(2026, 8, 31), False),  # the day off it pays for
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
        (date(2027, 2, 4), False),  # Tết 2027
        (date(2027, 2, 10), False),
        (date(2027, 2, 11), True),
        (date(2027, 5, 3), False),  # Labour Day 2027 on Saturday, observed Monday
    ],
)
def test_is_working_day(cal: AgencyCalendar, d: date, expected: bool) -> None:
    assert cal.is_working_day(d) is expected


def test_next_working_day_is_strictly_after(cal: AgencyCalendar) -> None:
    assert cal.next_working_day(date(2026, 3, 10)) == date(2026, 3, 11)
    assert cal.next_working_day(date(2026, 3, 13)) == date(2026, 3, 16)  # Fri -> Mon
    assert cal.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)  # over Tết
    assert cal.next_working_day(date(2026, 4, 29)) == date(2026, 5, 4)


def test_working_day_on_or_after(cal: AgencyCalendar) -> None:
    assert cal.working_day_on_or_after(date(2026, 3, 10)) == date(2026, 3, 10)
    assert cal.working_day_on_or_after(date(2026, 3, 14)) == date(2026, 3, 16)
    assert cal.working_day_on_or_after(date(2026, 8, 29)) == date(2026, 9, 3)


def test_holiday_name(cal: AgencyCalendar) -> None:
    assert cal.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert cal.holiday_name(date(2026, 3, 10)) is None
    english = AgencyCalendar(language="en_US")
    assert english.holiday_name(date(2026, 2, 17)) == "Lunar New Year"
    assert english.holiday_name(date(2026, 4, 27)) == "Hung Kings' Commemoration Day (observed)"


def test_holiday_name_hidden_when_override_makes_it_a_working_day() -> None:
    cal = AgencyCalendar({date(2026, 9, 1): True})
    assert cal.is_working_day(date(2026, 9, 1))
    assert cal.holiday_name(date(2026, 9, 1)) is None


def test_date_methods_reject_datetimes(cal: AgencyCalendar) -> None:
    with pytest.raises(TypeError):
        cal.is_working_day(at(2026, 2, 17, 9))  # type: ignore[arg-type]


# -- overrides ---------------------------------------------------------------


def test_override_saturday_becomes_working_day() -> None:
    cal = AgencyCalendar({date(2026, 3, 14): True})
    assert cal.is_working_day(date(2026, 3, 14))
    assert cal.next_working_day(date(2026, 3, 13)) == date(2026, 3, 14)
    assert cal.add_working_days(at(2026, 3, 13, 9), 1) == at(2026, 3, 14, 9)
    assert cal.add_working_days(at(2026, 3, 13, 16), Decimal("0.25")) == at(2026, 3, 14, 8)


def test_override_wednesday_becomes_day_off() -> None:
    cal = AgencyCalendar({date(2026, 3, 18): False})
    assert not cal.is_working_day(date(2026, 3, 18))
    assert cal.add_working_days(at(2026, 3, 17, 9), 1) == at(2026, 3, 19, 9)
    assert cal.working_time_between(at(2026, 3, 17, 7), at(2026, 3, 20, 7)) == 2 * DAY


def test_override_wins_over_package_make_up_saturday() -> None:
    cal = AgencyCalendar({date(2026, 8, 22): False})
    assert not cal.is_working_day(date(2026, 8, 22))
    assert AgencyCalendar().is_working_day(date(2026, 8, 22))


def test_overrides_are_copied_not_shared() -> None:
    source = {date(2026, 3, 14): True}
    cal = AgencyCalendar(source)
    source[date(2026, 3, 14)] = False
    assert cal.is_working_day(date(2026, 3, 14))


def test_calendar_is_immutable(cal: AgencyCalendar) -> None:
    with pytest.raises(AttributeError):
        cal._tz = UTC  # type: ignore[misc]
    with pytest.raises(TypeError):
        cal.overrides[date(2026, 3, 14)] = True  # type: ignore[index]


# -- start of counting ---------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 3, 10, 9, 15), at(2026, 3, 10, 9, 15)),  # inside hours: itself
        (at(2026, 3, 10, 6, 0), at(2026, 3, 10, 7, 0)),  # early morning
        (at(2026, 3, 10, 11, 30), at(2026, 3, 10, 13, 30)),  # end of morning
        (at(2026, 3, 10, 12, 0), at(2026, 3, 10, 13, 30)),  # lunch break
        (at(2026, 3, 10, 17, 0), at(2026, 3, 11, 7, 0)),  # 17:00 sharp
        (at(2026, 3, 10, 17, 30), at(2026, 3, 11, 7, 0)),  # evening
        (at(2026, 3, 13, 18, 0), at(2026, 3, 16, 7, 0)),  # Friday evening
        (at(2026, 3, 14, 10, 0), at(2026, 3, 16, 7, 0)),  # Saturday
        (at(2026, 2, 13, 17, 45), at(2026, 2, 23, 7, 0)),  # eve of Tết
        (at(2026, 4, 30, 9, 0), at(2026, 5, 4, 7, 0)),  # holiday
    ],
)
def test_start_of_counting(cal: AgencyCalendar, received: datetime, expected: datetime) -> None:
    assert cal.start_of_counting(received) == expected


def test_start_of_counting_accepts_utc_and_answers_in_local_time(cal: AgencyCalendar) -> None:
    # 10:30Z on Tuesday is 17:30 in Hanoi: after hours.
    result = cal.start_of_counting(datetime(2026, 3, 10, 10, 30, tzinfo=UTC))
    assert result == at(2026, 3, 11, 7)
    assert result.tzinfo == VN
    assert result.utcoffset() == timedelta(hours=7)


# -- add_working_days -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # whole days; a budget ending at 17:00 stays there
        (at(2026, 3, 10, 7), 1, at(2026, 3, 10, 17)),
        (at(2026, 3, 9, 9), 2, at(2026, 3, 11, 9)),
        (at(2026, 3, 12, 9), 2, at(2026, 3, 16, 9)),  # Thursday over the weekend
        (at(2026, 3, 13, 13, 30), 1, at(2026, 3, 16, 11, 30)),  # 3.5 h + 4.5 h
        # half days and other fractions
        (at(2026, 3, 9, 7), Decimal("0.5"), at(2026, 3, 9, 11)),
        (at(2026, 3, 9, 9), 0.5, at(2026, 3, 9, 15)),  # across the lunch break
        (at(2026, 3, 9, 13, 30), 0.5, at(2026, 3, 10, 7, 30)),  # afternoon is 3.5 h
        (at(2026, 3, 9, 12), Decimal("0.4375"), at(2026, 3, 9, 17)),
        (at(2026, 3, 9, 7), Decimal("0.5625"), at(2026, 3, 9, 11, 30)),  # 4.5 h: not 13:30
        (at(2026, 3, 9, 11), Decimal("0.125"), at(2026, 3, 9, 14)),
        (at(2026, 3, 9, 7), 0.1, at(2026, 3, 9, 7, 48)),
        # Friday 16:00: 1 h on Friday, the rest on Monday morning
        (at(2026, 3, 13, 16), 0.25, at(2026, 3, 16, 8)),
        (at(2026, 3, 13, 16), Decimal("0.375"), at(2026, 3, 16, 9)),
        # ... or on Tuesday when Monday is a holiday
        (at(2026, 4, 24, 16), 0.25, at(2026, 4, 28, 8)),
        # received out of hours
        (at(2026, 3, 10, 17, 30), 1, at(2026, 3, 11, 17)),
        (at(2026, 3, 10, 17, 30), Decimal("0.5"), at(2026, 3, 11, 11)),
        (at(2026, 3, 10, 12), Decimal("0.25"), at(2026, 3, 10, 15, 30)),
        (at(2026, 3, 14, 10), 1, at(2026, 3, 16, 17)),
        # holidays
        (at(2026, 2, 13, 9), 1, at(2026, 2, 23, 9)),  # Tết 2026
        (at(2026, 2, 12, 9), 2, at(2026, 2, 23, 9)),
        (at(2026, 4, 29, 9), 1, at(2026, 5, 4, 9)),  # 30/4 and 1/5
        (at(2026, 8, 28, 9), 1, at(2026, 9, 3, 9)),  # 31/8, 1/9, 2/9
        (at(2026, 8, 21, 16), 0.25, at(2026, 8, 22, 8)),  # make-up Saturday
        (at(2027, 2, 3, 9), 1, at(2027, 2, 11, 9)),  # Tết 2027
        # the business-registration target: 2 working days
        (at(2026, 12, 31, 16), 2, at(2027, 1, 5, 16)),  # over New Year's Day
    ],
)
def test_add_working_days(
    cal: AgencyCalendar, start: datetime, days: Decimal | float | int, expected: datetime
) -> None:
    result = cal.add_working_days(start, days)
    assert result == expected
    assert result.tzinfo == VN


def test_add_zero_days_returns_effective_start(cal: AgencyCalendar) -> None:
    assert cal.add_working_days(at(2026, 3, 10, 9), 0) == at(2026, 3, 10, 9)
    assert cal.add_working_days(at(2026, 3, 10, 17, 30), 0) == at(2026, 3, 11, 7)
    assert cal.add_working_days(at(2026, 3, 10, 12), Decimal(0)) == at(2026, 3, 10, 13, 30)


def test_add_working_days_result_is_local_for_utc_input(cal: AgencyCalendar) -> None:
    # 02:00Z = 09:00 in Hanoi.
    result = cal.add_working_days(datetime(2026, 3, 9, 2, 0, tzinfo=UTC), 2)
    assert result == at(2026, 3, 11, 9)
    assert result.tzinfo == VN
    assert result.astimezone(UTC) == datetime(2026, 3, 11, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("days", [-1, -0.5, Decimal("-0.01")])
def test_negative_days_rejected(cal: AgencyCalendar, days: Decimal | float | int) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(at(2026, 3, 10, 9), days)
    with pytest.raises(ValueError):
        cal.add_calendar_days(at(2026, 3, 10, 9), days)


@pytest.mark.parametrize("days", [float("nan"), float("inf"), Decimal("NaN")])
def test_non_finite_days_rejected(cal: AgencyCalendar, days: Decimal | float) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(at(2026, 3, 10, 9), days)


def test_bool_days_rejected(cal: AgencyCalendar) -> None:
    with pytest.raises(TypeError):
        cal.add_working_days(at(2026, 3, 10, 9), True)


def test_naive_datetimes_rejected(cal: AgencyCalendar) -> None:
    naive = datetime(2026, 3, 10, 9)
    aware = at(2026, 3, 10, 9)
    with pytest.raises(ValueError):
        cal.add_working_days(naive, 1)
    with pytest.raises(ValueError):
        cal.add_calendar_days(naive, 1)
    with pytest.raises(ValueError):
        cal.start_of_counting(naive)
    with pytest.raises(ValueError):
        cal.working_time_between(naive, aware)
    with pytest.raises(ValueError):
        cal.working_time_between(aware, naive)
    with pytest.raises(ValueError):
        cal.working_days_between(aware, naive)


def test_thousand_working_days(cal: AgencyCalendar) -> None:
    start = at(2026, 1, 5, 7)
    result = cal.add_working_days(start, 1000)
    assert result.time() == time(17, 0)
    assert cal.is_working_day(result.date())
    assert result.date() > date(2029, 10, 1)
    assert cal.working_time_between(start, result) == 1000 * DAY
    assert cal.working_days_between(start, result) == Decimal("1000.00")


# -- add_calendar_days ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (at(2026, 3, 2, 9), 10, at(2026, 3, 12, 17)),  # lands on a Thursday
        (at(2026, 3, 4, 9), 10, at(2026, 3, 16, 17)),  # Saturday -> Monday
        (at(2026, 4, 24, 10), 3, at(2026, 4, 28, 17)),  # observed Hùng Kings -> Tuesday
        (at(2026, 4, 20, 10), 10, at(2026, 5, 4, 17)),  # 30/4 .. weekend -> Monday
        (at(2026, 2, 6, 10), 10, at(2026, 2, 23, 17)),  # lands in Tết
        (at(2026, 8, 1, 10), 30, at(2026, 9, 3, 17)),  # lands on 31/8
        (at(2026, 3, 2, 9), 2.1, at(2026, 3, 5, 17)),  # fractions round up
        (at(2026, 3, 2, 9), Decimal("0.01"), at(2026, 3, 3, 17)),
        (at(2026, 3, 2, 9), 0, at(2026, 3, 2, 17)),
        (at(2026, 3, 7, 9), 0, at(2026, 3, 9, 17)),  # Saturday, no days
    ],
)
def test_add_calendar_days(
    cal: AgencyCalendar, start: datetime, days: Decimal | float | int, expected: datetime
) -> None:
    assert cal.add_calendar_days(start, days) == expected


def test_add_calendar_days_uses_local_date_of_utc_input(cal: AgencyCalendar) -> None:
    # 18:00Z on 1 March is already 2 March in Hanoi.
    start = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    assert cal.add_calendar_days(start, 10) == at(2026, 3, 12, 17)


def test_add_calendar_days_respects_overrides() -> None:
    cal = AgencyCalendar({date(2026, 3, 12): False, date(2026, 3, 14): True})
    assert cal.add_calendar_days(at(2026, 3, 2, 9), 10) == at(2026, 3, 13, 17)
    assert cal.add_calendar_days(at(2026, 3, 4, 9), 10) == at(2026, 3, 14, 17)


# -- working time between ----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (at(2026, 3, 9, 7), at(2026, 3, 9, 17), DAY),
        (at(2026, 3, 9, 0), at(2026, 3, 10, 0), DAY),
        (at(2026, 3, 9, 11), at(2026, 3, 9, 14), HOUR),  # lunch not counted
        (at(2026, 3, 9, 12), at(2026, 3, 9, 13), timedelta(0)),
        (at(2026, 3, 13, 16), at(2026, 3, 16, 8), 2 * HOUR),  # over a weekend
        (at(2026, 2, 13, 7), at(2026, 2, 24, 7), 2 * DAY),  # over Tết
        (at(2026, 3, 9, 9), at(2026, 3, 9, 9), timedelta(0)),
        (at(2026, 3, 9, 17), at(2026, 3, 9, 9), -6 * HOUR),  # reversed
    ],
)
def test_working_time_between(
    cal: AgencyCalendar, a: datetime, b: datetime, expected: timedelta
) -> None:
    assert cal.working_time_between(a, b) == expected


def test_working_time_between_mixed_zones(cal: AgencyCalendar) -> None:
    a = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi
    b = at(2026, 3, 9, 11, 30)
    assert cal.working_time_between(a, b) == 4.5 * HOUR


def test_working_days_between(cal: AgencyCalendar) -> None:
    assert cal.working_days_between(at(2026, 3, 9, 9), at(2026, 3, 11, 9)) == Decimal("2.00")
    assert cal.working_days_between(at(2026, 3, 9, 7), at(2026, 3, 9, 11)) == Decimal("0.50")
    # 1 h 20 min = 0.1666... day
    assert cal.working_days_between(at(2026, 3, 9, 7), at(2026, 3, 9, 8, 20)) == Decimal("0.17")
    assert cal.working_days_between(at(2026, 3, 11, 9), at(2026, 3, 9, 9)) == Decimal("-2.00")


def test_between_is_consistent_with_add() -> None:
    rng = random.Random(20260101)
    cal = AgencyCalendar({date(2026, 6, 13): True, date(2026, 6, 17): False})
    base = at(2026, 1, 1)
    span_minutes = 2 * 365 * 24 * 60
    for _ in range(400):
        start = base + timedelta(minutes=rng.randrange(span_minutes))
        if rng.random() < 0.3:
            start = start.astimezone(UTC)
        kind = rng.random()
        if kind < 0.2:
            days: Decimal | float | int = rng.randrange(0, 40)
        elif kind < 0.3:
            days = rng.choice([0.25, 0.5, 0.75, 1.5])
        else:
            days = Decimal(rng.randrange(0, 4000)) / 100
        end = cal.add_working_days(start, days)
        expected = timedelta(microseconds=int(Decimal(str(days)) * 8 * 3600 * 10**6))
        assert cal.working_time_between(start, end) == expected, (start, days, end)
        assert cal.working_days_between(start, end) == Decimal(str(days)).quantize(Decimal("0.01"))
        assert end >= cal.start_of_counting(start)
        assert end == cal.start_of_counting(start) or cal.is_working_day(end.date())


# -- configurable periods ------------------------------------------------------------


def test_default_periods() -> None:
    assert DEFAULT_PERIODS == ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
    assert AgencyCalendar().working_day_length == DAY


def test_custom_periods() -> None:
    cal = AgencyCalendar(periods=((time(8), time(12)), (time(13), time(16, 30))))
    assert cal.working_day_length == 7.5 * HOUR
    assert cal.start_of_counting(at(2026, 3, 9, 16, 45)) == at(2026, 3, 10, 8)
    assert cal.add_working_days(at(2026, 3, 9, 8), 1) == at(2026, 3, 9, 16, 30)
    assert cal.add_working_days(at(2026, 3, 9, 11), Decimal("0.2")) == at(2026, 3, 9, 13, 30)
    assert cal.add_calendar_days(at(2026, 3, 9, 8), 1) == at(2026, 3, 10, 16, 30)
    assert cal.working_days_between(at(2026, 3, 9, 8), at(2026, 3, 10, 8)) == Decimal("1.00")


@pytest.mark.parametrize(
    "periods",
    [
        (),
        ((time(11), time(7)),),
        ((time(7), time(7)),),
        ((time(7), time(12)), (time(11), time(17))),  # overlap
        ((time(13), time(17)), (time(7), time(11))),  # out of order
    ],
)
def test_invalid_periods_rejected(periods: tuple[tuple[time, time], ...]) -> None:
    with pytest.raises(ValueError):
        AgencyCalendar(periods=periods)


def test_invalid_override_rejected() -> None:
    with pytest.raises(TypeError):
        AgencyCalendar({datetime(2026, 3, 14, tzinfo=VN): True})
    with pytest.raises(TypeError):
        AgencyCalendar({date(2026, 3, 14): 1})  # type: ignore[dict-item]

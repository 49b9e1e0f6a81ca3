"""The agency's working calendar: which days are working days, which hours of
them are working hours, and how deadlines are counted over them.

Pure domain code: standard library, ``holidays`` and ``zoneinfo`` only. Every
instant goes in and comes out as a timezone-aware ``datetime``; results are in
the agency's time zone and callers convert them to UTC for storage.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_PERIODS",
    "DEFAULT_TZ",
    "AgencyCalendar",
    "Period",
    "require_aware",
]

Period = tuple[time, time]

# Office hours of Vietnamese state agencies (the one-stop rules count a working
# day as these 8 hours).
DEFAULT_PERIODS: tuple[Period, ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)

DEFAULT_TZ: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")

_ZERO = timedelta(0)
# Later than every period ends, so "the rest of the day" needs no special case.
_END_OF_DAY = timedelta(days=1)
_ONE_DAY = timedelta(days=1)
_CENT = Decimal("0.01")

Days = Decimal | float | int


@dataclass(frozen=True)
class _YearData:
    holidays: Mapping[date, str]
    weekend_workdays: frozenset[date]


@lru_cache(maxsize=256)
def _vn_year(year: int, language: str) -> _YearData:
    # Imported here rather than at module level: `holidays` costs ~60 ms to
    # import, and every Lambda of the app imports the domain on its cold start.
    import holidays

    vn = holidays.country_holidays("VN", years=year, language=language)
    # `weekend_workdays` is the package's own list of make-up working Saturdays
    # that the government swaps for a bridging day off (the "from" date of a
    # substituted holiday in VietnamStaticHolidays, e.g. Sat 2026-08-22 for
    # Mon 2026-08-31). It also holds cross-year swaps for other years, hence
    # the filter. Older package versions may lack it, hence the getattr.
    workdays = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year == year)
    # Copied out of the package's dict because it auto-populates further
    # years on lookup, which would make the cached value mutate underneath us.
    names = {d: str(name) for d, name in vn.items() if d.year == year}
    return _YearData(MappingProxyType(names), workdays)


def _require_date(d: Any, what: str = "d") -> date:
    # A datetime is a date subclass but never equals a date key, so it would
    # silently miss every holiday and override.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{what} must be a datetime.date, got {type(d).__name__}")
    return d


def require_aware(dt: object, what: str) -> datetime:
    """``dt`` itself when it is a timezone-aware datetime: legal clocks refuse a
    naive one rather than guess its zone."""
    if not isinstance(dt, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {dt.isoformat()}")
    return dt


def _to_decimal(days: Any) -> Decimal:
    # bool is an int subclass; True days is almost certainly a caller bug.
    if isinstance(days, bool) or not isinstance(days, Decimal | int | float):
        raise TypeError(f"days must be Decimal, int or float, got {type(days).__name__}")
    # str() of a float gives the short literal the caller wrote (0.1, not
    # 0.1000000000000000055...), so 0.1 day is exactly 48 minutes.
    value = Decimal(str(days)) if isinstance(days, float) else Decimal(days)
    if not value.is_finite():
        raise ValueError(f"days must be finite, got {days!r}")
    if value < 0:
        raise ValueError(f"days must be >= 0, got {days!r}")
    return value


def _since_midnight(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _micros(td: timedelta) -> int:
    return (td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds


class AgencyCalendar:
    """Working days and hours of one agency.

    Working days are Monday to Friday, minus Vietnam's public holidays (from
    the ``holidays`` package, including Tết and substituted days off), plus
    the make-up working Saturdays the package knows of, and finally the
    agency's ``overrides`` (True = working day, False = day off), which win
    over everything else because the government announces swaps each year and
    the package may lag behind or estimate.

    A working day lasts the total length of ``periods`` (8 hours by default);
    fractional days are measured in that working time.

    Time-of-day arithmetic is done on wall-clock time in ``tz``; that is exact
    for Asia/Ho_Chi_Minh (no DST) and for any zone whose transitions fall
    outside working hours.

    Instances are immutable and safe to share between requests.
    """

    __slots__ = ("_overrides", "_periods", "_offsets", "_day_length", "_tz", "_language")

    _overrides: Mapping[date, bool]
    _periods: tuple[Period, ...]
    _offsets: tuple[tuple[timedelta, timedelta], ...]
    _day_length: timedelta
    _tz: tzinfo
    _language: str

    def __init__(
        self,
        overrides: Mapping[date, bool] = MappingProxyType({}),
        periods: tuple[Period, ...] = DEFAULT_PERIODS,
        tz: tzinfo = DEFAULT_TZ,
        *,
        language: str = "vi",
    ) -> None:
        checked: dict[date, bool] = {}
        for d, working in overrides.items():
            _require_date(d, "override key")
            if not isinstance(working, bool):
                raise TypeError(f"override for {d} must be a bool, got {working!r}")
            checked[d] = working

        periods = tuple((start, end) for start, end in periods)
        if not periods:
            raise ValueError("at least one working period is required")
        offsets: list[tuple[timedelta, timedelta]] = []
        for start, end in periods:
            if not isinstance(start, time) or not isinstance(end, time):
                raise TypeError("periods must be (datetime.time, datetime.time) pairs")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("period times must be naive wall-clock times in tz")
            if start >= end:
                raise ValueError(f"period {start}-{end} must start before it ends")
            if offsets and _since_midnight(start) < offsets[-1][1]:
                raise ValueError("periods must be in order and must not overlap")
            offsets.append((_since_midnight(start), _since_midnight(end)))

        if not isinstance(tz, tzinfo):
            raise TypeError(f"tz must be a tzinfo, got {type(tz).__name__}")

        set_ = object.__setattr__
        set_(self, "_overrides", MappingProxyType(checked))
        set_(self, "_periods", periods)
        set_(self, "_offsets", tuple(offsets))
        set_(self, "_day_length", sum((e - s for s, e in offsets), _ZERO))
        set_(self, "_tz", tz)
        set_(self, "_language", language)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(overrides={dict(self._overrides)!r}, "
            f"periods={self._periods!r}, tz={self._tz!r})"
        )

    # -- configuration, read-only ------------------------------------------

    @property
    def overrides(self) -> Mapping[date, bool]:
        return self._overrides

    @property
    def periods(self) -> tuple[Period, ...]:
        return self._periods

    @property
    def tz(self) -> tzinfo:
        return self._tz

    @property
    def working_day_length(self) -> timedelta:
        return self._day_length

    # -- days -------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        _require_date(d)
        override = self._overrides.get(d)
        if override is not None:
            return override
        year = _vn_year(d.year, self._language)
        if d.weekday() >= 5:
            return d in year.weekend_workdays
        return d not in year.holidays

    def holiday_name(self, d: date) -> str | None:
        """Name of the public holiday on ``d`` for display, or None.

        None as well when an override makes ``d`` a working day, so that a
        screen never labels a day the agency works as a holiday. Agency-only
        days off carry no name here.
        """
        _require_date(d)
        if self._overrides.get(d) is True:
            return None
        return _vn_year(d.year, self._language).holidays.get(d)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.working_day_on_or_after(_require_date(d) + _ONE_DAY)

    def working_day_on_or_after(self, d: date) -> date:
        _require_date(d)
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    # -- instants ---------------------------------------------------------

    def start_of_counting(self, received: datetime) -> datetime:
        """When the clock starts for something received at ``received``.

        Inside a working period: ``received`` itself. Otherwise the start of
        the next working period, so a dossier received after 17:00 (or at
        17:00 sharp) counts from the next working morning, and one received
        during the lunch break counts from 13:30.
        """
        local = require_aware(received, "received").astimezone(self._tz)
        d, offset = local.date(), self._offset_of(local)
        if self.is_working_day(d):
            for start, end in self._offsets:
                if offset < end:
                    return local if offset >= start else self._at(d, start)
        return self._at(self.next_working_day(d), self._offsets[0][0])

    def add_working_days(self, start: datetime, days: Days) -> datetime:
        """The instant at which ``days`` working days of working time have
        elapsed, counting from ``start_of_counting(start)``.

        Fractions are working time (0.5 day = 4 h by default). When the time
        runs out exactly at the end of a period, the result is that end
        (Tuesday 07:00 + 1 day = Tuesday 17:00), not the next period's start.
        """
        amount = _to_decimal(days)
        cursor = self.start_of_counting(start)
        remaining = self._as_working_time(amount)
        if remaining == _ZERO:
            return cursor

        d, offset = cursor.date(), self._offset_of(cursor)
        result = self._consume_day(d, offset, remaining)
        if isinstance(result, datetime):
            return result
        remaining = result

        # Whole days in bulk; only the last (partial or exactly full) day needs
        # walking through the periods, so long spans cost one step per day.
        while remaining > self._day_length:
            d = self.next_working_day(d)
            remaining -= self._day_length
        d = self.next_working_day(d)
        final = self._consume_day(d, self._offsets[0][0], remaining)
        # remaining <= one day's working time, so the last day always absorbs it.
        assert isinstance(final, datetime)
        return final

    def add_calendar_days(self, start: datetime, days: Days) -> datetime:
        """Deadline of a procedure whose limit is in calendar days.

        The limit ends at the close of the working day (end of the last
        period) of the local date of ``start`` plus ``days`` (fractions round
        up). The day of ``start`` itself is not counted, as in the Civil Code
        2015 Art. 147. If that date is not a working day, the deadline moves
        to the end of the next working day: the usual Vietnamese rule for a
        limit whose last day is a day off (Civil Code 2015 Art. 148).
        """
        amount = _to_decimal(days)
        local = require_aware(start, "start").astimezone(self._tz)
        last_day = local.date() + timedelta(days=math.ceil(amount))
        return self._at(self.working_day_on_or_after(last_day), self._offsets[-1][1])

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time inside [a, b); negative when b is before a."""
        a_local = require_aware(a, "a").astimezone(self._tz)
        b_local = require_aware(b, "b").astimezone(self._tz)
        if b_local < a_local:
            return -self.working_time_between(b_local, a_local)

        a_day, a_offset = a_local.date(), self._offset_of(a_local)
        b_day, b_offset = b_local.date(), self._offset_of(b_local)
        if a_day == b_day:
            return self._worked_within(a_day, a_offset, b_offset)

        total = self._worked_within(a_day, a_offset, _END_OF_DAY)
        total += self._worked_within(b_day, _ZERO, b_offset)
        full_days = 0
        d = a_day + _ONE_DAY
        while d < b_day:
            full_days += self.is_working_day(d)
            d += _ONE_DAY
        return total + self._day_length * full_days

    def working_days_between(self, a: datetime, b: datetime) -> Decimal:
        """``working_time_between`` in working days, rounded to 0.01."""
        worked = Decimal(_micros(self.working_time_between(a, b)))
        ratio = worked / Decimal(_micros(self._day_length))
        return ratio.quantize(_CENT, rounding=ROUND_HALF_UP)

    # -- internals --------------------------------------------------------

    def _at(self, d: date, offset: timedelta) -> datetime:
        return datetime.combine(d, time(), tzinfo=self._tz) + offset

    @staticmethod
    def _offset_of(local: datetime) -> timedelta:
        return _since_midnight(local.time())

    def _as_working_time(self, amount: Decimal) -> timedelta:
        micros = (amount * _micros(self._day_length)).to_integral_value(ROUND_HALF_EVEN)
        return timedelta(microseconds=int(micros))

    def _consume_day(
        self, d: date, offset: timedelta, remaining: timedelta
    ) -> datetime | timedelta:
        """Spend ``remaining`` on working day ``d`` from ``offset`` on.

        Returns the instant it runs out, or what is left at the end of the day.
        ``<=`` (not ``<``) makes a budget that ends exactly at a period's end
        stop there instead of spilling into the next period.
        """
        for start, end in self._offsets:
            if end <= offset:
                continue
            begin = max(start, offset)
            available = end - begin
            if remaining <= available:
                return self._at(d, begin + remaining)
            remaining -= available
        return remaining

    def _worked_within(self, d: date, low: timedelta, high: timedelta) -> timedelta:
        if high <= low or not self.is_working_day(d):
            return _ZERO
        total = _ZERO
        for start, end in self._offsets:
            overlap = min(end, high) - max(start, low)
            if overlap > _ZERO:
                total += overlap
        return total

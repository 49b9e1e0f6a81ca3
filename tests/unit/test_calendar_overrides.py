"""The overrides an administrator keeps (an extra day off, a make-up working
Saturday), against a fake of the calendar store: what is written, the event
raised, and that the agency calendar counts them at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from chalicelib.calendar import service as calendar
from chalicelib.kernel.identity import Caller, Role
from tests.fakes import FakeCalendarStore

ADMIN = Caller("quantri", frozenset({Role.ADMIN}), unit="VP")
FRIDAY = date(2026, 12, 11)
SATURDAY = date(2026, 12, 12)


@pytest.fixture()
def store() -> Iterator[FakeCalendarStore]:
    calendar.forget_cached_calendar()
    yield FakeCalendarStore()
    calendar.forget_cached_calendar()


def test_a_day_off_and_a_make_up_saturday_change_the_calendar(store) -> None:
    assert calendar.agency_calendar(store=store).is_working_day(FRIDAY)

    calendar.set_override(ADMIN, FRIDAY, False, "Nghỉ bù", store=store)
    calendar.set_override(ADMIN, SATURDAY, True, "Làm bù", store=store)

    cal = calendar.agency_calendar(store=store)
    assert not cal.is_working_day(FRIDAY) and cal.is_working_day(SATURDAY)
    assert [(o["date"], o["working"], o["note"], o["updated_by"])
            for o in calendar.list_overrides(store=store)] == [
        ("2026-12-11", False, "Nghỉ bù", "quantri"), ("2026-12-12", True, "Làm bù", "quantri")]
    assert [(e.type, e.subject_id, e.payload["working"]) for e in store.events] == [
        ("calendar.override_set", "CALENDAR#2026-12-11", False),
        ("calendar.override_set", "CALENDAR#2026-12-12", True)]


def test_setting_a_day_again_replaces_it_and_removing_restores_the_rule(store) -> None:
    calendar.set_override(ADMIN, FRIDAY, False, "Nghỉ", store=store)
    calendar.set_override(ADMIN, FRIDAY, False, "Nghỉ bù Quốc khánh", store=store)
    assert [o["note"] for o in calendar.list_overrides(store=store)] == ["Nghỉ bù Quốc khánh"]

    events = calendar.remove_override(ADMIN, FRIDAY, store=store)

    assert [(e.type, e.payload) for e in events] == [
        ("calendar.override_removed", {"date": "2026-12-11", "by": "quantri"})]
    assert calendar.list_overrides(store=store) == []
    assert calendar.agency_calendar(store=store).is_working_day(FRIDAY)

"""The agency calendar with its stored overrides (extra days off, make-up
working days), which an administrator edits."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.calendar.store import CalendarStore, event_subject
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.identity import Caller

_CACHE_SECONDS = 60.0
_cache: tuple[float, AgencyCalendar] | None = None


def _store(table: Table | None, store: CalendarStore | None) -> CalendarStore:
    return store or CalendarStore(table or Table())


def list_overrides(table: Table | None = None, *,
                   store: CalendarStore | None = None) -> list[dict[str, Any]]:
    items = _store(table, store).overrides()
    return [
        {"date": i["date"], "working": bool(i["working"]), "note": i.get("note", ""),
         "updated_by": i.get("updated_by"), "updated_at": i.get("updated_at")}
        for i in items
    ]


def agency_calendar(table: Table | None = None, *,
                    store: CalendarStore | None = None) -> AgencyCalendar:
    """Overrides change a few times a year: keep them a minute per process."""
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > _CACHE_SECONDS or table is not None \
            or store is not None:
        overrides = {date.fromisoformat(o["date"]): o["working"]
                     for o in list_overrides(table, store=store)}
        _cache = (now, AgencyCalendar(overrides))
    return _cache[1]


def forget_cached_calendar() -> None:
    global _cache
    _cache = None


def set_override(caller: Caller, day: date, working: bool, note: str,
                 table: Table | None = None, *,
                 store: CalendarStore | None = None) -> list[DomainEvent]:
    store = _store(table, store)
    uow = store.unit_of_work()
    store.put(uow, {"date": day.isoformat(), "working": working, "note": note,
                    "updated_by": caller.username, "updated_at": iso(utcnow())})
    uow.emit(DomainEvent("calendar.override_set", event_subject(day),
                         {"date": day.isoformat(), "working": working, "by": caller.username}))
    events = uow.commit()
    forget_cached_calendar()
    return events


def remove_override(caller: Caller, day: date, table: Table | None = None, *,
                    store: CalendarStore | None = None) -> list[DomainEvent]:
    store = _store(table, store)
    uow = store.unit_of_work()
    store.remove(uow, day)
    uow.emit(DomainEvent("calendar.override_removed", event_subject(day),
                         {"date": day.isoformat(), "by": caller.username}))
    events = uow.commit()
    forget_cached_calendar()
    return events

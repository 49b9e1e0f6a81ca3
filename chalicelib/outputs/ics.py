"""Calendar files (iCalendar, RFC 5545), built with ``icalendar`` (imported
inside the function: only the steps that mail an invitation need it). Who is
invited, when, and the UID and SEQUENCE of an event are the caller's rules;
this module writes them as calendar programs read them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class FixedZone:
    """A time zone with one offset and no daylight saving, as a VTIMEZONE."""

    tzid: str
    offset: timedelta
    since: datetime
    name: str


# Hanoi has kept UTC+07:00 without daylight saving since 1975: one STANDARD rule
# serves every date (icalendar's generated VTIMEZONE stops at 2038).
HANOI = FixedZone("Asia/Ho_Chi_Minh", timedelta(hours=7), datetime(1975, 6, 13), "+07")


@dataclass(frozen=True)
class Address:
    """An ORGANIZER or ATTENDEE: the address, then its parameters in order
    (CN is cleaned to what a parameter value may hold)."""

    email: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    stamp: datetime          # aware, UTC
    start: datetime          # aware, in the zone of the file
    end: datetime
    summary: str
    description: str
    status: str              # CONFIRMED, CANCELLED
    organizer: Address
    attendees: Sequence[Address] = field(default_factory=tuple)
    location: str = ""
    url: str = ""
    transparency: str = "OPAQUE"


def param_text(text: str) -> str:
    """A parameter value cannot hold a double quote or a line break (RFC 5545 3.1)."""
    return " ".join(unicodedata.normalize("NFC", text).replace('"', "'").split())


def calendar_file(event: CalendarEvent, *, method: str, prodid: str,
                  zone: FixedZone = HANOI) -> bytes:
    """The VCALENDAR of one event with its METHOD (iTIP: REQUEST, CANCEL), UTF-8."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_vtimezone(zone))
    item = Event()
    item.add("uid", event.uid)
    item.add("sequence", int(event.sequence))
    item.add("dtstamp", event.stamp)
    # Aware datetimes in the zone: icalendar writes DTSTART;TZID=<zone>.
    item.add("dtstart", event.start)
    item.add("dtend", event.end)
    item.add("summary", event.summary)
    if event.location:
        item.add("location", event.location)
    if event.url:
        item.add("url", event.url)
    item.add("description", event.description)
    item.add("status", event.status)
    item.add("transp", event.transparency)
    item.add("organizer", _address(event.organizer))
    for person in event.attendees:
        item.add("attendee", _address(person), encode=False)
    cal.add_component(item)
    return bytes(cal.to_ical())


def _address(address: Address) -> Any:
    from icalendar import vCalAddress, vText

    value = vCalAddress(f"mailto:{address.email}")
    for name, text in address.params:
        value.params[name] = vText(param_text(text) if name == "cn" else text)
    return value


def _vtimezone(zone: FixedZone) -> Any:
    from icalendar import Timezone, TimezoneStandard

    tz = Timezone()
    tz.add("tzid", zone.tzid)
    std = TimezoneStandard()
    std.add("dtstart", zone.since)
    std.add("tzoffsetfrom", zone.offset)
    std.add("tzoffsetto", zone.offset)
    std.add("tzname", zone.name)
    tz.add_component(std)
    return tz

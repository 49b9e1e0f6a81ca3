"""Meetings (cuộc họp): the scheduling rules and what the iCalendar invitation
says (the file itself is written by ``outputs.ics``).

Pure domain code: standard library and ``email_validator`` (imported where used,
to keep it off every cold start). Instants go in
as ``datetime``; a naive one is a wall-clock time in Hanoi, because that is
what a clerk types. They come out timezone-aware in UTC for storage, and the
invitation shows them in Asia/Ho_Chi_Minh with its own VTIMEZONE.

The invitation follows iTIP (RFC 5546): ``METHOD:REQUEST`` for an invitation
and every change of it, ``METHOD:CANCEL`` for a cancellation, one stable
``UID`` per meeting and a ``SEQUENCE`` that each change moves up by one, so
calendar programs replace the event they hold instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from chalicelib.kernel.calendar import DEFAULT_TZ
from chalicelib.kernel.errors import FieldProblem, InvalidInput

TZ = DEFAULT_TZ
# A meeting room's invitation list, chair not counted. It also keeps every change
# of a meeting inside one DynamoDB transaction (100 items: the meeting, the old
# and the new invitations, the audit entry and its head, the event).
MAX_PARTICIPANTS = 40
MAX_AGENDA = 20
# Conferences run over a few days; anything longer is a typing mistake.
MAX_DURATION = timedelta(days=7)
REMINDER_LEAD = timedelta(hours=1)
PRODID = "-//eoffice//Co quan dien tu//VI"


# An invitation's state: taken off the list, it stays (with its answer) as removed.
ACTIVE = "active"
REMOVED = "removed"
# Events: a change owes mail; one mail is due; a meeting's reminder is due.
CHANGED = "meeting.changed"
MAIL_DUE = "meeting.mail_due"
REMINDER_DUE = "meeting.reminder_due"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class AttendeeRole(StrEnum):
    CHAIR = "chair"  # chủ trì
    PARTICIPANT = "participant"  # cán bộ trong danh bạ
    GUEST = "guest"  # khách mời bên ngoài (chỉ có địa chỉ thư)


class Answer(StrEnum):
    """What a participant answers (the API's and the link's words)."""

    ACCEPT = "accept"
    DECLINE = "decline"
    TENTATIVE = "tentative"


class PartStat(StrEnum):
    """RFC 5545 PARTSTAT: stored as is, so the invitation needs no mapping."""

    NEEDS_ACTION = "NEEDS-ACTION"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    TENTATIVE = "TENTATIVE"


ANSWER_PARTSTAT = {
    Answer.ACCEPT: PartStat.ACCEPTED,
    Answer.DECLINE: PartStat.DECLINED,
    Answer.TENTATIVE: PartStat.TENTATIVE,
}

PARTSTAT_LABELS = {
    PartStat.NEEDS_ACTION: "Chưa trả lời",
    PartStat.ACCEPTED: "Tham dự",
    PartStat.DECLINED: "Không tham dự",
    PartStat.TENTATIVE: "Chưa chắc chắn",
}

ROLE_LABELS = {
    AttendeeRole.CHAIR: "Chủ trì",
    AttendeeRole.PARTICIPANT: "Thành phần tham dự",
    AttendeeRole.GUEST: "Khách mời",
}

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    role: AttendeeRole
    partstat: PartStat = PartStat.NEEDS_ACTION


@dataclass(frozen=True)
class AgendaItem:
    title: str
    document: str = ""  # "số, ký hiệu — trích yếu" of an agenda document, when linked


@dataclass(frozen=True)
class Meeting:
    id: str
    title: str
    start: datetime
    end: datetime
    chair_name: str
    chair_email: str
    place: str = ""
    online_url: str = ""
    note: str = ""
    agenda: tuple[AgendaItem, ...] = field(default_factory=tuple)
    sequence: int = 0
    status: MeetingStatus = MeetingStatus.SCHEDULED


# ---------------------------------------------------------------- time


def as_instant(value: datetime) -> datetime:
    """An aware UTC instant. A naive value is read as Hanoi wall-clock time."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        value = value.replace(tzinfo=TZ)
    return value.astimezone(UTC)


def local(value: datetime) -> datetime:
    return as_instant(value).astimezone(TZ)


def format_when(start: datetime, end: datetime) -> str:
    """"08:00–10:30, Thứ Ba ngày 01/12/2026" in Hanoi time; a meeting over
    several days names both days."""
    a, b = local(start), local(end)
    day_a = f"{_WEEKDAYS[a.weekday()]} ngày {a:%d/%m/%Y}"
    if a.date() == b.date():
        return f"{a:%H:%M}–{b:%H:%M}, {day_a}"
    return f"{a:%H:%M} {day_a} đến {b:%H:%M} {_WEEKDAYS[b.weekday()]} ngày {b:%d/%m/%Y}"


def format_time(value: datetime) -> str:
    return f"{local(value):%H:%M}"


# ---------------------------------------------------------------- validation


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def normalise_email(address: str) -> str | None:
    """The address as mailed (domain lower-cased, IDN kept), or None when invalid.

    The API validates addresses with pydantic already; this second check is for
    callers of the service that do not go through it.
    """
    from email_validator import EmailNotValidError, validate_email

    try:
        return str(validate_email(address, check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


def check_schedule(*, title: str, start: datetime, end: datetime, place: str,
                   online_url: str, participants: int, now: datetime,
                   start_may_be_past: bool = False) -> tuple[datetime, datetime]:
    """The schedule's rules, every broken one reported with its field.

    Returns start and end as UTC instants. ``start_may_be_past``: a change to a
    meeting under way that keeps its start time.
    """
    problems: list[FieldProblem] = []
    start_at, end_at = as_instant(start), as_instant(end)
    if not nfc(title):
        problems.append(FieldProblem("title", "Chưa có tên cuộc họp.", "The title is empty."))
    if not start_may_be_past and start_at <= now:
        problems.append(FieldProblem("start", "Thời gian bắt đầu đã qua.",
                                     "The start time has passed."))
    if end_at <= start_at:
        problems.append(FieldProblem("end", "Thời gian kết thúc phải sau thời gian bắt đầu.",
                                     "The end must be after the start."))
    elif end_at - start_at > MAX_DURATION:
        problems.append(FieldProblem("end", "Cuộc họp dài quá 7 ngày.",
                                     "A meeting lasts at most 7 days."))
    if not nfc(place) and not nfc(online_url):
        problems.append(FieldProblem("place", "Cần địa điểm hoặc đường dẫn họp trực tuyến.",
                                     "A place or an online meeting link is needed."))
    url = nfc(online_url)
    if url and not (url.startswith("https://") or url.startswith("http://")):
        problems.append(FieldProblem("online_url", "Đường dẫn phải bắt đầu bằng https://.",
                                     "The link must start with https://."))
    if participants < 1:
        problems.append(FieldProblem("participants", "Cần ít nhất một người tham dự.",
                                     "At least one participant is needed."))
    if participants > MAX_PARTICIPANTS:
        problems.append(FieldProblem(
            "participants", f"Tối đa {MAX_PARTICIPANTS} người tham dự (không kể chủ trì).",
            f"At most {MAX_PARTICIPANTS} participants (the chair not counted)."))
    InvalidInput.unless_none(problems, "Lịch họp không hợp lệ.", "Invalid meeting schedule.",
                             "invalid_meeting")
    return start_at, end_at


# ---------------------------------------------------------------- answer links


def invite_slug(*, username: str | None = None, email: str | None = None) -> str:
    """The invitation's key inside its meeting: the username for staff, a hash of
    the address for guests (so the key itself carries no address)."""
    if username:
        return f"u-{username}"
    assert email
    return "g-" + hashlib.sha256(email.casefold().encode()).hexdigest()[:24]


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(meeting_id: str, slug: str) -> tuple[str, str]:
    """A link token and the hash to store. The token names its invitation (so the
    link needs no index to find it) and carries 256 random bits; only their hash
    is kept."""
    secret = secrets.token_urlsafe(32)
    return f"{meeting_id}.{slug}.{secret}", token_hash(secret)


def parse_token(token: str) -> tuple[str, str, str] | None:
    """(meeting id, invitation slug, secret), or None for anything malformed.
    Usernames may contain dots; the id and the secret never do."""
    head, dot, secret = (token or "").rpartition(".")
    meeting_id, dot2, slug = head.partition(".")
    if not (dot and dot2 and meeting_id and slug and len(secret) >= 32):
        return None
    return meeting_id, slug, secret


def token_matches(secret: str, stored: Sequence[str] | set[str]) -> bool:
    candidate = token_hash(secret)
    return any(hmac.compare_digest(candidate, h) for h in stored)


# ---------------------------------------------------------------- iCalendar


def uid_of(meeting_id: str) -> str:
    return f"meeting-{meeting_id}@eoffice"


def description(meeting: Meeting) -> str:
    lines = [f"Chủ trì: {nfc(meeting.chair_name)}"]
    if meeting.place:
        lines.append(f"Địa điểm: {nfc(meeting.place)}")
    if meeting.online_url:
        lines.append(f"Họp trực tuyến: {nfc(meeting.online_url)}")
    if meeting.agenda:
        lines += ["", "Chương trình họp:"]
        for i, item in enumerate(meeting.agenda, 1):
            line = f"{i}. {nfc(item.title)}"
            if item.document:
                line += f" (tài liệu: {nfc(item.document)})"
            lines.append(line)
    if meeting.note:
        lines += ["", nfc(meeting.note)]
    return "\n".join(lines)


def build_ics(meeting: Meeting, attendees: Sequence[Attendee], *, method: Method,
              stamp: datetime, sent_by: str | None = None) -> bytes:
    """The VCALENDAR of one invitation or cancellation, UTF-8 bytes.

    ORGANIZER is the chair (the meeting is theirs), sent by the system's own
    address, which is what delivers the mail. ``attendees``: everyone invited for a
    REQUEST; for a CANCEL, those it is sent to (all, or a removed participant).
    """
    from chalicelib.outputs.ics import Address, CalendarEvent, calendar_file

    cancelled = method == Method.CANCEL or meeting.status == MeetingStatus.CANCELLED
    organizer: tuple[tuple[str, str], ...] = (("cn", meeting.chair_name),)
    if sent_by and sent_by.casefold() != meeting.chair_email.casefold():
        organizer += (("sent-by", f"mailto:{sent_by}"),)
    people = [Address(person.email, (
        ("cn", person.name or person.email),
        ("cutype", "INDIVIDUAL"),
        ("role", "CHAIR" if person.role == AttendeeRole.CHAIR else "REQ-PARTICIPANT"),
        ("partstat", person.partstat.value),
        # Everyone but the chair is asked to answer (the chair holds the meeting).
        ("rsvp", "TRUE" if person.role != AttendeeRole.CHAIR and not cancelled else "FALSE"),
    )) for person in attendees]
    return calendar_file(CalendarEvent(
        uid=uid_of(meeting.id), sequence=int(meeting.sequence), stamp=as_instant(stamp),
        start=local(meeting.start), end=local(meeting.end), summary=nfc(meeting.title),
        description=description(meeting), status="CANCELLED" if cancelled else "CONFIRMED",
        organizer=Address(meeting.chair_email, organizer), attendees=people,
        location=nfc(meeting.place) or nfc(meeting.online_url),
        url=nfc(meeting.online_url)), method=method.value, prodid=PRODID)

"""Meetings: scheduling, changes, cancellation, answers, invitations and the
one-hour reminder.

Items (docs/data-model.md):

- the meeting ``MEETING#{id}/MEETING``: in gsi1 ``UNIT#{unit}#meeting`` (the
  scheduler's unit, for its head and the leaders), in gsi2
  ``BY#{scheduler}#meeting`` (what one clerk scheduled), and while a reminder is
  owed in gsi3 ``MEETSTART#{yyyy-mm-ddTHH}`` (UTC hour of the start), which the
  reminder job reads by hour without touching any other meeting;
- one invitation per person ``MEETING#{id}/INVITE#{slug}`` (chair, staff,
  guests), which is also the staff member's list entry (gsi1
  ``U#{username}#meeting``) and carries the answer, the mail owed and its
  outcome, the reminder claim and the hashes of the answer links sent.

Every change is one transaction with its audit entry (chain ``meeting:{id}``).
Mail goes out after the commit through workflow steps: ``meeting.changed``
fans out one ``meeting.mail_due`` per invitation that owes mail, and each is
sent on its own, so one bad address fails alone. An SES refusal is written on
the invitation and not raised: retrying a rejected message would fail the same
way until the queue parks it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo import ConditionFailed, Table, put_op, update_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.audit import trail as audit
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import Mailer
from chalicelib.kernel.subscribers import subscribe
from chalicelib.meetings.rules import (
    ANSWER_PARTSTAT,
    PARTSTAT_LABELS,
    REMINDER_LEAD,
    ROLE_LABELS,
    AgendaItem,
    Answer,
    Attendee,
    AttendeeRole,
    Meeting,
    MeetingStatus,
    Method,
    PartStat,
    build_ics,
    check_schedule,
    format_time,
    format_when,
    invite_slug,
    new_token,
    nfc,
    normalise_email,
    parse_token,
    token_matches,
)

KIND = "meeting"
CHANGED = "meeting.changed"
MAIL_DUE = "meeting.mail_due"
REMINDER_DUE = "meeting.reminder_due"
ACTIVE = "active"
REMOVED = "removed"
# SES answers that a later try may well get through; everything else (a rejected
# message, an unverified sender, a bad address) fails the same way every time.
TRANSIENT_SES_ERRORS = frozenset({
    "Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure",
    "RequestTimeout", "TooManyRequestsException",
})


def chain_of(meeting_id: str) -> str:
    return f"meeting:{meeting_id}"


def _pk(meeting_id: str) -> str:
    return f"MEETING#{meeting_id}"



def reminder_bucket(start: datetime) -> str:
    return f"MEETSTART#{start.astimezone(UTC):%Y-%m-%dT%H}"


# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class Guest:
    email: str
    name: str = ""


@dataclass(frozen=True)
class AgendaIn:
    title: str
    doc_id: str | None = None


@dataclass(frozen=True)
class MeetingInput:
    title: str
    start: datetime
    end: datetime
    place: str = ""
    online_url: str = ""
    chair: str | None = None  # username; the scheduler when None
    participants: list[str] = field(default_factory=list)  # usernames
    guests: list[Guest] = field(default_factory=list)
    agenda: list[AgendaIn] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Invitee:
    slug: str
    role: AttendeeRole
    email: str
    name: str
    username: str | None = None


def _profile(table: Table, username: str) -> dict[str, Any] | None:
    item = table.get(f"USER#{username}", "PROFILE")
    return item if item and item.get("status", "active") == "active" else None


def _resolve_people(caller: Caller, data: MeetingInput, table: Table
                    ) -> tuple[Invitee, list[Invitee]]:
    """The chair and the invitees, from the directory and the guests' addresses.
    Every unknown name or bad address is reported with its field."""
    problems: list[FieldProblem] = []
    chair_name = data.chair or caller.username
    chair_profile = _profile(table, chair_name)
    if chair_profile is None:
        problems.append(FieldProblem("chair", "Không có trong danh bạ cán bộ.",
                                     "Not in the staff directory."))
    invitees: dict[str, Invitee] = {}
    for i, username in enumerate(data.participants):
        if username == chair_name or invite_slug(username=username) in invitees:
            continue  # the chair is invited as chair; a name twice is invited once
        profile = _profile(table, username)
        if profile is None:
            problems.append(FieldProblem(f"participants.{i}", "Không có trong danh bạ cán bộ.",
                                         "Not in the staff directory."))
            continue
        slug = invite_slug(username=username)
        invitees[slug] = Invitee(slug, AttendeeRole.PARTICIPANT, profile.get("email") or "",
                                 profile.get("full_name") or username, username)
    staff_mail = {i.email.casefold() for i in invitees.values() if i.email}
    if chair_profile and chair_profile.get("email"):
        staff_mail.add(str(chair_profile["email"]).casefold())
    for i, guest in enumerate(data.guests):
        address = normalise_email(guest.email)
        if address is None:
            problems.append(FieldProblem(f"guests.{i}.email", "Địa chỉ thư điện tử không hợp lệ.",
                                         "Invalid e-mail address."))
            continue
        if address.casefold() in staff_mail:
            continue  # already invited as a member of staff
        slug = invite_slug(email=address)
        invitees.setdefault(slug, Invitee(slug, AttendeeRole.GUEST, address,
                                          nfc(guest.name) or address))
    if problems:
        raise InvalidInput("Thành phần tham dự không hợp lệ.", "Invalid participants.",
                           "invalid_participants", problems)
    assert chair_profile is not None
    chair = Invitee(invite_slug(username=chair_name), AttendeeRole.CHAIR,
                    chair_profile.get("email") or "", chair_profile.get("full_name") or chair_name,
                    chair_name)
    return chair, list(invitees.values())


def _resolve_agenda(caller: Caller, agenda: list[AgendaIn], table: Table) -> list[dict[str, Any]]:
    """Agenda items; a linked document must be one the scheduler may see, and never
    a secret one: the agenda travels in every invitation e-mail."""
    from chalicelib.incoming.service import load_visible

    out: list[dict[str, Any]] = []
    problems: list[FieldProblem] = []
    for i, item in enumerate(agenda):
        entry: dict[str, Any] = {"title": nfc(item.title), "doc_id": None, "document": ""}
        if item.doc_id:
            try:
                doc = load_visible(caller, item.doc_id, table)
            except NotFound:
                problems.append(FieldProblem(f"agenda.{i}.doc_id", "Không tìm thấy văn bản.",
                                             "No such document."))
                continue
            if doc.get("do_mat"):
                problems.append(FieldProblem(
                    f"agenda.{i}.doc_id", "Văn bản mật không được đưa vào giấy mời họp.",
                    "A secret document cannot travel in a meeting invitation."))
                continue
            label = " — ".join(x for x in (doc.get("so_ky_hieu"), doc.get("trich_yeu")) if x)
            entry.update(doc_id=item.doc_id, document=label)
        out.append(entry)
    if problems:
        raise InvalidInput("Chương trình họp không hợp lệ.", "Invalid agenda.", "invalid_agenda",
                           problems)
    return out


def _day_warnings(start: datetime, end: datetime) -> list[str]:
    """Not a refusal: agencies do meet on days off, but the scheduler should know."""
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.meetings.rules import local

    cal = agency_calendar()
    day, last = local(start).date(), local(end).date()
    out: list[str] = []
    while day <= last and len(out) < 7:
        if not cal.is_working_day(day):
            name = cal.holiday_name(day)
            out.append(f"Ngày {day:%d/%m/%Y} là ngày nghỉ" + (f" ({name})." if name else "."))
        day += timedelta(days=1)
    return out


# ---------------------------------------------------------------- items


def _summary(meeting: dict[str, Any]) -> dict[str, Any]:
    """What a list shows, copied onto every invitation."""
    return {k: meeting.get(k) for k in ("title", "start", "end", "place", "online_url",
                                        "chair", "chair_name", "status", "sequence")}


def _meeting_item(meeting: dict[str, Any]) -> dict[str, Any]:
    item = dict(meeting)
    key = f"{meeting['start']}#{meeting['id']}"
    item.update(gsi1pk=f"UNIT#{meeting['unit']}#{KIND}", gsi1sk=key,
                gsi2pk=f"BY#{meeting['scheduled_by']}#{KIND}", gsi2sk=key)
    for name in ("gsi3pk", "gsi3sk"):
        item.pop(name, None)
    start = instant(meeting["start"])
    if (meeting["status"] == MeetingStatus.SCHEDULED.value
            and meeting.get("reminded_for") != meeting["start"]
            and start - utcnow() > REMINDER_LEAD):
        # Sparse: only meetings still owed a reminder. One starting within the hour
        # gets none: its invitation has only just gone out.
        item.update(gsi3pk=reminder_bucket(start), gsi3sk=key)
    return item


def _list_keys(meeting: dict[str, Any], invitee_username: str | None) -> dict[str, Any]:
    if not invitee_username:
        return {}
    return {"gsi1pk": f"U#{invitee_username}#{KIND}",
            "gsi1sk": f"{meeting['start']}#{meeting['id']}"}


def _new_invitation(meeting: dict[str, Any], who: Invitee, seq: int) -> dict[str, Any]:
    partstat = PartStat.ACCEPTED if who.role == AttendeeRole.CHAIR else PartStat.NEEDS_ACTION
    return {
        "pk": _pk(meeting["id"]), "sk": f"INVITE#{who.slug}", "kind": "meeting_invite",
        "meeting_id": meeting["id"], "slug": who.slug, "role": who.role.value,
        "username": who.username, "email": who.email, "name": who.name,
        "partstat": partstat.value, "state": ACTIVE, **_mail_owed(who, "request", seq),
        **_summary(meeting), **_list_keys(meeting, who.username),
    }


def _mail_owed(who: Invitee | dict[str, Any], kind: str, seq: int) -> dict[str, Any]:
    email = who.email if isinstance(who, Invitee) else who.get("email")
    # Staff without an address still see the meeting in the app; nothing to mail.
    return {"mail_kind": kind, "mail_seq": seq, "mail_status": "pending" if email else
            "no_address", "mail_error": None}


def invitations_of(meeting_id: str, table: Table) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = table.query(_pk(meeting_id), sk_prefix="INVITE#", limit=200, cursor=cursor)
        out.extend(page.items)
        cursor = page.cursor
        if not cursor:
            return out


def _load(meeting_id: str, table: Table) -> dict[str, Any]:
    item = table.get(_pk(meeting_id), "MEETING", consistent=True)
    if item is None or item.get("kind") != KIND:
        raise NotFound()
    return item


def _is_supervisor(caller: Caller, meeting: dict[str, Any]) -> bool:
    """Leaders see every meeting; a head of unit those scheduled from the unit."""
    return Role.LEADER in caller.roles or (
        Role.UNIT_HEAD in caller.roles and bool(caller.unit) and caller.unit == meeting["unit"])


def can_edit_meeting(caller: Caller, meeting: dict[str, Any]) -> bool:
    return caller.username in (meeting["chair"], meeting["scheduled_by"])


def _my_invitation(caller: Caller, meeting_id: str, table: Table) -> dict[str, Any] | None:
    inv = table.get(_pk(meeting_id), f"INVITE#{invite_slug(username=caller.username)}",
                    consistent=True)
    return inv if inv and inv.get("state") == ACTIVE else None


def load_visible(caller: Caller, meeting_id: str, table: Table | None = None
                 ) -> dict[str, Any]:
    """The meeting, or NotFound when it does not exist *or* the caller may not see
    it: its chair, scheduler, invitees, the scheduler's head of unit and leaders."""
    table = table or Table()
    meeting = _load(meeting_id, table)
    if (can_edit_meeting(caller, meeting) or _is_supervisor(caller, meeting)
            or _my_invitation(caller, meeting_id, table) is not None):
        return meeting
    raise NotFound()


def ensure_can_read_trail(caller: Caller, meeting_id: str, table: Table | None = None) -> None:
    """Who may read a meeting's audit trail (chain ``meeting:{id}``): those who run
    it (chair, scheduler) and those who supervise it (the scheduler's head of
    unit, leaders). Anyone else, invitees included: NotFound."""
    table = table or Table()
    meeting = load_visible(caller, meeting_id, table)
    if not (can_edit_meeting(caller, meeting) or _is_supervisor(caller, meeting)):
        raise NotFound()


# ---------------------------------------------------------------- views


def _invitation_view(inv: dict[str, Any], full: bool) -> dict[str, Any]:
    out = {"name": inv.get("name"), "role": inv["role"],
           "role_label": ROLE_LABELS[AttendeeRole(inv["role"])],
           "username": inv.get("username"), "answer": inv["partstat"],
           "answer_label": PARTSTAT_LABELS[PartStat(inv["partstat"])],
           "answered_at": inv.get("answered_at"), "state": inv.get("state", ACTIVE)}
    if full:  # addresses and delivery are for those who run the meeting
        out.update(email=inv.get("email"), mail_status=inv.get("mail_status"),
                   mail_error=inv.get("mail_error"), mailed_at=inv.get("mailed_at"),
                   reminder_status=inv.get("reminder_status"),
                   reminder_error=inv.get("reminder_error"))
    return out


def _view(meeting: dict[str, Any], caller: Caller | None = None,
          invitations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out = {k: meeting.get(k) for k in (
        "id", "title", "start", "end", "place", "online_url", "note", "chair", "chair_name",
        "scheduled_by", "scheduled_by_name", "unit", "status", "sequence", "created_at",
        "updated_at", "cancelled_at", "cancel_reason")}
    out["version"] = int(meeting["version"])
    out["sequence"] = int(meeting["sequence"])
    out["when"] = format_when(instant(meeting["start"]), instant(meeting["end"]))
    out["agenda"] = [{"title": a["title"], "doc_id": a.get("doc_id"),
                      "document": a.get("document", "")} for a in meeting.get("agenda") or []]
    if invitations is not None and caller is not None:
        full = can_edit_meeting(caller, meeting) or _is_supervisor(caller, meeting)
        active = [i for i in invitations if i.get("state") == ACTIVE]
        order = {AttendeeRole.CHAIR.value: 0, AttendeeRole.PARTICIPANT.value: 1,
                 AttendeeRole.GUEST.value: 2}
        active.sort(key=lambda i: (order[i["role"]], i.get("name") or ""))
        out["invitations"] = [_invitation_view(i, full) for i in active]
        mine = next((i for i in active if i.get("username") == caller.username), None)
        out["my_answer"] = mine["partstat"] if mine else None
        out["can_edit"] = can_edit_meeting(caller, meeting)
    return out


def _list_view(item: dict[str, Any]) -> dict[str, Any]:
    out = {"id": item.get("meeting_id") or item.get("id")}
    out.update({k: item.get(k) for k in ("title", "start", "end", "place", "online_url",
                                         "chair", "chair_name", "status")})
    out["when"] = format_when(instant(item["start"]), instant(item["end"]))
    if item.get("kind") == "meeting_invite":
        out.update(role=item["role"], answer=item["partstat"],
                   answer_label=PARTSTAT_LABELS[PartStat(item["partstat"])])
    return out


def view(caller: Caller, meeting_id: str, table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    meeting = load_visible(caller, meeting_id, table)
    return _view(meeting, caller, invitations_of(meeting_id, table))


def list_mine(caller: Caller, *, limit: int = 20, cursor: str | None = None,
              table: Table | None = None) -> dict[str, Any]:
    """Meetings the caller chairs or is invited to, latest start first."""
    from chalicelib.adapters.scoped_lists import list_scoped
    from chalicelib.kernel.access import person_scope

    page = list_scoped(KIND, [person_scope(caller.username)], limit=limit, cursor=cursor,
                       table=table)
    return {"items": [_list_view(i) for i in page.items], "cursor": page.cursor}


def list_scheduled(caller: Caller, *, limit: int = 20, cursor: str | None = None,
                   table: Table | None = None) -> dict[str, Any]:
    """Meetings the caller scheduled, latest start first."""
    page = (table or Table()).query(f"BY#{caller.username}#{KIND}", index="gsi2", limit=limit,
                                    cursor=cursor, forward=False)
    return {"items": [_list_view(i) for i in page.items], "cursor": page.cursor}


def list_unit(caller: Caller, unit: str | None = None, *, limit: int = 20,
              cursor: str | None = None, table: Table | None = None) -> dict[str, Any]:
    """Meetings scheduled from a unit: its head (own unit) and leaders (any)."""
    from chalicelib.adapters.scoped_lists import list_scoped
    from chalicelib.kernel.access import unit_scope

    unit = unit or caller.unit
    if not unit or not _is_supervisor(caller, {"unit": unit}):
        raise Forbidden()
    page = list_scoped(KIND, [unit_scope(unit)], limit=limit, cursor=cursor, table=table)
    return {"items": [_list_view(i) for i in page.items], "cursor": page.cursor}


# ---------------------------------------------------------------- changes


def create(caller: Caller, data: MeetingInput, table: Table | None = None) -> dict[str, Any]:
    """Schedule a meeting; the invitations go out by workflow steps after the commit."""
    import uuid

    table = table or Table()
    now = utcnow()
    start, end = check_schedule(title=data.title, start=data.start, end=data.end,
                                place=data.place, online_url=data.online_url,
                                participants=len(data.participants) + len(data.guests), now=now)
    chair, invitees = _resolve_people(caller, data, table)
    agenda = _resolve_agenda(caller, data.agenda, table)
    meeting_id = uuid.uuid4().hex
    profile = table.get(f"USER#{caller.username}", "PROFILE") or {}
    meeting: dict[str, Any] = {
        "pk": _pk(meeting_id), "sk": "MEETING", "kind": KIND, "id": meeting_id,
        "title": nfc(data.title), "start": iso(start), "end": iso(end),
        "place": nfc(data.place), "online_url": nfc(data.online_url), "note": nfc(data.note),
        "agenda": agenda, "chair": chair.username, "chair_name": chair.name,
        "chair_email": chair.email, "scheduled_by": caller.username,
        "scheduled_by_name": caller.full_name or profile.get("full_name") or caller.username,
        "unit": caller.unit or profile.get("unit") or "", "status": MeetingStatus.SCHEDULED.value,
        "sequence": 0, "version": 1, "created_at": iso(now), "updated_at": iso(now),
    }
    uow = UnitOfWork(table)
    uow.add(put_op(_meeting_item(meeting), condition="attribute_not_exists(pk)"))
    for who in [chair, *invitees]:
        uow.add(put_op(_new_invitation(meeting, who, 0), condition="attribute_not_exists(pk)"))
    audit.append(uow, audit.head_of(chain_of(meeting_id), table), caller, "meeting.create",
                 summary=f"Lên lịch họp: {meeting['title']}"[:200],
                 after=_audit_snapshot(meeting, [chair, *invitees]))
    uow.emit(DomainEvent(CHANGED, chain_of(meeting_id), {"id": meeting_id, "sequence": 0}))
    uow.commit()
    out = _view(meeting)
    out["warnings"] = _day_warnings(start, end)
    return out


def _audit_snapshot(meeting: dict[str, Any], people: Iterable[Invitee]) -> dict[str, Any]:
    return {"title": meeting["title"], "start": meeting["start"], "end": meeting["end"],
            "place": meeting["place"], "online_url": meeting["online_url"],
            "chair": meeting["chair"], "sequence": meeting["sequence"],
            "agenda": [a["title"] for a in meeting.get("agenda") or []],
            "invited": sorted(p.username or p.email for p in people)}


def _editable(caller: Caller, meeting_id: str, version: int, table: Table) -> dict[str, Any]:
    meeting = load_visible(caller, meeting_id, table)
    if not can_edit_meeting(caller, meeting):
        raise Forbidden("Chỉ người chủ trì hoặc người lên lịch được thay đổi cuộc họp.",
                        "Only the chair or the scheduler may change the meeting.")
    if int(meeting["version"]) != version:
        raise Conflict()
    if meeting["status"] == MeetingStatus.CANCELLED.value:
        raise Conflict("Cuộc họp đã bị huỷ.", "The meeting was cancelled.", "meeting_cancelled")
    if instant(meeting["end"]) <= utcnow():
        raise Conflict("Cuộc họp đã kết thúc.", "The meeting is over.", "meeting_over")
    return meeting


def _save_meeting(uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
    version = int(before["version"])
    after.update(version=version + 1, updated_at=iso(utcnow()))
    uow.add(put_op(_meeting_item(after), condition="#v = :v", names={"#v": "version"},
                   values={":v": version}))


def _rewrite_invitation(uow: UnitOfWork, inv: dict[str, Any], meeting: dict[str, Any],
                        changes: dict[str, Any], remove_from_list: bool = False) -> None:
    """Only the named attributes: an answer or a mail outcome written meanwhile
    on the same invitation stays as it is."""
    values = {**_summary(meeting), **changes}
    if not remove_from_list:
        values.update(_list_keys(meeting, inv.get("username")))
    expression, names, bound = _set_or_remove(values)
    if remove_from_list:
        names.update({"#g1": "gsi1pk", "#g2": "gsi1sk"})
        expression += (", " if " REMOVE " in expression else " REMOVE ") + "#g1, #g2"
    uow.add(update_op(inv["pk"], inv["sk"], expression, condition="attribute_exists(pk)",
                      names=names, values=bound))


def _set_or_remove(values: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """An update expression that SETs the values given and REMOVEs those that are
    None (DynamoDB stores no nulls here: an absent attribute is the null)."""
    names = {f"#a{i}": k for i, k in enumerate(values)}
    sets = [f"#a{i} = :a{i}" for i, v in enumerate(values.values()) if v is not None]
    removes = [f"#a{i}" for i, v in enumerate(values.values()) if v is None]
    expression = "SET " + ", ".join(sets)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    bound = {f":a{i}": v for i, v in enumerate(values.values()) if v is not None}
    return expression, names, bound


def update(caller: Caller, meeting_id: str, data: MeetingInput, version: int,
           table: Table | None = None) -> dict[str, Any]:
    """Change a meeting: SEQUENCE moves up by one and everyone invited gets the
    new invitation; someone taken off the list gets a cancellation."""
    from dataclasses import replace

    table = table or Table()
    before = _editable(caller, meeting_id, version, table)
    data = replace(data, chair=data.chair or before["chair"])  # a clerk's edit keeps the chair
    now = utcnow()
    same_start = as_same_instant(data.start, before["start"])
    start, end = check_schedule(title=data.title, start=data.start, end=data.end,
                                place=data.place, online_url=data.online_url,
                                participants=len(data.participants) + len(data.guests), now=now,
                                start_may_be_past=same_start)
    chair, invitees = _resolve_people(caller, data, table)
    agenda = _resolve_agenda(caller, data.agenda, table)
    after = {**before, "title": nfc(data.title), "start": iso(start), "end": iso(end),
             "place": nfc(data.place), "online_url": nfc(data.online_url),
             "note": nfc(data.note), "agenda": agenda, "chair": chair.username,
             "chair_name": chair.name, "chair_email": chair.email}
    existing = {i["slug"]: i for i in invitations_of(meeting_id, table)}
    wanted = {p.slug: p for p in [chair, *invitees]}
    active_before = {s for s, i in existing.items() if i.get("state") == ACTIVE}
    fields = ("title", "start", "end", "place", "online_url", "note", "agenda", "chair")
    if all(before.get(f) == after.get(f) for f in fields) and set(wanted) == active_before and \
            all(existing[s]["role"] == p.role.value for s, p in wanted.items()):
        out = _view(before)
        out["warnings"] = []
        return out  # nothing changed: no new sequence, no mail
    seq = int(before["sequence"]) + 1
    after["sequence"] = seq
    # A new time asks everyone again (RFC 5546 3.2.2: attendees re-confirm).
    time_moved = (before["start"], before["end"]) != (after["start"], after["end"])
    uow = UnitOfWork(table)
    _save_meeting(uow, before, after)
    for slug, who in wanted.items():
        inv = existing.get(slug)
        if inv is None:
            uow.add(put_op(_new_invitation(after, who, seq),
                           condition="attribute_not_exists(pk)"))
            continue
        changes: dict[str, Any] = {"role": who.role.value, "name": who.name, "email": who.email,
                                   "state": ACTIVE, **_mail_owed(who, "request", seq)}
        chair_now = who.role == AttendeeRole.CHAIR
        if chair_now and inv["role"] != AttendeeRole.CHAIR.value:
            changes["partstat"] = PartStat.ACCEPTED.value
        elif time_moved or inv.get("state") != ACTIVE or (
                not chair_now and inv["role"] == AttendeeRole.CHAIR.value):
            changes["partstat"] = (PartStat.ACCEPTED if chair_now
                                   else PartStat.NEEDS_ACTION).value
        _rewrite_invitation(uow, inv, after, changes)
    for slug in active_before - set(wanted):
        inv = existing[slug]
        _rewrite_invitation(uow, inv, after, {"state": REMOVED, **_mail_owed(inv, "cancel", seq)},
                            remove_from_list=True)
    audit.append(uow, audit.head_of(chain_of(meeting_id), table), caller, "meeting.update",
                 summary=f"Thay đổi cuộc họp (lần {seq})",
                 before=_audit_snapshot(before, [_as_invitee(existing[s]) for s in
                                                 sorted(active_before)]),
                 after=_audit_snapshot(after, wanted.values()))
    uow.emit(DomainEvent(CHANGED, chain_of(meeting_id), {"id": meeting_id, "sequence": seq}))
    uow.commit()
    out = _view(after)
    out["warnings"] = _day_warnings(start, end)
    return out


def as_same_instant(value: datetime, stored: str) -> bool:
    from chalicelib.meetings.rules import as_instant

    return iso(as_instant(value)) == stored


def _as_invitee(inv: dict[str, Any]) -> Invitee:
    return Invitee(inv["slug"], AttendeeRole(inv["role"]), inv.get("email") or "",
                   inv.get("name") or "", inv.get("username"))


def cancel(caller: Caller, meeting_id: str, version: int, reason: str = "",
           table: Table | None = None) -> dict[str, Any]:
    """Cancel: everyone invited gets METHOD:CANCEL with the next SEQUENCE."""
    table = table or Table()
    before = _editable(caller, meeting_id, version, table)
    seq = int(before["sequence"]) + 1
    now = iso(utcnow())
    after = {**before, "status": MeetingStatus.CANCELLED.value, "sequence": seq,
             "cancelled_at": now, "cancelled_by": caller.username, "cancel_reason": nfc(reason)}
    uow = UnitOfWork(table)
    _save_meeting(uow, before, after)
    for inv in invitations_of(meeting_id, table):
        if inv.get("state") == ACTIVE:
            # Still in the invitees' lists, shown as cancelled.
            _rewrite_invitation(uow, inv, after, _mail_owed(inv, "cancel", seq))
    audit.append(uow, audit.head_of(chain_of(meeting_id), table), caller, "meeting.cancel",
                 summary=(f"Huỷ cuộc họp: {after['cancel_reason']}" if reason
                          else "Huỷ cuộc họp")[:200],
                 before={"status": before["status"]},
                 after={"status": after["status"], "sequence": seq, "reason": nfc(reason)})
    uow.emit(DomainEvent(CHANGED, chain_of(meeting_id), {"id": meeting_id, "sequence": seq}))
    uow.commit()
    return _view(after)


# ---------------------------------------------------------------- answers


def _record_answer(actor: Caller, meeting: dict[str, Any], inv: dict[str, Any], answer: Answer,
                   table: Table) -> dict[str, Any]:
    if meeting["status"] == MeetingStatus.CANCELLED.value:
        raise Conflict("Cuộc họp đã bị huỷ.", "The meeting was cancelled.", "meeting_cancelled")
    if instant(meeting["end"]) <= utcnow():
        raise Conflict("Cuộc họp đã kết thúc.", "The meeting is over.", "meeting_over")
    partstat = ANSWER_PARTSTAT[answer]
    now = iso(utcnow())
    uow = UnitOfWork(table)
    uow.add(update_op(inv["pk"], inv["sk"], "SET partstat = :p, answered_at = :t",
                      condition="#s = :active", names={"#s": "state"},
                      values={":p": partstat.value, ":t": now, ":active": ACTIVE}))
    label = PARTSTAT_LABELS[partstat]
    audit.append(uow, audit.head_of(chain_of(meeting["id"]), table), actor, "meeting.answer",
                 summary=f"{inv.get('name') or inv.get('email')}: {label}"[:200],
                 before={"answer": inv["partstat"]}, after={"answer": partstat.value})
    uow.emit(DomainEvent("meeting.answered", chain_of(meeting["id"]),
                         {"id": meeting["id"], "slug": inv["slug"], "answer": partstat.value}))
    uow.commit()
    return {"meeting_id": meeting["id"], "answer": partstat.value, "answer_label": label,
            "answered_at": now}


def answer(caller: Caller, meeting_id: str, value: Answer,
           table: Table | None = None) -> dict[str, Any]:
    """A member of staff answers their own invitation."""
    table = table or Table()
    meeting = load_visible(caller, meeting_id, table)
    inv = _my_invitation(caller, meeting_id, table)
    if inv is None:
        err = Forbidden("Bạn không có tên trong danh sách mời họp.",
                        "You are not invited to this meeting.")
        err.code = "not_invited"
        raise err
    return _record_answer(caller, meeting, inv, value, table)


def _by_token(token: str, table: Table) -> tuple[dict[str, Any], dict[str, Any]]:
    """The meeting and invitation a link names. Any failure is NotFound, so a
    link cannot be told apart from a guess; a link stops working when the meeting
    is over."""
    parsed = parse_token(token)
    if parsed is None:
        raise NotFound()
    meeting_id, slug, secret = parsed
    inv = table.get(_pk(meeting_id), f"INVITE#{slug}", consistent=True)
    if (inv is None or inv.get("state") != ACTIVE
            or not token_matches(secret, inv.get("token_hashes") or set())):
        raise NotFound()
    meeting = _load(meeting_id, table)
    if instant(meeting["end"]) <= utcnow():
        raise NotFound("Liên kết đã hết hạn: cuộc họp đã kết thúc.",
                       "The link has expired: the meeting is over.")
    return meeting, inv


def token_view(token: str, table: Table | None = None) -> dict[str, Any]:
    """What the answer page shows for a link."""
    table = table or Table()
    meeting, inv = _by_token(token, table)
    out = _view(meeting)
    out.update(name=inv.get("name"), answer=inv["partstat"],
               answer_label=PARTSTAT_LABELS[PartStat(inv["partstat"])])
    return out


def answer_by_token(token: str, value: Answer, *, source_ip: str = "", user_agent: str = "",
                    table: Table | None = None) -> dict[str, Any]:
    """An answer from the e-mail link (guests, and staff away from the app)."""
    table = table or Table()
    meeting, inv = _by_token(token, table)
    who = inv.get("username") or f"khach:{inv.get('email')}"
    actor = Caller(who, frozenset(), source_ip=source_ip, user_agent=user_agent)
    out = _record_answer(actor, meeting, inv, value, table)
    out["meeting"] = _view(meeting)
    return out


# ---------------------------------------------------------------- the reminder job


def remind_due(now: datetime | None = None, table: Table | None = None) -> dict[str, int]:
    """Claim every meeting that starts within the next hour and is still owed its
    reminder. The claim is a conditional write in the same transaction as its
    audit entry and its event: a second run, or two runs at once, claim nothing
    twice."""
    table = table or Table()
    now = now or utcnow()
    horizon = now + REMINDER_LEAD
    found = claimed = 0
    for bucket in sorted({reminder_bucket(now), reminder_bucket(horizon)}):
        start: dict[str, Any] | None = None
        while True:
            # "~" sorts after "#": a meeting starting exactly at the horizon is in.
            items, start = table.query_range(bucket, index="gsi3", low=iso(now),
                                             below=iso(horizon) + "~", start=start, limit=100)
            for item in items:
                found += 1
                claimed += _claim_reminder(item["id"], table)
            if not start:
                break
    return {"found": found, "claimed": claimed}


def _claim_reminder(meeting_id: str, table: Table) -> int:
    def build(uow: UnitOfWork) -> bool:
        meeting = table.get(_pk(meeting_id), "MEETING", consistent=True)
        if (meeting is None or "gsi3pk" not in meeting
                or meeting["status"] != MeetingStatus.SCHEDULED.value):
            return False  # claimed by another run, moved or cancelled meanwhile
        version = int(meeting["version"])
        uow.add(update_op(
            meeting["pk"], "MEETING",
            "SET reminded_for = :start, #v = :next REMOVE gsi3pk, gsi3sk",
            condition="#v = :v AND gsi3pk = :bucket AND #start = :start",
            names={"#v": "version", "#start": "start"},
            values={":v": version, ":next": version + 1, ":start": meeting["start"],
                    ":bucket": meeting["gsi3pk"]}))
        audit.append(uow, audit.head_of(chain_of(meeting_id), table), None, "meeting.remind",
                     summary="Nhắc lịch họp trước một giờ", after={"start": meeting["start"]})
        uow.emit(DomainEvent(REMINDER_DUE, chain_of(meeting_id),
                             {"id": meeting_id, "start": meeting["start"]}))
        return True

    return 1 if _commit_retrying(table, build) else 0


def _commit_retrying(table: Table, build: Callable[[UnitOfWork], bool], tries: int = 6) -> bool:
    """For writes the system makes on its own (steps, jobs): a lost race on the
    audit chain is retried from a fresh read instead of failing the step, which
    would then be redelivered and send its mail again. ``build`` returns False
    when a fresh read shows there is nothing left to write."""
    from botocore.exceptions import ClientError

    for attempt in range(tries):
        uow = UnitOfWork(table)
        if not build(uow):
            return False
        try:
            uow.commit()
            return True
        except (Conflict, ClientError) as exc:
            # Another transaction on the same items at the same moment cancels ours
            # too (TransactionConflict): as retryable as a lost condition.
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get(
                    "Code") not in ("TransactionCanceledException",
                                    "TransactionConflictException"):
                raise
            if attempt == tries - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    return False


# ---------------------------------------------------------------- workflow steps


def _emit_all(table: Table, events: list[DomainEvent]) -> None:
    for i in range(0, len(events), 100):
        uow = UnitOfWork(table)
        for event in events[i:i + 100]:
            uow.emit(event)
        uow.commit()


@subscribe(CHANGED, name="meeting_dispatch_mail")
def dispatch_mail(event: DomainEvent) -> None:
    """One mail step per invitation that owes mail for this change; one taken
    over by a later change is left to that change's own event."""
    table = Table()
    meeting_id, seq = event.payload["id"], int(event.payload["sequence"])
    owed = [i for i in invitations_of(meeting_id, table)
            if i.get("mail_status") == "pending" and int(i.get("mail_seq", -1)) == seq]
    _emit_all(table, [DomainEvent(MAIL_DUE, chain_of(meeting_id),
                                  {"meeting_id": meeting_id, "slug": i["slug"], "sequence": seq,
                                   "kind": i["mail_kind"]}) for i in owed])


@subscribe(REMINDER_DUE, name="meeting_dispatch_reminders")
def dispatch_reminders(event: DomainEvent) -> None:
    table = Table()
    meeting_id = event.payload["id"]
    invited = [i for i in invitations_of(meeting_id, table)
               if i.get("state") == ACTIVE and i.get("email")]
    _emit_all(table, [DomainEvent(MAIL_DUE, chain_of(meeting_id),
                                  {"meeting_id": meeting_id, "slug": i["slug"],
                                   "kind": "reminder", "start": event.payload["start"]})
                      for i in invited])


@subscribe(MAIL_DUE, name="meeting_send_mail", needs=("mailer",))
def send_mail(event: DomainEvent, mailer: Mailer) -> None:
    table = Table()
    payload = event.payload
    if payload["kind"] == "reminder":
        _send_reminder(table, payload, mailer)
    else:
        _send_invitation(table, payload, mailer)


def _domain_meeting(meeting: dict[str, Any]) -> Meeting:
    return Meeting(
        id=meeting["id"], title=meeting["title"], start=instant(meeting["start"]),
        end=instant(meeting["end"]), chair_name=meeting["chair_name"],
        chair_email=meeting.get("chair_email") or _mail_from(), place=meeting.get("place", ""),
        online_url=meeting.get("online_url", ""), note=meeting.get("note", ""),
        agenda=tuple(AgendaItem(a["title"], a.get("document", ""))
                     for a in meeting.get("agenda") or []),
        sequence=int(meeting["sequence"]), status=MeetingStatus(meeting["status"]))


def _attendee(inv: dict[str, Any]) -> Attendee:
    return Attendee(inv["email"], inv.get("name") or inv["email"], AttendeeRole(inv["role"]),
                    PartStat(inv["partstat"]))


def _mail_from() -> str:
    from chalicelib.kernel.config import get_settings

    return get_settings().mail_from


def _answer_links(token: str) -> dict[str, str]:
    from urllib.parse import urlencode

    from chalicelib.kernel.config import get_settings

    base = f"{get_settings().public_base_url}/api/public/meetings/answer"
    return {a.value: f"{base}?{urlencode({'token': token, 'answer': a.value})}" for a in Answer}


def _context(meeting: dict[str, Any], inv: dict[str, Any]) -> dict[str, Any]:
    return {
        "recipient_name": inv.get("name") or inv.get("email"),
        "title": meeting["title"],
        "when": format_when(instant(meeting["start"]), instant(meeting["end"])),
        "start_time": format_time(instant(meeting["start"])),
        "place": meeting.get("place") or "", "online_url": meeting.get("online_url") or "",
        "chair_name": meeting["chair_name"], "note": meeting.get("note") or "",
        "agenda": [a["title"] + (f" (tài liệu: {a['document']})" if a.get("document") else "")
                   for a in meeting.get("agenda") or []],
        "updated": int(meeting["sequence"]) > 0, "sequence": int(meeting["sequence"]),
        "cancel_reason": meeting.get("cancel_reason") or "",
        "removed": inv.get("state") == REMOVED,
        "answer_label": PARTSTAT_LABELS[PartStat(inv["partstat"])],
        "links": None,
    }


def _deliver(mailer: Mailer, to: str, template: str, context: dict[str, Any],
             attachments: list[tuple[str, str, bytes]]) -> tuple[str, str | None]:
    """Send one mail: ("sent", None), or ("failed", reason) when SES refuses it
    for good. A passing fault (throttling, SES down) is raised so that the queue
    retries it."""
    from botocore.exceptions import ClientError

    from chalicelib.outputs.mail import compose_mail

    try:
        compose_mail(template, context, [to], attachments=attachments).send(mailer)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError")
        if code in TRANSIENT_SES_ERRORS:
            raise
        return "failed", f"{code}: {error.get('Message') or ''}".strip()[:500]
    return "sent", None


def _send_invitation(table: Table, payload: dict[str, Any], mailer: Mailer) -> None:
    meeting_id, slug, seq = payload["meeting_id"], payload["slug"], int(payload["sequence"])
    inv = table.get(_pk(meeting_id), f"INVITE#{slug}", consistent=True)
    if (inv is None or inv.get("mail_status") != "pending"
            or int(inv.get("mail_seq", -1)) != seq):
        return  # already sent, or a later change owes this invitation its own mail
    meeting = _load(meeting_id, table)
    cancel = inv["mail_kind"] == "cancel"
    if not cancel and (int(meeting["sequence"]) != seq
                       or meeting["status"] != MeetingStatus.SCHEDULED.value):
        # A later change rewrote every active invitation with its own mail; a
        # cancellation owed to someone taken off the list is sent whatever came after.
        return
    domain = _domain_meeting(meeting)
    if cancel:
        # To everyone on a cancelled meeting; to the one person taken off the list.
        attendees = [_attendee(inv)]
        method, template, filename = Method.CANCEL, "meeting_cancel", "huy-hop.ics"
    else:
        attendees = [_attendee(i) for i in invitations_of(meeting_id, table)
                     if i.get("state") == ACTIVE and i.get("email")]
        method, template, filename = Method.REQUEST, "meeting_invite", "moi-hop.ics"
    ics = build_ics(domain, attendees, method=method, stamp=utcnow(), sent_by=_mail_from())
    context = _context(meeting, inv)
    token_digest = None
    if not cancel:
        token, token_digest = new_token(meeting_id, slug)
        context["links"] = _answer_links(token)
    status, reason = _deliver(mailer, inv["email"], template, context,
                              [(filename, f"text/calendar; method={method.value}; charset=UTF-8",
                                ics)])
    _record_mail(table, meeting_id, slug, seq, status, reason, token_digest,
                 what="thư huỷ họp" if cancel else "giấy mời họp")


def _record_mail(table: Table, meeting_id: str, slug: str, seq: int, status: str,
                 reason: str | None, token_digest: str | None, what: str) -> None:
    def build(uow: UnitOfWork) -> bool:
        inv = table.get(_pk(meeting_id), f"INVITE#{slug}", consistent=True)
        if inv is None or inv.get("mail_status") != "pending" or int(inv["mail_seq"]) != seq:
            return False
        expression = "SET mail_status = :s, mailed_at = :t"
        values: dict[str, Any] = {":s": status, ":t": iso(utcnow()), ":seq": seq,
                                  ":pending": "pending"}
        if reason:
            expression += ", mail_error = :e"
            values[":e"] = reason
        if token_digest:
            # A string set: every link sent stays valid until the meeting is over.
            expression += " ADD token_hashes :h"
            values[":h"] = {token_digest}
        uow.add(update_op(inv["pk"], inv["sk"], expression,
                          condition="mail_seq = :seq AND mail_status = :pending", values=values))
        whom = inv.get("email")
        summary = (f"Đã gửi {what} tới {whom}" if status == "sent"
                   else f"Gửi {what} tới {whom} không thành công: {reason}")
        audit.append(uow, audit.head_of(chain_of(meeting_id), table), None,
                     f"meeting.mail_{status}", summary=summary[:200],
                     after={"to": whom, "sequence": seq, "status": status, "reason": reason})
        return True

    _commit_retrying(table, build)


def _send_reminder(table: Table, payload: dict[str, Any], mailer: Mailer) -> None:
    meeting_id, slug, start = payload["meeting_id"], payload["slug"], payload["start"]
    meeting = _load(meeting_id, table)
    if meeting["status"] != MeetingStatus.SCHEDULED.value or meeting["start"] != start:
        return  # cancelled or moved since the job claimed it
    key = (_pk(meeting_id), f"INVITE#{slug}")
    try:
        # The claim comes before the mail: a rerun or a second delivery finds it taken.
        table.update(*key, "SET reminded_for = :start, reminder_status = :sending",
                     condition="#s = :active AND (attribute_not_exists(reminded_for) "
                               "OR reminded_for <> :start)",
                     names={"#s": "state"},
                     values={":start": start, ":sending": "sending", ":active": ACTIVE})
    except ConditionFailed:
        return
    inv = table.get(*key, consistent=True)
    assert inv is not None
    token, token_digest = new_token(meeting_id, slug)
    context = _context(meeting, inv)
    context["links"] = _answer_links(token)
    status, reason = _deliver(mailer, inv["email"], "meeting_reminder", context, [])

    def build(uow: UnitOfWork) -> bool:
        current = table.get(*key, consistent=True)
        if current is None or current.get("reminded_for") != start:
            return False  # moved and claimed again for the new time meanwhile
        values: dict[str, Any] = {":s": status, ":h": {token_digest}, ":start": start}
        expression = "SET reminder_status = :s"
        if reason:
            expression += ", reminder_error = :e"
            values[":e"] = reason
        uow.add(update_op(*key, expression + " ADD token_hashes :h",
                          condition="reminded_for = :start", values=values))
        whom = inv.get("email")
        audit.append(uow, audit.head_of(chain_of(meeting_id), table), None,
                     f"meeting.reminder_{status}",
                     summary=(f"Đã nhắc lịch họp tới {whom}" if status == "sent" else
                              f"Nhắc lịch họp tới {whom} không thành công: {reason}")[:200],
                     after={"to": whom, "status": status, "reason": reason})
        return True

    _commit_retrying(table, build)


__all__ = [
    "AgendaIn", "Guest", "MeetingInput", "answer", "answer_by_token", "cancel", "chain_of",
    "create", "ensure_can_read_trail", "list_mine", "list_scheduled", "list_unit",
    "load_visible", "remind_due", "token_view", "update", "view",
]

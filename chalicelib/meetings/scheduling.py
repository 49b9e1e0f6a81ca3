"""Scheduling a meeting, changing it and cancelling it: who is invited (the
directory's staff and guests by address), the agenda, and the invitations each
change rewrites. Every change is one transaction with its audit entry (chain
``meeting:{id}``) and a ``meeting.changed`` event; the mail goes out after the
commit (``meetings.invitation_mail``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller
from chalicelib.kernel.ports import AuditTrail, CalendarSource, Directory
from chalicelib.meetings.rules import (
    ACTIVE,
    CHANGED,
    REMOVED,
    AttendeeRole,
    MeetingStatus,
    PartStat,
    as_instant,
    check_schedule,
    invite_slug,
    local,
    nfc,
    normalise_email,
)
from chalicelib.meetings.store import KIND, MeetingStore, summary_of
from chalicelib.meetings.views import meeting_view
from chalicelib.meetings.visibility import (
    WORK_PARENT,
    answered,
    ask_answer,
    can_edit_meeting,
    chain_of,
    load_visible,
    pending_over,
    ports,
)
from chalicelib.work.pending import Pending
from chalicelib.work.rules import WorkStatus

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


def _directory(table: Table | None, directory: Directory | None) -> Directory:
    if directory is not None:
        return directory
    from chalicelib.organisation.store import Directory as OrgDirectory

    return OrgDirectory(given(table))


def _profile(directory: Directory, username: str) -> dict[str, Any] | None:
    item = directory.user(username)
    return dict(item) if item and item.get("status", "active") == "active" else None


def _resolve_people(caller: Caller, data: MeetingInput, directory: Directory
                    ) -> tuple[Invitee, list[Invitee]]:
    """The chair and the invitees, from the directory and the guests' addresses.
    Every unknown name or bad address is reported with its field."""
    problems: list[FieldProblem] = []
    chair_name = data.chair or caller.username
    chair_profile = _profile(directory, chair_name)
    if chair_profile is None:
        problems.append(FieldProblem("chair", "Không có trong danh bạ cán bộ.",
                                     "Not in the staff directory."))
    invitees: dict[str, Invitee] = {}
    for i, username in enumerate(data.participants):
        if username == chair_name or invite_slug(username=username) in invitees:
            continue  # the chair is invited as chair; a name twice is invited once
        profile = _profile(directory, username)
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
    InvalidInput.unless_none(problems, "Thành phần tham dự không hợp lệ.", "Invalid participants.",
                             "invalid_participants")
    assert chair_profile is not None
    chair = Invitee(invite_slug(username=chair_name), AttendeeRole.CHAIR,
                    chair_profile.get("email") or "", chair_profile.get("full_name") or chair_name,
                    chair_name)
    return chair, list(invitees.values())


def _resolve_agenda(caller: Caller, agenda: list[AgendaIn], table: Table | None
                    ) -> list[dict[str, Any]]:
    """Agenda items; a linked document must be one the scheduler may see, and never
    a secret one: the agenda travels in every invitation e-mail."""
    out: list[dict[str, Any]] = []
    problems: list[FieldProblem] = []
    for i, item in enumerate(agenda):
        entry: dict[str, Any] = {"title": nfc(item.title), "doc_id": None, "document": ""}
        if item.doc_id:
            from chalicelib.incoming.service import load_visible as load_document

            try:
                doc = load_document(caller, item.doc_id, table)
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
    InvalidInput.unless_none(problems, "Chương trình họp không hợp lệ.", "Invalid agenda.",
                             "invalid_agenda")
    return out


def _day_warnings(start: datetime, end: datetime, calendar: CalendarSource | None
                  ) -> list[str]:
    """Not a refusal: agencies do meet on days off, but the scheduler should know."""
    if calendar is None:
        from chalicelib.calendar.service import agency_calendar

        calendar = agency_calendar
    cal = calendar()
    day, last = local(start).date(), local(end).date()
    out: list[str] = []
    while day <= last and len(out) < 7:
        if not cal.is_working_day(day):
            name = cal.holiday_name(day)
            out.append(f"Ngày {day:%d/%m/%Y} là ngày nghỉ" + (f" ({name})." if name else "."))
        day += timedelta(days=1)
    return out


# ---------------------------------------------------------------- invitations


def _mail_owed(who: Invitee | dict[str, Any], kind: str, seq: int) -> dict[str, Any]:
    email = who.email if isinstance(who, Invitee) else who.get("email")
    # Staff without an address still see the meeting in the app; nothing to mail.
    return {"mail_kind": kind, "mail_seq": seq, "mail_status": "pending" if email else
            "no_address", "mail_error": None}


def _new_invitation(meeting: dict[str, Any], who: Invitee, seq: int) -> dict[str, Any]:
    partstat = PartStat.ACCEPTED if who.role == AttendeeRole.CHAIR else PartStat.NEEDS_ACTION
    return {
        "kind": "meeting_invite", "meeting_id": meeting["id"], "slug": who.slug,
        "role": who.role.value, "username": who.username, "email": who.email,
        "name": who.name, "partstat": partstat.value, "state": ACTIVE,
        **_mail_owed(who, "request", seq), **summary_of(meeting),
    }


def _as_invitee(inv: dict[str, Any]) -> Invitee:
    return Invitee(inv["slug"], AttendeeRole(inv["role"]), inv.get("email") or "",
                   inv.get("name") or "", inv.get("username"))


def _audit_snapshot(meeting: dict[str, Any], people: Iterable[Invitee]) -> dict[str, Any]:
    return {"title": meeting["title"], "start": meeting["start"], "end": meeting["end"],
            "place": meeting["place"], "online_url": meeting["online_url"],
            "chair": meeting["chair"], "sequence": meeting["sequence"],
            "agenda": [a["title"] for a in meeting.get("agenda") or []],
            "invited": sorted(p.username or p.email for p in people)}


# ---------------------------------------------------------------- changes


def _asked(who: Invitee) -> bool:
    """Staff invited (not the chair, who accepts by chairing) answer in the app."""
    return bool(who.username) and who.role != AttendeeRole.CHAIR


def create(caller: Caller, data: MeetingInput, table: Table | None = None, *,
           store: MeetingStore | None = None, trail: AuditTrail | None = None,
           directory: Directory | None = None, calendar: CalendarSource | None = None,
           pending: Pending | None = None) -> dict[str, Any]:
    """Schedule a meeting; the invitations go out by workflow steps after the commit,
    and each member of staff invited is asked to answer before it starts."""
    store, trail = ports(table, store, trail)
    pending = pending_over(store, pending)
    directory = _directory(table, directory)
    now = utcnow()
    start, end = check_schedule(title=data.title, start=data.start, end=data.end,
                                place=data.place, online_url=data.online_url,
                                participants=len(data.participants) + len(data.guests), now=now)
    chair, invitees = _resolve_people(caller, data, directory)
    agenda = _resolve_agenda(caller, data.agenda, table)
    meeting_id = uuid.uuid4().hex
    profile = directory.user(caller.username) or {}
    meeting: dict[str, Any] = {
        "kind": KIND, "id": meeting_id,
        "title": nfc(data.title), "start": iso(start), "end": iso(end),
        "place": nfc(data.place), "online_url": nfc(data.online_url), "note": nfc(data.note),
        "agenda": agenda, "chair": chair.username, "chair_name": chair.name,
        "chair_email": chair.email, "scheduled_by": caller.username,
        "scheduled_by_name": caller.full_name or profile.get("full_name") or caller.username,
        "unit": caller.unit or profile.get("unit") or "", "status": MeetingStatus.SCHEDULED.value,
        "sequence": 0, "version": 1, "created_at": iso(now), "updated_at": iso(now),
    }
    uow = store.unit_of_work()
    meeting = store.add(uow, meeting, now)
    for who in [chair, *invitees]:
        store.add_invitation(uow, meeting, _new_invitation(meeting, who, 0))
        if _asked(who):
            ask_answer(pending, uow, meeting, str(who.username), by=caller.username)
    trail.append(uow, trail.head(chain_of(meeting_id)), caller, "meeting.create",
                 summary=f"Lên lịch họp: {meeting['title']}"[:200],
                 after=_audit_snapshot(meeting, [chair, *invitees]))
    uow.emit(DomainEvent(CHANGED, chain_of(meeting_id), {"id": meeting_id, "sequence": 0}))
    uow.commit()
    out = meeting_view(meeting)
    out["warnings"] = _day_warnings(start, end, calendar)
    return out


def _editable(caller: Caller, meeting_id: str, version: int, store: MeetingStore
              ) -> dict[str, Any]:
    meeting = load_visible(caller, meeting_id, store=store)
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


def _save_meeting(store: MeetingStore, uow: UnitOfWork, before: dict[str, Any],
                  after: dict[str, Any]) -> None:
    now = utcnow()
    after.update(version=int(before["version"]) + 1, updated_at=iso(now))
    store.save(uow, before, after, now)


def as_same_instant(value: datetime, stored: str) -> bool:
    return iso(as_instant(value)) == stored


def update(caller: Caller, meeting_id: str, data: MeetingInput, version: int,
           table: Table | None = None, *, store: MeetingStore | None = None,
           trail: AuditTrail | None = None, directory: Directory | None = None,
           calendar: CalendarSource | None = None, pending: Pending | None = None
           ) -> dict[str, Any]:
    """Change a meeting: SEQUENCE moves up by one and everyone invited gets the
    new invitation; someone taken off the list gets a cancellation. Those asked
    to answer again (a new time, a new invitation) get a new pending answer due
    at the new start; those taken off the list or made the chair, none."""
    store, trail = ports(table, store, trail)
    pending = pending_over(store, pending)
    directory = _directory(table, directory)
    before = _editable(caller, meeting_id, version, store)
    data = replace(data, chair=data.chair or before["chair"])  # a clerk's edit keeps the chair
    now = utcnow()
    same_start = as_same_instant(data.start, before["start"])
    start, end = check_schedule(title=data.title, start=data.start, end=data.end,
                                place=data.place, online_url=data.online_url,
                                participants=len(data.participants) + len(data.guests), now=now,
                                start_may_be_past=same_start)
    chair, invitees = _resolve_people(caller, data, directory)
    agenda = _resolve_agenda(caller, data.agenda, table)
    after = {**before, "title": nfc(data.title), "start": iso(start), "end": iso(end),
             "place": nfc(data.place), "online_url": nfc(data.online_url),
             "note": nfc(data.note), "agenda": agenda, "chair": chair.username,
             "chair_name": chair.name, "chair_email": chair.email}
    existing = {i["slug"]: i for i in store.invitations(meeting_id)}
    wanted = {p.slug: p for p in [chair, *invitees]}
    active_before = {s for s, i in existing.items() if i.get("state") == ACTIVE}
    fields = ("title", "start", "end", "place", "online_url", "note", "agenda", "chair")
    if all(before.get(f) == after.get(f) for f in fields) and set(wanted) == active_before and \
            all(existing[s]["role"] == p.role.value for s, p in wanted.items()):
        out = meeting_view(before)
        out["warnings"] = []
        return out  # nothing changed: no new sequence, no mail
    seq = int(before["sequence"]) + 1
    after["sequence"] = seq
    # A new time asks everyone again (RFC 5546 3.2.2: attendees re-confirm).
    time_moved = (before["start"], before["end"]) != (after["start"], after["end"])
    uow = store.unit_of_work()
    _save_meeting(store, uow, before, after)
    for slug, who in wanted.items():
        inv = existing.get(slug)
        if inv is None:
            store.add_invitation(uow, after, _new_invitation(after, who, seq))
            if _asked(who):
                ask_answer(pending, uow, after, str(who.username), by=caller.username)
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
        store.rewrite_invitation(uow, inv, after, changes)
        _answer_again(pending, uow, before, after, inv, who, changes, by=caller.username)
    for slug in active_before - set(wanted):
        inv = existing[slug]
        if inv.get("username"):
            answered(pending, uow, meeting_id, inv["username"], by=caller.username,
                     outcome=WorkStatus.CANCELLED)
        store.rewrite_invitation(uow, inv, after,
                                 {"state": REMOVED, **_mail_owed(inv, "cancel", seq)},
                                 remove_from_list=True)
    trail.append(uow, trail.head(chain_of(meeting_id)), caller, "meeting.update",
                 summary=f"Thay đổi cuộc họp (lần {seq})",
                 before=_audit_snapshot(before, [_as_invitee(existing[s]) for s in
                                                 sorted(active_before)]),
                 after=_audit_snapshot(after, wanted.values()))
    uow.emit(DomainEvent(CHANGED, chain_of(meeting_id), {"id": meeting_id, "sequence": seq}))
    uow.commit()
    out = meeting_view(after)
    out["warnings"] = _day_warnings(start, end, calendar)
    return out


def _answer_again(pending: Pending, uow: UnitOfWork, before: dict[str, Any],
                  after: dict[str, Any], inv: dict[str, Any], who: Invitee,
                  changes: dict[str, Any], *, by: str) -> None:
    """The pending answer of someone still invited, after a change: asked again
    when their answer was reset (a new time, back on the list) or when the start
    moved while they had not answered (the deadline moves with it); none when
    they are now the chair."""
    if not who.username:
        return
    if who.role == AttendeeRole.CHAIR:
        if inv["role"] != AttendeeRole.CHAIR.value:
            answered(pending, uow, after["id"], who.username, by=by,
                     outcome=WorkStatus.CANCELLED)
        return
    reset = changes.get("partstat") == PartStat.NEEDS_ACTION.value
    unanswered = inv.get("partstat") == PartStat.NEEDS_ACTION.value and \
        inv.get("state") == ACTIVE
    if reset or (unanswered and before["start"] != after["start"]):
        ask_answer(pending, uow, after, who.username, by=by)


def cancel(caller: Caller, meeting_id: str, version: int, reason: str = "",
           table: Table | None = None, *, store: MeetingStore | None = None,
           trail: AuditTrail | None = None, pending: Pending | None = None
           ) -> dict[str, Any]:
    """Cancel: everyone invited gets METHOD:CANCEL with the next SEQUENCE; nobody
    must answer any more."""
    store, trail = ports(table, store, trail)
    pending = pending_over(store, pending)
    before = _editable(caller, meeting_id, version, store)
    seq = int(before["sequence"]) + 1
    now = iso(utcnow())
    after = {**before, "status": MeetingStatus.CANCELLED.value, "sequence": seq,
             "cancelled_at": now, "cancelled_by": caller.username, "cancel_reason": nfc(reason)}
    uow = store.unit_of_work()
    _save_meeting(store, uow, before, after)
    for inv in store.invitations(meeting_id):
        if inv.get("state") == ACTIVE:
            # Still in the invitees' lists, shown as cancelled.
            store.rewrite_invitation(uow, inv, after, _mail_owed(inv, "cancel", seq))
    pending.close_all(uow, WORK_PARENT, meeting_id, by=caller.username,
                      outcome=WorkStatus.CANCELLED)
    trail.append(uow, trail.head(chain_of(meeting_id)), caller, "meeting.cancel",
                 summary=(f"Huỷ cuộc họp: {after['cancel_reason']}" if reason
                          else "Huỷ cuộc họp")[:200],
                 before={"status": before["status"]},
                 after={"status": after["status"], "sequence": seq, "reason": nfc(reason)})
    uow.emit(DomainEvent(CHANGED, chain_of(meeting_id), {"id": meeting_id, "sequence": seq}))
    uow.commit()
    return meeting_view(after)

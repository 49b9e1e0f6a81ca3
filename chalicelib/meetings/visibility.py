"""Who sees a meeting, who changes it and who reads its trail; and the
collaborators every meetings use case starts from (its store and the audit
trail, built from the table unless a test hands in fakes)."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.events import instant
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail, UnitOfWork
from chalicelib.meetings.rules import ACTIVE, invite_slug
from chalicelib.meetings.store import MeetingStore
from chalicelib.work import items
from chalicelib.work.pending import Pending
from chalicelib.work.rules import Action, WorkStatus

WORK_PARENT = "MEETING"  # the parent kind of a meeting's pending actions


def chain_of(meeting_id: str) -> str:
    return f"meeting:{meeting_id}"


def ports(table: Table | None, store: MeetingStore | None = None,
          trail: AuditTrail | None = None) -> tuple[MeetingStore, AuditTrail]:
    """The store and the trail a use case was given, or the real ones over ``table``."""
    if store is None or trail is None:
        from chalicelib.audit.trail import Trail

        t = given(table)
        store = store or MeetingStore(t)
        trail = trail or Trail(t)
    return store, trail


def pending_over(store: MeetingStore, pending: Pending | None) -> Pending:
    """The pending actions handed in, or the real ones over the store's table."""
    return pending or Pending.over(store.table)


def page_of(meeting_id: str) -> str:
    """Where an invitation is answered."""
    return f"/app/meeting?id={meeting_id}"


def ask_answer(pending: Pending, uow: UnitOfWork, meeting: dict[str, Any], username: str, *,
               by: str) -> None:
    """A member of staff invited must answer before the meeting starts (asked
    again, with the new start, when the meeting moves). The invitation mail with
    its calendar file is the mail: the inbox's notice stays in the app."""
    pending.open(uow, WORK_PARENT, meeting["id"], Action.ANSWER_INVITATION,
                 items.person(username), subject=meeting["title"], link=page_of(meeting["id"]),
                 by=by, due=instant(meeting["start"]), mail=False)


def answered(pending: Pending, uow: UnitOfWork, meeting_id: str, username: str, *, by: str,
             outcome: WorkStatus = WorkStatus.DONE) -> None:
    """The person's invitation needs no answer any more (answered, taken off the
    list, made the chair)."""
    pending.close(uow, WORK_PARENT, meeting_id, Action.ANSWER_INVITATION, by=by,
                  assignee=items.person(username), outcome=outcome)


def load(store: MeetingStore, meeting_id: str) -> dict[str, Any]:
    meeting = store.get(meeting_id)
    if meeting is None:
        raise NotFound()
    return meeting


def is_supervisor(caller: Caller, meeting: dict[str, Any]) -> bool:
    """Leaders see every meeting; a head of unit those scheduled from the unit."""
    return Role.LEADER in caller.roles or (
        Role.UNIT_HEAD in caller.roles and bool(caller.unit) and caller.unit == meeting["unit"])


def can_edit_meeting(caller: Caller, meeting: dict[str, Any]) -> bool:
    return caller.username in (meeting["chair"], meeting["scheduled_by"])


def my_invitation(caller: Caller, meeting_id: str, store: MeetingStore
                  ) -> dict[str, Any] | None:
    inv = store.invitation(meeting_id, invite_slug(username=caller.username))
    return inv if inv and inv.get("state") == ACTIVE else None


def load_visible(caller: Caller, meeting_id: str, table: Table | None = None, *,
                 store: MeetingStore | None = None) -> dict[str, Any]:
    """The meeting, or NotFound when it does not exist *or* the caller may not see
    it: its chair, scheduler, invitees, the scheduler's head of unit and leaders."""
    store = store or MeetingStore(given(table))
    meeting = load(store, meeting_id)
    if (can_edit_meeting(caller, meeting) or is_supervisor(caller, meeting)
            or my_invitation(caller, meeting_id, store) is not None):
        return meeting
    raise NotFound()


def ensure_can_read_trail(caller: Caller, meeting_id: str, table: Table | None = None, *,
                          store: MeetingStore | None = None) -> None:
    """Who may read a meeting's audit trail (chain ``meeting:{id}``): those who run
    it (chair, scheduler) and those who supervise it (the scheduler's head of
    unit, leaders). Anyone else, invitees included: NotFound."""
    meeting = load_visible(caller, meeting_id, table, store=store)
    if not (can_edit_meeting(caller, meeting) or is_supervisor(caller, meeting)):
        raise NotFound()

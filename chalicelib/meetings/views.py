"""What a meeting looks like to the one reading it, and the lists of meetings:
mine (chaired or invited), those I scheduled, those of my unit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Forbidden
from chalicelib.kernel.events import instant
from chalicelib.kernel.folding import filter_words, matches
from chalicelib.kernel.identity import Caller
from chalicelib.meetings.rules import (
    ACTIVE,
    PARTSTAT_LABELS,
    ROLE_LABELS,
    AttendeeRole,
    PartStat,
    format_when,
)
from chalicelib.meetings.store import MeetingStore
from chalicelib.meetings.visibility import can_edit_meeting, is_supervisor, load_visible


def invitation_view(inv: dict[str, Any], full: bool) -> dict[str, Any]:
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


def meeting_view(meeting: dict[str, Any], caller: Caller | None = None,
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
        full = can_edit_meeting(caller, meeting) or is_supervisor(caller, meeting)
        active = [i for i in invitations if i.get("state") == ACTIVE]
        order = {AttendeeRole.CHAIR.value: 0, AttendeeRole.PARTICIPANT.value: 1,
                 AttendeeRole.GUEST.value: 2}
        active.sort(key=lambda i: (order[i["role"]], i.get("name") or ""))
        out["invitations"] = [invitation_view(i, full) for i in active]
        mine = next((i for i in active if i.get("username") == caller.username), None)
        out["my_answer"] = mine["partstat"] if mine else None
        out["can_edit"] = can_edit_meeting(caller, meeting)
    return out


def list_view(item: dict[str, Any]) -> dict[str, Any]:
    out = {"id": item.get("meeting_id") or item.get("id")}
    out.update({k: item.get(k) for k in ("title", "start", "end", "place", "online_url",
                                         "chair", "chair_name", "status")})
    out["when"] = format_when(instant(item["start"]), instant(item["end"]))
    if item.get("kind") == "meeting_invite":
        out.update(role=item["role"], answer=item["partstat"],
                   answer_label=PARTSTAT_LABELS[PartStat(item["partstat"])])
    return out


def view(caller: Caller, meeting_id: str, table: Table | None = None, *,
         store: MeetingStore | None = None) -> dict[str, Any]:
    store = store or MeetingStore(given(table))
    meeting = load_visible(caller, meeting_id, store=store)
    return meeting_view(meeting, caller, store.invitations(meeting_id))


def _matching(q: str | None) -> Callable[[dict[str, Any]], bool] | None:
    """The filter of a list's ``q``: words of the title, place or chair, diacritics
    ignored."""
    words = filter_words(q)
    if not words:
        return None
    return lambda i: matches(words, i.get("title"), i.get("place"), i.get("chair_name"))


def list_mine(caller: Caller, *, limit: int = 20, cursor: str | None = None,
              q: str | None = None, table: Table | None = None,
              store: MeetingStore | None = None) -> dict[str, Any]:
    """Meetings the caller chairs or is invited to, latest start first."""
    store = store or MeetingStore(given(table))
    page = store.page_of_person(caller.username, cursor, limit, _matching(q))
    return {"items": [list_view(i) for i in page.items], "cursor": page.cursor}


def list_scheduled(caller: Caller, *, limit: int = 20, cursor: str | None = None,
                   q: str | None = None, table: Table | None = None,
                   store: MeetingStore | None = None) -> dict[str, Any]:
    """Meetings the caller scheduled, latest start first."""
    accept = _matching(q)
    store = store or MeetingStore(given(table))
    found: list[dict[str, Any]] = []
    while True:
        # A filtered list reads on until its page is full or the list ends; asking
        # only for as many as are missing keeps the cursor right after the last read.
        page = store.page_scheduled_by(caller.username, cursor, limit - len(found))
        found += [i for i in page.items if accept is None or accept(i)]
        cursor = page.cursor
        if cursor is None or len(found) >= limit:
            break
    return {"items": [list_view(i) for i in found], "cursor": cursor}


def list_unit(caller: Caller, unit: str | None = None, *, limit: int = 20,
              cursor: str | None = None, q: str | None = None,
              table: Table | None = None, store: MeetingStore | None = None
              ) -> dict[str, Any]:
    """Meetings scheduled from a unit: its head (own unit) and leaders (any)."""
    unit = unit or caller.unit
    if not unit or not is_supervisor(caller, {"unit": unit}):
        raise Forbidden()
    store = store or MeetingStore(given(table))
    page = store.page_of_unit(unit, cursor, limit, _matching(q))
    return {"items": [list_view(i) for i in page.items], "cursor": page.cursor}

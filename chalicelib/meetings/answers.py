"""Answers to an invitation: a member of staff in the app, or anyone invited
through the link of their e-mail (a link names one invitation and stops working
when the meeting is over)."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller
from chalicelib.kernel.ports import AuditTrail
from chalicelib.meetings.rules import (
    ACTIVE,
    ANSWER_PARTSTAT,
    PARTSTAT_LABELS,
    Answer,
    MeetingStatus,
    PartStat,
    parse_token,
    token_matches,
)
from chalicelib.meetings.store import MeetingStore
from chalicelib.meetings.views import meeting_view
from chalicelib.meetings.visibility import (
    answered,
    chain_of,
    load,
    load_visible,
    my_invitation,
    pending_over,
    ports,
)
from chalicelib.work.pending import Pending


def _record_answer(actor: Caller, meeting: dict[str, Any], inv: dict[str, Any], answer: Answer,
                   store: MeetingStore, trail: AuditTrail, pending: Pending | None
                   ) -> dict[str, Any]:
    if meeting["status"] == MeetingStatus.CANCELLED.value:
        raise Conflict("Cuộc họp đã bị huỷ.", "The meeting was cancelled.", "meeting_cancelled")
    if instant(meeting["end"]) <= utcnow():
        raise Conflict("Cuộc họp đã kết thúc.", "The meeting is over.", "meeting_over")
    partstat = ANSWER_PARTSTAT[answer]
    now = iso(utcnow())
    uow = store.unit_of_work()
    store.record_answer(uow, inv, partstat.value, now)
    if inv.get("username"):
        # Answered (in the app or by the mailed link): nothing waits for them.
        answered(pending_over(store, pending), uow, meeting["id"], inv["username"],
                 by=actor.username)
    label = PARTSTAT_LABELS[partstat]
    trail.append(uow, trail.head(chain_of(meeting["id"])), actor, "meeting.answer",
                 summary=f"{inv.get('name') or inv.get('email')}: {label}"[:200],
                 before={"answer": inv["partstat"]}, after={"answer": partstat.value})
    uow.emit(DomainEvent("meeting.answered", chain_of(meeting["id"]),
                         {"id": meeting["id"], "slug": inv["slug"], "answer": partstat.value}))
    uow.commit()
    return {"meeting_id": meeting["id"], "answer": partstat.value, "answer_label": label,
            "answered_at": now}


def answer(caller: Caller, meeting_id: str, value: Answer, table: Table | None = None, *,
           store: MeetingStore | None = None, trail: AuditTrail | None = None,
           pending: Pending | None = None) -> dict[str, Any]:
    """A member of staff answers their own invitation."""
    store, trail = ports(table, store, trail)
    meeting = load_visible(caller, meeting_id, store=store)
    inv = my_invitation(caller, meeting_id, store)
    if inv is None:
        raise Forbidden("Bạn không có tên trong danh sách mời họp.",
                        "You are not invited to this meeting.", "not_invited")
    return _record_answer(caller, meeting, inv, value, store, trail, pending)


def _by_token(token: str, store: MeetingStore) -> tuple[dict[str, Any], dict[str, Any]]:
    """The meeting and invitation a link names. Any failure is NotFound, so a
    link cannot be told apart from a guess; a link stops working when the meeting
    is over."""
    parsed = parse_token(token)
    if parsed is None:
        raise NotFound()
    meeting_id, slug, secret = parsed
    inv = store.invitation(meeting_id, slug)
    if (inv is None or inv.get("state") != ACTIVE
            or not token_matches(secret, inv.get("token_hashes") or set())):
        raise NotFound()
    meeting = load(store, meeting_id)
    if instant(meeting["end"]) <= utcnow():
        raise NotFound("Liên kết đã hết hạn: cuộc họp đã kết thúc.",
                       "The link has expired: the meeting is over.")
    return meeting, inv


def token_view(token: str, table: Table | None = None, *, store: MeetingStore | None = None
               ) -> dict[str, Any]:
    """What the answer page shows for a link."""
    meeting, inv = _by_token(token, store or MeetingStore(given(table)))
    out = meeting_view(meeting)
    out.update(name=inv.get("name"), answer=inv["partstat"],
               answer_label=PARTSTAT_LABELS[PartStat(inv["partstat"])])
    return out


def answer_by_token(token: str, value: Answer, *, source_ip: str = "", user_agent: str = "",
                    table: Table | None = None, store: MeetingStore | None = None,
                    trail: AuditTrail | None = None, pending: Pending | None = None
                    ) -> dict[str, Any]:
    """An answer from the e-mail link (guests, and staff away from the app)."""
    store, trail = ports(table, store, trail)
    meeting, inv = _by_token(token, store)
    who = inv.get("username") or f"khach:{inv.get('email')}"
    actor = Caller(who, frozenset(), source_ip=source_ip, user_agent=user_agent)
    out = _record_answer(actor, meeting, inv, value, store, trail, pending)
    out["meeting"] = meeting_view(meeting)
    return out

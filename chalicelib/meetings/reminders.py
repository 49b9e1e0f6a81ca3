"""The reminder an hour before a meeting: the job claims each meeting due (a
conditional write with its audit entry and event, so a second run claims nothing
twice), a step fans it out to everyone invited, and each mail claims its
invitation before it goes. And, once a meeting is over, the answers nobody gave
leave the inboxes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.ports import AuditTrail, Mailer
from chalicelib.kernel.subscribers import subscribe
from chalicelib.meetings.delivery import answer_links, commit_retrying, context, deliver, emit_all
from chalicelib.meetings.rules import (
    ACTIVE,
    MAIL_DUE,
    REMINDER_DUE,
    REMINDER_LEAD,
    MeetingStatus,
    new_token,
)
from chalicelib.meetings.store import MeetingStore
from chalicelib.meetings.visibility import WORK_PARENT, chain_of, load, pending_over, ports
from chalicelib.work.pending import Pending
from chalicelib.work.rules import WorkStatus


def remind_due(now: datetime | None = None, table: Table | None = None) -> dict[str, int]:
    """Claim every meeting that starts within the next hour and is still owed its
    reminder. The claim is a conditional write in the same transaction as its
    audit entry and its event: a second run, or two runs at once, claim nothing
    twice."""
    store, trail = ports(table)
    now = now or utcnow()
    found = claimed = 0
    for item in store.starting_between(now, now + REMINDER_LEAD):
        found += 1
        claimed += _claim_reminder(item["id"], store, trail)
    return {"found": found, "claimed": claimed}


def _claim_reminder(meeting_id: str, store: MeetingStore, trail: AuditTrail) -> int:
    def build(uow: UnitOfWork) -> bool:
        meeting = store.get(meeting_id)
        if (meeting is None or "gsi3pk" not in meeting
                or meeting["status"] != MeetingStatus.SCHEDULED.value):
            return False  # claimed by another run, moved or cancelled meanwhile
        store.claim_reminder(uow, meeting)
        trail.append(uow, trail.head(chain_of(meeting_id)), None, "meeting.remind",
                     summary="Nhắc lịch họp trước một giờ", after={"start": meeting["start"]})
        uow.emit(DomainEvent(REMINDER_DUE, chain_of(meeting_id),
                             {"id": meeting_id, "start": meeting["start"]}))
        return True

    return 1 if commit_retrying(store, build) else 0


@subscribe(REMINDER_DUE, name="meeting_dispatch_reminders", needs=("table",))
def dispatch_reminders(event: DomainEvent, table: Table) -> None:
    store = MeetingStore(table)
    meeting_id = event.payload["id"]
    invited = [i for i in store.invitations(meeting_id)
               if i.get("state") == ACTIVE and i.get("email")]
    emit_all(store, [DomainEvent(MAIL_DUE, chain_of(meeting_id),
                                 {"meeting_id": meeting_id, "slug": i["slug"],
                                  "kind": "reminder", "start": event.payload["start"]})
                     for i in invited])


def send_reminder(table: Table, payload: dict[str, Any], mailer: Mailer) -> None:
    store, trail = ports(table)
    meeting_id, slug, start = payload["meeting_id"], payload["slug"], payload["start"]
    meeting = load(store, meeting_id)
    if meeting["status"] != MeetingStatus.SCHEDULED.value or meeting["start"] != start:
        return  # cancelled or moved since the job claimed it
    if not store.claim_invitation_reminder(meeting_id, slug, start):
        return
    inv = store.invitation(meeting_id, slug)
    assert inv is not None
    token, token_digest = new_token(meeting_id, slug)
    mail = context(meeting, inv)
    mail["links"] = answer_links(token)
    status, reason = deliver(mailer, inv["email"], "meeting_reminder", mail, [])

    def build(uow: UnitOfWork) -> bool:
        current = store.invitation(meeting_id, slug)
        if current is None or current.get("reminded_for") != start:
            return False  # moved and claimed again for the new time meanwhile
        store.record_reminder(uow, current, start, status, reason, token_digest)
        whom = inv.get("email")
        trail.append(uow, trail.head(chain_of(meeting_id)), None,
                     f"meeting.reminder_{status}",
                     summary=(f"Đã nhắc lịch họp tới {whom}" if status == "sent" else
                              f"Nhắc lịch họp tới {whom} không thành công: {reason}")[:200],
                     after={"to": whom, "status": status, "reason": reason})
        return True

    commit_retrying(store, build)


def expire_answers(now: datetime | None = None, table: Table | None = None, *,
                   pending: Pending | None = None) -> dict[str, int]:
    """Invitations nobody answered by the end of their meeting: an answer is no
    longer possible, so the pending answers leave the inboxes (cancelled). Reads
    only the open work already past its deadline, the meetings' among it."""
    store, _trail = ports(table)
    pending = pending_over(store, pending)
    now = now or utcnow()
    over: dict[str, bool] = {}
    closed = 0
    for item in store.open_answers_due_before(iso(now), WORK_PARENT):
        meeting_id = item["doc_id"]
        if meeting_id not in over:
            meeting = store.get(meeting_id)
            over[meeting_id] = meeting is None or instant(meeting["end"]) <= now
            if over[meeting_id]:
                uow = store.unit_of_work()
                closed += len(pending.close_all(uow, WORK_PARENT, meeting_id, by="system",
                                                outcome=WorkStatus.CANCELLED))
                uow.commit()
    return {"meetings": sum(over.values()), "closed": closed}

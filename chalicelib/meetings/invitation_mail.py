"""The invitation mail of a change: ``meeting.changed`` fans out one
``meeting.mail_due`` per invitation that owes mail, and each is sent on its own
(with its iCalendar file and answer links), so one bad address fails alone. An
SES refusal is written on the invitation and not raised: retrying a rejected
message would fail the same way until the queue parks it."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.ports import Mailer
from chalicelib.kernel.subscribers import subscribe
from chalicelib.meetings.delivery import (
    answer_links,
    attendee,
    commit_retrying,
    context,
    deliver,
    domain_meeting,
    emit_all,
    mail_from,
)
from chalicelib.meetings.reminders import send_reminder
from chalicelib.meetings.rules import (
    ACTIVE,
    CHANGED,
    MAIL_DUE,
    MeetingStatus,
    Method,
    build_ics,
    new_token,
)
from chalicelib.meetings.store import MeetingStore
from chalicelib.meetings.visibility import chain_of, load, ports


@subscribe(CHANGED, name="meeting_dispatch_mail", needs=("table",))
def dispatch_mail(event: DomainEvent, table: Table) -> None:
    """One mail step per invitation that owes mail for this change; one taken
    over by a later change is left to that change's own event."""
    store = MeetingStore(table)
    meeting_id, seq = event.payload["id"], int(event.payload["sequence"])
    owed = [i for i in store.invitations(meeting_id)
            if i.get("mail_status") == "pending" and int(i.get("mail_seq", -1)) == seq]
    emit_all(store, [DomainEvent(MAIL_DUE, chain_of(meeting_id),
                                 {"meeting_id": meeting_id, "slug": i["slug"], "sequence": seq,
                                  "kind": i["mail_kind"]}) for i in owed])


@subscribe(MAIL_DUE, name="meeting_send_mail", needs=("mailer", "table"))
def send_mail(event: DomainEvent, mailer: Mailer, table: Table) -> None:
    payload = event.payload
    if payload["kind"] == "reminder":
        send_reminder(table, payload, mailer)
    else:
        send_invitation(table, payload, mailer)


def send_invitation(table: Table, payload: dict[str, Any], mailer: Mailer) -> None:
    store = MeetingStore(table)
    meeting_id, slug, seq = payload["meeting_id"], payload["slug"], int(payload["sequence"])
    inv = store.invitation(meeting_id, slug)
    if (inv is None or inv.get("mail_status") != "pending"
            or int(inv.get("mail_seq", -1)) != seq):
        return  # already sent, or a later change owes this invitation its own mail
    meeting = load(store, meeting_id)
    cancel = inv["mail_kind"] == "cancel"
    if not cancel and (int(meeting["sequence"]) != seq
                       or meeting["status"] != MeetingStatus.SCHEDULED.value):
        # A later change rewrote every active invitation with its own mail; a
        # cancellation owed to someone taken off the list is sent whatever came after.
        return
    domain = domain_meeting(meeting)
    if cancel:
        # To everyone on a cancelled meeting; to the one person taken off the list.
        attendees = [attendee(inv)]
        method, template, filename = Method.CANCEL, "meeting_cancel", "huy-hop.ics"
    else:
        attendees = [attendee(i) for i in store.invitations(meeting_id)
                     if i.get("state") == ACTIVE and i.get("email")]
        method, template, filename = Method.REQUEST, "meeting_invite", "moi-hop.ics"
    ics = build_ics(domain, attendees, method=method, stamp=utcnow(), sent_by=mail_from())
    mail = context(meeting, inv)
    token_digest = None
    if not cancel:
        token, token_digest = new_token(meeting_id, slug)
        mail["links"] = answer_links(token)
    status, reason = deliver(mailer, inv["email"], template, mail,
                             [(filename, f"text/calendar; method={method.value}; charset=UTF-8",
                               ics)])
    _record_mail(table, meeting_id, slug, seq, status, reason, token_digest,
                 what="thư huỷ họp" if cancel else "giấy mời họp")


def _record_mail(table: Table, meeting_id: str, slug: str, seq: int, status: str,
                 reason: str | None, token_digest: str | None, what: str) -> None:
    store, trail = ports(table)

    def build(uow: UnitOfWork) -> bool:
        inv = store.invitation(meeting_id, slug)
        if inv is None or inv.get("mail_status") != "pending" or int(inv["mail_seq"]) != seq:
            return False
        store.record_mail(uow, inv, seq, status, iso(utcnow()), reason, token_digest)
        whom = inv.get("email")
        summary = (f"Đã gửi {what} tới {whom}" if status == "sent"
                   else f"Gửi {what} tới {whom} không thành công: {reason}")
        trail.append(uow, trail.head(chain_of(meeting_id)), None,
                     f"meeting.mail_{status}", summary=summary[:200],
                     after={"to": whom, "sequence": seq, "status": status, "reason": reason})
        return True

    commit_retrying(store, build)

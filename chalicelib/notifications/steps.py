"""Workflow steps of notifications: a pending action opened somewhere, or a
notice another capability asks for, becomes an in-app notice for each person
concerned and, as each prefers, a mail."""

from __future__ import annotations

from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.subscribers import subscribe
from chalicelib.notifications.notices import Event, Notifier, recipients
from chalicelib.notifications.service import NOTICE_REQUESTED
from chalicelib.work.pending import WORK_OPENED


def opened_event(event: DomainEvent) -> Event:
    """What a person reads of a pending action: what to do, on what, by when."""
    p = event.payload
    what = str(p.get("label") or "Việc cần xử lý")
    subject = "" if p.get("secret") else str(p.get("subject") or "")
    return Event(event_id=event.id, occurred_at=event.occurred_at, kind=str(p["action"]),
                 title=f"{what}: {subject}" if subject else what, link=str(p.get("link") or ""),
                 what=what, subject=subject, deadline=p.get("deadline"),
                 mail=p.get("mail", True) is not False)


@subscribe(WORK_OPENED, name="notify_work_opened", needs=("notifier",))
def notify_work_opened(event: DomainEvent, notifier: Notifier) -> None:
    people = recipients(str(event.payload["assignee"]), notifier.people,
                        by=event.payload.get("by"))
    notifier.deliver(opened_event(event), people)


@subscribe(NOTICE_REQUESTED, name="notify_requested", needs=("notifier",))
def notify_requested(event: DomainEvent, notifier: Notifier) -> None:
    p = event.payload
    notifier.deliver(Event(
        event_id=event.id, occurred_at=event.occurred_at, kind=str(p.get("kind") or "other"),
        title=str(p.get("title") or ""), link=str(p.get("link") or ""),
        deadline=p.get("deadline"), mail=p.get("mail", True) is not False,
    ), [str(u) for u in p.get("to") or []])

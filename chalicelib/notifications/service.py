"""E-mail as a workflow step: a change asks for a mail in its transaction, and
the step renders and sends it after the commit, with retries and a DLQ.

A change that should tell people something that is not a pending action of
theirs (an extension decided, a draft returned) emits ``notice_event`` in its
transaction: each person gets an in-app notice and, as they prefer, a mail
(``notifications.steps``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.ports import Mailer
from chalicelib.kernel.subscribers import subscribe

MAIL_REQUESTED = "mail.requested"
NOTICE_REQUESTED = "notice.requested"


def mail_event(subject_id: str, to: Sequence[str], template: str,
               context: dict[str, Any]) -> DomainEvent:
    return DomainEvent(MAIL_REQUESTED, subject_id,
                       {"to": list(to), "template": template, "context": context})


def notice_event(subject_id: str, to: Sequence[str], kind: str, title: str, link: str, *,
                 deadline: str | None = None, mail: bool = True) -> DomainEvent:
    """Tell ``to`` (usernames) of an event: ``kind`` picks the mail preference it
    follows (``returned``, ``decided``, ``overdue``, or ``{capability}.{event}``),
    ``title`` is the Vietnamese line the list shows, ``link`` a page of the app.
    ``mail=False``: the in-app notice only."""
    payload: dict[str, Any] = {"to": list(to), "kind": kind, "title": title, "link": link}
    if deadline:
        payload["deadline"] = deadline
    if not mail:
        payload["mail"] = False
    return DomainEvent(NOTICE_REQUESTED, subject_id, payload)


@subscribe(MAIL_REQUESTED, name="send_mail", needs=("mailer",))
def send_mail(event: DomainEvent, mailer: Mailer) -> None:
    from chalicelib.outputs.mail import compose_mail

    compose_mail(event.payload["template"], event.payload.get("context") or {},
                 event.payload["to"]).send(mailer)

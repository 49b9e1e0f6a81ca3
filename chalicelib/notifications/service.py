"""E-mail as a workflow step: a change asks for a mail in its transaction, and
the step renders and sends it after the commit, with retries and a DLQ."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.ports import Mailer
from chalicelib.kernel.subscribers import subscribe

MAIL_REQUESTED = "mail.requested"


def mail_event(subject_id: str, to: Sequence[str], template: str,
               context: dict[str, Any]) -> DomainEvent:
    return DomainEvent(MAIL_REQUESTED, subject_id,
                       {"to": list(to), "template": template, "context": context})


@subscribe(MAIL_REQUESTED, name="send_mail", needs=("mailer",))
def send_mail(event: DomainEvent, mailer: Mailer) -> None:
    from chalicelib.outputs.mail import compose_mail

    compose_mail(event.payload["template"], event.payload.get("context") or {},
                 event.payload["to"]).send(mailer)

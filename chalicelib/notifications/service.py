"""E-mail as a workflow step: a change asks for a mail in its transaction, and
the step renders and sends it after the commit, with retries and a DLQ."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.subscribers import subscribe

MAIL_REQUESTED = "mail.requested"


def mail_event(subject_id: str, to: Sequence[str], template: str,
               context: dict[str, Any]) -> DomainEvent:
    return DomainEvent(MAIL_REQUESTED, subject_id,
                       {"to": list(to), "template": template, "context": context})


@subscribe(MAIL_REQUESTED, name="send_mail")
def send_mail(event: DomainEvent, mailer: Any = None) -> None:
    from chalicelib.adapters.mailer import SesMailer
    from chalicelib.outputs.templating import render

    template = event.payload["template"]
    context = event.payload.get("context") or {}
    subject = render(f"mail/{template}.subject.txt", **context).strip()
    text = render(f"mail/{template}.txt", **context)
    html = render(f"mail/{template}.html", **context)
    (mailer or SesMailer()).send(to=event.payload["to"], subject=subject, text=text, html=html)

"""What the meetings' mail steps share: the mail's context and links, one
delivery through SES (a refusal for good is written down, a passing fault is
retried by the queue), and the system's own writes, retried from a fresh read
when they lose a race."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.kernel.errors import Conflict
from chalicelib.kernel.events import DomainEvent, instant
from chalicelib.kernel.ports import Mailer
from chalicelib.meetings.rules import (
    PARTSTAT_LABELS,
    REMOVED,
    AgendaItem,
    Answer,
    Attendee,
    AttendeeRole,
    Meeting,
    MeetingStatus,
    PartStat,
    format_time,
    format_when,
)
from chalicelib.meetings.store import MeetingStore

# SES answers that a later try may well get through; everything else (a rejected
# message, an unverified sender, a bad address) fails the same way every time.
TRANSIENT_SES_ERRORS = frozenset({
    "Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure",
    "RequestTimeout", "TooManyRequestsException",
})


def commit_retrying(store: MeetingStore, build: Callable[[UnitOfWork], bool],
                    tries: int = 6) -> bool:
    """For writes the system makes on its own (steps, jobs): a lost race on the
    audit chain is retried from a fresh read instead of failing the step, which
    would then be redelivered and send its mail again. ``build`` returns False
    when a fresh read shows there is nothing left to write."""
    from botocore.exceptions import ClientError

    for attempt in range(tries):
        uow = store.unit_of_work()
        if not build(uow):
            return False
        try:
            uow.commit()
            return True
        except (Conflict, ClientError) as exc:
            # Another transaction on the same items at the same moment cancels ours
            # too (TransactionConflict): as retryable as a lost condition.
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get(
                    "Code") not in ("TransactionCanceledException",
                                    "TransactionConflictException"):
                raise
            if attempt == tries - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    return False


def emit_all(store: MeetingStore, events: list[DomainEvent]) -> None:
    for i in range(0, len(events), 100):
        uow = store.unit_of_work()
        for event in events[i:i + 100]:
            uow.emit(event)
        uow.commit()


def mail_from() -> str:
    from chalicelib.kernel.config import get_settings

    return get_settings().mail_from


def domain_meeting(meeting: dict[str, Any]) -> Meeting:
    return Meeting(
        id=meeting["id"], title=meeting["title"], start=instant(meeting["start"]),
        end=instant(meeting["end"]), chair_name=meeting["chair_name"],
        chair_email=meeting.get("chair_email") or mail_from(), place=meeting.get("place", ""),
        online_url=meeting.get("online_url", ""), note=meeting.get("note", ""),
        agenda=tuple(AgendaItem(a["title"], a.get("document", ""))
                     for a in meeting.get("agenda") or []),
        sequence=int(meeting["sequence"]), status=MeetingStatus(meeting["status"]))


def attendee(inv: dict[str, Any]) -> Attendee:
    return Attendee(inv["email"], inv.get("name") or inv["email"], AttendeeRole(inv["role"]),
                    PartStat(inv["partstat"]))


def answer_links(token: str) -> dict[str, str]:
    from urllib.parse import urlencode

    from chalicelib.kernel.config import get_settings

    base = f"{get_settings().public_base_url}/api/public/meetings/answer"
    return {a.value: f"{base}?{urlencode({'token': token, 'answer': a.value})}" for a in Answer}


def context(meeting: dict[str, Any], inv: dict[str, Any]) -> dict[str, Any]:
    return {
        "recipient_name": inv.get("name") or inv.get("email"),
        "title": meeting["title"],
        "when": format_when(instant(meeting["start"]), instant(meeting["end"])),
        "start_time": format_time(instant(meeting["start"])),
        "place": meeting.get("place") or "", "online_url": meeting.get("online_url") or "",
        "chair_name": meeting["chair_name"], "note": meeting.get("note") or "",
        "agenda": [a["title"] + (f" (tài liệu: {a['document']})" if a.get("document") else "")
                   for a in meeting.get("agenda") or []],
        "updated": int(meeting["sequence"]) > 0, "sequence": int(meeting["sequence"]),
        "cancel_reason": meeting.get("cancel_reason") or "",
        "removed": inv.get("state") == REMOVED,
        "answer_label": PARTSTAT_LABELS[PartStat(inv["partstat"])],
        "links": None,
    }


def deliver(mailer: Mailer, to: str, template: str, context: dict[str, Any],
            attachments: list[tuple[str, str, bytes]]) -> tuple[str, str | None]:
    """Send one mail: ("sent", None), or ("failed", reason) when SES refuses it
    for good. A passing fault (throttling, SES down) is raised so that the queue
    retries it."""
    from botocore.exceptions import ClientError

    from chalicelib.outputs.mail import compose_mail

    try:
        compose_mail(template, context, [to], attachments=attachments).send(mailer)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError")
        if code in TRANSIENT_SES_ERRORS:
            raise
        return "failed", f"{code}: {error.get('Message') or ''}".strip()[:500]
    return "sent", None

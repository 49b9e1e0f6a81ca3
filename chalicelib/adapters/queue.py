"""Domain events onto the workflow queue."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from chalicelib.adapters.aws import client
from chalicelib.kernel.config import get_settings
from chalicelib.kernel.events import DomainEvent


class SqsEventPublisher:
    def __init__(self, queue_url: str | None = None) -> None:
        self.queue_url = queue_url or get_settings().workflow_queue_url

    def publish(self, events: Sequence[DomainEvent]) -> None:
        # One call for up to ten events: the API's budget is one queue send per change.
        for start in range(0, len(events), 10):
            chunk = events[start : start + 10]
            if len(chunk) == 1:
                client("sqs").send_message(QueueUrl=self.queue_url, MessageBody=chunk[0].to_json())
                continue
            out = client("sqs").send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "MessageBody": e.to_json()} for i, e in enumerate(chunk)],
            )
            if out.get("Failed"):
                # The outbox keeps them; the sweeper will send them again.
                raise RuntimeError(f"SQS refused {len(out['Failed'])} events")


def publish_safely(
    events: Sequence[DomainEvent], publisher: SqsEventPublisher | None = None
) -> None:
    """Publish after a commit. A failure here loses nothing: the events sit in the
    outbox and the sweeper sends them again, so the caller's change still stands."""
    if not events:
        return
    held = _held.get()
    if held is not None:
        held.extend(events)
        return
    try:
        (publisher or SqsEventPublisher()).publish(events)
    except Exception:  # noqa: BLE001
        from chalicelib.kernel.logging import logger

        logger.exception("publishing events failed; left to the outbox sweeper")


_held: ContextVar[list[DomainEvent] | None] = ContextVar("held_events", default=None)


@contextmanager
def one_send_for_all() -> Iterator[None]:
    """Events committed inside go out together at the end (ten a SendMessageBatch)
    instead of one send per change: a queue handler's batch of files costs one
    send. Safe: each is in the outbox from its commit, so a process that dies
    before the end leaves them to the sweeper."""
    token = _held.set([])
    try:
        yield
    finally:
        events = _held.get() or []
        _held.reset(token)
        publish_safely(events)

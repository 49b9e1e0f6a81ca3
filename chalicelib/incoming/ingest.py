"""S3 → SQS → here: each object written under incoming/ in the intake bucket.

A batch (up to ten notifications) is taken in two passes so that its files
share their reads and their sends: first every file is read and checked
(``intake.arrive``, nothing written), then one BatchGetItem reads all their
pointers and counters (``intake.SharedReads``), then each file is registered
in its own transaction, in order, and the events of the whole batch go out
in one send at the end. A file whose first pass failed fails alone, when its
turn comes, exactly as before.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from chalice import Blueprint

from chalicelib.kernel.config import resource_name

ingest_bp = Blueprint(__name__)

# Ten is SQS's most for a batch without a batching window; at the function's
# 300 s timeout that leaves 30 s a file, ten times what a 50 MiB file takes.
BATCH_SIZE = 10


@ingest_bp.on_sqs_message(queue=resource_name("ingest"), batch_size=BATCH_SIZE)
def on_intake_notification(event: Any) -> dict[str, Any]:
    return process_ingest_batch(event.to_dict(), getattr(event, "context", None))


def process_ingest_batch(raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.adapters.queue import one_send_for_all
    from chalicelib.handlers.batches import process_sqs_batch

    # The batch's events (every file's registration) go out in one send after
    # the last file, not one per file: the outbox holds each from its commit.
    with one_send_for_all():
        batch = _first_pass(raw_event.get("Records") or [])
        return process_sqs_batch(raw_event, lambda record: _handle_record(record, batch),
                                 context)


# The ingest queue's redrive policy (infra/template.yaml) parks a message after
# this many receives; the last attempt marks its intake record as failed.
MAX_RECEIVES = 5


class _Batch:
    """What the first pass found: each notification's arrival (or the error its
    reading raised, raised again at its turn) and the batch's shared reads."""

    def __init__(self) -> None:
        self.arrivals: dict[tuple[str, str, str], Any] = {}
        self.reads: Any = None


def _notifications(body: dict[str, Any]) -> list[tuple[dict[str, Any], tuple[str, str, str]]]:
    found = []
    for s3_record in body.get("Records", []):
        s3_info = s3_record["s3"]
        where = (s3_info["bucket"]["name"], s3_info["object"]["key"],
                 s3_info["object"].get("sequencer") or s3_info["object"].get("eTag", ""))
        found.append((s3_record, where))
    return found


def _is_packet(key: str) -> bool:
    # Packets from the inter-agency exchange take their own path (docs/exchange.md).
    return urllib.parse.unquote_plus(key).startswith("incoming/edxml/")


def _first_pass(messages: list[dict[str, Any]]) -> _Batch:
    from chalicelib import bootstrap
    from chalicelib.adapters.aws import client
    from chalicelib.incoming.intake import SharedReads, arrive
    from chalicelib.kernel.config import get_settings
    from chalicelib.kernel.logging import logger

    batch = _Batch()
    ocr = bool(get_settings().ocr_queue_url)
    for message in messages:
        try:
            body = json.loads(message.get("body") or "{}")
        except ValueError:
            continue  # the record's turn reports it
        for s3_record, where in _notifications(body):
            if _is_packet(where[1]):
                continue
            try:
                batch.arrivals[where] = arrive(*where, s3=client("s3"), ocr=ocr,
                                               event_time=s3_record.get("eventTime"))
            except Exception as error:  # noqa: BLE001 - raised again at its turn
                batch.arrivals[where] = error
    arrivals = [a for a in batch.arrivals.values() if not isinstance(a, Exception)]
    if arrivals:
        try:
            batch.reads = SharedReads.read(arrivals, bootstrap.table())
        except Exception:  # noqa: BLE001 - each file then reads for itself
            logger.exception("the batch's shared read failed; files read one by one")
    return batch


def _handle_record(record: Any, batch: _Batch) -> None:
    from chalicelib import bootstrap
    from chalicelib.adapters.aws import client
    from chalicelib.incoming.intake import mark_failed, receive_object
    from chalicelib.kernel.config import get_settings

    settings = get_settings()
    queue_url = settings.ocr_queue_url
    ocr_queue = (lambda body: client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)) \
        if queue_url else None
    body = json.loads(record.body)
    if body.get("Event") == "s3:TestEvent":
        return  # S3 sends this once when the notification is configured
    receives = int((record.raw_event.get("attributes") or {}).get("ApproximateReceiveCount", 1))
    table = bootstrap.table()
    for s3_record, where in _notifications(body):
        receive = _packet_receiver() if _is_packet(where[1]) else receive_object
        try:
            extra: dict[str, Any] = {}
            if receive is receive_object:
                arrival = batch.arrivals.get(where)
                if isinstance(arrival, Exception):
                    raise arrival
                extra = {"ocr_queue": ocr_queue, "arrival": arrival,
                         "reads": batch.reads, "table": table}
            receive(*where, s3=client("s3"), documents_bucket=settings.documents_bucket,
                    event_time=s3_record.get("eventTime"), **extra)
        except Exception:
            if receives >= MAX_RECEIVES and receive is receive_object:
                mark_failed(*where, event_time=s3_record.get("eventTime"), table=table)
            raise


def _packet_receiver() -> Any:
    from functools import partial

    from chalicelib import bootstrap
    from chalicelib.exchange.receiving import receive_object as receive_packet

    return partial(receive_packet, table=bootstrap.table())

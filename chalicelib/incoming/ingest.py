"""S3 → SQS → here: each object written under incoming/ in the intake bucket."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from chalice import Blueprint

from chalicelib.kernel.config import resource_name

ingest_bp = Blueprint(__name__)


@ingest_bp.on_sqs_message(queue=resource_name("ingest"), batch_size=5)
def on_intake_notification(event: Any) -> dict[str, Any]:
    return process_ingest_batch(event.to_dict(), getattr(event, "context", None))


def process_ingest_batch(raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.handlers.batches import process_sqs_batch

    return process_sqs_batch(raw_event, _handle_record, context)


# The ingest queue's redrive policy (infra/template.yaml) parks a message after
# this many receives; the last attempt marks its intake record as failed.
MAX_RECEIVES = 5


def _handle_record(record: Any) -> None:
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
    for s3_record in body.get("Records", []):
        s3_info = s3_record["s3"]
        where = (s3_info["bucket"]["name"], s3_info["object"]["key"],
                 s3_info["object"].get("sequencer") or s3_info["object"].get("eTag", ""))
        # Packets from the inter-agency exchange take their own path (docs/exchange.md).
        receive = _packet_receiver() if urllib.parse.unquote_plus(where[1]).startswith(
            "incoming/edxml/") else receive_object
        try:
            extra = {"ocr_queue": ocr_queue} if receive is receive_object else {}
            receive(*where, s3=client("s3"), documents_bucket=settings.documents_bucket,
                    event_time=s3_record.get("eventTime"), **extra)
        except Exception:
            if receives >= MAX_RECEIVES and receive is receive_object:
                mark_failed(*where, event_time=s3_record.get("eventTime"))
            raise


def _packet_receiver() -> Any:
    from chalicelib.exchange.receiving import receive_object as receive_packet

    return receive_packet

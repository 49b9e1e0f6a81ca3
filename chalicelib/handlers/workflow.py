"""Workflow steps: each domain event from the queue goes to its subscribers.

Partial batch failures: a failing record is reported back so that only it is
retried (then parked in the DLQ after maxReceiveCount); the others are done.
Each (event, subscriber) pair runs at most once thanks to Powertools'
idempotency records in the table (conditional write, TTL).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice import Blueprint

from chalicelib.kernel.config import resource_name

workflow_bp = Blueprint(__name__)

IDEMPOTENCY_DAYS = 7
# Where Powertools keeps the steps' claims (the local runtime releases the
# in-progress ones when it restarts: whoever held them died with it).
CLAIMS_PARTITION = "IDEMPOTENCY#step"


@workflow_bp.on_sqs_message(queue=resource_name("workflow"), batch_size=10)
def on_workflow_message(event: Any) -> dict[str, Any]:
    return process_workflow_batch(event.to_dict(), getattr(event, "context", None))


def process_workflow_batch(raw_event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.handlers.batches import process_sqs_batch

    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        # Lets an in-progress claim expire with the invocation that made it.
        _idempotency_config().register_lambda_context(context)
    return process_sqs_batch(raw_event, _handle_record, context)


@cache
def _idempotency_config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(expires_after_seconds=IDEMPOTENCY_DAYS * 86400)


@cache
def _idempotent_step(name: str) -> Any:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        idempotent_function,
    )

    from chalicelib.kernel.config import get_settings

    store = DynamoDBPersistenceLayer(
        table_name=get_settings().table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=CLAIMS_PARTITION,
        expiry_attr="expires_at",
    )

    def run(claim: dict[str, str]) -> dict[str, str]:
        from chalicelib.bootstrap import collaborators
        from chalicelib.kernel.events import DomainEvent
        from chalicelib.kernel.subscribers import subscribers_of

        event = DomainEvent.from_json(claim["event"])
        for sub in subscribers_of(event.type):
            if sub.name == claim["subscriber"]:
                sub.step(event, **collaborators(sub.needs))
        return {"done": claim["event_id"]}

    return idempotent_function(
        run, data_keyword_argument="claim", persistence_store=store, config=_idempotency_config(),
        key_prefix=f"step#{name}",
    )


def _handle_record(record: Any) -> None:
    from chalicelib.adapters.outbox import mark_delivered
    from chalicelib.bootstrap import load_steps, table
    from chalicelib.kernel.events import DomainEvent
    from chalicelib.kernel.logging import logger
    from chalicelib.kernel.subscribers import subscribers_of

    load_steps()
    event = DomainEvent.from_json(record.body)
    logger.append_keys(event_id=event.id, event_type=event.type)
    for sub in subscribers_of(event.type):
        _idempotent_step(sub.name)(
            claim={"event_id": event.id, "subscriber": sub.name, "event": record.body}
        )
    mark_delivered(table(), event.id)
    logger.remove_keys(["event_id", "event_type"])

"""SQS batches the way every queue consumer here takes them: Powertools'
BatchProcessor, so that only failed records go back to the queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def process_sqs_batch(raw_event: dict[str, Any], record_handler: Callable[[Any], None],
                      context: Any = None) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    return process_partial_response(event=raw_event, record_handler=record_handler,
                                    processor=BatchProcessor(event_type=EventType.SQS),
                                    context=context)

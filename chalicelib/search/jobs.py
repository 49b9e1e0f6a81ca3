"""The search index's writer as Lambdas: the consumer of the search FIFO queue
(one message group, so one batch at a time) and the weekly rebuild from the
table. Thin entries: the work is in ``search/writer.py``."""

from __future__ import annotations

import json
from typing import Any

from chalice import Blueprint, Cron

from chalicelib.kernel.config import resource_name

search_writer_bp = Blueprint(__name__)


@search_writer_bp.on_sqs_message(queue=resource_name("search-index.fifo"), batch_size=10)
def on_search_index_message(event: Any) -> dict[str, Any]:
    return process_index_batch(event.to_dict())


def process_index_batch(raw_event: dict[str, Any]) -> dict[str, Any]:
    """The whole batch or nothing: on failure SQS gives it again (FIFO keeps the
    group waiting, so no later update overtakes it)."""
    ids = [json.loads(r["body"])["id"] for r in raw_event.get("Records", [])]
    if ids:
        from chalicelib.bootstrap import table
        from chalicelib.kernel.logging import logger
        from chalicelib.search import writer

        logger.info("search index batch", **writer.apply_ids(ids, table()))
    return {"batchItemFailures": []}


# Sunday 19:00 UTC, 02:00 on Monday in Hanoi: nobody searches. A rebuild heals
# whatever a lost message left behind, and removes the old engine's posting items
# (the migration: nothing to delete after the first run).
@search_writer_bp.schedule(Cron(0, 19, "?", "*", "SUN", "*"), name="rebuild_search_index")
def rebuild_search_index(event: Any) -> dict[str, int]:
    """On Lambda a rebuild that would outlast the run stops in time and invokes
    this function again (asynchronously, the same event) to go on from where it
    got to; elsewhere (the local runtime, tests) it runs in one go."""
    import os

    from chalicelib.bootstrap import s3_pool, table
    from chalicelib.search import writer

    context = getattr(event, "context", None)
    on_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME")) and context is not None
    resuming = writer.rebuild_pending()
    t = table()
    dropped = {"deleted": 0} if resuming else writer.drop_postings(t)
    done = writer.rebuild_index(
        t, s3_pool=s3_pool, time_left=(lambda: context.get_remaining_time_in_millis() / 1000.0)
        if on_lambda else None)
    if done.get("more"):
        continue_rebuild(context.invoked_function_arn, event.to_dict())
    return {**dropped, **done}


def continue_rebuild(function_arn: str, event: dict[str, Any]) -> None:
    from chalicelib.adapters.aws import client

    client("lambda").invoke(FunctionName=function_arn, InvocationType="Event",
                            Payload=json.dumps(event).encode())

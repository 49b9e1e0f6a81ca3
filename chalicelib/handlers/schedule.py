"""Scheduled jobs. Each is a thin entry: the work is in a service."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

schedule_bp = Blueprint(__name__)


@schedule_bp.schedule(Rate(5, unit=Rate.MINUTES), name="sweep_outbox")
def sweep_outbox(event: Any) -> dict[str, int]:
    """Republish events whose delivery was never confirmed (a crash between
    commit and publish, or SQS refusing the send)."""
    from datetime import timedelta

    from chalicelib.adapters.dynamo import Table
    from chalicelib.adapters.outbox import undelivered
    from chalicelib.adapters.queue import SqsEventPublisher

    stuck = undelivered(Table(), older_than=timedelta(minutes=2))
    if stuck:
        SqsEventPublisher().publish(stuck)
    return {"republished": len(stuck)}

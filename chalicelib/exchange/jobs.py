"""The exchange's scheduled entry: fetch the packets the platform holds for us
(``poller.py``). Thin; nothing heavy is imported until it runs."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

exchange_jobs_bp = Blueprint(__name__)


@exchange_jobs_bp.schedule(Rate(2, unit=Rate.MINUTES), name="poll_exchange")
def poll_exchange(event: Any) -> dict[str, int]:
    from chalicelib.exchange.poller import poll_platform

    return poll_platform()

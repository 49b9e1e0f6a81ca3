"""Per-source rate limit for public routes: a fixed-window counter in the table.

One conditional update per request; the window item expires by TTL. API Gateway
throttling protects the stage as a whole; this protects each public route from
one source hammering it (enumeration of lookup codes, password guessing).

Windows are counted on the machine's clock. ``counting_on`` is the seam for a
harness that needs another (the tests start each test a second into a window,
so that a burst of checks never straddles a window's end at whatever hour the
suite runs); nothing else replaces the clock.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from chalicelib.adapters.dynamo import ConditionFailed, Table
from chalicelib.kernel.errors import RateLimited

WallClock = Callable[[], float]
"""Seconds since the epoch, as ``time.time``."""

_clocks: list[WallClock] = [time.time]


@contextmanager
def counting_on(clock: WallClock) -> Iterator[WallClock]:
    """Windows counted on ``clock`` inside the block; the clock before it after."""
    _clocks.append(clock)
    try:
        yield clock
    finally:
        _clocks.remove(clock)


def check_rate(scope: str, source: str, limit: int, seconds: int, *,
               table: Table | None = None, now: float | None = None) -> None:
    now = _clocks[-1]() if now is None else now
    window = int(now // seconds) * seconds
    # The source IP is personal data: keep only a hash of it in the table.
    who = hashlib.sha256(f"{scope}|{source}".encode()).hexdigest()[:32]
    try:
        (table or Table()).update(
            f"RATE#{who}",
            str(window),
            "ADD #n :one SET expires_at = :exp",
            condition="attribute_not_exists(#n) OR #n < :limit",
            names={"#n": "count"},
            values={":one": 1, ":limit": limit, ":exp": window + seconds * 2},
        )
    except ConditionFailed as exc:
        raise RateLimited(max(1, int(window + seconds - now))) from exc

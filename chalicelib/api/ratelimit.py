"""Per-source rate limit for public routes: a fixed-window counter in the table.

One conditional update per request; the window item expires by TTL. API Gateway
throttling protects the stage as a whole; this protects each public route from
one source hammering it (enumeration of lookup codes, password guessing).
"""

from __future__ import annotations

import hashlib
import time

from chalicelib.adapters.dynamo import ConditionFailed, Table
from chalicelib.kernel.errors import RateLimited


def check_rate(scope: str, source: str, limit: int, seconds: int, *,
               table: Table | None = None, now: float | None = None) -> None:
    now = time.time() if now is None else now
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

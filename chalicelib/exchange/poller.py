"""The receiving side in AWS: packets the national platform holds for us are
fetched, on a schedule, into the intake bucket under ``incoming/edxml/``, from
where the S3 notification brings them to the same ingest consumer as scanned
PDFs (``receiving.py``). Only the transport adapter knows how the platform is
reached; this module knows the order that loses nothing:

1. list what waits; 2. fetch it and write it to the intake bucket (skipped when
an earlier run wrote it already); 3. only then acknowledge it, so that the
platform forgets it. A packet that fails at any step stays on the platform and
the next run takes it again; one bad packet never stops the others.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from chalicelib.adapters.exchange_transport import INBOUND_PREFIX, Inbound
from chalicelib.exchange.edxml import MAX_PACKET_BYTES
from chalicelib.kernel.logging import logger

BATCH = 200  # per run; what is left waits for the next one
SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def inbound_key(packet_id: str) -> str:
    """The object key of a platform packet: its id when that is a plain name,
    else a hash of it (an id from outside never shapes a path)."""
    name = packet_id if SAFE_ID.match(packet_id) and packet_id not in (".", "..") else \
        "h-" + hashlib.sha256(packet_id.encode("utf-8")).hexdigest()
    return f"{INBOUND_PREFIX}platform-{name}.xml"


def _exists(s3: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def poll(inbound: Inbound, *, s3: Any, intake_bucket: str, limit: int = BATCH
         ) -> dict[str, int]:
    """One run: how many packets were fetched, already there, and failed."""
    counts = {"fetched": 0, "already": 0, "failed": 0}
    try:
        waiting = inbound.waiting()
    except Exception:  # noqa: BLE001 - the platform down: the next run tries again
        logger.exception("exchange poll: listing failed")
        counts["failed"] = 1
        return counts
    for packet_id in list(dict.fromkeys(waiting))[:limit]:
        key = inbound_key(packet_id)
        try:
            if _exists(s3, intake_bucket, key):
                counts["already"] += 1
            else:
                data = inbound.fetch(packet_id, MAX_PACKET_BYTES)
                # Oversized packets are written too: the consumer keeps them and
                # answers 02 "too large", rather than the platform resending forever.
                s3.put_object(Bucket=intake_bucket, Key=key, Body=data,
                              ContentType="application/xml",
                              Metadata={"exchange-packet-id": hashlib.sha256(
                                  packet_id.encode("utf-8")).hexdigest()})
                counts["fetched"] += 1
            inbound.acknowledge(packet_id)
        except Exception:  # noqa: BLE001 - left on the platform for the next run
            logger.exception("exchange poll: packet failed", extra={"packet": key})
            counts["failed"] += 1
    return counts


def poll_platform() -> dict[str, int]:
    """The scheduled entry's work, over the configured transport (the stand-in
    delivers to the bucket itself, so nothing waits on it: every count is 0)."""
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.exchange_transport import inbound
    from chalicelib.kernel.config import get_settings

    return poll(inbound(), s3=client("s3"), intake_bucket=get_settings().intake_bucket)

"""Domain events: what a committed change tells the rest of the system."""

from __future__ import annotations

import functools
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# The local runtime may run on a pinned clock (``run.py --clock-at``): every
# process of it reads the same offset from the environment, so tests meet the
# office-hours rules at a chosen hour rather than at the hour they happen to run.
CLOCK_OFFSET_ENV = "EOFFICE_CLOCK_OFFSET_S"


@functools.cache
def clock_offset() -> timedelta:
    """How far the application's clock is from the machine's (zero but locally)."""
    return timedelta(seconds=float(os.environ.get(CLOCK_OFFSET_ENV) or 0))


def utcnow() -> datetime:
    return datetime.now(UTC) + clock_offset()


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class DomainEvent:
    type: str
    subject_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: str = field(default_factory=lambda: iso(utcnow()))

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "type": self.type,
                "subject_id": self.subject_id,
                "payload": self.payload,
                "occurred_at": self.occurred_at,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> DomainEvent:
        data = json.loads(text)
        return cls(
            type=data["type"],
            subject_id=data["subject_id"],
            payload=data.get("payload") or {},
            id=data["id"],
            occurred_at=data["occurred_at"],
        )


def instant(value: str | None) -> datetime | None:
    """The stored ISO 8601 text back as an aware datetime (None stays None)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

"""Domain events: what a committed change tells the rest of the system."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


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

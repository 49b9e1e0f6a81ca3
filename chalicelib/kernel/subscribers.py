"""Who reacts to which domain event. Workflow steps register here; the step
runner (handlers/workflow.py) calls each once per event, idempotently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.kernel.events import DomainEvent

Step = Callable[[DomainEvent], None]


@dataclass(frozen=True)
class Subscriber:
    name: str
    event_type: str
    step: Step


_REGISTRY: dict[str, list[Subscriber]] = {}


def subscribe(event_type: str, name: str | None = None) -> Callable[[Step], Step]:
    def register(step: Step) -> Step:
        sub = Subscriber(name or f"{step.__module__}.{step.__name__}", event_type, step)
        existing = _REGISTRY.setdefault(event_type, [])
        if all(s.name != sub.name for s in existing):
            existing.append(sub)
        return step

    return register


def subscribers_of(event_type: str) -> list[Subscriber]:
    return list(_REGISTRY.get(event_type, []))

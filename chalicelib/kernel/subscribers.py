"""Who reacts to which domain event. Workflow steps register here; the step
runner (handlers/workflow.py) calls each once per event, idempotently."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Called with the event, and the collaborators it needs as keyword arguments.
Step = Callable[..., None]


@dataclass(frozen=True)
class Subscriber:
    name: str
    event_type: str
    step: Step
    # Collaborators (a mailer) the step takes as keyword arguments: the runner
    # gets them from the composition root, so that no step builds its own.
    needs: tuple[str, ...] = ()


_REGISTRY: dict[str, list[Subscriber]] = {}


def subscribe(event_type: str, name: str | None = None, *,
              needs: Sequence[str] = ()) -> Callable[[Step], Step]:
    def register(step: Step) -> Step:
        sub = Subscriber(name or f"{step.__module__}.{step.__name__}", event_type, step,
                         tuple(needs))
        existing = _REGISTRY.setdefault(event_type, [])
        if all(s.name != sub.name for s in existing):
            existing.append(sub)
        return step

    return register


def subscribers_of(event_type: str) -> list[Subscriber]:
    return list(_REGISTRY.get(event_type, []))


def all_subscribers() -> list[Subscriber]:
    return [sub for subs in _REGISTRY.values() for sub in subs]

"""Fakes of our own ports (``chalicelib/kernel/ports.py`` and the capabilities'
stores), for unit tests of use cases without AWS. They keep the contracts the
use cases rely on (a save over a stale version is a conflict; nothing is
visible before commit) and record what was written, so a test can assert the
audit entries and events a change produced."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from chalicelib.adapters.scoped_lists import ScopedPage
from chalicelib.kernel.access import item_scopes
from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.errors import Conflict
from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.identity import Caller


class FakeUnitOfWork:
    """Operations are callables run at commit, in order; events are kept."""

    def __init__(self, on_commit: Callable[[list[DomainEvent]], None] | None = None) -> None:
        self.operations: list[Callable[[], None]] = []
        self.events: list[DomainEvent] = []
        self.committed = False
        self._on_commit = on_commit

    def add(self, operation: Any) -> None:
        if not callable(operation):
            raise TypeError("the fakes write through callables, not DynamoDB operations")
        self.operations.append(operation)

    def emit(self, event: DomainEvent) -> None:
        self.events.append(event)

    def commit(self) -> list[DomainEvent]:
        for operation in self.operations:
            operation()
        self.committed = True
        if self._on_commit:
            self._on_commit(self.events)
        committed, self.operations, self.events = self.events, [], []
        return committed


class FakeTrail:
    def __init__(self) -> None:
        self.entries: dict[str, list[dict[str, Any]]] = {}

    def head(self, chain: str) -> ChainHead:
        return ChainHead(chain, len(self.entries.get(chain, [])), "")

    def append(self, uow: FakeUnitOfWork, head: ChainHead, caller: Caller | None, action: str,
               *, summary: str = "", before: Any = None, after: Any = None) -> dict[str, Any]:
        entry = {"seq": head.seq + 1, "actor": caller.username if caller else "system",
                 "action": action, "summary": summary, "before": before, "after": after}

        def write() -> None:
            chain = self.entries.setdefault(head.chain, [])
            if len(chain) != head.seq:
                raise Conflict()
            chain.append(entry)

        uow.add(write)
        return entry

    def actions(self, chain: str) -> list[str]:
        return [e["action"] for e in self.entries.get(chain, [])]


class FakeDirectory:
    def __init__(self, users: dict[str, dict[str, Any]] | None = None,
                 units: Iterable[str] = ()) -> None:
        self.users = users or {}
        self.units = {code: {"code": code} for code in units}

    def user(self, username: str) -> dict[str, Any] | None:
        return self.users.get(username)

    def unit(self, code: str) -> dict[str, Any] | None:
        return self.units.get(code)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class FakeTaskStore:
    """``work.task_store.TaskStore`` in memory."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.work: dict[tuple[str, str], dict[str, Any]] = {}
        self.events: list[DomainEvent] = []

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.events.extend)

    def get(self, task_id: str) -> dict[str, Any] | None:
        task = self.tasks.get(task_id)
        return dict(task) if task else None

    def parts(self, task_id: str) -> list[dict[str, Any]]:
        return [dict(w) for (t, _), w in sorted(self.work.items()) if t == task_id]

    def part(self, task_id: str, assignee: str) -> dict[str, Any] | None:
        work = self.work.get((task_id, assignee))
        return dict(work) if work else None

    def page(self, scopes: Iterable[str], cursor: str | None, limit: int) -> ScopedPage:
        from chalicelib.work.task_store import access_of

        wanted = set(scopes)
        visible = [t for t in self.tasks.values() if item_scopes(access_of(t)) & wanted]
        visible.sort(key=lambda t: t["created_at"], reverse=True)
        return ScopedPage([dict(t) for t in visible[:limit]], None)

    def add(self, uow: FakeUnitOfWork, task: dict[str, Any], parts: list[dict[str, Any]]
            ) -> None:
        def write() -> None:
            if task["id"] in self.tasks:
                raise Conflict()
            self.tasks[task["id"]] = dict(task)
            for part in parts:
                self.work[(task["id"], part["assignee"])] = dict(part)

        uow.add(write)

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        def write() -> None:
            if int(self.tasks[before["id"]]["version"]) != int(before["version"]):
                raise Conflict()
            self.tasks[before["id"]] = dict(after)

        uow.add(write)

    def save_part(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]
                  ) -> None:
        key = (before["doc_id"], before["assignee"])

        def write() -> None:
            if int(self.work[key]["version"]) != int(before["version"]):
                raise Conflict()
            self.work[key] = dict(after)

        uow.add(write)

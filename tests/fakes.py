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


# ---- incoming and search ------------------------------------------------------


class FakeIncomingStore:
    """``incoming.store.IncomingStore`` in memory: documents, the số đến counters,
    the parts and notes under each document, and the unit registers."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.counters: dict[int, int] = {}
        self.work: dict[tuple[str, str], dict[str, Any]] = {}
        self.notes_of: dict[str, list[dict[str, Any]]] = {}
        self.unit_registers: dict[str, set[str]] = {}  # unit -> document ids
        self.events: list[DomainEvent] = []

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.events.extend)

    def get(self, doc_id: str, *, consistent: bool = True) -> dict[str, Any] | None:
        doc = self.docs.get(doc_id)
        return dict(doc) if doc else None

    def counter(self, year: int) -> int | None:
        return self.counters.get(year)

    @staticmethod
    def new_document(fields: dict[str, Any], *, duplicate_key: str | None) -> dict[str, Any]:
        return {"kind": "incoming", **fields, "duplicate_key": duplicate_key}

    def add(self, uow: FakeUnitOfWork, doc: dict[str, Any], *, counter_read: int | None
            ) -> None:
        def write() -> None:
            year = int(doc["year"])
            if self.counters.get(year) != counter_read or doc["id"] in self.docs:
                raise Conflict()
            self.counters[year] = int(doc["so_den"])
            self.docs[doc["id"]] = dict(doc)

        uow.add(write)

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any], *,
             duplicate_key: str | None = None) -> None:
        def write() -> None:
            if int(self.docs[before["id"]].get("version", 1)) != int(before.get("version", 1)):
                raise Conflict()
            self.docs[before["id"]] = dict(after)

        uow.add(write)

    def find_by_hash(self, sha256: str) -> dict[str, Any] | None:
        return next((dict(d) for d in self.docs.values() if d.get("sha256") == sha256), None)

    def find_by_duplicate_key(self, key: str) -> dict[str, Any] | None:
        return next((dict(d) for d in self.docs.values() if d.get("duplicate_key") == key),
                    None)

    def page(self, scopes: Iterable[str], *, cursor: str | None, limit: int,
             since: str | None = None, until: str | None = None,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        from chalicelib.incoming.store import access_of

        wanted = set(scopes)
        visible = [d for d in self.docs.values() if item_scopes(access_of(d)) & wanted
                   and (accept is None or accept(d))]
        visible.sort(key=lambda d: d["arrival_at"], reverse=True)
        return ScopedPage([dict(d) for d in visible[:limit]], None)

    def entries(self, pairs: Iterable[tuple[str, str]]
                ) -> dict[tuple[str, str], dict[str, Any]]:
        from chalicelib.incoming.store import access_of

        return {(d, s): dict(self.docs[d]) for d, s in pairs
                if d in self.docs and s in item_scopes(access_of(self.docs[d]))}

    def register(self, year: int, unit: str | None = None) -> list[dict[str, Any]]:
        ids = self.unit_registers.get(unit, set()) if unit else set(self.docs)
        docs = [dict(self.docs[i]) for i in ids if int(self.docs[i]["year"]) == year]
        return sorted(docs, key=lambda d: int(d["so_den"]))

    def add_unit_register(self, uow: FakeUnitOfWork, doc: dict[str, Any], unit: str) -> None:
        uow.add(lambda: self.unit_registers.setdefault(unit, set()).add(doc["id"]))

    def parts(self, doc_id: str) -> list[dict[str, Any]]:
        return [dict(w) for (d, _), w in sorted(self.work.items()) if d == doc_id]

    def part(self, doc_id: str, assignee: str) -> dict[str, Any] | None:
        work = self.work.get((doc_id, assignee))
        return dict(work) if work else None

    def add_part(self, uow: FakeUnitOfWork, work: dict[str, Any], *, unless_open: bool = False
                 ) -> None:
        key = (work["doc_id"], work["assignee"])

        def write() -> None:
            if unless_open and self.work.get(key, {}).get("status") == "open":
                raise Conflict()
            self.work[key] = dict(work)

        uow.add(write)

    def save_part(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]
                  ) -> None:
        key = (before["doc_id"], before["assignee"])

        def write() -> None:
            if int(self.work[key]["version"]) != int(before["version"]):
                raise Conflict()
            self.work[key] = dict(after)

        uow.add(write)

    def notes(self, doc_id: str) -> list[dict[str, Any]]:
        return [dict(n) for n in self.notes_of.get(doc_id, [])]

    def add_note(self, uow: FakeUnitOfWork, doc_id: str, note: dict[str, Any], suffix: str
                 ) -> dict[str, Any]:
        uow.add(lambda: self.notes_of.setdefault(doc_id, []).append(dict(note)))
        return dict(note)


class FakeIntakeStore:
    """``incoming.intake_store.IntakeStore`` in memory (what the clerk's review
    touches: a record read and saved over its version)."""

    def __init__(self, records: Iterable[dict[str, Any]] = ()) -> None:
        self.records = {r["id"]: dict(r) for r in records}

    def get(self, record_id: str) -> dict[str, Any] | None:
        record = self.records.get(record_id)
        return dict(record) if record else None

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        def write() -> None:
            if int(self.records[before["id"]].get("version", 1)) != int(
                    before.get("version", 1)):
                raise Conflict()
            self.records[before["id"]] = dict(after)

        uow.add(write)


class FakeOrganisation(FakeDirectory):
    """The directory with each unit's people (``organisation.store.Directory``);
    a unit is named by its code."""

    def __init__(self, users: dict[str, dict[str, Any]] | None = None,
                 units: Iterable[str] = ()) -> None:
        super().__init__(users, units)
        for code, unit in self.units.items():
            unit["name"] = code

    def members(self, unit: str) -> list[dict[str, Any]]:
        return [{"username": name, **profile} for name, profile in sorted(self.users.items())
                if profile.get("unit") == unit]


class FakePostingStore:
    """``search.store.PostingStore`` in memory: posting lists read newest first a
    page at a time, as the search merges them."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}  # (doc id, sk) -> posting

    def existing(self, doc_id: str) -> set[str]:
        return {sk for d, sk in self.items if d == doc_id}

    def rewrite(self, doc_id: str, puts: list[dict[str, Any]], stale: set[str]) -> None:
        for item in puts:
            self.items[(doc_id, item["sk"])] = dict(item)
        for sk in stale:
            self.items.pop((doc_id, sk), None)

    def keys(self, partition: str, *, low: str | None, below: str | None,
             start: dict[str, Any] | None, limit: int
             ) -> tuple[list[str], dict[str, Any] | None]:
        keys = sorted({p["gsi1sk"] for p in self.items.values() if p["gsi1pk"] == partition
                       and (low is None or p["gsi1sk"] >= low)
                       and (below is None or p["gsi1sk"] < below)
                       and (start is None or p["gsi1sk"] < start["gsi1sk"])}, reverse=True)
        page = keys[:limit]
        return page, ({"gsi1sk": page[-1]} if len(keys) > limit else None)

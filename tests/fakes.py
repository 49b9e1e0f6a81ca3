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


# ---- outgoing ------------------------------------------------------------------

class FakeOutgoingStore:
    """``outgoing.store.OutgoingStore`` in memory: saves are conditional on the
    version read, a number is taken only from the counter value read."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, list[dict[str, Any]]] = {}
        self.notes: dict[str, list[dict[str, Any]]] = {}
        self.counters: dict[tuple[int, str], int] = {}
        self.chains: dict[str, list[str]] = {}
        self.deliveries: dict[str, dict[str, Any]] = {}
        self.events: list[DomainEvent] = []

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.events.extend)

    def get(self, doc_id: str, *, consistent: bool = True) -> dict[str, Any] | None:
        doc = self.docs.get(doc_id)
        return dict(doc) if doc else None

    def versions_and_notes(self, doc_id: str
                           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return list(self.versions.get(doc_id, [])), list(self.notes.get(doc_id, []))

    def version(self, doc_id: str, number: int) -> dict[str, Any] | None:
        return next((v for v in self.versions.get(doc_id, []) if v["number"] == number), None)

    def page(self, scopes: Iterable[str], cursor: str | None, limit: int,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        from chalicelib.outgoing.store import access_of

        wanted = set(scopes)
        visible = [d for d in self.docs.values() if item_scopes(access_of(d)) & wanted
                   and (accept is None or accept(d))]
        visible.sort(key=lambda d: d["created_at"], reverse=True)
        return ScopedPage([dict(d) for d in visible[:limit]], None)

    def by_code(self, code: str) -> dict[str, Any] | None:
        return next((dict(d) for d in self.docs.values() if d["code"] == code), None)

    def register(self, year: int) -> list[dict[str, Any]]:
        numbered = [d for d in self.docs.values() if d.get("year") == year]
        return sorted(numbered, key=lambda d: (d["series"], d["number"]))

    def counter(self, year: int, series: str) -> int | None:
        return self.counters.get((year, series))

    def review_chains(self) -> dict[str, list[str]]:
        return dict(self.chains)

    def delivery(self, token: str) -> dict[str, Any] | None:
        return self.deliveries.get(token)

    def add(self, uow: FakeUnitOfWork, doc: dict[str, Any]) -> dict[str, Any]:
        def write() -> None:
            if doc["id"] in self.docs:
                raise Conflict()
            self.docs[doc["id"]] = dict(doc)

        uow.add(write)
        return doc

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]
             ) -> dict[str, Any]:
        after = {**after, "version": int(before["version"]) + 1}

        def write() -> None:
            if int(self.docs[before["id"]]["version"]) != int(before["version"]):
                raise Conflict()
            self.docs[before["id"]] = dict(after)

        uow.add(write)
        return after

    def save_numbered(self, uow: FakeUnitOfWork, before: dict[str, Any],
                      after: dict[str, Any], *, counter: int | None) -> dict[str, Any]:
        key = (int(after["year"]), str(after["series"]))

        def take() -> None:
            if self.counters.get(key) != counter:
                raise Conflict()
            self.counters[key] = int(after["number"])

        uow.add(take)
        return self.save(uow, before, after)

    def add_version(self, uow: FakeUnitOfWork, doc_id: str, version: dict[str, Any]) -> None:
        uow.add(lambda: self.versions.setdefault(doc_id, []).append(dict(version)))

    def add_note(self, uow: FakeUnitOfWork | None, doc_id: str, note: dict[str, Any]) -> None:
        def write() -> None:
            self.notes.setdefault(doc_id, []).append(dict(note))

        if uow is None:
            write()
        else:
            uow.add(write)

    def save_review_chains(self, uow: FakeUnitOfWork, chains: dict[str, list[str]]) -> None:
        uow.add(lambda: setattr(self, "chains", dict(chains)))

    def add_delivery(self, token: str, **link: Any) -> None:
        self.deliveries[token] = dict(link)

    def note_delivered_incoming(self, doc_id: str, incoming_ids: list[str]) -> None:
        doc = self.docs[doc_id]
        doc.update(delivered_incoming=list(incoming_ids), version=int(doc["version"]) + 1)

    def link(self, doc_id: str, **fields: Any) -> None:
        doc = self.docs[doc_id]
        doc.update(fields, version=int(doc["version"]) + 1)


class FakeNeighbours:
    """``outgoing.neighbours.Neighbours``: people (``username`` → profile with
    roles, unit, status, email, full_name), units, delegations, the agency."""

    AGENCY = {"name": "SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "parent": "UBND TỈNH", "code": "SKHĐT",
              "place": "Hà Nội", "head_title": "Giám đốc"}

    def __init__(self, users: dict[str, dict[str, Any]] | None = None,
                 units: Iterable[str] = (), office: str | None = None,
                 delegations: list[dict[str, Any]] | None = None,
                 incoming_seen: dict[str, set[str]] | None = None) -> None:
        self.users_by_name = {name: {"username": name, "status": "active", "roles": [],
                                     "full_name": name, **profile}
                              for name, profile in (users or {}).items()}
        self.units = set(units)
        self.office = office
        self.delegations = delegations or []
        self.incoming_seen = incoming_seen or {}

    def user(self, username: str) -> dict[str, Any] | None:
        return self.users_by_name.get(username)

    def unit(self, code: str) -> dict[str, Any] | None:
        return {"code": code} if code in self.units else None

    def users(self, unit: str | None = None) -> list[dict[str, Any]]:
        return [u for u in self.users_by_name.values() if unit is None or u.get("unit") == unit]

    def delegation(self, delegate: str, day: Any) -> dict[str, Any] | None:
        return next((d for d in self.delegations if d["delegate"] == delegate
                     and d["start"] <= day.isoformat() <= d["end"]), None)

    def office_unit(self) -> str | None:
        return self.office

    def agency(self) -> dict[str, str]:
        return dict(self.AGENCY)

    def sees_incoming(self, caller: Caller, doc_id: str) -> bool:
        return caller.username in self.incoming_seen.get(doc_id, set())

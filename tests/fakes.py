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


# ---- complaints ---------------------------------------------------------------


class FakeCaseStore:
    """``complaints.store.CaseStore`` in memory: cases, filers, notes, work and the
    dashboard counters."""

    def __init__(self) -> None:
        self.cases: dict[str, dict[str, Any]] = {}
        self.people: dict[str, dict[str, Any]] = {}
        self.case_notes: dict[str, list[dict[str, Any]]] = {}
        self.work_items: dict[tuple[str, str], dict[str, Any]] = {}
        self.counted: dict[str, dict[str, int]] = {}
        self.events: list[DomainEvent] = []

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.events.extend)

    def get(self, case_id: str) -> dict[str, Any] | None:
        case = self.cases.get(case_id)
        return dict(case) if case else None

    def by_code(self, code: str) -> dict[str, Any] | None:
        return next((dict(c) for c in self.cases.values() if c["code"] == code), None)

    def person(self, case_id: str) -> dict[str, Any] | None:
        person = self.people.get(case_id)
        return dict(person) if person else None

    def notes(self, case_id: str) -> list[dict[str, Any]]:
        return [dict(n) for n in self.case_notes.get(case_id, [])]

    def work(self, case_id: str) -> list[dict[str, Any]]:
        return [dict(w) for (c, _), w in sorted(self.work_items.items()) if c == case_id]

    def work_of(self, case_id: str, assignee: str) -> dict[str, Any] | None:
        work = self.work_items.get((case_id, assignee))
        return dict(work) if work else None

    def counters(self, kind: str) -> dict[str, Any]:
        return dict(self.counted.get(kind, {}))

    def page(self, scopes: Iterable[str], cursor: str | None, limit: int,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        from chalicelib.complaints.store import access_of

        wanted = set(scopes)
        visible = [c for c in self.cases.values() if item_scopes(access_of(c)) & wanted
                   and (accept is None or accept(c))]
        visible.sort(key=lambda c: c["received_at"], reverse=True)
        return ScopedPage([dict(c) for c in visible[:limit]], None)

    def open_work_due_before(self, below: str) -> Iterable[dict[str, Any]]:
        due = [w for w in self.work_items.values()
               if w["status"] == "open" and w["deadline"] < below]
        return [dict(w) for w in sorted(due, key=lambda w: w["deadline"])]

    def add(self, uow: FakeUnitOfWork, case: dict[str, Any], person: dict[str, Any],
            work: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
        parts = list(work)

        def write() -> None:
            if case["id"] in self.cases:
                raise Conflict()
            self.cases[case["id"]] = dict(case)
            self.people[case["id"]] = dict(person)
            for part in parts:
                self.work_items[(case["id"], part["assignee"])] = dict(part)

        uow.add(write)
        return dict(case)

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]
             ) -> dict[str, Any]:
        saved = {**after, "version": int(before["version"]) + 1}

        def write() -> None:
            if int(self.cases[before["id"]]["version"]) != int(before["version"]):
                raise Conflict()
            self.cases[before["id"]] = dict(saved)

        uow.add(write)
        return saved

    def add_note(self, uow: FakeUnitOfWork, case_id: str, note: dict[str, Any]) -> None:
        uow.add(lambda: self.case_notes.setdefault(case_id, []).append(dict(note)))

    def put_work(self, uow: FakeUnitOfWork, work: dict[str, Any]) -> None:
        uow.add(lambda: self.work_items.__setitem__((work["doc_id"], work["assignee"]),
                                                    dict(work)))

    def drop_work(self, uow: FakeUnitOfWork, work: dict[str, Any]) -> None:
        uow.add(lambda: self.work_items.pop((work["doc_id"], work["assignee"]), None))

    def count(self, uow: FakeUnitOfWork, kind: str, **deltas: int) -> None:
        def write() -> None:
            counted = self.counted.setdefault(kind, {})
            for name, delta in deltas.items():
                counted[name] = counted.get(name, 0) + delta

        uow.add(write)


# ---- meetings -----------------------------------------------------------------


class FakeMeetingStore:
    """``meetings.store.MeetingStore`` in memory: meetings and their invitations
    (the reminder index and the lists are left to the integration tests)."""

    def __init__(self) -> None:
        self.meetings: dict[str, dict[str, Any]] = {}
        self.invites: dict[tuple[str, str], dict[str, Any]] = {}
        self.events: list[DomainEvent] = []

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.events.extend)

    def get(self, meeting_id: str) -> dict[str, Any] | None:
        meeting = self.meetings.get(meeting_id)
        return dict(meeting) if meeting else None

    def invitation(self, meeting_id: str, slug: str) -> dict[str, Any] | None:
        inv = self.invites.get((meeting_id, slug))
        return dict(inv) if inv else None

    def invitations(self, meeting_id: str) -> list[dict[str, Any]]:
        return [dict(i) for (m, _), i in sorted(self.invites.items()) if m == meeting_id]

    def add(self, uow: FakeUnitOfWork, meeting: dict[str, Any], now: datetime
            ) -> dict[str, Any]:
        def write() -> None:
            if meeting["id"] in self.meetings:
                raise Conflict()
            self.meetings[meeting["id"]] = dict(meeting)

        uow.add(write)
        return dict(meeting)

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any],
             now: datetime) -> None:
        saved = dict(after)

        def write() -> None:
            if int(self.meetings[before["id"]]["version"]) != int(before["version"]):
                raise Conflict()
            self.meetings[before["id"]] = saved

        uow.add(write)

    def add_invitation(self, uow: FakeUnitOfWork, meeting: dict[str, Any],
                       invitation: dict[str, Any]) -> None:
        key = (meeting["id"], invitation["slug"])

        def write() -> None:
            if key in self.invites:
                raise Conflict()
            self.invites[key] = dict(invitation)

        uow.add(write)

    def rewrite_invitation(self, uow: FakeUnitOfWork, inv: dict[str, Any],
                           meeting: dict[str, Any], changes: dict[str, Any],
                           remove_from_list: bool = False) -> None:
        from chalicelib.meetings.store import summary_of

        key = (inv["meeting_id"], inv["slug"])

        def write() -> None:
            current = self.invites[key]
            for name, value in {**summary_of(meeting), **changes}.items():
                if value is None:
                    current.pop(name, None)
                else:
                    current[name] = value

        uow.add(write)

    def record_answer(self, uow: FakeUnitOfWork, inv: dict[str, Any], partstat: str, at: str
                      ) -> None:
        key = (inv["meeting_id"], inv["slug"])

        def write() -> None:
            if self.invites[key].get("state") != "active":
                raise Conflict()
            self.invites[key].update(partstat=partstat, answered_at=at)

        uow.add(write)

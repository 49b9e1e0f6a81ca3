"""Fakes of our own ports (``chalicelib/kernel/ports.py`` and the capabilities'
stores), for unit tests of use cases without AWS. They keep the contracts the
use cases rely on (a save over a stale version is a conflict; nothing is
visible before commit) and record what was written, so a test can assert the
audit entries and events a change produced."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any

from chalicelib.adapters.scoped_lists import ScopedPage
from chalicelib.kernel import ports
from chalicelib.kernel.access import item_scopes
from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.errors import Conflict
from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.identity import Caller


class FakeUnitOfWork(ports.UnitOfWork):
    """Operations are callables run at commit, in order; events are kept."""

    def __init__(self, on_commit: Callable[[list[DomainEvent]], None] | None = None) -> None:
        self.operations: list[Callable[[], None]] = []
        self.events: list[DomainEvent] = []
        self.committed = False
        self._on_commit = on_commit
        self.counted: dict[tuple[str, str], dict[str, int]] = {}

    def add(self, operation: Any) -> None:
        if not callable(operation):
            raise TypeError("the fakes write through callables, not DynamoDB operations")
        self.operations.append(operation)

    def count(self, pk: str, sk: str, **fields: int) -> None:
        """Counters land in ``counted`` at commit (as the real one merges them)."""
        def add() -> None:
            row = self.counted.setdefault((pk, sk), {})
            for name, amount in fields.items():
                row[name] = row.get(name, 0) + amount
        self.operations.append(add)

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


def version_of(row: dict[str, Any]) -> int:
    return int(row["version"])


def version_or_first(row: dict[str, Any]) -> int:
    """For rows written before they carried a version: a missing one is 1."""
    return int(row.get("version", 1))


def insert_new(uow: FakeUnitOfWork, rows: dict[Any, Any], key: Any, row: dict[str, Any]
               ) -> None:
    """At commit, put ``row`` under ``key`` unless something is there already."""

    def write() -> None:
        if key in rows:
            raise Conflict()
        rows[key] = dict(row)

    uow.add(write)


def write_over(uow: FakeUnitOfWork, rows: dict[Any, Any], key: Any, before: dict[str, Any],
               after: dict[str, Any], *, version: Callable[[dict[str, Any]], int] = version_of
               ) -> None:
    """At commit, replace the row under ``key`` by ``after`` if it is still at the
    version ``before`` was read at, else a conflict."""

    def write() -> None:
        if version(rows[key]) != version(before):
            raise Conflict()
        rows[key] = dict(after)

    uow.add(write)


def append_at(uow: FakeUnitOfWork, chains: dict[str, list[Any]], head: ChainHead,
              entry: dict[str, Any], *, copy: bool = False) -> None:
    """At commit, add ``entry`` (a copy of it as it is then, with ``copy``) to its
    chain if the chain is still at the head read."""

    def write() -> None:
        chain = chains.setdefault(head.chain, [])
        if len(chain) != head.seq:
            raise Conflict()
        chain.append(dict(entry) if copy else entry)

    uow.add(write)


def copy_of(rows: dict[Any, dict[str, Any]], key: Any) -> dict[str, Any] | None:
    """A copy of the row under ``key``, as a store reads it afresh; None if none."""
    row = rows.get(key)
    return dict(row) if row else None


def scoped_page(rows: Iterable[dict[str, Any]], access_of: Callable[[dict[str, Any]], Any],
                scopes: Iterable[str], limit: int, *, newest: str,
                accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
    """The first page of the rows the scopes may see (and ``accept`` keeps),
    newest by the field ``newest`` first."""
    wanted = set(scopes)
    visible = [r for r in rows if item_scopes(access_of(r)) & wanted
               and (accept is None or accept(r))]
    visible.sort(key=lambda r: r[newest], reverse=True)
    return ScopedPage([dict(r) for r in visible[:limit]], None)


class EventedStore:
    """A fake store whose units of work keep what they emitted in ``events``."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.events.extend)


class FakeTrail:
    def __init__(self) -> None:
        self.entries: dict[str, list[dict[str, Any]]] = {}

    def head(self, chain: str) -> ChainHead:
        return ChainHead(chain, len(self.entries.get(chain, [])), "")

    def append(self, uow: FakeUnitOfWork, head: ChainHead, caller: Caller | None, action: str,
               *, summary: str = "", before: Any = None, after: Any = None,
               actor: str | None = None) -> dict[str, Any]:
        entry = {"seq": head.seq + 1,
                 "actor": actor or (caller.username if caller else "system"),
                 "action": action, "summary": summary, "before": before, "after": after}
        append_at(uow, self.entries, head, entry)
        return entry

    def note(self, chain: str, caller: Caller | None, action: str, *, summary: str = "",
             actor: str | None = None) -> dict[str, Any]:
        """A reading: kept in the same list, in order, so ``actions`` reads as the
        trail page does (the real trail keeps it beside the chain)."""
        entry = {"seq": None, "reading": True,
                 "actor": actor or (caller.username if caller else "system"),
                 "action": action, "summary": summary}
        self.entries.setdefault(chain, []).append(entry)
        return entry

    def actions(self, chain: str) -> list[str]:
        return [e["action"] for e in self.entries.get(chain, [])]

    def actors(self, chain: str) -> list[str]:
        return [e["actor"] for e in self.entries.get(chain, [])]


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


class FakeTaskStore(EventedStore):
    """``work.task_store.TaskStore`` in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[str, dict[str, Any]] = {}
        self.work: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, task_id: str) -> dict[str, Any] | None:
        return copy_of(self.tasks, task_id)

    def parts(self, task_id: str) -> list[dict[str, Any]]:
        return [dict(w) for (t, _), w in sorted(self.work.items()) if t == task_id]

    def part(self, task_id: str, assignee: str) -> dict[str, Any] | None:
        return copy_of(self.work, (task_id, assignee))

    def page(self, scopes: Iterable[str], cursor: str | None, limit: int,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        from chalicelib.work.task_store import access_of

        return scoped_page(self.tasks.values(), access_of, scopes, limit, newest="created_at",
                           accept=accept)

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
        write_over(uow, self.tasks, before["id"], before, after)

    def save_part(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]
                  ) -> None:
        write_over(uow, self.work, (before["doc_id"], before["assignee"]), before, after)


# ---- one-stop (onestop) --------------------------------------------------------


class FakeAttempts:
    """The attempt budget of public codes (``kernel.attempts.AttemptBudget``) in memory."""

    @property
    def attempts(self) -> dict[tuple[str, int], int]:
        # Mixed into stores whose own __init__ does not chain: made on first use.
        return self.__dict__.setdefault("_attempts", {})  # type: ignore[no-any-return]

    def take_attempt(self, code: str, window: int, limit: int, expires_at: int) -> bool:
        if self.attempts.get((code, window), 0) >= limit:
            return False
        self.attempts[(code, window)] = self.attempts.get((code, window), 0) + 1
        return True

    def give_back_attempt(self, code: str, window: int) -> None:
        if self.attempts.get((code, window), 0) > 0:
            self.attempts[(code, window)] -= 1



class FakeOneStopStore(EventedStore, FakeAttempts):
    """``onestop.store.OneStopStore`` in memory: dossiers, their work, submission
    keys, the daily sequences, form 06 counters, refusals and the catalogue."""

    def __init__(self, procedures: Iterable[Any] = ()) -> None:
        super().__init__()
        from chalicelib.onestop.procedures import stored_form

        self.versions = [stored_form(p) for p in procedures]
        self.dossiers: dict[str, dict[str, Any]] = {}
        self.months: dict[str, str] = {}
        self.work_items: dict[tuple[str, str], dict[str, Any]] = {}
        self.submissions: dict[str, dict[str, Any]] = {}
        self.sequences: dict[tuple[str, str], int] = {}
        self.counters: dict[tuple[str, str], dict[str, int]] = {}
        self.refusals: dict[str, dict[str, Any]] = {}
        self.results: dict[str, dict[str, Any]] = {}

    def procedure_codes(self) -> list[str]:
        return sorted({v["code"] for v in self.versions})

    def procedure_versions(self, code: str) -> list[dict[str, Any]]:
        return [dict(v) for v in self.versions if v["code"] == code]

    def add_procedure(self, version: dict[str, Any]) -> bool:
        key = (version["code"], version["effective_from"], version["version"])
        if any((v["code"], v["effective_from"], v["version"]) == key for v in self.versions):
            return False
        self.versions.append(dict(version))
        return True

    def get(self, dossier_id: str) -> dict[str, Any] | None:
        return copy_of(self.dossiers, dossier_id)

    def by_code(self, code: str) -> dict[str, Any] | None:
        return next((dict(d) for d in self.dossiers.values() if d["code"] == code), None)

    def received_page(self, month: str, *, before: str | None, limit: int
                      ) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
        found = [(f"{d['received_at']}#{d['id']}", d) for d in self.received_in(month)]
        found = sorted((p for p in found if before is None or p[0] < before), reverse=True,
                       key=lambda p: p[0])
        return found[:limit], len(found) > limit

    def received_in(self, month: str) -> list[dict[str, Any]]:
        found = [dict(d) for i, d in self.dossiers.items() if self.months[i] == month]
        return sorted(found, key=lambda d: d["received_at"], reverse=True)

    def add(self, uow: FakeUnitOfWork, dossier: dict[str, Any], *, month: str
            ) -> dict[str, Any]:
        def write() -> None:
            if dossier["id"] in self.dossiers:
                raise Conflict()
            self.dossiers[dossier["id"]] = dict(dossier)
            self.months[dossier["id"]] = month

        uow.add(write)
        return dict(dossier)

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        write_over(uow, self.dossiers, before["id"], before, after)

    def submission(self, key: str) -> dict[str, Any] | None:
        return self.submissions.get(key)

    def add_submission(self, uow: FakeUnitOfWork, key: str, dossier_id: str, expires_at: int
                       ) -> None:
        insert_new(uow, self.submissions, key, {"dossier_id": dossier_id, "expires_at": expires_at})

    def next_sequence(self, uow: FakeUnitOfWork, unit_code: str, day: datetime) -> int:
        key = (unit_code, f"{day:%y%m%d}")
        read = self.sequences.get(key, 0)

        def write() -> None:
            if self.sequences.get(key, 0) != read:
                raise Conflict()
            self.sequences[key] = read + 1

        uow.add(write)
        return read + 1

    @staticmethod
    def step_work(dossier: dict[str, Any], index: int, *, by: str, **given: Any
                  ) -> dict[str, Any]:
        from chalicelib.onestop.store import OneStopStore

        return OneStopStore.step_work(dossier, index, by=by, **given)

    @staticmethod
    def is_dossier_work(work: dict[str, Any]) -> bool:
        return True

    def work(self, dossier_id: str) -> list[dict[str, Any]]:
        return [dict(w) for (d, _), w in sorted(self.work_items.items()) if d == dossier_id]

    def put_work(self, uow: FakeUnitOfWork, work: dict[str, Any]) -> None:
        def write() -> None:
            self.work_items[(work["doc_id"], work["assignee"])] = dict(work)

        uow.add(write)

    def count(self, uow: FakeUnitOfWork, deltas: Iterable[Any]) -> None:
        deltas = list(deltas)

        def write() -> None:
            for d in deltas:
                row = self.counters.setdefault((d.unit, d.day.isoformat()), {})
                row[d.counter] = row.get(d.counter, 0) + d.delta

        uow.add(write)

    def daily_counters(self, unit: str, until: Any) -> list[tuple[Any, dict[str, Any]]]:
        from datetime import date

        return sorted((date.fromisoformat(day), dict(row))
                      for (u, day), row in self.counters.items()
                      if u == unit and day < until.isoformat())

    def counted(self, unit: str) -> dict[str, int]:
        """Every counter of a unit, summed over the days (for assertions)."""
        total: dict[str, int] = {}
        for (u, _), row in self.counters.items():
            if u == unit:
                for name, value in row.items():
                    total[name] = total.get(name, 0) + value
        return {k: v for k, v in total.items() if v}

    def add_refusal(self, uow: FakeUnitOfWork, refusal: dict[str, Any]) -> None:
        insert_new(uow, self.refusals, refusal["id"], refusal)

    def refusal(self, refusal_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
        return self.refusals.get(refusal_id)

    def register_result(self, dossier_id: str, record: dict[str, Any]) -> None:
        self.results[dossier_id] = dict(record)


# ---- organisation, work, calendar, audit --------------------------------------


class FakeOrganisationStore(EventedStore):
    """``organisation.store.Directory`` in memory: units, profiles, delegations."""

    def __init__(self) -> None:
        super().__init__()
        self.units_by_code: dict[str, dict[str, Any]] = {}
        self.profiles: dict[str, dict[str, Any]] = {}
        self.delegations: dict[tuple[str, str], dict[str, Any]] = {}
        self.agency_profile: dict[str, Any] | None = None

    @classmethod
    def staffed(cls, units: Iterable[str],
                people: Iterable[tuple[str, str, list[str], str]]) -> FakeOrganisationStore:
        """Units named ``Phòng {code}`` and people as (username, unit, roles,
        status), each with an address at ``so.gov.vn``."""
        d = cls()
        for code in units:
            d.units_by_code[code] = {"code": code, "name": f"Phòng {code}", "version": 1}
        for username, unit_code, roles, status in people:
            d.profiles[username] = {"username": username, "full_name": username.title(),
                                    "email": f"{username}@so.gov.vn", "unit": unit_code,
                                    "roles": roles, "status": status, "version": 1}
        return d

    # people
    def user(self, username: str) -> dict[str, Any] | None:
        return copy_of(self.profiles, username)

    user_to_change = user

    def members(self, unit: str) -> list[dict[str, Any]]:
        return [dict(p) for _, p in sorted(self.profiles.items()) if p.get("unit") == unit]

    def add_user(self, uow: FakeUnitOfWork, profile: dict[str, Any]) -> None:
        insert_new(uow, self.profiles, profile["username"], profile)

    def save_user(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]
                  ) -> None:
        write_over(uow, self.profiles, before["username"], before, after,
                   version=version_or_first)

    def put_user(self, profile: dict[str, Any]) -> None:
        self.profiles[profile["username"]] = dict(profile)

    def invalidate_tokens(self, username: str, issued_before: Any) -> None:
        self.profiles[username]["tokens_valid_after"] = issued_before

    # units
    def unit(self, code: str) -> dict[str, Any] | None:
        return copy_of(self.units_by_code, code)

    def units(self) -> list[dict[str, Any]]:
        return [dict(u) for _, u in sorted(self.units_by_code.items())]

    def add_unit(self, uow: FakeUnitOfWork, unit: dict[str, Any]) -> None:
        insert_new(uow, self.units_by_code, unit["code"], unit)

    def save_unit(self, uow: FakeUnitOfWork, version_read: int, unit: dict[str, Any]) -> None:
        def write() -> None:
            if int(self.units_by_code[unit["code"]].get("version", 1)) != version_read:
                raise Conflict()
            self.units_by_code[unit["code"]] = dict(unit)

        uow.add(write)

    def add_unit_once(self, unit: dict[str, Any]) -> bool:
        if unit["code"] in self.units_by_code:
            return False
        self.units_by_code[unit["code"]] = dict(unit)
        return True

    # delegations
    def delegations_of(self, grantor: str) -> list[dict[str, Any]]:
        return [dict(d) for (g, _), d in sorted(self.delegations.items()) if g == grantor]

    def delegations_to(self, delegate: str) -> list[dict[str, Any]]:
        found = [d for d in self.delegations.values() if d["delegate"] == delegate]
        return [dict(d) for d in sorted(found, key=lambda d: (d["start"], d["id"]))]

    def delegation(self, grantor: str, delegation_id: str) -> dict[str, Any] | None:
        return copy_of(self.delegations, (grantor, delegation_id))

    def add_delegation(self, uow: FakeUnitOfWork, delegation: dict[str, Any]) -> None:
        insert_new(uow, self.delegations, (delegation["grantor"], delegation["id"]), delegation)

    def end_delegation(self, uow: FakeUnitOfWork, after: dict[str, Any]) -> None:
        key = (after["grantor"], after["id"])

        def write() -> None:
            if self.delegations[key].get("status") != "active":
                raise Conflict()
            self.delegations[key] = dict(after)

        uow.add(write)

    def agency(self) -> dict[str, Any] | None:
        return self.agency_profile


class FakeWorkStore:
    """``work.store.WorkStore`` in memory: open work items (as ``work.items``
    shapes them), preferences, once-a-day claims and weekly counters."""

    def __init__(self, work: Iterable[dict[str, Any]] = ()) -> None:
        self.work = [dict(w) for w in work]
        self.prefs: dict[str, dict[str, Any]] = {}
        self.claims: set[tuple[str, str, str]] = set()
        self.counters: dict[tuple[str, str], dict[str, Any]] = {}

    def _open(self) -> list[dict[str, Any]]:
        # Open work is what the sparse indexes hold: closing an item drops its keys.
        return sorted((w for w in self.work if "gsi3pk" in w), key=lambda w: w["gsi3sk"])

    def open_of(self, assignee: str) -> list[dict[str, Any]]:
        return [dict(w) for w in self._open() if w["assignee"] == assignee]

    def inbox(self, person: str, queues: list[str]
              ) -> tuple[list[dict[str, Any]], dict[str, Any] | None, bool]:
        self.inbox_reads = [person, *queues]
        found = [w for q in [person, *queues] for w in self.open_of(q)]
        return found, self.prefs.get(person.split("#", 1)[1]), False

    def todos(self, parent_key: str, prefix: str) -> list[dict[str, Any]]:
        return [dict(w) for w in self.work
                if w["pk"] == parent_key and w["sk"].startswith(prefix)]

    def add_todo(self, uow: FakeUnitOfWork, todo: dict[str, Any]) -> None:
        from chalicelib.work.store import measured

        # The measures move as the real store moves them (counts in the unit of work).
        todo = measured(uow, todo, revise=todo.get("action") == "outgoing.revise")

        def put() -> None:
            self.work[:] = [w for w in self.work
                            if (w["pk"], w["sk"]) != (todo["pk"], todo["sk"])]
            self.work.append(dict(todo))
        uow.add(put)

    def save_todo(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]
                  ) -> None:
        from chalicelib.work.store import measured

        after = measured(uow, after)

        def put() -> None:
            current = next(w for w in self.work if (w["pk"], w["sk"]) == (after["pk"], after["sk"]))
            if current["version"] != before["version"]:
                raise AssertionError("changed since it was read")
            self.work[self.work.index(current)] = dict(after)
        uow.add(put)

    def add_counter(self, uow: FakeUnitOfWork, unit: str, field: str, week: str) -> None:
        def add() -> None:
            row = self.counters.setdefault((unit, week), {})
            row[field] = row.get(field, 0) + 1
        uow.add(add)

    def open_page(self, limit: int) -> Any:
        from chalicelib.adapters.dynamo import Page

        return Page([dict(w) for w in self._open()[:limit]], None)

    def due_before(self, horizon: datetime) -> list[dict[str, Any]]:
        from chalicelib.kernel.events import iso

        return [dict(w) for w in self._open() if w["gsi3sk"] < iso(horizon)]

    def preferences(self, username: str) -> dict[str, Any] | None:
        return self.prefs.get(username)

    def save_preferences(self, username: str, prefs: dict[str, Any]) -> None:
        self.prefs[username] = dict(prefs)

    def claim(self, kind: str, username: str, period: str) -> bool:
        if (kind, username, period) in self.claims:
            return False
        self.claims.add((kind, username, period))
        return True

    def release(self, kind: str, username: str, period: str) -> None:
        self.claims.discard((kind, username, period))

    def seen_overdue(self, username: str) -> set[str]:
        return set(getattr(self, "overdue_seen", {}).get(username, set()))

    def remember_overdue(self, username: str, item_ids: set[str]) -> None:
        self.overdue_seen = {**getattr(self, "overdue_seen", {}), username: set(item_ids)}

    def publish(self, events: list[Any]) -> None:
        self.published = [*getattr(self, "published", []), *events]

    def week_counters(self, unit: str, week: str) -> dict[str, Any] | None:
        return self.counters.get((unit, week))


class FakeCalendarStore(EventedStore):
    """``calendar.store.CalendarStore`` in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.by_day: dict[str, dict[str, Any]] = {}

    def overrides(self) -> list[dict[str, Any]]:
        return [dict(o) for _, o in sorted(self.by_day.items())]

    def put(self, uow: FakeUnitOfWork, override: dict[str, Any]) -> None:
        uow.add(lambda: self.by_day.__setitem__(override["date"], dict(override)))

    def remove(self, uow: FakeUnitOfWork, day: Any) -> None:
        uow.add(lambda: self.by_day.pop(day.isoformat(), None))


class FakeAuditStore:
    """``audit.store.AuditStore`` in memory: a head moves only from the seq read."""

    def __init__(self) -> None:
        self.chains: dict[str, list[dict[str, Any]]] = {}
        self.reads: dict[str, list[dict[str, Any]]] = {}
        self.anchors: dict[str, list[dict[str, Any]]] = {}

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork()

    def readings(self, chain: str) -> list[dict[str, Any]]:
        return [dict(e) for e in self.reads.get(chain, [])]

    def add_reading(self, chain: str, entry: dict[str, Any]) -> None:
        self.reads.setdefault(chain, []).append(dict(entry))

    def checkpoints(self, chain: str) -> list[dict[str, Any]]:
        return [dict(c) for c in self.anchors.get(chain, [])]

    def has_checkpoint(self, chain: str, seq: int) -> bool:
        return any(int(c["seq"]) == seq for c in self.anchors.get(chain, []))

    def add_checkpoint(self, chain: str, item: dict[str, Any]) -> bool:
        if self.has_checkpoint(chain, int(item["seq"])):
            return False
        self.anchors.setdefault(chain, []).append(dict(item))
        return True

    def head(self, chain: str) -> ChainHead | None:
        entries = self.chains.get(chain)
        if not entries:
            return None
        return ChainHead(chain, int(entries[-1]["seq"]), str(entries[-1]["hash"]))

    def entries(self, chain: str) -> list[dict[str, Any]]:
        return [dict(e) for e in self.chains.get(chain, [])]

    def add(self, uow: FakeUnitOfWork, head: ChainHead, entry: dict[str, Any]) -> None:
        append_at(uow, self.chains, head, entry, copy=True)


class FakeMailer:
    """``kernel.ports.Mailer``: keeps what was sent; ``fail_for`` refuses an address."""

    def __init__(self, fail_for: Iterable[str] = ()) -> None:
        self.sent: list[dict[str, Any]] = []
        self.fail_for = set(fail_for)

    def send(self, *, to: Any, subject: str, text: str, html: str | None = None,
             attachments: Any = ()) -> str:
        if self.fail_for & set(to):
            raise RuntimeError("mail refused")
        self.sent.append({"to": list(to), "subject": subject, "text": text})
        return f"m{len(self.sent)}"


# ---- incoming and search ------------------------------------------------------


class FakeIncomingStore(EventedStore):
    """``incoming.store.IncomingStore`` in memory: documents, the số đến counters,
    the parts and notes under each document, and the unit registers."""

    def __init__(self) -> None:
        super().__init__()
        self.docs: dict[str, dict[str, Any]] = {}
        self.counters: dict[int, int] = {}
        self.work: dict[tuple[str, str], dict[str, Any]] = {}
        self.notes_of: dict[str, list[dict[str, Any]]] = {}
        self.unit_registers: dict[str, set[str]] = {}  # unit -> document ids

    def get(self, doc_id: str, *, consistent: bool = True) -> dict[str, Any] | None:
        return copy_of(self.docs, doc_id)

    def counter(self, year: int) -> int | None:
        return self.counters.get(year)

    @staticmethod
    def new_document(fields: dict[str, Any], *, duplicate_key: str | None) -> dict[str, Any]:
        return {"kind": "incoming", **fields, "duplicate_key": duplicate_key}

    def add(self, uow: FakeUnitOfWork, doc: dict[str, Any], *, counter_read: int | None,
            new_pointers: Collection[str] = ()) -> None:
        def write() -> None:
            year = int(doc["year"])
            if self.counters.get(year) != counter_read or doc["id"] in self.docs:
                raise Conflict()
            # The pointers read absent must still be (the store's conditions).
            if ("sha256" in new_pointers and doc.get("sha256")
                    and self.find_by_hash(doc["sha256"])) or (
                    "dupkey" in new_pointers and doc.get("duplicate_key")
                    and self.find_by_duplicate_key(doc["duplicate_key"])):
                raise Conflict()
            self.counters[year] = int(doc["so_den"])
            self.docs[doc["id"]] = dict(doc)

        uow.add(write)

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any], *,
             duplicate_key: str | None = None) -> None:
        write_over(uow, self.docs, before["id"], before, after, version=version_or_first)

    def find_by_hash(self, sha256: str) -> dict[str, Any] | None:
        return next((dict(d) for d in self.docs.values() if d.get("sha256") == sha256), None)

    def find_by_duplicate_key(self, key: str) -> dict[str, Any] | None:
        return next((dict(d) for d in self.docs.values() if d.get("duplicate_key") == key),
                    None)

    def page(self, scopes: Iterable[str], *, cursor: str | None, limit: int,
             since: str | None = None, until: str | None = None,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        from chalicelib.incoming.store import access_of

        return scoped_page(self.docs.values(), access_of, scopes, limit, newest="arrival_at",
                           accept=accept)

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
        return copy_of(self.work, (doc_id, assignee))

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
        write_over(uow, self.work, (before["doc_id"], before["assignee"]), before, after)

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
        return copy_of(self.records, record_id)

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        write_over(uow, self.records, before["id"], before, after, version=version_or_first)


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


# ---- outgoing ------------------------------------------------------------------

class FakeOutgoingStore(EventedStore):
    """``outgoing.store.OutgoingStore`` in memory: saves are conditional on the
    version read, a number is taken only from the counter value read."""

    def __init__(self) -> None:
        super().__init__()
        self.docs: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, list[dict[str, Any]]] = {}
        self.notes: dict[str, list[dict[str, Any]]] = {}
        self.counters: dict[tuple[int, str], int] = {}
        self.chains: dict[str, list[str]] = {}
        self.deliveries: dict[str, dict[str, Any]] = {}

    def get(self, doc_id: str, *, consistent: bool = True) -> dict[str, Any] | None:
        return copy_of(self.docs, doc_id)

    def versions_and_notes(self, doc_id: str
                           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return list(self.versions.get(doc_id, [])), list(self.notes.get(doc_id, []))

    def version(self, doc_id: str, number: int) -> dict[str, Any] | None:
        return next((v for v in self.versions.get(doc_id, []) if v["number"] == number), None)

    def page(self, scopes: Iterable[str], cursor: str | None, limit: int,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        from chalicelib.outgoing.store import access_of

        return scoped_page(self.docs.values(), access_of, scopes, limit, newest="created_at",
                           accept=accept)

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
        insert_new(uow, self.docs, doc["id"], doc)
        return doc

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any]
             ) -> dict[str, Any]:
        after = {**after, "version": int(before["version"]) + 1}

        write_over(uow, self.docs, before["id"], before, after)
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

    def delegates(self, grantor: str, day: Any) -> list[str]:
        return sorted({d["delegate"] for d in self.delegations if d["grantor"] == grantor
                       and d["start"] <= day.isoformat() <= d["end"]})

    def office_unit(self) -> str | None:
        return self.office

    def agency(self) -> dict[str, str]:
        return dict(self.AGENCY)

    def sees_incoming(self, caller: Caller, doc_id: str) -> bool:
        return caller.username in self.incoming_seen.get(doc_id, set())

    def review_procedure(self, type_code: str, day: Any) -> dict[str, Any] | None:
        return None  # no ISO procedure governs the fakes' drafts


# ---- complaints ---------------------------------------------------------------


class FakeCaseStore(EventedStore, FakeAttempts):
    """``complaints.store.CaseStore`` in memory: cases, filers, notes, work and the
    dashboard counters."""

    def __init__(self, pending: FakeWorkStore | None = None) -> None:
        super().__init__()
        # The work store the cases' pending actions go to: the open-work index
        # holds them with the cases' work, so the dashboard sees both.
        self.pending = pending
        self.cases: dict[str, dict[str, Any]] = {}
        self.people: dict[str, dict[str, Any]] = {}
        self.case_notes: dict[str, list[dict[str, Any]]] = {}
        self.work_items: dict[tuple[str, str], dict[str, Any]] = {}
        self.counted: dict[str, dict[str, int]] = {}
        self.monthly: dict[tuple[str, str], dict[str, int]] = {}

    def get(self, case_id: str) -> dict[str, Any] | None:
        return copy_of(self.cases, case_id)

    def by_code(self, code: str) -> dict[str, Any] | None:
        return next((dict(c) for c in self.cases.values() if c["code"] == code), None)

    def person(self, case_id: str) -> dict[str, Any] | None:
        return copy_of(self.people, case_id)

    def notes(self, case_id: str) -> list[dict[str, Any]]:
        return [dict(n) for n in self.case_notes.get(case_id, [])]

    def work(self, case_id: str) -> list[dict[str, Any]]:
        return [dict(w) for (c, _), w in sorted(self.work_items.items()) if c == case_id]

    def work_of(self, case_id: str, assignee: str) -> dict[str, Any] | None:
        return copy_of(self.work_items, (case_id, assignee))

    def counters(self, kind: str) -> dict[str, Any]:
        return dict(self.counted.get(kind, {}))

    def page(self, scopes: Iterable[str], cursor: str | None, limit: int,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        from chalicelib.complaints.store import access_of

        return scoped_page(self.cases.values(), access_of, scopes, limit, newest="received_at",
                           accept=accept)

    def open_work_due_before(self, below: str) -> Iterable[dict[str, Any]]:
        todos = self.pending.work if self.pending else []
        due = [w for w in [*self.work_items.values(), *todos]
               if w["status"] == "open" and w["pk"].startswith("CASE#")
               and w["deadline"] < below]
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

        write_over(uow, self.cases, before["id"], before, saved)
        return saved

    def add_note(self, uow: FakeUnitOfWork, case_id: str, note: dict[str, Any]) -> None:
        uow.add(lambda: self.case_notes.setdefault(case_id, []).append(dict(note)))

    def put_work(self, uow: FakeUnitOfWork, work: dict[str, Any]) -> None:
        uow.add(lambda: self.work_items.__setitem__((work["doc_id"], work["assignee"]),
                                                    dict(work)))

    def drop_work(self, uow: FakeUnitOfWork, work: dict[str, Any]) -> None:
        uow.add(lambda: self.work_items.pop((work["doc_id"], work["assignee"]), None))

    def count(self, uow: FakeUnitOfWork, kind: str, month: str | None = None,
              **deltas: int) -> None:
        """Running totals by kind in ``counted``; the months' flows in ``monthly``."""
        def write() -> None:
            counted = self.counted.setdefault(kind, {})
            for name, delta in deltas.items():
                counted[name] = counted.get(name, 0) + delta
            flows = {k: v for k, v in deltas.items() if k != "open"}
            if month and flows:
                row = self.monthly.setdefault((kind, month), {})
                for name, delta in flows.items():
                    row[name] = row.get(name, 0) + delta

        uow.add(write)


# ---- meetings -----------------------------------------------------------------


class FakeMeetingStore(EventedStore):
    """``meetings.store.MeetingStore`` in memory: meetings and their invitations,
    the scheduler's and the unit's lists (the reminder index and the person's
    list are left to the integration tests)."""

    def __init__(self) -> None:
        super().__init__()
        self.meetings: dict[str, dict[str, Any]] = {}
        self.invites: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, meeting_id: str) -> dict[str, Any] | None:
        return copy_of(self.meetings, meeting_id)

    def invitation(self, meeting_id: str, slug: str) -> dict[str, Any] | None:
        return copy_of(self.invites, (meeting_id, slug))

    def _latest_first(self, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        return sorted((dict(m) for m in self.meetings.values() if keep(m)),
                      key=lambda m: (m["start"], m["id"]), reverse=True)

    def page_scheduled_by(self, username: str, cursor: str | None, limit: int) -> Any:
        """Pages of ``limit`` with a cursor, as DynamoDB reads the scheduler's index."""
        from chalicelib.adapters.dynamo import Page

        rows = self._latest_first(lambda m: m["scheduled_by"] == username)
        start = int(cursor or 0)
        end = start + limit
        return Page(rows[start:end], str(end) if end < len(rows) else None)

    def page_of_unit(self, unit: str, cursor: str | None, limit: int,
                     accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        rows = [m for m in self._latest_first(lambda m: m["unit"] == unit)
                if accept is None or accept(m)]
        return ScopedPage(rows[:limit], None)

    def invitations(self, meeting_id: str) -> list[dict[str, Any]]:
        return [dict(i) for (m, _), i in sorted(self.invites.items()) if m == meeting_id]

    def add(self, uow: FakeUnitOfWork, meeting: dict[str, Any], now: datetime
            ) -> dict[str, Any]:
        insert_new(uow, self.meetings, meeting["id"], meeting)
        return dict(meeting)

    def save(self, uow: FakeUnitOfWork, before: dict[str, Any], after: dict[str, Any],
             now: datetime) -> None:
        write_over(uow, self.meetings, before["id"], before, dict(after))

    def add_invitation(self, uow: FakeUnitOfWork, meeting: dict[str, Any],
                       invitation: dict[str, Any]) -> None:
        insert_new(uow, self.invites, (meeting["id"], invitation["slug"]), invitation)

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

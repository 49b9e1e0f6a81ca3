"""Where complaint cases live in the table, and the only code that knows their keys.

- ``CASE#{id}/CASE`` the case (no identity), found by its public code through
  gsi1 ``CASECODE#{code}`` / ``{id}``;
- ``CASE#{id}/PERSON`` who filed it (name, id_number, address, phone, email,
  protected): a protected denouncer's record is read only by leaders and the
  assigned officer, each reading audited;
- ``CASE#{id}/NOTE#{at}#{rand}`` notes; ``CASE#{id}/SCOPE#{scope}`` one list
  entry per scope that sees the case (gsi1 ``{scope}#complaint`` /
  ``{received_at}#{id}``);
- ``CASE#{id}/WORK#{assignee}`` the work (``work.items``): the desk's acceptance
  deadline, then the settlement deadline of the unit or officer assigned;
- ``STATS#complaint#{kind}/YYYY-MM`` the month's flows (received by the month of
  receipt, settled on time / late, transferred, refused, merged by the month
  they happened), for the leaders' dashboard of a period;
- ``ATTEMPTS#case#{code}/{hour}`` the public code's attempt budget of the hour
  (``kernel.attempts``), kept by TTL;
- ``STATS#complaint#{kind}/TOTAL`` counters for the dashboard (received, open,
  settled_on_time, settled_late, transferred, refused, merged), moved by ADD in
  the transaction of the change they count.

A case is saved over the version it was read at, with its list entries
rewritten for its scopes now (``scoped_lists.save_with_entries``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from chalicelib.adapters import attempts
from chalicelib.adapters.dynamo import put_op, update_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork
from chalicelib.adapters.scoped_lists import (
    ScopedPage,
    list_scoped,
    partition,
    save_with_entries,
)
from chalicelib.kernel.access import ItemAccess, Kind, item_scopes
from chalicelib.work import items
from chalicelib.work.store import measured, unmeasured

KIND = Kind.COMPLAINT.value
# What a list shows of a case, copied into each of its list entries.
SUMMARY = ("id", "code", "kind", "status", "received_at", "summary", "unit", "officer",
           "deadline", "channel", "protected")
# The item kind a case's work items name as their parent (``work.items.work_item``).
WORK_PARENT = "CASE"
# Key attributes: never shown, never copied into a view.
KEY_ATTRIBUTES = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})


def access_of(case: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.COMPLAINT, units=frozenset(case.get("units") or []),
                      people=frozenset(case.get("people") or []))


def _pk(case_id: str) -> str:
    return f"CASE#{case_id}"


class CaseStore(TableStore):
    # ------------------------------------------------------------ reading

    def get(self, case_id: str) -> dict[str, Any] | None:
        return self.table.get(_pk(case_id), "CASE", consistent=True)

    def by_code(self, code: str) -> dict[str, Any] | None:
        page = self.table.query(f"CASECODE#{code}", index="gsi1", limit=1)
        return page.items[0] if page.items else None

    def person(self, case_id: str) -> dict[str, Any] | None:
        return self.table.get(_pk(case_id), "PERSON")

    # ------------------------------------------------------------ the public code's budget

    def take_attempt(self, code: str, window: int, limit: int, expires_at: int) -> bool:
        return attempts.take(self.table, f"ATTEMPTS#case#{code}", str(window), limit,
                             expires_at)

    def give_back_attempt(self, code: str, window: int) -> None:
        attempts.give_back(self.table, f"ATTEMPTS#case#{code}", str(window))

    def notes(self, case_id: str) -> list[dict[str, Any]]:
        return self.table.query(_pk(case_id), sk_prefix="NOTE#", limit=500).items

    def work(self, case_id: str) -> list[dict[str, Any]]:
        """The case's work items, open or finished."""
        return self.table.query(_pk(case_id), sk_prefix="WORK#", limit=50).items

    def work_of(self, case_id: str, assignee: str) -> dict[str, Any] | None:
        """``assignee`` as work items name it (``work.items.person/unit``)."""
        return self.table.get(_pk(case_id), f"WORK#{assignee}")

    def counters(self, kind: str) -> dict[str, Any]:
        return self.table.get(f"STATS#complaint#{kind}", "TOTAL") or {}

    def monthly(self, kinds: Iterable[str], months: Iterable[str]
                ) -> dict[tuple[str, str], dict[str, Any]]:
        """The counters of each kind and month (``YYYY-MM``): one batch read."""
        keys = {(f"STATS#complaint#{k}", m): (k, m) for k in kinds for m in months}
        found = self.table.batch_get(list(keys))
        return {keys[key]: item for key, item in found.items() if key in keys}

    def page(self, scopes: Iterable[str], cursor: str | None, limit: int,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        return list_scoped(KIND, scopes, cursor=cursor, limit=limit, accept=accept,
                           table=self.table)

    def open_work_due_before(self, below: str) -> Iterator[dict[str, Any]]:
        """The cases' open work due before ``below``, earliest first."""
        return items.open_due_before(self.table, below, parent=WORK_PARENT)

    # ------------------------------------------------------------ writing

    def add(self, uow: UnitOfWork, case: dict[str, Any], person: dict[str, Any],
            work: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
        """A new case (refused if its id exists), its filer, its work and its list
        entries. Returns the case as written."""
        item = {"pk": _pk(case["id"]), "sk": "CASE", **case,
                "gsi1pk": f"CASECODE#{case['code']}", "gsi1sk": case["id"]}
        uow.add(put_op(item, condition="attribute_not_exists(pk)"))
        uow.add(put_op({"pk": _pk(case["id"]), "sk": "PERSON", "kind": "case_person",
                        **person}))
        for part in work:
            uow.add(put_op(measured(uow, part)))
        for entry in self._entries(item):
            uow.add(put_op(entry))
        return item

    def save(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]
             ) -> dict[str, Any]:
        """The case over the version it was read at; returns it as written."""
        return save_with_entries(uow, before, after, self._entries)

    def add_note(self, uow: UnitOfWork, case_id: str, note: dict[str, Any]) -> None:
        """``note`` carries its ``at``, which orders the notes."""
        uow.add(put_op({"pk": _pk(case_id), "sk": f"NOTE#{note['at']}#{uuid.uuid4().hex[:6]}",
                        "kind": "case_note", **note}))

    def put_work(self, uow: UnitOfWork, work: dict[str, Any]) -> None:
        uow.add(put_op(measured(uow, work)))

    def drop_work(self, uow: UnitOfWork, work: dict[str, Any]) -> None:
        unmeasured(uow, work)
        uow.add({"Delete": {"Key": {"pk": work["pk"], "sk": work["sk"]}}})

    def count(self, uow: UnitOfWork, kind: str, month: str | None = None,
              **deltas: int) -> None:
        """Dashboard counters move in the same transaction as the change they count:
        the running totals, and with ``month`` (local ``YYYY-MM`` of the event) the
        month's flows (what is open is a state, kept in the totals only)."""
        uow.add(_add_op(f"STATS#complaint#{kind}", "TOTAL", deltas))
        flows = {k: v for k, v in deltas.items() if k != "open"}
        if month and flows:
            uow.add(_add_op(f"STATS#complaint#{kind}", month, flows))

    @staticmethod
    def _entries(case: dict[str, Any]) -> list[dict[str, Any]]:
        summary = {k: case.get(k) for k in SUMMARY}
        return [{"pk": _pk(case["id"]), "sk": f"SCOPE#{scope}", "kind": "scope_entry",
                 "gsi1pk": partition(scope, KIND),
                 "gsi1sk": f"{case['received_at']}#{case['id']}", **summary}
                for scope in sorted(item_scopes(access_of(case)))]


def _add_op(pk: str, sk: str, deltas: dict[str, int]) -> dict[str, Any]:
    return update_op(pk, sk, "ADD " + ", ".join(f"#{k} :{k}" for k in deltas),
                     names={f"#{k}": k for k in deltas},
                     values={f":{k}": v for k, v in deltas.items()})

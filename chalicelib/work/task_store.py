"""Where tasks live in the table, and the only code that knows their keys.

A task is ``TASK#{id}/TASK``, with one list entry per scope that may see it
(``{id}`` under the gsi1 partition ``{scope}#task``, newest first) and each
assignee's part as a work item under the task (``TASK#{id}/WORK#{assignee}``,
the shape of ``work.items``). Every save of a task or a part is conditional
on the version it was read at, so a lost race is a 409, never an overwrite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from chalicelib.adapters.dynamo import put_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork
from chalicelib.adapters.scoped_lists import ScopedPage, list_scoped, partition
from chalicelib.kernel.access import ItemAccess, Kind, item_scopes
from chalicelib.work.store import measured

KIND = Kind.TASK.value
# What a list shows of a task, copied into each of its list entries.
SUMMARY = ("id", "title", "priority", "status", "deadline", "created_by", "created_at")


def access_of(task: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.TASK, units=frozenset(task.get("units") or []),
                      people=frozenset(task.get("people") or []))


class TaskStore(TableStore):
    def get(self, task_id: str) -> dict[str, Any] | None:
        return self.table.get(f"TASK#{task_id}", "TASK", consistent=True)

    def parts(self, task_id: str) -> list[dict[str, Any]]:
        return self.table.query(f"TASK#{task_id}", sk_prefix="WORK#", limit=200).items

    def part(self, task_id: str, assignee: str) -> dict[str, Any] | None:
        """``assignee`` as work items name it: ``U#{username}`` or ``UNIT#{code}``."""
        return self.table.get(f"TASK#{task_id}", f"WORK#{assignee}", consistent=True)

    def page(self, scopes: Iterable[str], cursor: str | None, limit: int,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        return list_scoped(KIND, scopes, cursor=cursor, limit=limit, accept=accept,
                           table=self.table)

    def add(self, uow: UnitOfWork, task: dict[str, Any], parts: list[dict[str, Any]]) -> None:
        """A new task (refused if its id exists), its list entries and its parts."""
        uow.add(put_op({"pk": f"TASK#{task['id']}", "sk": "TASK", "kind": "task", **task},
                       condition="attribute_not_exists(pk)"))
        for entry in self._entries(task):
            uow.add(put_op(entry))
        for part in parts:
            uow.add(put_op(measured(uow, part)))

    def save(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        """The task over the version it was read at. Its scopes never change after
        creation, so its list entries stay as they are."""
        uow.add(self._versioned(before, after))

    def save_part(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        uow.add(self._versioned(before, measured(uow, after)))

    @staticmethod
    def _versioned(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        return put_op(after, condition="#v = :v", names={"#v": "version"},
                      values={":v": int(before["version"])})

    @staticmethod
    def _entries(task: dict[str, Any]) -> list[dict[str, Any]]:
        summary = {k: task.get(k) for k in SUMMARY}
        return [{"pk": f"TASK#{task['id']}", "sk": f"SCOPE#{scope}", "kind": "scope_entry",
                 "gsi1pk": partition(scope, KIND), "gsi1sk": f"{task['created_at']}#{task['id']}",
                 **summary} for scope in sorted(item_scopes(access_of(task)))]

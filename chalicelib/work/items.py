"""The work item: one assignee's part of any piece of work (a document, a task, a
complaint, a dossier step), stored under its parent with the same shape for
every kind, so that my-work lists, the digest, escalation and counters treat
them alike. Open items sit in the sparse indexes WORK#{assignee} (gsi2) and
OPENWORK (gsi3), both by deadline; closing an item takes it out of both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.kernel.events import iso, utcnow
from chalicelib.work.rules import Part, WorkStatus

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo import Table

OPEN_PARTITION = "OPENWORK"  # gsi3: every open work item, by deadline


def work_item(doc: dict[str, Any], assignee: str, part: Part, instruction: str,
               deadline: datetime, by: str, unit: str, parent: str = "DOC") -> dict[str, Any]:
    """One assignee's part. ``parent`` is the item kind it belongs to (DOC, TASK…):
    every kind's work shares this shape, so my-work lists and reminders treat
    them alike."""
    return {
        "pk": f"{parent}#{doc['id']}", "sk": f"WORK#{assignee}", "kind": "work",
        "doc_id": doc["id"], "assignee": assignee, "unit": unit, "part": part.value,
        "instruction": instruction, "deadline": iso(deadline), "assigned_by": by,
        "assigned_at": iso(utcnow()), "status": WorkStatus.OPEN.value, "progress": 0,
        "subject": doc.get("trich_yeu", ""), "so_den_text": doc.get("so_den_text"),
        "year": doc.get("year"), "do_mat": doc.get("do_mat", ""), "version": 1,
        "gsi2pk": f"WORK#{assignee}", "gsi2sk": f"{iso(deadline)}#{doc['id']}",
        "gsi3pk": OPEN_PARTITION, "gsi3sk": f"{iso(deadline)}#{doc['id']}#{assignee}",
    }


def reindexed(work: dict[str, Any], deadline: datetime) -> dict[str, Any]:
    """The same open work with a new deadline (an approved extension)."""
    parent_id = work["pk"].split("#", 1)[1]
    return {**work, "deadline": iso(deadline), "version": int(work["version"]) + 1,
            "gsi2sk": f"{iso(deadline)}#{parent_id}",
            "gsi3sk": f"{iso(deadline)}#{parent_id}#{work['assignee']}"}


def closed(work: dict[str, Any], status: WorkStatus, **extra: Any) -> dict[str, Any]:
    out = {**work, **extra, "status": status.value, "version": int(work["version"]) + 1}
    for key in ("gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"):
        out.pop(key, None)  # finished work leaves the open-work indexes
    return out


def parent_of(work: dict[str, Any]) -> tuple[str, str]:
    """The kind (DOC, TASK, CASE, DOSSIER…) and id of the item a work item belongs to."""
    kind, ident = work["pk"].split("#", 1)
    return kind, ident


def person(username: str) -> str:
    """How work items name a person who holds a part."""
    return f"U#{username}"


def unit(code: str) -> str:
    """How work items name a unit that holds a part (its heads act on it)."""
    return f"UNIT#{code}"


def is_person(assignee: str) -> bool:
    return assignee.startswith("U#")


def is_unit(assignee: str) -> bool:
    return assignee.startswith("UNIT#")


def name_of(assignee: str) -> str:
    """The username or unit code inside an assignee."""
    return assignee.split("#", 1)[1]


def open_due_before(table: Table, below: str, *, parent: str | None = None,
                    page: int = 500) -> Iterator[dict[str, Any]]:
    """Open work of every kind (or only of ``parent`` items: ``CASE``, ``DOSSIER``…)
    whose deadline sorts before ``below`` (an ISO instant; ``~`` after it includes
    that instant), the earliest deadline first, read a page at a time."""
    start: dict[str, Any] | None = None
    while True:
        found, start = table.query_range(OPEN_PARTITION, index="gsi3", low=None, below=below,
                                         start=start, limit=page)
        yield from (w for w in found if parent is None or w["pk"].startswith(f"{parent}#"))
        if not start:
            return

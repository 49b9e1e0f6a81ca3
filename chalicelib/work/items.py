"""The work item: one assignee's part of any piece of work (a document, a task, a
complaint, a dossier step), stored under its parent with the same shape for
every kind, so that my-work lists, the digest, escalation and counters treat
them alike. Open items sit in the sparse indexes WORK#{assignee} (gsi2) and
OPENWORK (gsi3), both by deadline; closing an item takes it out of both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.kernel.events import instant, iso, utcnow
from chalicelib.work.rules import (
    ACTION_RULES,
    COMPLETION_STATES,
    Action,
    Measured,
    Part,
    WorkStatus,
)

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo import Table

OPEN_PARTITION = "OPENWORK"  # gsi3: every open work item, by deadline


def work_item(doc: dict[str, Any], assignee: str, part: Part, instruction: str,
               deadline: datetime, by: str, unit: str, parent: str = "DOC", *,
               action: Action | None = None, link: str | None = None) -> dict[str, Any]:
    """One assignee's part. ``parent`` is the item kind it belongs to (DOC, TASK…):
    every kind's work shares this shape, so my-work lists and reminders treat
    them alike. ``action`` is what the assignee must do (the inbox's kind);
    without it the part's own kind is assumed (see ``action_of``)."""
    extra: dict[str, Any] = {}
    if action is not None:
        extra["action"] = action.value
    if link is not None:
        extra["link"] = link
    return {**extra,
        "pk": f"{parent}#{doc['id']}", "sk": f"WORK#{assignee}", "kind": "work",
        "doc_id": doc["id"], "assignee": assignee, "unit": unit, "part": part.value,
        "instruction": instruction, "deadline": iso(deadline), "assigned_by": by,
        "assigned_at": iso(utcnow()), "status": WorkStatus.OPEN.value, "progress": 0,
        "subject": doc.get("trich_yeu", ""), "so_den_text": doc.get("so_den_text"),
        "year": doc.get("year"), "do_mat": doc.get("do_mat", ""), "version": 1,
        "gsi2pk": f"WORK#{assignee}", "gsi2sk": f"{iso(deadline)}#{doc['id']}",
        "gsi3pk": OPEN_PARTITION, "gsi3sk": f"{iso(deadline)}#{doc['id']}#{assignee}",
    }


def todo(parent: str, parent_id: str, action: Action, assignee: str, *, subject: str,
         deadline: datetime, by: str, unit: str | None, link: str, now: datetime,
         secret: bool = False, note: str = "") -> dict[str, Any]:
    """A pending action that is not a share of the work itself (register, distribute,
    review, sign, issue, decide…): the same shape as a part, so that the inbox, the
    digest, escalation and the counters treat it alike, under the parent's partition
    with its own sort key so that it never mixes with the parts."""
    ident = f"{action.value}#{assignee}"
    return {
        "pk": f"{parent}#{parent_id}", "sk": f"TODO#{ident}", "kind": "work",
        "doc_id": parent_id, "assignee": assignee, "unit": unit or "", "part": "action",
        "action": action.value, "link": link, "instruction": note,
        "deadline": iso(deadline), "assigned_by": by, "assigned_at": iso(now),
        "status": WorkStatus.OPEN.value, "progress": 0, "subject": subject,
        "do_mat": "1" if secret else "", "version": 1,
        "gsi2pk": f"WORK#{assignee}", "gsi2sk": f"{iso(deadline)}#{parent_id}#{action.value}",
        "gsi3pk": OPEN_PARTITION,
        "gsi3sk": f"{iso(deadline)}#{parent_id}#{assignee}#{action.value}",
    }


TODO_PREFIX = "TODO#"


def is_todo(work: dict[str, Any]) -> bool:
    return str(work.get("sk", "")).startswith(TODO_PREFIX)


def todo_prefix(action: Action | None = None) -> str:
    """The sort-key prefix of a parent's pending actions (of one kind)."""
    return TODO_PREFIX + (f"{action.value}#" if action else "")


def action_of(work: dict[str, Any]) -> Action:
    """What the holder of a work item must do: the recorded action, or for parts
    written before actions were recorded, the kind of their parent."""
    if work.get("action"):
        return Action(work["action"])
    kind, _ = parent_of(work)
    if kind == "DOC":
        if work.get("part") == Part.SUPPORT.value:
            return Action.OPINION
        return Action.ASSIGN if is_unit(work["assignee"]) else Action.HANDLE
    return {"TASK": Action.TASK, "CASE": Action.ANSWER_CASE,
            "DOSSIER": Action.DOSSIER_STEP}.get(kind, Action.TASK)


PAGES = {"DOC": "document", "TASK": "task", "CASE": "complaint", "DOSSIER": "dossier",
         "OUT": "outgoing-doc", "MEETING": "meeting", "INTAKE": "intake"}


def link_of(work: dict[str, Any]) -> str:
    """The page where the action is taken: recorded with the item, or the parent's page."""
    if work.get("link"):
        return str(work["link"])
    kind, ident = parent_of(work)
    return f"/app/{PAGES.get(kind, 'work')}?id={ident}"


def label_of(work: dict[str, Any]) -> str:
    return ACTION_RULES[action_of(work)].label


def item_id(work: dict[str, Any]) -> str:
    """A stable name of one work item for the API (its parent and its holder's part)."""
    return f"{work['pk']}/{work['sk']}"


def reopened(before: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """A finished work item given back to its holder (``fresh``, as ``work_item``
    shapes it anew) over the version read: it keeps how it was counted, so that the
    measures take the completion back and count a return for revision rather than
    a new assignment (``work.store.measured``)."""
    return {**fresh, "version": int(before["version"]) + 1, "measured": before.get("measured")}


def reindexed(work: dict[str, Any], deadline: datetime) -> dict[str, Any]:
    """The same open work with a new deadline (an approved extension)."""
    parent_id = work["pk"].split("#", 1)[1]
    suffix = f"#{work['action']}" if is_todo(work) else ""
    return {**work, "deadline": iso(deadline), "version": int(work["version"]) + 1,
            "gsi2sk": f"{iso(deadline)}#{parent_id}{suffix}",
            "gsi3sk": f"{iso(deadline)}#{parent_id}#{work['assignee']}{suffix}"}


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


def role(name: str) -> str:
    """How work items name the holders of a role across the agency (the clerks, the
    leaders, the one-stop desk): any of them may act, and the first to act closes it."""
    return f"ROLE#{name}"


def is_role(assignee: str) -> bool:
    return assignee.startswith("ROLE#")


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


def measured_state(work: dict[str, Any], tz: Any) -> Measured:
    """How a work item counts now (pure: from the item alone)."""
    status = work.get("status")
    assignee = str(work.get("assignee", ""))
    deadline = instant(work.get("deadline"))
    done_at = instant(work.get("completed_at"))
    if status == WorkStatus.DONE.value:
        if deadline is None or done_at is None or done_at <= deadline:
            early = (deadline is not None and done_at is not None
                     and done_at.astimezone(tz).date() < deadline.astimezone(tz).date())
            state = "early" if early else "on_time"
        else:
            state = "late"
    elif status == WorkStatus.OPEN.value:
        state = "open"
    elif status == WorkStatus.RETURNED.value:
        state = "handed_back"
    else:
        state = "cancelled"
    if is_person(assignee):
        holder: str | None = assignee
    elif state in COMPLETION_STATES and work.get("completed_by"):
        holder = person(str(work["completed_by"]))  # a queue's item counts for its doer
    else:
        holder = None
    moment = deadline or instant(work.get("assigned_at"))
    month = moment.astimezone(tz).strftime("%Y-%m") if moment else "0000-00"
    unit_holder = unit(str(work["unit"])) if work.get("unit") else None
    return Measured(holder, unit_holder, month, state)

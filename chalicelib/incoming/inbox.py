"""What incoming documents ask of people, as work-inbox items.

The register and distribute steps are pending actions of a role queue
(``work.pending``): the clerks' and the leaders'. The unit's and the officers'
shares are the document's parts (``work.items.work_item``), which carry their
action and link so that the inbox shows them the same way; opening a part is
announced like opening a pending action, so that the notifications treat both
alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.ports import CalendarSource
from chalicelib.work import items
from chalicelib.work.pending import Pending
from chalicelib.work.rules import Action, Part

PARENT = "DOC"
CLERKS = items.role("clerk")
LEADERS = items.role("leader")


def doc_link(doc_id: str) -> str:
    """The page where every action on an incoming document is taken."""
    return f"/app/document?id={doc_id}"


def pending_of(table: Table | None, pending: Pending | None = None, *,
               calendar: CalendarSource | None = None,
               clock: Callable[[], datetime] | None = None) -> Pending:
    return pending or Pending.over(table, calendar, clock)


def subject_of(doc: dict[str, Any]) -> str:
    return str(doc.get("trich_yeu") or doc.get("so_ky_hieu") or "")


def is_secret(doc: dict[str, Any]) -> bool:
    return bool(doc.get("do_mat"))


def officer_action(part: Part, unit_part: str = Part.LEAD.value) -> Action:
    """An officer leading a lead unit's share handles the document; one supporting
    it, or working on a supporting unit's share, gives an opinion."""
    return Action.HANDLE if part is Part.LEAD and unit_part == Part.LEAD.value \
        else Action.OPINION

"""Where staff evaluation keeps its own items, and the only code of the
capability that knows keys:

- the round of a unit for a period: ``EVAL#ROUND#{unit}#{period}`` / ``ROUND``
  (status open → decided → published, the unit's band, who decided and
  published, ``version``) and one item per person under it, sort key
  ``P#{username}`` (self-assessment, the head's proposal, the leader's
  decision, ``version``): one query reads a whole round;
- reviewers' quality marks live on the work item itself (``mark``,
  ``mark_reason``, ``marked_by``, ``marked_at``, the item's ``version`` moved),
  written over the version read; the counters ``mark_<level>`` move in the
  same transaction through ``work.store.count_measure``.

Work items are reached only through the API's ``item_id`` (``work.items.item_id``:
``{pk}/{sk}``), parsed here and checked against the shapes a work item's keys
have; nothing else is built from it.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.adapters.dynamo import put_op, update_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork

ROUND_SORT = "ROUND"
PERSON = "P#"
# A work item's keys, as work.items writes them: a parent (DOC#id, TASK#id…) and
# the holder's part (WORK#U#name, WORK#UNIT#code) or a pending action
# (TODO#{action}#{holder}).
_ITEM_ID = re.compile(
    r"(?P<pk>[A-Z]{2,12}#[A-Za-z0-9_.:-]{1,100})/"
    r"(?P<sk>(?:WORK#|TODO#[a-z_.]{1,60}#)(?:U|UNIT|ROLE)#[A-Za-z0-9_.-]{1,64})")


def _round_pk(unit: str, period: str) -> str:
    return f"EVAL#ROUND#{unit}#{period}"


def parse_item_id(item_id: str) -> tuple[str, str] | None:
    """(pk, sk) of a work item named as the API names it, or None when the text
    is not the name of a work item."""
    match = _ITEM_ID.fullmatch(item_id or "")
    return (match.group("pk"), match.group("sk")) if match else None


class EvaluationStore(TableStore):
    # ---- work items (marks)

    def work_item(self, item_id: str) -> dict[str, Any] | None:
        """The work item the API calls ``item_id``, read strongly consistent (the
        mark is written over its version); None when there is none."""
        keys = parse_item_id(item_id)
        if keys is None:
            return None
        item = self.table.get(*keys, consistent=True)
        return item if item is not None and item.get("kind") == "work" else None

    def mark(self, uow: UnitOfWork, work: dict[str, Any], *, mark: str, reason: str,
             by: str, at: str) -> dict[str, Any]:
        """The mark on the work item, over the version read."""
        version = int(work["version"])
        after = {**work, "mark": mark, "mark_reason": reason, "marked_by": by, "marked_at": at,
                 "version": version + 1}
        uow.add(update_op(
            work["pk"], work["sk"],
            "SET #m = :m, mark_reason = :r, marked_by = :b, marked_at = :a, #v = :nv",
            condition="#v = :v AND #s = :done",
            names={"#m": "mark", "#v": "version", "#s": "status"},
            values={":m": mark, ":r": reason, ":b": by, ":a": at, ":nv": version + 1,
                    ":v": version, ":done": "done"}))
        return after

    # ---- rounds

    def round(self, unit: str, period: str, *, consistent: bool = False
              ) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
        """The round's header (None before anything was written) and its people by
        username: one query (a unit has at most a few hundred people)."""
        header: dict[str, Any] | None = None
        people: dict[str, dict[str, Any]] = {}
        cursor = None
        while True:
            page = self.table.query(_round_pk(unit, period), limit=500, cursor=cursor,
                                    consistent=consistent)
            for item in page.items:
                if item["sk"] == ROUND_SORT:
                    header = item
                elif item["sk"].startswith(PERSON):
                    people[item["username"]] = item
            cursor = page.cursor
            if not cursor:
                return header, people

    def entry(self, unit: str, period: str, username: str) -> dict[str, Any] | None:
        return self.table.get(_round_pk(unit, period), f"{PERSON}{username}", consistent=True)

    def header(self, unit: str, period: str) -> dict[str, Any] | None:
        return self.table.get(_round_pk(unit, period), ROUND_SORT, consistent=True)

    def save_entry(self, uow: UnitOfWork, unit: str, period: str,
                   before: dict[str, Any] | None, entry: dict[str, Any]) -> dict[str, Any]:
        """A person's item of the round, new or over the version read."""
        item = {**entry, "pk": _round_pk(unit, period), "sk": f"{PERSON}{entry['username']}",
                "kind": "eval_entry", "unit": unit, "period": period}
        uow.add(_versioned(item, before))
        return item

    def save_header(self, uow: UnitOfWork, unit: str, period: str,
                    before: dict[str, Any] | None, header: dict[str, Any]) -> dict[str, Any]:
        """The round's header, new or over the version read: every change of a
        round moves it, so two changes of one round never both win."""
        item = {**header, "pk": _round_pk(unit, period), "sk": ROUND_SORT, "kind": "eval_round",
                "unit": unit, "period": period}
        uow.add(_versioned(item, before))
        return item


def _versioned(item: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    if before is None:
        return put_op({**item, "version": 1}, condition="attribute_not_exists(pk)")
    return put_op({**item, "version": int(before["version"]) + 1}, condition="#v = :v",
                  names={"#v": "version"}, values={":v": int(before["version"])})

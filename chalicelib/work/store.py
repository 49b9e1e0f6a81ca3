"""Where the work tracking keeps its own items, and the only code that knows
their keys. (Work items themselves are shaped by ``work.items`` and written
under their parent by the capability that owns the parent.)

- open work: the sparse indexes gsi2 ``WORK#{assignee}`` / ``{deadline}#{parent}``
  (one assignee's open work by deadline) and gsi3 ``OPENWORK`` /
  ``{deadline}#{parent}#{assignee}`` (everything open, by deadline);
- pending actions (``work.items.todo``): under their parent, sort key
  ``TODO#{action}#{assignee}``, in the same open-work indexes;
- reminder preferences: ``USER#{username}/PREFS`` (digest, instant, due_soon_days,
  per-kind mail choices), also in the person's gsi2 partition after every
  deadline (sort key ``~PREFS``) so that the inbox reads them with the work;
- once-a-day claims: ``DIGEST#{user}`` / ``ESCALATE#{user}`` / ``WEEKLY#{user}``,
  sort key the day or the ISO week, expiring after 40 days; once-per-item
  claims ``OVERDUE#{user}`` / ``{item id}`` (the overdue notice), the same;
- weekly completion counters: ``STATS#work#{unit}/{ISO week}`` (early, on_time,
  late), added to by the transaction that completes the work (``add_counter``);
- monthly measures for staff evaluation and the dashboard:
  ``STATS#eval#U#{username}`` and ``STATS#eval#UNIT#{code}`` / ``{YYYY-MM}``
  (assigned, completed, early, on_time, late, returned, extensions_asked,
  extensions_granted, mark_*), moved by every write of a work item in the same
  transaction (``measured``): each item remembers how it was counted
  (``measured``), so a write moves the counters by the difference; their
  ``overdue_open`` is SET (not added) by the hourly overdue snapshot
  (``dashboard.snapshot``), which keeps what it set last in
  ``STATS#overdue`` / ``LAST`` (the keys it set, the agency's overdue now by
  unit, person and kind of work) so that the next run zeroes what is no longer
  overdue;
- closed work that counts for a person (done, or handed back): the sparse gsi2
  entry ``COUNTED#U#{username}`` / ``{YYYY-MM}#{pk}#{sk}`` (the month it counts
  in), set by ``measured`` when the item leaves the open-work index, so that
  staff evaluation lists the items behind a person's month (``counted``) without
  a scan. Items closed before this index existed are not in it.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import Page, Table, put_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.kernel.events import DomainEvent, iso
from chalicelib.kernel.ports import UnitOfWork as UnitOfWorkPort
from chalicelib.work import items

CLAIM_DAYS = 40
# Ids of about 60 characters: well inside DynamoDB's 400 KB per item. Past it, the
# oldest ids are forgotten and their items may be counted as new once more.
SEEN_OVERDUE_MAX = 4000
PREFS_SORT = "~PREFS"  # sorts after every ISO deadline in the person's partition
INBOX_PAGE = 1000  # one page per queue: the inbox is a bounded number of requests


def count_week(uow: UnitOfWorkPort, unit: str, field: str, week: str) -> None:
    """Add one to a unit's weekly counter ``field`` (early, on_time, late) in the
    completing transaction; the unit of work merges every count of one item."""
    uow.count(f"STATS#work#{unit}", week, **{field: 1})


MEASURES = "STATS#eval#"
COUNTED = "COUNTED#"  # gsi2: closed work counted for a person, by month
OVERDUE_STATE = ("STATS#overdue", "LAST")


def measured(uow: UnitOfWork, work: dict[str, Any], *, revise: bool = False) -> dict[str, Any]:
    """The work item to write, with the monthly measures moved to its new state in
    the same unit of work. Every store that writes a work item calls this (the
    parts, the pending actions): counting is never a scan of the work."""
    from chalicelib.kernel.calendar import DEFAULT_TZ
    from chalicelib.work.rules import Measured, WorkStatus, contributions, measure_changes

    after = items.measured_state(work, DEFAULT_TZ)
    before = Measured.from_item(work.get("measured"))
    if before == after:
        return work
    returned = False
    for holder, month, fields in measure_changes(before, after, revise=revise):
        uow.count(f"{MEASURES}{holder}", month, **fields)
        returned = returned or fields.get("returned", 0) > 0
    out = {**work, "measured": after.as_item()}
    if returned:  # how often it was sent back for revision (the evaluation's drill-down)
        out["times_returned"] = int(work.get("times_returned") or 0) + 1
    if out.get("status") != WorkStatus.OPEN.value and after.person \
            and contributions(after.state):
        # Closed work leaves the open-work index (items.closed): it joins the
        # person's counted items by month, for the evaluation's drill-down.
        out["gsi2pk"] = f"{COUNTED}{after.person}"
        out["gsi2sk"] = f"{after.month}#{work['pk']}#{work['sk']}"
    return out


def unmeasured(uow: UnitOfWork, work: dict[str, Any]) -> None:
    """A work item deleted: take back what it counted."""
    from chalicelib.work.rules import Measured, contributions

    before = Measured.from_item(work.get("measured"))
    if before is None:
        return
    for holder in (before.person, before.unit):
        if holder and contributions(before.state):
            uow.count(f"{MEASURES}{holder}", before.month,
                      **{f: -n for f, n in contributions(before.state).items()})


def count_measure(uow: UnitOfWork, holder: str, month: str, **fields: int) -> None:
    """Add to a person's or unit's month directly (extensions, reviewers' marks)."""
    uow.count(f"{MEASURES}{holder}", month, **fields)


class WorkStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- open work

    def open_of(self, assignee: str) -> list[dict[str, Any]]:
        """All open work of one assignee (``items.person``/``items.unit``), by deadline."""
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(f"WORK#{assignee}", index="gsi2", limit=500, cursor=cursor)
            out.extend(i for i in page.items if i.get("kind") == "work")
            cursor = page.cursor
            if not cursor:
                return out

    def inbox(self, person: str, queues: list[str]
              ) -> tuple[list[dict[str, Any]], dict[str, Any] | None, bool]:
        """One request per queue: the person's open work with their preferences
        (the person's partition), then each unit or role queue they answer for.
        Returns the work, the preferences item and whether a queue held more than
        one page (then only the earliest deadlines are listed)."""
        found: list[dict[str, Any]] = []
        prefs: dict[str, Any] | None = None
        more = False
        for assignee in [person, *queues]:
            page = self.table.query(f"WORK#{assignee}", index="gsi2", limit=INBOX_PAGE)
            more = more or bool(page.cursor)
            for item in page.items:
                if item.get("kind") == "prefs":
                    prefs = item
                elif item.get("kind") == "work":
                    found.append(item)
        return found, prefs, more

    # ---- pending actions (written in the owning capability's unit of work)

    def todos(self, parent_key: str, prefix: str) -> list[dict[str, Any]]:
        """The pending actions under a parent (``items.todo_prefix``), read strongly
        consistent: the transaction that closes them follows."""
        return self.table.query(parent_key, sk_prefix=prefix, limit=100, consistent=True).items

    def add_todo(self, uow: UnitOfWork, todo: dict[str, Any]) -> None:
        """A new pending action, or the same action opened again for the same holder
        (a draft sent back to its reviewer)."""
        uow.add(put_op(measured(uow, todo, revise=todo.get("action") == "outgoing.revise")))

    def save_todo(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        """A pending action changed (closed, moved) over the version it was read at."""
        uow.add(put_op(measured(uow, after), condition="#v = :v", names={"#v": "version"},
                       values={":v": before["version"]}))

    def months(self, holders: list[str], months: list[str]
               ) -> dict[tuple[str, str], dict[str, Any]]:
        """The monthly measures of people (``items.person``) or units (``items.unit``):
        one item per holder and month, read in batches of 100."""
        keys = [(f"{MEASURES}{h}", m) for h in holders for m in months]
        found = self.table.batch_get(keys)
        return {(pk[len(MEASURES):], sk): item for (pk, sk), item in found.items()}

    def counted(self, person: str, first_month: str, last_month: str,
                limit: int = 2000) -> list[dict[str, Any]]:
        """The closed work items (done or handed back) counted for a person
        (``items.person``) in the months ``first_month``..``last_month`` (YYYY-MM),
        read a page at a time up to ``limit`` items."""
        out: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while len(out) < limit:
            found, start = self.table.query_range(
                f"{COUNTED}{person}", index="gsi2", low=f"{first_month}#",
                below=f"{last_month}#~", start=start, limit=min(500, limit - len(out)))
            out.extend(i for i in found if i.get("kind") == "work")
            if not start:
                break
        return out

    # ---- the overdue snapshot (dashboard.snapshot)

    def overdue_state(self) -> dict[str, Any] | None:
        """What the last overdue snapshot set: ``keys`` [[holder, month], ...],
        ``at``, ``units``/``people``/``kinds`` (overdue now)."""
        return self.table.get(OVERDUE_STATE[0], OVERDUE_STATE[1], consistent=True)

    def set_overdue(self, counts: dict[tuple[str, str], int], state: dict[str, Any]) -> None:
        """SET each (holder, month)'s ``overdue_open`` to its count (zeros included:
        those no longer overdue), then remember ``state``. Not a transaction: a
        job that dies half-way is set right by the next run, which sets every key
        again from the open work."""
        for (holder, month), n in counts.items():
            self.table.update(f"{MEASURES}{holder}", month,
                              "SET overdue_open = :n, kind = if_not_exists(kind, :k)",
                              values={":n": int(n), ":k": "stats"})
        self.table.put({"pk": OVERDUE_STATE[0], "sk": OVERDUE_STATE[1], "kind": "overdue_state",
                        **state})

    def add_counter(self, uow: UnitOfWork, unit: str, field: str, week: str) -> None:
        count_week(uow, unit, field, week)

    def open_page(self, limit: int) -> Page:
        """The first ``limit`` open items of the agency, oldest deadline first."""
        return self.table.query(items.OPEN_PARTITION, index="gsi3", limit=limit)

    def due_before(self, horizon: datetime) -> list[dict[str, Any]]:
        """Every open item whose deadline is before ``horizon``."""
        return list(items.open_due_before(self.table, iso(horizon), page=1000))

    # ---- preferences

    def preferences(self, username: str) -> dict[str, Any] | None:
        return self.table.get(f"USER#{username}", "PREFS")

    def save_preferences(self, username: str, prefs: dict[str, Any]) -> None:
        """The person's own settings, last write wins (no one else edits them)."""
        self.table.put({"pk": f"USER#{username}", "sk": "PREFS", "kind": "prefs", **prefs,
                        "gsi2pk": f"WORK#{items.person(username)}", "gsi2sk": PREFS_SORT})

    # ---- once-a-day claims

    def claim(self, kind: str, username: str, period: str) -> bool:
        """At most one ``kind`` (DIGEST, ESCALATE, WEEKLY) per person per period,
        however often a job runs or retries."""
        return self.table.put_new({"pk": f"{kind}#{username}", "sk": period, "kind": "claim",
                                   "expires_at": int(time.time()) + CLAIM_DAYS * 86400})

    def release(self, kind: str, username: str, period: str) -> None:
        self.table.delete(f"{kind}#{username}", period)

    # ---- what the person was already told is overdue

    def seen_overdue(self, username: str) -> set[str]:
        item = self.table.get(f"OVERDUE#{username}", "SEEN")
        return set((item or {}).get("items") or [])

    def remember_overdue(self, username: str, item_ids: set[str]) -> None:
        """One item per person holding the ids of their work now overdue and
        announced: one read and one write per person and run, however many items."""
        if not item_ids:
            self.table.delete(f"OVERDUE#{username}", "SEEN")
            return
        self.table.put({"pk": f"OVERDUE#{username}", "sk": "SEEN", "kind": "overdue_seen",
                        "items": sorted(item_ids)[:SEEN_OVERDUE_MAX]})

    # ---- announcements of the jobs

    def publish(self, events: list[DomainEvent]) -> None:
        """Events a job raises outside any change (overdue notices): committed to
        the outbox and published like a change's, so a lost send is swept."""
        uow = UnitOfWork(self.table)
        for event in events:
            uow.emit(event)
        uow.commit()

    # ---- counters

    def week_counters(self, unit: str, week: str) -> dict[str, Any] | None:
        return self.table.get(f"STATS#work#{unit}", week)

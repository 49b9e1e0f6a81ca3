"""The hourly overdue snapshot: the open work that is past its deadline, read
from the open-work index only (``WorkStore.due_before(now)``), written as the
``overdue_open`` measure of each person and unit.

An overdue item counts where the monthly measures count it: for its person (or,
for a unit's or a role's part, no one) and its unit, in the month of its
deadline (``work.items.measured_state``). So for any holder and month,
``overdue_open`` ≤ ``assigned − completed``, which the evaluation rules check.
Each run SETs every (holder, month) it finds and zeroes those it set last time
and finds no more (completed, extended or cancelled since); the keys it set are
kept in one item with the agency's overdue now by unit, person and kind of work,
which the dashboard reads as one item.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.events import iso
from chalicelib.work import items

NO_UNIT = "-"  # a role's queue or the leaders' own action: no unit


class OverdueStore(Protocol):
    def due_before(self, horizon: datetime) -> list[dict[str, Any]]: ...
    def overdue_state(self) -> dict[str, Any] | None: ...
    def set_overdue(self, counts: dict[tuple[str, str], int], state: dict[str, Any]) -> None: ...


def overdue_figures(open_overdue: list[dict[str, Any]], tz: Any
                    ) -> tuple[Counter[tuple[str, str]], dict[str, Any]]:
    """(holder, month) counts, and the overdue now: per unit, per unit's person,
    per unit and kind of parent (DOC, TASK, CASE, DOSSIER, OUT…)."""
    counts: Counter[tuple[str, str]] = Counter()
    units: Counter[str] = Counter()
    people: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for work in open_overdue:
        m = items.measured_state(work, tz)
        if m.state != "open":
            continue
        for holder in (m.person, m.unit):
            if holder:
                counts[(holder, m.month)] += 1
        unit = str(work.get("unit") or "") or NO_UNIT
        kind, _ = items.parent_of(work)
        units[unit] += 1
        kinds[unit][kind] += 1
        if m.person:
            people[unit][items.name_of(m.person)] += 1
    now = {"units": dict(units), "people": {u: dict(c) for u, c in people.items()},
           "kinds": {u: dict(c) for u, c in kinds.items()}}
    return counts, now


def snapshot_overdue(*, store: OverdueStore, clock: Callable[[], datetime],
                     calendar: Callable[[], AgencyCalendar], force: bool = False
                     ) -> dict[str, Any]:
    """One run: skipped on a day off (the cron cannot know holidays), unless forced."""
    now = clock()
    cal = calendar()
    today = now.astimezone(cal.tz).date()
    if not force and not cal.is_working_day(today):
        return {"skipped": "not a working day", "day": today.isoformat()}
    counts, overdue_now = overdue_figures(
        [w for w in store.due_before(now) if str(w.get("deadline", "")) < iso(now)], cal.tz)
    before = store.overdue_state() or {}
    written: dict[tuple[str, str], int] = {k: 0 for k in map(tuple, before.get("keys") or [])}
    written.update(counts)
    store.set_overdue(written, {"at": iso(now), "keys": sorted([h, m] for h, m in counts),
                                **overdue_now})
    return {"overdue": sum(overdue_now["units"].values()), "set": len(counts),
            "zeroed": len(written) - len(counts)}

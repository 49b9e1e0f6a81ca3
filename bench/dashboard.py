"""The leaders' dashboard at two sizes of work history: its reads follow units ×
months, not the work items.

``measure(quick)`` builds, in a freshly provisioned moto (in-process,
``bench/embedded.py``) for each size, a year of work (January–December 2026)
for 10 units of 8 officers each: ``SIZES`` work items (``QUICK_SIZES`` with
``--quick``), each a part of a task with a deadline drawn in the year, done
early, on time or late, or still open (a share of them overdue at the close).
Each item is written as a small ``TASK#…`` / ``WORK#…`` item (open ones in the
open-work indexes, as ``work.items`` shapes them), and the monthly measures
they leave are what ``work.rules.measure_changes`` gives for a new item in its
state, summed in memory per (holder, month) and written with
``Table.batch_write``: the items the transactions' ADDs would leave. The
volume counters (incoming, outgoing) and the one-stop daily counters are
written the same way, a few per unit and month (day).

Then, counted with botocore hooks (requests; items of each Query, BatchGetItem
and GetItem response):

- the overdue snapshot once (``dashboard.snapshot.snapshot_overdue``: it reads
  the open overdue work, which is what it is for; reported, not bounded);
- ``Dashboard.figures`` as a leader for the whole agency over the year;
- ``WorkStore.months`` of one unit over the year (what a unit's evaluation
  reads).

Nothing about a timing is asserted. Standalone: ``python -m bench.dashboard``.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.embedded import embedded_aws
from bench.report import quick_main, table
from bench.work_scale import Probe, ensure_live, probing_every_session

SIZES = (2_000, 20_000)
QUICK_SIZES = (500, 5_000)
UNITS = tuple(f"P{k:02d}" for k in range(1, 11))
OFFICERS = 8
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
SEED = 20261231
CLOSE = datetime(2026, 12, 31, 9, 0, tzinfo=UTC)
OUTCOMES = (("early", 0.4), ("on_time", 0.3), ("late", 0.15), ("open", 0.15))


class CountingProbe(Probe):
    """``Probe`` plus the items of BatchGetItem and GetItem responses."""

    def __init__(self) -> None:
        super().__init__()
        self.items: Counter[str] = Counter()

    def batch_done(self, parsed: Any = None, **_: Any) -> None:
        if self.active:
            for found in ((parsed or {}).get("Responses") or {}).values():
                self.items["BatchGetItem"] += len(found)

    def get_done(self, parsed: Any = None, **_: Any) -> None:
        if self.active and (parsed or {}).get("Item"):
            self.items["GetItem"] += 1

    def specs(self) -> list[tuple[str, Any]]:
        return [*super().specs(), ("after-call.dynamodb.BatchGetItem", self.batch_done),
                ("after-call.dynamodb.GetItem", self.get_done)]

    @contextmanager
    def recording(self) -> Iterator[CountingProbe]:
        self.items = Counter()
        with super().recording():
            yield self

    def read(self) -> int:
        return sum(p.items for p in self.pages) + sum(self.items.values())

    def requests(self) -> str:
        return ", ".join(f"{k.split(':')[1]} ×{v}" for k, v in sorted(self.calls.items()))


def _deadline(rng: random.Random) -> datetime:
    day = date(2026, 1, 1) + timedelta(days=rng.randrange(364))
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)  # 17:00 in Hanoi


def load(n: int, seed: int = SEED) -> dict[str, int]:
    """N work items of 2026 and the counters they leave, written by batch."""
    from chalicelib.adapters.dynamo import Table
    from chalicelib.kernel.calendar import DEFAULT_TZ
    from chalicelib.kernel.events import iso
    from chalicelib.organisation.users import ensure_unit
    from chalicelib.work import items
    from chalicelib.work.rules import Part, WorkStatus, measure_changes

    t = Table()
    for u in UNITS:
        ensure_unit(u, f"Phòng {u}", "specialised", None, table=t)
    rng = random.Random(seed)
    counters: dict[tuple[str, str], Counter[str]] = {}
    work: list[dict[str, Any]] = []
    open_overdue = 0
    for k in range(n):
        unit = rng.choice(UNITS)
        who = items.person(f"{unit.lower()}-{rng.randrange(OFFICERS)}")
        due = _deadline(rng)
        outcome = rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0]
        w = items.work_item({"id": f"{k:08d}", "trich_yeu": f"Việc {k}"}, who, Part.LEAD, "",
                            due, "bench", unit, parent="TASK")
        if outcome != "open" or due > CLOSE:
            done_at = {"early": due - timedelta(days=2), "on_time": due - timedelta(hours=2),
                       "late": due + timedelta(days=3)}.get(outcome, due - timedelta(hours=1))
            w = items.closed(w, WorkStatus.DONE, completed_at=iso(done_at))
        else:
            open_overdue += 1
        after = items.measured_state(w, DEFAULT_TZ)
        for holder, month, fields in measure_changes(None, after):
            counters.setdefault((holder, month), Counter()).update(fields)
        work.append({**w, "measured": after.as_item()})
    stats = [{"pk": f"STATS#eval#{h}", "sk": m, "kind": "stats", **c}
             for (h, m), c in counters.items()]
    volumes = [{"pk": f"STATS#volume#{kind}" + (f"#UNIT#{u}" if u else ""), "sk": m,
                "kind": "stats", "n": rng.randint(1, 50)}
               for kind in ("incoming", "outgoing") for u in (None, *UNITS) for m in MONTHS]
    onestop = [{"pk": f"STATS#onestop#{u}", "sk": f"{m}-{d:02d}", "kind": "stats",
                "received_online": 1, "resolved_on_time": 1}
               for u in UNITS for m in MONTHS for d in (5, 15, 25)]
    t.batch_write(puts=[*work, *stats, *volumes, *onestop])
    return {"work": len(work), "measures": len(stats), "open_overdue": open_overdue,
            "other_counters": len(volumes) + len(onestop)}


def one_size(n: int) -> dict[str, Any]:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.dashboard.service import dashboard_for
    from chalicelib.dashboard.snapshot import snapshot_overdue
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.work import items
    from chalicelib.work.store import WorkStore

    out: dict[str, Any] = {"n": n}
    with embedded_aws(seed_users=False):
        started = time.perf_counter()
        out["loaded"] = load(n)
        out["load_s"] = time.perf_counter() - started
        probe = CountingProbe()
        with probing_every_session(probe):
            out["counted_by"] = ensure_live(probe)
            store = WorkStore(Table())
            with probe.recording():
                out["snapshot"] = snapshot_overdue(store=store, clock=lambda: CLOSE,
                                                   calendar=agency_calendar, force=True)
            out["snapshot_reads"], out["snapshot_requests"] = probe.read(), probe.requests()
            leader = Caller("giamdoc", frozenset({Role.LEADER}), "BGD")
            board = dashboard_for(Table())
            board.figures(leader, date(2026, 1, 1), date(2026, 12, 31))  # warm
            with probe.recording():
                started = time.perf_counter()
                figures = board.figures(leader, date(2026, 1, 1), date(2026, 12, 31))
                out["wall_ms"] = (time.perf_counter() - started) * 1000
            out["reads"], out["requests"] = probe.read(), probe.requests()
            out["work_read"] = sum(p.items for p in probe.pages if p.index == "gsi3")
            out["overdue_total"] = figures["overdue"]["total"]
            out["completed"] = figures["on_time"]["total"]["completed"]
            with probe.recording():
                year = store.months([items.unit(UNITS[0])], MONTHS)
            out["unit_reads"], out["unit_requests"] = probe.read(), probe.requests()
            out["unit_months"] = len(year)
    return out


def measure(quick: bool = False) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    runs = [one_size(n) for n in (QUICK_SIZES if quick else SIZES)]
    return runs, time.perf_counter() - started


def markdown(runs: list[dict[str, Any]], seconds: float, quick: bool) -> str:
    small, big = runs
    ratio = lambda a, b: f"{b / a:.2f}" if a else "—"  # noqa: E731
    rows = [[f"{r['n']:,}", f"{r['loaded']['measures']:,}", f"{r['loaded']['open_overdue']:,}",
             r["snapshot_requests"], f"{r['snapshot_reads']:,}", r["requests"], f"{r['reads']:,}",
             r["work_read"], f"{r['wall_ms']:.0f}", r["unit_requests"], r["unit_reads"]]
            for r in runs]
    return "\n\n".join([
        "## Leaders' dashboard: reads against the work history",
        ("**Quick mode.** " if quick else "")
        + f"A year of work (2026) for {len(UNITS)} units of {OFFICERS} officers, at two sizes "
        f"({small['n']:,} and {big['n']:,} work items: done early, on time, late, or still "
        "open), each size in a freshly provisioned moto in-process. Work items are written as "
        "`work.items` shapes them and the monthly measures as `work.rules.measure_changes` "
        "counts a new item in its state, summed per holder and month and written by batch "
        "(the items the transactions' ADDs would leave); volume and one-stop daily counters "
        "a few per unit and month. Requests and items read are counted with botocore hooks "
        "(Query, BatchGetItem and GetItem responses).",
        table(["work items", "measure items", "open overdue", "snapshot: requests",
               "snapshot: items read", "dashboard (year, all units): requests",
               "dashboard: items read", "dashboard: work items read", "dashboard wall ms",
               "a unit's year of measures: requests", "items read"], rows),
        table(["measure", f"{small['n']:,}", f"{big['n']:,}", "ratio large / small"], [
            ["work items", f"{small['n']:,}", f"{big['n']:,}", ratio(small["n"], big["n"])],
            ["dashboard: items read", small["reads"], big["reads"],
             ratio(small["reads"], big["reads"])],
            ["a unit's year: items read", small["unit_reads"], big["unit_reads"],
             ratio(small["unit_reads"], big["unit_reads"])],
            ["snapshot: items read", small["snapshot_reads"], big["snapshot_reads"],
             ratio(small["snapshot_reads"], big["snapshot_reads"])]]),
        "The dashboard reads the unit list, the units' measures (10 units × 12 months), the "
        "volume counters ((10 + 1) × 12 × 2), the one-stop daily counters (10 units × the "
        "days with an event) and the complaint counters (3 kinds × (12 months + the running "
        "total)), plus the one snapshot item: the "
        "same at both sizes, and never a work item (the `gsi3` open-work index is not "
        "queried). A unit's year is one BatchGetItem of 12 items. The snapshot job reads the "
        "open overdue work, by design: it grows with the overdue work, not with the history "
        "(closed items never enter the open-work index). Wall times are from a shared "
        "machine and moto; read the counts.",
        f"_Whole run: {seconds:.0f} s._",
    ])


def run(quick: bool = False) -> str:
    runs, seconds = measure(quick)
    return markdown(runs, seconds, quick)


def main(argv: list[str] | None = None) -> int:
    return quick_main("python -m bench.dashboard", __doc__, run, argv)


if __name__ == "__main__":
    raise SystemExit(main())

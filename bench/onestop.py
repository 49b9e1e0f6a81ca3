"""One-stop report form 06 at two sizes: its cost follows units × days, not dossiers.

The issue: "bench/: a simulated month of 15,000 dossiers across 10 units; the
report and the dashboard touch O(units × days) items, not O(dossiers): show it
at two sizes and give the ratio; report the wall time of one report."

``measure(quick)`` simulates October 2026 twice, with ``SIZES`` dossiers
(``QUICK_SIZES`` with ``--quick``) spread over the same 10 units, each size in a
freshly provisioned moto (in-process, ``bench/embedded.py``):

- every dossier gets a unit, a receipt instant in working hours on a working
  day, a channel (online or in person, about 60/40), one of the seeded
  procedures in force that day (``SEED_PROCEDURES``) and its appointment
  (``appointment()``), and an outcome drawn with a fixed seed: resolved early,
  on time or late, stopped, paused for papers (then resumed or not), or still
  open; an event after the close of 31 October has not happened yet;
- each event is turned into counter deltas by the domain's own functions
  (``received_deltas``, ``paused_deltas``, ``resumed_deltas``,
  ``resolved_deltas``, ``stopped_deltas``), called as the service calls them;
  the deltas are summed in memory per (unit, day) with ``apply_deltas`` and
  written with ``Table.batch_write`` as ``STATS#onestop#{unit}`` / ``YYYY-MM-DD``
  items: the items the service's ADD updates would leave (an ADD of +1 and -1
  leaves a 0, and so does the sum);
- one small ``DOSSIER#{id}`` item per dossier goes into the same table (the
  shape of the dossier's keys and indexes, not its whole body), so that the
  table holds O(dossiers) items and a report that walked them would cost more.

Then ``chalicelib.onestop.service.form06`` runs for 1–31 October as a leader,
once to warm up, once with DynamoDB requests and items counted by botocore
hooks (``bench/work_scale.py``'s ``Probe``), and ``REPEATS`` times timed. Its
totals are checked (asserted: a correctness check, not a timing) against the
totals counted straight from the simulated dossiers. Nothing about a timing is
asserted.

Standalone: ``python -m bench.onestop [--quick]`` prints the section.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections import Counter
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bench.embedded import embedded_aws
from bench.report import quick_main, table
from bench.work_scale import (
    MotoQueryClock,
    Probe,
    ensure_live,
    probing_every_session,
    timing_calls,
    timing_moto_queries,
)

SIZES = (1_500, 15_000)
QUICK_SIZES = (300, 3_000)
UNITS = tuple(f"P{k:02d}" for k in range(1, 11))
REPEATS, QUICK_REPEATS = 9, 5
SEED = 20261031
MONTH_FROM, MONTH_TO = date(2026, 10, 1), date(2026, 10, 31)
ONLINE_SHARE = 0.6
# Outcome drawn at receipt (then cut at the close of the month).
OUTCOMES = (
    ("early", 0.45), ("on_time", 0.18), ("late", 0.08), ("stopped", 0.04),
    ("paused", 0.15), ("open", 0.10),
)
RESUMED_SHARE = 0.75  # of the paused: the papers come; the rest are still awaited
AFTER_RESUME = (("early", 0.5), ("on_time", 0.25), ("late", 0.1), ("open", 0.15))
# Procedures received, by weight: mostly business registration (3 working days),
# some investment certificates (15 calendar days).
PROCEDURE_WEIGHTS = (
    ("DKDN-TNHH1TV", 30), ("DKDN-THAYDOI", 35), ("DKDN-DNTN", 10), ("DKDN-CAPLAI", 8),
    ("DKDN-TAMNGUNG", 12), ("DKDT-CAPMOI", 5),
)
FORM_FIELDS = ("received_carried_over", "received_online", "received_in_person",
               "resolved_early", "resolved_on_time", "resolved_late",
               "in_progress_within_time", "in_progress_overdue")


# ---------------------------------------------------------------- the month

class Month:
    """Working days and working minutes of the agency calendar, for drawing
    instants; the report closes at the end of ``MONTH_TO``."""

    def __init__(self, cal: Any) -> None:
        self.cal = cal
        self.tz = cal.tz
        self.periods = [(p[0].hour * 60 + p[0].minute, p[1].hour * 60 + p[1].minute)
                        for p in cal.periods]
        days = [MONTH_FROM + timedelta(days=k) for k in range(120)]
        self.working = [d for d in days if cal.is_working_day(d)]
        self.october = [d for d in self.working if d <= MONTH_TO]

    def working_between(self, first: date, last: date) -> list[date]:
        return [d for d in self.working if first <= d <= last]

    def after(self, day: date, n: int) -> date:
        """The n-th working day after ``day``."""
        later = [d for d in self.working if d > day]
        return later[n - 1]

    def instant_on(self, rng: random.Random, day: date,
                   after: datetime | None = None) -> datetime | None:
        """A random working minute of ``day`` (local), later than ``after``;
        None when the day has no working time left."""
        low = -1
        if after is not None:
            local = after.astimezone(self.tz)
            if local.date() > day:
                return None
            if local.date() == day:
                low = local.hour * 60 + local.minute
        spans = [(max(s, low + 1), e) for s, e in self.periods if e > max(s, low + 1)]
        total = sum(e - s for s, e in spans)
        if total <= 0:
            return None
        k = rng.randrange(total)
        for s, e in spans:
            if k < e - s:
                minute = s + k
                break
            k -= e - s
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60,
                        rng.randrange(60), tzinfo=self.tz)

    def instant_between(self, rng: random.Random, first: date, last: date,
                        after: datetime) -> datetime | None:
        days = self.working_between(first, last)
        rng.shuffle(days)
        for day in days:
            found = self.instant_on(rng, day, after)
            if found is not None:
                return found
        return None


def closed(when: datetime, month: Month) -> bool:
    """Whether an event has happened by the close of the report's last day."""
    return when.astimezone(month.tz).date() <= MONTH_TO


@dataclass
class Dossier:
    id: str
    code: str
    unit: str
    online: bool
    procedure: str
    received_at: datetime
    appointment: datetime  # the one in force at the close of the month
    outcome: str  # what was drawn
    state: str = "open"  # at the close of the month: open, paused, resolved, stopped
    resolved_at: datetime | None = None
    paused: bool = False
    resumed: bool = False


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    names = [n for n, _ in weighted]
    return rng.choices(names, weights=[w for _, w in weighted])[0]


def _resolution(rng: random.Random, month: Month, kind: str, after: datetime,
                appointment: datetime) -> datetime | None:
    """An instant of the kind asked for (by local date against the appointment),
    later than ``after``; None when there is none (e.g. early with no day left)."""
    due = appointment.astimezone(month.tz).date()
    if kind == "early":
        return month.instant_between(rng, after.astimezone(month.tz).date(),
                                     due - timedelta(days=1), after)
    if kind == "on_time":
        return month.instant_on(rng, due, after)
    if kind == "late":
        return month.instant_on(rng, month.after(due, rng.randint(1, 3)), after)
    return None


def simulate(n: int, cal: Any, seed: int = SEED
             ) -> tuple[list[Dossier], dict[tuple[str, date], dict[str, int]], Counter[str]]:
    """N dossiers of October 2026 and the counters their events leave, built
    by the domain's functions in the order the service calls them."""
    from chalicelib.onestop import rules as rules
    from chalicelib.onestop.catalogue import SEED_PROCEDURES
    from chalicelib.onestop.service import DEFAULT_RECEIVING_CODE

    month = Month(cal)
    rng = random.Random(seed)
    counters: dict[tuple[str, date], dict[str, int]] = {}
    sequences: Counter[date] = Counter()
    events: Counter[str] = Counter()
    dossiers: list[Dossier] = []
    for k in range(n):
        unit = rng.choice(UNITS)
        day = rng.choice(month.october)
        received = month.instant_on(rng, day)
        assert received is not None
        online = rng.random() < ONLINE_SHARE
        code = _pick(rng, PROCEDURE_WEIGHTS)
        procedure = rules.procedure_in_force(SEED_PROCEDURES, code, day)
        appointment = rules.appointment(procedure, received, cal)
        sequences[day] += 1
        d = Dossier(f"{k:08d}{rng.getrandbits(96):024x}",
                    rules.dossier_code(DEFAULT_RECEIVING_CODE, received, sequences[day]),
                    unit, online, code, received, appointment, _pick(rng, OUTCOMES))
        dossiers.append(d)
        rules.apply_deltas(rules.received_deltas(unit, received, appointment, online=online),
                           counters)
        events["received"] += 1
        scheduled: date | None = rules.overdue_from(appointment)
        clock_from = received
        kind = d.outcome
        if kind == "paused":
            paused_at = month.instant_between(rng, day, appointment.astimezone(month.tz).date(),
                                              received)
            if paused_at is None or paused_at >= appointment or not closed(paused_at, month):
                kind = "open"
            else:
                deltas, scheduled = rules.paused_deltas(unit, paused_at, scheduled)
                rules.apply_deltas(deltas, counters)
                d.paused, d.state = True, "paused"
                events["paused"] += 1
                if rng.random() >= RESUMED_SHARE:
                    continue  # the papers have not come
                resumed_at = month.instant_on(
                    rng, month.after(paused_at.astimezone(month.tz).date(), rng.randint(1, 5)))
                assert resumed_at is not None
                if not closed(resumed_at, month):
                    continue
                # As onestop.supplied: the working-time rule, whatever the day count.
                appointment = rules.appointment_after_pause(appointment, paused_at, resumed_at,
                                                            cal)
                deltas, scheduled = rules.resumed_deltas(unit, resumed_at, appointment,
                                                         scheduled)
                rules.apply_deltas(deltas, counters)
                d.appointment, d.resumed, d.state = appointment, True, "open"
                events["resumed"] += 1
                clock_from = resumed_at
                kind = _pick(rng, AFTER_RESUME)
        if kind == "stopped":
            stopped_at = month.instant_between(rng, clock_from.astimezone(month.tz).date(),
                                               appointment.astimezone(month.tz).date(),
                                               clock_from)
            if stopped_at is not None and closed(stopped_at, month):
                rules.apply_deltas(rules.stopped_deltas(unit, stopped_at, scheduled), counters)
                d.state = "stopped"
                events["stopped"] += 1
            continue
        resolved_at = _resolution(rng, month, kind, clock_from, appointment)
        if resolved_at is not None and closed(resolved_at, month):
            rules.apply_deltas(rules.resolved_deltas(unit, resolved_at, appointment, scheduled),
                               counters)
            d.state, d.resolved_at = "resolved", resolved_at
            events["resolved"] += 1
    return dossiers, counters, events


def expected_rows(dossiers: list[Dossier], tz: Any) -> dict[str, dict[str, int]]:
    """Form 06 per unit counted straight from the dossiers (no counters): what
    the report must say. Early / on time / late by local date against the
    appointment in force; open at the close of the month is overdue when its
    appointment date has come, unless the clock stands for papers."""
    rows = {u: dict.fromkeys(FORM_FIELDS, 0) for u in UNITS}
    for d in dossiers:
        row = rows[d.unit]
        row["received_online" if d.online else "received_in_person"] += 1
        if d.state == "resolved":
            assert d.resolved_at is not None
            done = d.resolved_at.astimezone(tz).date()
            due = d.appointment.astimezone(tz).date()
            row["resolved_early" if done < due else "resolved_on_time" if done == due
                else "resolved_late"] += 1
        elif d.state in ("open", "paused"):
            overdue = d.state == "open" and d.appointment.astimezone(tz).date() <= MONTH_TO
            row["in_progress_overdue" if overdue else "in_progress_within_time"] += 1
    return {u: r for u, r in rows.items() if any(r.values())}


# ---------------------------------------------------------------- loading

def _dossier_item(d: Dossier, tz: Any) -> dict[str, Any]:
    """A small item with the dossier's keys and indexes (onestop.receive)."""
    from chalicelib.kernel.events import iso

    local = d.received_at.astimezone(tz)
    return {"pk": f"DOSSIER#{d.id}", "sk": "DOSSIER", "kind": "dossier", "id": d.id,
            "code": d.code, "procedure_code": d.procedure, "owner_unit": d.unit,
            "channel": "online" if d.online else "in_person", "state": d.state,
            "received_at": iso(d.received_at), "appointment_at": iso(d.appointment),
            "gsi1pk": f"DOSSIERCODE#{d.code}", "gsi1sk": d.id,
            "gsi3pk": f"DOSSIERS#{local:%Y-%m}", "gsi3sk": f"{iso(d.received_at)}#{d.id}"}


def _counter_item(unit: str, day: date, counters: dict[str, int]) -> dict[str, Any]:
    return {"pk": f"STATS#onestop#{unit}", "sk": day.isoformat(), **counters}


def _table_items() -> int:
    """Items moto holds in the table (its backend, not a Scan)."""
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    account = client("sts").get_caller_identity()["Account"]
    region = client("dynamodb").meta.region_name
    moto_table = dynamodb_backends[account][region].get_table(get_settings().table_name)
    return sum(len(by_range) for by_range in moto_table.items.values())


# ---------------------------------------------------------------- measuring

@dataclass
class Walk:
    requests: int
    items: int
    bytes: int
    read_units: float
    wall: float


@dataclass
class SizeRun:
    dossiers: int
    simulated: Counter[str]
    states: Counter[str]
    channels: Counter[str]
    counter_items: int
    counter_items_to_month_end: int
    table_items: int
    simulate_s: float
    load_s: float
    requests: Counter[str] = field(default_factory=Counter)
    items_read: int = 0
    read_units: float = 0.0
    service_reads: int = 0
    bytes_read: int = 0
    values_read: int = 0  # counter attributes in the counter items read
    walls: list[float] = field(default_factory=list)
    inside_query: list[float] = field(default_factory=list)  # moto's Table.query
    inside_moto: list[float] = field(default_factory=list)  # all of moto's handling
    empty_query_ms: float = 0.0
    walk: Walk | None = None  # the baseline: reading the month's dossiers instead
    total: dict[str, Any] = field(default_factory=dict)
    counted_by: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def outside_moto(self) -> float:
        return statistics.median(w - m for w, m in zip(self.walls, self.inside_moto, strict=True))

    @property
    def query(self) -> float:
        return statistics.median(self.inside_query)

    @property
    def moto_rest(self) -> float:
        return statistics.median(m - q for m, q in zip(self.inside_moto, self.inside_query,
                                                         strict=True))

    @property
    def request_count(self) -> int:
        return sum(self.requests.values())


def timing_moto(clock: MotoQueryClock) -> AbstractContextManager[MotoQueryClock]:
    """Time spent in moto altogether: its botocore stub answers every request
    in-process (parsing, the backend, serialising the response)."""
    from moto.core.botocore_stubber import BotocoreStubber

    return timing_calls(BotocoreStubber, "process_request", clock)


def _walk_dossiers(probe: Probe) -> Walk:
    """The baseline a report over the dossiers would be: every dossier of the
    month through its month index (``gsi3pk = DOSSIERS#2026-10``, the key
    ``list_visible`` reads), 1,000 a page, counted and timed once."""
    from chalicelib.adapters.dynamo import Table

    tab, seen, start = Table(), 0, None
    with probe.recording():
        started = time.perf_counter()
        while True:
            items, start = tab.query_range(f"DOSSIERS#{MONTH_FROM:%Y-%m}", index="gsi3",
                                           low=None, below=None, start=start, limit=1000)
            seen += len(items)
            if not start:
                break
        wall = time.perf_counter() - started
    return Walk(sum(probe.calls.values()), sum(p.items for p in probe.pages),
                sum(p.bytes for p in probe.pages), sum(p.read_units for p in probe.pages),
                wall)


def _empty_query_ms() -> float:
    from chalicelib.adapters.dynamo import Table

    times = []
    for _ in range(5):
        started = time.perf_counter()
        Table().query_range("STATS#onestop#NONE", index=None, low=None, below="9999",
                            start=None, limit=1000)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def measure_size(n: int, repeats: int, probe: Probe) -> SizeRun:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.onestop import service as onestop
    from chalicelib.organisation.service import list_units
    from chalicelib.organisation.users import ensure_unit

    with embedded_aws(seed_users=False):
        tab = Table()
        for code in UNITS:
            ensure_unit(code, f"Phòng {code}", "specialised", table=tab)
        cal = agency_calendar()
        started = time.perf_counter()
        dossiers, counters, events = simulate(n, cal)
        simulate_s = time.perf_counter() - started
        started = time.perf_counter()
        counter_items = [_counter_item(u, d, c) for (u, d), c in sorted(counters.items())]
        tab.batch_write(puts=counter_items)
        tab.batch_write(puts=[_dossier_item(d, cal.tz) for d in dossiers])
        load_s = time.perf_counter() - started
        units = sorted(u["code"] for u in list_units(tab))
        if units != list(UNITS):
            raise RuntimeError(f"the table has units {units}, not the 10 of the benchmark")
        run = SizeRun(
            n, events, Counter(d.state for d in dossiers),
            Counter("online" if d.online else "in person" for d in dossiers),
            len(counter_items), sum(1 for (_, d) in counters if d <= MONTH_TO),
            _table_items(), simulate_s, load_s)
        run.counted_by = ensure_live(probe)
        leader = Caller("lanhdao", frozenset({Role.LEADER}), unit="BGD")

        def report() -> dict[str, Any]:
            return onestop.form06(leader, frm=MONTH_FROM, to=MONTH_TO, table=Table())

        first = report()  # warm-up (imports, clients)
        _check(first, dossiers, cal.tz, n)
        with probe.recording():
            counted = report()
        run.requests = Counter(probe.calls)
        run.items_read = sum(p.items for p in probe.pages)
        run.bytes_read = sum(p.bytes for p in probe.pages)
        run.read_units = sum(p.read_units for p in probe.pages)
        run.values_read = sum(len(c) for (_, d), c in counters.items() if d <= MONTH_TO)
        run.service_reads = int(counted["counter_items_read"])
        run.total = counted["total"]
        gc.collect()
        gc.freeze()  # moto's items out of the collector's way while timing
        try:
            for _ in range(repeats):
                query, moto = MotoQueryClock(), MotoQueryClock()
                with timing_moto_queries(query), timing_moto(moto):
                    started = time.perf_counter()
                    report()
                    run.walls.append(time.perf_counter() - started)
                run.inside_query.append(query.wall)
                run.inside_moto.append(moto.wall)
            run.empty_query_ms = _empty_query_ms()
            run.walk = _walk_dossiers(probe)
            if run.walk.items != n:
                raise RuntimeError(f"the month index holds {run.walk.items} dossiers, not {n}")
        finally:
            gc.unfreeze()
    return run


def _check(report: dict[str, Any], dossiers: list[Dossier], tz: Any, n: int) -> None:
    """The report's figures against the ones counted from the dossiers."""
    expected = expected_rows(dossiers, tz)
    got = {r["unit"]: {k: int(r[k]) for k in FORM_FIELDS} for r in report["rows"]}
    assert got == expected, f"form 06 rows differ from the dossiers: {got} != {expected}"
    total = {k: int(report["total"][k]) for k in FORM_FIELDS}
    want = {k: sum(r[k] for r in expected.values()) for k in FORM_FIELDS}
    assert total == want, f"form 06 total differs from the dossiers: {total} != {want}"
    assert int(report["total"]["received_total"]) == n, "not every dossier was received"


def measure(quick: bool) -> tuple[list[SizeRun], float]:
    started = time.perf_counter()
    sizes, repeats = (QUICK_SIZES, QUICK_REPEATS) if quick else (SIZES, REPEATS)
    probe = Probe()
    with probing_every_session(probe):
        runs = [measure_size(n, repeats, probe) for n in sizes]
    return runs, time.perf_counter() - started


# ---------------------------------------------------------------- the section

def _ratio(big: float, small: float) -> str:
    return f"{big / small:.2f}" if small else "-"


def _ops(calls: Counter[str]) -> str:
    return ", ".join(f"{op.split(':', 1)[1]} ×{k}" for op, k in sorted(calls.items())) or "-"


def markdown(runs: list[SizeRun], seconds: float, quick: bool) -> str:
    small, big = runs[0], runs[-1]
    sim_rows = []
    for r in runs:
        s = r.states
        sim_rows.append([
            f"{r.dossiers:,}", f"{r.channels['online']:,} / {r.channels['in person']:,}",
            f"{r.total['resolved_early']:,} / {r.total['resolved_on_time']:,} / "
            f"{r.total['resolved_late']:,}",
            f"{s['stopped']:,}", f"{r.simulated['paused']:,} ({r.simulated['resumed']:,})",
            f"{s['open'] + s['paused']:,} ({r.total['in_progress_overdue']:,})",
            f"{r.counter_items:,} ({r.counter_items_to_month_end:,})", f"{r.dossiers:,}",
            f"{r.table_items:,}", f"{r.simulate_s:.1f}", f"{r.load_s:.1f}"])
    cost_rows = [[f"{r.dossiers:,}", _ops(r.requests), r.items_read, r.service_reads,
                  f"{r.values_read:,}", f"{r.bytes_read:,}", f"{r.read_units:g}",
                  f"{1000 * r.wall:.1f}",
                  f"{1000 * min(r.walls):.1f}–{1000 * max(r.walls):.1f}",
                  f"{1000 * r.query:.1f}", f"{1000 * r.moto_rest:.1f}",
                  f"{1000 * r.outside_moto:.1f}", f"{r.empty_query_ms:.1f}"] for r in runs]

    def row(label: str, a: float, b: float, fmt: str = "{:,}") -> list[object]:
        return [label, fmt.format(a), fmt.format(b), _ratio(b, a)]

    ms = "{:,.1f}"
    ratio_rows = [
        row("dossiers", small.dossiers, big.dossiers),
        row("items in the table", small.table_items, big.table_items),
        row("counter items in the table", small.counter_items, big.counter_items),
        row("DynamoDB requests of one report", small.request_count, big.request_count),
        row("items read by one report", small.items_read, big.items_read),
        row("counter values in them", small.values_read, big.values_read),
        row("bytes read", small.bytes_read, big.bytes_read),
        row("≈ read units", small.read_units, big.read_units, "{:g}"),
        row("**wall time of one report, ms** (median)", 1000 * small.wall, 1000 * big.wall, ms),
        row("… inside moto's `Table.query`, ms", 1000 * small.query, 1000 * big.query, ms),
        row("… rest of moto (parsing, serialising), ms", 1000 * small.moto_rest,
            1000 * big.moto_rest, ms),
        row("… outside moto (our code, botocore), ms", 1000 * small.outside_moto,
            1000 * big.outside_moto, ms),
        row("one moto Query of an empty partition, ms", small.empty_query_ms,
            big.empty_query_ms, ms),
    ]
    walk_rows = []
    for r in runs:
        w = r.walk
        assert w is not None
        walk_rows.append([f"{r.dossiers:,}", w.requests, f"{w.items:,}", f"{w.bytes:,}",
                          f"{w.read_units:g}", f"{1000 * w.wall:,.1f}",
                          _ratio(w.items, r.items_read), _ratio(w.read_units, r.read_units),
                          _ratio(w.wall, r.wall)])
    wb, ws = big.walk, small.walk
    assert wb is not None and ws is not None
    ratio_rows += [
        row("baseline: items read walking the dossiers", ws.items, wb.items),
        row("baseline: ≈ read units", ws.read_units, wb.read_units, "{:g}"),
        row("baseline: wall time, ms (one run)", 1000 * ws.wall, 1000 * wb.wall, ms),
    ]
    total = big.total
    mode = "**Quick mode** (`--quick`): smaller sizes. " if quick else ""
    same = small.items_read == big.items_read
    values_note = "" if small.values_read == big.values_read else (
        f" The items are as many{'' if same else ' (nearly)'} but not as wide: a counter item "
        "holds only the counters some event touched that day (8 at most), and at the small "
        f"size fewer are touched ({small.values_read:,} counter values against "
        f"{big.values_read:,}), hence more bytes to parse at the large size; that too "
        f"is bounded, by {len(UNITS)} units × 31 days × 8 counters.")
    parts = [
        "## One-stop shop: report form 06 against the number of dossiers",
        f"{mode}A simulated October 2026 at two sizes, {small.dossiers:,} and "
        f"{big.dossiers:,} dossiers, across the same {len(UNITS)} units, each size in a "
        "freshly provisioned moto in-process (moto, not AWS; resources from "
        "`infra/template.yaml` as `tests/conftest.py` provisions them; no demo users, the "
        f"{len(UNITS)} units made with the seed's `users.ensure_unit`). Every dossier has a "
        "unit, a receipt instant in working hours on a working day, a channel (about "
        f"{ONLINE_SHARE:.0%} online), a seeded procedure in force that day with its "
        "appointment from the domain's `appointment()`, and an outcome drawn with a fixed "
        f"seed ({SEED}): resolved early, on time or late, stopped, paused for papers (then "
        "resumed or still waiting), or still open; what would happen after the close of 31 "
        "October has not happened yet. Each event becomes counter deltas through the "
        "domain's `received_deltas`, `paused_deltas`, `resumed_deltas`, `resolved_deltas` "
        "and `stopped_deltas`, called as `onestop/reports.py` calls them; the deltas are "
        "summed in memory per unit and day (`apply_deltas`) and written with "
        "`Table.batch_write` (BatchWriteItem, 25 a request), not one transaction per "
        "event: the same `STATS#onestop#{unit}` / `YYYY-MM-DD` items the service's ADD "
        "updates would leave. One small `DOSSIER#{id}` item per dossier (its keys and "
        "indexes, not its whole body; no work, audit or sequence items) goes into the same "
        "table, so the table really holds O(dossiers) items. Some counter items fall in "
        "November: the overdue +1 written at receipt on an appointment date after the "
        "month.",
        table(["dossiers", "online / in person", "resolved early / on time / late",
               "stopped", "paused (resumed)", "open at the close (overdue)",
               "counter items (to 31 Oct)", "dossier items", "items in the table",
               "simulate s", "load s"], sim_rows),
        "The report is the real `chalicelib.onestop.service.form06(leader, frm=2026-10-01, "
        "to=2026-10-31)` for all units (what `/api/reports/form06` calls; a dashboard "
        "built on the same counters reads the same items): once to warm up, once counted, "
        f"then {len(small.walls)} times timed (median; min–max shown). Requests and items "
        "are counted with botocore handlers (`before-call` for every request, the parsed "
        f"response of each Query for its items; registered through {big.counted_by}); "
        "*≈ read units* are DynamoDB's 4 KB units of the items read, halved for eventually "
        "consistent reads, from the items' sizes in the responses. The wall time is split "
        "into the time inside moto's `Table.query`, the rest of moto's handling of the "
        "requests (its botocore stub: parsing the request, serialising the response) and "
        "what is left (our code, botocore); the loaded table is frozen out of the garbage "
        "collector (`gc.freeze()`) while timing.",
        "**Correctness (asserted at both sizes):** every unit's line and the total of the "
        "report equal the figures counted straight from the simulated dossiers (received "
        "online / in person, resolved early / on time / late by local date against the "
        "appointment in force, in progress within time / overdue at the close of 31 "
        f"October). Total at {big.dossiers:,}: received {total['received_total']:,} "
        f"({total['received_online']:,} online, {total['received_in_person']:,} in "
        f"person), resolved {total['resolved_total']:,}, in progress "
        f"{total['in_progress_total']:,} ({total['in_progress_overdue']:,} overdue), "
        f"progress score {total['progress_score']}.",
        "### Cost of one report",
        table(["dossiers", "requests", "items read (hooks)", "counter items read (service)",
               "counter values", "bytes read", "≈ read units", "wall ms (median)",
               "wall ms min–max", "in moto's Table.query ms", "rest of moto ms",
               "outside moto ms", "empty-partition moto Query ms"], cost_rows),
        "### Baseline: reading the month's dossiers instead",
        "What a report computed from the dossiers would at least have to read, measured "
        "in the same run on the same table: every dossier of October through the month "
        "index the dossier list uses (`gsi3pk = DOSSIERS#2026-10`, 1,000 a page; the "
        "`DOSSIER#` items here hold only keys and a few fields; real dossiers carry "
        "their procedure, steps and timeline, so their read units would be more), "
        "counted like the report and timed once.",
        table(["dossiers", "requests", "items read", "bytes read", "≈ read units",
               "wall ms", "items: walk / report", "read units: walk / report",
               "wall: walk / report"], walk_rows),
        "### Ratio large / small (same run)",
        table(["measure", f"{small.dossiers:,} dossiers", f"{big.dossiers:,} dossiers",
               "ratio large / small"], ratio_rows),
        f"With {big.dossiers / small.dossiers:.0f}× the dossiers the report makes the same "
        f"requests ({_ops(big.requests)}: the unit list, then one Query per unit over its "
        "days) and reads the unit items plus the counter items up to 31 October: at most "
        f"{len(UNITS)} units × 31 days ({big.counter_items_to_month_end} at the large size: "
        "events fall on working days), whatever the number of dossiers"
        + ("" if same else
           " (fewer at the small size, where some unit had no event on some day)")
        + ". Nothing in the report reads a `DOSSIER#` item." + values_note
        + " In DynamoDB a Query costs by the bytes it reads, so a report costs about the "
        "same at both sizes. The wall time here grows, and the split says where: moto "
        "answers every Query on the table by sorting every item the table holds "
        "(`moto/dynamodb/models/table.py`, `Table.query` → `all_items()`) before keeping "
        "the partition, so the time inside moto's `Table.query` follows the whole table "
        "(as the Query of an empty partition shows), although the items returned do not. "
        "The rest (moto's serialising, botocore's parsing, our code) follows the bytes "
        "and counter values read, which are bounded. Wall times are from a shared "
        "machine: read the ratios, not the milliseconds.",
        f"_Whole run: {seconds:.0f} s._",
    ]
    return "\n\n".join(parts)


def run(quick: bool = False) -> str:
    runs, seconds = measure(quick)
    return markdown(runs, seconds, quick)


def main(argv: list[str] | None = None) -> int:
    return quick_main("python -m bench.onestop", __doc__, run, argv,
                      f"{QUICK_SIZES[0]:,} and {QUICK_SIZES[1]:,} dossiers instead of "
                      f"{SIZES[0]:,} and {SIZES[1]:,}")


if __name__ == "__main__":
    raise SystemExit(main())

"""Reminder and escalation jobs at scale: AWS calls and time against the due work.

The issue: "The reminder and escalation jobs read only open work through an
index keyed for them (no Scan). bench/: 10,000 users and 200,000 open tasks of
which 20,000 are due soon or overdue: report the AWS calls and wall time, and
show that they grow with the due items, not with all items (run at two sizes,
give the ratio)."

``run(quick)`` loads a synthetic department into moto in-process three times and
runs the real ``chalicelib.work.service.send_digests`` and ``escalate`` on each:

- A: all the open work, of which the due part (due soon or overdue);
- B: only that same due part (the total 10x smaller, the due part identical);
- C: all the open work again, with a tenth of the due part.

B/A says whether a job's cost follows all the open work (ratio near 0.1) or only
the due part (ratio near 1); C/A says whether it falls with the due part. The
sizes are the issue's divided by one factor (``FULL_DIVISOR``; ``QUICK_DIVISOR``
with ``--quick``), because moto cannot run 200,000 items in time: loading is
fine (about half a millisecond an item), but the jobs' thousands of calls each
cost far more in moto than on AWS (moto's Query reads only its partition since
``chalicelib/local/moto_patches.py``).
The report says which factor was used and why, with figures of the run;
``--divisor 1`` runs the issue's sizes (slow: see the report's estimate).

Wiring into ``make bench`` (bench/run.py, not edited here): add ``"work"`` to
``FAMILIES`` and a family function

    def work(quick: bool) -> tuple[str, bool]:
        from bench import work_scale

        text, ok = _attempt("work", lambda: work_scale.run(quick))
        return _with_stamp(text, quick, "## Work tracking: reminder and escalation at scale"), ok

dispatched from ``main`` with ``elif name == "work": section, ok = work(args.quick)``.
``write_section("work", section)`` then puts the text between
``<!-- bench:work:start -->`` and ``<!-- bench:work:end -->`` in
docs/performance.md. ``run`` returns a section that starts with its own
``## `` heading, which ``_with_stamp`` keeps first. Standalone:
``python -m bench.work_scale [--quick] [--divisor N]`` prints the section.

Nothing here is asserted: figures are written down for people to read.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.embedded import embedded_aws
from bench.report import table

REGION = "ap-southeast-1"

# The issue's figures, and the sizes measured (each divided by the same factor).
ISSUE_USERS = 10_000
ISSUE_SIZES = (  # name, open work items, of which due soon or overdue
    ("A", 200_000, 20_000),
    ("B", 20_000, 20_000),
    ("C", 200_000, 2_000),
)
FULL_DIVISOR = 10
QUICK_DIVISOR = 100
UNITS_FULL, UNITS_QUICK = 24, 8  # "a few dozen" units; not scaled (see the report)
HEADS_PER_UNIT = 2
UNIT_SHARE = 0.15  # share of the work assigned to a unit (its heads get it), not a person
PAGE = 1000  # the limit of the jobs' OPENWORK query (work._due_before)

# Tuesday 10 March 2026, 07:30 in Hanoi: the digest's cron time on a working day.
NOW = datetime(2026, 3, 10, 0, 30, tzinfo=UTC)
DUE_FROM, DUE_TO = timedelta(days=-12), timedelta(hours=36)  # overdue .. within 2 working days
LATER_FROM, LATER_TO = timedelta(days=14), timedelta(days=180)  # beyond any reminder window
SEED_DUE, SEED_LATER = 20260310, 20260311

SUBJECTS = (
    "Về việc báo cáo tình hình thực hiện kế hoạch đầu tư công năm 2026",
    "Đề nghị thẩm định hồ sơ điều chỉnh chủ trương đầu tư dự án",
    "Về việc góp ý dự thảo quyết định ban hành quy chế phối hợp",
    "Triển khai kế hoạch cải cách hành chính quý I",
    "Rà soát danh mục dự án kêu gọi đầu tư giai đoạn 2026-2030",
)




# ---------------------------------------------------------------- counting

def _item_bytes(raw: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it (attribute names plus values; numbers
    approximated), from the low-level JSON of a response."""
    def value(v: dict[str, Any]) -> int:
        kind, inner = next(iter(v.items()))
        if kind in ("S", "B"):
            return len(inner.encode()) if isinstance(inner, str) else len(inner)
        if kind == "N":
            return len(inner.strip("-").replace(".", "")) // 2 + 2
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "L":
            return 3 + sum(1 + value(x) for x in inner)
        if kind == "M":
            return 3 + sum(1 + len(k.encode()) + value(x) for k, x in inner.items())
        if kind in ("SS", "BS"):
            return sum(len(x.encode()) if isinstance(x, str) else len(x) for x in inner)
        return sum(len(x) // 2 + 2 for x in inner)  # NS

    return sum(len(name.encode()) + value(v) for name, v in raw.items())


@dataclass
class QueryPage:
    index: str
    partition: str
    items: int
    bytes: int

    @property
    def read_units(self) -> float:
        """What DynamoDB charges for the page: 4 KB units of the items read,
        half for an eventually consistent read (as the jobs' queries are)."""
        return max(1, math.ceil(self.bytes / 4096)) * 0.5


class Probe:
    """botocore handlers, as in bench/aws_calls.py: ``before-call`` counts every
    API call once (retries not counted); a Query's index and partition are kept
    from its parameters and its page is measured from the parsed response."""

    def __init__(self) -> None:
        self.active = False
        self.calls: Counter[str] = Counter()
        self.pages: list[QueryPage] = []

    def before_call(self, model: Any = None, **_: Any) -> None:
        if self.active and model is not None:
            self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def query_params(self, params: Any = None, context: Any = None, **_: Any) -> None:
        if self.active and isinstance(context, dict) and isinstance(params, dict):
            pk = (params.get("ExpressionAttributeValues") or {}).get(":pk") or {}
            context["bench_work_query"] = (params.get("IndexName") or "table",
                                           str(next(iter(pk.values()), "?")))

    def query_done(self, parsed: Any = None, context: Any = None, **_: Any) -> None:
        if self.active and isinstance(context, dict) and "bench_work_query" in context:
            index, partition = context["bench_work_query"]
            items = (parsed or {}).get("Items") or []
            self.pages.append(QueryPage(index, partition, len(items),
                                        sum(_item_bytes(i) for i in items)))

    def specs(self) -> list[tuple[str, Callable[..., None]]]:
        return [("before-call", self.before_call),
                ("provide-client-params.dynamodb.Query", self.query_params),
                ("after-call.dynamodb.Query", self.query_done)]

    @contextmanager
    def recording(self) -> Iterator[Probe]:
        self.calls, self.pages, self.active = Counter(), [], True
        try:
            yield self
        finally:
            self.active = False


@contextmanager
def probing_every_session(probe: Probe) -> Iterator[Probe]:
    """Handlers in botocore's BUILTIN_HANDLERS reach every session created from
    now on (so every client of ``chalicelib.adapters.aws.client()``)."""
    from botocore import handlers

    specs = [(name, fn, handlers.REGISTER_FIRST) for name, fn in probe.specs()]
    handlers.BUILTIN_HANDLERS.extend(specs)
    try:
        yield probe
    finally:
        for spec in specs:
            handlers.BUILTIN_HANDLERS.remove(spec)


def ensure_live(probe: Probe) -> str:
    """A boto3 default session made before the handlers were added (e.g. by an
    earlier benchmark in the same process) does not have them: register them on
    the DynamoDB client the app uses instead. Returns how the calls are counted."""
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.dynamo import Table

    def seen() -> bool:
        with probe.recording():
            Table().get("BENCH#probe", "PROBE")
        return sum(probe.calls.values()) == 1

    if seen():
        return "botocore BUILTIN_HANDLERS"
    events = client("dynamodb").meta.events
    for name, fn in probe.specs():
        events.register_first(name, fn, unique_id=f"bench-work-{name}")
    if not seen():
        raise RuntimeError("the botocore hooks see no DynamoDB call")
    return "the DynamoDB client's meta.events"


@dataclass
class MotoQueryClock:
    calls: int = 0
    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timing_calls(owner: Any, name: str, clock: MotoQueryClock) -> Iterator[MotoQueryClock]:
    """Every call of the method ``owner.name`` counted and timed (wall and CPU)
    into ``clock`` while the block runs."""
    original = getattr(owner, name)

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            clock.calls += 1
            clock.wall += time.perf_counter() - wall
            clock.cpu += time.process_time() - cpu

    setattr(owner, name, timed)
    try:
        yield clock
    finally:
        setattr(owner, name, original)


def timing_moto_queries(clock: MotoQueryClock) -> AbstractContextManager[MotoQueryClock]:
    """Time spent inside moto's Table.query (moto's own work, not the app's)."""
    from moto.dynamodb.models.table import Table as MotoTable

    return timing_calls(MotoTable, "query", clock)


class CountingMailer:
    """Our mail port (``.send(to=, subject=, text=, html=, attachments=)``), counting."""

    def __init__(self) -> None:
        self.sent = 0
        self.largest = 0
        self.total = 0

    def send(self, *, to: Any, subject: str, text: str, html: str | None = None,
             attachments: Any = ()) -> str:
        size = len(subject.encode()) + len(text.encode()) + len((html or "").encode())
        self.sent += 1
        self.total += size
        self.largest = max(self.largest, size)
        return f"bench-{self.sent}"


# ---------------------------------------------------------------- the department

@dataclass(frozen=True)
class Size:
    name: str
    issue_open: int
    issue_due: int
    open_items: int
    due_items: int

    @property
    def later_items(self) -> int:
        return self.open_items - self.due_items


@dataclass(frozen=True)
class Department:
    units: list[str]
    users: list[tuple[str, str, bool]]  # username, unit, is a head of the unit


def department(n_users: int, n_units: int) -> Department:
    units = [f"P{k + 1:02d}" for k in range(n_units)]
    users = [(f"cb{i:05d}", units[i % n_units], i // n_units < HEADS_PER_UNIT)
             for i in range(n_users)]
    return Department(units, users)


def unit_item(code: str) -> dict[str, Any]:
    # The shape of organisation/users.ensure_unit.
    return {"pk": f"UNIT#{code}", "sk": "UNIT", "kind": "unit", "code": code,
            "name": f"Phòng {code}", "unit_kind": "specialised", "gsi1pk": "UNITS",
            "gsi1sk": code, "version": 1}


def profile_item(username: str, unit: str, head: bool, stamp: str) -> dict[str, Any]:
    # The shape of organisation/users.ensure_user (the table part; no Cognito user).
    return {"pk": f"USER#{username}", "sk": "PROFILE", "kind": "user", "username": username,
            "full_name": f"Cán bộ {username}", "email": f"{username}@skhdt.example",
            "unit": unit, "unit_name": f"Phòng {unit}",
            "title": "Trưởng phòng" if head else "Chuyên viên",
            "roles": ["unit_head"] if head else ["officer"], "status": "active",
            "version": 1, "created_at": stamp, "updated_at": stamp,
            "gsi1pk": f"UNIT#{unit}", "gsi1sk": f"USER#{username}"}


def work_items(dept: Department, n: int, seed: int, low: timedelta,
               high: timedelta) -> Iterator[dict[str, Any]]:
    """Open work built by the app's own ``work.items.work_item`` (so the shape is
    exactly the app's): documents' and tasks' parts, for a person or a unit,
    deadlines uniform in [NOW + low, NOW + high). The same seed gives the same
    items, so sizes share their due part (C's is the first tenth of it)."""
    from chalicelib.work.items import work_item
    from chalicelib.work.rules import Part

    rng = random.Random(seed)
    span = (high - low).total_seconds()
    for k in range(n):
        parent = "DOC" if k % 2 == 0 else "TASK"
        subject: dict[str, Any] = {"id": f"{rng.getrandbits(128):032x}",
                                   "trich_yeu": SUBJECTS[k % len(SUBJECTS)]}
        if parent == "DOC":
            subject.update({"so_den_text": f"{k + 1}/VBĐ", "year": 2026})
        deadline = NOW + low + timedelta(seconds=int(rng.random() * span))
        if rng.random() < UNIT_SHARE:
            unit = rng.choice(dept.units)
            assignee, part = f"UNIT#{unit}", rng.choice((Part.LEAD, Part.SUPPORT))
        else:
            username, unit, _ = rng.choice(dept.users)
            assignee, part = f"U#{username}", Part.LEAD
        yield work_item(subject, assignee, part, "Đề nghị xử lý, báo cáo kết quả.",
                         deadline, "lanhdao", unit, parent=parent)


def backend_put() -> Callable[[dict[str, Any]], None]:
    """Items straight into moto's DynamoDB backend: the same ``put_item`` that
    moto's BatchWriteItem handler calls for each item, without HTTP and botocore."""
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.adapters.aws import client
    from chalicelib.adapters.dynamo import to_dynamo
    from chalicelib.kernel.config import get_settings

    account = client("sts").get_caller_identity()["Account"]
    backend = dynamodb_backends[account][REGION]
    name = get_settings().table_name

    def put(item: dict[str, Any]) -> None:
        backend.put_item(name, to_dynamo(item))

    return put


def load(dept: Department, size: Size) -> tuple[int, float]:
    """Returns the number of items loaded and the seconds it took."""
    from chalicelib.kernel.events import iso

    started = time.perf_counter()
    put = backend_put()
    stamp = iso(NOW - timedelta(days=400))
    count = 0
    for code in dept.units:
        put(unit_item(code))
        count += 1
    for username, unit, head in dept.users:
        put(profile_item(username, unit, head, stamp))
        count += 1
    for item in work_items(dept, size.due_items, SEED_DUE, DUE_FROM, DUE_TO):
        put(item)
        count += 1
    for item in work_items(dept, size.later_items, SEED_LATER, LATER_FROM, LATER_TO):
        put(item)
        count += 1
    return count, time.perf_counter() - started


# ---------------------------------------------------------------- measuring

@dataclass
class JobRun:
    job: str
    result: dict[str, Any]
    calls: Counter[str]
    pages: list[QueryPage]
    mails: CountingMailer
    wall: float
    cpu: float
    moto: MotoQueryClock

    def pages_of(self, partition: str) -> list[QueryPage]:
        return [p for p in self.pages if p.partition == partition]

    def pages_of_index(self, index: str) -> list[QueryPage]:
        return [p for p in self.pages if p.index == index]

    @property
    def openwork(self) -> list[QueryPage]:
        return self.pages_of("OPENWORK")

    @property
    def openwork_items(self) -> int:
        return sum(p.items for p in self.openwork)

    @property
    def read_units(self) -> float:
        return sum(p.read_units for p in self.openwork)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def other_queries(self) -> str:
        kinds = Counter("unit members (gsi1)" if p.index == "gsi1" and p.partition.startswith(
            "UNIT#") else "calendar" if p.partition == "CALENDAR" else f"{p.index} {p.partition}"
            for p in self.pages if p.partition != "OPENWORK")
        return ", ".join(f"{k} ×{n}" for k, n in sorted(kinds.items())) or "-"

    @property
    def cpu_outside_moto_query(self) -> float:
        return self.cpu - self.moto.cpu


@dataclass
class SizeRun:
    size: Size
    users: int
    units: int
    loaded: int
    load_seconds: float
    jobs: list[JobRun] = field(default_factory=list)
    empty_query_ms: float = 0.0  # one moto Query of an empty partition at this table size
    counted_by: str = ""

    def job(self, name: str) -> JobRun:
        return next(j for j in self.jobs if j.job == name)


def _run_job(probe: Probe, name: str, fn: Callable[..., dict[str, Any]]) -> JobRun:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.calendar.service import forget_cached_calendar

    forget_cached_calendar()  # each job reads the calendar once, as a daily Lambda would
    mailer = CountingMailer()
    clock = MotoQueryClock()
    # The loaded table out of the garbage collector's way: otherwise its full
    # collections walk every item moto holds, and land on whatever code happens
    # to allocate, which blurs the split between moto's Query and the rest.
    gc.collect()
    gc.freeze()
    try:
        with timing_moto_queries(clock), probe.recording():
            wall, cpu = time.perf_counter(), time.process_time()
            result = fn(now=NOW, table=Table(), mailer=mailer)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        gc.unfreeze()
    return JobRun(name, result, Counter(probe.calls), list(probe.pages), mailer, wall, cpu, clock)


def _empty_query_ms() -> float:
    from chalicelib.adapters.dynamo import Table

    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        Table().query_from("BENCH#EMPTY", index="gsi3", start=None, limit=1)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def measure_size(probe: Probe, size: Size, dept: Department) -> SizeRun:
    from chalicelib.work.service import escalate, send_digests

    with embedded_aws(seed_users=False):
        loaded, seconds = load(dept, size)
        run = SizeRun(size, len(dept.users), len(dept.units), loaded, seconds)
        run.counted_by = ensure_live(probe)
        run.jobs.append(_run_job(probe, "digest", send_digests))
        run.jobs.append(_run_job(probe, "escalation", escalate))
        run.empty_query_ms = _empty_query_ms()
    return run


def measure(quick: bool = False, divisor: int | None = None) -> tuple[list[SizeRun], int, float]:
    divisor = divisor or (QUICK_DIVISOR if quick else FULL_DIVISOR)
    n_users = ISSUE_USERS // divisor
    dept = department(n_users, UNITS_QUICK if quick else UNITS_FULL)
    sizes = [Size(name, total, due, total // divisor, due // divisor)
             for name, total, due in ISSUE_SIZES]
    started = time.perf_counter()
    with probing_every_session(Probe()) as probe:
        runs = [measure_size(probe, size, dept) for size in sizes]
    return runs, divisor, time.perf_counter() - started


# ---------------------------------------------------------------- the report

def _ratio(num: float, den: float) -> str:
    return f"{num / den:.2f}" if den else "-"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ". " if text else ""


def _ops(calls: Counter[str]) -> str:
    return ", ".join(f"{op.split(':', 1)[1]} ×{n}" for op, n in sorted(calls.items())) or "-"


def _size_table(run: SizeRun) -> str:
    rows = []
    for job in run.jobs:
        outcome = (f"{job.result.get('sent', '?')} sent"
                   + (f", {job.result['skipped']} skipped" if "skipped" in job.result
                      and isinstance(job.result["skipped"], int) else ""))
        rows.append([
            job.job, job.total_calls, _ops(job.calls), len(job.openwork), job.openwork_items,
            f"{job.read_units:g}", job.other_queries, outcome,
            f"{job.mails.largest / 1024:.0f}", f"{job.wall:.2f}", f"{job.cpu:.2f}",
            f"{job.moto.cpu:.2f}", f"{job.cpu_outside_moto_query:.2f}",
        ])
    return table(["job", "AWS calls", "by operation", "OPENWORK pages",
                  "items read from OPENWORK", "≈ read units", "other Queries", "mails",
                  "largest mail KB", "wall s", "CPU s", "CPU in moto Query s",
                  "CPU outside moto Query s"], rows)


def _ratio_table(runs: list[SizeRun]) -> str:
    by = {r.size.name: r for r in runs}
    a = by["A"]
    rows = []
    metrics: list[tuple[str, Callable[[JobRun], float]]] = [
        ("AWS calls", lambda j: j.total_calls),
        ("Query calls on OPENWORK", lambda j: len(j.openwork)),
        ("items read from OPENWORK", lambda j: j.openwork_items),
        ("≈ read units of those Queries", lambda j: j.read_units),
        ("mails sent", lambda j: j.mails.sent),
        ("CPU outside moto's Query", lambda j: j.cpu_outside_moto_query),
        ("CPU inside moto's Query", lambda j: j.moto.cpu),
        ("wall time", lambda j: j.wall),
    ]
    for label, get in metrics:
        row: list[object] = [label]
        for job in ("digest", "escalation"):
            base = get(a.job(job))
            row += [_ratio(get(by[name].job(job)), base) for name in ("B", "C") if name in by]
        rows.append(row)
    return table(["measure", "digest B/A", "digest C/A", "escalation B/A", "escalation C/A"],
                 rows)


def _moto_table(runs: list[SizeRun]) -> str:
    rows = [[r.size.name, f"{r.loaded:,}", f"{r.empty_query_ms:.0f}",
             sum(j.moto.calls for j in r.jobs), f"{sum(j.moto.wall for j in r.jobs):.1f}",
             f"{sum(j.wall for j in r.jobs):.1f}"] for r in runs]
    return table(["size", "items in the table", "one moto Query of an empty partition, ms",
                  "Queries in both jobs", "wall s inside moto's Query", "wall s of both jobs"],
                 rows)


def markdown(runs: list[SizeRun], divisor: int, seconds: float, quick: bool) -> str:
    by = {r.size.name: r for r in runs}
    a = by["A"]
    per_item_ms = 1000 * a.load_seconds / max(a.loaded, 1)
    full_load_s = per_item_ms * (ISSUE_SIZES[0][1] + ISSUE_USERS) / 1000
    scans = sum(j.calls.get("dynamodb:Scan", 0) for r in runs for j in r.jobs)
    all_calls = sum(j.total_calls for r in runs for j in r.jobs)
    services = sorted({op.split(":", 1)[0] for r in runs for j in r.jobs for op in j.calls})
    sizes_rows = [[r.size.name, f"{r.size.issue_open:,} open, {r.size.issue_due:,} due",
                   f"{r.users:,} users in {r.units} units; {r.size.open_items:,} open, "
                   f"{r.size.due_items:,} due", f"{r.loaded:,}", f"{r.load_seconds:.1f}"]
                  for r in runs]
    digest_a, digest_b = a.job("digest"), by["B"].job("digest")
    esc_a, esc_b = a.job("escalation"), by["B"].job("escalation")
    same_due = (digest_a.openwork_items == digest_b.openwork_items
                and esc_a.openwork_items == esc_b.openwork_items)
    calls_note = []
    for name, ja, jb in (("digest", digest_a, digest_b), ("escalation", esc_a, esc_b)):
        diff = Counter(ja.calls)
        diff.subtract(jb.calls)
        diff = Counter({k: v for k, v in diff.items() if v})
        if not diff:
            calls_note.append(f"the {name} made exactly the same calls at A and B")
        else:
            calls_note.append(f"the {name} made {_ops(diff)} more at A than at B")
    paging = ""
    if any(len(ja.openwork) != len(jb.openwork)
           for ja, jb in ((digest_a, digest_b), (esc_a, esc_b))):
        paging = (
            "The extra `OPENWORK` Query at A is an empty last page, and it is moto's paging, "
            f"not the app's: the due part is a whole number of pages ({PAGE} items), and moto "
            "returns a LastEvaluatedKey only when another item of the partition follows the "
            "page (at A the work due later does, at B nothing does). DynamoDB returns one "
            "whenever a page reaches its Limit, so it would make that empty call at both "
            "sizes. ")
    per_mail = ""
    if digest_a.mails.sent:
        queries = digest_a.calls.get("dynamodb:Query", 0)
        per_mail = (
            f"The digest's calls are {(digest_a.total_calls - queries) / digest_a.mails.sent:.1f} "
            "per person mailed (GetItem of the preferences, GetItem of the profile, "
            "the conditional PutItem that claims the day) plus its Queries: "
            "they follow the number of people with due work. ")
    fixed_a = len(digest_a.pages) + len(esc_a.pages) - len(digest_a.openwork) - len(esc_a.openwork)
    due_pages_full = sum(max(1, math.ceil(j.openwork_items * divisor / PAGE))
                         for j in (digest_a, esc_a))
    full_query_min = a.empty_query_ms * divisor * (fixed_a + due_pages_full) / 60_000
    if divisor == 1:
        scale = "**Sizes are the issue's.**"
    else:
        scale = (
            f"**Sizes are the issue's divided by {divisor}**, all of them, because moto cannot "
            f"run the issue's in time on this machine. Loading took {per_item_ms:.2f} ms an "
            f"item here, so A's {ISSUE_SIZES[0][1] + ISSUE_USERS:,} items would take about "
            f"{full_load_s / 60:.0f} min to load, and the jobs' calls (below) take far "
            "longer in moto than on AWS. (moto is patched here, `chalicelib/local/"
            f"moto_patches.py`, so a Query reads its partition: {a.empty_query_ms:.1f} ms for "
            f"an empty partition at A's {a.loaded:,} items; the two jobs would make about "
            f"{fixed_a + due_pages_full} Queries at A's full size, "
            f"≈{full_query_min * 60:.0f} s if that cost grew with the table, which the patch "
            "prevents.) The claim under test is the ratio between sizes, "
            "which a common divisor keeps. The number of units is not divided: it sets a "
            "fixed cost per unit (a Query for its heads), the same at every size.")
    c_note = ""
    if "C" in by:
        digest_c, esc_c = by["C"].job("digest"), by["C"].job("escalation")
        c_note = (
            f"At C the due part is a tenth: the items read from `OPENWORK` "
            f"({digest_c.openwork_items:,} and {esc_c.openwork_items:,}) and the digest's "
            f"per-person calls fall with it ({digest_c.mails.sent:,} people mailed instead of "
            f"{digest_a.mails.sent:,}); what does not fall is fixed or bounded by the "
            "organisation: the calendar read, one Query per unit whose heads get something "
            f"(digest: {len(digest_c.pages_of_index('gsi1'))} at C, "
            f"{len(digest_a.pages_of_index('gsi1'))} at A), and the escalation, whose calls "
            "are one Query per unit with late work and one claim per head of it "
            f"({esc_c.mails.sent} mails at C, {esc_a.mails.sent} at A): as long as every unit "
            "has some work 2 working days late, it costs the same, whatever the amount.")
    mode = ("**Quick mode** (`--quick`). " if quick else "")
    parts = [
        "## Work tracking: reminder and escalation at scale",
        f"{mode}The real `send_digests` and `escalate` (`chalicelib/work/service.py`) run "
        "over moto in-process (resources provisioned from `infra/template.yaml` as "
        "`tests/conftest.py` does), each size on a freshly provisioned and loaded table, "
        f"with `now` = {NOW:%Y-%m-%d %H:%M} UTC (07:30 on a working Tuesday in Hanoi, the "
        "digest's cron time) and a counting mailer of our mail port instead of SES. "
        "Users are profile items of the shape `organisation/users.ensure_user` writes (no "
        "Cognito); work items are built by the app's own `work.items.work_item` (parts of "
        f"documents and of tasks; {UNIT_SHARE:.0%} for a unit, whose heads get them, the "
        f"rest for a person; {HEADS_PER_UNIT} heads per unit; no stored preferences, so "
        "the defaults), written straight into moto's DynamoDB backend (`put_item`, the "
        "call moto's BatchWriteItem handler makes for each item, without HTTP; "
        "`Table.batch_write` took about twice as long in a trial outside this run). "
        f"Due items have deadlines from {abs(DUE_FROM.days)} days ago to "
        f"{DUE_TO.total_seconds() / 3600:.0f} hours ahead (overdue or due within the "
        f"default 2 working days); the rest fall {LATER_FROM.days} to {LATER_TO.days} "
        "days ahead, past any reminder window. AWS calls are counted with botocore "
        f"handlers (`before-call`, once per API call, retries not counted; registered "
        f"through {a.counted_by}); each job starts with the calendar cache emptied (one "
        "Query, as a daily Lambda would). Times: *wall* and the process's *CPU*, and the "
        "CPU spent inside moto's `Table.query`, timed apart; the loaded table is frozen "
        "out of the garbage collector (`gc.freeze()`) during the jobs, so that collections "
        "do not walk it.",
        scale,
        table(["size", "the issue's", "run here", "items in the table", "load s"], sizes_rows),
    ]
    for run in runs:
        parts += [f"### Size {run.size.name}: {run.size.open_items:,} open, "
                  f"{run.size.due_items:,} due", _size_table(run)]
    parts += [
        "### Ratios against A (same run)",
        _ratio_table(runs),
        f"Items read from `OPENWORK`: {'the same' if same_due else '**not** the same'} at A "
        f"and B ({digest_a.openwork_items:,} for the digest, {esc_a.openwork_items:,} for "
        f"the escalation), although B holds a tenth of A's open work: both jobs read the "
        "key range `gsi3pk = OPENWORK AND gsi3sk < instant` and nothing else. "
        + _sentence("; ".join(calls_note)) + paging + per_mail + c_note,
        f"**No Scan:** {scans} Scan calls among the {all_calls:,} AWS calls of the "
        f"{sum(len(r.jobs) for r in runs)} job runs (services called: "
        f"{', '.join(services)}).",
        "### What the times mean",
        "*CPU outside moto's Query* is our code (grouping, the timeliness of each item, "
        "rendering the mails), botocore, and moto's GetItem/PutItem (dictionary look-ups): "
        "it is comparable between sizes and follows the due part. *CPU inside moto's "
        "Query* and therefore *wall time* are not: moto answers every Query by sorting "
        "every item of the table (`moto/dynamodb/models/table.py`, `Table.query` → "
        "`all_items()`), then sorting the index partition and walking it from its start "
        "past the ExclusiveStartKey, so its cost grows with the whole table, whatever the "
        "key range. DynamoDB reads the key range from the index partition, kept sorted, "
        "and charges by the bytes of the items it reads (the *≈ read units* above, 4 KB "
        "units, halved for eventually consistent reads, item sizes computed from the "
        "responses), so there the cost of these Queries follows the items read. The cost "
        "of one moto Query, measured in the same run after the jobs:",
        _moto_table(runs),
        "Wall time is measured on a shared machine (2 CPUs, other work running) and CPU "
        "time is the process's; both are per run, not averaged: read the ratios, not the "
        "seconds.",
        f"_Whole run: {seconds:.0f} s._",
    ]
    return "\n\n".join(parts)


def run(quick: bool = False, divisor: int | None = None) -> str:
    runs, divisor, seconds = measure(quick, divisor)
    return markdown(runs, divisor, seconds, quick)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.work_scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes divided by "
                        f"{QUICK_DIVISOR} instead of {FULL_DIVISOR}")
    parser.add_argument("--divisor", type=int, default=None,
                        help="divide the issue's sizes by this instead")
    args = parser.parse_args(argv)
    print(run(args.quick, args.divisor))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

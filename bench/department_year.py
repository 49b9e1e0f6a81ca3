"""The embedded AWS at a department's year of data (issue #21, item 2, "Must show").

The issue: "the embedded runtime at a department-year of data (about 500,000
items: 20,000 incoming documents with their work, 5,000 outgoing, 2,000
dossiers), RSS after 1,000 state changes, and the p95 of the main list and detail
routes against the same routes at demo size (goal ≤ 2x)."

``run(fraction)``, in one process, with moto in-process and the patch of
``chalicelib/local/moto_patches.py`` on:

1. demo size: the demo department (seed) plus templates made through the app's
   own routes and use cases: 21 incoming documents registered, distributed to a
   unit and assigned to an officer (their work and pending actions), 21
   outgoing drafts, 21 dossiers submitted on the public portal: each list's
   first page is full at demo size as in the year (20 rows, and one more that
   says a next page exists), so both sizes compare the same page;
2. p95 of the list and detail routes (``chalice.test.Client``, the real routes,
   authorizer included) at that size, with the rows each list page shows;
3. the year: every item of each template is cloned (ids replaced by new ones,
   dates moved to another 31-day month of the year so that month and date
   partitions spread as in a year, their officer one of ``OFFICERS``) until the
   issue's counts are reached (times ``fraction``), written straight into moto's
   backend (``put_item``, what BatchWriteItem does per item);
4. the same routes again on the same templates (ratio to 1.), then 1,000 state
   changes through the routes (half paper registrations, half distributions of
   those), and RSS after them.

Clones keep their template's number (so_den), so registers would show
duplicates; no route measured here reads a register. Nothing is asserted.
``python -m bench.department_year [--fraction F]`` prints the section.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.embedded import embedded_aws

REGION = "ap-southeast-1"
YEAR = {"incoming": 20_000, "outgoing": 5_000, "dossiers": 2_000}
# 21 of each at demo size: every list's first page is full (20 rows, and one
# more says a next page exists), as it is in the year, so that both sizes
# compare the same page.
TEMPLATES = {"incoming": 21, "outgoing": 21, "dossiers": 21}
REQUESTS = 40  # per route and size: p95 of 40 is the second slowest
CHANGES = 1_000
OFFICERS = 60  # officers the clones' work is spread over
MONTHS_31 = (1, 3, 5, 7, 8, 10, 12)  # any day of the current month exists in these
HEX32 = re.compile(r"[0-9a-f]{32}")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class World:
    client: Any
    sessions: dict[str, Any]
    incoming: list[str]
    outgoing: list[str]
    dossiers: list[str]


def _body(resp: Any) -> Any:
    assert resp.status_code == 200, (resp.status_code, resp.body[:500])
    return json.loads(resp.body)


def _due() -> str:
    from chalicelib.calendar.service import agency_calendar

    day = date.today() + timedelta(days=10)
    return agency_calendar().working_day_on_or_after(day).isoformat()


def register_and_distribute(s: dict[str, Any], n: int, tag: str) -> str:
    doc = _body(s["vanthu"].send("POST", "/api/incoming", {
        "so_ky_hieu": f"{n}/STC-{tag}", "co_quan_ban_hanh": "Sở Tài chính",
        "ngay_ban_hanh": date.today().isoformat(),
        "trich_yeu": f"V/v hướng dẫn dự toán ngân sách năm 2027 ({tag} {n})"}))
    doc_id = str(doc["id"])
    _body(s["giamdoc"].send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": _due(), "instruction": "Phòng ĐKKD chủ trì",
        "supporting": [], "version": doc.get("version", 1)}))
    return doc_id


def templates() -> World:
    from chalice.test import Client

    import app as app_module
    from chalicelib.adapters.dynamo import Table
    from chalicelib.onestop.service import ensure_catalogue
    from tests.conftest import login
    from tests.integration.test_onestop import _submit

    ensure_catalogue(Table())
    client = Client(app_module.app, stage_name="local")
    from chalicelib.local.seed import seed

    accounts = {a["username"]: a for a in seed({})}
    s = {name: login(client, name, a["password"]) for name, a in accounts.items()}
    incoming = []
    for n in range(TEMPLATES["incoming"]):
        doc_id = register_and_distribute(s, n, "MAU")
        version = _body(s["truongphong"].get(f"/api/incoming/{doc_id}"))["version"]
        _body(s["truongphong"].send("POST", f"/api/incoming/{doc_id}/assign", {
            "officers": [{"username": "chuyenvien", "part": "lead"}], "version": version,
            "instruction": "Dự thảo văn bản trả lời"}))
        incoming.append(doc_id)
    outgoing = [str(_body(s["chuyenvien"].send("POST", "/api/outgoing", {
        "type_code": "CV", "subject": f"Hướng dẫn đăng ký doanh nghiệp qua mạng ({n})",
        "signer": "giamdoc", "recipients_internal": ["VP"],
        "recipients_external": [{"name": "Công ty TNHH Thử Nghiệm",
                                 "email": "congty@example.vn"}]}))["id"])
        for n in range(TEMPLATES["outgoing"])]
    from chalicelib.api.ratelimit import counting_on

    for n in range(TEMPLATES["dossiers"]):
        # Each submission in a window of its own: the public routes allow a
        # source 10 submissions a minute, and the bench is one source.
        with counting_on(lambda n=n: 3600.0 * (n + 1)):
            _body(_submit(client))
    dossiers = []
    cursor = None
    while True:
        query = f"?cursor={cursor}" if cursor else ""
        listed = _body(s["motcua"].get(f"/api/dossiers{query}"))
        dossiers += [str(d["id"]) for d in listed["items"]]
        cursor = listed["cursor"]
        if not cursor:
            break
    assert len(dossiers) == TEMPLATES["dossiers"], (len(dossiers), listed)
    return World(client, s, incoming, outgoing, dossiers)


def routes(w: World) -> dict[str, Callable[[], Any]]:
    s = w.sessions
    return {
        "GET /api/incoming (leader)": lambda: s["giamdoc"].get("/api/incoming"),
        "GET /api/incoming/{id} (head)": lambda: s["truongphong"].get(
            f"/api/incoming/{w.incoming[0]}"),
        "GET /api/outgoing (officer)": lambda: s["chuyenvien"].get("/api/outgoing"),
        "GET /api/outgoing/{id} (officer)": lambda: s["chuyenvien"].get(
            f"/api/outgoing/{w.outgoing[0]}"),
        "GET /api/dossiers (desk)": lambda: s["motcua"].get("/api/dossiers"),
        "GET /api/dossiers/{id} (desk)": lambda: s["motcua"].get(
            f"/api/dossiers/{w.dossiers[0]}"),
        "GET /api/work/mine (officer)": lambda: s["chuyenvien"].get("/api/work/mine"),
    }


def p95s(w: World) -> tuple[dict[str, float], dict[str, int]]:
    """p95 (ms) of each route, and the rows a list route's page shows."""
    out, rows = {}, {}
    for name, call in routes(w).items():
        # Warm: caches of the first call are not the route's steady cost.
        answer = json.loads(call().body)
        if isinstance(answer, dict) and isinstance(answer.get("items"), list):
            rows[name] = len(answer["items"])
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            resp = call()
            times.append(time.perf_counter() - started)
            assert resp.status_code == 200, (name, resp.status_code, resp.body[:300])
        out[name] = statistics.quantiles(times, n=20)[-1] * 1000
    return out, rows


def progress(line: str) -> None:
    """Each phase as it ends (a full year runs for most of an hour)."""
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    print(f"[{stamp} UTC, load {load_average()}] {line}", file=sys.stderr, flush=True)


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def moto_table() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    account = client("sts").get_caller_identity()["Account"]
    backend = dynamodb_backends[account][REGION]
    return backend, get_settings().table_name


def items_of(table: Any, ids: list[str]) -> dict[str, list[str]]:
    """Each template's items, as DynamoDB JSON text: those whose text names its id."""
    texts = [json.dumps(i.to_json()["Attributes"], ensure_ascii=False)
             for i in table.all_items()]
    return {i: [t for t in texts if i in t] for i in ids}


def clone(text: str, ids: dict[str, str], month: str, target: str,
          officer: str) -> dict[str, Any]:
    for old, new in ids.items():
        text = text.replace(old, new)
    # A department has dozens of officers: a clone's work goes to one of them,
    # so that the demo officer's own inbox stays a person's, not the agency's.
    text = text.replace("chuyenvien", officer)
    return dict(json.loads(text.replace(month, target)))


def load_year(w: World, fraction: float) -> tuple[int, int, float]:
    backend, name = moto_table()
    table = backend.get_table(name)
    before = len(table)
    started = time.perf_counter()
    today = date.today()
    month = f"{today.year}-{today.month:02d}"
    made = 0
    for kind, ids in (("incoming", w.incoming), ("outgoing", w.outgoing),
                      ("dossiers", w.dossiers)):
        per = items_of(table, ids)
        copies = round(YEAR[kind] * fraction / len(ids)) - 1
        for k in range(copies):
            m = MONTHS_31[k % len(MONTHS_31)]
            target = f"{today.year if m <= today.month else today.year - 1}-{m:02d}"
            for template_id, texts in per.items():
                # Every other 32-hex id in the items (their work parts, audit
                # entries) gets a fresh one too, so that clones do not collide.
                found = {x for t in texts for x in HEX32.findall(t)}
                fresh = {x: uuid.uuid4().hex for x in found | {template_id}}
                for text in texts:
                    backend.put_item(name, clone(text, fresh, month, target,
                                                 f"cb{k % OFFICERS:03d}"))
                    made += 1
    return before, len(table), time.perf_counter() - started


def changes(w: World) -> tuple[float, float]:
    """CHANGES state changes through the routes; returns (seconds, p95 ms)."""
    times = []
    started = time.perf_counter()
    for n in range(CHANGES // 2):
        t = time.perf_counter()
        register_and_distribute(w.sessions, n, "NAM")
        times.append((time.perf_counter() - t) / 2)
        if n % 100 == 99:
            progress(f"{2 * (n + 1)} state changes, RSS {rss_mb():.0f} MB")
    return time.perf_counter() - started, statistics.quantiles(times, n=20)[-1] * 1000


def run(fraction: float = 1.0) -> str:
    from chalicelib.local import moto_patches

    assert moto_patches.apply(), "the moto patch is not on"
    lines = []
    with embedded_aws(seed_users=False):
        w = templates()
        backend, name = moto_table()
        demo_items = len(backend.get_table(name))
        loads = [load_average()]
        demo, demo_rows = p95s(w)
        demo_rss = rss_mb()
        progress(f"demo: {demo_items:,} items, RSS {demo_rss:.0f} MB, rows {demo_rows}, "
                 f"p95 {demo}")
        loads.append(load_average())
        before, after, load_seconds = load_year(w, fraction)
        progress(f"year loaded: {after:,} items in {load_seconds:.0f} s, RSS {rss_mb():.0f} MB")
        loads.append(load_average())
        year, year_rows = p95s(w)
        year_rss = rss_mb()
        progress(f"year: RSS {year_rss:.0f} MB, rows {year_rows}, p95 {year}")
        loads.append(load_average())
        change_seconds, change_p95 = changes(w)
        final_rss = rss_mb()
        progress(f"after {CHANGES:,} state changes: RSS {final_rss:.0f} MB")
        loads.append(load_average())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines.append(f"Measured {stamp}, fraction {fraction:g} of the issue's year "
                 f"(`python -m bench.department_year --fraction {fraction:g}`).\n")
    lines.append(f"- items in the table: demo {demo_items:,}; year {after:,} "
                 f"(loaded {after - before:,} in {load_seconds:.0f} s)")
    lines.append(f"- RSS: demo {demo_rss:.0f} MB; year loaded {year_rss:.0f} MB; after "
                 f"{CHANGES:,} state changes {final_rss:.0f} MB (peak {peak_mb():.0f} MB)")
    lines.append(f"- {CHANGES:,} state changes through the routes (registration, "
                 f"distribution): {change_seconds:.0f} s, p95 {change_p95:.0f} ms each")
    lines.append("- load average (1, 5, 15 min) before the demo p95s / before loading / "
                 "before the year p95s / before the state changes / at the end: "
                 + " / ".join(loads) + "\n")
    lines.append("| route | rows demo | rows year | p95 demo (ms) | p95 year (ms) | ratio |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for route, ms in demo.items():
        lines.append(f"| `{route}` | {demo_rows.get(route, '')} | {year_rows.get(route, '')} "
                     f"| {ms:.1f} | {year[route]:.1f} | {year[route] / ms:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fraction", type=float, default=1.0)
    args = parser.parse_args(argv)
    print(run(args.fraction))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

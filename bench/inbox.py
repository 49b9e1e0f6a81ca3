"""The inbox at two sizes: AWS calls of ``GET /api/work/mine`` against the open
work of the whole department.

The issue: "Bench: ``GET /api/work/mine`` stays within 2 AWS calls whatever the
number of open items of the department (at two sizes)."

``run(quick)`` loads a synthetic department into moto in-process twice, the
second with ten times the open work (document and task parts of people and
units, and pending actions in the leaders' and clerks' queues, all shaped by
the app's own ``work.items``), while the callers' own inboxes keep the same
size. It then calls the route's use case ``work.service.my_work`` for a leader,
a head of unit and an officer, counting every AWS call with the botocore hooks
of ``bench.work_scale``. The calendar is read once beforehand: it is cached for a
minute per process, so a cold Lambda makes one more call the first time. The
authorizer's profile read (one GetItem) is the authorizer's, not the route's,
and is not counted.

Nothing is asserted: the figures are written down for people to read.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench.embedded import embedded_aws
from bench.report import table
from bench.work_scale import (
    NOW,
    Probe,
    backend_put,
    department,
    ensure_live,
    probing_every_session,
    profile_item,
    unit_item,
    work_items,
)

SIZES_FULL = (2_000, 20_000)
SIZES_QUICK = (500, 5_000)
USERS, UNITS = 300, 12
MINE = 40  # items in each measured caller's own inbox, at both sizes
REPEATS = 2  # the second run is the warm one counted


@dataclass
class Measured:
    caller: str
    open_items: int
    calls: int
    listed: int


def _callers() -> dict[str, Any]:
    from chalicelib.kernel.identity import Caller, Role

    return {
        "leader (own + leaders' queue)": Caller("lanhdao", frozenset({Role.LEADER}), unit="BGD"),
        "head of unit (own + unit)": Caller("cb00000", frozenset({Role.UNIT_HEAD}), unit="P01"),
        "officer (own)": Caller("cb00024", frozenset({Role.OFFICER}), unit="P01"),
    }


def _own_work() -> list[dict[str, Any]]:
    """The measured callers' inboxes, the same at both sizes."""
    from chalicelib.work import items
    from chalicelib.work.rules import Action

    rng = random.Random(12)
    out = []
    for k in range(MINE):
        due = NOW + timedelta(hours=rng.randint(-48, 240))
        for action, assignee in ((Action.DISTRIBUTE, items.role("leader")),
                                 (Action.SIGN, items.person("lanhdao")),
                                 (Action.ASSIGN, items.unit("P01")),
                                 (Action.HANDLE, items.person("cb00024"))):
            out.append(items.todo("DOC" if action is not Action.SIGN else "OUT",
                                  f"own{k:04d}", action, assignee, subject=f"Việc {k}",
                                  deadline=due, by="vanthu", unit="P01",
                                  link=f"/app/document?id=own{k:04d}", now=NOW))
    return out


def measure_size(probe: Probe, total: int) -> list[Measured]:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.work.service import my_work

    dept = department(USERS, UNITS)
    with embedded_aws(seed_users=False):
        put = backend_put()
        for code in dept.units:
            put(unit_item(code))
        for username, unit, head in dept.users:
            put(profile_item(username, unit, head, "2025-01-01T00:00:00Z"))
        own = _own_work()
        for item in own:
            put(item)
        measured = {"UNIT#P01", "U#cb00000", "U#cb00024", "U#lanhdao"}
        for item in work_items(dept, total - len(own), 20261202, timedelta(days=-5),
                               timedelta(days=60)):
            if item["assignee"] not in measured:  # the others' work only grows
                put(item)
        ensure_live(probe)
        agency_calendar()  # cached a minute per process, as in a warm Lambda
        table, out = Table(), []
        for name, caller in _callers().items():
            calls, listed = 0, 0
            for _ in range(REPEATS):
                with probe.recording():
                    result = my_work(caller, table, clock=lambda: NOW)
                calls, listed = sum(probe.calls.values()), len(result["items"])
            out.append(Measured(name, total, calls, listed))
    return out


def measure(quick: bool) -> list[list[Measured]]:
    with probing_every_session(Probe()) as probe:
        return [measure_size(probe, total) for total in (SIZES_QUICK if quick else SIZES_FULL)]


def markdown(runs: list[list[Measured]]) -> str:
    small, large = runs
    rows = []
    for a, b in zip(small, large, strict=True):
        rows.append([a.caller, f"{a.calls} / {b.calls}", f"{b.calls / a.calls:.2f}",
                     f"{a.listed} / {b.listed}"])
    worst = max(m.calls for run in runs for m in run)
    verdict = ("stayed within 2 AWS calls at both sizes" if worst <= 2
               else f"made **{worst} AWS calls at worst: above the target of 2**")
    return "\n\n".join([
        f"The department's open work: {small[0].open_items:,} items, then "
        f"{large[0].open_items:,} (×{large[0].open_items / small[0].open_items:.0f}); "
        f"{USERS} people in {UNITS} units. Each caller's own inbox is the same at both "
        f"sizes. The route's use case {verdict}: one Query of the person's "
        "partition of the open-work index (their preferences ride in it) and one of the "
        "unit or role queue they answer for. The calendar is cached a minute per "
        "process (a cold Lambda reads it once more); the authorizer's profile read is "
        "not the route's. No time is given: moto's Query walks every item of the table "
        "(DynamoDB reads only the partition), so its time would measure moto.",
        table(["caller", "AWS calls (small / large)", "ratio (large / small)",
               "items listed"], rows),
    ])


def run(quick: bool) -> str:
    return markdown(measure(quick))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(run(parser.parse_args().quick))

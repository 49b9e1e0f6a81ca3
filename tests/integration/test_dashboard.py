"""The leaders' dashboard over moto: figures from real work (tasks completed
early, on time and late, one left overdue), the overdue snapshot (SET, then
zeroed), the volume counters written by registering, distributing and
numbering, who may call it, and bad dates named. The clock is fixed in March
2020 (before any demo work), the tasks' use cases take it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.identity import Caller, Role

HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), "PDKKD")
OFFICER = Caller("chuyenvien", frozenset({Role.OFFICER}), "PDKKD")
HANOI = timedelta(hours=7)


def at(day: int, hour: int) -> datetime:
    """An instant of March 2020, Hanoi time."""
    return datetime(2020, 3, day, hour, tzinfo=UTC) - HANOI


def _body(resp: Any) -> Any:
    assert 200 <= resp.status_code < 300, resp.body
    return json.loads(resp.body)


def _tasks(moment: datetime) -> Any:
    from chalicelib import bootstrap

    return replace(bootstrap.tasks(), clock=lambda: moment)


def _give(title: str, deadline: date) -> str:
    task = _tasks(at(2, 9)).create(HEAD, title=title, description="", lead="chuyenvien",
                                   supporting=[], deadline=deadline, priority="normal")
    return str(task["id"])


def _snapshot(moment: datetime) -> dict[str, Any]:
    from chalicelib import bootstrap
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.dashboard.snapshot import snapshot_overdue

    return snapshot_overdue(store=bootstrap.work_store(), clock=lambda: moment,
                            calendar=agency_calendar)


def _measure(holder: str, month: str = "2020-03") -> dict[str, Any]:
    from chalicelib import bootstrap

    return bootstrap.work_store().months([holder], [month]).get((holder, month)) or {}


@pytest.fixture
def march(aws_env, accounts) -> dict[str, str]:
    """Four tasks of PDKKD's officer: early, on time, late, and one left open."""
    ids = {name: _give(f"Việc {name}", d) for name, d in (
        ("early", date(2020, 3, 10)), ("on_time", date(2020, 3, 10)),
        ("late", date(2020, 3, 5)), ("open", date(2020, 3, 6)))}
    for name, moment in (("early", at(6, 9)), ("on_time", at(10, 10)), ("late", at(9, 9))):
        _tasks(moment).complete(OFFICER, ids[name], "Xong")
    return ids


def test_figures_from_real_work_and_the_overdue_snapshot(march, as_role):
    leader = as_role("leader")
    assert _snapshot(at(12, 9)) == {"overdue": 1, "set": 2, "zeroed": 0}
    assert _measure("U#chuyenvien")["overdue_open"] == 1
    assert _measure("UNIT#PDKKD")["overdue_open"] == 1

    out = _body(leader.get("/api/dashboard?from=2020-03-01&to=2020-03-31"))
    row = next(r for r in out["on_time"]["rows"] if r["unit"] == "PDKKD")
    assert (row["assigned"], row["completed"], row["early"], row["on_time"], row["late"],
            row["overdue_open"]) == (4, 3, 1, 1, 1, 1)
    assert row["rate"] == 66.7 and row["link"] == "/app/work?scope=unit&unit=PDKKD"
    unit = next(r for r in out["overdue"]["by_unit"] if r["unit"] == "PDKKD")
    assert unit["count"] == 1 and unit["link"] == "/app/work?scope=unit&unit=PDKKD"
    assert [(p["username"], p["count"]) for p in out["overdue"]["by_person"]] == [
        ("chuyenvien", 1)]
    assert out["bands"]["published"] is False and out["bands"]["label"]

    # Done at last (late): the next run zeroes what it had set.
    _tasks(at(13, 9)).complete(OFFICER, march["open"], "Xong")
    assert _snapshot(at(13, 10)) == {"overdue": 0, "set": 0, "zeroed": 2}
    assert _measure("U#chuyenvien")["overdue_open"] == 0
    assert _measure("UNIT#PDKKD")["overdue_open"] == 0
    assert _measure("UNIT#PDKKD")["late"] == 2
    out = _body(leader.get("/api/dashboard?from=2020-03-01&to=2020-03-31"))
    assert out["overdue"]["total"] == 0 and out["overdue"]["by_person"] == []


def test_the_snapshot_job_is_declared_hourly_on_working_days():
    import app as app_module

    found = {s.name: s.schedule_expression for s in app_module.app.event_sources
             if getattr(s, "name", "") == "snapshot_overdue"}
    assert found["snapshot_overdue"].to_string() == "cron(0 0-10 ? * MON-FRI *)"


def test_volumes_are_counted_when_registered_distributed_and_numbered(aws_env, as_role):
    from chalicelib import bootstrap
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata
    from chalicelib.outgoing.store import OutgoingStore

    doc = incoming.register(None, Metadata(
        so_ky_hieu="12/STC-QLNS", co_quan_ban_hanh="Sở Tài chính",
        ngay_ban_hanh=date(2020, 3, 2), trich_yeu="V/v dự toán"),
        arrival=at(3, 9), source="paper", table=Table())
    leader = as_role("leader")
    # The distribution's deadline only has to be ahead of the real clock.
    due = agency_calendar().working_day_on_or_after(
        datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    _body(leader.send("POST", f"/api/incoming/{doc['id']}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": due, "instruction": "Chủ trì",
        "supporting": [{"unit": "PTH", "deadline": due}], "version": 1}))
    store = OutgoingStore(bootstrap.table())
    uow = store.unit_of_work()
    before = store.add(uow, {"id": "o1", "code": "ABC123", "subject": "Công văn",
                             "status": "signed", "units": ["PDKKD"], "people": [],
                             "version": 1, "drafting_unit": "PDKKD",
                             "created_at": "2020-03-16T02:00:00.000Z"})
    uow.commit()
    uow = store.unit_of_work()
    store.save_numbered(uow, before, {**before, "year": 2020, "series": "CV", "number": 1,
                                      "issued_on": "2020-03-20"}, counter=None)
    uow.commit()

    out = _body(leader.get("/api/dashboard?from=2020-03-01&to=2020-03-31"))
    assert out["incoming"]["total"] == 1
    assert {r["unit"]: r["count"] for r in out["incoming"]["by_unit"]}["PTH"] == 1
    assert out["outgoing"]["total"] == 1
    assert {r["unit"]: r["count"] for r in out["outgoing"]["by_unit"]}["PDKKD"] == 1
    head = _body(as_role("unit_head").get("/api/dashboard?from=2020-03-01&to=2020-03-31"))
    assert head["incoming"]["total"] == 1 and head["outgoing"]["total"] == 1
    assert _body(leader.get("/api/dashboard?from=2020-04-01&to=2020-04-30"))[
        "incoming"]["total"] == 0


def test_who_may_see_which_unit(aws_env, as_role):
    q = "/api/dashboard?from=2020-03-01&to=2020-03-31"
    leader, head = as_role("leader"), as_role("unit_head")
    assert _body(leader.get(q))["agency"] is True
    assert _body(leader.get(q + "&unit=PTH"))["unit"] == "PTH"
    assert _body(head.get(q))["unit"] == "PDKKD"
    assert _body(head.get(q + "&unit=PDKKD"))["unit"] == "PDKKD"
    assert head.get(q + "&unit=PTH").status_code == 403
    for role in ("officer", "clerk", "one_stop"):
        resp = as_role(role).get(q)
        assert resp.status_code == 403, role
        assert "on_time" not in resp.body.decode()


@pytest.mark.parametrize(("query", "fields"), [
    ("from=2020-13-01&to=2020-03-31", ["from"]),
    ("from=2020-03-01&to=hôm-nay", ["to"]),
    ("to=2020-03-31", ["from"]),
    ("from=x&to=y", ["from", "to"]),
    ("from=2020-04-01&to=2020-03-01", ["to"]),
    ("from=2018-01-01&to=2020-03-01", ["to"]),
])
def test_bad_dates_are_named(aws_env, as_role, query, fields):
    resp = as_role("leader").get("/api/dashboard?" + query)
    assert resp.status_code == 400, resp.body
    error = json.loads(resp.body)["error"]
    assert sorted(f["path"] for f in error["fields"]) == fields
    assert error["message"] and error["message_en"]

"""The dashboard's figures assembled from fakes of its sources, who may see what,
the period's validation, and the overdue snapshot's SET and zeroing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.dashboard import rules
from chalicelib.dashboard.service import Dashboard
from chalicelib.dashboard.snapshot import snapshot_overdue
from chalicelib.dashboard.sources import Sources
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import Forbidden, InvalidInput
from chalicelib.kernel.identity import Caller, Role

LEADER = Caller("giamdoc", frozenset({Role.LEADER}), "BGD")
HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), "PDKKD")
OFFICER = Caller("chuyenvien", frozenset({Role.OFFICER}), "PDKKD")
UNITS = [{"code": "BGD", "name": "Ban Giám đốc", "kind": "leadership"},
         {"code": "PDKKD", "name": "Phòng Đăng ký kinh doanh", "kind": "specialised"},
         {"code": "PTH", "name": "Phòng Tổng hợp", "kind": "specialised"}]


class Reads:
    """Fakes of the sources that also record what was asked of them."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, Any]] = []
        self.measures_items = {
            ("UNIT#PDKKD", "2026-03"): {"assigned": 10, "completed": 8, "early": 3,
                                        "on_time": 3, "late": 2, "overdue_open": 1},
            ("UNIT#PDKKD", "2026-04"): {"assigned": 2, "completed": 1, "on_time": 1},
            ("UNIT#PTH", "2026-03"): {"assigned": 1},
        }
        self.state = {"at": "2026-04-20T03:00:00.000Z", "units": {"PDKKD": 2, "PTH": 1, "-": 1},
                      "people": {"PDKKD": {"chuyenvien": 2}},
                      "kinds": {"PDKKD": {"TASK": 1, "CASE": 1}, "PTH": {"DOC": 1}}}

    def sources(self, bands: Any = None) -> Sources:
        extra = {"bands": bands} if bands else {}
        return Sources(units=lambda: UNITS, measures=self.measures,
                       overdue_now=lambda: self.state, incoming=self.incoming,
                       outgoing=lambda holders, months: {(None, "2026-03"): 4},
                       dossiers=self.dossiers, complaints=lambda months: [
                           {"kind": "complaint", "label": "Khiếu nại", "received": 3,
                            "open": 1, "settled_on_time": 1, "settled_late": 1}], **extra)

    def measures(self, holders: list[str], months: list[str]) -> dict[Any, Any]:
        self.asked.append(("measures", (tuple(holders), tuple(months))))
        return {k: v for k, v in self.measures_items.items() if k[0] in holders and k[1] in months}

    def incoming(self, holders: list[Any], months: list[str]) -> dict[Any, int]:
        self.asked.append(("incoming", (tuple(holders), tuple(months))))
        found = {(None, "2026-03"): 7, (None, "2026-04"): 5, ("PDKKD", "2026-03"): 3}
        return {k: v for k, v in found.items() if k[0] in holders and k[1] in months}

    def dossiers(self, units: list[str], frm: date, to: date) -> dict[str, Any]:
        self.asked.append(("dossiers", (tuple(units), frm, to)))
        return {"rows": [{"unit": u, "received_total": 4, "resolved_early": 1,
                          "resolved_on_time": 1, "resolved_late": 1,
                          "in_progress_within_time": 1, "in_progress_overdue": 0,
                          "score": 15.0} for u in units],
                "total": {"received_total": 4 * len(units), "score": 15.0}}


def test_the_leader_sees_every_unit_from_counters_with_links():
    reads = Reads()
    out = Dashboard(reads.sources()).figures(LEADER, date(2026, 3, 1), date(2026, 4, 30))
    assert out["months"] == ["2026-03", "2026-04"] and out["agency"] is True
    assert [u["code"] for u in out["units"]] == ["PDKKD", "PTH"]  # no leadership unit
    pdkkd = out["on_time"]["rows"][0]
    assert (pdkkd["early"], pdkkd["on_time"], pdkkd["late"], pdkkd["overdue_open"]) == (3, 4, 2, 1)
    assert pdkkd["rate"] == 77.8  # 7 of 9 completed with a deadline, by it
    assert out["on_time"]["rows"][1]["rate"] is None  # nothing completed
    assert pdkkd["link"] == "/app/work?scope=unit&unit=PDKKD"
    assert out["incoming"]["total"] == 12
    assert out["incoming"]["by_unit"][0] == {"unit": "PDKKD", "name": "Phòng Đăng ký kinh doanh",
                                             "count": 3, "link": "/app/incoming?unit=PDKKD"
                                             "&since=2026-03-01&until=2026-04-30"}
    assert out["outgoing"]["total"] == 4
    overdue = out["overdue"]
    assert [(r["unit"], r["count"]) for r in overdue["by_unit"]] == [("PDKKD", 2), ("PTH", 1)]
    assert overdue["total"] == 4 and overdue["without_unit"] == 1
    assert overdue["by_person"] == [{"username": "chuyenvien", "unit": "PDKKD",
                                     "name": "Phòng Đăng ký kinh doanh", "count": 2,
                                     "link": "/app/work?scope=unit&unit=PDKKD"}]
    assert [(r["unit"], r["overdue"]) for r in out["complaints"]["by_unit"]] == [
        ("PDKKD", 1), ("PTH", 0)]
    assert out["complaints"]["kinds"][0]["settled_late"] == 1
    assert out["dossiers"]["rows"][0]["link"].startswith("/app/onestop-report?unit=PDKKD")
    assert out["bands"] == {"published": False, "label": rules.NO_ROUND, "by_unit": []}
    # O(units × months): one read per source, of the units and months asked.
    assert ("measures", (("UNIT#PDKKD", "UNIT#PTH"), ("2026-03", "2026-04"))) in reads.asked
    assert ("incoming", ((None, "PDKKD", "PTH"), ("2026-03", "2026-04"))) in reads.asked


def test_a_head_sees_their_unit_only_and_an_officer_nothing():
    reads = Reads()
    out = Dashboard(reads.sources()).figures(HEAD, date(2026, 3, 1), date(2026, 3, 31))
    assert out["unit"] == "PDKKD" and out["agency"] is False
    assert [u["code"] for u in out["units"]] == ["PDKKD"]
    assert out["incoming"]["total"] == 3  # the unit's own counter, not the agency's
    assert out["overdue"]["total"] == 2 and out["overdue"]["without_unit"] == 0
    assert out["complaints"]["kinds"] == []  # agency-wide counts are the leaders'
    assert out["dossiers"]["link"] == "/app/dossiers"
    assert Dashboard(reads.sources()).figures(HEAD, date(2026, 3, 1), date(2026, 3, 31),
                                              "PDKKD")["unit"] == "PDKKD"
    with pytest.raises(Forbidden):
        Dashboard(reads.sources()).figures(HEAD, date(2026, 3, 1), date(2026, 3, 31), "PTH")
    with pytest.raises(Forbidden):
        Dashboard(reads.sources()).figures(OFFICER, date(2026, 3, 1), date(2026, 3, 31))
    one = Dashboard(reads.sources()).figures(LEADER, date(2026, 3, 1), date(2026, 3, 31), "PTH")
    assert [u["code"] for u in one["units"]] == ["PTH"] and one["unit"] == "PTH"


def test_published_bands_are_shown_per_unit():
    out = Dashboard(Reads().sources(bands=lambda units, months: {"PDKKD": {"HTT": 3}})).figures(
        LEADER, date(2026, 3, 1), date(2026, 3, 31))
    assert out["bands"]["published"] is True
    assert out["bands"]["by_unit"][0] == {"unit": "PDKKD", "name": "Phòng Đăng ký kinh doanh",
                                          "bands": {"HTT": 3}}


@pytest.mark.parametrize(("frm", "to", "field"), [
    (date(2026, 4, 1), date(2026, 3, 31), "to"),
    (date(2024, 1, 1), date(2026, 1, 1), "to"),  # 25 months
])
def test_a_bad_period_names_the_field(frm, to, field):
    with pytest.raises(InvalidInput) as err:
        rules.period(frm, to)
    assert [f.path for f in err.value.fields] == [field]


def test_months_of_a_period_and_rates():
    assert rules.period(date(2025, 11, 15), date(2026, 2, 1)).months == [
        "2025-11", "2025-12", "2026-01", "2026-02"]
    assert rules.on_time_rate(0, 0, 0) is None
    assert rules.on_time_rate(1, 1, 1) == 66.7
    assert rules.this_month(date(2026, 4, 20)) == rules.Period(date(2026, 4, 1),
                                                               date(2026, 4, 20))


class FakeOverdueStore:
    def __init__(self, open_work: list[dict[str, Any]]) -> None:
        self.open_work = open_work
        self.state: dict[str, Any] | None = None
        self.measures: dict[tuple[str, str], int] = {}
        self.asked: list[datetime] = []

    def due_before(self, horizon: datetime) -> list[dict[str, Any]]:
        self.asked.append(horizon)
        return [w for w in self.open_work if w["deadline"] < horizon.isoformat()]

    def overdue_state(self) -> dict[str, Any] | None:
        return self.state

    def set_overdue(self, counts: dict[tuple[str, str], int], state: dict[str, Any]) -> None:
        self.measures.update(counts)  # SET: the value replaces the one before
        self.state = state


def _work(key: str, assignee: str, unit: str, deadline: str, parent: str = "TASK"
          ) -> dict[str, Any]:
    return {"pk": f"{parent}#{key}", "sk": f"WORK#{assignee}", "kind": "work",
            "assignee": assignee, "unit": unit, "status": "open", "deadline": deadline,
            "assigned_at": "2026-02-01T02:00:00+00:00"}


def test_the_snapshot_sets_per_holder_and_month_then_zeroes_what_is_done():
    store = FakeOverdueStore([
        _work("a", "U#chuyenvien", "PDKKD", "2026-03-10T10:00:00+00:00"),
        _work("b", "U#chuyenvien", "PDKKD", "2026-04-02T10:00:00+00:00", parent="CASE"),
        _work("c", "UNIT#PTH", "PTH", "2026-04-03T10:00:00+00:00", parent="DOC"),
        _work("d", "U#chuyenvien", "PDKKD", "2026-04-30T10:00:00+00:00"),  # not yet due
    ])
    cal = AgencyCalendar({})
    monday = datetime(2026, 4, 6, 3, 0, tzinfo=UTC)
    out = snapshot_overdue(store=store, clock=lambda: monday, calendar=lambda: cal)
    assert out == {"overdue": 3, "set": 5, "zeroed": 0}
    assert store.measures == {("U#chuyenvien", "2026-03"): 1, ("UNIT#PDKKD", "2026-03"): 1,
                              ("U#chuyenvien", "2026-04"): 1, ("UNIT#PDKKD", "2026-04"): 1,
                              ("UNIT#PTH", "2026-04"): 1}  # a unit's part: no person
    assert store.state is not None
    assert store.state["units"] == {"PDKKD": 2, "PTH": 1}
    assert store.state["people"] == {"PDKKD": {"chuyenvien": 2}}
    assert store.state["kinds"] == {"PDKKD": {"TASK": 1, "CASE": 1}, "PTH": {"DOC": 1}}
    # Two are done: the next run zeroes them, and keeps the one still overdue.
    store.open_work = [store.open_work[2]]
    later = datetime(2026, 4, 7, 3, 0, tzinfo=UTC)
    out = snapshot_overdue(store=store, clock=lambda: later, calendar=lambda: cal)
    assert out == {"overdue": 1, "set": 1, "zeroed": 4}
    assert store.measures[("U#chuyenvien", "2026-03")] == 0
    assert store.measures[("UNIT#PDKKD", "2026-04")] == 0
    assert store.measures[("UNIT#PTH", "2026-04")] == 1
    assert store.state["keys"] == [["UNIT#PTH", "2026-04"]]


def test_the_snapshot_skips_a_day_off():
    store = FakeOverdueStore([])
    sunday = datetime(2026, 4, 5, 3, 0, tzinfo=UTC)
    out = snapshot_overdue(store=store, clock=lambda: sunday, calendar=lambda: AgencyCalendar({}))
    assert out["skipped"] == "not a working day" and store.asked == []

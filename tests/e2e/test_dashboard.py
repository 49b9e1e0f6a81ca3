"""The leaders' dashboard in a real Chromium: after the overdue snapshot has run
(as the schedule would, here forced whatever the day), the leader's home page
shows the dashboard below the inbox with its figures and SVG charts; the
leader opens a unit's overdue figure and lands on that unit's work list, where
the overdue items are. An officer's home page has no dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, api_call, browsers, loaded, open_signed_in, shot
from tests.e2e.helpers import run_python

pytestmark = pytest.mark.e2e

SNAPSHOT = ("from chalicelib.adapters.dynamo import Table;"
            "from chalicelib.calendar.service import agency_calendar;"
            "from chalicelib.dashboard.snapshot import snapshot_overdue;"
            "from chalicelib.kernel.events import utcnow;"
            "from chalicelib.work.store import WorkStore;"
            "print(snapshot_overdue(store=WorkStore(Table()), clock=utcnow,"
            " calendar=agency_calendar, force=True))")


def run_snapshot(runtime: dict[str, Any]) -> str:
    return run_python(runtime, "-c", SNAPSHOT, timeout=120)


def test_the_leader_opens_a_units_overdue_figure_from_the_dashboard(
    browser: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    assert "'overdue'" in run_snapshot(runtime)
    leader = session_of("giamdoc")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    status, figures = api_call(url, "GET", f"/api/dashboard?from={today:%Y-%m-01}&to={today}",
                               token=leader["id_token"])
    assert status == 200, figures
    late = [r for r in figures["overdue"]["by_unit"] if r["count"]]
    assert late, figures["overdue"]  # the demo work holds overdue items
    unit = late[0]

    with browsers(browser) as open_page:
        page = open_page(DESKTOP)
        open_signed_in(page, url, leader, "/")
        dash = page.locator("#dashboard")
        expect(dash).to_be_visible()
        # Below the inbox.
        inbox_box = page.locator("#inbox").bounding_box()
        dash_box = dash.bounding_box()
        assert inbox_box and dash_box and dash_box["y"] > inbox_box["y"]
        expect(page.locator("#dashboard-period input[name=from]")).to_have_value(
            f"{today:%Y-%m-01}")
        expect(dash.locator("svg.chart").first).to_be_visible()
        expect(dash.get_by_text("Tỷ lệ hoàn thành đúng hạn theo đơn vị")).to_be_visible()
        cell = dash.locator(f"[data-figure='overdue-{unit['unit']}']")
        expect(cell).to_have_text(str(unit["count"]))
        shot(page, "dashboard-leader")
        cell.click()
        page.wait_for_url(f"**/app/work?scope=unit&unit={unit['unit']}")
        loaded(page)
        expect(page.locator("#work-list [data-timeliness='overdue']").first).to_be_visible()
        assert page.locator("#work-list [data-timeliness='overdue']").count() >= unit["count"]

        # A unit's incoming figure opens the list of what the unit was given, that
        # period, with the filters shown as set.
        page.go_back()
        loaded(page)
        dash.locator(f"[data-figure='incoming-{unit['unit']}']").click()
        page.wait_for_url(f"**/app/incoming?unit={unit['unit']}&since={today:%Y-%m-01}"
                          f"&until={today}")
        loaded(page)
        expect(page.locator("#doc-unit")).to_have_value(unit["unit"])
        expect(page.locator("#doc-since")).to_have_value(f"{today:%Y-%m-01}")

        officer = open_page(DESKTOP)
        open_signed_in(officer, url, session_of("chuyenvien"), "/")
        expect(officer.locator("#inbox")).to_be_visible()
        expect(officer.locator("#dashboard")).to_be_hidden()

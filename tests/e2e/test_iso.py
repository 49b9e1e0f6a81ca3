"""The ISO process library in a real Chromium: the administrator drafts a new
version of the business registration procedure with a changed step time, the
leader reviews and approves it from the next working day; a dossier received
before that day follows the old steps, one received on it the new; the evidence
export lists both under their versions.

On the runtime whose clock is pinned at 14:00 (``clocked_runtime``), so that the
day of the approval and the next working day are known whatever the hour. The
runtime's clock cannot be moved on to the next day without a restart (two
starts of a runtime cost more than this test may), so the dossier received on
the day of effect is received by the same reception use case, in this process
against the runtime's embedded AWS, at an explicit reception instant, as the
desk's route would receive it on that day."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, api_call, browsers, open_signed_in

pytestmark = pytest.mark.e2e

PID = "QT-DKKD-01"


def _receive(url: str, token: str, name: str) -> dict[str, Any]:
    status, body = api_call(url, "POST", "/api/dossiers", {
        "procedure": "DKDN-DNTN", "papers": {}, "papers_seen": ["GDN", "GTPL-CN"],
        "applicant": {"name": name, "phone": "0912345678"}}, token)
    assert status == 200, body
    return body


def _shares(d: dict[str, Any]) -> list[Decimal]:
    return [Decimal(s["share"]) for s in d["steps"]]


@pytest.fixture
def in_runtime(clocked_runtime: dict[str, Any], monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[None]:
    """This process's use cases against the runtime's embedded AWS (its table,
    pool and buckets), then back to what they were."""
    from chalicelib.adapters.aws import reset_clients
    from chalicelib.calendar.service import forget_cached_calendar
    from chalicelib.kernel.config import get_settings

    for key, value in clocked_runtime["environment"].items():
        monkeypatch.setenv(key, value)
    for reset in (get_settings.cache_clear, reset_clients, forget_cached_calendar):
        reset()
    yield
    monkeypatch.undo()
    for reset in (get_settings.cache_clear, reset_clients, forget_cached_calendar):
        reset()


def _receive_on(day: Any, cal: Any) -> dict[str, Any]:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.onestop import service as onestop

    at = datetime.combine(day, time(9, 0), cal.tz)
    return onestop.receive(Caller("motcua", frozenset({Role.ONE_STOP}), unit="MC"),
                           procedure_code="DKDN-DNTN", papers={}, seen=["GDN", "GTPL-CN"],
                           applicant={"name": "Trần Thị Sau", "phone": "0912345678"},
                           channel="in_person", now=at, table=Table())


@pytest.mark.parametrize("clocked_runtime", ["at-14h00"], indirect=True)
def test_a_new_version_with_a_changed_step_time_drives_dossiers_from_its_date(
        browser: Any, clocked_runtime: dict[str, Any], clocked_session_of: Any,
        in_runtime: None) -> None:
    from openpyxl import load_workbook

    from chalicelib.kernel.calendar import AgencyCalendar

    cal = AgencyCalendar()
    url, session_of = clocked_runtime["url"], clocked_session_of
    # The runtime's day (its clock started at 14:00 and runs on for minutes).
    today = (clocked_runtime["clock_at"] + timedelta(minutes=1)).astimezone(cal.tz).date()
    effective = cal.next_working_day(today)
    with browsers(browser) as open_page:
        # ---- the administrator drafts version 2: examination 1,2 days, signing 1,2
        admin = open_page(DESKTOP)
        open_signed_in(admin, url, session_of("quantri"), f"/app/iso?pid={PID}")
        expect(admin.locator("#nav a[aria-current=page]")).to_have_text("Quy trình ISO")
        admin.get_by_role("button", name="Soạn phiên bản mới").click()
        draft = admin.locator("#iso-draft-form")
        draft.get_by_label("Thời gian bước Thẩm định hồ sơ").fill("1.2")
        draft.get_by_label("Thời gian bước Ký duyệt kết quả").fill("1.2")
        draft.get_by_label("Lý do sửa đổi").fill("Rút ngắn thời gian thẩm định")
        draft.get_by_label("Tóm tắt nội dung sửa đổi").fill("Thẩm định 1,2 ngày; ký 1,2 ngày")
        draft.get_by_role("button", name="Lưu dự thảo").click()
        expect(admin.locator("#iso-versions li[data-version='2'] .badge")).to_have_text(
            "Dự thảo")

        # ---- the leader reviews it and approves it from the next working day
        leader = open_page(DESKTOP)
        open_signed_in(leader, url, session_of("giamdoc"), f"/app/iso?pid={PID}&v=2")
        leader.get_by_role("button", name="Xem xét dự thảo").click()
        approve = leader.locator("#iso-approve")
        expect(approve).to_be_visible()
        approve.get_by_label("Hiệu lực từ ngày").fill(effective.isoformat())
        approve.get_by_role("button", name="Phê duyệt").click()
        versions = leader.locator("#iso-versions")
        expect(versions.locator("li[data-version='2'] .badge")).to_have_text(
            "Đã phê duyệt, chờ hiệu lực")
        expect(versions.locator("li[data-version='1'] .badge")).to_have_text("Đang hiệu lực")

        # ---- a dossier received today follows version 1, one on the date version 2
        before = _receive(url, session_of("motcua")["id_token"], "Nguyễn Văn Trước")
        assert before["iso_procedure"]["number"] == 1
        assert _shares(before) == [Decimal(x) for x in ("0.1", "0.6", "0.2", "0.1")]
        after = _receive_on(effective, cal)
        assert after["iso_procedure"]["number"] == 2
        assert _shares(after) == [Decimal(x) for x in ("0.1", "0.4", "0.4", "0.1")]
        desk = open_page(DESKTOP)
        open_signed_in(desk, url, session_of("motcua"), f"/app/dossier?id={before['id']}")
        current = desk.locator("#os-steps li[aria-current=step]")
        expect(current.locator("[data-out=form]")).to_contain_text("BM-01")
        expect(desk.locator("#os-steps [data-out=iso]")).to_contain_text("QT-ĐKKD-01 lần 1")

        # ---- the evidence for the two days lists both, each under its version
        evidence = leader.locator("#iso-evidence-form")
        evidence.get_by_label("Từ ngày").fill(today.isoformat())
        evidence.get_by_label("Đến ngày").fill(effective.isoformat())
        evidence.get_by_role("button", name="Xem", exact=True).click()
        rows = leader.locator("#iso-evidence-rows tbody tr")
        expect(rows.filter(has_text=before["code"])).to_have_count(1)
        expect(rows.filter(has_text=after["code"])).to_have_count(1)
        with leader.expect_download() as download:
            evidence.get_by_role("button", name="Xuất bằng chứng (XLSX)").click()
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        listed = {(r[0], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)}
        assert {(1, before["code"]), (2, after["code"])} <= listed

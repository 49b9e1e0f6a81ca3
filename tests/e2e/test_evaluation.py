"""Staff evaluation in a real Chromium: a new officer (a public employee) is given
a task and completes it before its deadline; on "Đánh giá, xếp loại" they see
their own score for the deadline's month, open the timeliness line down to the
task, and cannot look at anyone else (no choice of person on the page; the API
answers 403 for another officer's evaluation)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, api_call, api_login, browsers, open_signed_in, shot
from tests.e2e.test_work import today_vn, working_day

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_an_officer_sees_their_own_score_and_nobody_elses(
    browser: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    admin = session_of("quantri")["id_token"]
    name = f"cv{uuid.uuid4().hex[:8]}"
    status, made = api_call(url, "POST", "/api/org/users", {
        "username": name, "full_name": "Phan Thị Thu", "email": f"{name}@skhdt.example",
        "unit": "PDKKD", "roles": ["officer"], "title": "Chuyên viên",
        "category": "vien_chuc"}, token=admin)
    assert status == 200, made
    officer = api_login(url, name, made["initial_password"])
    head = session_of("truongphong")["id_token"]
    deadline = working_day(url, head, today_vn(), 10)
    status, task = api_call(url, "POST", "/api/tasks", {
        "title": f"Rà soát hồ sơ {name}", "lead": name, "deadline": deadline.isoformat()},
        token=head)
    assert status == 200, task
    status, done = api_call(url, "POST", f"/api/tasks/{task['id']}/complete",
                            {"result": "Đã rà soát"}, token=officer["id_token"])
    assert status == 200, done
    due = datetime.fromisoformat(done["parts"][0]["deadline"].replace("Z", "+00:00"))
    period = f"{due.astimezone(TZ):%Y-%m}"

    # Nobody else's: another officer's evaluation is refused.
    status, refused = api_call(url, "GET", f"/api/evaluation/chuyenvien?period={period}",
                               token=officer["id_token"])
    assert status == 403 and set(refused) == {"error"}

    with browsers(browser) as open_page:
        page = open_page(DESKTOP)
        open_signed_in(page, url, officer, "/app/evaluation")
        expect(page.locator("h1")).to_have_text("Đánh giá, xếp loại")
        # An officer has no choice of person: the page shows their own result only.
        expect(page.locator("#ev-username")).to_be_hidden()
        page.fill("#ev-period", period)
        # The first load may already show this month: wait for the chosen period's
        # answer, which draws the page again, before opening anything on it.
        with page.expect_response(lambda r: f"?period={period}" in r.url
                                  and "/api/evaluation/" in r.url):
            page.click("#ev-form button[type=submit]")
        # One task, done before its deadline; no general points entered yet (0/30).
        expect(page.locator("[data-out=score]")).to_have_text("70.00")
        expect(page.locator(".ev-summary [data-band]")).to_have_attribute("data-band", "HTT")
        expect(page.locator(".notice").first).to_contain_text("chưa nhập điểm tiêu chí chung")
        part = page.locator("details[data-part=timeliness]")
        part.locator("summary").click()
        part.locator("a[data-field=completed]").click()
        items = page.locator(".ev-item-list li")
        expect(items).to_have_count(1)
        expect(items.first.locator("a")).to_have_text(f"Rà soát hồ sơ {name}")
        expect(items.first.locator("a")).to_have_attribute("href", f"/app/task?id={task['id']}")
        # The unit's round is not published: the officer reads none of it.
        expect(page.locator("#ev-people tbody")).to_contain_text("chưa được công khai")
        shot(page, "evaluation-officer")

        # The head sees the unit's people, the new officer among them, and may propose.
        lead = open_page(DESKTOP)
        open_signed_in(lead, url, session_of("truongphong"), "/app/evaluation")
        lead.fill("#ev-period", period)
        lead.click("[data-action=round]")
        row = lead.locator(f"#ev-people tr[data-user={name}]")
        expect(row).to_contain_text("Phan Thị Thu")
        expect(row.locator("input[name=general_points]")).to_be_visible()
        shot(lead, "evaluation-head")


def test_the_leader_publishes_a_round_and_the_forms_come_back_signed(
    browser: Any, runtime: dict[str, Any], session_of: Any, tmp_path: Any
) -> None:
    """Publishing signs every person's form with the leader's key: the page asks
    for the password, the forms are signed in the background, and the officer's
    downloaded form is valid for poppler's pdfsig."""
    import subprocess

    from tests.conftest import require_tool

    pdfsig = require_tool("pdfsig", "poppler-utils")
    url = runtime["url"]
    passwords = {a["username"]: a["password"] for a in runtime["accounts"]}
    leader = session_of("giamdoc")
    period = today_vn().strftime("%Y-%m")
    path = f"/api/evaluation/rounds/PDKKD/{period}"
    status, round_ = api_call(url, "GET", path, token=leader["id_token"])
    assert status == 200, round_
    status, decided = api_call(url, "POST", path + "/decision", {
        "unit_band": "HTT", "decisions": [], "version": round_["version"]},
        token=leader["id_token"])
    assert status == 200 and decided["status"] == "decided", decided

    with browsers(browser) as open_page:
        page = open_page(DESKTOP)
        open_signed_in(page, url, leader, "/app/evaluation")
        page.fill("#ev-period", period)
        page.select_option("#ev-unit", "PDKKD")
        page.click("[data-action=round]")
        expect(page.locator("[data-out=round-status]")).to_contain_text("Đã quyết định")
        page.get_by_role("button", name="Công khai và ký số phiếu đánh giá").click()
        dialog = page.locator("#ev-sign-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_label("Mật khẩu").fill(passwords["giamdoc"])
        dialog.get_by_role("button", name="Xác nhận ký số").click()
        expect(page.locator(".flash.ok")).to_contain_text("Đã công khai kết quả cho đơn vị")
        # The background step signs every form; the page looks again until it has.
        expect(page.locator("[data-out=round-status]")).to_contain_text(
            "Phiếu đánh giá đã ký số", timeout=60_000)

        officer = open_page(DESKTOP)
        open_signed_in(officer, url, session_of("chuyenvien"), "/app/evaluation")
        officer.fill("#ev-period", period)
        with officer.expect_download() as download:
            officer.click("[data-action=form-pdf]")
        saved = tmp_path / "phieu.pdf"
        download.value.save_as(saved)
    report = subprocess.run([pdfsig, str(saved)], capture_output=True, text=True,
                            timeout=60).stdout
    assert report.count("Signature is Valid.") == 1, report
    assert "Phạm Quốc Hùng" in report

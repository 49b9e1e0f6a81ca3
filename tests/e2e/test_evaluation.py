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

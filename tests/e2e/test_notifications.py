"""The header's bell in a real Chromium: a new person has no unread count; two
notices arrive through the workflow queue (as a capability asks for them) and
the bell shows 2; the list opens from the bell, opening a notice marks it read
and goes to its page, and "Đánh dấu tất cả đã đọc" empties the count."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, api_call, api_login, aws_client, open_signed_in, shot

pytestmark = pytest.mark.e2e


def _notice(runtime: dict[str, Any], username: str, title: str) -> None:
    event = {"id": uuid.uuid4().hex, "type": "notice.requested", "subject_id": "E2E#bell",
             "payload": {"to": [username], "kind": "decided", "title": title,
                         "link": "/app/tasks"},
             "occurred_at": datetime.now(UTC).isoformat(timespec="milliseconds")
             .replace("+00:00", "Z")}
    aws_client(runtime, "sqs").send_message(
        QueueUrl=runtime["environment"]["WORKFLOW_QUEUE_URL"],
        MessageBody=json.dumps(event, ensure_ascii=False))


def test_the_bell_counts_unread_notices_and_the_list_marks_them_read(
    page: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    name = f"tb{uuid.uuid4().hex[:8]}"
    status, created = api_call(url, "POST", "/api/org/users", {
        "username": name, "full_name": "Đặng Thu Hà", "email": f"{name}@skhdt.example",
        "unit": "PTH", "roles": ["officer"]}, token=session_of("quantri")["id_token"])
    assert status == 200, created
    session = api_login(url, name, created["initial_password"])

    open_signed_in(page, url, session, "/app/work")
    bell = page.locator("header [data-bell]")
    expect(bell).to_be_visible()
    expect(bell.locator("[data-bell-count]")).to_be_hidden()

    tag = uuid.uuid4().hex[:6]
    _notice(runtime, name, f"Đề nghị gia hạn nhiệm vụ {tag} đã được chấp thuận")
    _notice(runtime, name, f"Dự thảo {tag} đã được ký, chờ phát hành")
    deadline = time.monotonic() + 30
    unread = 0
    while unread < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
        _, out = api_call(url, "GET", "/api/notifications", token=session["id_token"])
        unread = out["unread"]
    assert unread == 2

    page.reload()
    expect(bell.locator("[data-bell-count]")).to_have_text("2")
    expect(bell).to_have_attribute("aria-label", "Thông báo: 2 chưa đọc")
    # On a wide screen the bell stays clear of the signed-in person's name.
    box, who = bell.bounding_box(), page.locator(".who").bounding_box()
    assert box and who and box["x"] + box["width"] <= who["x"], (box, who)
    shot(page, "bell-desktop")
    bell.click()
    page.wait_for_url("**/app/notifications")
    page.wait_for_selector("body[data-loaded]")
    items = page.locator("#note-list .note-item")
    expect(items).to_have_count(2)
    expect(page.locator("#notes-count")).to_have_text("2 thông báo chưa đọc.")
    shot(page, "notifications-desktop")
    page.set_viewport_size(PHONE)
    expect(bell).to_be_visible()  # next to the menu button, the menu closed
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "notifications-phone")
    expect(items.first).to_contain_text(f"Dự thảo {tag} đã được ký")  # the newest first
    expect(items.first).to_contain_text("Chưa đọc")

    items.first.get_by_role("link").click()
    page.wait_for_url("**/app/tasks")
    page.wait_for_selector("body[data-loaded]")
    expect(bell.locator("[data-bell-count]")).to_have_text("1")

    bell.click()
    page.wait_for_selector("body[data-loaded]")
    expect(page.locator("#note-list .note-item.unread")).to_have_count(1)
    page.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
    expect(page.locator(".flash.ok")).to_have_text("Đã đánh dấu tất cả thông báo là đã đọc.")
    expect(page.locator("#note-list .note-item.unread")).to_have_count(0)
    expect(bell.locator("[data-bell-count]")).to_be_hidden()
    expect(page.get_by_role("button", name="Đánh dấu tất cả đã đọc")).to_be_disabled()

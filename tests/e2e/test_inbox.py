"""The work inbox in a real Chromium: the leader opens the app and the first
screen shows what waits for them (a document to distribute, a draft to sign),
grouped by kind; acting on one takes it out of the inbox; the mail that
announced it carries a link that opens in a new tab of the same browser
without a second sign-in."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, api_call, browsers, loaded, open_signed_in, shot

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _ok(result: tuple[int, Any]) -> Any:
    status, body = result
    assert status in (200, 201), body
    return body


def _incoming(url: str, clerk: dict[str, Any], subject: str) -> dict[str, Any]:
    """A paper document registered by the clerk: it waits for a leader's distribution."""
    today = datetime.now(TZ).date()
    return _ok(api_call(url, "POST", "/api/incoming", {
        "so_ky_hieu": f"{uuid.uuid4().hex[:4]}/KH-UBND", "co_quan_ban_hanh": "UBND thành phố",
        "ngay_ban_hanh": today.isoformat(), "trich_yeu": subject, "loai_van_ban": "Kế hoạch",
        "do_khan": "Thường"}, token=clerk["id_token"]))


def _draft_to_sign(url: str, sessions: dict[str, dict[str, Any]], subject: str) -> str:
    """An officer's công văn approved along its chain: it waits for the director's signature."""
    officer = sessions["chuyenvien"]["id_token"]
    doc = _ok(api_call(url, "POST", "/api/outgoing", {
        "type_code": "CV", "subject": subject, "signer": "giamdoc",
        "recipients_internal": [], "recipients_external": []}, token=officer))
    _ok(api_call(url, "POST", f"/api/outgoing/{doc['id']}/compose", {
        "body": "Sở Kế hoạch và Đầu tư báo cáo kết quả thực hiện.",
        "recipients": ["Như trên;", "Lưu: VT, PDKKD."]}, token=officer))
    _ok(api_call(url, "POST", f"/api/outgoing/{doc['id']}/submit", {}, token=officer))
    for reviewer in ("truongphong", "chanhvanphong", "giamdoc"):
        _ok(api_call(url, "POST", f"/api/outgoing/{doc['id']}/review",
                     {"approve": True, "comment": "Đồng ý"},
                     token=sessions[reviewer]["id_token"]))
    return str(doc["id"])


def _a_working_day_after(url: str, token: str, days: int) -> date:
    start = datetime.now(TZ).replace(hour=17, minute=0, second=0, microsecond=0)
    from urllib.parse import quote

    _, out = api_call(url, "GET", "/api/calendar/add-working-days?start="
                      + quote(start.isoformat()) + f"&days={days}", token=token)
    return datetime.fromisoformat(out["due"]).astimezone(TZ).date()


def test_the_leader_starts_from_what_waits_and_a_mailed_link_opens_signed_in(
    browser: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]
    people = {n: session_of(n) for n in ("vanthu", "chuyenvien", "truongphong",
                                         "chanhvanphong", "giamdoc")}
    to_distribute = f"Kế hoạch tổ chức Tết Nguyên Đán {tag}"
    to_sign = f"Công văn báo cáo kết quả cải cách hành chính {tag}"
    doc = _incoming(url, people["vanthu"], to_distribute)
    draft_id = _draft_to_sign(url, people, to_sign)

    with browsers(browser) as open_page:
        leader = open_page(DESKTOP)
        open_signed_in(leader, url, people["giamdoc"], "/")
        inbox = leader.locator("#inbox")
        distribute = inbox.locator("li.work-item[data-kind='incoming.distribute']",
                                   has_text=to_distribute)
        sign = inbox.locator("li.work-item[data-kind='outgoing.sign']", has_text=to_sign)
        expect(distribute).to_have_count(1)
        expect(distribute).to_contain_text("Phân phối văn bản đến")
        expect(distribute).to_contain_text("Việc chung của Lãnh đạo Sở")
        expect(sign).to_contain_text("Ký duyệt văn bản đi")
        # Grouped by kind, each group with its count.
        expect(inbox.locator(".inbox-group[data-group='Văn bản đến'] h3")).to_have_text(
            re.compile(r"^Văn bản đến \(\d+"))
        expect(inbox.locator(".inbox-group[data-group='Văn bản đi'] h3")).to_have_text(
            re.compile(r"^Văn bản đi \(\d+"))
        shot(leader, "inbox-leader")

        # The leader opens the document from the inbox and distributes it.
        distribute.get_by_role("link", name=to_distribute).click()
        leader.wait_for_url(re.compile(rf"/app/document\?id={doc['id']}$"))
        loaded(leader)
        due = _a_working_day_after(url, people["giamdoc"]["id_token"], 5)
        form = leader.locator("#distribute-form")
        form.get_by_label("Đơn vị chủ trì", exact=True).select_option("PDKKD")
        form.get_by_label("Hạn xử lý của đơn vị chủ trì").fill(due.isoformat())
        form.get_by_role("button", name="Phân phối").click()
        expect(leader.locator(".flash.ok")).to_be_visible()

        leader.goto(url + "/")
        loaded(leader)
        expect(sign).to_have_count(1)
        expect(distribute).to_have_count(0)

        # The mail that asked for the signature links to the draft; in a new tab of
        # the same browser it opens at once, without the sign-in page.
        mails = _ok(api_call(url, "GET", "/api/dev/outbox",
                             token=people["giamdoc"]["id_token"]))["messages"]
        asked = [m for m in mails if "giamdoc@" in " ".join(m["to"]) and to_sign in m["subject"]]
        assert asked, [m["subject"] for m in mails[:10]]
        link = re.search(r"https?://\S+/app/outgoing-doc\?id=[0-9a-f]+", asked[0]["text"])
        assert link and link.group(0).endswith(draft_id)
        path = link.group(0).split("/app/", 1)[1]
        tab = leader.context.new_page()
        tab.goto(f"{url}/app/{path}")
        loaded(tab)
        assert "/login" not in tab.url
        expect(tab.locator("#og-title")).to_have_text(to_sign)
        tab.close()

"""Inter-agency exchange in a real Chromium against the local runtime and its
stand-in exchange: the clerk picks an agency from the directory on the outgoing
document's page, issues the document, and sees the packet sent and then the
peer agency's status (03 Đã tiếp nhận) appear on the same page while it is open."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, api_call, browsers, loaded, open_signed_in
from tests.e2e.helpers import run_python

pytestmark = pytest.mark.e2e

STEP_TIMEOUT = 60_000
PEER = "Sở Tài chính Hà Nội"


def _signed_document(url: str, session_of: Any) -> str:
    """A công văn drafted, approved and signed through the API (the outgoing e2e
    test walks that part in the browser)."""
    def call(user: str, method: str, path: str, body: Any = None) -> Any:
        status, answer = api_call(url, method, path, body, token=session_of(user)["id_token"])
        assert 200 <= status < 300, (path, status, answer)
        return answer

    doc = call("chuyenvien", "POST", "/api/outgoing", {
        "type_code": "CV", "subject": f"V/v phối hợp thẩm định dự án {uuid.uuid4().hex[:6]}",
        "signer": "giamdoc", "recipients_internal": [], "recipients_external": []})
    path = f"/api/outgoing/{doc['id']}"
    call("chuyenvien", "POST", path + "/compose", {
        "body": "Sở Kế hoạch và Đầu tư đề nghị Sở Tài chính phối hợp thẩm định.",
        "recipients": ["Như trên;", "Lưu: VT, PDKKD."]})
    call("chuyenvien", "POST", path + "/submit", {"comment": ""})
    for reviewer in ("truongphong", "chanhvanphong", "giamdoc"):
        call(reviewer, "POST", path + "/review", {"approve": True, "comment": "Đồng ý"})
    call("giamdoc", "POST", path + "/sign")
    return str(doc["id"])


def _peer(runtime: dict[str, Any], *args: str) -> str:
    """The simulated peer agency, driven as a person would (its own process)."""
    return run_python(runtime, "-m", "chalicelib.local.peer", *args, timeout=60)


def test_the_clerk_sends_to_an_agency_and_sees_its_status_change(
    browser: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    doc_id = _signed_document(url, session_of)
    with browsers(browser) as open_page:
        clerk = open_page(DESKTOP)
        open_signed_in(clerk, url, session_of("vanthu"), f"/app/outgoing-doc?id={doc_id}")
        loaded(clerk)
        badge = clerk.locator("#og-head [data-out=badges] .badge[data-status]")
        expect(badge).to_have_text("Đã ký, chờ phát hành", timeout=STEP_TIMEOUT)
        card = clerk.locator("#og-exchange")
        expect(card).to_be_visible()
        card.get_by_label("Thêm cơ quan nhận (danh bạ liên thông)").select_option(
            label=f"{PEER} (000.00.31.H26)")
        card.get_by_role("button", name="Gửi liên thông").click()
        row = card.locator("tr[data-organ='000.00.31.H26']")
        expect(row).to_contain_text("Chờ phát hành")

        clerk.locator("#og-issue").get_by_role("button", name="Cấp số và phát hành").click()
        clerk.locator("#confirm-dialog").get_by_role("button", name="Phát hành", exact=True).click()
        expect(badge).to_have_text("Đã phát hành", timeout=STEP_TIMEOUT)
        expect(row.locator("[data-out=exchange-status]")).to_have_text("Đã gửi",
                                                                        timeout=STEP_TIMEOUT)

        # The peer reads its inbox and answers 01 Đã đến, then 03 Đã tiếp nhận.
        assert "DocumentPacket" in _peer(runtime, "inbox")
        expect(row.locator("[data-out=exchange-status]")).to_have_text(
            "03 Đã tiếp nhận", timeout=STEP_TIMEOUT)
        expect(row).to_contain_text(" lúc ")  # the status's local time

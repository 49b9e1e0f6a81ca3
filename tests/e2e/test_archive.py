"""Case files in a real Chromium: the head of unit lists a case file for the
year and a leader approves the list; the officer files a composed draft into
it, opens the file on "/app/archive", sees its index of documents (mục lục) and
closes it; the archivist finds it among the files due to the archive and
receives it, after which it reads "Đã nộp lưu" and the officer no longer opens it."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import DESKTOP, api_call, browsers, open_signed_in, shot

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _ok(result: tuple[int, Any]) -> Any:
    status, body = result
    assert status == 200, body
    return body


def _confirm(page: Any, button: str) -> None:
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_be_hidden()


def test_an_officer_files_and_closes_a_case_file_and_the_archivist_receives_it(
    browser: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    year = datetime.now(TZ).year
    head = session_of("truongphong")
    officer = session_of("chuyenvien")
    archivist = session_of("luutru")
    code = f"E{uuid.uuid4().hex[:6].upper()}"
    title = f"Hồ sơ công văn trao đổi về đăng ký doanh nghiệp {code}"
    made = _ok(api_call(url, "POST", f"/api/archive/lists/PDKKD/{year}/files", {
        "code": code, "title": title, "group": "TH-04", "responsible": "chuyenvien"},
        token=head["id_token"]))
    listed = _ok(api_call(url, "GET", f"/api/archive/lists/PDKKD/{year}",
                          token=head["id_token"]))
    _ok(api_call(url, "POST", f"/api/archive/lists/PDKKD/{year}/approve",
                 {"version": listed["version"]}, token=session_of("giamdoc")["id_token"]))
    subject = f"V/v hướng dẫn hồ sơ đăng ký {code}"
    doc = _ok(api_call(url, "POST", "/api/outgoing", {
        "type_code": "CV", "subject": subject, "signer": "giamdoc",
        "recipients_internal": [], "recipients_external": []}, token=officer["id_token"]))
    _ok(api_call(url, "POST", f"/api/outgoing/{doc['id']}/compose", {
        "body": "Sở Kế hoạch và Đầu tư hướng dẫn hồ sơ.", "recipients": ["Như trên;"]},
        token=officer["id_token"]))
    suggested = _ok(api_call(url, "GET", f"/api/archive/suggest?kind=outgoing&ref={doc['id']}",
                             token=officer["id_token"]))
    assert made["id"] in [f["id"] for f in suggested["files"]]
    _ok(api_call(url, "POST", f"/api/archive/files/{made['id']}/items",
                 {"kind": "outgoing", "ref": doc["id"]}, token=officer["id_token"]))

    with browsers(browser) as open_page:
        page = open_page(DESKTOP)
        open_signed_in(page, url, officer, f"/app/archive?file={made['id']}")
        expect(page.locator("h1")).to_have_text("Hồ sơ lưu trữ")
        expect(page.locator("#ar-files tbody tr", has_text=title)).to_contain_text("10 năm")
        expect(page.locator("#ar-file-title")).to_have_text(f"Hồ sơ số {code}: {title}")
        rows = page.locator("#ar-items tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Văn bản đi")
        expect(rows.first).to_contain_text(subject)
        # The export: one PDF, the composed draft attached to it unchanged.
        with page.expect_download() as info:
            page.locator("#ar-file [data-action=export]").click()
        exported = Path(info.value.path()).read_bytes()
        assert exported.startswith(b"%PDF")
        attached = PdfReader(io.BytesIO(exported)).attachments
        assert list(attached) == ["001-outgoing.pdf"]
        assert attached["001-outgoing.pdf"][0].startswith(b"%PDF")
        page.locator("#ar-file [data-action=close]").click()
        _confirm(page, "Kết thúc")
        expect(page.locator("[data-out=file-facts]")).to_contain_text("Đã kết thúc")
        expect(page.locator("[data-out=file-facts]")).to_contain_text("Hạn nộp lưu")
        expect(page.locator("#ar-file [data-action=close]")).to_be_hidden()
        shot(page, "archive-closed")

        keeper = open_page(DESKTOP)
        open_signed_in(keeper, url, archivist, "/app/archive")
        due = keeper.locator("#ar-due-list li", has_text=title)
        expect(due).to_be_visible()
        due.get_by_role("link").click()
        expect(keeper.locator("#ar-file-title")).to_have_text(f"Hồ sơ số {code}: {title}")
        keeper.locator("#ar-file [data-action=hand_over]").click()
        _confirm(keeper, "Nhận nộp lưu")
        expect(keeper.locator("[data-out=file-facts]")).to_contain_text("Đã nộp lưu")
        expect(keeper.locator("#ar-due-list li", has_text=title)).to_have_count(0)
        shot(keeper, "archive-received")

    status, refused = api_call(url, "GET", f"/api/archive/files/{made['id']}",
                               token=officer["id_token"])
    assert status == 404 and set(refused) == {"error"}

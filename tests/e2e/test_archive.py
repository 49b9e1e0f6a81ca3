"""Case files in a real Chromium (issue #14): the head of unit lists a case
file for the year and a leader approves the list; a petition is answered by a
signed and issued letter; the officer files the settled case from its own page
("Đưa vào hồ sơ", the suggested case file confirmed) and the answer from its
page, opens the case file on "/app/archive", sees its index of documents (mục
lục) and closes it; the archivist finds it among the files due to the archive,
receives it and downloads its export, whose attached answer still carries two
signatures that pdfsig says are valid; the archivist lets the head of unit read
it for a week and prints the unit's hand-over record over the files chosen; the
head reads it, read-only; the officer, without a grant, no longer opens it."""

from __future__ import annotations

import io
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.conftest import pdfsig
from tests.e2e.conftest import DESKTOP, api_call, api_login, browsers, open_signed_in, shot
from tests.e2e.helpers import confirm, password_of

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STEP_SECONDS = 60  # signing and issuing run as background steps


def _ok(result: tuple[int, Any]) -> Any:
    status, body = result
    assert status == 200, body
    return body


def _until(url: str, path: str, token: str, field: str, wanted: str) -> dict[str, Any]:
    """The record at ``path`` once its ``field`` reads ``wanted`` (a background
    step moves it); fails fast on a step that failed."""
    deadline = time.monotonic() + STEP_SECONDS
    while True:
        body = _ok(api_call(url, "GET", path, token=token))
        if body.get(field) == wanted:
            return body
        assert not str(body.get(field)).endswith("_failed"), body
        assert time.monotonic() < deadline, body
        time.sleep(0.5)


def _answered_petition(url: str, runtime: dict[str, Any], session_of: Any, tag: str
                       ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A petition registered at the desk, assigned to chuyenvien (PDKKD) and
    answered by a letter the director signed and the clerk issued: the case
    settled and its answer. Through the API: the pages of these steps have
    their own e2e tests."""
    clerk, officer = session_of("vanthu")["id_token"], session_of("chuyenvien")["id_token"]
    case = _ok(api_call(url, "POST", "/api/complaints", {
        "kind": "petition", "name": "Nguyễn Văn Hưng", "phone": "0912345678",
        "content": f"Kiến nghị rút ngắn thời gian trả kết quả đăng ký doanh nghiệp {tag}.",
        "channel": "letter"}, token=clerk))
    cpath = f"/api/complaints/{case['id']}"
    _ok(api_call(url, "POST", cpath + "/accept", token=clerk))
    _ok(api_call(url, "POST", cpath + "/assign", {"unit": "PDKKD", "officer": "chuyenvien"},
                 token=session_of("giamdoc")["id_token"]))
    answer = _ok(api_call(url, "POST", cpath + "/answer", {
        "signer": "giamdoc", "body": "Sở Kế hoạch và Đầu tư tiếp thu kiến nghị của ông."},
        token=officer))
    opath = f"/api/outgoing/{answer['id']}"
    _ok(api_call(url, "POST", opath + "/submit", {"comment": ""}, token=officer))
    for reviewer in ("truongphong", "chanhvanphong", "giamdoc"):
        _ok(api_call(url, "POST", opath + "/review", {"approve": True, "comment": "Đồng ý."},
                     token=session_of(reviewer)["id_token"]))
    # Signing needs a sign-in of under five minutes: a fresh one, whatever ran before.
    _ok(api_call(url, "POST", opath + "/sign",
                 token=api_login(url, "giamdoc", password_of(runtime, "giamdoc"))["id_token"]))
    _until(url, opath, officer, "status", "signed")
    _ok(api_call(url, "POST", opath + "/issue", token=clerk))
    answer = _until(url, opath, officer, "status", "issued")
    return _until(url, cpath, officer, "status", "settled"), answer


def test_an_officer_files_an_answered_complaint_and_its_answer_and_the_archivist_receives_it(
    browser: Any, runtime: dict[str, Any], session_of: Any, tmp_path: Path
) -> None:
    url = runtime["url"]
    year = datetime.now(TZ).year
    head = session_of("truongphong")
    officer = session_of("chuyenvien")
    archivist = session_of("luutru")
    tag = uuid.uuid4().hex[:6].upper()
    code, other = f"E{tag}", f"F{tag}"
    title = f"Hồ sơ giải quyết kiến nghị về đăng ký doanh nghiệp {code}"
    made = {}
    for c, t, group in ((code, title, "TT-01"), (other, f"Công văn trao đổi {other}", "TH-04")):
        made[c] = _ok(api_call(url, "POST", f"/api/archive/lists/PDKKD/{year}/files", {
            "code": c, "title": t, "group": group, "responsible": "chuyenvien"},
            token=head["id_token"]))
    file_id = made[code]["id"]
    listed = _ok(api_call(url, "GET", f"/api/archive/lists/PDKKD/{year}",
                          token=head["id_token"]))
    _ok(api_call(url, "POST", f"/api/archive/lists/PDKKD/{year}/approve",
                 {"version": listed["version"]}, token=session_of("giamdoc")["id_token"]))
    case, answer = _answered_petition(url, runtime, session_of, tag)

    with browsers(browser) as open_page:
        page = open_page(DESKTOP)
        # ---- the settled case, filed from its own page into the suggested case file
        open_signed_in(page, url, officer, f"/app/complaint?id={case['id']}")
        card = page.locator("#cp-filing")
        expect(card).to_be_visible()
        choice = card.get_by_label("Đưa vào hồ sơ")
        # The complaints group (TT-01) suits a complaint case: suggested first.
        expect(choice).to_have_value(file_id)
        expect(choice.locator("option:checked")).to_contain_text("(gợi ý)")
        card.get_by_role("button", name="Đưa vào hồ sơ").click()
        confirm(page, "Đưa vào hồ sơ")
        filed = card.locator("[data-out=filed]")
        expect(filed).to_contain_text(f"Đã đưa vào hồ sơ số {code}")
        expect(card.locator("form")).to_be_hidden()
        shot(page, "archive-filed-from-complaint")

        # ---- its answer, from the answer's page: the officer picks the file
        page.goto(f"{url}/app/outgoing-doc?id={answer['id']}")
        card = page.locator("#og-filing")
        expect(card).to_be_visible()
        card.get_by_label("Đưa vào hồ sơ").select_option(file_id)
        card.get_by_role("button", name="Đưa vào hồ sơ").click()
        confirm(page, "Đưa vào hồ sơ")
        expect(card.locator("[data-out=filed]")).to_contain_text(f"Đã đưa vào hồ sơ số {code}")
        card.locator("[data-out=filed-link]").click()

        # ---- the case file: its index, then closed
        expect(page.locator("h1")).to_have_text("Hồ sơ lưu trữ")
        expect(page.locator("#ar-files tbody tr", has_text=title)).to_contain_text("15 năm")
        expect(page.locator("#ar-file-title")).to_have_text(f"Hồ sơ số {code}: {title}")
        rows = page.locator("#ar-items tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Đơn thư")
        expect(rows.nth(0)).to_contain_text(case["code"])
        expect(rows.nth(1)).to_contain_text("Văn bản đi")
        expect(rows.nth(1)).to_contain_text(answer["number_text"])
        page.locator("#ar-file [data-action=close]").click()
        confirm(page, "Kết thúc")
        expect(page.locator("[data-out=file-facts]")).to_contain_text("Đã kết thúc")
        expect(page.locator("[data-out=file-facts]")).to_contain_text("Hạn nộp lưu")
        expect(page.locator("#ar-file [data-action=close]")).to_be_hidden()
        shot(page, "archive-closed")

        # ---- the archivist receives it and exports it
        keeper = open_page(DESKTOP)
        open_signed_in(keeper, url, archivist, "/app/archive")
        due = keeper.locator("#ar-due-list li", has_text=title)
        expect(due).to_be_visible()
        due.get_by_role("link").click()
        expect(keeper.locator("#ar-file-title")).to_have_text(f"Hồ sơ số {code}: {title}")
        keeper.locator("#ar-file [data-action=hand_over]").click()
        confirm(keeper, "Nhận nộp lưu")
        expect(keeper.locator("[data-out=file-facts]")).to_contain_text("Đã nộp lưu")
        expect(keeper.locator("#ar-due-list li", has_text=title)).to_have_count(0)
        shot(keeper, "archive-received")
        with keeper.expect_download() as info:
            keeper.locator("#ar-file [data-action=export]").click()
        exported = Path(info.value.path()).read_bytes()

        # ---- the archivist lets the head of unit read it for a week
        until = (datetime.now(TZ).date() + timedelta(days=7))
        grant = keeper.locator("#ar-grant-form")
        grant.get_by_label("Người được đọc").select_option("truongphong")
        grant.get_by_label("Đến hết ngày").fill(until.isoformat())
        grant.get_by_role("button", name="Cấp quyền đọc").click()
        expect(keeper.locator("#ar-grants li[data-username=truongphong]")).to_contain_text(
            f"Được đọc đến hết ngày {until:%d/%m/%Y}")
        shot(keeper, "archive-grants")
        # ---- and makes the unit's hand-over record over the files chosen
        keeper.locator("#ar-unit").select_option("PDKKD")
        keeper.locator("#ar-form").get_by_role("button", name="Xem").click()
        keeper.get_by_label(f"Chọn hồ sơ {code} cho biên bản giao nhận").check()
        with keeper.expect_download() as info:
            keeper.locator("#ar-batch [data-action=batch-record]").click()
        record = Path(info.value.path()).read_bytes()

        reader_page = open_page(DESKTOP)
        open_signed_in(reader_page, url, head, f"/app/archive?file={file_id}")
        expect(reader_page.locator("#ar-file-title")).to_have_text(f"Hồ sơ số {code}: {title}")
        expect(reader_page.locator("[data-out=read-only]")).to_contain_text(
            f"đến hết ngày {until:%d/%m/%Y}")
        expect(reader_page.locator("#ar-items tbody tr")).to_have_count(2)
        expect(reader_page.locator("#ar-grants")).to_be_hidden()
        shot(reader_page, "archive-read-by-grant")

    # The export opens; the answer is attached as archived, its signatures valid.
    reader = PdfReader(io.BytesIO(exported))
    assert len(reader.pages) >= 2
    attached = reader.attachments
    assert list(attached) == ["002-outgoing.pdf"]  # the case itself has no PDF
    verdicts = pdfsig(attached["002-outgoing.pdf"][0], tmp_path)
    assert len(verdicts) == 2 and set(verdicts.values()) == {"Signature is Valid."}, verdicts

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(record)).pages)
    assert "BIÊN BẢN" in text and code in text and "Tổng số: 01 hồ sơ, 2 văn bản" in text

    status, refused = api_call(url, "GET", f"/api/archive/files/{file_id}",
                               token=officer["id_token"])
    assert status == 404 and set(refused) == {"error"}

"""Complaints (đơn thư) in a real Chromium: a citizen files a complaint with an
attachment on the public page and gets a tracking code; the clerk accepts it
and sees the settlement deadline; the director assigns it to a unit and an
officer; the public lookup shows it is being settled. A protected denouncer's
identity stays masked for the clerk and is shown to the director on request.
A filing whose hidden trap field is filled is refused."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, browsers, loaded, open_signed_in, shot

pytestmark = pytest.mark.e2e

CODE = re.compile(r"^(KN|TC|PA)-\d{6}-[A-Z0-9]{6}$")
MASK = "(Danh tính người tố cáo được giữ bí mật)"




def tiny_pdf(path: Path) -> Path:
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n")
    return path


def fill_person(form: Any, name: str, phone: str, content: str, email: str = "") -> None:
    form.get_by_label("Họ và tên").fill(name)
    form.get_by_label("Số điện thoại").fill(phone)
    if email:
        form.get_by_label("Thư điện tử").fill(email)
    form.get_by_label("Nội dung đơn").fill(content)


def file_on_the_page(page: Any) -> str:
    """Submits the filled form; answers the tracking code shown."""
    page.get_by_role("button", name="Gửi đơn", exact=True).click()
    receipt = page.locator("#cp-receipt")
    expect(receipt).to_be_visible(timeout=30_000)
    code = receipt.locator("[data-out=code]").inner_text().strip()
    assert CODE.match(code), code
    return code


def open_case_from_list(page: Any, url: str, session: dict[str, Any], code: str) -> str:
    open_signed_in(page, url, session, "/app/complaints")
    expect(page.locator("#nav a[aria-current=page]")).to_have_text("Đơn thư")
    row = page.locator("#cp-cases tbody tr").filter(has_text=code)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=code).click()
    page.wait_for_url(re.compile(r"/app/complaint\?id=[0-9a-f]+$"))
    loaded(page)
    expect(page.locator("#cp-head [data-out=code]")).to_have_text(code)
    return str(page.url[len(url):])


def status_of(page: Any) -> Any:
    return page.locator("#cp-head [data-out=badges] .badge[data-status]")


def test_a_complaint_goes_from_the_public_page_to_an_assigned_officer(
    browser: Any, runtime: dict[str, Any], session_of: Any, tmp_path: Path
) -> None:
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]
    received = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() - timedelta(days=10)).isoformat()
    content = (f"Tôi đề nghị xem xét lại việc từ chối cấp giấy chứng nhận đăng ký doanh nghiệp "
               f"cho Công ty TNHH Minh An ({tag}).")

    with browsers(browser) as open_page:
        # ---- a citizen files a complaint with one PDF, on a phone
        citizen = open_page(PHONE)
        citizen.goto(url + "/gui-don")
        loaded(citizen)
        expect(citizen.locator("#nav")).to_be_hidden()  # nobody signed in
        form = citizen.locator("#cp-form")
        expect(form.get_by_role("radio", name=re.compile("^Khiếu nại"))).to_be_checked()
        # Identity protection is for denunciations only.
        expect(form.get_by_label(re.compile("bảo vệ danh tính"))).to_be_hidden()
        fill_person(form, "Nguyễn Văn An", "0912345678", content, email=f"an-{tag}@example.vn")
        form.get_by_label("Quyết định hoặc hành vi bị khiếu nại").fill("Thông báo số 123/TB-PDKKD")
        form.get_by_label("Ngày nhận được quyết định").fill(received)
        form.get_by_label(re.compile("^Tài liệu kèm theo")).set_input_files(
            tiny_pdf(tmp_path / "giay-to-kem-theo.pdf"))
        expect(form.locator("[data-out=files] li")).to_have_count(1)
        shot(citizen, "complaint-file-phone")
        code = file_on_the_page(citizen)
        assert code.startswith("KN-"), code
        expect(citizen.locator("#cp-receipt [data-out=mail]")).to_contain_text(
            "Giấy biên nhận đã được gửi")
        shot(citizen, "complaint-receipt-phone")

        # ---- the clerk accepts it and sees the settlement deadline
        clerk = open_page(DESKTOP)
        case_path = open_case_from_list(clerk, url, session_of("vanthu"), code)
        expect(status_of(clerk)).to_have_text("Đã nhận đơn")
        expect(clerk.locator("#cp-head [data-out=content]")).to_have_text(content)
        expect(clerk.locator("#cp-files")).to_contain_text("giay-to-kem-theo.pdf")
        expect(clerk.locator("#cp-person")).to_contain_text("Nguyễn Văn An")
        expect(clerk.locator("#cp-deadlines [data-out=due]")).to_contain_text("Hạn thụ lý")
        clerk.locator("#cp-accept").get_by_role("button", name="Thụ lý đơn").click()
        expect(status_of(clerk)).to_have_text("Đã thụ lý")
        due = clerk.locator("#cp-deadlines [data-out=due]")
        expect(due).to_contain_text(re.compile(r"Hạn giải quyết: \d{2}/\d{2}/\d{4}"))
        expect(clerk.locator("#cp-deadlines [data-out=clocks]")).to_contain_text("Hạn giải quyết")
        expect(clerk.locator("#cp-assign")).to_be_hidden()  # the leader assigns
        assert unicodedata.is_normalized("NFC", due.inner_text())
        shot(clerk, "complaint-accepted")

        # ---- the director assigns it to PDKKD / chuyenvien
        leader = open_page(DESKTOP)
        open_signed_in(leader, url, session_of("giamdoc"), case_path)
        assign = leader.locator("#cp-assign")
        expect(assign).to_be_visible()
        assign.get_by_label("Đơn vị giải quyết").select_option("PDKKD")
        officer = assign.get_by_label("Cán bộ giải quyết")
        expect(officer.locator("option[value=chuyenvien]")).to_have_count(1)
        officer.select_option("chuyenvien")
        assign.get_by_role("button", name="Giao giải quyết").click()
        expect(status_of(leader)).to_have_text("Đang giải quyết")
        expect(leader.locator("#cp-head [data-out=facts]")).to_contain_text("Trần Văn Minh")
        expect(leader.locator(".flash.ok")).to_contain_text("Đã giao Phòng Đăng ký kinh doanh")
        shot(leader, "complaint-assigned")

        # ---- the dashboard counts it
        leader.goto(url + "/app/complaints-dashboard")
        loaded(leader)
        expect(leader.locator("#cd-kinds tbody tr[data-kind=complaint]")).to_be_visible()
        expect(leader.locator("[data-out=chart] svg rect").first).to_be_attached()
        shot(leader, "complaints-dashboard")

        # ---- the public lookup, from the receipt's link
        citizen.locator("#cp-receipt [data-out=lookup]").click()
        citizen.wait_for_url(re.compile(r"/tra-cuu-don\?code="))
        loaded(citizen)
        expect(citizen.get_by_label("Mã đơn")).to_have_value(code)
        citizen.get_by_label("4 số cuối số điện thoại").fill("0000")
        citizen.get_by_role("button", name="Tra cứu").click()
        verdict = citizen.locator("#cl-result [data-out=verdict]")
        expect(verdict).to_contain_text("Không tìm thấy đơn với mã và số điện thoại này.")
        citizen.get_by_label("4 số cuối số điện thoại").fill("5678")
        citizen.get_by_role("button", name="Tra cứu").click()
        expect(verdict).to_have_text("Đang giải quyết")
        expect(citizen.locator("#cl-result [data-out=facts]")).to_contain_text(code)
        expect(citizen.locator("#cl-result [data-out=facts]")).to_contain_text("Hạn giải quyết")
        shot(citizen, "complaint-lookup-phone")


def test_a_protected_denouncer_is_masked_for_the_clerk_and_shown_to_the_director(
    browser: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]
    with browsers(browser) as open_page:
        citizen = open_page(DESKTOP)
        citizen.goto(url + "/gui-don")
        loaded(citizen)
        form = citizen.locator("#cp-form")
        form.get_by_role("radio", name=re.compile("^Tố cáo")).check()
        protect = form.get_by_label(re.compile("bảo vệ danh tính"))
        expect(protect).to_be_visible()
        expect(form.get_by_label("Quyết định hoặc hành vi bị khiếu nại")).to_be_hidden()
        protect.check()
        fill_person(form, "Lê Thị Bình", "0987654321",
                    f"Tôi tố cáo cán bộ tiếp nhận hồ sơ yêu cầu nộp thêm tiền ngoài quy định "
                    f"({tag}).")
        code = file_on_the_page(citizen)
        assert code.startswith("TC-"), code
        expect(citizen.locator("#cp-receipt [data-out=mail]")).to_be_hidden()  # no e-mail given

        clerk = open_page(DESKTOP)
        case_path = open_case_from_list(clerk, url, session_of("vanthu"), code)
        person = clerk.locator("#cp-person")
        expect(person).to_contain_text(MASK)
        expect(person).not_to_contain_text("Lê Thị Bình")
        expect(person.get_by_role("button", name="Xem danh tính")).to_have_count(0)
        expect(person).to_contain_text("chỉ lãnh đạo Sở và cán bộ được giao giải quyết được xem")

        leader = open_page(DESKTOP)
        open_signed_in(leader, url, session_of("giamdoc"), case_path)
        person = leader.locator("#cp-person")
        expect(person).to_contain_text(MASK)
        person.get_by_role("button", name="Xem danh tính").click()
        expect(person).to_contain_text("Lê Thị Bình")
        expect(person).to_contain_text("0987654321")
        shot(leader, "complaint-identity")
        expect(person.get_by_role("button", name="Xem danh tính")).to_have_count(0)


def test_a_filing_with_the_hidden_trap_field_filled_is_refused(
    page: Any, runtime: dict[str, Any]
) -> None:
    page.goto(runtime["url"] + "/gui-don")
    loaded(page)
    trap = page.locator("#cp-form input[name=website]")
    expect(trap).to_have_attribute("tabindex", "-1")
    expect(trap).to_have_attribute("autocomplete", "off")
    assert trap.get_attribute("type") == "text"
    box = trap.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0, box  # off screen, not type=hidden
    form = page.locator("#cp-form")
    form.get_by_role("radio", name=re.compile("^Phản ánh")).check()
    fill_person(form, "Trình Tự Động", "0911222333",
                "Nội dung do chương trình tự động điền vào mọi ô của biểu mẫu.")
    page.evaluate("document.querySelector('#cp-form input[name=website]').value = 'http://spam.example'")
    page.get_by_role("button", name="Gửi đơn", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Dữ liệu không hợp lệ.")
    expect(page.locator("#cp-receipt")).to_be_hidden()

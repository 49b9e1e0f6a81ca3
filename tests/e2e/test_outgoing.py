"""Outgoing documents in a real Chromium: an officer drafts a công văn and
composes it from the Decree 30 template, the head of unit, the office and the
director approve, the director signs (confirming with the password), the clerk
issues it with the next number; the register lists it, the external recipient's
mail carries a download link, and the downloaded PDF is reported authentic by
the public verification page and by poppler's pdfsig. A wrong code on the
verification page says so in Vietnamese."""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import pdfsig_text
from tests.e2e.conftest import DESKTOP, PHONE, browsers, loaded, open_signed_in, shot
from tests.e2e.helpers import password_of, refresh_until_listed

pytestmark = pytest.mark.e2e

STEP_TIMEOUT = 60_000  # signing and issuing run as background steps




def status_of(page: Any) -> Any:
    return page.locator("#og-head [data-out=badges] .badge[data-status]")


def approve(page: Any, url: str, session: dict[str, Any], doc_path: str, step: str) -> None:
    open_signed_in(page, url, session, doc_path)
    review = page.locator("#og-review")
    expect(review).to_be_visible()
    expect(review).to_contain_text(f"Bước hiện tại: {step}.")
    review.get_by_label("Ý kiến").fill("Đồng ý.")
    review.get_by_role("button", name="Đồng ý", exact=True).click()
    # One transaction closes this step's inbox item, opens the next one's and moves
    # the counters; the local runtime serialises its DynamoDB requests, so a loaded
    # machine may take longer than the default five seconds.
    expect(page.locator(".flash.ok")).to_be_visible(timeout=20_000)
    done = page.locator("#og-chain li[data-decision=approved]").filter(has_text=step)
    expect(done).to_have_count(1)


def test_a_draft_goes_from_the_officer_to_an_issued_verified_document(
    browser: Any, runtime: dict[str, Any], session_of: Any, tmp_path: Path
) -> None:
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]
    subject = f"V/v báo cáo tình hình đăng ký doanh nghiệp quý IV {tag}"
    external = f"congty-{tag}@example.vn"

    with browsers(browser) as open_page:
        # ---- the officer drafts a công văn
        officer = open_page(DESKTOP)
        open_signed_in(officer, url, session_of("chuyenvien"), "/app/outgoing")
        expect(officer.locator("#nav a[aria-current=page]")).to_have_text("Văn bản đi")
        form = officer.locator("#og-form")
        expect(form.get_by_label("Loại văn bản")).to_have_value("CV")
        form.get_by_label("Trích yếu nội dung").fill(subject)
        form.get_by_label("Người ký").select_option("giamdoc")
        form.get_by_role("button", name="+ Thêm nơi nhận").click()
        form.get_by_label("Tên cơ quan, người nhận").fill("Công ty TNHH Hưng Thịnh")
        form.get_by_label("Thư điện tử").fill(external)
        form.get_by_role("button", name="Tạo dự thảo").click()
        officer.wait_for_url(re.compile(r"/app/outgoing-doc\?id=[0-9a-f]+$"))
        loaded(officer)
        doc_path = officer.url[len(url):]
        expect(officer.locator("#og-title")).to_have_text(subject)
        expect(status_of(officer)).to_have_text("Dự thảo")

        # ---- composed from the template, then submitted
        compose = officer.locator("#og-compose-form")
        expect(compose.get_by_label("Nơi nhận (mỗi dòng một nơi)")).to_have_value(
            "Như trên;\nLưu: VT, PDKKD.")
        compose.get_by_label("Nội dung văn bản").fill(
            "Kính gửi: Công ty TNHH Hưng Thịnh.\n"
            "Sở Kế hoạch và Đầu tư đề nghị Công ty báo cáo tình hình hoạt động quý IV "
            "trước ngày 15 tháng 01.")
        compose.get_by_role("button", name="Soạn từ mẫu").click()
        version = officer.locator("#og-versions li.og-version[data-number='1']")
        expect(version).to_contain_text("Phiên bản 1", timeout=30_000)
        expect(version).to_contain_text("Soạn từ mẫu")
        officer.locator("#og-submit-form").get_by_role("button", name="Trình duyệt").click()
        expect(status_of(officer)).to_have_text("Đang trình duyệt")
        expect(officer.locator("#og-chain li.og-step")).to_have_count(3)

        # ---- the head of unit, the office and the director approve
        approve(open_page(PHONE), url, session_of("truongphong"), doc_path,
                "Trưởng đơn vị kiểm tra nội dung")
        approve(open_page(DESKTOP), url, session_of("chanhvanphong"), doc_path,
                "Văn phòng kiểm tra thể thức")
        leader = open_page(DESKTOP)
        approve(leader, url, session_of("giamdoc"), doc_path, "Lãnh đạo duyệt ký")
        expect(status_of(leader)).to_have_text("Chờ ký số")

        # ---- the director signs, confirming with the password
        leader.locator("#og-sign").get_by_role("button", name="Ký số văn bản").click()
        dialog = leader.locator("#sign-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_label("Mật khẩu").fill(password_of(runtime, "giamdoc") + "-sai")
        dialog.get_by_role("button", name="Xác nhận ký số").click()
        # The dialog asks only for the password: it says only the password is wrong.
        expect(dialog.locator(".field-error[data-error-for~=password]")).to_have_text(
            "Mật khẩu không đúng.")
        expect(dialog).not_to_contain_text("Tên đăng nhập")
        assert "/login" not in leader.url  # a wrong password never ends the session
        dialog.get_by_label("Mật khẩu").fill(password_of(runtime, "giamdoc"))
        dialog.get_by_role("button", name="Xác nhận ký số").click()
        expect(dialog).to_be_hidden()
        failed = leader.locator("#og-head [data-out=failure]")
        expect(status_of(leader)).to_have_text(
            re.compile("Đã ký, chờ phát hành|Ký số lỗi"), timeout=STEP_TIMEOUT)
        assert failed.is_hidden(), failed.inner_text()
        expect(leader.locator(".flash.ok")).to_contain_text("Đã ký số")
        shot(leader, "outgoing-signed")

        # ---- the clerk issues it
        clerk = open_page(DESKTOP)
        open_signed_in(clerk, url, session_of("vanthu"), doc_path)
        issue = clerk.locator("#og-issue")
        expect(issue).to_be_visible()
        issue.get_by_role("button", name="Cấp số và phát hành").click()
        confirm = clerk.locator("#confirm-dialog")
        expect(confirm).to_be_visible()
        confirm.get_by_role("button", name="Phát hành", exact=True).click()
        expect(status_of(clerk)).to_have_text(re.compile("Đã phát hành|Phát hành lỗi"),
                                              timeout=STEP_TIMEOUT)
        failed = clerk.locator("#og-head [data-out=failure]")
        assert failed.is_hidden(), failed.inner_text()
        number = clerk.locator("#og-head [data-out=number]").inner_text().strip()
        assert re.fullmatch(r"\d{2,}/SKHĐT-ĐKKD", number), number
        assert unicodedata.is_normalized("NFC", number)
        expect(clerk.locator("#og-head [data-out=issued-on]")).to_contain_text("Ngày ban hành: ")
        expect(clerk.locator("#og-head [data-file=issued]")).to_be_visible()
        shot(clerk, "outgoing-issued")

        # ---- the register lists it
        clerk.goto(url + "/app/outgoing-register")
        loaded(clerk)
        row = clerk.locator("#reg-table tbody tr").filter(has_text=number)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(f"Công văn: {subject}")
        expect(row).to_contain_text("Công ty TNHH Hưng Thịnh")
        shot(clerk, "outgoing-register")

        # ---- the external recipient's mail carries the download link
        clerk.goto(url + "/app/outbox")
        loaded(clerk)
        mail = clerk.locator("article.mail").filter(has_text=external)
        refresh_until_listed(clerk, mail, "#outbox-list", pause_ms=1000)
        expect(mail).to_have_count(1)
        text = mail.locator(".mail-text").inner_text()
        found = re.search(r"https?://\S+?/d/[A-Za-z0-9_-]+", text)
        assert found, text
        link = found.group(0)
        assert link.startswith(url + "/d/"), link
        response = clerk.request.get(link)
        assert response.ok, response.status
        data = response.body()
        assert data.startswith(b"%PDF-"), data[:40]
        issued = tmp_path / f"{number.replace('/', '_')}.pdf"
        issued.write_bytes(data)

        # ---- anyone checks it on the public page
        public = open_page(PHONE)
        public.goto(url + "/verify")
        loaded(public)
        expect(public.locator("#nav")).to_be_hidden()  # nobody signed in
        public.get_by_label("Chọn tệp PDF đã nhận").set_input_files(issued)
        public.get_by_role("button", name="Kiểm tra tệp").click()
        verdict = public.locator("#verify-result [data-out=verdict]")
        expect(verdict).to_have_attribute("data-level", "good", timeout=30_000)
        expect(verdict).to_contain_text("Văn bản xác thực")
        expect(public.locator("#verify-result li.og-signature[data-ok=true]")).to_have_count(2)
        register = public.locator("#verify-result [data-out=register]")
        expect(register).to_contain_text(number)
        expect(register).to_contain_text("Đã phát hành")
        shot(public, "verify-good-phone")

    # ---- and so does poppler (its exit code is 0 either way: read the text)
    report = pdfsig_text(issued.read_bytes(), tmp_path)
    assert report.count("Signature is Valid.") == 2, report


def test_the_verification_page_says_when_no_document_carries_a_code(
    page: Any, runtime: dict[str, Any]
) -> None:
    url = runtime["url"]
    page.goto(url + "/verify/ABCDEFGHJK")
    loaded(page)
    code = page.get_by_label("Mã xác thực (in dưới mã QR trên trang đầu)")
    expect(code).to_have_value("ABCDEFGHJK")
    verdict = page.locator("#verify-result [data-out=verdict]")
    expect(verdict).to_have_attribute("data-level", "bad")
    expect(verdict).to_contain_text("Không có văn bản nào đã phát hành mang mã này.")
    # Typed by hand, in lower case with spaces: the same answer.
    code.fill("zz99 zz99 zz")
    page.get_by_role("button", name="Tra cứu").click()
    expect(verdict).to_contain_text("Không có văn bản nào đã phát hành mang mã này.")
    assert page.url == url + "/verify/ZZ99ZZ99ZZ"


def test_the_clerk_drafts_a_meetings_giay_moi_from_the_meeting_page(
    browser: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from tests.e2e.conftest import api_call

    url = runtime["url"]
    day = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=4)
    title = f"Họp giao ban công tác đầu tư công {uuid.uuid4().hex[:6]}"
    status, meeting = api_call(url, "POST", "/api/meetings", {
        "title": title, "start": f"{day.isoformat()}T08:00", "end": f"{day.isoformat()}T10:00",
        "place": "Phòng họp số 2", "chair": "giamdoc", "participants": ["truongphong"],
        "agenda": [{"title": "Báo cáo tình hình giải ngân"}]},
        token=session_of("vanthu")["id_token"])
    assert status == 200, meeting

    with browsers(browser) as open_page:
        clerk = open_page(DESKTOP)
        open_signed_in(clerk, url, session_of("vanthu"), f"/app/meeting?id={meeting['id']}")
        letter = clerk.locator("#meeting-letter")
        expect(letter).to_be_visible()
        expect(letter.get_by_role("heading")).to_have_text("Giấy mời (văn bản đi)")
        letter.get_by_label("Người ký").select_option("giamdoc")
        expect(letter.get_by_label("Thẩm quyền ký")).to_have_value("")
        letter.get_by_role("button", name="Soạn giấy mời").click()
        clerk.wait_for_url(re.compile(r"/app/outgoing-doc\?id=[0-9a-f]+$"))
        loaded(clerk)
        expect(clerk.locator("#og-head [data-out=kind]")).to_have_text("Giấy mời")
        expect(clerk.locator("#og-title")).to_have_text(f"Mời họp: {title}")
        expect(status_of(clerk)).to_have_text("Dự thảo")
        version = clerk.locator("#og-versions li.og-version[data-number='1']")
        expect(version).to_contain_text("Soạn từ mẫu")
        expect(clerk.locator("#og-head [data-file=current]")).to_be_visible()
        shot(clerk, "meeting-letter-draft")

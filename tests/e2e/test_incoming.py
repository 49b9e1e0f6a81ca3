"""Incoming documents in a real Chromium: a PDF uploaded on the intake page is
registered by the pipeline within seconds, the clerk completes its metadata,
the leader distributes it (a day off is refused with the next working day
offered), the head of unit assigns an officer, the officer gives an opinion,
reports progress and completes it, and the leader sees the whole handling. An
officer of another unit never sees it; a file that is not a PDF is rejected
with its reason; a paper document is registered by hand; the pages fit a
phone and a desktop."""

from __future__ import annotations

import random
import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    api_call,
    api_login,
    aws_client,
    browsers,
    loaded,
    open_signed_in,
    shot,
)
from tests.e2e.helpers import (
    confirm,
    each_screen,
    expect_files_refused,
    expect_fits,
    refresh_until_listed,
)
from tests.pdfs import make_pdf

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def today_vn() -> date:
    return datetime.now(TZ).date()


def next_sunday() -> date:
    today = today_vn()
    return today + timedelta(days=(6 - today.weekday()) or 7)




def test_an_uploaded_pdf_goes_from_intake_to_completion(
    browser: Any, runtime: dict[str, Any], session_of: Any, tmp_path: Path
) -> None:
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]
    number = random.randint(100, 9999)
    so_ky_hieu = f"{number}/SXD-QLN"
    subject = f"V/v góp ý dự thảo quy chế phối hợp quản lý nhà ở {tag}"
    pdf = tmp_path / f"Công văn Sở Xây dựng {tag}.pdf"
    # An ASCII text layer (the test PDF has no Vietnamese font): the detector
    # misses the number and the date, so the clerk completes them.
    pdf.write_bytes(make_pdf(["UBND THANH PHO HA NOI", "SO XAY DUNG", f"So: {so_ky_hieu}",
                              "Ha Noi, ngay 20 thang 11 nam 2026",
                              f"V/v gop y du thao quy che phoi hop {tag}",
                              "Kinh gui: So Ke hoach va Dau tu"]))

    with browsers(browser) as open_page:
        # ---- the clerk uploads the PDF on the intake page
        clerk = open_page(DESKTOP)
        open_signed_in(clerk, url, session_of("vanthu"), "/app/intake")
        upload = clerk.locator("#upload-form")
        upload.get_by_label("Chọn tệp PDF").set_input_files(pdf)
        upload.get_by_role("button", name="Tải lên và vào sổ").click()
        status = clerk.locator("#upload-status")
        expect(status).to_contain_text(f"{pdf.name}: Cần bổ sung.", timeout=30_000)
        expect(status).to_contain_text("cần bổ sung thông tin: số, ký hiệu, ngày ban hành")
        shot(clerk, "flow-intake-uploaded")
        record = clerk.locator("#intake-records li.record", has_text=pdf.name)
        expect(record).to_have_count(1)
        expect(record.locator(".badge")).to_have_text("Cần bổ sung")
        expect(record.locator(".record-reason")).to_contain_text(
            "Đã vào sổ; cần bổ sung thông tin: số, ký hiệu, ngày ban hành.")
        record.get_by_role("link", name="Xem văn bản").click()
        clerk.wait_for_url(re.compile(r"/app/document\?id=[0-9a-f]{32}$"))
        loaded(clerk)
        doc_id = clerk.url.rsplit("=", 1)[1]

        # ---- the clerk reads it beside the file and completes the metadata
        head = clerk.locator("#doc-head")
        expect(head.locator("[data-out=missing]")).to_have_text(
            "Cần bổ sung: số, ký hiệu, ngày ban hành. Hãy hoàn thiện ở mục “Thông tin văn bản”.")
        expect(clerk.locator("#nav a[aria-current=page]")).to_have_text("Văn bản đến")
        file_card = clerk.locator("#doc-file")
        expect(file_card).to_contain_text(f"{pdf.name} · 1 trang")
        shot(clerk, "flow-document-needs-review")
        with clerk.expect_popup() as popup_info:
            file_card.get_by_role("link", name="Mở tệp PDF").click()
        popup = popup_info.value
        popup.wait_for_url(re.compile(r"X-Amz-Signature="))
        assert f":{runtime['environment']['AWS_ENDPOINT_URL'].rsplit(':', 1)[1]}/" in popup.url
        popup.close()

        form = clerk.locator("#correct-form")
        expect(form.get_by_label("Trích yếu")).to_have_value(
            f"V/v gop y du thao quy che phoi hop {tag}")
        form.get_by_label("Số, ký hiệu").fill(so_ky_hieu)
        form.get_by_label("Ngày ban hành").fill("2026-11-20")
        form.get_by_label("Cơ quan ban hành").fill("Sở Xây dựng thành phố Hà Nội")
        form.get_by_label("Trích yếu").fill(subject)
        form.get_by_label("Loại văn bản").fill("Công văn")
        form.get_by_label("Độ khẩn").select_option("Khẩn")
        form.get_by_role("button", name="Lưu thông tin").click()
        expect(clerk.locator(".flash.ok")).to_have_text("Đã lưu thông tin văn bản.")
        expect(head.locator("#doc-title")).to_have_text(subject)
        expect(head.locator("[data-out=missing]")).to_be_hidden()
        expect(head.locator(".badge[data-urgency='Khẩn']")).to_have_class(re.compile(r"badge-khan"))

        # The intake record follows: registered now that nothing is missing.
        clerk.goto(url + "/app/intake")
        loaded(clerk)
        clerk.locator("#status-filter").get_by_role("button", name="Đã vào sổ").click()
        expect(clerk.locator("#status-filter .filter-chip[aria-pressed=true]")).to_have_text(
            "Đã vào sổ")
        expect(record.locator(".badge")).to_have_text("Đã vào sổ")
        assert clerk.url.endswith("/app/intake?status=registered")

        # ---- the leader distributes it; a day off is refused with the next working day
        leader = open_page(DESKTOP)
        open_signed_in(leader, url, session_of("giamdoc"), "/app/incoming")
        row = leader.locator(f"#docs tr[data-id='{doc_id}']")
        expect(row).to_contain_text(so_ky_hieu)
        expect(row).to_contain_text("Sở Xây dựng thành phố Hà Nội")
        expect(row.locator(".badge[data-urgency]")).to_have_text("Khẩn")
        expect(row.locator(".badge[data-status]")).to_have_text("Đã vào sổ")
        row.get_by_role("link", name=subject).click()
        leader.wait_for_url(url + f"/app/document?id={doc_id}")
        loaded(leader)
        dist = leader.locator("#distribute-form")
        expect(dist).to_contain_text("Gợi ý theo độ khẩn “Khẩn”")
        suggested = dist.get_by_label("Hạn xử lý của đơn vị chủ trì").input_value()
        assert suggested > today_vn().isoformat(), suggested
        dist.get_by_label("Đơn vị chủ trì", exact=True).select_option("PDKKD")
        sunday = next_sunday()
        dist.get_by_label("Hạn xử lý của đơn vị chủ trì").fill(sunday.isoformat())
        dist.get_by_role("button", name="+ Thêm đơn vị phối hợp").click()
        dist.get_by_label("Đơn vị phối hợp 1").select_option("PTH")
        expect(dist.locator("input[name='supporting.0.deadline']")).to_have_value(suggested)
        dist.get_by_label("Ý kiến chỉ đạo").fill(
            "Phòng ĐKKD chủ trì nghiên cứu, tham mưu văn bản góp ý.")
        dist.get_by_role("button", name="Phân phối").click()
        lead_error = dist.locator(".field-error[data-error-for=lead_deadline]")
        expect(lead_error).to_contain_text("Ngày nghỉ; gợi ý")
        expect(dist.get_by_label("Hạn xử lý của đơn vị chủ trì")).to_have_attribute(
            "aria-invalid", "true")
        expect(leader.locator(".flash .flash-vi")).to_contain_text(
            f"Ngày {sunday:%d/%m/%Y} là ngày nghỉ")
        shot(leader, "flow-distribute-day-off")
        take = lead_error.locator("button.take-day")
        working_day = take.get_attribute("data-date")
        assert working_day and date.fromisoformat(working_day).weekday() < 5
        take.click()
        expect(dist.get_by_label("Hạn xử lý của đơn vị chủ trì")).to_have_value(working_day)
        dist.get_by_role("button", name="Phân phối").click()
        expect(leader.locator(".flash.ok")).to_contain_text(
            "Đã phân phối văn bản: Phòng Đăng ký kinh doanh chủ trì")
        expect(leader.locator("#distribute")).to_be_hidden()
        lead_part = leader.locator("li.part[data-assignee='UNIT#PDKKD']")
        expect(lead_part).to_contain_text("Chủ trì")
        expect(lead_part.locator("[data-timeliness]")).to_have_text(
            re.compile(r"^(Trong hạn|Sắp đến hạn)$"))
        expect(leader.locator("li.part[data-assignee='UNIT#PTH']")).to_contain_text("Phối hợp")

        # ---- the head of PDKKD assigns the officer (on a phone)
        head_page = open_page(PHONE)
        open_signed_in(head_page, url, session_of("truongphong"), "/app/incoming")
        head_page.locator(f"#docs tr[data-id='{doc_id}'] a.doc-link").click()
        loaded(head_page)
        assign = head_page.locator("#assign-form")
        expect(head_page.locator("#assign")).to_contain_text(
            "Phòng Đăng ký kinh doanh được giao chủ trì")
        assign.get_by_label("Trần Văn Minh").select_option("lead")
        assign.get_by_label("Ý kiến giao việc").fill("Đồng chí Minh dự thảo văn bản góp ý.")
        assign.get_by_role("button", name="Giao việc").click()
        expect(head_page.locator(".flash.ok")).to_have_text("Đã giao Trần Văn Minh (chủ trì).")
        expect(head_page.locator("li.part[data-assignee='U#chuyenvien']")).to_contain_text(
            "Trần Văn Minh")
        assert head_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # ---- the officer gives an opinion, reports progress and completes (on a phone)
        officer = open_page(PHONE)
        open_signed_in(officer, url, session_of("chuyenvien"), "/app/incoming")
        officer.locator(f"#docs tr[data-id='{doc_id}'] a.doc-link").click()
        loaded(officer)
        work = officer.locator("#my-work")
        expect(work).to_be_visible()
        expect(work).to_contain_text("Chủ trì")
        shot(officer, "flow-officer-work")
        opinion = "Đề nghị Sở Xây dựng bổ sung số liệu về nhà ở xã hội năm 2026."
        officer.get_by_label("Cho ý kiến").fill(opinion)
        officer.get_by_role("button", name="Gửi ý kiến").click()
        expect(officer.locator(".flash.ok")).to_have_text("Đã gửi ý kiến.")
        timeline = officer.locator("#handling ol.timeline")
        expect(timeline.locator("li.note-opinion")).to_contain_text(opinion)
        expect(timeline.locator("li.note-opinion")).to_contain_text("Trần Văn Minh")

        progress = work.locator("#progress-form")
        progress.get_by_label("Tiến độ (%)").fill("50")
        progress.get_by_label("Nội dung đã làm").fill("Đã dự thảo xong phần góp ý chung.")
        progress.get_by_role("button", name="Báo cáo tiến độ").click()
        expect(officer.locator(".flash.ok")).to_have_text("Đã báo cáo tiến độ 50%.")
        expect(timeline.locator("li.note-progress")).to_contain_text("Tiến độ 50%")
        mine = officer.locator("li.part[data-assignee='U#chuyenvien']")
        expect(mine.locator(".progress-value")).to_have_text("50%")

        work.get_by_text("Hoàn thành phần việc").click()
        done = work.locator("#complete-form")
        done.get_by_label("Kết quả xử lý").fill(
            "Đã trình lãnh đạo ký văn bản góp ý gửi Sở Xây dựng.")
        done.get_by_label("Số, ký hiệu văn bản trả lời").fill("45/SKHĐT-ĐKKD")
        done.get_by_role("button", name="Hoàn thành").click()
        expect(officer.locator(".flash.ok")).to_have_text(
            "Đã hoàn thành phần việc; văn bản đã hoàn thành.")
        expect(work).to_be_hidden()
        expect(officer.locator("#doc-head .badge[data-status]")).to_have_text("Hoàn thành")
        assert officer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # ---- the leader sees it completed, with the parts and the opinion
        leader.reload()
        loaded(leader)
        expect(leader.locator("#doc-head .badge[data-status]")).to_have_text("Hoàn thành")
        expect(lead_part.locator(".part-status").first).to_have_text("Đã xong")
        expect(lead_part.locator("[data-timeliness]").first).to_have_text(
            re.compile(r"^Hoàn thành (trước|đúng) hạn$"))
        person = leader.locator("li.part[data-assignee='U#chuyenvien']")
        expect(person).to_contain_text("Kết quả: Đã trình lãnh đạo ký văn bản góp ý")
        expect(person).to_contain_text("Văn bản trả lời: 45/SKHĐT-ĐKKD")
        expect(person.locator(".progress-value")).to_have_text("100%")
        expect(leader.locator("#handling ol.timeline")).to_contain_text(opinion)
        shot(leader, "flow-leader-completed")
        with leader.expect_popup() as popup_info:
            leader.get_by_role("button", name="In phiếu giải quyết").click()
        slip = popup_info.value
        slip.wait_for_load_state()
        expect(slip.locator("h1")).to_have_text("Phiếu giải quyết văn bản đến")
        expect(slip.locator("body")).to_contain_text(so_ky_hieu)
        expect(slip.locator("body")).to_contain_text(opinion)
        slip.close()
        leader.get_by_role("link", name="Nhật ký văn bản").click()
        leader.wait_for_url(url + f"/app/audit?item=incoming:{doc_id}")
        loaded(leader)
        expect(leader.locator("#trail-title")).to_have_text("Nhật ký văn bản đến")
        for action in ("Vào sổ văn bản đến", "Sửa thông tin văn bản", "Phân phối văn bản",
                       "Giao cán bộ xử lý", "Cho ý kiến", "Báo cáo tiến độ",
                       "Hoàn thành phần việc"):
            expect(leader.locator("#trail .action-name", has_text=action).first).to_be_visible()
        correction = leader.locator("#trail tr[data-action='incoming.correct']")
        expect(correction.locator("dt[data-field=trich_yeu] + dd")).to_contain_text(subject)
        shot(leader, "flow-audit")

        # ---- an officer of another unit never sees it
        status_code, created = api_call(url, "POST", "/api/org/users", {
            "username": f"pth{tag}", "full_name": "Đặng Thu Thủy",
            "email": f"pth{tag}@skhdt.example", "unit": "PTH", "roles": ["officer"],
            "title": "Chuyên viên"},
            token=session_of("quantri")["id_token"])
        assert status_code == 200, created
        other = api_login(url, f"pth{tag}", created["initial_password"])
        stranger = open_page(PHONE)
        open_signed_in(stranger, url, other, "/app/incoming")
        expect(stranger.locator("#docs tbody")).to_contain_text(
            "Chưa có văn bản đến nào bạn được xem.")
        expect(stranger.locator(f"#docs tr[data-id='{doc_id}']")).to_have_count(0)
        stranger.goto(url + f"/app/document?id={doc_id}")
        loaded(stranger)
        expect(stranger.locator(".flash .flash-vi")).to_have_text("Không tìm thấy.")
        expect(stranger.locator("#doc-head")).to_be_hidden()

        # ---- unless the leader shares it with them by name; revoked, it is gone again
        leader.goto(url + f"/app/document?id={doc_id}")
        loaded(leader)
        sharing = leader.locator("#sharing")
        sharing.get_by_label("Chia sẻ cho").select_option(f"pth{tag}")
        sharing.get_by_role("button", name="Chia sẻ").click()
        expect(leader.locator(".flash.ok")).to_have_text("Đã chia sẻ văn bản cho Đặng Thu Thủy.")
        shared = sharing.locator(f"li[data-username='pth{tag}']")
        expect(shared).to_contain_text("Đặng Thu Thủy")
        stranger.goto(url + "/app/incoming")
        loaded(stranger)
        expect(stranger.locator(f"#docs tr[data-id='{doc_id}']")).to_contain_text(subject)
        shared.get_by_role("button", name="Thu hồi").click()
        expect(leader.locator("#confirm-title")).to_have_text(
            f"Thu hồi quyền xem của Đặng Thu Thủy (pth{tag})?")
        confirm(leader, "Thu hồi")
        expect(leader.locator(".flash.ok")).to_have_text("Đã thu hồi quyền xem của Đặng Thu Thủy.")
        expect(shared).to_have_count(0)
        stranger.goto(url + f"/app/document?id={doc_id}")
        loaded(stranger)
        expect(stranger.locator(".flash .flash-vi")).to_have_text("Không tìm thấy.")


def test_a_file_that_is_not_a_pdf_is_refused_with_its_reason_and_can_be_retried(
    page: Any, runtime: dict[str, Any], session_of: Any, tmp_path: Path
) -> None:
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]
    open_signed_in(page, url, session_of("vanthu"), "/app/intake")

    # The page refuses it before sending anything.
    text = tmp_path / "ghi-chu.txt"
    text.write_text("Không phải PDF", "utf-8")
    fake = tmp_path / "gia-mao.pdf"
    fake.write_bytes(b"PK\x03\x04 a zip named .pdf")
    upload = page.locator("#upload-form")
    chooser = upload.get_by_label("Chọn tệp PDF")
    error = upload.locator(".field-error[data-error-for=file]")
    expect_files_refused(chooser, error, [(text, "Chỉ nhận tệp PDF."),
                                          (fake, "Tệp không phải định dạng PDF")])
    upload.get_by_role("button", name="Tải lên và vào sổ").click()
    expect(error).to_contain_text("Tệp không phải định dạng PDF")
    expect(page.locator("#upload-status")).to_be_hidden()

    # A scanner (or anyone with access to the bucket) drops one anyway.
    name = f"Báo cáo {tag}.docx"
    aws_client(runtime, "s3").put_object(
        Bucket=runtime["environment"]["INTAKE_BUCKET"], Key=f"incoming/{name}",
        Body=b"PK\x03\x04 not a pdf at all", ContentType="application/octet-stream")
    page.locator("#status-filter").get_by_role("button", name="Bị từ chối").click()
    record = page.locator("#intake-records li.record", has_text=name)
    refresh_until_listed(page, record, "#intake-records")
    expect(record).to_have_count(1)
    expect(record.locator(".badge")).to_have_text("Bị từ chối")
    expect(record.locator(".record-reason")).to_contain_text(
        "Tệp không phải định dạng PDF (không có chữ ký tệp %PDF)")
    expect(record.get_by_role("link", name="Xem văn bản")).to_have_count(0)
    record.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".flash.ok")).to_have_text(f"Đã gửi lại tệp {name} để xử lý.")

    # The leader sees the intake too, without the clerk's forms and buttons.
    open_signed_in(page, url, session_of("giamdoc"), "/app/intake?status=rejected")
    expect(page.locator("#intake-records li.record", has_text=name)).to_have_count(1)
    expect(page.locator("#upload")).to_be_hidden()
    expect(page.locator("#paper")).to_be_hidden()
    expect(page.get_by_role("button", name="Thử lại")).to_have_count(0)


def test_the_clerk_registers_a_paper_document_by_hand(
    phone_page: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    page = phone_page
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]
    open_signed_in(page, url, session_of("vanthu"), "/app/intake")
    form = page.locator("#paper-form")
    form.get_by_role("button", name="Vào sổ văn bản đến").click()
    expect(form.locator(".field-error[data-error-for=ngay_ban_hanh]")).to_have_text(
        "Chưa nhập ngày ban hành.")
    form.get_by_label("Ngày ban hành").fill(today_vn().isoformat())
    form.get_by_role("button", name="Vào sổ văn bản đến").click()
    for field, label in (("so_ky_hieu", "số, ký hiệu"),
                         ("co_quan_ban_hanh", "cơ quan ban hành"), ("trich_yeu", "trích yếu")):
        expect(form.locator(f".field-error[data-error-for={field}]")).to_have_text(
            f"Chưa nhập {label}.")
    expect(form.get_by_label("Số, ký hiệu")).to_have_attribute("aria-invalid", "true")

    form.get_by_label("Số, ký hiệu").fill(f"{random.randint(100, 9999)}/CĐ-UBND")
    form.get_by_label("Cơ quan ban hành").fill("Ủy ban nhân dân thành phố Hà Nội")
    form.get_by_label("Trích yếu").fill(f"V/v ứng phó khẩn cấp với mưa lớn {tag}")
    form.get_by_label("Loại văn bản").fill("Công điện")
    form.get_by_label("Độ khẩn").select_option("Hỏa tốc")
    form.get_by_label("Người ký").fill("Trần Sỹ Thanh")
    form.get_by_role("button", name="Vào sổ văn bản đến").click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã vào sổ văn bản đến số ")
    expect(form.locator(".field-error:visible")).to_have_count(0)
    page.locator("#paper").get_by_role("link", name="Mở văn bản").click()
    page.wait_for_url(re.compile(r"/app/document\?id="))
    loaded(page)
    urgency = page.locator("#doc-head .badge[data-urgency]")
    expect(urgency).to_have_text("Hỏa tốc")
    expect(urgency).to_have_class(re.compile(r"badge-urgent"))
    expect(page.locator("#doc-file")).to_contain_text("Văn bản giấy: chưa có bản điện tử.")
    expect(page.locator("#doc-head")).to_contain_text("Văn bản giấy")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_page_policy_lets_the_upload_use_fetch_and_the_pdf_be_framed(
    page: Any, runtime: dict[str, Any], session_of: Any, tmp_path: Path
) -> None:
    """The page's CSP names the storage hosts (``connect-src 'self' <intake>``,
    ``frame-src <documents>``): the upload goes by fetch, where its errors are
    seen, and the PDF is shown beside its metadata."""
    url = runtime["url"]
    storage = runtime["environment"]["AWS_ENDPOINT_URL"].rstrip("/")
    policy = requests.get(f"{url}/app/intake", timeout=10).headers["Content-Security-Policy"]
    assert f"connect-src 'self' {storage};" in policy and f"frame-src {storage};" in policy
    tag = uuid.uuid4().hex[:6]
    pdf = tmp_path / f"thong-bao-{tag}.pdf"
    pdf.write_bytes(make_pdf(["SO TAI CHINH", f"So: {random.randint(100, 9999)}/TB-STC",
                              f"V/v lich tiep cong dan {tag}"]))
    open_signed_in(page, url, session_of("vanthu"), "/app/intake")
    page.get_by_label("Chọn tệp PDF").set_input_files(pdf)
    with page.expect_request(lambda r: r.method == "POST" and r.url.startswith(storage)) as sent:
        page.get_by_role("button", name="Tải lên và vào sổ").click()
    assert sent.value.resource_type == "fetch"
    status = page.locator("#upload-status")
    expect(status).to_contain_text(f"{pdf.name}: ", timeout=30_000)
    status.get_by_role("link", name="Mở văn bản").click()
    page.wait_for_url(re.compile(r"/app/document\?id="))
    loaded(page)
    frame = page.locator("#doc-file iframe.pdf-frame")
    expect(frame).to_be_visible()
    assert frame.get_attribute("src").startswith(storage)
    expect(page.locator("#doc-layout")).to_have_class(re.compile(r"with-viewer"))
    # The metadata (the clerk's form) beside the file.
    box_file = page.locator("#doc-file").bounding_box()
    box_meta = page.locator("#doc-meta").bounding_box()
    assert box_file and box_meta and box_meta["x"] > box_file["x"] + box_file["width"] - 1
    shot(page, "framed-document-desktop")


def test_an_officer_passes_the_work_to_a_colleague_who_sends_it_back_to_the_head(
    browser: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]

    def call(token: str, method: str, path: str, body: Any = None) -> Any:
        status, out = api_call(url, method, path, body, token=token)
        assert status == 200, out
        return out

    colleague = f"dkkd{tag}"
    created = call(session_of("quantri")["id_token"], "POST", "/api/org/users", {
        "username": colleague, "full_name": "Bùi Thị Ngọc", "email": f"{colleague}@skhdt.example",
        "unit": "PDKKD", "roles": ["officer"], "title": "Chuyên viên"})
    doc = call(session_of("vanthu")["id_token"], "POST", "/api/incoming", {
        "so_ky_hieu": f"{random.randint(100, 9999)}/BC-CTK", "co_quan_ban_hanh": "Cục Thống kê",
        "ngay_ban_hanh": today_vn().isoformat(), "trich_yeu": f"V/v số liệu doanh nghiệp {tag}",
        "do_khan": "Thường", "do_mat": ""})
    doc = call(session_of("giamdoc")["id_token"], "POST", f"/api/incoming/{doc['id']}/distribute",
               {"lead_unit": "PDKKD", "lead_deadline": _later_working_day(), "supporting": [],
                "instruction": "", "version": doc["version"]})
    call(session_of("truongphong")["id_token"], "POST", f"/api/incoming/{doc['id']}/assign",
         {"officers": [{"username": "chuyenvien", "part": "lead"}], "version": doc["version"]})

    with browsers(browser) as open_page:
        officer = open_page(PHONE)
        open_signed_in(officer, url, session_of("chuyenvien"), f"/app/document?id={doc['id']}")
        work = officer.locator("#my-work")
        # Progress without a word on what was done: said next to the field.
        work.get_by_label("Tiến độ (%)").fill("20")
        work.get_by_role("button", name="Báo cáo tiến độ").click()
        expect(work.locator(".field-error[data-error-for=text]")).to_have_text(
            "Chưa nhập nội dung.")
        work.get_by_text("Chuyển cho đồng nghiệp hoặc trả lại").click()
        passing = work.locator("#send-back-form")
        passing.get_by_label("Chuyển cho").select_option(colleague)
        passing.get_by_label("Lý do").fill("Đồng chí Ngọc theo dõi lĩnh vực này.")
        passing.get_by_role("button", name="Chuyển / trả lại").click()
        confirm(officer, "Chuyển")
        expect(officer.locator(".flash.ok")).to_have_text("Đã chuyển phần việc cho Bùi Thị Ngọc.")
        expect(work).to_be_hidden()
        mine = officer.locator("li.part[data-assignee='U#chuyenvien']")
        expect(mine.locator(".part-status")).to_have_text("Đã trả lại / chuyển")
        expect(mine).to_contain_text("Lý do: Đồng chí Ngọc theo dõi lĩnh vực này.")

        other = open_page(PHONE)
        open_signed_in(other, url, api_login(url, colleague, created["initial_password"]),
                       "/app/incoming")
        other.locator(f"#docs tr[data-id='{doc['id']}'] a.doc-link").click()
        loaded(other)
        work = other.locator("#my-work")
        expect(work).to_contain_text("Người giao")
        expect(work).to_contain_text("Trần Văn Minh")
        work.get_by_text("Chuyển cho đồng nghiệp hoặc trả lại").click()
        back = work.locator("#send-back-form")
        expect(back.get_by_label("Chuyển cho")).to_have_value("")
        back.get_by_label("Lý do").fill("Cần trưởng phòng phân công lại.")
        back.get_by_role("button", name="Chuyển / trả lại").click()
        expect(other.locator("#confirm-title")).to_have_text("Trả lại phần việc cho trưởng phòng?")
        confirm(other, "Trả lại")
        expect(other.locator(".flash.ok")).to_have_text("Đã trả lại phần việc cho trưởng phòng.")

        # The head sees the unit's part still open and can assign again.
        head = open_page(DESKTOP)
        open_signed_in(head, url, session_of("truongphong"), f"/app/document?id={doc['id']}")
        expect(head.locator("#assign")).to_be_visible()
        expect(head.locator(f"li.part[data-assignee='U#{colleague}'] .part-status")).to_have_text(
            "Đã trả lại / chuyển")


# ------------------------------------------------------------------ how the pages look


def _later_working_day(days: int = 10) -> str:
    day = today_vn() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


@pytest.fixture(scope="module")
def handled_doc(runtime: dict[str, Any], session_of: Any) -> str:
    """A paper document distributed, assigned and worked on, through the API."""
    url = runtime["url"]

    def call(who: str, method: str, path: str, body: Any = None) -> Any:
        status, out = api_call(url, method, path, body, token=session_of(who)["id_token"])
        assert status == 200, out
        return out

    doc = call("vanthu", "POST", "/api/incoming", {
        "so_ky_hieu": f"{random.randint(100, 9999)}/KH-UBND",
        "co_quan_ban_hanh": "Ủy ban nhân dân thành phố Hà Nội", "ngay_ban_hanh":
        today_vn().isoformat(), "loai_van_ban": "Kế hoạch",
        "trich_yeu": "V/v triển khai Kế hoạch cải thiện môi trường đầu tư kinh doanh năm 2027",
        "do_khan": "Thượng khẩn", "nguoi_ky": "Nguyễn Văn Phong", "do_mat": ""})
    due = _later_working_day()
    doc = call("giamdoc", "POST", f"/api/incoming/{doc['id']}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": due,
        "supporting": [{"unit": "PTH", "deadline": due}],
        "instruction": "Giao Phòng ĐKKD chủ trì, Phòng Tổng hợp phối hợp; báo cáo trước hạn.",
        "version": doc["version"]})
    doc = call("truongphong", "POST", f"/api/incoming/{doc['id']}/assign", {
        "officers": [{"username": "chuyenvien", "part": "lead"}],
        "instruction": "Đồng chí Minh chủ trì dự thảo.", "version": doc["version"]})
    call("chuyenvien", "POST", f"/api/incoming/{doc['id']}/opinions",
         {"text": "Đề nghị bổ sung chỉ tiêu về thời gian đăng ký doanh nghiệp."})
    call("chuyenvien", "POST", f"/api/incoming/{doc['id']}/progress",
         {"text": "Đã tổng hợp ý kiến các phòng.", "progress": 30})
    return str(doc["id"])


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_incoming_pages_fit_the_screen(
    browser: Any, runtime: dict[str, Any], session_of: Any, handled_doc: str, viewport: str
) -> None:
    """No sideways scrolling; with EOFFICE_SCREENSHOTS set to a folder, a
    full-page screenshot of each page goes there for a look."""
    size = PHONE if viewport == "phone" else DESKTOP
    screens = [
        ("vanthu", "/app/intake", "intake-clerk"),
        ("giamdoc", "/app/incoming", "incoming-leader"),
        *((who, f"/app/document?id={handled_doc}", f"document-{role}") for who, role in (
            ("vanthu", "clerk"), ("giamdoc", "leader"), ("truongphong", "head"),
            ("chuyenvien", "officer"))),
    ]
    with browsers(browser) as open_page:
        pg = open_page(size)
        for who, path, name in each_screen(pg, runtime["url"], session_of, screens):
            if name == "document-officer":
                expect(pg.locator("#my-work")).to_be_visible()
            expect_fits(pg, size, f"{path} for {who}")
            shot(pg, f"{name}-{viewport}")

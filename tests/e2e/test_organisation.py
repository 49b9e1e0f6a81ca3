"""The organisation pages in a real Chromium: units and accounts administered
through the forms, roles and a disabled account applying at the user's next
request, leaders' delegations, the audit trail (verify, export), and what an
officer does not get."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    _new_page,
    api_call,
    loaded,
    open_signed_in,
    shot,
    sign_in_with_form,
    visible_menu,
)
from tests.e2e.helpers import (
    confirm,
    expect_files_refused,
    expect_fits,
    follow_menu,
    open_screen,
)

pytestmark = pytest.mark.e2e

OFFICER_MENU = ["Trang chủ", "Công việc", "Văn bản đến", "Văn bản đi", "Đơn thư", "Hồ sơ một cửa",
                "Hồ sơ lưu trữ", "Quy trình ISO", "Giao việc", "Lịch họp", "Đánh giá, xếp loại",
                "Lịch làm việc",
                "Nhật ký của tôi", "Hộp thư đi"]
LEADER_MENU = ["Trang chủ", "Công việc", "Văn bản đến", "Tiếp nhận", "Văn bản đi", "Sổ văn bản đi",
               "Đơn thư", "Theo dõi đơn thư", "Hồ sơ một cửa", "Báo cáo mẫu 06", "Hồ sơ lưu trữ",
               "Quy trình ISO", "Giao việc",
               "Lịch họp", "Đánh giá, xếp loại", "Lịch làm việc", "Uỷ quyền ký",
               "Nhật ký của tôi", "Hộp thư đi"]
CSV_HEADER = ("STT,Thời điểm,Người thực hiện,Hành động,Tóm tắt,Địa chỉ IP,Trình duyệt,"
              "Trước,Sau,Mã băm")


def tiny_png(width: int = 120, height: int = 40) -> bytes:
    """A valid PNG: dark-blue strokes on a transparent background."""
    rows = b"".join(b"\x00" + (b"\x00\x20\x78\xff" if y % 8 < 2 else b"\x00\x00\x00\x00") * width
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def today_vn() -> date:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def test_admin_creates_a_unit_and_an_account_whose_role_and_status_apply_at_the_next_request(
    page: Any, phone_page: Any, runtime: dict[str, Any], sessions: Any
) -> None:
    url = runtime["url"]
    admin, user = page, phone_page

    # The unit, under the Board of Directors.
    open_signed_in(admin, url, sessions("admin"), "/app/units")
    form = admin.locator("#unit-create-form")
    form.get_by_label("Mã đơn vị").fill("kt-đối ngoại")
    form.get_by_label("Tên đơn vị").fill("Phòng Kinh tế đối ngoại")
    form.get_by_label("Loại đơn vị").select_option("specialised")
    form.get_by_label("Đơn vị cấp trên").select_option("BGD")
    form.get_by_role("button", name="Thêm đơn vị").click()
    # The API refuses the code: its message shows next to the field.
    code_error = form.locator(".field-error[data-error-for=code]")
    expect(code_error).to_contain_text("Chữ in hoa, số, dấu chấm hoặc gạch")
    expect(form.get_by_label("Mã đơn vị")).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Mã đơn vị").fill("PKTDN")
    form.get_by_role("button", name="Thêm đơn vị").click()
    expect(admin.locator(".flash.ok")).to_have_text(
        "Đã thêm đơn vị Phòng Kinh tế đối ngoại (PKTDN).")
    expect(code_error).to_be_hidden()
    expect(admin.locator("#unit-tree li[data-code=BGD] li[data-code=PKTDN]")).to_contain_text(
        "Phòng chuyên môn")

    # The account, in that unit. No role ticked: said next to the roles.
    admin.locator(".subnav").get_by_role("link", name="Tài khoản").click()
    admin.wait_for_url(url + "/app/users")
    loaded(admin)
    create = admin.locator("#user-create-form")
    # An empty form: every fault at once, each next to its field, in plain Vietnamese.
    create.get_by_role("button", name="Thêm tài khoản").click()
    for name, text in (("username", "Chưa nhập tên đăng nhập."),
                       ("full_name", "Chưa nhập họ và tên."),
                       ("email", "Chưa nhập địa chỉ thư điện tử."),
                       ("roles", "Chọn ít nhất một vai trò.")):
        expect(create.locator(f".field-error[data-error-for~={name}]")).to_have_text(text)
    expect(create.get_by_role("checkbox", name="Chuyên viên")).to_have_count(1)
    expect(create.locator("[lang=en]")).to_have_count(0)  # no "Clerk / Officer / …"
    create.get_by_label("Tên đăng nhập").fill("lethuha")
    create.get_by_label("Họ và tên").fill("Lê Thu Hà")
    create.get_by_label("Thư điện tử").fill("lethuha@skhdt.example")
    create.get_by_label("Đơn vị", exact=True).select_option("PKTDN")
    create.get_by_label("Chức vụ").select_option("Chuyên viên")
    # A public employee: evaluated under Decree 233/2026, not as a civil servant.
    create.get_by_label("Đối tượng đánh giá, xếp loại").select_option("vien_chuc")
    create.get_by_role("button", name="Thêm tài khoản").click()
    expect(create.locator(".field-error[data-error-for=roles]")).to_contain_text(
        "Chọn ít nhất một vai trò.")
    create.get_by_role("checkbox", name="Chuyên viên").check()
    create.get_by_role("button", name="Thêm tài khoản").click()
    secret = admin.locator("#create-secret")
    expect(secret).to_contain_text("Mật khẩu ban đầu của lethuha")
    expect(secret).to_contain_text("Mật khẩu chỉ hiển thị một lần này")
    password = secret.locator("[data-secret]").inner_text().strip()
    assert len(password) >= 12
    row = admin.locator("#user-list li[data-username=lethuha]")
    expect(row).to_contain_text("Lê Thu Hà")
    expect(row).to_contain_text("Phòng Kinh tế đối ngoại")

    # The new user signs in, on a phone, with the password shown once, and must
    # set their own at once.
    user.goto(url + "/login")
    sign_in_with_form(user, "lethuha", password)
    fresh = user.locator("#login-new")
    expect(fresh).to_be_visible()
    expect(user.locator("div.flash")).to_contain_text("đặt mật khẩu mới")
    fresh.get_by_label("Mật khẩu mới", exact=True).fill(password + "-Rieng9")
    fresh.get_by_label("Nhập lại mật khẩu mới").fill(password + "-Khac9")
    user.get_by_role("button", name="Đăng nhập").click()
    expect(fresh.locator(".field-error[data-error-for=new_password_again]")).to_contain_text(
        "Không khớp")
    fresh.get_by_label("Nhập lại mật khẩu mới").fill(password + "-Rieng9")
    user.get_by_role("button", name="Đăng nhập").click()
    user.wait_for_url(url + "/")
    loaded(user)
    expect(user.locator("main dd[data-bind=unit_name]")).to_have_text("Phòng Kinh tế đối ngoại")
    expect(user.locator("main dd[data-bind=role_labels]")).to_have_text("Chuyên viên")
    user.get_by_role("button", name="Menu").click()
    assert visible_menu(user) == OFFICER_MENU

    # The administrator makes them a leader; the menu changes at their next page.
    secret.get_by_role("button", name="Đã ghi lại, ẩn mật khẩu").click()
    expect(secret).to_be_hidden()
    row.get_by_role("button", name="Quản lý").click()
    edit = admin.locator("#user-edit-form")
    expect(edit.get_by_label("Họ và tên")).to_have_value("Lê Thu Hà")
    expect(edit.get_by_label("Đối tượng đánh giá, xếp loại")).to_have_value("vien_chuc")
    expect(edit.get_by_role("checkbox", name="Chuyên viên")).to_be_checked()
    edit.get_by_role("checkbox", name="Chuyên viên").uncheck()
    edit.get_by_role("checkbox", name="Lãnh đạo Sở").check()
    edit.get_by_label("Chức vụ").select_option("Phó Giám đốc Sở")
    edit.get_by_role("button", name="Lưu thay đổi").click()
    expect(admin.locator(".flash.ok")).to_contain_text("Đã lưu tài khoản lethuha.")
    expect(row.locator(".chip")).to_have_text(["Lãnh đạo Sở"])

    user.reload()
    loaded(user)
    expect(user.locator("main dd[data-bind=role_labels]")).to_have_text("Lãnh đạo Sở")
    user.get_by_role("button", name="Menu").click()
    assert visible_menu(user) == LEADER_MENU

    # Disabled (after a confirmation): the user's next page load goes to sign-in.
    card = admin.locator("#user-edit")
    card.get_by_role("button", name="Khoá tài khoản").click()
    expect(admin.locator("#confirm-title")).to_have_text("Khoá tài khoản Lê Thu Hà (lethuha)?")
    confirm(admin, "Khoá tài khoản")
    expect(admin.locator(".flash.ok")).to_have_text("Đã khoá tài khoản lethuha.")
    expect(row).to_contain_text("Đã khoá")
    expect(card.locator("[data-out=status]")).to_have_text("Đã khoá")
    expect(card.get_by_role("button", name="Mở khoá tài khoản")).to_be_visible()

    user.reload()
    user.wait_for_url(re.compile(r"/login\?next=%2F$"))
    expect(user.locator(".flash .flash-vi")).to_be_visible()
    assert user.evaluate("sessionStorage.getItem('eoffice.session')") is None

    # The account's trail shows the changes readably.
    card.get_by_role("link", name="Xem nhật ký tài khoản").click()
    admin.wait_for_url(url + "/app/audit?item=user:lethuha")
    loaded(admin)
    expect(admin.locator("#trail-title")).to_have_text("Nhật ký tài khoản Lê Thu Hà (lethuha)")
    update = admin.locator("#trail tr[data-action='user.update']")
    expect(update.locator("dt[data-field=roles] + dd")).to_have_text("Chuyên viên → Lãnh đạo Sở")
    expect(update.locator("dt[data-field=title] + dd")).to_have_text(
        "Chuyên viên → Phó Giám đốc Sở")
    disable = admin.locator("#trail tr[data-action='user.disable']")
    expect(disable).to_contain_text("Khoá tài khoản")
    expect(disable.locator("dt[data-field=status] + dd")).to_have_text(
        "Đang hoạt động → Đã khoá")
    expect(admin.locator("#trail tr[data-action='auth.login']")).to_have_count(1)


def test_leader_delegates_kt_to_the_deputy_is_refused_an_overlap_and_revokes(
    page: Any, phone_page: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    open_signed_in(page, url, session_of("giamdoc"), "/app/delegations")
    form = page.locator("#delegation-form")
    expect(form.get_by_role("radio", name="KT.")).to_be_checked()
    expect(form).to_contain_text("Cấp phó trong Ban Giám đốc ký thay Giám đốc.")
    expect(form).to_contain_text("Chánh Văn phòng ký thừa lệnh Giám đốc.")
    start = today_vn() + timedelta(days=40)

    def delegate(first: date, last: date, note: str = "") -> None:
        form.get_by_label("Người được uỷ quyền").select_option("phogiamdoc")
        form.get_by_label("Từ ngày").fill(first.isoformat())
        form.get_by_label("Đến hết ngày").fill(last.isoformat())
        form.get_by_label("Ghi chú").fill(note)
        form.get_by_role("button", name="Giao uỷ quyền").click()

    delegate(start, start + timedelta(days=4), "Đi công tác tại Bộ Kế hoạch và Đầu tư")
    expect(page.locator(".flash.ok")).to_contain_text(
        "Đã giao uỷ quyền KT. cho Ngô Thanh Bình (phogiamdoc) "
        f"từ {start:%d/%m/%Y} đến hết {start + timedelta(days=4):%d/%m/%Y}.")
    given = page.locator("#given li.delegation")
    expect(given).to_have_count(1)
    expect(given.first).to_contain_text("KT.")
    expect(given.first).to_contain_text("Sắp có hiệu lực")
    expect(given.first).to_contain_text("Đi công tác tại Bộ Kế hoạch và Đầu tư")

    # A second one overlapping the first: refused, the reason next to the start date.
    delegate(start + timedelta(days=2), start + timedelta(days=10))
    start_error = form.locator(".field-error[data-error-for=start]")
    expect(start_error).to_contain_text("Trùng thời gian với uỷ quyền khác.")
    expect(page.locator(".flash .flash-vi")).to_have_text(
        f"Trùng thời gian với uỷ quyền đang có (KT. cho phogiamdoc, {start:%d/%m/%Y}–"
        f"{start + timedelta(days=4):%d/%m/%Y}).")
    expect(given).to_have_count(1)

    # The deputy sees it among the delegations they received (on a phone).
    open_signed_in(phone_page, url, session_of("phogiamdoc"), "/app/delegations")
    received = phone_page.locator("#received li.delegation")
    expect(received.filter(has_text="Phạm Quốc Hùng (giamdoc)")).to_have_count(1)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Revoked after a confirmation.
    given.first.get_by_role("button", name="Thu hồi").click()
    expect(page.locator("#confirm-title")).to_have_text(
        "Thu hồi uỷ quyền KT. cho Ngô Thanh Bình (phogiamdoc)?")
    confirm(page, "Thu hồi uỷ quyền")
    expect(page.locator(".flash.ok")).to_have_text(
        "Đã thu hồi uỷ quyền KT. cho Ngô Thanh Bình (phogiamdoc).")
    expect(start_error).to_be_hidden()
    expect(given.first).to_contain_text("Đã thu hồi")
    expect(given.first.get_by_role("button", name="Thu hồi")).to_have_count(0)


def test_a_user_reads_verifies_and_exports_their_own_trail(
    page: Any, runtime: dict[str, Any], sessions: Any, tmp_path: Path
) -> None:
    url = runtime["url"]
    open_signed_in(page, url, sessions("clerk"), "/")
    follow_menu(page, "Nhật ký của tôi", url + "/app/audit?item=user:vanthu")
    expect(page.locator("#trail-title")).to_have_text("Nhật ký của tôi")
    expect(page.locator("#nav a[aria-current=page]")).to_have_text("Nhật ký của tôi")
    sign_in = page.locator("#trail tr[data-action='auth.login']").first
    expect(sign_in).to_contain_text("Đăng nhập")
    expect(sign_in).not_to_contain_text("auth.login")  # the action's name, not its code
    expect(sign_in).to_contain_text("Nguyễn Thị Lan (vanthu)")
    expect(sign_in).to_contain_text("127.0.0.1")

    page.get_by_role("button", name="Kiểm tra tính toàn vẹn").click()
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("Chuỗi nhật ký nguyên vẹn")
    expect(verdict).to_have_class(re.compile(r"\bok\b"))

    with page.expect_download() as info:
        page.get_by_role("button", name="Tải về CSV").click()
    csv_file = tmp_path / info.value.suggested_filename
    info.value.save_as(csv_file)
    assert csv_file.name == "nhat-ky-user-vanthu.csv"
    lines = csv_file.read_text("utf-8-sig").splitlines()
    assert lines[0] == CSV_HEADER
    # The action by its name, never its code.
    assert any(",vanthu,Đăng nhập,Đăng nhập," in line for line in lines[1:]), lines
    assert not any("auth.login" in line for line in lines), lines

    with page.expect_download() as info:
        page.get_by_role("button", name="Tải về Excel (XLSX)").click()
    xlsx_file = tmp_path / info.value.suggested_filename
    info.value.save_as(xlsx_file)
    assert xlsx_file.name == "nhat-ky-user-vanthu.xlsx"
    assert xlsx_file.read_bytes()[:2] == b"PK"  # a zip, as every .xlsx
    expect(page.locator(".flash.ok")).to_have_text("Đã tải về tệp nhat-ky-user-vanthu.xlsx.")


def test_an_officer_gets_the_directory_but_no_admin_forms(
    page: Any, runtime: dict[str, Any], sessions: Any
) -> None:
    url = runtime["url"]
    session = sessions("officer")
    open_signed_in(page, url, session, "/app/users")
    expect(page.locator("#user-list li[data-username=vanthu]")).to_contain_text("Nguyễn Thị Lan")
    for hidden in ("#user-create", "#user-edit", ".subnav"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("button", name="Quản lý")).to_have_count(0)
    assert "Tài khoản" not in visible_menu(page)

    # The API refuses anyway.
    status, body = api_call(url, "POST", "/api/org/users", {
        "username": "thudo", "full_name": "Thử Đỗ", "email": "thudo@skhdt.example",
        "unit": "PDKKD", "roles": ["admin"], "title": ""}, token=session["id_token"])
    assert status == 403, body
    assert body["error"]["code"] == "forbidden"

    # Someone else's trail is "not found", exactly like a trail that does not exist.
    page.goto(url + "/app/audit?item=user:vanthu")
    loaded(page)
    expect(page.locator(".flash .flash-vi")).to_have_text("Không tìm thấy.")
    expect(page.locator("#trail")).to_be_hidden()


def test_a_user_uploads_their_signature_image_checked_in_the_browser_first(
    page: Any, runtime: dict[str, Any], sessions: Any, tmp_path: Path
) -> None:
    not_png = tmp_path / "chu-ky.png"
    not_png.write_bytes(b"GIF89a" + b"\x00" * 64)  # named .png, but is not one
    too_big = tmp_path / "chu-ky-lon.png"
    too_big.write_bytes(tiny_png()[:8] + b"\x00" * (513 * 1024))
    good = tmp_path / "chu-ky-that.png"
    good.write_bytes(tiny_png())

    open_signed_in(page, runtime["url"], sessions("unit_head"), "/")
    form = page.locator("#me-signature-form")
    expect(form).to_contain_text("Chưa có ảnh chữ ký.")
    chooser = form.get_by_label("Chọn ảnh chữ ký")
    error = form.locator(".field-error")
    expect_files_refused(chooser, error, [(not_png, "Chỉ nhận tệp PNG."),
                                          (too_big, "vượt quá 512 KB")])
    expect(form.locator(".signature-preview")).to_be_hidden()

    chooser.set_input_files(good)
    expect(error).to_be_hidden()
    expect(form.locator(".signature-preview img")).to_be_visible()
    form.get_by_role("button", name="Tải ảnh chữ ký lên").click()
    expect(page.locator(".flash.ok")).to_have_text("Đã cập nhật ảnh chữ ký.")
    expect(form).to_contain_text("Đã có ảnh chữ ký.")
    expect(form.locator(".signature-preview")).to_be_hidden()


SCREENS = [
    ("admin", "/app/units", "units"),
    ("admin", "/app/users", "users"),
    ("admin", "/app/audit?item=user:lethuha", "audit"),
    ("giamdoc", "/app/delegations", "delegations"),
]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_organisation_pages_fit_the_screen(
    browser: Any, runtime: dict[str, Any], accounts: dict[str, dict[str, str]], session_of: Any,
    viewport: str,
) -> None:
    """No sideways scrolling on a phone or a desktop; with EOFFICE_SCREENSHOTS set
    to a folder, a full-page screenshot of each page goes there for a look."""
    size = PHONE if viewport == "phone" else DESKTOP
    context, pg, problems = _new_page(browser, size)
    try:
        for who, path, name in SCREENS:
            username = accounts[who]["username"] if who in accounts else who
            open_screen(pg, runtime["url"], session_of(username), path)
            if name == "users":
                pg.locator("#user-list li[data-username=vanthu]").get_by_role(
                    "button", name="Quản lý").click()
                expect(pg.locator("#user-edit")).to_be_visible()
            expect_fits(pg, size, path)
            shot(pg, f"{name}-{viewport}")
    finally:
        context.close()
    assert not problems.items, problems.items

"""The web shell in a real Chromium: signing in and out, the menu each role
sees, errors in Vietnamese, and the phone layout."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import api_call, open_signed_in, sign_in_with_form, visible_menu

pytestmark = pytest.mark.e2e

# What each role is called on screen (the Vietnamese labels of the trade).
ROLE_LABELS = {
    "clerk": "Văn thư",
    "officer": "Chuyên viên",
    "unit_head": "Trưởng phòng",
    "leader": "Lãnh đạo Sở",
    "one_stop": "Bộ phận một cửa",
    "admin": "Quản trị hệ thống",
    "archivist": "Lưu trữ viên",
}
EVERYONE = ["Trang chủ", "Công việc", "Văn bản đến", "Văn bản đi", "Giao việc", "Lịch họp",
            "Lịch làm việc", "Nhật ký của tôi", "Hộp thư đi"]
MENUS = {role: EVERYONE for role in ROLE_LABELS}
# Officers and heads of unit handle complaints (đơn thư) and the one-stop dossiers
# of their unit; the one-stop desk receives dossiers and reports on them (form 06).
MENUS["officer"] = MENUS["unit_head"] = [
    "Trang chủ", "Công việc", "Văn bản đến", "Văn bản đi", "Đơn thư", "Hồ sơ một cửa", "Giao việc",
    "Lịch họp", "Lịch làm việc", "Nhật ký của tôi", "Hộp thư đi"]
MENUS["one_stop"] = ["Trang chủ", "Công việc", "Văn bản đến", "Văn bản đi", "Hồ sơ một cửa",
                     "Báo cáo mẫu 06", "Giao việc", "Lịch họp", "Lịch làm việc",
                     "Nhật ký của tôi", "Hộp thư đi"]
MENUS["clerk"] = ["Trang chủ", "Công việc", "Văn bản đến", "Tiếp nhận", "Văn bản đi",
                  "Sổ văn bản đi", "Đơn thư", "Giao việc", "Lịch họp", "Lịch làm việc",
                  "Nhật ký của tôi", "Hộp thư đi"]
MENUS["leader"] = ["Trang chủ", "Công việc", "Văn bản đến", "Tiếp nhận", "Văn bản đi",
                   "Sổ văn bản đi", "Đơn thư", "Theo dõi đơn thư", "Hồ sơ một cửa",
                   "Báo cáo mẫu 06", "Giao việc", "Lịch họp", "Lịch làm việc", "Uỷ quyền ký",
                   "Nhật ký của tôi", "Hộp thư đi"]
# Everyone but the administrator keeps case files (the archivist receives them).
for _role in ("clerk", "officer", "unit_head", "leader", "one_stop"):
    _menu = list(MENUS[_role])
    _menu.insert(_menu.index("Giao việc"), "Hồ sơ lưu trữ")
    MENUS[_role] = _menu
MENUS["archivist"] = ["Trang chủ", "Công việc", "Văn bản đến", "Hồ sơ lưu trữ", "Giao việc",
                      "Lịch họp", "Lịch làm việc", "Nhật ký của tôi", "Hộp thư đi"]
# Everyone but the administrator reads their evaluation (and heads and leaders run rounds).
for _role in ("clerk", "officer", "unit_head", "leader", "one_stop"):
    _menu = list(MENUS[_role])
    _menu.insert(_menu.index("Lịch họp") + 1, "Đánh giá, xếp loại")
    MENUS[_role] = _menu
# An administrator manages the organisation and the keys, and drafts nothing.
MENUS["admin"] = ["Trang chủ", "Công việc", "Văn bản đến", "Giao việc", "Lịch họp", "Lịch làm việc",
                  "Điều chỉnh lịch", "Đơn vị", "Tài khoản", "Chứng thư số", "Uỷ quyền ký",
                  "Nhật ký của tôi", "Hộp thư đi", "Tài liệu API"]
# Everyone reads the ISO procedures in force and confirms the ones sent to them.
for _role in MENUS:
    _menu = list(MENUS[_role])
    _menu.insert(_menu.index("Giao việc"), "Quy trình ISO")
    MENUS[_role] = _menu


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_each_role_signs_in_and_sees_its_name_role_and_only_its_menu(
    page: Any, runtime: dict[str, Any], accounts: dict[str, dict[str, str]], role: str
) -> None:
    account = accounts[role]
    page.goto(runtime["url"] + "/")
    page.wait_for_url(re.compile(r"/login\?next=%2F$"))  # not signed in yet

    sign_in_with_form(page, account["username"], account["password"])
    page.wait_for_url(runtime["url"] + "/")

    expect(page.locator("header .who-name")).to_have_text(account["full_name"])
    expect(page.locator("header .who-role")).to_have_text(ROLE_LABELS[role])
    # The first screen is what waits for the person; the greeting follows it.
    expect(page.locator("main h2").first).to_have_text("Việc chờ bạn xử lý")
    expect(page.locator("main h2", has_text="Xin chào")).to_have_text(
        f"Xin chào, {account['full_name']}")
    expect(page.locator("main dd[data-bind=role_labels]")).to_have_text(ROLE_LABELS[role])
    assert visible_menu(page) == MENUS[role]
    expect(page.locator("#nav").get_by_role("link", name="Nhật ký của tôi")).to_have_attribute(
        "href", f"/app/audit?item=user:{account['username']}")
    # The home page offers the same functions as the menu, no more.
    shortcuts = page.locator("#shortcuts a").all_inner_texts()
    assert shortcuts == MENUS[role][1:]
    shown = page.locator("header .who").inner_text()
    assert unicodedata.is_normalized("NFC", shown), ascii(shown)


def test_wrong_password_shows_the_vietnamese_error_and_stays_on_login(
    page: Any, runtime: dict[str, Any], accounts: dict[str, dict[str, str]]
) -> None:
    url = runtime["url"]
    page.goto(url + "/login")
    # Empty form: the API's field errors appear next to the fields.
    page.get_by_role("button", name="Đăng nhập").click()
    username_error = page.locator(".field-error[data-error-for=username]")
    expect(username_error).to_be_visible()
    # Plain Vietnamese naming the field, for every empty field at once.
    expect(username_error).to_have_text("Chưa nhập tên đăng nhập.")
    expect(page.locator(".field-error[data-error-for=password]")).to_have_text(
        "Chưa nhập mật khẩu.")
    expect(page.get_by_label("Tên đăng nhập")).to_have_attribute("aria-invalid", "true")

    sign_in_with_form(page, accounts["admin"]["username"], accounts["admin"]["password"] + "x")
    flash = page.locator(".flash")
    expect(flash.locator(".flash-vi")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(flash).not_to_contain_text("Wrong")  # English stays in the API's message_en
    expect(page.locator("[lang=en]")).to_have_count(0)
    expect(username_error).to_be_hidden()  # the earlier problem is gone
    assert page.url == url + "/login"
    assert page.evaluate("sessionStorage.getItem('eoffice.session')") is None
    expect(page.locator("#nav")).to_have_count(0)  # no menu on the sign-in page


def test_logout_returns_to_login_and_protected_pages_then_redirect(
    page: Any, runtime: dict[str, Any], accounts: dict[str, dict[str, str]], session_of: Any
) -> None:
    url = runtime["url"]
    account = accounts["one_stop"]
    page.goto(url + "/app/calendar")
    page.wait_for_url(url + "/login?next=%2Fapp%2Fcalendar")
    sign_in_with_form(page, account["username"], account["password"])
    page.wait_for_url(url + "/app/calendar")  # back where the user was going
    expect(page.locator("header .who-name")).to_have_text(account["full_name"])
    # The refresh token is the browser's, out of the page's reach.
    refresh = next(c for c in page.context.cookies() if c["name"] == "eoffice_refresh")
    assert refresh["httpOnly"] and refresh["sameSite"] == "Strict"
    assert refresh["path"] == "/api/auth" and refresh["secure"]
    assert "eoffice_refresh" not in page.evaluate("document.cookie")
    assert "refresh_token" not in page.evaluate("sessionStorage.getItem('eoffice.session')")

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(url + "/login")
    session_of.forget(account["username"])  # signed out everywhere: tokens revoked
    expect(page.locator(".flash.ok")).to_contain_text("Bạn đã đăng xuất.")
    assert page.evaluate("sessionStorage.getItem('eoffice.session')") is None
    assert "eoffice_refresh" not in {c["name"] for c in page.context.cookies()}
    # Signed out everywhere: the refresh token no longer opens a session.
    status, body = api_call(url, "POST", "/api/auth/refresh", headers={
        "Cookie": f"eoffice_refresh={refresh['value']}", "X-Requested-With": "eoffice"})
    assert status == 401, body

    page.goto(url + "/app/calendar")
    page.wait_for_url(url + "/login?next=%2Fapp%2Fcalendar")
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()


def test_expired_id_token_is_renewed_and_a_dead_session_goes_to_login(
    page: Any, runtime: dict[str, Any], sessions: Any, accounts: dict[str, dict[str, str]]
) -> None:
    url = runtime["url"]
    stale = dict(sessions("clerk"), id_token="expired.not-a.jwt")
    open_signed_in(page, url, stale, "/app/calendar")
    # The refresh token got a new ID token: the user keeps working.
    expect(page.locator("header .who-name")).to_have_text(accounts["clerk"]["full_name"])
    expect(page.locator("#days li").first).to_be_visible()
    renewed = page.evaluate("JSON.parse(sessionStorage.getItem('eoffice.session')).id_token")
    assert renewed != "expired.not-a.jwt"

    # Neither token works any more: back to the sign-in page, told why, and
    # sent back to the page after signing in.
    page.evaluate("""() => {
        const s = JSON.parse(sessionStorage.getItem('eoffice.session'));
        s.id_token = 'expired.not-a.jwt';
        sessionStorage.setItem('eoffice.session', JSON.stringify(s));
    }""")
    page.context.clear_cookies()  # the browser session gone (expired, or another browser)
    page.goto(url + "/app/outbox")
    page.wait_for_url(url + "/login?next=%2Fapp%2Foutbox")
    expect(page.locator(".flash .flash-vi")).to_have_text("Bạn cần đăng nhập để tiếp tục.")
    expect(page.locator(".flash")).not_to_contain_text("sign in")


def test_phone_menu_toggle_opens_the_navigation(
    phone_page: Any, runtime: dict[str, Any], sessions: Any
) -> None:
    page = phone_page
    open_signed_in(page, runtime["url"], sessions("leader"), "/")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#nav")).to_be_hidden()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav")).to_be_visible()
    assert visible_menu(page) == MENUS["leader"]
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()

    page.locator("#nav").get_by_role("link", name="Lịch làm việc").click()
    page.wait_for_url(runtime["url"] + "/app/calendar")
    expect(page.locator("#days li").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

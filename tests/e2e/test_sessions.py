"""Signing in once serves every tab of the browser: a new tab, a Ctrl+click and
a link from another site (an e-mail read in webmail) open where they point
without the sign-in page; a link to a page before signing in opens there after;
signing out in one tab ends the session in all."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PageProblems, browsers, loaded, sign_in_with_form

pytestmark = pytest.mark.e2e


def _tab(context: Any, problems: PageProblems, seen: list[str]) -> Any:
    """A new tab of the same browser (what Ctrl+click or "open in new tab" gives),
    recording every address it shows."""
    tab = context.new_page()
    problems.watch(tab)
    tab.on("framenavigated", lambda frame: seen.append(frame.url)
           if frame == tab.main_frame else None)
    return tab


def test_one_sign_in_serves_every_tab_until_sign_out(
    browser: Any, runtime: dict[str, Any], accounts: dict[str, dict[str, str]], session_of: Any
) -> None:
    url = runtime["url"]
    account = accounts["officer"]
    problems = PageProblems()
    with browsers(browser) as open_page:
        page = open_page(DESKTOP)
        page.goto(url + "/login")
        sign_in_with_form(page, account["username"], account["password"])
        page.wait_for_url(url + "/")
        loaded(page)

        # A new tab at a deep link: the page itself, never the sign-in page.
        seen: list[str] = []
        work = _tab(page.context, problems, seen)
        work.goto(url + "/app/work")
        loaded(work)
        expect(work.locator("header .who-name")).to_have_text(account["full_name"])
        assert work.url == url + "/app/work"
        assert not [u for u in seen if "/login" in u], seen
        # The tab has tokens of its own; the refresh token stays out of its reach.
        stored = work.evaluate("sessionStorage.getItem('eoffice.session')")
        assert "id_token" in stored and "refresh_token" not in stored
        assert "eoffice_refresh" not in work.evaluate("document.cookie")

        # Ctrl+click on a menu entry opens it in a new tab, signed in.
        with page.context.expect_page() as opened:
            page.locator("#nav").get_by_role("link", name="Lịch họp").click(
                modifiers=["Control"])
        meetings = opened.value
        problems.watch(meetings)
        meetings.wait_for_url(url + "/app/meetings")
        loaded(meetings)
        expect(meetings.locator("header .who-name")).to_have_text(account["full_name"])

        # A link on another site (localhost is not the same site as 127.0.0.1),
        # like an e-mail read in webmail: SameSite=Strict keeps the cookie off
        # the navigation itself, and the page's own call to the site gets it.
        seen = []
        mail = _tab(page.context, problems, seen)
        mail.goto(url.replace("127.0.0.1", "localhost") + "/api/health")
        mail.evaluate("""href => {
            const a = document.createElement('a');
            a.href = href; a.textContent = 'Mở văn bản';
            document.body.append(a);
        }""", url + "/app/incoming")
        mail.get_by_role("link", name="Mở văn bản").click()
        mail.wait_for_url(url + "/app/incoming")
        loaded(mail)
        expect(mail.locator("header .who-name")).to_have_text(account["full_name"])
        assert not [u for u in seen if "/login" in u], seen

        # Signing out in one tab ends the session of every tab.
        page.get_by_role("button", name="Đăng xuất").click()
        page.wait_for_url(url + "/login")
        session_of.forget(account["username"])
        work.reload()
        work.wait_for_url(url + "/login?next=%2Fapp%2Fwork")
        expect(work.get_by_label("Tên đăng nhập")).to_be_visible()
        fresh = _tab(page.context, problems, [])
        fresh.goto(url + "/app/incoming")
        fresh.wait_for_url(url + "/login?next=%2Fapp%2Fincoming")
    assert not problems.items, problems.items


def test_a_link_opens_after_sign_in_at_its_page_and_never_off_site(
    browser: Any, runtime: dict[str, Any], accounts: dict[str, dict[str, str]]
) -> None:
    url = runtime["url"]
    account = accounts["clerk"]
    with browsers(browser) as open_page:
        page = open_page(DESKTOP)  # a browser of its own: no session yet
        page.goto(url + "/login?next=/app/incoming")
        sign_in_with_form(page, account["username"], account["password"])
        page.wait_for_url(url + "/app/incoming")
        loaded(page)
        expect(page.locator("header .who-name")).to_have_text(account["full_name"])

        # Only a path of this site is followed (no open redirect).
        checked = page.evaluate("vs => vs.map(v => window.eoffice.safeNext(v))", [
            "/app/document?id=abc#ghi-chu", "//evil.example/x", "/\\evil.example",
            "/\t/evil.example", "/\n/evil.example", "https://evil.example/",
            "javascript:alert(1)", "evil.example", "", None, "/login?next=//evil.example",
            "/%2F%2Fevil.example",
        ])
        assert checked == ["/app/document?id=abc#ghi-chu", "/", "/", "/", "/", "/", "/", "/",
                           "/", "/", "/", "/%2F%2Fevil.example"]

        # With the session alive the sign-in page is skipped, to the link's page...
        page.goto(url + "/login?next=%2Fapp%2Ftasks%3Fx%3D1")
        page.wait_for_url(url + "/app/tasks?x=1")
        loaded(page)
        # ...and an address of another site is never followed.
        for evil in ("//evil.example/", "/%5Cevil.example", "https://evil.example/",
                     "/%09/evil.example"):
            page.goto(url + "/login?next=" + evil)
            page.wait_for_url(url + "/")
            loaded(page)

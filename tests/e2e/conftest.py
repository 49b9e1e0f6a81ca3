"""End-to-end fixtures: the whole local runtime (``python -m chalicelib.local.run``)
as a subprocess on free ports, and a real Chromium driven by Playwright.

One runtime serves the whole session; tests that need their own (restarts) use
``LocalRuntime`` directly with their own data directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib.local import launcher
from chalicelib.local.launcher import START_TIMEOUT
from chalicelib.local.launcher import STOP_TIMEOUT as STOP_TIMEOUT
from chalicelib.local.launcher import api_call as api_call
from tests.conftest import require_tool

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The same patience for assertions as for actions (set_default_timeout below):
# on two busy cores a save that runs every DynamoDB call through the runtime's
# one lock can take longer than Playwright's 5 s default.
expect.set_options(timeout=15_000)


class LocalRuntime(launcher.LocalRuntime):
    """``chalicelib.local.launcher.LocalRuntime`` that fails the test, with the
    runtime's output, when it does not become ready."""

    def start(self, timeout: float = START_TIMEOUT, env: dict[str, str] | None = None
              ) -> dict[str, Any]:
        try:
            return super().start(timeout, env)
        except launcher.NotReady as exc:
            pytest.fail(str(exc))

    def discard(self) -> None:
        """End a runtime whose data nobody reads again: SIGKILL at once, without
        the snapshot a clean stop spends seconds writing (test_persistence checks
        that a stop is clean and keeps the data)."""
        if self.proc is None or self.proc.poll() is not None:
            self.stop()
        else:
            self.kill()

    def admin_token(self) -> str:
        """A sign-in of the demo administrator of the running runtime."""
        return admin_token(self.info)


# ------------------------------------------------------------------ runtime


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_tool("chromium", "chromium")


@pytest.fixture(scope="session")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The shared runtime; yields the content of its local.json."""
    rt = LocalRuntime(tmp_path_factory.mktemp("runtime") / "data")
    try:
        yield rt.start()
    finally:
        rt.discard()


# The instants at which the tests that meet office hours run, so that they pass
# whatever the hour (CI runs at any hour): before the office opens and in the
# afternoon, on the working day of the run (today, or the next one).
PINNED_HOURS = {"at-05h00": (5, 0), "at-14h00": (14, 0)}


def pinned_instant(hour: int, minute: int) -> datetime:
    from chalicelib.kernel.calendar import AgencyCalendar

    calendar = AgencyCalendar()
    day = calendar.working_day_on_or_after(datetime.now(calendar.tz).date())
    return datetime.combine(day, dt_time(hour, minute), calendar.tz)


@pytest.fixture(scope="session", params=sorted(PINNED_HOURS))
def clocked_runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[dict[str, Any]]:
    """A runtime of its own whose clock starts at a pinned instant (one per
    instant, the tests that use it grouped by pytest); yields its local.json and
    ``clock_at``."""
    at = pinned_instant(*PINNED_HOURS[request.param])
    rt = LocalRuntime(tmp_path_factory.mktemp(f"runtime-{request.param}") / "data",
                      clock_at=at)
    try:
        yield {**rt.start(), "clock_at": at}
    finally:
        rt.discard()


def sessions_for(runtime: dict[str, Any]) -> Any:
    by_name = {a["username"]: a for a in runtime["accounts"]}
    cache: dict[str, dict[str, Any]] = {}

    def get(username: str) -> dict[str, Any]:
        if username not in cache:
            cache[username] = api_login(runtime["url"], username, by_name[username]["password"])
        return cache[username]

    # A test that signs an account out everywhere drops its cached session, so
    # that later tests sign in again instead of holding revoked tokens.
    get.forget = lambda username: cache.pop(username, None)  # type: ignore[attr-defined]
    return get


@pytest.fixture(scope="session")
def clocked_session_of(clocked_runtime: dict[str, Any]) -> Any:
    """``session_of`` for the pinned runtime."""
    return sessions_for(clocked_runtime)


@pytest.fixture(scope="session")
def accounts(runtime: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Demo accounts by role."""
    return {a["role"]: a for a in runtime["accounts"]}


def aws_client(info: dict[str, Any], service: str) -> Any:
    """boto3 against the runtime's embedded AWS, configured from its local.json
    only (never from this process's environment)."""
    import boto3

    env = info["environment"]
    return boto3.client(
        service, endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def api_login(base_url: str, username: str, password: str) -> dict[str, Any]:
    """The login route's answer, plus ``refresh_cookie``: the Set-Cookie header
    with the refresh token a browser would keep (see ``open_signed_in``)."""
    from tests.conftest import own_password

    def post(**given: str) -> dict[str, Any]:
        request = urllib.request.Request(
            base_url + "/api/auth/login", method="POST",
            data=json.dumps({"username": username, **given}).encode(),
            headers={"Accept": "application/json", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=15) as resp:
            body = json.loads(resp.read())
            body["refresh_cookie"] = resp.headers.get("Set-Cookie", "")
        return dict(body)

    # A password an administrator issued is replaced at the first sign-in, as the
    # login page makes a new user do; a replaced one signs in with its successor.
    try:
        try:
            return post(password=password)
        except urllib.error.HTTPError as exc:
            code = json.loads(exc.read() or b"{}").get("error", {}).get("code")
            if code == "password_change_required":
                return post(password=password, new_password=own_password(password))
            if exc.code == 401:
                return post(password=own_password(password))
            raise
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"sign-in failed: {exc.code} {exc.read()!r}") from exc


def admin_token(info: dict[str, Any]) -> str:
    """An ID token of the demo administrator of a runtime a test started itself
    (its local.json)."""
    admin = next(a for a in info["accounts"] if a["role"] == "admin")
    return str(api_login(info["url"], admin["username"], admin["password"])["id_token"])


def save_working_day(url: str, token: str, day: str, note: str) -> None:
    """A calendar override (a working ``day``, ``note``): the smallest change
    that goes through the API, the table and the audit trail."""
    status, body = api_call(url, "PUT", "/api/calendar/overrides",
                            {"date": day, "working": True, "note": note}, token)
    assert status == 200, body


def refresh_cookie(base_url: str, set_cookie: str) -> dict[str, Any]:
    """A Set-Cookie header of the login route as a Playwright cookie."""
    first, *attributes = [part.strip() for part in set_cookie.split(";")]
    name, _, value = first.partition("=")
    flags = {a.partition("=")[0].lower(): a.partition("=")[2] for a in attributes}
    host = urllib.parse.urlsplit(base_url).hostname
    return {"name": name, "value": value, "domain": host, "path": flags["path"],
            "httpOnly": "httponly" in flags, "secure": "secure" in flags,
            "sameSite": flags["samesite"]}


@pytest.fixture(scope="session")
def session_of(runtime: dict[str, Any]) -> Any:
    """Sign-in through the API, once per demo account for the session: the login
    route is rate limited per source address (20 a minute), and most tests are
    not about signing in. (Two demo accounts are leaders: ``giamdoc`` and the
    deputy ``phogiamdoc``; ``accounts["leader"]`` is the deputy.)"""
    return sessions_for(runtime)


@pytest.fixture(scope="session")
def sessions(accounts: dict[str, dict[str, str]], session_of: Any) -> Any:
    """The same sessions, by role (see ``accounts``)."""
    return lambda role: session_of(accounts[role]["username"])


# ------------------------------------------------------------------ browser


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class PageProblems:
    """Uncaught script errors and CSP violations seen by a page: each is a bug."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.items.append(f"uncaught: {exc}"))
        page.on("console", lambda msg: self.items.append(f"console: {msg.text}")
                if "Content Security Policy" in msg.text else None)


def _new_page(browser: Any, viewport: dict[str, int]) -> tuple[Any, Any, PageProblems]:
    context = browser.new_context(viewport=viewport, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", service_workers="block")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    return context, page, problems


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context, pg, problems = _new_page(browser, DESKTOP)
    yield pg
    context.close()
    assert not problems.items, problems.items


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context, pg, problems = _new_page(browser, PHONE)
    yield pg
    context.close()
    assert not problems.items, problems.items


def sign_in_with_form(page: Any, username: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def visible_menu(page: Any) -> list[str]:
    """The entries of the main menu the user sees (open it first on a phone)."""
    from playwright.sync_api import expect

    expect(page.locator("#nav .nav-links")).to_be_visible()
    return [t.strip() for t in page.locator("#nav .nav-links a:visible").all_inner_texts()]


def open_signed_in(page: Any, base_url: str, session: dict[str, Any], path: str) -> None:
    """Open ``path`` as the user of ``session`` (tokens from an API sign-in), the
    way the login page leaves them: the tokens in this tab's sessionStorage, the
    refresh token in the browser's HttpOnly cookie."""
    # A page of the site that starts no script: the sign-in page would try the
    # cookie on its own while it is being set.
    page.goto(base_url + "/api/health")
    page.evaluate(
        "s => sessionStorage.setItem('eoffice.session', JSON.stringify(s))",
        {"id_token": session["id_token"], "access_token": session["access_token"],
         "user": session["user"]},
    )
    if session.get("refresh_cookie"):
        page.context.add_cookies([refresh_cookie(base_url, session["refresh_cookie"])])
    page.goto(base_url + path)
    page.wait_for_selector("body[data-loaded]")


@contextlib.contextmanager
def browsers(browser: Any) -> Iterator[Any]:
    """Pages of their own (one context each, like separate people on separate
    devices); every uncaught error or CSP violation any of them saw fails the test."""
    opened: list[tuple[Any, Any]] = []

    def open_page(viewport: dict[str, int]) -> Any:
        context, pg, problems = _new_page(browser, viewport)
        opened.append((context, problems))
        return pg

    try:
        yield open_page
    finally:
        for context, _ in opened:
            context.close()
    seen = [item for _, problems in opened for item in problems.items]
    assert not seen, seen


def shot(page: Any, name: str) -> None:
    """With EOFFICE_SCREENSHOTS set to a folder, a full-page screenshot for a look."""
    folder = os.environ.get("EOFFICE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def loaded(page: Any) -> None:
    page.wait_for_selector("body[data-loaded]")

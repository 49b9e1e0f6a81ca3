"""Steps several e2e tests take the same way: confirming a dialog, waiting for a
list filled by a background job, typing a demo password again."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import expect


def confirm(page: Any, button: str) -> None:
    """Answer the page's confirmation dialog with ``button``."""
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_be_hidden()


def refresh_until_listed(page: Any, item: Any, listing: str, *, pause_ms: int = 500,
                         seconds: float = 30) -> None:
    """Press "Làm mới" until ``item`` shows in ``listing`` (a selector), or give
    up after ``seconds``: what a background job adds appears only on refresh.
    The caller then asserts what it expects of the item."""
    deadline = time.monotonic() + seconds
    while item.count() == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(pause_ms)
        page.get_by_role("button", name="Làm mới").click()
        page.wait_for_selector(f"{listing}:not([aria-busy])")


def password_of(runtime: dict[str, Any], username: str) -> str:
    """A demo account's password, for the dialogs that ask for it again."""
    return next(a["password"] for a in runtime["accounts"] if a["username"] == username)


def expect_files_refused(chooser: Any, error: Any, refusals: list[tuple[Path, str]]) -> None:
    """Each file chosen is refused in the page, its message shown at the field."""
    for file, message in refusals:
        chooser.set_input_files(file)
        expect(error).to_contain_text(message)


def run_python(runtime: dict[str, Any], *args: str, timeout: float) -> str:
    """``python *args`` in its own process against the runtime (its environment:
    the embedded AWS, tables and buckets), as a job or a peer would run; it must
    succeed. Its output."""
    import os
    import subprocess
    import sys

    env = {**os.environ, **runtime["environment"]}
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def open_screen(page: Any, base_url: str, session: dict[str, Any], path: str) -> None:
    """A page opened signed in, its first card shown."""
    from tests.e2e.conftest import open_signed_in

    open_signed_in(page, base_url, session, path)
    expect(page.locator("main .card:visible").first).to_be_visible()


def each_screen(page: Any, base_url: str, session_of: Any,
                screens: list[tuple[str, str, str]]) -> Iterator[tuple[str, str, str]]:
    """Each of ``screens`` (who, path, name) opened in turn on ``page`` by
    ``open_screen``, signed in as who, for the caller to look at."""
    for who, path, name in screens:
        open_screen(page, base_url, session_of(who), path)
        yield who, path, name


def expect_fits(page: Any, size: dict[str, int], what: str) -> None:
    """No sideways scrolling: the page is no wider than the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"], f"{what} is {width}px wide on a {size['width']}px screen"


def follow_menu(page: Any, link: str, url: Any) -> None:
    """Open a page from the menu: the link, then the address it leads to
    (a string or a compiled pattern), loaded."""
    from tests.e2e.conftest import loaded

    page.locator("#nav").get_by_role("link", name=link).click()
    page.wait_for_url(url)
    loaded(page)


@contextlib.contextmanager
def own_runtime(folder: Path) -> Iterator[tuple[Any, dict[str, Any]]]:
    """A runtime of the test's own over ``folder`` (to stop, kill and start
    again), started: it and what its start said. Stopped at the end, whatever
    the test did to it."""
    from tests.e2e.conftest import LocalRuntime

    rt = LocalRuntime(folder)
    try:
        yield rt, rt.start()
    finally:
        rt.stop()

"""Steps several e2e tests take the same way: confirming a dialog, waiting for a
list filled by a background job, typing a demo password again."""

from __future__ import annotations

import time
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

"""pyHanko's synchronous API runs its coroutines with ``asyncio.run``, which
refuses to start inside a thread whose event loop is already running (a
notebook, an async web server, or a test session that drove a browser through
Playwright's sync API). Such calls run in a short-lived worker thread instead,
which has no loop of its own; elsewhere they run directly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def outside_event_loop(call: Callable[[], T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()  # no running loop: the common case (Lambda, the runtime)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(call).result()

"""What the integration tests ask of moto beyond the app's own API: run the
workflow queue as the pump does, read the mail SES accepted, and make each
request indivisible for tests that race threads."""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable, Iterable, Iterator
from email.message import EmailMessage
from typing import Any, TypeVar

import boto3
import pytest


def drain_workflow() -> int:
    """Deliver everything on the workflow queue to the app's handler, as the
    local runtime's pump does (Lambda's batch semantics); returns the count."""
    import app as app_module
    from chalicelib.local.pump import pollers_for

    pollers = {p.name: p for p in pollers_for(app_module.app, boto3.client("sqs"),
                                              "ap-southeast-1")}
    return pollers["on_workflow_message"].drain()


def drain_workflow_and_index() -> int:
    """The workflow queue, then the search index's writer (what the events queued)."""
    import app as app_module
    from chalicelib.local.pump import pollers_for

    pollers = {p.name: p for p in pollers_for(app_module.app, boto3.client("sqs"),
                                              "ap-southeast-1")}
    return pollers["on_workflow_message"].drain() + pollers["on_search_index_message"].drain()


def atomic_aws_requests(monkeypatch: pytest.MonkeyPatch) -> threading.RLock:
    """Each AWS request indivisible, as on DynamoDB (moto in-process is not
    thread-safe); requests of different threads interleave freely. The lock is
    returned (re-entrant) for a test that makes a larger step indivisible too."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.RLock()
    real_call = BotocoreStubber.__call__

    def atomic(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        with lock:
            return real_call(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", atomic)
    return lock


T = TypeVar("T")


def all_at_once(work: Callable[[T], object], items: Iterable[T]) -> list[BaseException]:
    """``work(item)`` for every item, each in its own thread, all started before
    any is joined; what they raised (an assertion in a thread would be lost)."""
    errors: list[BaseException] = []

    def guarded(item: T) -> None:
        try:
            work(item)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def sent_messages() -> Iterator[EmailMessage]:
    """Every raw message moto's SES accepted, parsed, oldest first."""
    from moto.backends import get_backend

    for regions in get_backend("ses").values():
        for backend in regions.values():
            for message in backend.sent_messages:
                raw = getattr(message, "raw_data", None)
                if raw is not None:
                    yield email.message_from_string(raw, policy=email.policy.default)

"""What the integration tests ask of moto beyond the app's own API: run the
workflow queue as the pump does, and read the mail SES accepted."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage

import boto3


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


def sent_messages() -> Iterator[EmailMessage]:
    """Every raw message moto's SES accepted, parsed, oldest first."""
    from moto.backends import get_backend

    for regions in get_backend("ses").values():
        for backend in regions.values():
            for message in backend.sent_messages:
                raw = getattr(message, "raw_data", None)
                if raw is not None:
                    yield email.message_from_string(raw, policy=email.policy.default)

"""What SES "sent", in the local stage only.

moto keeps sent mail inside the process that runs it. Tests run moto in-process
and read its SES backend directly; the local runtime runs moto in its own
process and serves the same list at ``/_eoffice/ses/sent`` next to the AWS
endpoint, which ``chalice local`` reads over HTTP.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import urllib.request
from typing import Any


def sent_messages() -> list[dict[str, Any]]:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        # Our own configured loopback endpoint, not user input.
        with urllib.request.urlopen(f"{endpoint}/_eoffice/ses/sent", timeout=5) as resp:  # noqa: S310
            return json.loads(resp.read())
    return read_moto_ses()


def read_moto_ses() -> list[dict[str, Any]]:
    from moto.backends import get_backend

    out: list[dict[str, Any]] = []
    for regions in get_backend("ses").values():
        for backend in regions.values():
            for message in backend.sent_messages:
                out.append(_describe(message))
    out.reverse()  # newest first
    return out


def _describe(message: Any) -> dict[str, Any]:
    raw = getattr(message, "raw_data", None)
    if raw is None:
        return {
            "id": message.id,
            "to": list(getattr(message, "destinations", {}).get("ToAddresses", [])),
            "subject": getattr(message, "subject", ""),
            "text": getattr(message, "body", ""),
            "html": "",
            "attachments": [],
            "sent_at": None,
        }
    parsed = email.message_from_string(raw, policy=email.policy.default)
    text = html = ""
    attachments = []
    for part in parsed.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if filename:
            attachments.append(filename)
        elif part.get_content_type() == "text/plain" and not text:
            text = part.get_content()
        elif part.get_content_type() == "text/html" and not html:
            html = part.get_content()
    return {
        "id": message.id,
        "to": [a.strip() for a in str(parsed.get("To", "")).split(",") if a.strip()],
        "subject": str(parsed.get("Subject", "")),
        "text": text,
        "html": html,
        "attachments": attachments,
        "sent_at": str(parsed.get("Date", "")),
    }

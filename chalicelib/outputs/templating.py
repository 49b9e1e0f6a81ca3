"""Jinja2 rendering for pages, e-mails and printables.

Autoescape is on for HTML, so text a citizen typed is shown, never run. The
environment is built on first use: Jinja2 is not needed by every function.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from chalice import Response

from chalicelib.adapters.aws import storage_origins

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "htm", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_date"] = local_date
    env.filters["local_datetime"] = local_datetime
    return env


def _local(value: str | None) -> Any:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if not value:
        return None
    text = str(value)
    if len(text) == 10:  # already a date
        from datetime import date

        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(
        ZoneInfo("Asia/Ho_Chi_Minh"))


def local_date(value: str | None) -> str:
    """An ISO instant (UTC) or date as the agency writes a date: dd/mm/yyyy."""
    moment = _local(value)
    return moment.strftime("%d/%m/%Y") if moment else ""


def local_datetime(value: str | None) -> str:
    moment = _local(value)
    return moment.strftime("%H:%M %d/%m/%Y") if moment and hasattr(moment, "hour") else (
        local_date(value))


def render(template: str, /, **context: Any) -> str:
    # Every word a user sees is NFC, whatever form the data arrived in.
    return unicodedata.normalize("NFC", environment().get_template(template).render(**context))


PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
    ),
}


def page_headers() -> dict[str, str]:
    """The pages' headers; the CSP names the two storage origins the pages use."""
    try:
        intake, documents = storage_origins()
    except Exception:  # noqa: BLE001 - no storage configured: the strict policy
        return PAGE_HEADERS
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self'; connect-src 'self' {intake}; frame-src {documents}; "
        "frame-ancestors 'none'"
    )
    return {**PAGE_HEADERS, "Content-Security-Policy": csp}


def render_page(name: str, /, status: int = 200, **context: Any) -> Response:
    return Response(body=render(f"pages/{name}", **context), status_code=status,
                    headers=page_headers())

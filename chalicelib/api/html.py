"""HTML pages as HTTP answers: a rendered template with the pages' headers
(no caching, no sniffing, no framing, a strict Content-Security-Policy)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.adapters.aws import storage_origins
from chalicelib.outputs.templating import render

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

"""HTML pages as HTTP answers: a rendered template with the pages' headers
(no caching, no sniffing, no framing, a strict Content-Security-Policy)."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice import Response

from chalicelib.adapters.aws import storage_origins
from chalicelib.outputs.templating import TEMPLATES, render

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


@cache
def _has_script(page_id: str) -> bool:
    return (TEMPLATES / "static" / f"page-{page_id}.js").is_file()


def page_context(name: str, context: dict[str, Any]) -> dict[str, Any]:
    """What every page shell is drawn with besides its own context: its id
    (``complaint_file.html`` is ``complaint-file``), which the shell starts the page
    script by, and whether it has a script of its own (``page-{id}.js``), which
    the base template loads after the scripts the page lists itself."""
    page_id = name.removesuffix(".html").replace("_", "-")
    return {"page_id": page_id, "page_script": _has_script(page_id), **context}


def render_page(name: str, /, status: int = 200, **context: Any) -> Response:
    return Response(body=render(f"pages/{name}", **page_context(name, context)),
                    status_code=status, headers=page_headers())

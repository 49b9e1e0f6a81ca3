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
    return env


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


def render_page(name: str, /, status: int = 200, **context: Any) -> Response:
    return Response(body=render(f"pages/{name}", **context), status_code=status,
                    headers=PAGE_HEADERS)

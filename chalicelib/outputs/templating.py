"""Jinja2 rendering for pages, e-mails and printables: the one environment.

Autoescape is on for HTML, so text a citizen typed is shown, never run. The
environment is built on first use: Jinja2 is not needed by every function.
Pages as HTTP answers (their headers, the CSP) are ``api/html.py``'s.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

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


def render_string(source: str, /, **context: Any) -> str:
    """A template given as text (autoescaped, as select_autoescape treats strings)."""
    return unicodedata.normalize("NFC", environment().from_string(source).render(**context))

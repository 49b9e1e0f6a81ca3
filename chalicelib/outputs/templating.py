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
    env.filters["week_label"] = week_label
    env.filters["without_vv"] = without_vv
    return env


def _local(value: str | None) -> Any:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    if not value:
        return None
    text = str(value)
    if len(text) == 10:  # already a date
        from datetime import date

        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        # Stored instants are UTC; a naive one must not take the machine's zone.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))


def local_date(value: str | None) -> str:
    """An ISO instant (UTC) or date as the agency writes a date: dd/mm/yyyy."""
    moment = _local(value)
    return moment.strftime("%d/%m/%Y") if moment else ""


def local_datetime(value: str | None) -> str:
    """An ISO instant (UTC) as people here read a time: "14:30 02/12/2026",
    Hanoi time; a bare date as a date."""
    moment = _local(value)
    return moment.strftime("%H:%M %d/%m/%Y") if moment and hasattr(moment, "hour") else (
        local_date(value))


def week_label(value: str) -> str:
    """An ISO week key ("2026-W49", how the weekly counters are kept) as a
    person reads it: "49 (30/11–06/12/2026)", Monday to Sunday."""
    from datetime import date, timedelta

    year, _, week = str(value).partition("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    sunday = monday + timedelta(days=6)
    first = f"{monday:%d/%m}" if monday.year == sunday.year else f"{monday:%d/%m/%Y}"
    return f"{int(week)} ({first}–{sunday:%d/%m/%Y})"


def without_vv(subject: str | None) -> str:
    """A subject line without the "V/v" an officer may have typed before it:
    whoever prints the subject adds "V/v" once where the form wants it."""
    from chalicelib.kernel.numbering import plain_subject

    return plain_subject(subject or "")


def render(template: str, /, **context: Any) -> str:
    # Every word a user sees is NFC, whatever form the data arrived in.
    return unicodedata.normalize("NFC", environment().get_template(template).render(**context))


def render_string(source: str, /, **context: Any) -> str:
    """A template given as text (autoescaped, as select_autoescape treats strings)."""
    return unicodedata.normalize("NFC", environment().from_string(source).render(**context))

"""Text that comes from outside, made safe to store (#21 item 5).

A trích yếu arrives typed by a person, pasted from a mail, or extracted from a
PDF another agency produced; any of them can carry characters nobody sees but
every consumer trips on: C0 controls (NUL, ESC; openpyxl refuses them, so one
of them broke a year's register export), DEL and C1 controls, bidi overrides
and isolates (U+202A–U+202E, U+2066–U+2069: "Tên tệp \u202egpj.exe" reads as
"exe.jpg"), and zero-width characters (U+200B–U+200D, U+2060, U+FEFF) that
make two identical-looking texts differ. ``clean`` removes them, keeps tab and
line feed, turns CR and CRLF into line feeds, and normalises to NFC.

Every JSON body and query string is cleaned once at the API boundary
(``api.routing``); ``Text`` is the same rule as a pydantic type for models
used elsewhere, and intake cleans what it extracts from PDFs with ``clean``.
Output stays defended too (``outputs.sheets``): data stored before this rule
existed still exports.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Final

INVISIBLE: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u200b-\u200d\u2060\u202a-\u202e\u2066-\u2069\ufeff]")


def clean(text: str) -> str:
    """``text`` without invisible and control characters (tab and line feed kept),
    line breaks as LF, in NFC."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", INVISIBLE.sub("", text))


def _clean_if_text(value: Any) -> Any:
    return clean(value) if isinstance(value, str) else value


def __getattr__(name: str) -> Any:
    """``Text``: a text field of a boundary model, cleaned before any other
    validation so that length limits count what is stored. Built on first use:
    ``clean`` serves code that every Lambda imports, which must not pay for
    pydantic at cold start."""
    if name == "Text":
        from pydantic import BeforeValidator

        return Annotated[str, BeforeValidator(_clean_if_text)]
    raise AttributeError(name)


def clean_json(value: Any) -> Any:
    """Every string (keys too) of a parsed JSON value cleaned; iterative, so a
    deeply nested body costs no recursion."""
    if isinstance(value, str):
        return clean(value)
    if not isinstance(value, dict | list):
        return value
    root: list[Any] = [value]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, key, node = stack.pop()
        if isinstance(node, str):
            parent[key] = clean(node)
        elif isinstance(node, list):
            copy = list(node)
            parent[key] = copy
            stack.extend((copy, i, item) for i, item in enumerate(copy))
        elif isinstance(node, dict):
            copy_d: dict[Any, Any] = {}
            parent[key] = copy_d
            for k, item in node.items():
                name = clean(k) if isinstance(k, str) else k
                copy_d[name] = item
                stack.append((copy_d, name, item))
    return root[0]

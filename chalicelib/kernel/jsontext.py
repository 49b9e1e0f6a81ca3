"""JSON from the outside (request bodies, cursors): parsed without letting its
shape crash the process.

Python's decoder recurses once per nested array or object and raises
``RecursionError`` past the interpreter's limit (about a thousand levels): a
body of 50,000 ``[`` answered 500. Here that is a ``ValueError`` like any other
malformed text, so callers refuse it as bad input.
"""

from __future__ import annotations

import json
from typing import Any


class TooDeep(ValueError):
    """Nested deeper than the decoder can follow."""


def loads(text: str | bytes | bytearray) -> Any:
    """``json.loads``; a ``ValueError`` (``TooDeep``) for nesting it cannot follow."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise TooDeep("JSON nested too deeply") from exc

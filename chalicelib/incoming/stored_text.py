"""Where a registered document's extracted text is kept, and how it is read back.

A text that compresses to at most ``INLINE_MAX`` bytes (nearly all: a letter's
text is a few KB, zlib makes it a third) lives in the document's own item as
``text_z`` (zlib, base64 so that every reader of the item stays JSON-safe),
written by the registering transaction: no S3 call. A larger one is an S3
object under ``text_key``, as every text was before. Readers (the search
writer) take whichever the document has.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable
from typing import Any, Final

# Base64 adds a third: 192 KiB compressed is 256 KiB in the item, well below
# DynamoDB's 400 KB item limit with the document's other fields.
INLINE_MAX: Final = 192 * 1024


def pack(text: str) -> str | None:
    """The text for the item, or None when it must go to S3."""
    compressed = zlib.compress(text.encode("utf-8"), 6)
    if len(compressed) > INLINE_MAX:
        return None
    return base64.b64encode(compressed).decode("ascii")


def unpack(packed: str) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode("utf-8", errors="replace")


def text_of(doc: dict[str, Any], fetch: Callable[[str], bytes]) -> str:
    """The document's text: from its item, else ``fetch(text_key)`` (S3), else ""."""
    if doc.get("text_z"):
        return unpack(str(doc["text_z"]))
    if doc.get("text_key"):
        return fetch(str(doc["text_key"])).decode("utf-8", errors="replace")
    return ""

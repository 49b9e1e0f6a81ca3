"""Search terms, insensitive to diacritics, case and Unicode form: "ha noi",
"HÀ NỘI" and an NFD-encoded "Hà Nội" are the same two terms."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[0-9a-z]+")
# Vietnamese letters that are not a base letter plus a combining mark.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})
MAX_QUERY_TERMS = 8


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return bare.casefold().translate(_LETTERS)


def terms(text: str) -> set[str]:
    """Every syllable and number of the text, folded. Single letters carry no
    meaning in Vietnamese search and would make the index enormous."""
    return {t for t in _TOKEN.findall(fold(text)) if len(t) > 1 or t.isdigit()}


def query_terms(q: str) -> list[str]:
    seen: list[str] = []
    for t in _TOKEN.findall(fold(q)):
        if (len(t) > 1 or t.isdigit()) and t not in seen:
            seen.append(t)
    return seen[:MAX_QUERY_TERMS]

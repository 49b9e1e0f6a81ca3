"""Words compared as a Vietnamese reader compares them: insensitive to
diacritics, case and Unicode form, so "tet nguyen dan", "TẾT NGUYÊN ĐÁN" and an
NFD-encoded "Tết Nguyên Đán" are the same three words.

Kernel vocabulary because every capability's list filters by it (the full-text
index of incoming documents, the ``q`` of the other lists), and no capability
may import another's rules to get it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from chalicelib.kernel.errors import FieldProblem, InvalidInput

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


def matches(words: Iterable[str], *texts: object) -> bool:
    """Every one of the query's ``words`` (``query_terms``) is a whole syllable
    of the texts: the rule of the full-text index, applied to a list's fields."""
    wanted = list(words)
    if not wanted:
        return True
    found = terms(" ".join(str(t) for t in texts if t))
    return all(w in found for w in wanted)


def filter_words(q: str | None) -> list[str]:
    """The words of a list's ``q`` filter: none for no filter; a filter with no
    word of two letters or more is refused rather than read as "everything"."""
    if q is None or not q.strip():
        return []
    words = query_terms(q)
    if not words:
        raise InvalidInput("Từ khoá tìm kiếm quá ngắn.", "The search words are too short.",
                           "invalid_query", [FieldProblem("q", "Nhập ít nhất một từ có 2 ký tự.",
                                                          "Enter at least one 2-letter word.")])
    return words

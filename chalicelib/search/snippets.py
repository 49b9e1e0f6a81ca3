"""A snippet of the matching text with the matched words marked, in the
original spelling. The query's folded words are turned into one expression
over the original (NFC) text, each letter a class of every letter that folds
to it (``a`` → ``[aàáảãạăằ…]``), so the text itself is neither folded nor
copied: one pass of ``re`` in C, however long the document.

The snippet is a list of parts (``{"text", "hit"}``), not HTML: the page marks
the hits itself, so no document text ever reaches the page as markup."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from chalicelib.search.query import ParsedQuery, fold_aligned

WIDTH = 180  # characters of context shown
MAX_SPANS = 60
_SPACE = re.compile(r"\s+")
_START, _END = r"(?<!\w)", r"(?!\w)"  # whole words, as the engine splits them
# Every Latin letter with its diacritics is in these blocks (Vietnamese in the last).
_LATIN = [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]


@cache
def _variants() -> dict[str, str]:
    """For each folded letter, a class of every letter that folds to it."""
    found: dict[str, set[str]] = {}
    for code in _LATIN:
        ch = chr(code)
        folded = fold_aligned(ch)
        if len(folded) == 1 and folded.isascii() and folded.isalpha():
            found.setdefault(folded, set()).add(ch)
    return {k: "[" + "".join(sorted(v)) + "]" for k, v in found.items()}


def _word(term: str) -> str:
    variants = _variants()
    return "".join(variants.get(ch, re.escape(ch)) for ch in term)


@lru_cache(maxsize=256)
def _pattern(query: ParsedQuery) -> re.Pattern[str]:
    parts = [r"[\W_]+".join(_word(t) for t in phrase) + _END for phrase in query.phrases]
    parts += [_word(w) + _END for w in sorted(query.words, key=len, reverse=True)]
    parts += [_word(p) + r"\w*" for p in query.prefixes]
    return re.compile(_START + "(?:" + "|".join(parts) + ")")


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text)


def snippet(text: str, query: ParsedQuery, width: int = WIDTH) -> list[dict[str, object]]:
    """The window of ``text`` with the most matches (the start when none)."""
    spans = []
    for match in _pattern(query).finditer(text):
        spans.append(match.span())
        if len(spans) >= MAX_SPANS:
            break  # enough to choose a window: a common word may match thousands of times
    if not spans:
        head = _flat(text[: width * 2]).strip()
        return [{"text": head[:width] + ("…" if len(text) > width else ""), "hit": False}]
    best_start, best = spans[0][0], 0
    for start, _ in spans:
        n = sum(1 for s, e in spans if s >= start and e <= start + width)
        if n > best:
            best_start, best = start, n
    # Some context before the first match, cut at a space.
    low = max(0, best_start - width // 4)
    if low:
        space = text.find(" ", low)
        low = space + 1 if 0 <= space < best_start else low
    high = min(len(text), low + width)
    if high < len(text):
        space = text.rfind(" ", low, high)
        high = space if space > best_start else high
    parts: list[dict[str, object]] = []
    if low:
        parts.append({"text": "…", "hit": False})
    at = low
    for start, end in spans:
        if start < at or end > high:
            continue
        if start > at:
            parts.append({"text": _flat(text[at:start]), "hit": False})
        parts.append({"text": _flat(text[start:end]), "hit": True})
        at = end
    if at < high:
        parts.append({"text": _flat(text[at:high]), "hit": False})
    if high < len(text):
        parts.append({"text": "…", "hit": False})
    if parts and parts[0]["text"] != "…":
        parts[0]["text"] = str(parts[0]["text"]).lstrip()
    return [p for p in parts if p["text"]]

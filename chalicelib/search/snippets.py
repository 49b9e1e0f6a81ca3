"""A snippet of the matching text with the matched words marked, in the
original spelling: matches are found in the folded text (``fold_aligned``,
one character for one) and cut from the original at the same places.

The snippet is a list of parts (``{"text", "hit"}``), not HTML: the page marks
the hits itself, so no document text ever reaches the page as markup."""

from __future__ import annotations

import re

from chalicelib.search.query import TOKEN, ParsedQuery, fold_aligned

WIDTH = 180  # characters of context shown


def _spans(folded: str, query: ParsedQuery) -> list[tuple[int, int]]:
    tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(folded)]
    words = set(query.words)
    spans: list[tuple[int, int]] = []
    for i, (tok, start, end) in enumerate(tokens):
        if tok in words or any(tok.startswith(p) for p in query.prefixes):
            spans.append((start, end))
        for phrase in query.phrases:
            if tuple(t for t, _, _ in tokens[i:i + len(phrase)]) == phrase:
                spans.append((start, tokens[i + len(phrase) - 1][2]))
    return sorted(set(spans))


def snippet(text: str, query: ParsedQuery, width: int = WIDTH) -> list[dict[str, object]]:
    """The window of ``text`` with the most matches (the start when none)."""
    text = re.sub(r"\s+", " ", text).strip()
    spans = _spans(fold_aligned(text), query)
    if not spans:
        return [{"text": text[:width] + ("…" if len(text) > width else ""), "hit": False}]
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
            parts.append({"text": text[at:start], "hit": False})
        parts.append({"text": text[start:end], "hit": True})
        at = end
    if at < high:
        parts.append({"text": text[at:high], "hit": False})
    if high < len(text):
        parts.append({"text": "…", "hit": False})
    return parts

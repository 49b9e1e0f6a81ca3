"""One search over everything a person may see: each kind asked through its own
capability's listing for that person, the answers put side by side.

This module knows no capability: the entry point (``search/routes.py``) hands
in one ``Source`` per kind, built on that capability's public list or search
function. Visibility is therefore each capability's own rule, applied by its
own code, and a kind the caller may not list answers nothing rather than
failing the whole search. Incoming documents go through the full-text index
(metadata and text); the other kinds match the words of their list entries
(``kernel.folding.matches``), with the same folding of diacritics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from chalicelib.kernel.errors import FieldProblem, Forbidden, InvalidInput
from chalicelib.kernel.folding import query_terms
from chalicelib.kernel.identity import Caller

MAX_QUERY = 200
PER_KIND = 5

# A source answers the first ``limit`` matches of the query for the caller, each
# already shaped as a result, and whether there are more.
Find = Callable[[Caller, str, int], tuple[list[dict[str, Any]], bool]]


@dataclass(frozen=True)
class Source:
    kind: str
    label: str  # the group's heading, Vietnamese
    list_page: str  # the kind's list page, which takes the same ?q=
    find: Find


def _bad_query(message: str, message_en: str) -> InvalidInput:
    return InvalidInput(message, message_en, "invalid_query",
                        [FieldProblem("q", message, message_en)])


def check_query(q: str | None) -> list[str]:
    """The query's words; an empty, too long or wordless query is refused,
    naming ``q``."""
    text = (q or "").strip()
    if not text:
        raise _bad_query("Nhập từ khoá cần tìm.", "Enter the words to search for.")
    if len(text) > MAX_QUERY:
        raise _bad_query(f"Từ khoá tìm kiếm dài quá {MAX_QUERY} ký tự.",
                         f"The search is longer than {MAX_QUERY} characters.")
    words = query_terms(text)
    if not words:
        raise _bad_query("Nhập ít nhất một từ có 2 ký tự.", "Enter at least one 2-letter word.")
    return words


def search_all(caller: Caller, q: str | None, sources: Iterable[Source], *,
               per_kind: int = PER_KIND, kinds: set[str] | None = None) -> dict[str, Any]:
    """``items``: every result with ``kind``, ``kind_label``, ``title``, ``link``
    (and what the kind adds), grouped by kind in the order of ``sources``;
    ``groups``: per kind, how many are shown, whether there are more, and the
    list page that shows them all."""
    words = check_query(q)
    text = str(q).strip()
    items: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    for source in sources:
        if kinds is not None and source.kind not in kinds:
            continue
        try:
            found, more = source.find(caller, text, per_kind)
        except Forbidden:
            continue  # not a list this caller may read: nothing of it is theirs to find
        found = found[:per_kind]
        items += [{"kind": source.kind, "kind_label": source.label, **r} for r in found]
        groups.append({"kind": source.kind, "label": source.label, "count": len(found),
                       "more": more,
                       "link": f"{source.list_page}?{urlencode({'q': text})}"})
    return {"q": text, "terms": words, "items": items, "groups": groups}

"""What the search use case needs from a full-text engine, whatever the engine.

One implementation today (``search/engine.py``, Tantivy); docs/search.md says
what an OpenSearch one would need. Text reaches the port already folded
(``search/query.py``): the engine only splits it on non-alphanumerics, so
every engine agrees with ``kernel.folding`` on what a word is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from chalicelib.search.query import ParsedQuery

# Dimensions counted for the "filters" panel, in the order it shows them.
FACETS = ("kind", "urgency", "status", "units")


@dataclass(frozen=True)
class IndexedDocument:
    """One document as the index holds it. ``scopes`` are those that may see it
    (``kernel.access.item_scopes``); ``metadata`` and ``body`` are the original
    (NFC) text, folded by the engine's caller before indexing."""

    id: str
    kind: str
    arrival: int  # seconds since the epoch, for ranges and "newest first"
    scopes: tuple[str, ...]
    metadata: str
    body: str = ""
    urgency: str = ""
    status: str = ""
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    scopes: frozenset[str]  # only documents visible to one of these match, inside the query
    limit: int = 20
    offset: int = 0
    newest_first: bool = False
    kinds: tuple[str, ...] = ()
    since: int | None = None  # arrival >= since (epoch seconds)
    before: int | None = None  # arrival < before
    urgency: str | None = None
    status: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    scopes: tuple[str, ...]
    snippet: list[dict[str, object]]  # [{"text": …, "hit": bool}], highlighted parts marked


@dataclass
class SearchPage:
    hits: list[Hit]
    total: int  # matches of the whole request, not only this page
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # per FACETS value


class SearchIndex(Protocol):
    def apply(self, upserts: Sequence[IndexedDocument], deletes: Sequence[str]) -> None:
        """Replace or add these documents, remove those ids; one commit."""
        ...

    def search(self, request: SearchRequest) -> SearchPage: ...

    def count(self) -> int: ...

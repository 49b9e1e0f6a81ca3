"""Full-text search of incoming documents within routed permissions, on the
search engine behind ``search/ports.py`` (Tantivy, ``search/engine.py``).

The scopes a document is visible to are an indexed field, and the caller's
scopes a clause of the same query: a document the caller may not see never
matches. Results are then checked against the caller's list entries in one
request (the only DynamoDB call of a search): a share taken back hides the
document at once, before the writer has caught up.

The index follows the documents through one writer (``search/writer.py``):
each event below puts the document's id on the search FIFO queue.
docs/search.md explains the design.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from chalicelib.adapters.dynamo import Table
from chalicelib.incoming.store import IncomingStore
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import InvalidInput
from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.identity import Caller
from chalicelib.kernel.subscribers import subscribe
from chalicelib.search.indexing import epoch
from chalicelib.search.ports import SearchIndex, SearchRequest
from chalicelib.search.query import parse

Sort = Literal["relevance", "newest"]
MAX_OFFSET = 1_000  # deeper than anyone reads: narrow the search instead

REINDEX_ON = ("incoming.registered", "incoming.corrected", "incoming.distributed",
              "incoming.assigned", "incoming.grant", "incoming.revoke", "incoming.transfer")


def _enqueue_step(event: DomainEvent) -> None:
    from chalicelib.search.writer import enqueue

    enqueue(event.payload["id"], dedup=event.id)


for _event in REINDEX_ON:
    subscribe(_event, name=f"search_index:{_event}")(_enqueue_step)


def encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = data["o"]
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 < offset <= MAX_OFFSET:
            raise ValueError
        return offset
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidInput("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.",
                           "invalid_cursor") from exc


def _default_index() -> SearchIndex:
    from chalicelib.search.writer import reader

    return reader().index()  # type: ignore[no-any-return]


def search(caller: Caller, q: str, *, limit: int = 20, cursor: str | None = None,
           since: Any = None, until: Any = None, urgency: str | None = None,
           status: str | None = None, unit: str | None = None, sort: Sort = "newest",
           table: Table | None = None, documents: IncomingStore | None = None,
           index: SearchIndex | None = None) -> dict[str, Any]:
    """``since``/``until``: arrival dates, inclusive, in the agency's time zone;
    ``unit``: only what was given to that unit (403 unless the caller may see all
    of it). ``items`` are the list entries with ``snippet`` (and ``score`` when
    ranked); ``counts``: per filter value, the matches of the words."""
    from chalicelib.incoming.service import SUMMARY_FIELDS, day_bound, visible_scopes

    parsed = parse(q)
    scopes = visible_scopes(caller, unit)
    offset = decode_offset(cursor)
    low, high = day_bound(since), day_bound(until, next_day=True)
    request = SearchRequest(
        parsed, frozenset(scopes), limit=limit, offset=offset, newest_first=sort == "newest",
        since=epoch(low) if low else None, before=epoch(high) if high else None,
        urgency=urgency, status=status, unit=unit)
    page = (index or _default_index()).search(request)
    documents = documents or IncomingStore(given(table))
    pairs = [(h.id, s) for h in page.hits for s in sorted(set(h.scopes) & scopes)]
    entries = documents.entries(pairs) if pairs else {}
    items: list[dict[str, Any]] = []
    for hit in page.hits:
        entry = next((entries[(hit.id, s)] for s in sorted(set(hit.scopes) & scopes)
                      if (hit.id, s) in entries), None)
        if entry is None:
            continue  # no longer the caller's to see; the writer has not caught up yet
        summary = {k: entry.get(k) for k in SUMMARY_FIELDS}
        summary["so_den"] = int(summary["so_den"])
        summary["year"] = int(summary["year"])
        summary["snippet"] = hit.snippet
        if sort == "relevance":
            summary["score"] = round(hit.score, 4)
        items.append(summary)
    following = offset + len(page.hits)
    more = following < page.total and following <= MAX_OFFSET
    return {"items": items, "cursor": encode_offset(following) if more else None,
            "terms": parsed.terms, "total": page.total, "counts": page.counts, "sort": sort}

"""Full-text search within routed permissions: an inverted index in the table.

For every scope that may see a document (``kernel/access.item_scopes``) and
every term of its metadata and text, a posting sits in a posting list of that
scope and term, newest first (``search.store`` holds the keys). A search
intersects the posting lists of its terms within each of the caller's scopes
and merges the scopes: it never reads a posting of a document the caller may
not see, so neither pages nor results leak anything. docs/search.md explains
the choice against the alternatives.

The postings follow the document through a workflow step (the index of one
document has hundreds of items, more than a transaction holds), so a change
reaches search within seconds; results are shown from the scope entries, which
change in the document's own transaction, and a posting whose scope entry is
gone is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.adapters.scoped_lists import decode_scope_cursor, encode_scope_cursor
from chalicelib.incoming.store import IncomingStore
from chalicelib.kernel.access import Kind, item_scopes
from chalicelib.kernel.errors import FieldProblem, InvalidInput
from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.identity import Caller
from chalicelib.kernel.subscribers import subscribe
from chalicelib.search.rules import query_terms, terms
from chalicelib.search.store import (
    PostingStore,
    document_of,
    posting,
    posting_partition,
    posting_sort_key,
)

KIND = Kind.INCOMING.value
TEXT_LIMIT = 60_000  # characters of body text indexed per document
PAGE = 200
METADATA = ("so_ky_hieu", "co_quan_ban_hanh", "loai_van_ban", "trich_yeu", "nguoi_ky",
            "so_den_text")


def document_terms(doc: dict[str, Any], text: str) -> set[str]:
    found = terms(" ".join(str(doc.get(f) or "") for f in METADATA))
    found |= terms(text[:TEXT_LIMIT])
    if doc.get("ngay_ban_hanh"):
        found.add(str(doc["ngay_ban_hanh"])[:4])
    return found


def _text_of(doc: dict[str, Any], s3: Any, bucket: str) -> str:
    if not doc.get("text_key") or doc.get("do_mat"):
        return ""  # a secret document's body is not indexed: its metadata is enough
    body = s3.get_object(Bucket=bucket, Key=doc["text_key"])["Body"].read()
    return body.decode("utf-8", errors="replace")


def index_document(doc_id: str, *, s3: Any, bucket: str, table: Table | None = None,
                   documents: IncomingStore | None = None, postings: PostingStore | None = None
                   ) -> dict[str, int]:
    """Bring the document's postings in line with its scopes and terms."""
    from chalicelib.incoming.store import access_of

    if documents is None or postings is None:
        table = table or Table()
        documents = documents or IncomingStore(table)
        postings = postings or PostingStore(table)
    doc = documents.get(doc_id)
    existing = postings.existing(doc_id)
    wanted: dict[str, dict[str, Any]] = {}
    if doc is not None:
        words = document_terms(doc, _text_of(doc, s3, bucket))
        for scope in item_scopes(access_of(doc)):
            for term in words:
                wanted[posting_sort_key(scope, term)] = posting(doc, scope, term)
    puts = [item for sk, item in wanted.items() if sk not in existing]
    stale = existing - wanted.keys()
    postings.rewrite(doc_id, puts, stale)
    return {"added": len(puts), "removed": len(stale)}


REINDEX_ON = ("incoming.registered", "incoming.corrected", "incoming.distributed",
              "incoming.assigned", "incoming.grant", "incoming.revoke", "incoming.transfer")


def _reindex_step(event: DomainEvent) -> None:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    index_document(event.payload["id"], s3=client("s3"),
                   bucket=get_settings().documents_bucket)


for _event in REINDEX_ON:
    subscribe(_event, name=f"search_index:{_event}")(_reindex_step)


class _Postings:
    """One posting list, newest first, read a page at a time. ``seek`` jumps to
    the first key at or below a given key with a fresh query rather than paging
    through everything above it: a rare term intersected with a common one costs
    about one query per match, not a walk over the common term's list."""

    def __init__(self, store: PostingStore, partition: str, low: str | None,
                 below: str | None, page: int) -> None:
        self.store, self.partition, self.low = store, partition, low
        self.page = page
        self.buffer: list[str] = []
        self.start: dict[str, Any] | None = None
        self.more = True
        self._fetch(below)

    def _fetch(self, below: str | None) -> None:
        self.buffer, last = self.store.keys(self.partition, low=self.low, below=below,
                                            start=self.start, limit=self.page)
        self.start, self.more = last, last is not None
        self.below = below
        self.page = min(self.page * 4, PAGE)  # a long list is read in larger pages

    @property
    def head(self) -> str | None:
        return self.buffer[0] if self.buffer else None

    def next(self) -> None:
        self.buffer.pop(0)
        if not self.buffer and self.more:
            self._fetch(self.below)

    def seek(self, key: str) -> None:
        """Drop every key above ``key``."""
        while self.buffer and self.buffer[0] > key:
            self.buffer.pop(0)
        if not self.buffer and self.more:
            # The smallest string above ``key`` is key + "\x00": query below it.
            self.start = None
            self._fetch(key + "\x00")


def _intersect(lists: list[_Postings]) -> Iterator[str]:
    """Keys present in every list (each sorted descending)."""
    while all(p.head is not None for p in lists):
        low = min(str(p.head) for p in lists)
        for p in lists:
            p.seek(low)
        if all(p.head == low for p in lists):
            yield low
            for p in lists:
                p.next()


def search(caller: Caller, q: str, *, limit: int = 20, cursor: str | None = None,
           since: Any = None, until: Any = None, urgency: str | None = None,
           status: str | None = None, unit: str | None = None, table: Table | None = None,
           documents: IncomingStore | None = None, postings: PostingStore | None = None
           ) -> dict[str, Any]:
    """``since``/``until``: arrival dates, inclusive; urgency and status filter the
    matches (all within the caller's own scopes); ``unit``: only what was given
    to that unit."""
    from chalicelib.incoming.service import SUMMARY_FIELDS, day_bound, visible_scopes

    if documents is None or postings is None:
        table = table or Table()
        documents = documents or IncomingStore(table)
        postings = postings or PostingStore(table)
    words = query_terms(q)
    if not words:
        raise InvalidInput("Từ khoá tìm kiếm quá ngắn.", "The search words are too short.",
                           "invalid_query", [FieldProblem("q", "Nhập ít nhất một từ có 2 ký tự.",
                                                          "Enter at least one 2-letter word.")])
    after = decode_scope_cursor(cursor)
    until_key = day_bound(until, next_day=True)
    high = min(k for k in (after, until_key) if k) if (after or until_key) else None
    low = day_bound(since)
    per_scope = {
        scope: _intersect([_Postings(postings, posting_partition(scope, w), low, high,
                                     limit + 1) for w in words])
        for scope in sorted(visible_scopes(caller, unit))
    }
    heads = {scope: next(it, None) for scope, it in per_scope.items()}
    items: list[dict[str, Any]] = []
    last_key: str | None = None
    while len(items) < limit and any(h is not None for h in heads.values()):
        # The next matches, newest first, then their list entries in one request.
        batch: list[tuple[str, str]] = []
        while len(batch) < limit - len(items) and any(h is not None for h in heads.values()):
            top = max(h for h in heads.values() if h is not None)
            scope = next(s for s, h in heads.items() if h == top)
            for s, h in heads.items():  # the same document under another scope: once
                if h == top:
                    heads[s] = next(per_scope[s], None)
            batch.append((top, scope))
        entries = documents.entries((document_of(key), scope) for key, scope in batch)
        for key, scope in batch:
            last_key = key
            entry = entries.get((document_of(key), scope))
            if entry is None:
                continue  # the posting outlived a change of scope by a moment
            if (urgency and entry.get("do_khan") != urgency) or (
                    status and entry.get("status") != status):
                continue
            summary = {k: entry.get(k) for k in SUMMARY_FIELDS}
            summary["so_den"] = int(summary["so_den"])
            summary["year"] = int(summary["year"])
            items.append(summary)
    more = any(h is not None for h in heads.values())
    return {"items": items, "cursor": encode_scope_cursor(last_key) if more and last_key else None,
            "terms": words}

"""Full-text search within routed permissions: an inverted index in the table.

For every scope that may see a document (``domain/access.item_scopes``) and
every term of its metadata and text, a posting ``DOC#{id}/TERM#{scope}#{term}``
sits in partition ``T#{scope}#incoming#{term}`` of gsi1, newest first. A search
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
from chalicelib.domain.access import Kind, scopes_for
from chalicelib.domain.errors import FieldProblem, InvalidInput
from chalicelib.domain.events import DomainEvent
from chalicelib.domain.identity import Caller
from chalicelib.domain.search import query_terms, terms
from chalicelib.services.scoped_lists import _decode, _encode
from chalicelib.services.subscribers import subscribe

KIND = Kind.INCOMING.value
TEXT_LIMIT = 60_000  # characters of body text indexed per document
PAGE = 200
METADATA = ("so_ky_hieu", "co_quan_ban_hanh", "loai_van_ban", "trich_yeu", "nguoi_ky",
            "so_den_text")


def posting_partition(scope: str, term: str) -> str:
    return f"T#{scope}#{KIND}#{term}"


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


def index_document(doc_id: str, *, s3: Any, bucket: str, table: Table | None = None
                   ) -> dict[str, int]:
    """Bring the document's postings in line with its scopes and terms."""
    from chalicelib.services.incoming import access_of, item_scopes

    table = table or Table()
    doc = table.get(f"DOC#{doc_id}", "DOC", consistent=True)
    existing = {i["sk"] for i in _all(table, f"DOC#{doc_id}", "TERM#")}
    wanted: dict[str, dict[str, Any]] = {}
    if doc is not None:
        words = document_terms(doc, _text_of(doc, s3, bucket))
        for scope in item_scopes(access_of(doc)):
            for term in words:
                sk = f"TERM#{scope}#{term}"
                wanted[sk] = {"pk": f"DOC#{doc_id}", "sk": sk, "kind": "posting",
                              "doc_id": doc_id, "scope": scope,
                              "gsi1pk": posting_partition(scope, term),
                              "gsi1sk": f"{doc['arrival_at']}#{doc_id}"}
    puts = [item for sk, item in wanted.items() if sk not in existing]
    deletes = [{"pk": f"DOC#{doc_id}", "sk": sk} for sk in existing - wanted.keys()]
    table.batch_write(puts=puts, deletes=deletes)
    return {"added": len(puts), "removed": len(deletes)}


def _all(table: Table, pk: str, prefix: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = table.query(pk, sk_prefix=prefix, limit=1000, cursor=cursor)
        out.extend(page.items)
        cursor = page.cursor
        if not cursor:
            return out


REINDEX_ON = ("incoming.registered", "incoming.corrected", "incoming.distributed",
              "incoming.assigned", "incoming.grant", "incoming.revoke", "incoming.transfer")


def _reindex_step(event: DomainEvent) -> None:
    from chalicelib.adapters.aws import client
    from chalicelib.config import get_settings

    index_document(event.payload["id"], s3=client("s3"),
                   bucket=get_settings().documents_bucket)


for _event in REINDEX_ON:
    subscribe(_event, name=f"search_index:{_event}")(_reindex_step)


def _stream(table: Table, partition: str, low: str | None, below: str | None
            ) -> Iterator[str]:
    """Sort keys of one posting list, newest first, with low <= key < below."""
    start = None
    while True:
        items, last = table.query_range(partition, index="gsi1", low=low, below=below,
                                        start=start, limit=PAGE, forward=False)
        for item in items:
            yield str(item["gsi1sk"])
        if last is None:
            return
        start = last


def _intersect(streams: list[Iterator[str]]) -> Iterator[str]:
    """Keys present in every stream (each sorted descending)."""
    heads = [next(s, None) for s in streams]
    while all(h is not None for h in heads):
        low = min(h for h in heads if h is not None)
        if all(h == low for h in heads):
            yield low
            heads = [next(s, None) for s in streams]
            continue
        # Advance every stream whose head is above the lowest head.
        for i, head in enumerate(heads):
            while head is not None and head > low:
                head = next(streams[i], None)
            heads[i] = head


def search(caller: Caller, q: str, *, limit: int = 20, cursor: str | None = None,
           since: Any = None, until: Any = None, urgency: str | None = None,
           status: str | None = None, table: Table | None = None) -> dict[str, Any]:
    """``since``/``until``: arrival dates, inclusive; urgency and status filter the
    matches (all within the caller's own scopes)."""
    from chalicelib.services.incoming import SUMMARY_FIELDS, _bound

    table = table or Table()
    words = query_terms(q)
    if not words:
        raise InvalidInput("Từ khoá tìm kiếm quá ngắn.", "The search words are too short.",
                           "invalid_query", [FieldProblem("q", "Nhập ít nhất một từ có 2 ký tự.",
                                                          "Enter at least one 2-letter word.")])
    after = _decode(cursor)
    until_key = _bound(until, next_day=True)
    high = min(k for k in (after, until_key) if k) if (after or until_key) else None
    low = _bound(since)
    per_scope = {
        scope: _intersect([_stream(table, posting_partition(scope, w), low, high)
                           for w in words])
        for scope in sorted(scopes_for(caller, Kind.INCOMING))
    }
    heads = {scope: next(it, None) for scope, it in per_scope.items()}
    items: list[dict[str, Any]] = []
    last_key: str | None = None
    while len(items) < limit and any(h is not None for h in heads.values()):
        top = max(h for h in heads.values() if h is not None)
        scope = next(s for s, h in heads.items() if h == top)
        for s, h in heads.items():  # the same document under another scope: once
            if h == top:
                heads[s] = next(per_scope[s], None)
        last_key = top
        entry = table.get(f"DOC#{top.rsplit('#', 1)[1]}", f"SCOPE#{scope}")
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
    return {"items": items, "cursor": _encode(last_key) if more and last_key else None,
            "terms": words}

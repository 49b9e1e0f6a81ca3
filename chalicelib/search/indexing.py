"""What the index holds of an incoming document, and the writer's batch: read
the documents named, fold them into ``IndexedDocument``s, apply them in one
commit. Engine- and AWS-neutral: the caller hands in the index and readers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from chalicelib.kernel.access import Kind, item_scopes
from chalicelib.search.ports import IndexedDocument, SearchIndex

KIND = Kind.INCOMING.value
TEXT_LIMIT = 60_000  # characters of body text indexed per document
METADATA = ("so_ky_hieu", "co_quan_ban_hanh", "loai_van_ban", "trich_yeu", "nguoi_ky",
            "so_den_text")

TextOf = Callable[[dict[str, Any]], str]


def epoch(iso_text: str) -> int:
    return int(datetime.fromisoformat(str(iso_text).replace("Z", "+00:00")).timestamp())


def indexed(doc: dict[str, Any], text: str) -> IndexedDocument:
    """A secret document is found by its metadata only, and only by the people
    named on it (its scopes say so); its body is never indexed."""
    from chalicelib.incoming.store import access_of

    meta = " ".join(str(doc.get(f) or "") for f in METADATA)
    if doc.get("ngay_ban_hanh"):
        meta += f" {str(doc['ngay_ban_hanh'])[:4]}"
    return IndexedDocument(
        id=str(doc["id"]), kind=KIND, arrival=epoch(doc["arrival_at"]),
        scopes=tuple(sorted(item_scopes(access_of(doc)))), metadata=meta,
        body="" if doc.get("do_mat") else text[:TEXT_LIMIT],
        urgency=str(doc.get("do_khan") or ""), status=str(doc.get("status") or ""),
        units=tuple(sorted(doc.get("units") or [])))


def apply_batch(doc_ids: Sequence[str], *, get: Callable[[str], dict[str, Any] | None],
                text_of: TextOf, index: SearchIndex) -> dict[str, int]:
    """Each document as it is now (gone: removed), in one commit."""
    upserts: list[IndexedDocument] = []
    deletes: list[str] = []
    for doc_id in dict.fromkeys(doc_ids):
        doc = get(doc_id)
        if doc is None:
            deletes.append(doc_id)
        else:
            upserts.append(indexed(doc, "" if doc.get("do_mat") else text_of(doc)))
    index.apply(upserts, deletes)
    return {"indexed": len(upserts), "removed": len(deletes)}


def rebuild(docs: Iterable[dict[str, Any]], *, text_of: TextOf, index: Any,
            batch: int = 500) -> int:
    """Every document of the table into an emptied index, a commit per ``batch``."""
    index.clear()
    pending: list[IndexedDocument] = []
    count = 0
    for doc in docs:
        pending.append(indexed(doc, "" if doc.get("do_mat") else text_of(doc)))
        if len(pending) >= batch:
            index.apply(pending, [])
            count += len(pending)
            pending = []
    if pending:
        index.apply(pending, [])
        count += len(pending)
    return count

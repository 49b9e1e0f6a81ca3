"""What the index holds of an incoming document, and the writer's batch: read
the documents named, fold them into ``IndexedDocument``s, apply them in one
commit. Engine- and AWS-neutral: the caller hands in the index and readers."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
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


def read_ahead(fn: Callable[[Any], Any], items: Iterable[Any], *, workers: int,
               ahead: int) -> Iterator[tuple[Any, Any]]:
    """``(item, fn(item))`` in the items' order, ``fn`` run by ``workers`` threads
    with at most ``ahead`` items in flight: the text layers of a rebuild are read
    in parallel (network-bound) without holding the whole table in memory."""
    from concurrent.futures import Future, ThreadPoolExecutor

    window: deque[tuple[Any, Future[Any]]] = deque()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="search-read")
    try:
        for item in items:
            window.append((item, pool.submit(fn, item)))
            if len(window) >= ahead:
                head, future = window.popleft()
                yield head, future.result()
        while window:
            head, future = window.popleft()
            yield head, future.result()
    finally:
        # Stopped early (a chunk's time is up, or a read failed): drop what is queued.
        pool.shutdown(wait=True, cancel_futures=True)


def rebuild(docs: Iterable[dict[str, Any]], *, text_of: TextOf, index: Any,
            batch: int = 500, workers: int = 16, fresh: bool = True,
            enough: Callable[[], bool] = lambda: False) -> tuple[int, dict[str, Any] | None]:
    """The documents into the index, a commit per ``batch``, their text layers
    read by ``workers`` threads. ``fresh`` empties the index first (a new
    rebuild; not when continuing one). After each commit ``enough()`` may stop
    it: the answer is the count indexed and the last document committed (where
    the next chunk goes on from), or ``None`` when ``docs`` ran out."""
    if fresh:
        index.clear()
    pending: list[IndexedDocument] = []
    count = 0

    def text(doc: dict[str, Any]) -> str:
        return "" if doc.get("do_mat") else text_of(doc)

    reads = read_ahead(text, docs, workers=workers, ahead=max(batch, workers * 4))
    try:
        for doc, body in reads:
            pending.append(indexed(doc, body))
            if len(pending) >= batch:
                index.apply(pending, [])
                count += len(pending)
                pending = []
                if enough():
                    return count, doc
    finally:
        reads.close()
    if pending:
        index.apply(pending, [])
        count += len(pending)
    return count, None

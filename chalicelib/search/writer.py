"""The index's one writer and its readers, on AWS.

Document events (``search/service.py`` subscribes to them) put the document's
id on the search FIFO queue, all in one message group: SQS hands the writer
one batch at a time, in order. The writer brings its /tmp copy up to the
latest manifest, applies the batch in one commit, uploads the new segment
files and the next manifest (``search/replica.py``). Readers (the API) keep
their own copy and look at the manifest at most every few seconds.

The bucket and prefix come from settings, never from a request.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo import Table

S3Pool = Callable[[int], Any]  # an S3 client with that many connections

PREFIX = "incoming"  # one index today; another kind would get its own prefix
GROUP = "index"
REBUILD_STATE = "rebuild.json"  # a chunked rebuild's files and progress, beside manifest.json
READS = 16  # a rebuild's text layers read at once: S3 GETs are latency-bound
CHUNK_MARGIN_S = 180.0  # a chunk stops with this much Lambda time left: commit and upload
STALE_REBUILD_S = 6 * 3600.0  # progress older than this was abandoned: start again
ORPHAN_AGE_S = 86_400.0  # an unnamed key this old is no upload in progress
_lock = threading.Lock()
_reader: Any = None
_writer: Any = None  # the writer's copy, kept between batches: only new files are fetched


def _replica(role: str, **kw: Any) -> Any:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings
    from chalicelib.search.replica import Replica, local_root

    return Replica(client("s3"), get_settings().search_index_bucket, PREFIX,
                   local_root() / f"{role}-{os.getpid()}", **kw)


def reader() -> Any:
    """This process's reader (one per Lambda container)."""
    global _reader
    with _lock:
        if _reader is None:
            from chalicelib.search.replica import Reader

            _reader = Reader(lambda: _replica("reader"))
        return _reader


def forget_reader() -> None:
    """A new environment (tests): the next search and batch open fresh copies."""
    global _reader, _writer
    with _lock:
        _reader = _writer = None


def _writer_replica() -> Any:
    global _writer
    with _lock:
        if _writer is None:
            _writer = _replica("writer")
        return _writer


def enqueue(doc_id: str, dedup: str) -> None:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    client("sqs").send_message(QueueUrl=get_settings().search_queue_url,
                               MessageBody=json.dumps({"id": doc_id}),
                               MessageGroupId=GROUP, MessageDeduplicationId=dedup[:128])


def _texts(s3: Any) -> Callable[[dict[str, Any]], str]:
    """A document's text (``incoming.stored_text``), a text kept in S3 read
    through ``s3``."""
    from chalicelib.incoming.stored_text import text_of
    from chalicelib.kernel.config import get_settings

    bucket = get_settings().documents_bucket

    def read(key: str) -> bytes:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    return lambda doc: text_of(doc, read)


def apply_ids(doc_ids: list[str], table: Table) -> dict[str, int]:
    """One batch of the writer: pull, apply, commit, push."""
    from chalicelib.adapters.aws import client
    from chalicelib.incoming.store import IncomingStore
    from chalicelib.search.engine import TantivyIndex
    from chalicelib.search.indexing import apply_batch

    replica = _writer_replica()
    replica.pull()
    index = TantivyIndex(Path(replica.directory))
    documents = IncomingStore(table)
    result = apply_batch(doc_ids, get=documents.get, text_of=_texts(client("s3")), index=index)
    del index
    replica.push()
    reader().expire()
    return result


def _text_reader(workers: int, s3_pool: S3Pool) -> Callable[[dict[str, Any]], str]:
    """``_texts`` for ``workers`` threads: one client (boto3 clients are
    thread-safe) with a connection for each, not the shared client's ten; the
    composition root builds it (``bootstrap.s3_pool``)."""
    return _texts(s3_pool(workers))


def rebuild_pending(clock: Callable[[], float] = time.time) -> bool:
    """A chunked rebuild is under way (its next chunk continues it)."""
    progress = _replica("rebuild", manifest_name=REBUILD_STATE).remote()
    return progress is not None and not _abandoned(progress, clock)


def _abandoned(progress: Any, clock: Callable[[], float]) -> bool:
    return clock() - float(progress.state.get("started", 0)) > STALE_REBUILD_S


def rebuild_index(table: Table, *, s3_pool: S3Pool,
                  time_left: Callable[[], float] | None = None, batch: int = 500,
                  clock: Callable[[], float] = time.time) -> dict[str, int]:
    """The whole index again from the table, as a new lineage: readers switch
    to it at their next look at the manifest.

    In chunks when ``time_left`` (seconds of this Lambda run) runs short: the
    chunk commits, uploads its files under the new lineage and records where
    the scan got to in ``rebuild.json`` (readers never look at it), and answers
    ``more``; the next call goes on from there. The last chunk publishes the
    lineage as ``manifest.json`` and retires every file of the one it replaces."""
    import shutil

    from chalicelib.search.engine import TantivyIndex
    from chalicelib.search.indexing import rebuild
    from chalicelib.search.store import incoming_documents, resume_key

    staging = _replica("rebuild", manifest_name=REBUILD_STATE, clock=clock)
    progress = staging.remote()
    fresh = progress is None or _abandoned(progress, clock)
    if fresh:
        shutil.rmtree(staging.directory, ignore_errors=True)
        started, done_before, after = clock(), 0, None
    else:
        staging.pull(progress)  # this container may not have the earlier chunks' files
        started = float(progress.state["started"])
        done_before, after = int(progress.state["indexed"]), progress.state["after"]
    index = TantivyIndex(Path(staging.directory))
    enough = (lambda: time_left() < CHUNK_MARGIN_S) if time_left else (lambda: False)
    count, last = rebuild(incoming_documents(table, after=after),
                          text_of=_text_reader(READS, s3_pool), index=index, batch=batch,
                          workers=READS, fresh=fresh, enough=enough)
    del index
    total = done_before + count
    if last is not None:
        staging.push(new_lineage=fresh, state={"started": started, "after": resume_key(last),
                                               "indexed": total})
        return {"indexed": total, "more": 1}
    staged = staging.push(new_lineage=fresh)
    _publish(staged, clock)
    staging.forget()
    reader().expire()
    return {"indexed": total}


def _publish(staged: Any, clock: Callable[[], float]) -> None:
    """``staged`` becomes the index readers see; the lineage it replaces is
    retired whole (deleted after the grace), and keys no manifest answers for
    (uploads of a batch refused as stale, an abandoned rebuild) are swept."""
    from chalicelib.search.replica import Manifest

    live = _replica("rebuild", clock=clock)
    before = live.remote()
    now = clock()
    retired = dict(staged.retired)
    if before is not None:
        retired.update(before.retired)
        retired.update({key: now for key in before.files.values()})
    manifest = Manifest(staged.lineage, staged.generation, dict(staged.files), retired)
    live.publish(manifest)
    live.sweep_orphans(keep=manifest.keys(), older_than=now - ORPHAN_AGE_S)


def drop_postings(table: Table) -> dict[str, int]:
    """The migration off the DynamoDB posting lists: delete every posting item."""
    from chalicelib.search.store import delete_old_postings

    return {"deleted": delete_old_postings(table)}

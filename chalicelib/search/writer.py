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
from pathlib import Path
from typing import Any

PREFIX = "incoming"  # one index today; another kind would get its own prefix
GROUP = "index"
_lock = threading.Lock()
_reader: Any = None
_writer: Any = None  # the writer's copy, kept between batches: only new files are fetched


def _replica(role: str) -> Any:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings
    from chalicelib.search.replica import Replica, local_root

    return Replica(client("s3"), get_settings().search_index_bucket, PREFIX,
                   local_root() / f"{role}-{os.getpid()}")


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


def _text_of(doc: dict[str, Any]) -> str:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    if not doc.get("text_key"):
        return ""
    body = client("s3").get_object(Bucket=get_settings().documents_bucket,
                                   Key=doc["text_key"])["Body"].read()
    return body.decode("utf-8", errors="replace")


def apply_ids(doc_ids: list[str]) -> dict[str, int]:
    """One batch of the writer: pull, apply, commit, push."""
    from chalicelib.adapters.dynamo import Table
    from chalicelib.incoming.store import IncomingStore
    from chalicelib.search.engine import TantivyIndex
    from chalicelib.search.indexing import apply_batch

    replica = _writer_replica()
    replica.pull()
    index = TantivyIndex(Path(replica.directory))
    documents = IncomingStore(Table())
    result = apply_batch(doc_ids, get=documents.get, text_of=_text_of, index=index)
    del index
    replica.push()
    reader().expire()
    return result


def rebuild_index() -> dict[str, int]:
    """The whole index again from the table, as a new lineage: readers switch
    to it at their next look at the manifest."""
    import shutil

    from chalicelib.adapters.dynamo import Table
    from chalicelib.search.engine import TantivyIndex
    from chalicelib.search.indexing import rebuild
    from chalicelib.search.store import incoming_documents

    replica = _replica("rebuild")
    shutil.rmtree(replica.directory, ignore_errors=True)
    index = TantivyIndex(Path(replica.directory))
    count = rebuild(incoming_documents(Table()), text_of=_text_of, index=index)
    del index
    replica.push(new_lineage=True)
    reader().expire()
    return {"indexed": count}


def drop_postings() -> dict[str, int]:
    """The migration off the DynamoDB posting lists: delete every posting item."""
    from chalicelib.adapters.dynamo import Table
    from chalicelib.search.store import delete_old_postings

    return {"deleted": delete_old_postings(Table())}

"""The rebuild job at scale, on moto: text layers read by a pool of threads, a
rebuild cut in chunks that readers never see half done, published once as a
new lineage, after which the files of the lineage it replaced are deleted once
the grace has passed, and files no manifest names (an upload that never
published) are swept."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.search.replica import GRACE_SECONDS
from tests.aws import drain_workflow_and_index

DOCS = 24  # three batches of 8: the last chunk finds nothing left but to publish


def _register(n: int, s3: Any, bucket: str) -> dict[str, Any]:
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    text_key = f"text/sha256/{n:064d}.txt"
    s3.put_object(Bucket=bucket, Key=text_key,
                  Body=f"Nội dung: giao phòng thẩm định hồ sơ mã HS{n:03d}.".encode())
    return incoming.register(None, Metadata(
        so_ky_hieu=f"{n}/TB-X", co_quan_ban_hanh="Sở Nội vụ", ngay_ban_hanh=date(2026, 11, 2),
        trich_yeu=f"Thông báo lịch trực số {n}"),
        arrival=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=n), source="paper",
        file={"key": f"files/{n}.pdf", "sha256": f"{n:064d}", "pages": 1, "text_key": text_key},
        table=Table())


def _total(q: str) -> int:
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.search.service import search

    clerk = Caller("vanthu", frozenset({Role.CLERK}), unit="VP")
    return int(search(clerk, q, limit=1, sort="relevance", table=Table())["total"])


def _manifest(s3: Any, bucket: str, name: str = "manifest.json") -> dict[str, Any] | None:
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=f"incoming/{name}")["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def _keys(s3: Any, bucket: str) -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="incoming/")
    return {o["Key"] for p in pages for o in p.get("Contents", [])}


def test_a_rebuild_in_chunks_reads_texts_in_parallel_and_retires_the_old_lineage(
        aws_env: dict[str, str], accounts: Any, monkeypatch: Any) -> None:
    from chalicelib.adapters.aws import client
    from chalicelib.bootstrap import s3_pool
    from chalicelib.search import writer

    s3, index_bucket = client("s3"), aws_env["SEARCH_INDEX_BUCKET"]
    documents_bucket = aws_env["DOCUMENTS_BUCKET"]
    for n in range(3):
        _register(n, s3, documents_bucket)
    drain_workflow_and_index()
    old = _manifest(s3, index_bucket)
    assert old is not None and _total("lich truc") == 3
    # An upload whose manifest was never written (a batch refused as stale).
    orphan = f"incoming/{old['lineage']}/files/orphan.idx"
    s3.put_object(Bucket=index_bucket, Key=orphan, Body=b"x")
    for n in range(3, DOCS):
        _register(n, s3, documents_bucket)  # their events are never delivered

    threads: set[str] = set()
    reader = writer._text_reader

    def counting_reader(workers: int, s3_pool: Any) -> Any:
        text_of = reader(workers, s3_pool)

        def read(doc: dict[str, Any]) -> str:
            threads.add(threading.current_thread().name)
            return text_of(doc)
        return read

    monkeypatch.setattr(writer, "_text_reader", counting_reader)
    # Two days on: the orphan is old enough to sweep. The clock is the job's,
    # relative to the bucket's own times (moto stamps objects as they are written).
    now = [time.time() + 2 * 86_400]
    runs = []
    while True:
        # No time left after each commit: every chunk stops after one batch.
        done = writer.rebuild_index(Table(), s3_pool=s3_pool, time_left=lambda: 0.0, batch=8,
                                    clock=lambda: now[0])
        runs.append(done)
        if not done.get("more"):
            break
        progress = _manifest(s3, index_bucket, "rebuild.json")
        assert progress is not None and progress["state"]["indexed"] == done["indexed"]
        # Readers see the index as it was until the last chunk publishes.
        assert _manifest(s3, index_bucket) == old and _total("lich truc") == 3
    assert runs == [{"indexed": 8, "more": 1}, {"indexed": 16, "more": 1},
                    {"indexed": 24, "more": 1}, {"indexed": 24}]
    assert len(threads) > 1 and all(t.startswith("search-read") for t in threads)

    new = _manifest(s3, index_bucket)
    assert new is not None and new["lineage"] != old["lineage"]
    assert _manifest(s3, index_bucket, "rebuild.json") is None
    assert _total("lich truc") == DOCS
    assert _total("HS023") == 1 and _total("tham dinh ho so") == DOCS  # the text layers
    keys = _keys(s3, index_bucket)
    assert orphan not in keys
    # The old lineage's files are retired, not yet deleted: a reader may be fetching them.
    assert set(old["files"].values()) <= set(new["retired"]) and set(old["files"].values()) <= keys

    # The next rebuild, past the grace, deletes them; the lineage it replaces waits.
    now[0] += GRACE_SECONDS + 1
    assert writer.rebuild_index(Table(), s3_pool=s3_pool, clock=lambda: now[0]) == {"indexed": DOCS}
    keys = _keys(s3, index_bucket)
    assert not any(k.startswith(f"incoming/{old['lineage']}/") for k in keys)
    assert set(new["files"].values()) <= keys
    latest = _manifest(s3, index_bucket)
    assert latest is not None and set(latest["files"].values()) <= keys
    assert _total("lich truc") == DOCS

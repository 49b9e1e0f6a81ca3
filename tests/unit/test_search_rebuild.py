"""The rebuild at scale: text layers read in parallel (bounded, in order), a
rebuild that would outlast its Lambda run continues in another, and files no
manifest names any more are deleted once the grace has passed."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from chalicelib.search.engine import TantivyIndex
from chalicelib.search.indexing import read_ahead
from chalicelib.search.ports import IndexedDocument
from chalicelib.search.replica import GRACE_SECONDS, Replica
from tests.unit.test_search_replica import FakeS3


def test_reads_run_in_parallel_keep_their_order_and_stay_within_the_window() -> None:
    # Four reads must be in flight together to pass the barrier: one after
    # another, the first would wait for the others and time out.
    barrier = threading.Barrier(4, timeout=10)
    in_flight, most = [0], [0]
    lock = threading.Lock()

    def read(n: int) -> str:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        barrier.wait()
        with lock:
            in_flight[0] -= 1
        return f"text {n}"

    out = list(read_ahead(read, range(12), workers=4, ahead=6))
    assert out == [(n, f"text {n}") for n in range(12)]
    assert most[0] == 4


def test_reading_ahead_takes_no_more_items_than_the_window() -> None:
    taken: list[int] = []

    def items() -> Any:
        for n in range(100):
            taken.append(n)
            yield n

    reads = read_ahead(lambda n: n, items(), workers=2, ahead=5)
    assert next(reads) == (0, 0)
    assert len(taken) == 5  # the whole table is never held in memory
    reads.close()


def test_a_read_that_fails_fails_the_rebuild() -> None:
    def read(n: int) -> str:
        if n == 3:
            raise OSError("S3 unavailable")
        return ""

    with pytest.raises(OSError):
        list(read_ahead(read, range(10), workers=3, ahead=4))


class DeletingS3(FakeS3):
    def delete_objects(self, Bucket: str, Delete: dict[str, Any]) -> None:  # noqa: N803
        for obj in Delete["Objects"]:
            self.calls.append(("delete", obj["Key"]))
            self.objects.pop(obj["Key"], None)


def _doc(n: int) -> IndexedDocument:
    return IndexedDocument(id=f"d{n}", kind="incoming", arrival=n, scopes=("A#agency",),
                           metadata=f"Công văn số {n}")


def test_files_a_generation_no_longer_names_are_deleted_after_the_grace(
        tmp_path: Path) -> None:
    s3, now = DeletingS3(), [1_000_000.0]
    writer = Replica(s3, "bucket", "incoming", tmp_path / "w", clock=lambda: now[0])
    writer.pull()
    generations = []
    for n in range(1, 5):
        TantivyIndex(writer.directory).apply([_doc(n)], [])
        generations.append(writer.push())
        now[0] += GRACE_SECONDS / 2 + 1  # two pushes: more than the grace
    first, second, third, fourth = generations
    meta = [m.files["meta.json"] for m in generations]
    # Each generation's meta.json is retired by the next, with the time it happened...
    assert second.retired.get(meta[0]) is not None
    # ...and deleted by the first push after the grace: not before.
    assert meta[0] not in s3.objects and meta[0] not in fourth.retired
    assert meta[1] in s3.objects and meta[2] in s3.objects  # within the grace
    assert all(key in s3.objects for key in fourth.files.values())
    deleted = {key for op, key in s3.calls if op == "delete"}
    assert deleted == {key for key in first.files.values() if "/g1/" in key}
    assert deleted.isdisjoint(set(third.files.values()) | set(fourth.files.values()))


class Context:
    invoked_function_arn = "arn:aws:lambda:ap-southeast-1:1:function:x-RebuildSearchIndex-1"

    def get_remaining_time_in_millis(self) -> int:
        return 42_000


def test_on_lambda_a_rebuild_with_more_to_do_invokes_itself_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import bootstrap
    from chalicelib.local.scheduler import scheduled_event
    from chalicelib.search import jobs, writer

    seen: dict[str, Any] = {}
    stage_table = object()  # what the composition root hands the job

    def rebuild_index(table: Any, *, s3_pool: Any, time_left: Any) -> dict[str, int]:
        assert table is stage_table and s3_pool is bootstrap.s3_pool
        seen["time_left"] = time_left()
        return {"indexed": 500, "more": 1}

    monkeypatch.setattr(bootstrap, "table", lambda: stage_table)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "x-RebuildSearchIndex-1")
    monkeypatch.setattr(writer, "rebuild_pending", lambda: True)
    monkeypatch.setattr(writer, "drop_postings", lambda table: pytest.fail("dropped again"))
    monkeypatch.setattr(writer, "rebuild_index", rebuild_index)
    monkeypatch.setattr(jobs, "continue_rebuild",
                        lambda arn, event: seen.update(arn=arn, event=event))
    event = scheduled_event("rebuild_search_index")
    done = jobs.rebuild_search_index(event, Context())
    assert done == {"deleted": 0, "indexed": 500, "more": 1}
    assert seen == {"time_left": 42.0, "arn": Context.invoked_function_arn, "event": event}

"""The index's copy in S3: a writer uploads only the files a commit made, a
reader looks at the manifest at most every few seconds and downloads only the
files it lacks; ``import app`` loads no search engine."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalicelib.search.engine import TantivyIndex
from chalicelib.search.ports import IndexedDocument, SearchRequest
from chalicelib.search.query import parse
from chalicelib.search.replica import MANIFEST, Reader, Replica, StaleCopy

ROOT = Path(__file__).resolve().parents[2]


class FakeS3:
    """The five calls the replica makes, in memory, with a log of them."""

    class exceptions:  # noqa: N801 - boto3's shape
        class NoSuchKey(Exception):
            pass

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.calls: list[tuple[str, str]] = []

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        self.calls.append(("get", Key))
        if Key not in self.objects:
            raise self.exceptions.NoSuchKey(Key)
        return {"Body": io.BytesIO(self.objects[Key])}

    def put_object(self, Bucket: str, Key: str, Body: bytes, **_: Any) -> None:  # noqa: N803
        self.calls.append(("put", Key))
        self.objects[Key] = Body

    def upload_file(self, path: str, bucket: str, key: str) -> None:
        self.calls.append(("upload", key))
        self.objects[key] = Path(path).read_bytes()

    def download_file(self, bucket: str, key: str, path: str) -> None:
        self.calls.append(("download", key))
        Path(path).write_bytes(self.objects[key])


def _doc(n: int, words: str) -> IndexedDocument:
    return IndexedDocument(id=f"d{n}", kind="incoming", arrival=n, scopes=("A#agency",),
                           metadata=words)


def _write(s3: FakeS3, tmp: Path, docs: list[IndexedDocument]) -> Replica:
    writer = Replica(s3, "bucket", "incoming", tmp / "writer")
    writer.pull()
    TantivyIndex(writer.directory).apply(docs, [])
    writer.push()
    return writer


def _found(index: Any, q: str) -> int:
    return int(index.search(SearchRequest(parse(q), frozenset({"A#agency"}))).total)


def test_readers_follow_the_writers_generations_downloading_only_new_files(
        tmp_path: Path) -> None:
    s3 = FakeS3()
    now = [100.0]
    reader = Reader(lambda: Replica(s3, "bucket", "incoming", tmp_path / "reader"),
                    clock=lambda: now[0], every=5.0)
    assert _found(reader.index(), "giao ban") == 0  # nothing written yet: empty, no error

    first = _write(s3, tmp_path, [_doc(1, "Lịch giao ban tuần")]).manifest
    assert first is not None and first.generation == 1
    now[0] += 5
    assert _found(reader.index(), "giao ban") == 1

    s3.calls.clear()
    second = _write(s3, tmp_path, [_doc(2, "Giao ban quý")]).manifest
    assert second is not None and second.generation == 2
    uploads = {k.rsplit("/", 1)[1] for op, k in s3.calls if op == "upload"}
    # The first commit's segment files were not sent again.
    assert uploads and not uploads & {n for n in first.files if n not in
                                      (".managed.json", "meta.json")}
    assert s3.calls[-1] == ("put", f"incoming/{MANIFEST}")  # the manifest last

    # Within the interval: no S3 call at all, the old generation answers.
    s3.calls.clear()
    now[0] += 1
    assert _found(reader.index(), "giao ban") == 1 and s3.calls == []
    # After it: the manifest, then only the files this reader lacks.
    now[0] += 5
    assert _found(reader.index(), "giao ban") == 2
    downloaded = {k for op, k in s3.calls if op == "download"}
    assert downloaded == {k for n, k in second.files.items() if first.files.get(n) != k}
    # Nothing changed since: one look at the manifest, no download.
    s3.calls.clear()
    now[0] += 5
    assert _found(reader.index(), "giao ban") == 2
    assert s3.calls == [("get", f"incoming/{MANIFEST}")]


def test_a_rebuild_is_a_new_lineage_that_readers_switch_to(tmp_path: Path) -> None:
    s3 = FakeS3()
    _write(s3, tmp_path, [_doc(1, "Văn bản cũ")])
    reader = Reader(lambda: Replica(s3, "bucket", "incoming", tmp_path / "reader"),
                    clock=lambda: 0.0, every=5.0)
    assert _found(reader.index(), "van ban cu") == 1
    fresh = Replica(s3, "bucket", "incoming", tmp_path / "rebuilt")
    TantivyIndex(fresh.directory).apply([_doc(9, "Văn bản mới")], [])
    manifest = fresh.push(new_lineage=True)
    assert manifest.generation == 1
    reader.expire()
    index = reader.index()
    assert _found(index, "van ban moi") == 1 and _found(index, "van ban cu") == 0


def test_a_batch_applied_to_a_copy_the_rebuild_superseded_is_refused(tmp_path: Path) -> None:
    s3 = FakeS3()
    writer = _write(s3, tmp_path, [_doc(1, "Văn bản cũ")])
    writer.pull()
    TantivyIndex(writer.directory).apply([_doc(2, "Văn bản thêm")], [])
    rebuilt = Replica(s3, "bucket", "incoming", tmp_path / "rebuilt")
    TantivyIndex(rebuilt.directory).apply([_doc(9, "Văn bản mới")], [])
    lineage = rebuilt.push(new_lineage=True).lineage
    with pytest.raises(StaleCopy):
        writer.push()  # SQS gives the batch again ...
    assert writer.pull()  # ... and it is applied on top of the rebuilt index
    assert writer.manifest is not None and writer.manifest.lineage == lineage
    assert _found(TantivyIndex(writer.directory), "van ban moi") == 1


def test_importing_the_app_loads_no_search_engine() -> None:
    code = ("import sys, app; "
            "assert 'tantivy' not in sys.modules, 'tantivy'; "
            "assert 'chalicelib.search.engine' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "EOFFICE_STAGE": "local",
                              "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr

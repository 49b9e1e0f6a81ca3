"""The index's files in S3 and their copy in this process's /tmp.

Layout under the index's prefix (a bucket and prefix from settings, never from
a request): ``manifest.json`` names the lineage (one per rebuild), the
generation (one per commit) and, per file, its S3 key. Segment files never
change once written, so they are uploaded once under ``{lineage}/files/``;
tantivy's ``meta.json`` changes with every commit and goes under
``{lineage}/g{generation}/``. The manifest is written last, so a reader never
sees a generation whose files are not all there.

A reader checks the manifest at most every ``REFRESH_SECONDS``; a search in
between costs no S3 call. When the generation changed it downloads the files
it lacks (only those), drops those gone, and reopens the index.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
MUTABLE = {"meta.json", ".managed.json"}
LOCKS = (".tantivy-writer.lock", ".tantivy-meta.lock")
REFRESH_SECONDS = 5.0


@dataclass
class Manifest:
    lineage: str
    generation: int
    files: dict[str, str] = field(default_factory=dict)  # file name -> S3 key

    def to_json(self) -> bytes:
        return json.dumps({"lineage": self.lineage, "generation": self.generation,
                           "files": self.files}, sort_keys=True).encode()

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        return cls(str(data["lineage"]), int(data["generation"]), dict(data["files"]))


def local_root() -> Path:
    return Path(os.environ.get("EOFFICE_SEARCH_DIR") or Path(tempfile.gettempdir())
                / "eoffice-search")


class StaleCopy(RuntimeError):
    """Another writer (the rebuild) pushed since this copy was pulled."""


class Replica:
    """One local copy of the index in ``directory``, kept in line with S3."""

    def __init__(self, s3: Any, bucket: str, prefix: str, directory: Path) -> None:
        self.s3, self.bucket, self.prefix = s3, bucket, prefix.rstrip("/")
        self.directory = directory
        self.manifest: Manifest | None = None

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def remote(self) -> Manifest | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self._key(MANIFEST))["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return Manifest.parse(body)

    def pull(self, manifest: Manifest | None = None) -> bool:
        """Make the local files those of the latest generation; True if any changed."""
        latest = manifest or self.remote()
        if latest is None:
            # No index written yet (or a new environment): whatever is here is not it.
            had = self.manifest is not None
            self._wipe()
            self.manifest = None
            return had
        if (self.manifest is not None
                              and (latest.lineage, latest.generation)
                              == (self.manifest.lineage, self.manifest.generation)):
            return False
        have = self.manifest.files if self.manifest else {}
        if self.manifest is None or self.manifest.lineage != latest.lineage:
            self._wipe()
            have = {}
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, key in latest.files.items():
            if have.get(name) != key or not (self.directory / name).exists():
                part = self.directory / f".{name}.part"
                self.s3.download_file(self.bucket, key, str(part))
                part.replace(self.directory / name)
        for name in set(have) - set(latest.files):
            (self.directory / name).unlink(missing_ok=True)
        self.manifest = latest
        return True

    def _wipe(self) -> None:
        if self.directory.exists():
            for path in self.directory.iterdir():
                if path.is_file():
                    path.unlink()

    def push(self, *, new_lineage: bool = False) -> Manifest:
        """Upload what the last commit wrote, then the manifest of the next generation."""
        before = None if new_lineage else self.manifest
        lineage = before.lineage if before else uuid.uuid4().hex
        generation = (before.generation if before else 0) + 1
        files: dict[str, str] = {}
        for path in sorted(self.directory.iterdir()):
            name = path.name
            if not path.is_file() or name in LOCKS or name.startswith("."):
                if name != ".managed.json":
                    continue
            if name in MUTABLE:
                key = self._key(f"{lineage}/g{generation}/{name}")
            else:
                key = self._key(f"{lineage}/files/{name}")
            if before is None or before.files.get(name) != key or name in MUTABLE:
                self.s3.upload_file(str(path), self.bucket, key)
            files[name] = key
        manifest = Manifest(lineage, generation, files)
        if not new_lineage:
            # One writer by design (one FIFO message group), but the weekly rebuild is
            # another: a batch applied to a copy it superseded is retried on top of it.
            latest = self.remote()
            if latest is not None and (before is None or (latest.lineage, latest.generation)
                                       != (before.lineage, before.generation)):
                self.manifest = None
                raise StaleCopy(f"index moved to {latest.lineage}/{latest.generation}")
        self.s3.put_object(Bucket=self.bucket, Key=self._key(MANIFEST), Body=manifest.to_json(),
                           ContentType="application/json")
        self.manifest = manifest
        return manifest


class Reader:
    """The search Lambda's copy: an index opened once, refreshed from S3 when
    the manifest's generation moved, looked at no more than every few seconds."""

    def __init__(self, open_replica: Callable[[], Replica],
                 clock: Callable[[], float] = time.monotonic,
                 every: float = REFRESH_SECONDS) -> None:
        self.open_replica, self.clock, self.every = open_replica, clock, every
        self.replica: Replica | None = None
        self.engine: Any = None
        self.checked: float | None = None
        self.lock = threading.Lock()

    def index(self) -> Any:
        from chalicelib.search.engine import TantivyIndex

        with self.lock:
            now = self.clock()
            if self.checked is not None and now - self.checked < self.every:
                return self.engine
            self.checked = now
            if self.replica is None:
                self.replica = self.open_replica()
            changed = self.replica.pull()
            if self.engine is None or changed:
                if self.replica.manifest is None:
                    self.engine = TantivyIndex(None)  # nothing written yet: an empty index
                else:
                    self.engine = TantivyIndex(self.replica.directory)
            return self.engine

    def expire(self) -> None:
        """Look at the manifest on the next search (the writer of this process
        just wrote one; tests and the local runtime see it at once)."""
        with self.lock:
            self.checked = None

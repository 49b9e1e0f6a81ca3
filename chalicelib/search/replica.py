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

Files a generation no longer names (merged away, an old ``meta.json``, a whole
lineage a rebuild replaced) are listed in the manifest as ``retired`` with the
time they stopped being named, and deleted by a later push once
``GRACE_SECONDS`` have passed: a reader that fetched the previous manifest just
before has had the time to download them.
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
# Longer than any reader's download (seconds) and a Lambda's longest run (900 s).
GRACE_SECONDS = 3600.0
DELETE_BATCH = 1000  # S3 DeleteObjects takes at most 1,000 keys


@dataclass
class Manifest:
    lineage: str
    generation: int
    files: dict[str, str] = field(default_factory=dict)  # file name -> S3 key
    retired: dict[str, float] = field(default_factory=dict)  # S3 key -> unnamed since (epoch)
    state: dict[str, Any] = field(default_factory=dict)  # a chunked rebuild's progress

    def to_json(self) -> bytes:
        out: dict[str, Any] = {"lineage": self.lineage, "generation": self.generation,
                               "files": self.files, "retired": self.retired}
        if self.state:
            out["state"] = self.state
        return json.dumps(out, sort_keys=True).encode()

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        return cls(str(data["lineage"]), int(data["generation"]), dict(data["files"]),
                   {str(k): float(v) for k, v in dict(data.get("retired") or {}).items()},
                   dict(data.get("state") or {}))

    def keys(self) -> set[str]:
        """Every S3 key this manifest still answers for (named or awaiting deletion)."""
        return set(self.files.values()) | set(self.retired)


def local_root() -> Path:
    return Path(os.environ.get("EOFFICE_SEARCH_DIR") or Path(tempfile.gettempdir())
                / "eoffice-search")


class StaleCopy(RuntimeError):
    """Another writer (the rebuild) pushed since this copy was pulled."""


class Replica:
    """One local copy of the index in ``directory``, kept in line with S3."""

    def __init__(self, s3: Any, bucket: str, prefix: str, directory: Path, *,
                 manifest_name: str = MANIFEST, clock: Callable[[], float] = time.time,
                 grace: float = GRACE_SECONDS) -> None:
        self.s3, self.bucket, self.prefix = s3, bucket, prefix.rstrip("/")
        self.directory = directory
        self.manifest_name, self.clock, self.grace = manifest_name, clock, grace
        self.manifest: Manifest | None = None

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    def remote(self) -> Manifest | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket,
                                      Key=self._key(self.manifest_name))["Body"].read()
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

    def push(self, *, new_lineage: bool = False,
             state: dict[str, Any] | None = None) -> Manifest:
        """Upload what the last commit wrote, then the manifest of the next generation
        (deleting first the retired files whose grace has passed)."""
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
        now, named = self.clock(), set(files.values())
        retired = {k: t for k, t in (before.retired if before else {}).items() if k not in named}
        if before is not None:
            retired.update({key: now for key in before.files.values() if key not in named})
        manifest = Manifest(lineage, generation, files, retired, dict(state or {}))
        if not new_lineage:
            # One writer by design (one FIFO message group), but the weekly rebuild is
            # another: a batch applied to a copy it superseded is retried on top of it.
            latest = self.remote()
            if latest is not None and (before is None or (latest.lineage, latest.generation)
                                       != (before.lineage, before.generation)):
                self.manifest = None
                raise StaleCopy(f"index moved to {latest.lineage}/{latest.generation}")
        self.publish(manifest)
        return manifest

    def publish(self, manifest: Manifest) -> None:
        """Write ``manifest`` as this replica's, after deleting the retired files
        whose grace has passed (a manifest that lists them is already published,
        so no reader that starts now needs them)."""
        due = sorted(k for k, since in manifest.retired.items()
                     if since <= self.clock() - self.grace)
        self.delete(due)
        for key in due:
            manifest.retired.pop(key)
        self.s3.put_object(Bucket=self.bucket, Key=self._key(self.manifest_name),
                           Body=manifest.to_json(), ContentType="application/json")
        self.manifest = manifest

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            chunk = keys[start:start + DELETE_BATCH]
            self.s3.delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": k} for k in chunk], "Quiet": True})

    def sweep_orphans(self, *, keep: set[str], older_than: float) -> int:
        """Delete the lineages' files that ``keep`` does not name, last written
        before ``older_than`` (epoch): uploads of a push that never published
        (refused as stale, a crash), an abandoned rebuild's. Manifests (the
        keys right under the prefix) are never touched."""
        orphans = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=f"{self.prefix}/"):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                if ("/" in key[len(self.prefix) + 1:] and key not in keep
                        and obj["LastModified"].timestamp() < older_than):
                    orphans.append(key)
        self.delete(orphans)
        return len(orphans)

    def forget(self) -> None:
        """Remove this replica's manifest (a finished rebuild's progress)."""
        self.s3.delete_object(Bucket=self.bucket, Key=self._key(self.manifest_name))


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

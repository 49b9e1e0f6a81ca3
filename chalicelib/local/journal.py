"""A journal of the embedded AWS's mutating requests since the last snapshot.

The snapshot (embedded_aws.save_state) is written every 15 s; a crash between
two snapshots would lose writes moto had already acknowledged. Every mutating
request is therefore appended here, and flushed to the operating system, before
its response leaves; on start the requests recorded since the snapshot are
replayed through moto after the snapshot is loaded.

Journals are numbered generations (``aws-journal.000007.log``). A snapshot
records the first generation it does not contain; taking one switches
appending to a new generation under the same locks that hold requests out,
and the older generations are deleted once the snapshot file is in place. A
crash anywhere in between therefore replays exactly what the snapshot on disk
lacks.

A flush survives the process (kill -9, the OOM killer), not the machine losing
power: an fsync per request would cost more than this local runtime is worth.
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

_NAME = re.compile(r"^aws-journal\.(\d{6})\.log$")
# What a WSGI request is made of besides its headers (HTTP_*) and body.
_CGI_KEYS = ("REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE",
             "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "REQUEST_URI", "RAW_URI")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def record_of(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    """What replaying a request needs: its CGI variables, headers and body."""
    env = {k: v for k, v in environ.items()
           if isinstance(v, str) and (k in _CGI_KEYS or k.startswith("HTTP_"))}
    env.pop("HTTP_TRANSFER_ENCODING", None)  # the body is stored decoded
    return {"env": env, "body": base64.b64encode(body).decode("ascii")}


def environ_of(record: dict[str, Any]) -> dict[str, Any]:
    body = base64.b64decode(record["body"])
    environ: dict[str, Any] = dict(record["env"])
    environ.update({
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    })
    return environ


class Journal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.generation = 0
        self._file: IO[str] | None = None

    def generations(self) -> list[int]:
        found = (_NAME.match(p.name) for p in self.folder.glob("aws-journal.*.log"))
        return sorted(int(m.group(1)) for m in found if m)

    def path(self, generation: int) -> Path:
        return self.folder / f"aws-journal.{generation:06d}.log"

    def records(self, since: int) -> Iterator[dict[str, Any]]:
        """Every complete record of generations ``since`` and later, in order.
        A torn last line (the crash came mid-write) was never acknowledged."""
        for generation in self.generations():
            if generation < since:
                continue
            with self.path(generation).open("r", encoding="utf-8") as lines:
                for line in lines:
                    try:
                        yield json.loads(line)
                    except ValueError:
                        break

    def replay(self, since: int, app: WsgiApp) -> int:
        """Run the recorded requests through ``app`` (moto); returns how many."""
        count = 0
        for record in self.records(since):
            # The answer may differ from the first time (an SQS receipt handle
            # from before the crash is gone); the state change is what matters.
            # One record moto cannot take must not keep the runtime from starting.
            try:
                for _ in app(environ_of(record), lambda *a, **k: None):
                    pass
            except Exception as exc:  # noqa: BLE001 - reported, the rest replayed
                print(f"journal: a recorded request could not be replayed: {exc!r}",
                      file=sys.stderr)
            count += 1
        return count

    def open(self, generation: int) -> None:
        """Append from now on to ``generation`` (after the ones on disk)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.close()
        self.generation = max([generation, *(g + 1 for g in self.generations())])
        self._file = self.path(self.generation).open("a", encoding="utf-8")

    def append(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()

    def rotate(self) -> int:
        """Start the next generation; returns it (what a snapshot taken now
        holds everything before)."""
        self.open(self.generation + 1)
        return self.generation

    def drop_before(self, generation: int) -> None:
        for g in self.generations():
            if g < generation:
                self.path(g).unlink(missing_ok=True)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

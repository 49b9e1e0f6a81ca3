"""The whole local runtime (``python -m chalicelib.local.run``) as a child process
on free ports, for the end-to-end tests and the benchmarks that drive it from
outside: started the way ``make run`` starts it, ready when it answers its
health route and has said so, stopped the way Ctrl-C stops it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Sẵn sàng / ready"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0


class NotReady(RuntimeError):
    """The runtime exited, or did not become ready in time; the message holds
    its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """Every descendant of ``pid`` (Linux /proc): chalice local runs in its own
    session, so signalling the runtime's process group would not reach it."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:  # noqa: S310 - our loopback URL
            return bool(resp.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False


def api_call(base_url: str, method: str, path: str, body: Any = None,
             token: str | None = None, headers: dict[str, str] | None = None,
             timeout: float = 15) -> tuple[int, Any]:
    """One JSON request to the runtime's API: the status and the decoded answer,
    an error status included (it is what a test asserts on)."""
    headers = {"Accept": "application/json", **(headers or {})}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body, ensure_ascii=False).encode()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base_url + path, data=data, headers=headers,  # noqa: S310
                                     method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


class LocalRuntime:
    """``python -m chalicelib.local.run`` in a subprocess of its own session, its
    output appended to ``log_path`` next to the data directory."""

    def __init__(self, data_dir: Path, port: int | None = None,
                 moto_port: int | None = None, clock_at: datetime | None = None) -> None:
        self.data_dir = data_dir
        self.clock_at = clock_at
        self.port = port or free_port()
        self.moto_port = moto_port or free_port()
        self.log_path = data_dir.parent / f"{data_dir.name}-runtime.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self._log_offset = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """What the runtime wrote since its last start."""
        try:
            return self.log_path.read_text("utf-8", errors="replace")[self._log_offset:]
        except OSError:
            return ""

    def start(self, timeout: float = START_TIMEOUT, env: dict[str, str] | None = None
              ) -> dict[str, Any]:
        """Start and wait until ready; the content of its local.json. Raises
        ``NotReady`` (the runtime stopped) when it is not ready in time.
        ``env``: more variables for this run only (e.g. a pause point)."""
        extra = env or {}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Only what local.json says may aim the runtime: none of this process's AWS settings.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "EOFFICE_", "MOTO_"))}
        env.update(PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1", **extra)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        try:
            self.proc = subprocess.Popen(  # noqa: S603 - our own fixed command line
                [sys.executable, "-m", "chalicelib.local.run", "--host", "127.0.0.1",
                 "--port", str(self.port), "--moto-port", str(self.moto_port),
                 "--data-dir", str(self.data_dir),
                 *(["--clock-at", self.clock_at.isoformat()] if self.clock_at else [])],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            log.close()
        self._wait_ready(timeout)
        return self.info

    def _wait_ready(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        local_file = self.data_dir / "local.json"
        healthy = False
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise NotReady(f"the local runtime exited with {self.proc.returncode} before it "
                               f"was ready; its output:\n{self.output()}")
            if not healthy and local_file.exists():
                healthy = answers_200(f"{self.url}/api/health")
            if healthy and READY_LINE in self.output():
                self.info = json.loads(local_file.read_text("utf-8"))
                assert self.info["url"] == self.url
                return
            time.sleep(0.25)
        self.stop()
        raise NotReady(f"the local runtime was not ready within {timeout:.0f}s; its output:\n"
                       f"{self.output()}")

    def kill(self) -> None:
        """SIGKILL the runtime and chalice local: no handler runs, nothing is saved
        but what the journal already holds."""
        proc = self.proc
        assert proc is not None
        children = descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        for pid in children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        self.proc = None

    def stop(self) -> int | None:
        """SIGINT (what Ctrl-C sends), wait; SIGKILL whatever is left. The exit
        code, None when it had to be killed or was not running."""
        proc = self.proc
        if proc is None:
            return None
        self.proc = None
        if proc.poll() is not None:
            return proc.returncode
        children = descendants(proc.pid)
        proc.send_signal(signal.SIGINT)
        try:
            return proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            return None
        finally:
            for pid in children:  # chalice local, in its own session
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

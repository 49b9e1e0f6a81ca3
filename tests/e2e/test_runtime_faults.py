"""The local runtime under a crash and under a storm of signals: writes it
acknowledged survive ``kill -9`` (the journal, replayed on start), and
repeated SIGTERM/SIGINT always end it. Runs its own runtime: it kills it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from chalicelib.local.launcher import descendants
from tests.e2e.conftest import (
    STOP_TIMEOUT,
    api_call,
    aws_client,
)
from tests.e2e.helpers import own_runtime

pytestmark = pytest.mark.e2e


def test_acknowledged_writes_survive_a_kill_and_signals_always_stop_it(tmp_path: Path) -> None:
    with own_runtime(tmp_path / "data") as (rt, first):
        url = first["url"]
        token = rt.admin_token()
        note = "Làm bù trước sự cố — " + uuid.uuid4().hex[:6]
        status, body = api_call(url, "PUT", "/api/calendar/overrides",
                                {"date": "2031-03-08", "working": True, "note": note}, token)
        assert status == 200, body
        s3 = aws_client(first, "s3")
        bucket = first["environment"]["DOCUMENTS_BUCKET"]
        pdfs = {f"e2e/crash/{n}.pdf": b"%PDF-1.7\n" + uuid.uuid4().bytes * (20_000 + n)
                for n in range(5)}
        for key, content in pdfs.items():
            s3.put_object(Bucket=bucket, Key=key, Body=content, ContentType="application/pdf")
        rt.kill()  # well inside the 15 s between snapshots

        second = rt.start()
        assert "journaled requests replayed" in rt.output(), rt.output()
        s3 = aws_client(second, "s3")
        for key, content in pdfs.items():
            assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == content
        token = rt.admin_token()
        status, body = api_call(url, "GET", "/api/calendar/overrides", token=token)
        assert status == 200, body
        assert [o["note"] for o in body["overrides"] if o["date"] == "2031-03-08"] == [note]

        # A storm of Ctrl-C and SIGTERM, as an impatient user or a supervisor sends.
        proc = rt.proc
        assert proc is not None
        children = descendants(proc.pid)
        deadline = time.monotonic() + 1.0
        sig = signal.SIGTERM
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)
            sig = signal.SIGINT if sig == signal.SIGTERM else signal.SIGTERM
            time.sleep(0.01)
        try:
            code = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the runtime did not stop within {STOP_TIMEOUT:.0f}s of repeated "
                        f"signals; its output:\n{rt.output()}")
        finally:
            for pid in children:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        rt.proc = None
        assert code == 0, rt.output()
        assert "stopped, state saved" in rt.output()

"""``make run``: the whole product on one machine.

Starts moto (restoring its saved state), provisions infra/template.yaml into
it, seeds the demo department, writes .eoffice/local.json, serves the API and
pages with ``chalice local``, and runs the event pump and the scheduler. Ctrl-C
stops everything it started and saves the state.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-1"


def base_environment(endpoint: str) -> dict[str, str]:
    """What every local process needs to talk to the embedded AWS."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",  # moto accepts any; not a secret
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "EOFFICE_STAGE": "local",
    }


def app_environment(endpoint: str, resources: dict[str, str], public_url: str) -> dict[str, str]:
    env = base_environment(endpoint)
    env.update(resources)
    env["PUBLIC_BASE_URL"] = public_url
    # moto serves the pool's keys under its own endpoint, not cognito-idp's.
    env["JWKS_URL"] = f"{endpoint}/{resources['USER_POOL_ID']}/.well-known/jwks.json"
    return env


def load_local_file(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def wait_for(url: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our loopback URL
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


class Runtime:
    def __init__(self, host: str, port: int, moto_port: int, data_dir: Path,
                 quiet: bool = False) -> None:
        self.host, self.port, self.moto_port = host, port, moto_port
        self.data_dir = data_dir
        self.quiet = quiet
        self.chalice: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    def start(self) -> dict[str, Any]:
        from chalicelib.local.embedded_aws import EmbeddedAws

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.aws = EmbeddedAws(self.host, self.moto_port, self.data_dir / "aws-state.pickle")
        self.aws.start()
        endpoint = self.aws.endpoint
        os.environ.update(base_environment(endpoint))
        self.say(f"AWS nhúng (moto) tại {endpoint}")
        if self.aws.replayed:
            self.say(f"Đã khôi phục {self.aws.replayed} yêu cầu ghi sau lần lưu cuối / "
                     f"{self.aws.replayed} journaled requests replayed")

        from chalicelib.adapters.aws import reset_clients
        from chalicelib.local.provision import provision

        resources = provision(stage="local")
        public_url = f"http://{self.host}:{self.port}"
        env = app_environment(endpoint, resources, public_url)
        os.environ.update(env)
        reset_clients()

        from chalicelib.local.seed import seed

        local_file = self.data_dir / "local.json"
        previous = load_local_file(local_file)
        passwords = {a["username"]: a["password"] for a in previous.get("accounts", [])}
        accounts = seed(passwords)
        from chalicelib.local.seed import seed_demo_work

        seed_demo_work()
        from chalicelib.bootstrap import table as bootstrap_table
        from chalicelib.signing.keys import ensure_dev_pki

        # A development CA in KMS certifies the agency seal and every leader's key,
        # so that drafts can be signed and verified locally (idempotent).
        ensure_dev_pki(table=bootstrap_table())
        from chalicelib.onestop.service import ensure_catalogue

        ensure_catalogue(bootstrap_table())  # the one-stop procedures (versioned; never rewritten)
        from chalicelib.iso.seed import ensure_library

        ensure_library(bootstrap_table())  # the ISO procedures that drive them (stored once)
        from chalicelib.local.peer import Peer

        Peer().enrol()  # the simulated peer agency on the stand-in exchange (docs/exchange.md)
        info = {
            "url": public_url,
            "endpoint": endpoint,
            "region": REGION,
            "resources": resources,
            "environment": env,
            "accounts": accounts,
        }
        local_file.write_text(json.dumps(info, ensure_ascii=False, indent=2), "utf-8")
        os.chmod(local_file, 0o600)
        self.aws.save()

        self.chalice = subprocess.Popen(  # noqa: S603 - our own fixed command line
            # chalice local, with API Gateway's own refusals (unknown path, no
            # token, TRACE) in our error shape as the stack's gateway responses do.
            [sys.executable, "-m", "chalicelib.local.gateway", "--host", self.host, "--port",
             str(self.port), "--stage", "local"],
            cwd=ROOT, env={**os.environ, **env},
            # Its own process group: stopping it must take any child with it.
            start_new_session=True,
        )
        wait_for(f"{public_url}/api/health", timeout=90, proc=self.chalice)

        import app as app_module
        from chalicelib.adapters.aws import client
        from chalicelib.local.pump import EventPump, pollers_for
        from chalicelib.local.scheduler import Scheduler, jobs_of

        self.pump = EventPump(pollers_for(app_module.app, client("sqs"), REGION))
        self.pump.start()
        self.scheduler = Scheduler(jobs_of(app_module.app))
        self.scheduler.start()
        self._saver = threading.Thread(target=self._save_periodically, daemon=True)
        self._saver.start()
        self.say(f"\nSẵn sàng / ready: {public_url}\nTài khoản demo (mật khẩu trong "
                 f"{local_file}):")
        for a in accounts:
            self.say(f"  {a['username']:<12} {a['password']:<18} {a['role']:<10} {a['unit']}")
        self.say("Nhấn Ctrl-C để dừng / Ctrl-C stops everything.")
        return info

    def _save_periodically(self) -> None:
        while not self._stopping.wait(15):
            if self.aws.save(only_if_changed=True) and self.aws.last_save_seconds > 1:
                # Every DynamoDB call waits while the state is walked: say so.
                self.say(f"Lưu trạng thái mất {self.aws.last_save_seconds:.1f} s / "
                         f"state snapshot took {self.aws.last_save_seconds:.1f} s")

    def stop(self) -> None:
        self._stopping.set()
        for part in ("pump", "scheduler"):
            if hasattr(self, part):
                getattr(self, part).stop()
        if self.chalice is not None and self.chalice.poll() is None:
            try:
                os.killpg(self.chalice.pid, signal.SIGTERM)
                self.chalice.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.chalice.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if hasattr(self, "aws"):
            self.aws.save()
            self.aws.stop()
        self.say("Đã dừng, dữ liệu đã lưu / stopped, state saved.")


class StopRequest:
    """Ctrl-C and SIGTERM only set a flag. A handler that takes a lock (as
    ``Event.set`` does) can deadlock: Python runs it in the main thread, which
    may be holding that very lock inside ``Event.wait``. Further signals while
    stopping are absorbed, so a second Ctrl-C never interrupts the final save."""

    def __init__(self) -> None:
        self.requested = False

    def install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame: object) -> None:
        self.requested = True


def pin_clock(at: str) -> timedelta:
    """The application's clock reads ``at`` now and runs on: its offset from the
    machine's goes in the environment that this process and chalice local read
    (``kernel.events.utcnow``). Tokens, signatures and S3 links keep the
    machine's time, which is what they are checked against."""
    from chalicelib.kernel.events import CLOCK_OFFSET_ENV, clock_offset

    pinned = datetime.fromisoformat(at)
    if pinned.tzinfo is None:
        raise SystemExit("--clock-at needs an offset, e.g. 2026-12-07T05:00:00+07:00")
    offset = pinned - datetime.now(UTC)
    os.environ[CLOCK_OFFSET_ENV] = f"{offset.total_seconds():.3f}"
    clock_offset.cache_clear()
    print(f"Đồng hồ ứng dụng bắt đầu lúc / application clock starts at {pinned.isoformat()}")
    return offset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="eoffice local runtime")
    parser.add_argument("--host", default=os.environ.get("EOFFICE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("EOFFICE_PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5000")))
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get(
        "EOFFICE_DATA", ROOT / ".eoffice")))
    parser.add_argument("--clock-at", default=os.environ.get("EOFFICE_CLOCK_AT", ""),
                        help="start the application's clock at this ISO 8601 instant "
                             "(with its offset) and let it run on from there")
    args = parser.parse_args(argv)
    if args.clock_at:
        pin_clock(args.clock_at)
    runtime = Runtime(args.host, args.port, args.moto_port, args.data_dir)
    stop = StopRequest()
    stop.install()
    try:
        runtime.start()
        while not stop.requested:
            if runtime.chalice is not None and runtime.chalice.poll() is not None:
                print("chalice local đã dừng bất thường / exited unexpectedly", file=sys.stderr)
                return 1
            time.sleep(0.2)  # a signal cuts the sleep short; the flag is read next
    finally:
        runtime.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

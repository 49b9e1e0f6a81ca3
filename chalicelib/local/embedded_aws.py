"""moto in server mode, inside the runtime's own process, with its state saved
to disk so that a restart loses nothing.

moto keeps every backend in memory. We pickle the backends of the services we
use; the two things pickle cannot carry are handled explicitly: private keys
(KMS signing keys — they must keep their material, or every certificate issued
for them would stop matching) travel as PKCS#8 PEM, and locks are recreated.
The snapshot is tied to the pinned moto version; ``make reset`` discards it.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import threading
import time
from pathlib import Path
from typing import Any

# cloudformation: the stack provision() created, so that a restart finds it.
SERVICES = ("dynamodb", "s3", "sqs", "kms", "cognito-idp", "ses", "sts", "iam", "cloudformation")
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
# moto's DynamoDB is not thread-safe (TransactWriteItems copies the table while
# another thread writes to it). One DynamoDB request at a time makes each call
# atomic, as DynamoDB's are, while clients still interleave freely. Other
# services stay concurrent: an SQS long poll must not hold up everyone else.
# The snapshot takes the same lock so that it never walks a table mid-write.
_REQUESTS = threading.Lock()
# Calls that only read: the periodic save skips a snapshot when nothing else
# came in since the last one. Walking a large state holds DynamoDB for a while
# (seconds, late in an end-to-end run), so idle saves must cost nothing. An SQS
# receive only hides a message for a while; a snapshot taken before it makes the
# message visible again after a restart, which at-least-once delivery allows.
_READS = frozenset({
    "DynamoDB_20120810.GetItem", "DynamoDB_20120810.BatchGetItem", "DynamoDB_20120810.Query",
    "DynamoDB_20120810.Scan", "DynamoDB_20120810.TransactGetItems",
    "DynamoDB_20120810.DescribeTable", "DynamoDB_20120810.ListTables",
    "AmazonSQS.ReceiveMessage", "AmazonSQS.GetQueueUrl", "AmazonSQS.GetQueueAttributes",
})


def _load_private_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, None)


def _new_lock(reentrant: bool) -> Any:
    return threading.RLock() if reentrant else threading.Lock()


class _StatePickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

        if isinstance(obj, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
                      | ed25519.Ed25519PrivateKey):
            pem = obj.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            return (_load_private_key, (pem,))
        if isinstance(obj, _LOCK_TYPES):
            return (_new_lock, (isinstance(obj, _LOCK_TYPES[1]),))
        return NotImplemented


def snapshot_bytes() -> bytes:
    from moto.backends import get_backend

    state = {
        name: {account: dict(regions) for account, regions in get_backend(name).items()}
        for name in SERVICES
    }
    buf = io.BytesIO()
    _StatePickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    return buf.getvalue()


def save_state(path: Path, attempts: int = 5) -> bool:
    """Write the snapshot atomically. Requests may be mutating moto while we
    walk it; a walk that trips over that is simply tried again."""
    for _ in range(attempts):
        try:
            with _REQUESTS:
                data = snapshot_bytes()
        except RuntimeError:  # "dictionary changed size during iteration"
            time.sleep(0.05)
            continue
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return True
    return False


def load_state(path: Path) -> bool:
    if not path.exists():
        return False
    restore_bytes(path.read_bytes())
    return True


def restore_bytes(data: bytes) -> None:
    """Put a snapshot back into moto's backends (also used by tests to start
    many cases from one provisioned, seeded state)."""
    from moto.backends import get_backend

    # Our own snapshot, written by snapshot_bytes in this process or on this machine.
    state = pickle.loads(data)  # noqa: S301
    for name, accounts in state.items():
        backend_dict = get_backend(name)
        for account, regions in accounts.items():
            for region, backend in regions.items():
                backend_dict[account][region] = backend


class EmbeddedAws:
    """moto's WSGI app behind our own server, plus one extra read-only route that
    lists the mail SES accepted (``/_eoffice/ses/sent``) for the outbox page."""

    def __init__(self, host: str, port: int, state_file: Path | None) -> None:
        self.host, self.port, self.state_file = host, port, state_file
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._changes = 0  # calls that may have changed state; read without a lock
        self._saved_at_change = -1
        self.last_save_seconds = 0.0

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        import logging

        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        # One line per AWS call would drown the runtime's own messages.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        if self.state_file is not None:
            load_state(self.state_file)
        moto_app = DomainDispatcherApplication(create_backend_app)

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            if self._may_change(environ):
                self._changes += 1
            if environ.get("PATH_INFO") == "/_eoffice/ses/sent":
                from chalicelib.adapters.dev_outbox import read_moto_ses

                body = json.dumps(read_moto_ses(), ensure_ascii=False).encode()
                start_response("200 OK", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body)))])
                return [body]
            if not str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("DynamoDB"):
                return moto_app(environ, start_response)
            with _REQUESTS:
                # Drain the body inside the lock: moto may build it lazily.
                return list(moto_app(environ, start_response))

        self._server = make_server(self.host, self.port, app, threaded=True,
                                   request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="moto")
        self._thread.start()

    @staticmethod
    def _may_change(environ: dict[str, Any]) -> bool:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if target:
            return target not in _READS
        # S3 reads are GET/HEAD; any other call (an older client's query protocol
        # included, whose action sits in the body) counts as a change.
        return environ.get("REQUEST_METHOD") not in ("GET", "HEAD")

    def save(self, *, only_if_changed: bool = False) -> bool:
        """Snapshot moto to disk; with ``only_if_changed``, not when no call that
        may change state came in since the last snapshot. Returns whether it wrote."""
        if self.state_file is None:
            return False
        seen = self._changes
        if only_if_changed and seen == self._saved_at_change:
            return False
        started = time.monotonic()
        wrote = save_state(self.state_file)
        self.last_save_seconds = time.monotonic() - started
        if wrote:
            self._saved_at_change = seen
        return wrote

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)

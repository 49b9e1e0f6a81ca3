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

from chalicelib.local.journal import Journal, record_of

# cloudformation: the stack provision() created, so that a restart finds it.
SERVICES = ("dynamodb", "s3", "sqs", "kms", "cognito-idp", "ses", "sts", "iam", "cloudformation")
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
# moto's DynamoDB is not thread-safe (TransactWriteItems copies the table while
# another thread writes to it). One DynamoDB request at a time makes each call
# atomic, as DynamoDB's are, while clients still interleave freely. Other
# services stay concurrent: an SQS long poll must not hold up everyone else.
# The snapshot takes the same lock so that it never walks a table mid-write.
_REQUESTS = threading.Lock()
# Other mutating calls (S3 puts, SQS sends) take this one while they run and are
# journaled, so that the journal's order is moto's and a snapshot (which takes
# both locks) falls between two journal records, never inside one.
_MUTATIONS = threading.Lock()
_META = "_eoffice"  # the snapshot's own facts, beside the services' backends
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
    # Signing and key lookups change nothing; journaling them would only make
    # each signature cost a disk write.
    "TrentService.Sign", "TrentService.Verify", "TrentService.GetPublicKey",
    "TrentService.DescribeKey", "TrentService.ListAliases",
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


def snapshot_bytes(meta: dict[str, Any] | None = None) -> bytes:
    from moto.backends import get_backend

    state: dict[str, Any] = {
        name: {account: dict(regions) for account, regions in get_backend(name).items()}
        for name in SERVICES
    }
    if meta:
        state[_META] = meta
    buf = io.BytesIO()
    _StatePickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    return buf.getvalue()


def save_state(path: Path, attempts: int = 5, journal: Journal | None = None) -> bool:
    """Write the snapshot atomically. Requests may be mutating moto while we
    walk it; a walk that trips over that is simply tried again. With a journal,
    appending moves to a new generation at the snapshot's instant, and the older
    generations go once the snapshot is on disk."""
    for _ in range(attempts):
        try:
            with _REQUESTS, _MUTATIONS:
                meta = {"journal_from": journal.generation + 1} if journal else None
                data = snapshot_bytes(meta)
                if journal is not None:
                    journal.rotate()
        except RuntimeError:  # "dictionary changed size during iteration"
            time.sleep(0.05)
            continue
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        if meta is not None and journal is not None:
            journal.drop_before(meta["journal_from"])
        return True
    return False


def load_state(path: Path) -> bool:
    if not path.exists():
        return False
    restore_bytes(path.read_bytes())
    return True


def restore_bytes(data: bytes) -> dict[str, Any]:
    """Put a snapshot back into moto's backends (also used by tests to start
    many cases from one provisioned, seeded state); returns its own facts."""
    from moto.backends import get_backend

    # Our own snapshot, written by snapshot_bytes in this process or on this machine.
    state = pickle.loads(data)  # noqa: S301
    meta: dict[str, Any] = state.pop(_META, {})
    for name, accounts in state.items():
        backend_dict = get_backend(name)
        for account, regions in accounts.items():
            for region, backend in regions.items():
                backend_dict[account][region] = backend
    return meta


def release_in_flight(claims_partition: str) -> int:
    """After a restart, hand out again what the dead process was working on.

    Every message received before the restart is made visible at once: a
    snapshot taken while a handler held it keeps it hidden for the queue's
    visibility timeout (12 and 30 minutes here), though the handler died with
    the process. And every step claim still "in progress" (Powertools'
    idempotency records under ``claims_partition``) is expired, as it would be at
    its Lambda's deadline: otherwise the redelivered message meets the dead
    run's claim, fails, and hides for another visibility timeout. SQS does the
    same when a visibility timeout ends (at-least-once; the steps are
    idempotent). Returns how many messages and claims were released."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.sqs.models import sqs_backends

    released = 0
    for regions in sqs_backends.values():
        for backend in regions.values():
            for queue in backend.queues.values():
                for message in queue._messages:  # moto's own list: no public accessor
                    if message.approximate_receive_count and not message.visible:
                        message.visible_at = 0.0
                        released += 1
    partition = DynamoType({"S": claims_partition})
    for dynamo_regions in dynamodb_backends.values():
        for dynamo in dynamo_regions.values():
            for table in dynamo.tables.values():
                rows = table.items.get(partition) if table.has_range_key else None
                for item in (rows or {}).values():
                    status = item.attrs.get("status")
                    if status is not None and status.value == "INPROGRESS":
                        item.attrs["in_progress_expiration"] = DynamoType({"N": "0"})
                        released += 1
    return released


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
        self.replayed = 0  # journaled requests replayed at start
        self._journal = Journal(state_file.parent) if state_file is not None else None

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

        from chalicelib.local import moto_patches

        moto_patches.apply()  # before the state loads: costs per item touched, not per table
        # One line per AWS call would drown the runtime's own messages.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        moto_app = DomainDispatcherApplication(create_backend_app)
        if self.state_file is not None and self._journal is not None:
            meta = restore_bytes(self.state_file.read_bytes()) if self.state_file.exists() else {}
            since = int(meta.get("journal_from", 0))
            self.replayed = self._journal.replay(since, moto_app)
            if self.replayed:
                self._changes += 1  # the next periodic save takes them in
            from chalicelib.handlers.workflow import CLAIMS_PARTITION

            if release_in_flight(CLAIMS_PARTITION):
                self._changes += 1
            self._journal.open(since)

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            changes = self._may_change(environ)
            if changes:
                self._changes += 1
            if environ.get("PATH_INFO") == "/_eoffice/ses/sent":
                from chalicelib.adapters.dev_outbox import read_moto_ses

                body = json.dumps(read_moto_ses(), ensure_ascii=False).encode()
                start_response("200 OK", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body)))])
                return [body]
            dynamodb = str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("DynamoDB")
            if self._journal is not None and changes:
                return self._journaled(moto_app, environ, start_response,
                                       _REQUESTS if dynamodb else _MUTATIONS)
            if not dynamodb:
                return moto_app(environ, start_response)
            with _REQUESTS:
                # Drain the body inside the lock: moto may build it lazily.
                return list(moto_app(environ, start_response))

        self._server = make_server(self.host, self.port, app, threaded=True,
                                   request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="moto")
        self._thread.start()

    def _journaled(self, moto_app: Any, environ: dict[str, Any], start_response: Any,
                   lock: Any) -> list[bytes]:
        """Run a mutating request and record it before its answer leaves: once
        the client has its 2xx, a crash can no longer lose the change."""
        from werkzeug.wsgi import get_input_stream

        body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        status: list[str] = []

        def remember(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code)
            return start_response(code, headers, exc_info)

        with lock:
            out = list(moto_app(environ, remember))
            # A refused request (4xx/5xx) changed nothing worth replaying.
            if status and status[0][:1] in ("2", "3") and self._journal is not None:
                self._journal.append(record_of(environ, body))
        return out

    @staticmethod
    def _may_change(environ: dict[str, Any]) -> bool:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if target:
            return target not in _READS
        # S3 reads are GET/HEAD (OPTIONS: the browser's CORS preflight); any other
        # call (an older client's query protocol included, whose action sits in
        # the body) counts as a change.
        return environ.get("REQUEST_METHOD") not in ("GET", "HEAD", "OPTIONS")

    def save(self, *, only_if_changed: bool = False) -> bool:
        """Snapshot moto to disk; with ``only_if_changed``, not when no call that
        may change state came in since the last snapshot. Returns whether it wrote."""
        if self.state_file is None:
            return False
        seen = self._changes
        if only_if_changed and seen == self._saved_at_change:
            return False
        started = time.monotonic()
        wrote = save_state(self.state_file, journal=self._journal)
        self.last_save_seconds = time.monotonic() - started
        if wrote:
            self._saved_at_change = seen
        return wrote

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._journal is not None:
            self._journal.close()

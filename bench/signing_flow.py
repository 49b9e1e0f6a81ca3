"""Signed documents per minute through the SQS signing step, in the local runtime.

The whole local runtime is started the way ``make run`` starts it
(``python -m chalicelib.local.run`` in a subprocess, on free ports, in a
temporary data directory): moto in server mode, ``chalice local`` serving the
API, and the event pump delivering the workflow queue to the app's handler.
Approved documents are prepared through the service layer against that
runtime's moto (the real drafting and composing calls; the approval is one
conditional update, not the review chain). Then the director signs in through
``/api/auth/login`` and asks for the signatures back to back through
``POST /api/outgoing/{id}/sign``. The path measured is therefore: API over
HTTP → DynamoDB and the outbox → SQS (moto server) → the pump → the workflow
handler (idempotency record, subscriber) → ``sign_outgoing`` → S3 and KMS
(moto server) → DynamoDB.

Baseline, in the same run against the same moto: ``pdf.prepare`` +
``pdf.sign_leader`` on the same composed PDF with the same KMS signer (the
director's key, through HTTP to the runtime's moto), in this process, no
queue, one document after another.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.report import table
from chalicelib.local.launcher import LocalRuntime, api_call

DOCS = 30
QUICK_DOCS = 8
WARMUP = 1  # documents signed through the queue first, not counted (cold imports)
# Several leaders' browsers at once. The embedded runtime serialises DynamoDB
# requests (moto's TransactWriteItems is not thread-safe), so concurrent
# senders are safe there; 500s are still counted and resent if any appear.
SENDERS = 4
RETRIES = 3  # client-side resends of a sign request answered 500
STALL_SECONDS = 30.0
START_TIMEOUT = 180.0
FLOW_TIMEOUT = 300.0
POLL_SECONDS = 0.25
SIGNER = "giamdoc"
DRAFTER = "chuyenvien"
BODY = ("Sở Kế hoạch và Đầu tư hướng dẫn các doanh nghiệp trên địa bàn thực hiện thủ tục "
        "đăng ký doanh nghiệp qua mạng điện tử theo quy định hiện hành.\n\n"
        "Đề nghị các đơn vị, tổ chức có liên quan nghiên cứu và thực hiện.")


# ---------------------------------------------------------------- the runtime

@contextlib.contextmanager
def local_runtime(data_dir: Path) -> Iterator[dict[str, Any]]:
    """``python -m chalicelib.local.run`` on free ports (``chalicelib.local.launcher``);
    yields its local.json and ``log``, the path of its output."""
    rt = LocalRuntime(data_dir)
    try:
        yield {**rt.start(START_TIMEOUT), "log": str(rt.log_path)}
    except BaseException:
        tail = "\n".join(rt.output().splitlines()[-60:])
        print(f"bench: the runtime's last lines:\n{tail}", file=sys.stderr, flush=True)
        raise
    finally:
        rt.stop()


@contextlib.contextmanager
def pointed_at(info: dict[str, Any]) -> Iterator[None]:
    """This process's boto3 clients and settings aimed at the runtime's moto,
    from its local.json only; the environment is restored afterwards."""
    from chalicelib.adapters.aws import reset_clients
    from chalicelib.calendar import service as calendar

    saved = dict(os.environ)
    try:
        for name in ("AWS_PROFILE", "JWKS_URL"):
            os.environ.pop(name, None)
        os.environ.update(info["environment"])
        reset_clients()
        calendar.forget_cached_calendar()
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_clients()
        calendar.forget_cached_calendar()


# ---------------------------------------------------------------- the documents

def _caller(username: str) -> Any:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.kernel.identity import Caller, Role

    profile = Table().get(f"USER#{username}", "PROFILE") or {}
    return Caller(username=username, roles=frozenset(Role(r) for r in profile.get("roles") or []),
                  unit=profile.get("unit") or None, full_name=str(profile.get("full_name") or ""))


def approved_documents(count: int) -> list[str]:
    """Drafted and composed from the template by the real service calls, then
    put in "approved" with one conditional ``UpdateItem``: walking the review
    chain (submit and three decisions, each a transaction with its notices)
    took ~4 s a document against the local moto and would dominate the run."""
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.dynamo import Table
    from chalicelib.kernel.config import get_settings
    from chalicelib.kernel.events import iso, utcnow
    from chalicelib.outgoing import service as outgoing

    drafter = _caller(DRAFTER)
    s3, bucket, tbl = client("s3"), get_settings().documents_bucket, Table()
    ids = []
    for i in range(count):
        doc = outgoing.create(drafter, type_code="CV", subject=f"Hướng dẫn đăng ký doanh "
                              f"nghiệp qua mạng (đợt {i + 1})", signer=SIGNER, authority="",
                              recipients_internal=["VP"], recipients_external=[],
                              do_khan="Thường", do_mat="", answers=None)
        doc_id = doc["id"]
        outgoing.compose_version(drafter, doc_id, body=BODY,
                                 recipients=["Như trên;", "Lưu: VT, ĐKKD."], s3=s3, bucket=bucket)
        tbl.update(f"OUT#{doc_id}", "OUT",
                   "SET #s = :approved, approved_at = :at, approved_by = :by, "
                   "version = version + :one",
                   condition="#s = :draft", names={"#s": "status"},
                   values={":approved": "approved", ":draft": "draft", ":at": iso(utcnow()),
                           ":by": SIGNER, ":one": 1})
        ids.append(doc_id)
    return ids


def _queue_backlog() -> int:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    attrs = client("sqs").get_queue_attributes(
        QueueUrl=get_settings().workflow_queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                        "ApproximateNumberOfMessagesDelayed"])["Attributes"]
    return sum(int(v) for v in attrs.values())


def wait_for_quiet_queue(timeout: float = 120.0) -> None:
    """Until the workflow queue has been empty for two polls in a row (the
    review notices raised while preparing are delivered first)."""
    deadline = time.monotonic() + timeout
    empty = 0
    while empty < 2:
        if time.monotonic() > deadline:
            raise TimeoutError("the workflow queue did not empty")
        empty = empty + 1 if _queue_backlog() == 0 else 0
        time.sleep(POLL_SECONDS)


# ---------------------------------------------------------------- through the queue

def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def sign_through_queue(info: dict[str, Any], ids: list[str], token: str) -> dict[str, Any]:
    """All sign requests back to back (``SENDERS`` clients); then wait until
    every document has left "signing". Times on this machine's clock: when
    each request was first sent, and the ``signed_at`` the step recorded. A
    request answered 500 is sent again (at most ``RETRIES`` times) and counted;
    documents that stop progressing for ``STALL_SECONDS`` are reported stuck."""
    import threading

    from chalicelib.adapters.dynamo import Table

    sent: dict[str, float] = {}
    answered: dict[str, float] = {}
    refused: list[str] = []
    lock = threading.Lock()

    def request(doc_id: str) -> None:
        for attempt in range(RETRIES + 1):
            sent.setdefault(doc_id, time.time())
            status, body = api_call(info["url"], "POST", f"/api/outgoing/{doc_id}/sign",
                                    token=token, timeout=60)
            if status == 500 and attempt < RETRIES:
                with lock:
                    refused.append(doc_id)
                continue
            answered[doc_id] = time.time()
            if status != 200 or body.get("status") != "signing":
                raise RuntimeError(f"sign request refused ({status}): {body}")
            return

    started = time.time()
    with ThreadPoolExecutor(max_workers=min(SENDERS, len(ids))) as pool:
        for future in [pool.submit(request, doc_id) for doc_id in ids]:
            future.result()
    all_sent = time.time()
    deadline = time.monotonic() + FLOW_TIMEOUT
    progress, finished = time.monotonic(), 0
    while True:
        # One batch get per poll: the completion times come from the documents'
        # own signed_at, so the polling interval does not enter the figures.
        found = Table().batch_get([(f"OUT#{i}", "OUT") for i in ids])
        docs = {i: found[(f"OUT#{i}", "OUT")] for i in ids}
        pending = [i for i, d in docs.items() if d["status"] == "signing"]
        if not pending:
            break
        if len(ids) - len(pending) != finished:
            progress, finished = time.monotonic(), len(ids) - len(pending)
        if time.monotonic() - progress > STALL_SECONDS or time.monotonic() > deadline:
            break
        time.sleep(POLL_SECONDS)
    failed = {i: d.get("failure") for i, d in docs.items()
              if d["status"] not in ("signed", "signing")}
    done = {i: _epoch(d["signed_at"]) for i, d in docs.items() if d["status"] == "signed"}
    if not done:
        raise RuntimeError(f"no document signed: {len(pending)} stuck, failures {failed}")
    return {"started": started, "all_sent": all_sent - started, "sent": sent,
            "answered": answered, "done": done, "refused": len(refused), "stuck": pending,
            "failed": failed}


# ---------------------------------------------------------------- the baseline

def bare_signing(doc_id: str, rounds: int) -> dict[str, list[float]]:
    """``prepare`` + ``sign_leader`` on the document's composed PDF with the
    director's KMS signer, in this process, one after another (after one
    discarded warm-up). The leader's stamp, which the step renders for each
    document, is timed apart."""
    from chalicelib.adapters.dynamo import Table
    from chalicelib.adapters.signing.appearance import leader_stamp
    from chalicelib.adapters.signing.pdf import prepare, sign_leader
    from chalicelib.kernel.config import get_settings
    from chalicelib.kernel.events import utcnow
    from chalicelib.outgoing.steps import _layout, _s3_get
    from chalicelib.signing import keys as signing_keys

    tbl = Table()
    doc = tbl.get(f"OUT#{doc_id}", "OUT", consistent=True)
    pdf = _s3_get(doc["current_key"])
    layout = _layout(doc, pdf)
    signer = signing_keys.signer_for(SIGNER, tbl)
    url = f"{get_settings().public_base_url}/verify/{doc['code']}"
    times: dict[str, list[float]] = {"bare": [], "stamp": []}
    for i in range(1 + rounds):
        t0 = time.perf_counter()
        appearance = leader_stamp(width=layout.signature.width, height=layout.signature.height,
                                  full_name="Phạm Quốc Hùng", position="Giám đốc Sở",
                                  signed_at=utcnow(), signature_png=None)
        t1 = time.perf_counter()
        prepared = prepare(pdf, layout=layout, verify_url=url, code=doc["code"])
        sign_leader(prepared, signer=signer, box=layout.signature, appearance_pdf=appearance)
        t2 = time.perf_counter()
        if i >= 1:
            times["stamp"].append(t1 - t0)
            times["bare"].append(t2 - t1)
    return times


# ---------------------------------------------------------------- the run

def _runtime_troubles(log_path: str) -> dict[str, int]:
    """What the runtime's log says went wrong, by kind (counted, not judged)."""
    text = Path(log_path).read_text("utf-8", errors="replace")
    return {"moto's unlocked table copy (dictionary changed size)":
            text.count("dictionary changed size during iteration"),
            "workflow handler failures (batch left for retry)":
            text.count("handler failed; the batch will be retried"),
            "signing step failures": text.count('"signing failed"'),
            "API 5xx answers": text.count('"unhandled error"')}


def _table_items() -> int:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    dynamo, name = client("dynamodb"), get_settings().table_name
    total, start = 0, None
    while True:
        page = dynamo.scan(TableName=name, Select="COUNT",
                           **({"ExclusiveStartKey": start} if start else {}))
        total += int(page["Count"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return total


def write_costs(rounds: int = 7) -> dict[str, float]:
    """Median time of one DynamoDB write against the runtime's moto: a
    ``PutItem``, and a ``TransactWriteItems`` of 1 and of 5 puts (a state change
    here is a transaction of about that size: the document, its list entries,
    the audit entry, the outbox event)."""
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    dynamo, name = client("dynamodb"), get_settings().table_name

    def item(i: int, j: int) -> dict[str, Any]:
        return {"pk": {"S": f"BENCH#probe{i}"}, "sk": {"S": f"P{j}"}, "kind": {"S": "probe"}}

    out: dict[str, list[float]] = {"put": [], "transact1": [], "transact5": []}
    for i in range(rounds):
        t0 = time.perf_counter()
        dynamo.put_item(TableName=name, Item=item(i, 0))
        t1 = time.perf_counter()
        dynamo.transact_write_items(TransactItems=[{"Put": {"TableName": name,
                                                            "Item": item(i, 1)}}])
        t2 = time.perf_counter()
        dynamo.transact_write_items(TransactItems=[{"Put": {"TableName": name,
                                                            "Item": item(i, 2 + j)}}
                                                   for j in range(5)])
        t3 = time.perf_counter()
        out["put"].append(t1 - t0)
        out["transact1"].append(t2 - t1)
        out["transact5"].append(t3 - t2)
    for i in range(rounds):
        for j in range(7):
            probe = item(i, j)
            dynamo.delete_item(TableName=name, Key={"pk": probe["pk"], "sk": probe["sk"]})
    return {k: statistics.median(v) for k, v in out.items()}


def measure(quick: bool = False) -> dict[str, Any]:
    count = QUICK_DOCS if quick else DOCS
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="eoffice-bench-flow-") as tmp, \
            local_runtime(Path(tmp) / "data") as info, pointed_at(info):
        startup = time.perf_counter() - started
        t0 = time.perf_counter()
        ids = approved_documents(WARMUP + count)
        prepare_s = time.perf_counter() - t0
        wait_for_quiet_queue()
        bare = bare_signing(ids[0], count)
        password = {a["username"]: a["password"] for a in info["accounts"]}[SIGNER]
        status, session = api_call(info["url"], "POST", "/api/auth/login",
                                   {"username": SIGNER, "password": password}, timeout=60)
        if status != 200:
            raise RuntimeError(f"sign-in refused ({status}): {session}")
        token = session["id_token"]
        warm = sign_through_queue(info, ids[:WARMUP], token)
        wait_for_quiet_queue()
        items_before = _table_items()
        writes = write_costs()
        flow = sign_through_queue(info, ids[WARMUP:], token)
        troubles = _runtime_troubles(info["log"])
    return {"docs": count, "bare": bare, "flow": flow, "warm": warm, "startup": startup,
            "prepare": prepare_s, "items": items_before, "writes": writes,
            "troubles": troubles, "quick": quick, "seconds": time.perf_counter() - started}


def markdown(result: dict[str, Any]) -> str:
    n = result["docs"]
    flow = result["flow"]
    done = sorted(flow["done"].values())
    signed = len(done)
    wall = done[-1] - flow["started"]
    latencies = [at - flow["sent"][i] for i, at in flow["done"].items()]
    responses = [flow["answered"][i] - flow["sent"][i] for i in flow["answered"]]
    gaps = [b - a for a, b in zip(done, done[1:], strict=False)]
    bare_times = result["bare"]["bare"]
    bare = statistics.median(bare_times)
    bare_total = bare * signed
    per_minute = signed / wall * 60
    ratio = wall / bare_total
    warm = result["warm"]
    warm_latency = (max(warm["done"].values()) - min(warm["sent"].values())
                    if warm["done"] else float("nan"))
    stamp = result["bare"]["stamp"]

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f}"

    rows = [
        ["**baseline**: `prepare` + `sign_leader`, same PDF and KMS key, no queue "
         "(median per document)", f"{ms(bare)} ms", f"{60 / bare:.0f}", "1.0×"],
        [f"baseline × {signed} documents", f"{bare_total:.1f} s", "", ""],
        [f"**through the SQS step**: first request → last of {signed} `signed_at`",
         f"{wall:.1f} s", f"**{per_minute:.0f}**", f"**{ratio:.2f}×**"],
    ]
    if gaps:
        gap = statistics.median(gaps)
        rows.append(["steady state in the step: median gap between consecutive `signed_at`",
                     f"{ms(gap)} ms", f"{60 / gap:.0f}", f"{gap / bare:.2f}×"])
    latency_rows = [
        ["request sent → `signed_at`, per document", ms(statistics.median(latencies)),
         ms(min(latencies)), ms(max(latencies))],
        ["`POST /sign` answered (what the leader waits for)", ms(statistics.median(responses)),
         ms(min(responses)), ms(max(responses))],
        ["leader's stamp rendered with fpdf2 (done by the step, not in the baseline)",
         ms(statistics.median(stamp)), ms(min(stamp)), ms(max(stamp))],
        ["baseline `prepare` + `sign_leader`", ms(bare), ms(min(bare_times)),
         ms(max(bare_times))],
    ]
    w = result["writes"]
    latency_rows += [
        [f"moto at {result['items']} items: `PutItem`", ms(w["put"]), "", ""],
        ["moto: `TransactWriteItems`, 1 put", ms(w["transact1"]), "", ""],
        ["moto: `TransactWriteItems`, 5 puts (about one state change)", ms(w["transact5"]),
         "", ""],
    ]
    incidents = [f"{name}: {count}" for name, count in result["troubles"].items() if count]
    health = (f"Sign requests answered 500 and sent again: {flow['refused']}; documents "
              f"stuck in “signing” after {STALL_SECONDS:.0f} s without progress: "
              f"{len(flow['stuck'])}; failed: {len(flow['failed'])}. In the runtime's log "
              "over the whole run: " + ("; ".join(incidents) if incidents else "nothing wrong")
              + ".")
    if len(flow["stuck"]) or flow["failed"]:
        health += (f" **Only {signed} of {n} documents are counted** in the throughput; "
                   "the others would be retried after the queue's visibility timeout.")
    return "\n\n".join([
        "## Signing flow: signed documents per minute through the SQS step",
        f"The whole local runtime as `make run` starts it: `python -m chalicelib.local.run` "
        f"on free ports in a temporary data directory (moto in server mode, `chalice local`, "
        f"the event pump and the scheduler; ready in {result['startup']:.0f} s). "
        f"{WARMUP + n} documents drafted and composed from the template by the real "
        "service calls against the runtime's moto, then set to “approved” with one "
        "`UpdateItem` each rather than by walking the review chain (~4 s a document "
        f"locally); {result['prepare']:.0f} s in all. {WARMUP} of them signed through the "
        "queue first and not counted (cold imports in the runtime: "
        f"{warm_latency:.1f} s request → signed). "
        f"Then the director, signed in through `/api/auth/login`, asks for the {n} "
        f"signatures back to back with `POST /api/outgoing/{{id}}/sign` (all sent in "
        f"{flow['all_sent']:.1f} s); the clock runs from the first request to the last "
        "`signed_at` the step recorded. Path: API → DynamoDB and outbox → SQS → pump → "
        "workflow handler (idempotency record) → `sign_outgoing` (S3, KMS `Sign`, S3, "
        "DynamoDB). The baseline signs the same composed PDF with the same KMS key (the "
        "runtime's moto, over HTTP) in the benchmark's process, one document after "
        f"another, {len(bare_times)} timed after a discarded warm-up.",
        table(["variant", "time", "documents per minute", "/ baseline"], rows),
        table(["time (ms)", "median", "min", "max"], latency_rows),
        f"**Throughput through the SQS step: {per_minute:.0f} signed documents per minute; "
        f"queue path / bare signing: {ratio:.2f}×.** The per-document latency (median "
        f"{statistics.median(latencies):.1f} s) grows with the position in the burst: the "
        "pump runs one handler at a time, so documents wait for the ones before them.",
        health,
        "What this does and does not measure: every AWS service is moto on this machine "
        "(KMS `Sign` is a local RSA operation, not a round trip to an HSM; DynamoDB, S3 and "
        "SQS are in memory), and the event pump stands in for Lambda's event source "
        "mapping: one thread per queue, batches of up to 10 handled one after another, "
        "1 s long polls. Not modelled: Lambda's concurrency (on AWS several invocations "
        "sign in parallel, so throughput there follows reserved concurrency and KMS's "
        "request quota, not this figure), per-invocation cold starts, network latency to "
        "the services. The runtime, moto, `chalice local` and this benchmark share "
        f"{os.cpu_count()} CPU(s). moto's `TransactWriteItems` deep-copies the whole table "
        "once per item of each transaction (see the last rows above), so "
        "every state change costs more as the table grows, locally only; the runtime runs "
        "one DynamoDB request at a time for the same reason. The gap to the baseline is the queue "
        "hop, the outbox and idempotency records, the S3 reads and writes, the stamp "
        "rendering and the state change with its audit entry.",
        f"_Whole run: {result['seconds']:.0f} s._",
    ])


if __name__ == "__main__":
    print(markdown(measure(quick="--quick" in sys.argv[1:])))

"""What the intake costs in AWS calls, and the pointers that keep it low (issue
#21): duplicate checks by pointer items read with the counter in one
BatchGetItem, races on those pointers, the fallback and backfill for
documents from before them, the text kept in the document's item unless it is
large, and a batch of notifications sharing its read and its event send.

The ingest handler is called with the SQS event Lambda would give it; the
files come from the shared corpus (its eight text letters are registered with
complete metadata). Calls are counted with botocore's ``before-parameter-build`` event on
the app's own clients (once per API call; retries would not count).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from chalicelib.adapters.dynamo import Table
from tests.conftest import CORPUS

LETTERS = ("cv_stc_du_toan_2027.pdf", "qd_ubnd_cchc_2027.pdf", "tb_sxd_giao_ban.pdf",
           "gm_vp_hop_truc_tuyen.pdf", "kh_snv_danh_gia.pdf", "cv_btc_dau_tu_cong.pdf",
           "bc_ubnd_cau_giay_tthc.pdf", "ttr_skhdt_hoa_toc.pdf")
EVENT_TIME = "2026-11-27T03:00:00.000Z"  # 10:00 in Hanoi; no wall clock in the records
LAST_YEAR = "2025-11-27T03:00:00.000Z"


@pytest.fixture(scope="module")
def _moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    from tests.conftest import moto_environment

    if not CORPUS.exists():
        pytest.fail(f"the shared corpus is missing at {CORPUS}")
    # Provisioning is most of a test's time here: once for the module, and the
    # table emptied before each test (the buckets' objects are harmless).
    with pytest.MonkeyPatch.context() as mp, \
            moto_environment(mp, tmp_path_factory.mktemp("intake_cost")) as resources:
        yield resources


@pytest.fixture
def aws_env(_moto: dict[str, str]) -> dict[str, str]:
    from chalicelib.adapters.dynamo import to_dynamo
    from chalicelib.incoming.store import fresh_table_marker

    table = Table()
    db = boto3.client("dynamodb")
    keys = [{"pk": i["pk"]["S"], "sk": i["sk"]["S"]}
            for page in db.get_paginator("scan").paginate(
                TableName=table.name, ProjectionExpression="pk, sk")
            for i in page["Items"]]
    table.batch_write(deletes=keys)
    db.put_item(TableName=table.name, Item=to_dynamo(fresh_table_marker()))
    return _moto


def _letter(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


class Calls:
    """Each API call by name; the agency calendar's read (once a minute per
    process, for the deadlines of the work opened) is not the file's."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, model: Any = None, params: Any = None, **_: Any) -> None:
        values = (params or {}).get("ExpressionAttributeValues") or {}
        if model.name == "Query" and {"S": "CALENDAR"} in values.values():
            return
        self.names.append(f"{model.service_model.service_name}:{model.name}")

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.names)


@contextmanager
def counted() -> Iterator[Calls]:
    from chalicelib.adapters.aws import client

    calls = Calls()
    clients = [client(name) for name in ("s3", "dynamodb", "sqs")]
    for c in clients:
        c.meta.events.register("before-parameter-build", calls)
    try:
        yield calls
    finally:
        for c in clients:
            c.meta.events.unregister("before-parameter-build", calls)


def _drop(aws_env: dict[str, str], files: dict[str, bytes]) -> None:
    s3 = boto3.client("s3")
    for name, data in files.items():
        s3.put_object(Bucket=aws_env["INTAKE_BUCKET"], Key=f"incoming/{name}", Body=data)


def _event(aws_env: dict[str, str], names: list[str], first: int = 0) -> dict[str, Any]:
    records = []
    for i, name in enumerate(names, first):
        body = {"Records": [{"eventTime": EVENT_TIME, "s3": {
            "bucket": {"name": aws_env["INTAKE_BUCKET"]},
            "object": {"key": f"incoming/{name}", "sequencer": f"{i:016X}"}}}]}
        records.append({
            "messageId": f"m{i}", "receiptHandle": f"r{i}", "body": json.dumps(body),
            "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
            "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": "ap-southeast-1",
            "eventSourceARN": "arn:aws:sqs:ap-southeast-1:123456789012:eoffice-local-ingest"})
    return {"Records": records}


def _ingest(aws_env: dict[str, str], names: list[str], first: int = 0) -> dict[str, Any]:
    from chalicelib.incoming.ingest import process_ingest_batch

    return process_ingest_batch(_event(aws_env, names, first))


def _records() -> dict[str, dict[str, Any]]:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.incoming.intake import list_records

    return {r["file_name"]: r for r in list_records(None, None, 100, table=Table())[0]}


def _documents(year: int = 2026) -> list[dict[str, Any]]:
    return Table().query(f"REGISTER#incoming#{year}", index="gsi3", limit=100).items


def test_a_batch_of_registered_files_costs_at_most_four_aws_calls_a_file(aws_env):
    _drop(aws_env, {n: _letter(n) for n in LETTERS})
    with counted() as calls:
        out = _ingest(aws_env, list(LETTERS))
    assert out == {"batchItemFailures": []}
    records = _records()
    assert [records[n]["status"] for n in LETTERS] == ["registered"] * len(LETTERS)
    assert sorted(int(d["so_den"]) for d in _documents()) == list(range(1, len(LETTERS) + 1))
    counts = calls.counts
    per_file = ("s3:GetObject", "s3:CopyObject", "dynamodb:TransactWriteItems")
    assert {k: counts[k] for k in per_file} == {k: len(LETTERS) for k in per_file}
    assert counts["dynamodb:BatchGetItem"] == 1  # every pointer and the counter, once
    sends = counts["sqs:SendMessageBatch"] + counts["sqs:SendMessage"]
    assert 1 <= sends <= 2  # the batch's events, ten a send
    assert "dynamodb:Query" not in counts and "s3:PutObject" not in counts
    assert sum(counts.values()) <= 4 * len(LETTERS), counts


def test_one_registered_file_alone_costs_five_calls(aws_env):
    """A batch of one shares nothing: the figure the bench reports beside the batch's."""
    name = LETTERS[0]
    _drop(aws_env, {name: _letter(name)})
    with counted() as calls:
        _ingest(aws_env, [name])
    assert _records()[name]["status"] == "registered"
    assert sorted(calls.names) == ["dynamodb:BatchGetItem", "dynamodb:TransactWriteItems",
                                   "s3:CopyObject", "s3:GetObject", "sqs:SendMessageBatch"]


def test_duplicates_are_found_by_pointer_without_an_index_query(aws_env):
    first, same_number = LETTERS[0], "cung_so.pdf"
    data = _letter(first)
    # Other bytes (a comment after the end marker), the same letter: same number,
    # symbol and agency.
    _drop(aws_env, {first: data, "ban_sao.pdf": data, same_number: data + b"\n% khac\n"})
    _ingest(aws_env, [first])
    with counted() as calls:
        _ingest(aws_env, ["ban_sao.pdf", same_number], first=1)
    records = _records()
    original = records[first]["document_id"]
    assert records["ban_sao.pdf"]["status"] == "duplicate"
    assert records["ban_sao.pdf"]["document_id"] == original
    assert records[same_number]["status"] == "needs_review"
    assert "có thể trùng văn bản số đến 01/2026" in records[same_number]["reason"]
    docs = {d["id"]: d for d in _documents()}
    assert docs[records[same_number]["document_id"]]["possible_duplicate_of"] == original
    assert "dynamodb:Query" not in calls.counts
    assert calls.counts["dynamodb:BatchGetItem"] == 1


def test_two_files_of_the_same_hash_racing_end_one_registered_one_duplicate(
        aws_env, monkeypatch):
    """Both read the file's pointers absent; the other registers first (staged:
    in-process moto is not thread-safe); this one's transaction is refused on
    the pointers' conditions, it reads again and links to the winner. The
    winner arrived the year before, so it moved another counter: the pointers
    are all that can refuse this one (with the same year the counter's
    condition alone would, and the test would pass without them)."""
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.dynamo import Table
    from chalicelib.incoming import intake
    from chalicelib.incoming.store import IncomingStore

    data = _letter(LETTERS[1])
    _drop(aws_env, {"a.pdf": data, "b.pdf": data})
    real = IncomingStore.lookup_many
    staged = {"done": False}

    def lookup_many(self: IncomingStore, wants: Any) -> Any:
        found = real(self, wants)
        if not staged["done"]:
            staged["done"] = True
            intake.receive_object(aws_env["INTAKE_BUCKET"], "incoming/b.pdf", "B", s3=client("s3"),
                                  documents_bucket=aws_env["DOCUMENTS_BUCKET"],
                                  event_time=LAST_YEAR, table=Table())
        return found

    monkeypatch.setattr(IncomingStore, "lookup_many", lookup_many)
    stale = intake.receive_object(aws_env["INTAKE_BUCKET"], "incoming/a.pdf", "A",
                                  s3=client("s3"), documents_bucket=aws_env["DOCUMENTS_BUCKET"],
                                  event_time=EVENT_TIME, table=Table())
    records = _records()
    assert staged["done"] and stale is not None
    assert records["b.pdf"]["status"] == "registered"
    assert records["a.pdf"]["status"] == "duplicate"
    assert records["a.pdf"]["document_id"] == records["b.pdf"]["document_id"]
    assert len(_documents(2025)) == 1 and _documents(2026) == []


def test_the_same_file_twice_in_one_batch_is_registered_once(aws_env):
    data = _letter(LETTERS[2])
    _drop(aws_env, {"mot.pdf": data, "hai.pdf": data, "ba.pdf": _letter(LETTERS[3])})
    with counted() as calls:
        assert _ingest(aws_env, ["mot.pdf", "hai.pdf", "ba.pdf"]) == {"batchItemFailures": []}
    # Known from the batch's own registration, not from a refused transaction
    # and a second read (the outcome would be the same, at two calls more).
    assert calls.counts["dynamodb:BatchGetItem"] == 1
    records = _records()
    assert [records[n]["status"] for n in ("mot.pdf", "hai.pdf", "ba.pdf")] == [
        "registered", "duplicate", "registered"]
    assert records["hai.pdf"]["document_id"] == records["mot.pdf"]["document_id"]
    assert sorted(int(d["so_den"]) for d in _documents()) == [1, 2]


def test_documents_from_before_the_pointers_are_found_by_fallback_then_backfill(aws_env):
    """A stage with documents registered before pointers existed: no marker, no
    pointer. The index queries answer until the backfill has run."""
    from chalicelib.incoming.store import IncomingStore

    name = LETTERS[4]
    data = _letter(name)
    _drop(aws_env, {name: data, "lai.pdf": data, "lan_ba.pdf": data})
    _ingest(aws_env, [name])
    table = Table()
    legacy = [(i["pk"], i["sk"]) for i in
              (table.get("PTR#complete", "PTR"),) if i] + [
        (i["pk"], "PTR") for i in _pointer_items(table)]
    assert len(legacy) == 3  # the marker, the file's and the number's pointers
    for pk, sk in legacy:
        table.delete(pk, sk)
    with counted() as calls:
        _ingest(aws_env, ["lai.pdf"], first=1)
    assert _records()["lai.pdf"]["status"] == "duplicate"
    assert calls.counts["dynamodb:Query"] == 2  # same file, same number: the old indexes
    assert IncomingStore(table).backfill_pointers() == 1
    with counted() as calls:
        _ingest(aws_env, ["lan_ba.pdf"], first=2)
    records = _records()
    assert records["lan_ba.pdf"]["status"] == "duplicate"
    assert records["lan_ba.pdf"]["document_id"] == records[name]["document_id"]
    assert "dynamodb:Query" not in calls.counts


def _pointer_items(table: Any) -> list[dict[str, Any]]:
    doc = _documents()[0]
    keys = [(f"PTR#sha256#{doc['sha256']}", "PTR"),
            ("PTR#dupkey#" + str(doc["gsi2pk"]).removeprefix("DUPKEY#"), "PTR")]
    return list(table.batch_get(keys).values())


def test_a_small_text_stays_in_the_item_and_a_large_one_goes_to_s3(aws_env, monkeypatch):
    from chalicelib.adapters.aws import client
    from chalicelib.incoming import stored_text

    small, large = LETTERS[5], LETTERS[6]
    _drop(aws_env, {small: _letter(small), large: _letter(large)})
    _ingest(aws_env, [small])
    monkeypatch.setattr(stored_text, "INLINE_MAX", 64)  # every letter is "large" now
    _ingest(aws_env, [large], first=1)
    records = _records()
    docs = {d["id"]: d for d in _documents()}
    kept, sent = docs[records[small]["document_id"]], docs[records[large]["document_id"]]
    assert kept.get("text_z") and not kept.get("text_key")
    assert sent.get("text_key") and not sent.get("text_z")

    def fetch(key: str) -> bytes:
        return client("s3").get_object(Bucket=aws_env["DOCUMENTS_BUCKET"], Key=key)["Body"].read()

    from chalicelib.adapters.pdf_inspect import inspect_pdf

    # What the search writer reads (search/writer.py), from either place.
    assert stored_text.text_of(kept, fetch) == inspect_pdf(_letter(small)).text
    assert stored_text.text_of(sent, fetch) == inspect_pdf(_letter(large)).text


def test_a_correction_moves_the_documents_number_pointer(aws_env):
    """A clerk corrects the number: the old number is nobody's any more (a new
    letter with it is not a possible duplicate), the new one points here."""
    from datetime import date

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata, Urgency
    from chalicelib.incoming.store import IncomingStore
    from chalicelib.kernel.access import Secrecy
    from chalicelib.kernel.identity import Caller, Role

    name = LETTERS[7]
    data = _letter(name)
    _drop(aws_env, {name: data, "sau_sua.pdf": data + b"\n% khac\n"})
    _ingest(aws_env, [name])
    doc = _documents()[0]
    meta = Metadata(so_ky_hieu="999/TTr-KHAC", co_quan_ban_hanh=doc["co_quan_ban_hanh"],
                    ngay_ban_hanh=date.fromisoformat(doc["ngay_ban_hanh"]),
                    loai_van_ban=doc["loai_van_ban"], trich_yeu=doc["trich_yeu"],
                    do_khan=Urgency(doc["do_khan"]), nguoi_ky=doc["nguoi_ky"])
    incoming.correct(Caller("vanthu", frozenset({Role.CLERK}), unit="VP"), doc["id"], meta,
                     Secrecy.NONE, int(doc["version"]), table=Table())
    _ingest(aws_env, ["sau_sua.pdf"], first=1)
    assert _records()["sau_sua.pdf"]["status"] == "registered"
    want = ("0" * 64, meta.normalised().duplicate_key(), None)
    moved = IncomingStore(Table()).lookup_many([want])[want]
    assert moved.possible is not None and moved.possible["id"] == doc["id"]

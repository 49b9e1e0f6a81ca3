"""Every object that lands under ``incoming/`` in the intake bucket gets an
intake record, whatever it turns out to be, so that nothing is dropped silently.

The object key is only ever used to read that object back: the accepted file
is copied under a content-addressed key (its SHA-256), and the original name
is kept as display text only, normalised and cut to a sane length.
"""

from __future__ import annotations

import hashlib
import unicodedata
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.domain.errors import Conflict
from chalicelib.domain.events import DomainEvent, iso, utcnow

MAX_FILE_BYTES = 50 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Verdict:
    status: str  # processing | rejected
    reason: str
    reason_en: str


def judge(data: bytes) -> Verdict:
    """First gate of the pipeline: is this a file we can work on at all?"""
    if not data:
        return Verdict("rejected", "Tệp rỗng (0 byte).", "The file is empty (0 bytes).")
    if len(data) > MAX_FILE_BYTES:
        return Verdict("rejected", "Tệp vượt quá 50 MiB.", "The file is larger than 50 MiB.")
    if not data.lstrip()[:5] == PDF_MAGIC:
        return Verdict("rejected", "Tệp không phải PDF (sai chữ ký tệp).",
                       "Not a PDF (wrong file signature).")
    return Verdict("processing", "", "")


def display_name(key: str) -> str:
    """``key`` is already decoded from the notification's URL encoding."""
    name = key.rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name[:200] or "(không tên)"


def receive_object(bucket: str, key: str, sequencer: str, *, s3: Any, table: Table | None = None,
                   documents_bucket: str) -> dict[str, Any] | None:
    """Record one S3 notification. Returns the record, or None if this exact
    notification was already recorded (SQS delivers at least once)."""
    table = table or Table()
    raw_key = urllib.parse.unquote_plus(key)
    try:
        obj = s3.get_object(Bucket=bucket, Key=raw_key)
        data = obj["Body"].read(MAX_FILE_BYTES + 1)
    except s3.exceptions.NoSuchKey:
        data = None
    now = iso(utcnow())
    record_id = uuid.uuid5(uuid.NAMESPACE_URL, f"s3://{bucket}/{raw_key}#{sequencer}").hex
    if data is None:
        verdict = Verdict("rejected", "Tệp đã bị xoá trước khi xử lý.",
                          "The object was deleted before it could be processed.")
        digest = None
    else:
        verdict = judge(data)
        digest = hashlib.sha256(data).hexdigest() if data else None
    record = {
        "pk": f"INTAKE#{record_id}", "sk": "INTAKE", "kind": "intake", "id": record_id,
        "file_name": display_name(raw_key), "size": len(data or b""), "sha256": digest,
        "status": verdict.status, "reason": verdict.reason, "reason_en": verdict.reason_en,
        "source_bucket": bucket, "source_key": raw_key, "created_at": now, "updated_at": now,
        "version": 1, "gsi1pk": "INTAKE", "gsi1sk": f"{now}#{record_id}",
        "gsi2pk": f"INTAKE#{verdict.status}", "gsi2sk": f"{now}#{record_id}",
    }
    if digest and verdict.status == "processing":
        s3.put_object(Bucket=documents_bucket, Key=f"files/sha256/{digest}", Body=data,
                      ContentType="application/pdf", Metadata={"sha256": digest})
        record["file_key"] = f"files/sha256/{digest}"
    uow = UnitOfWork(table)
    uow.add({"Put": {"Item": record, "ConditionExpression": "attribute_not_exists(pk)"}})
    uow.emit(DomainEvent("intake.received", record_id,
                         {"status": verdict.status, "sha256": digest}))
    try:
        uow.commit()
    except Conflict:
        return None
    return record

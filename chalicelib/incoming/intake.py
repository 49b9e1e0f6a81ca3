"""Every object that lands under ``incoming/`` in the intake bucket gets an
intake record, whatever it turns out to be, so that nothing is dropped silently.

The pipeline, as ordered steps with explicit outcomes:

1. check the file (empty, size, PDF signature, encryption, parse) → rejected /
   needs_review with a reason a clerk understands; detect the Decree 30
   metadata in its text layer (``arrive``: nothing written yet);
2. SHA-256; the same hash as a registered document → duplicate (linked to it);
3. keep the file; a scan (or a PDF with scanned pages) goes to the OCR
   function first, which comes back here with the text it read
   (``register_file``, docs/ocr.md);
4. same number + symbol + issuing agency → registered with a duplicate warning;
5. register with the next số đến → registered (needs_review when the metadata
   must be completed by a clerk) and ``incoming.registered`` is published.

A file costs one transaction: its record is written once, with its outcome,
in the transaction that registers the document (or rejects, parks or links the
file), conditional on no record existing yet (or one a clerk sent back to
``processing``), so a redelivered notification never registers twice: it
redoes the checks and its write is refused. A crash before that transaction
leaves nothing but the object and the message, which comes again. The object
key is only ever used to read that object back: accepted files are copied
(server-side, from the very version read) under a content-addressed key, and
the original name is kept as display text only.

AWS calls (issue #21, docs/performance.md): GetObject, CopyObject and the
transaction for each file, and for a batch of notifications one BatchGetItem
and one event send (ten events a SendMessageBatch). Steps 2 and 4 read pointer
items, not indexes: ``PTR#sha256#…`` and ``PTR#dupkey#…`` (incoming/store.py),
read with the year's counter in the one BatchGetItem and written by the
registration's own transaction, each conditional on its absence when the
decision relied on it. A race lost on a pointer or on the counter (another
file of the same hash or number, another registration) re-reads and decides
again: the duplicate outcome, the possible-duplicate warning or the next
number. Until the backfill marker exists (``python -m
chalicelib.incoming.backfill`` once per deployed stage, an empty one too;
the local runtime writes it itself) an absent pointer falls back to the old
index queries. Within a batch (``SharedReads``)
the read is kept up to date in memory as the batch registers, so a second file
of the same hash in the batch is a duplicate and numbers follow in sequence.
The extracted text goes into the document's item, compressed, unless it is
large (``stored_text``): then it is an S3 object, a PutObject more.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamo import Table
from chalicelib.incoming import inbox
from chalicelib.incoming.intake_store import IntakeStore, with_status_key
from chalicelib.incoming.rules import IntakeStatus, Metadata, Urgency
from chalicelib.incoming.store import DUPKEY_POINTER, HASH_POINTER, Lookup
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Conflict
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.faults import pause_point
from chalicelib.work.pending import Pending
from chalicelib.work.rules import Action

if TYPE_CHECKING:
    from chalicelib.incoming.service import Want

MAX_FILE_BYTES = 50 * 1024 * 1024
INTAKE_PARENT = "INTAKE"  # a file parked before registration waits under its record
WAITING_FOR_A_CLERK = (IntakeStatus.NEEDS_REVIEW.value, IntakeStatus.FAILED.value)

REASONS = {
    "too_large": ("Tệp vượt quá 50 MiB.", "The file is larger than 50 MiB."),
    "deleted": ("Tệp đã bị xoá trước khi xử lý.",
                "The object was deleted before it could be processed."),
    "duplicate": ("Trùng tệp với văn bản đã vào sổ (số đến {so_den}/{year}).",
                  "Same file as a registered document (no. {so_den}/{year})."),
    "incomplete": ("Đã vào sổ; cần bổ sung thông tin: {fields}.",
                   "Registered; metadata to complete: {fields}."),
    "possible_duplicate": ("Đã vào sổ; có thể trùng văn bản số đến {so_den}/{year} "
                           "(cùng số, ký hiệu và cơ quan ban hành).",
                           "Registered; possibly the same as no. {so_den}/{year} "
                           "(same number, symbol and issuing agency)."),
    "failed": ("Xử lý thất bại nhiều lần; bấm \"Thử lại\" hoặc báo quản trị.",
               "Processing failed repeatedly; retry or tell the administrator."),
}

FIELD_LABELS = {
    "so_ky_hieu": "số, ký hiệu", "co_quan_ban_hanh": "cơ quan ban hành",
    "ngay_ban_hanh": "ngày ban hành", "loai_van_ban": "loại văn bản", "trich_yeu": "trích yếu",
    "nguoi_ky": "người ký", "do_khan": "độ khẩn",
}


def display_name(key: str) -> str:
    """``key`` is already decoded from the notification's URL encoding."""
    name = key.rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name[:200] or "(không tên)"


def record_id_for(bucket: str, key: str, sequencer: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"s3://{bucket}/{key}#{sequencer}").hex


def _record_view(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"], "file_name": item.get("file_name"), "status": item["status"],
        "reason": item.get("reason", ""), "reason_en": item.get("reason_en", ""),
        "document_id": item.get("document_id"), "created_at": item["created_at"],
        "updated_at": item.get("updated_at"), "size": int(item.get("size") or 0),
        "sha256": item.get("sha256"), "pdf_status": item.get("pdf_status"),
        "ocr_status": item.get("ocr_status"),
        # The stored object's own name (ours, e.g. a browser upload's uuid), by
        # which the uploading page recognises its file.
        "source_name": str(item.get("source_key") or "").rsplit("/", 1)[-1],
    }


def _moved(record: dict[str, Any], status: IntakeStatus, reason: tuple[str, str] = ("", ""),
           **extra: Any) -> dict[str, Any]:
    now = iso(utcnow())
    return with_status_key({**record, **extra, "status": status.value, "reason": reason[0],
                            "reason_en": reason[1], "updated_at": now,
                            "version": int(record.get("version", 1)) + 1})


def _finish(store: IntakeStore, new: dict[str, Any], event: str | None = None,
            pending: Pending | None = None) -> dict[str, Any] | None:
    """The record moved on from ``processing``; one parked for review or failed
    (nothing registered) waits for a clerk, in the same transaction."""
    uow = store.unit_of_work()
    uow.add(store.finished(new))
    if new["status"] in WAITING_FOR_A_CLERK and not new.get("document_id"):
        inbox.pending_of(store.table, pending).open(
            uow, INTAKE_PARENT, new["id"], Action.REGISTER, inbox.CLERKS,
            subject=new.get("file_name") or "Tệp văn bản đến",
            link=f"/app/intake?status={new['status']}", by="system",
            note=new.get("reason", ""))
    if event:
        uow.emit(DomainEvent(event, f"intake:{new['id']}", {"status": new["status"]}))
    try:
        uow.commit()
    except Conflict:
        return None  # another delivery finished it first
    return new


@dataclass
class Arrival:
    """A notification's file, read and checked, before anything is written: the
    first half of ``receive_object``. ``settled`` is an outcome the checks
    already decided (rejected, encrypted); otherwise ``want`` is what must be
    read about the file before it is registered."""

    record: dict[str, Any]
    raw_key: str
    etag: str = ""
    sender: str | None = None
    report: Any = None
    meta: Metadata = field(default_factory=Metadata)
    to_ocr: bool = False
    settled: tuple[IntakeStatus, tuple[str, str], str, dict[str, Any]] | None = None

    @property
    def want(self) -> Want | None:
        from chalicelib.incoming import service as incoming

        if self.settled is not None:
            return None
        return incoming.intake_want(self.record["sha256"], None if self.to_ocr else self.meta,
                                    self.record["arrival_at"])


class SharedReads:
    """One read for a batch of files (the ingest queue's up to ten): every
    file's pointers and the counters, then kept up to date in memory as the
    batch registers, so that the next file needs no read of its own. Each
    registration is still conditional on the counter value and the pointers'
    absence it relied on: a write by anyone else makes it read again."""

    def __init__(self, lookups: dict[Want, Lookup]) -> None:
        self.lookups = lookups
        self.files: dict[str, dict[str, Any]] = {}
        self.numbers: dict[str, dict[str, Any]] = {}
        self.counters: dict[int, int] = {}

    @classmethod
    def read(cls, arrivals: list[Arrival], table: Table) -> SharedReads:
        from chalicelib.incoming import service as incoming

        wants = [w for w in (a.want for a in arrivals) if w is not None]
        return cls(incoming.read_for_intake(wants, table=table) if wants else {})

    def lookup(self, want: Want) -> Lookup | None:
        base = self.lookups.get(want)
        if base is None:
            return None
        sha256, key, year = want
        same = self.files.get(sha256) or base.same_file
        possible = base.possible or (self.numbers.get(key) if key else None)
        seen = set(base.pointers_seen)
        seen |= {HASH_POINTER} if sha256 in self.files else set()
        seen |= {DUPKEY_POINTER} if key and key in self.numbers else set()
        counter = self.counters.get(year, base.counter) if year is not None else None
        return Lookup(same_file=same, possible=possible, counter=counter,
                      pointers_seen=frozenset(seen))

    def registered(self, want: Want, doc: dict[str, Any]) -> None:
        sha256, key, _ = want
        pointed = {k: doc[k] for k in ("id", "so_den_text", "year")}
        self.files.setdefault(sha256, pointed)
        if key:
            self.numbers.setdefault(key, pointed)
        self.counters[int(doc["year"])] = int(doc["so_den"])


def receive_object(bucket: str, key: str, sequencer: str, *, s3: Any, documents_bucket: str,
                   event_time: str | None = None, table: Table | None = None,
                   ocr_queue: Callable[[str], None] | None = None,
                   arrival: Arrival | None = None, reads: SharedReads | None = None
                   ) -> dict[str, Any] | None:
    """Run one S3 notification through the pipeline. Returns the final record (or,
    for a scan sent to OCR with ``ocr_queue``, the record waiting for it), or None
    if this notification was already fully handled. A batch handler passes the
    ``arrival`` it read already and the batch's ``reads``."""
    table = given(table)
    arrival = arrival or arrive(bucket, key, sequencer, s3=s3, event_time=event_time,
                                ocr=ocr_queue is not None)
    return settle(arrival, s3=s3, documents_bucket=documents_bucket, table=table,
                  ocr_queue=ocr_queue, reads=reads)


def arrive(bucket: str, key: str, sequencer: str, *, s3: Any, event_time: str | None = None,
           ocr: bool = False) -> Arrival:
    """Step 1: read the file and check it; the metadata detected in its text
    layer unless OCR will read it (``ocr``: an OCR queue is there). Writes nothing."""
    from chalicelib.adapters.pdf_inspect import inspect_pdf

    raw_key = urllib.parse.unquote_plus(key)
    record_id = record_id_for(bucket, raw_key, sequencer)
    try:
        obj = s3.get_object(Bucket=bucket, Key=raw_key)
        data: bytes | None = obj["Body"].read(MAX_FILE_BYTES + 1)
        sender = _sender_of(obj.get("Metadata") or {})
        named = urllib.parse.unquote((obj.get("Metadata") or {}).get("filename") or "")
        etag = str(obj.get("ETag") or "")
    except s3.exceptions.NoSuchKey:
        data, sender, named, etag = None, None, "", ""
    digest = hashlib.sha256(data).hexdigest() if data else None
    # Written once, with its outcome (``_finish`` or the registration); the
    # arrival time orders the list, and stays the same when a clerk retries.
    arrival_at = event_time or iso(utcnow())
    record = {
        "id": record_id,
        "file_name": display_name(named or raw_key), "size": len(data or b""),
        "sha256": digest,
        "status": IntakeStatus.PROCESSING.value, "reason": "", "reason_en": "",
        "source_bucket": bucket, "source_key": raw_key, "sequencer": sequencer,
        "arrival_at": arrival_at, "created_at": arrival_at, "updated_at": arrival_at,
        "version": 1,
    }
    found = Arrival(record=record, raw_key=raw_key, etag=etag, sender=sender)
    if data is None:
        found.settled = (IntakeStatus.REJECTED, REASONS["deleted"], "intake.rejected", {})
        return found
    if len(data) > MAX_FILE_BYTES:
        found.settled = (IntakeStatus.REJECTED, REASONS["too_large"], "intake.rejected", {})
        return found
    report = inspect_pdf(data)
    del data  # a batch holds ten arrivals: keep their texts, not their files
    found.report = report
    if report.status in ("empty", "not_pdf", "truncated"):
        found.settled = (IntakeStatus.REJECTED, (report.reason, report.reason_en),
                         "intake.rejected", {"pdf_status": report.status})
    elif report.status == "encrypted":
        found.settled = (IntakeStatus.NEEDS_REVIEW, (report.reason, report.reason_en),
                         "intake.needs_review", {"pdf_status": report.status})
    else:
        found.to_ocr = ocr and (report.status == "scanned" or bool(report.image_only_pages))
        if report.text and not found.to_ocr:
            found.meta = metadata_from_text(report.text)
    return found


def settle(arrival: Arrival, *, s3: Any, documents_bucket: str, table: Table,
           ocr_queue: Callable[[str], None] | None = None, reads: SharedReads | None = None
           ) -> dict[str, Any] | None:
    """Steps 2-5 for a file ``arrive`` read."""
    from chalicelib.incoming import service as incoming

    store, record, report = IntakeStore(table), arrival.record, arrival.report
    if arrival.settled is not None:
        status, reason, event, extra = arrival.settled
        return _finish(store, _moved(record, status, reason, **extra), event)

    # 2. the same file registered before: its pointer, read with what the
    # registration needs (the same number's pointer, the counter) in one call.
    want = arrival.want
    assert want is not None
    read = (reads.lookup(want) if reads else None) \
        or incoming.read_for_intake([want], table=table)[want]
    if read.same_file is not None:
        return _duplicate(store, record, read.same_file, report.status)

    # 3. keep the file under a content-addressed key: it is the record, never
    # altered. It is copied inside S3, and only if it is still the version read (a
    # new upload under the same key has its own notification).
    digest = str(record["sha256"])
    file_key = f"files/sha256/{digest}"
    s3.copy_object(Bucket=documents_bucket, Key=file_key,
                   CopySource={"Bucket": record["source_bucket"], "Key": arrival.raw_key},
                   CopySourceIfMatch=arrival.etag, MetadataDirective="REPLACE",
                   ContentType="application/pdf", Metadata={"sha256": digest})
    if arrival.to_ocr:
        # Pages without text: the OCR function reads them and registers the file
        # (chalicelib/incoming/ocr_step.py); this record stays "processing" till then.
        assert ocr_queue is not None
        return _send_to_ocr(store, record, ocr_queue, file_key=file_key, digest=digest,
                            mixed=report.status == "readable", sender=arrival.sender)
    lead = (report.reason, report.reason_en) if report.status == "scanned" else None
    return register_file(store, record, s3=s3, documents_bucket=documents_bucket,
                         digest=digest, file_key=file_key, text=report.text,
                         pages=report.pages, pdf_status=report.status, sender=arrival.sender,
                         lead=lead, table=table, meta=arrival.meta, read=read,
                         registered=(lambda doc: reads.registered(want, doc)) if reads
                         else None)


def _duplicate(store: IntakeStore, record: dict[str, Any], same: dict[str, Any],
               pdf_status: str) -> dict[str, Any] | None:
    values = {"so_den": same.get("so_den_text"), "year": same.get("year")}
    reason = tuple(t.format(**values) for t in REASONS["duplicate"])
    return _finish(store, _moved(record, IntakeStatus.DUPLICATE, reason,  # type: ignore[arg-type]
                                 document_id=same["id"], pdf_status=pdf_status),
                   "intake.duplicate")


def _send_to_ocr(store: IntakeStore, record: dict[str, Any], ocr_queue: Callable[[str], None],
                 *, file_key: str, digest: str, mixed: bool, sender: str | None
                 ) -> dict[str, Any]:
    """The record is written "processing" with the OCR queued (the condition of
    ``finished``: none yet, or one still processing), then the OCR asked for; a
    redelivered notification may ask twice, and the second registration is refused."""
    queued = {**record, "ocr_status": "queued", "updated_at": iso(utcnow())}
    uow = store.unit_of_work()
    uow.add(store.finished(queued))
    uow.commit()
    ocr_queue(json.dumps({"intake_id": record["id"], "file_key": file_key, "sha256": digest,
                          "mixed": mixed, "sender": sender}))
    return queued


def register_file(store: IntakeStore, record: dict[str, Any], *, s3: Any,
                  documents_bucket: str, digest: str, file_key: str, text: str,
                  pages: int | None, pdf_status: str, sender: str | None,
                  lead: tuple[str, str] | None = None, review: bool = False,
                  ocr: dict[str, Any] | None = None, table: Table | None = None,
                  meta: Metadata | None = None, read: Lookup | None = None,
                  registered: Callable[[dict[str, Any]], None] | None = None
                  ) -> dict[str, Any] | None:
    """Steps 3-5 for a file already kept under ``file_key``: its text (from its
    own text layer, or from OCR) kept with it, the metadata detected in that
    text, and the registration. ``lead`` opens the reason a clerk reads (why the
    file needs a person); ``review`` asks a clerk even when nothing is missing.
    ``read``: the pointers and counter already read for this file (else read
    here); ``registered`` is told the document (a batch's shared reads).
    A registration refused on a pointer or the counter (another file won the
    race) reads again and decides again: a duplicate now, or the next number."""
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.stored_text import pack

    table = table or store.table
    text_key, text_z = None, pack(text) if text else None
    if text and text_z is None:
        # Too large for the document's item: an object of its own (stored_text.py).
        text_key = f"text/sha256/{digest}.txt"
        s3.put_object(Bucket=documents_bucket, Key=text_key, Body=text.encode("utf-8"),
                      ContentType="text/plain; charset=utf-8")
    if meta is None:
        meta = metadata_from_text(text) if text else Metadata()
    want = incoming.intake_want(digest, meta, record["arrival_at"])
    for _attempt in range(REGISTER_ATTEMPTS):
        read = read or incoming.read_for_intake([want], table=table)[want]
        if read.same_file is not None:
            return _duplicate(store, record, read.same_file, pdf_status)
        try:
            done, doc = _register(store, record, meta, read, file={
                "key": file_key, "sha256": digest, "pages": pages, "text_key": text_key,
                "text_z": text_z, "name": record["file_name"], "ocr": ocr},
                pdf_status=pdf_status, sender=sender, lead=lead, review=review, table=table)
        except Conflict:
            latest = store.get(record["id"])
            if latest is not None and latest["status"] != IntakeStatus.PROCESSING.value:
                return None  # another delivery finished it first
            read = None  # a pointer or the counter moved: read again
            continue
        if registered:
            registered(doc)
        return done
    raise incoming.register_busy()


REGISTER_ATTEMPTS = 5


def _register(store: IntakeStore, record: dict[str, Any], meta: Metadata, read: Lookup, *,
              file: dict[str, Any], pdf_status: str, sender: str | None,
              lead: tuple[str, str] | None, review: bool, table: Table
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """4. same number, symbol and agency: register, but say so; 5. register."""
    from chalicelib.incoming import service as incoming

    possible = read.possible
    missing = meta.normalised().missing()
    if possible is not None:
        values = {"so_den": possible.get("so_den_text"), "year": possible.get("year")}
        status, reason = IntakeStatus.NEEDS_REVIEW, tuple(
            t.format(**values) for t in REASONS["possible_duplicate"])
    elif missing or pdf_status == "scanned" or review:
        status = IntakeStatus.NEEDS_REVIEW
        reason = ("", "")
        if missing or not review:
            fields = ", ".join(FIELD_LABELS[f] for f in (missing or list(FIELD_LABELS)))
            reason = tuple(t.format(fields=fields) for t in REASONS["incomplete"])
        if lead:
            reason = (f"{lead[0]} {reason[0]}".strip(), f"{lead[1]} {reason[1]}".strip())
    else:
        status, reason = IntakeStatus.REGISTERED, ("", "")
    arrival = datetime.fromisoformat(record["arrival_at"].replace("Z", "+00:00"))
    doc_id = uuid.uuid4().hex
    ocr = file.get("ocr")
    extra = {"ocr_status": ocr["status"]} if ocr else {}
    pending = _moved(record, status, reason, pdf_status=pdf_status,  # type: ignore[arg-type]
                     document_id=doc_id, **extra)
    pause_point("intake.register")  # crash tests: the file kept, not yet registered
    doc = incoming.register(
        None, meta, arrival=arrival, source="s3", file=file, intake_id=record["id"],
        duplicate_of=possible["id"] if possible else None, sender_email=sender,
        review=status is IntakeStatus.NEEDS_REVIEW, extra_ops=[store.finished(pending)],
        doc_id=doc_id, table=table, read=read,
    )
    return pending, doc


def _sender_of(metadata: dict[str, str]) -> str | None:
    """A mail gateway puts the sender's address in the object's metadata
    (x-amz-meta-sender); anything that is not a plain address is ignored."""
    import re

    value = (metadata.get("sender") or "").strip()
    return value if re.fullmatch(r"[^@\s<>\"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}",
                                 value) else None


def metadata_from_text(text: str) -> Metadata:
    from chalicelib.incoming.decree30 import detect

    found = detect(text)
    urgency = Urgency(found.do_khan) if found.do_khan in {u.value for u in Urgency} \
        else Urgency.THUONG
    return Metadata(
        so_ky_hieu=found.so_ky_hieu or "", co_quan_ban_hanh=found.co_quan_ban_hanh or "",
        ngay_ban_hanh=date.fromisoformat(found.ngay_ban_hanh) if found.ngay_ban_hanh else None,
        loai_van_ban=found.loai_van_ban or "", trich_yeu=found.trich_yeu or "",
        do_khan=urgency, nguoi_ky=found.nguoi_ky or "",
    )


def mark_failed(bucket: str, key: str, sequencer: str, table: Table | None = None,
                event_time: str | None = None) -> None:
    """The last delivery failed too: the message goes to the DLQ, and the record
    says so, so that a clerk sees it and can retry. The pipeline writes a record
    only with its outcome, so there is usually none yet: it is written here."""
    store = IntakeStore(given(table))
    raw_key = urllib.parse.unquote_plus(key)
    record_id = record_id_for(bucket, raw_key, sequencer)
    record = store.get(record_id)
    if record is not None and record["status"] != IntakeStatus.PROCESSING.value:
        return
    arrival = event_time or iso(utcnow())
    record = record or {
        "id": record_id, "file_name": display_name(raw_key), "size": 0, "sha256": None,
        "source_bucket": bucket, "source_key": raw_key, "sequencer": sequencer,
        "arrival_at": arrival, "created_at": arrival, "version": 0}
    _finish(store, _moved(record, IntakeStatus.FAILED, REASONS["failed"]), "intake.failed")


def mark_failed_record(store: IntakeStore, record_id: str) -> None:
    """As ``mark_failed``, by the record's id (the OCR step's last attempt)."""
    record = store.get(record_id)
    if record is None or record["status"] != IntakeStatus.PROCESSING.value:
        return
    _finish(store, _moved(record, IntakeStatus.FAILED, REASONS["failed"]), "intake.failed")


def list_records(status: str | None, cursor: str | None, limit: int = 50,
                 table: Table | None = None) -> tuple[list[dict[str, Any]], str | None]:
    found, next_cursor = IntakeStore(given(table)).page(status, cursor, limit)
    return [_record_view(i) for i in found], next_cursor


def retry(record_id: str, *, sqs: Any, queue_url: str, table: Table | None = None,
          by: str = "system", pending: Pending | None = None) -> dict[str, Any]:
    """Send a failed or rejected file through the pipeline again."""
    from chalicelib.kernel.errors import InvalidInput, NotFound

    store = IntakeStore(given(table))
    record = store.get(record_id)
    if record is None:
        raise NotFound()
    if record["status"] not in (IntakeStatus.FAILED.value, IntakeStatus.REJECTED.value,
                                IntakeStatus.NEEDS_REVIEW.value) or record.get("document_id"):
        raise InvalidInput("Chỉ thử lại được tệp lỗi hoặc bị từ chối chưa vào sổ.",
                           "Only failed or rejected files that were not registered can be "
                           "retried.", "not_retryable")
    retried = {**_moved(record, IntakeStatus.PROCESSING), "reason": "", "reason_en": ""}
    uow = store.unit_of_work()
    store.save(uow, record, retried)
    # The pipeline asks again if the file still needs a clerk.
    inbox.pending_of(store.table, pending).close(uow, INTAKE_PARENT, record_id, Action.REGISTER,
                                                 by=by)
    uow.commit()
    notification = {"Records": [{"eventTime": record.get("arrival_at"), "s3": {
        "bucket": {"name": record["source_bucket"]},
        "object": {"key": urllib.parse.quote_plus(record["source_key"], safe="/"),
                   "sequencer": record.get("sequencer", "")}}}]}
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(notification))
    return _record_view(retried)


def reject(record_id: str, reason: str, *, by: str, table: Table | None = None,
           pending: Pending | None = None) -> dict[str, Any]:
    """A clerk sets aside a file that will not be registered from the intake (an
    encrypted copy, a file registered by hand instead), with the reason: no clerk
    is asked about it any more."""
    from chalicelib.kernel.errors import InvalidInput, NotFound

    store = IntakeStore(given(table))
    record = store.get(record_id)
    if record is None:
        raise NotFound()
    if record["status"] not in (IntakeStatus.FAILED.value, IntakeStatus.NEEDS_REVIEW.value) \
            or record.get("document_id"):
        raise InvalidInput("Chỉ loại được tệp lỗi hoặc cần xem xét chưa vào sổ.",
                           "Only failed files or files waiting for review that were not "
                           "registered can be set aside.", "not_rejectable")
    text = unicodedata.normalize("NFC", " ".join(reason.split()))
    rejected = {**_moved(record, IntakeStatus.REJECTED,
                         (f"Văn thư không vào sổ: {text}", f"Set aside by a clerk: {text}")),
                "rejected_by": by}
    uow = store.unit_of_work()
    store.save(uow, record, rejected)
    inbox.pending_of(store.table, pending).close(uow, INTAKE_PARENT, record_id, Action.REGISTER,
                                                 by=by)
    uow.emit(DomainEvent("intake.rejected", f"intake:{record_id}",
                         {"status": rejected["status"], "by": by}))
    uow.commit()
    return _record_view(rejected)

"""Packets from the platform, as the ingest consumer receives them: the same
S3 → SQS → ``on_intake_notification`` path as scanned PDFs, for objects under
``incoming/edxml/``, with one outcome per packet.

Each packet is first kept (its bytes under a content-addressed key, a record
``processing``), then checked: size, XML, the packet's signature, the sender in
the directory with the certificate the directory pins, the PDF's signatures.
A document packet is registered with its metadata taken from the header (no
guessing from the text), and the incoming registration's event answers 01 and
03 (``steps.py``); a status packet updates what the sender's view shows; a
recall marks the registered document recalled. Anything refused is kept,
marked ``refused`` with the reason and answered with 02: never an exception
that would send the notification round the queue again.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import uuid
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.exchange import edxml, xmlsig
from chalicelib.exchange.edxml import DocumentPacket, StatusPacket
from chalicelib.exchange.rules import Business, PacketError, Status, refusal
from chalicelib.exchange.store import ExchangeStore
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Conflict
from chalicelib.kernel.events import DomainEvent, iso, utcnow

URGENCY = {"0": "Thường", "1": "Khẩn", "2": "Thượng khẩn", "3": "Hỏa tốc"}


def packet_id_for(bucket: str, key: str, sequencer: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"edxml://{bucket}/{key}#{sequencer}").hex


def receive_object(bucket: str, key: str, sequencer: str, *, s3: Any, documents_bucket: str,
                   event_time: str | None = None, table: Table | None = None
                   ) -> dict[str, Any] | None:
    """One notification: the packet's record with its outcome, or None if an
    earlier delivery finished it."""
    table = given(table)
    store = ExchangeStore(table)
    raw_key = urllib.parse.unquote_plus(key)
    packet_id = packet_id_for(bucket, raw_key, sequencer)
    record = store.packet(packet_id)
    if record is not None and record["outcome"] != "processing":
        return None
    try:
        data: bytes | None = s3.get_object(Bucket=bucket, Key=raw_key)["Body"].read(
            edxml.MAX_PACKET_BYTES + 1)
    except s3.exceptions.NoSuchKey:
        data = None
    if record is None:
        digest = hashlib.sha256(data or b"").hexdigest()
        kept = None
        if data:
            kept = f"exchange/received/sha256/{digest}.xml"
            s3.put_object(Bucket=documents_bucket, Key=kept, Body=data,
                          ContentType="application/xml", Metadata={"sha256": digest})
        record = {"id": packet_id, "outcome": "processing", "received_at": event_time
                  or iso(utcnow()), "size": len(data or b""), "sha256": digest,
                  "kept_key": kept, "source_key": raw_key, "version": 1}
        if not store.add_packet(record):
            record = store.packet(packet_id)
            if record is None or record["outcome"] != "processing":
                return None
    return _process(store, record, data, s3=s3, documents_bucket=documents_bucket)


def _finished(record: dict[str, Any], outcome: str, **fields: Any) -> dict[str, Any]:
    """The packet's record with its outcome, as the next version."""
    return {**record, **fields, "outcome": outcome, "updated_at": iso(utcnow()),
            "version": int(record.get("version") or 1) + 1}


def _finish(store: ExchangeStore, record: dict[str, Any], outcome: str, *,
            events: list[DomainEvent] = (), extra_ops: list[dict[str, Any]] = (),  # type: ignore[assignment]
            **fields: Any) -> dict[str, Any] | None:
    after = _finished(record, outcome, **fields)
    uow = store.unit_of_work()
    uow.add(store.packet_op(after, new=False))
    return after if uow.commit_unless_done(extra_ops, events) else None


def _refuse(store: ExchangeStore, record: dict[str, Any], error: PacketError,
            root: Any = None) -> dict[str, Any] | None:
    sender = edxml.sender_of(root) if root is not None else None
    document_id = edxml.document_id_of(root) if root is not None else ""
    return _finish(store, record, "refused", reason=error.message, reason_en=error.message_en,
                   reason_code=error.code, sender=sender, document_id=document_id,
                   events=[DomainEvent("exchange.refused", f"exchange:{record['id']}",
                                       {"packet": record["id"], "sender": sender,
                                        "document_id": document_id,
                                        "reason": error.message})])


def _process(store: ExchangeStore, record: dict[str, Any], data: bytes | None, *, s3: Any,
             documents_bucket: str) -> dict[str, Any] | None:
    root = None
    try:
        if data is None:
            raise refusal("malformed", "deleted")
        root = edxml.load(data)
        certificate = xmlsig.verify(root)
        packet = edxml.parse(root)
        sender = packet.header.sender if isinstance(packet, DocumentPacket) else packet.sender
        agency = store.agency(sender.organ_id)
        if agency is None:
            raise refusal("unknown_sender", sender.organ_id)
        from chalicelib.exchange.service import exchange_for

        pinned = exchange_for(store.table).certificate_of(sender.organ_id)
        if pinned is None or pinned != certificate:
            raise refusal("signature", "not the sender's certificate")
        if isinstance(packet, StatusPacket):
            return _status(store, record, packet)
        return _document(store, record, packet, agency, s3=s3, documents_bucket=documents_bucket)
    except PacketError as error:
        return _refuse(store, record, error, root)


def _status(store: ExchangeStore, record: dict[str, Any], packet: StatusPacket
            ) -> dict[str, Any] | None:
    from chalicelib.exchange.service import exchange_for

    known = exchange_for(store.table).record_status(
        packet.document_id, packet.sender.organ_id, packet.status, at=packet.timestamp,
        description=packet.description)
    if not known:
        # A status about nothing we sent is kept and shown, never answered (no loops).
        return _finish(store, record, "ignored", sender=packet.sender.organ_id,
                       document_id=packet.document_id, status=packet.status.value,
                       reason="Trạng thái không ứng với văn bản đã gửi.",
                       reason_en="A status about no document we sent.")
    return _finish(store, record, "status", sender=packet.sender.organ_id,
                   document_id=packet.document_id, status=packet.status.value)


def _pdf_of(packet: DocumentPacket) -> Any:
    for att in packet.attachments:
        if att.content_type == "application/pdf" or att.name.lower().endswith(".pdf"):
            if att.data.startswith(b"%PDF-"):
                return att
    raise refusal("no_document")


def _check_pdf_signatures(pdf: bytes, table: Table) -> None:
    """Every signature in the PDF must be intact; a foreign agency's CA need not
    be one of our trust roots (the packet's own signature vouches for the sender)."""
    from chalicelib.adapters.signing.verify import verify_pdf
    from chalicelib.signing import keys as signing_keys

    report = verify_pdf(pdf, trust_roots=signing_keys.trust_roots(table))
    if report.get("error"):
        raise refusal("no_document", report["error"])
    for entry in report["signatures"]:
        if not entry["intact"] or not entry["valid"] or entry["modified_after_signing"]:
            raise refusal("pdf_signature", entry.get("signer") or "")


def _document(store: ExchangeStore, record: dict[str, Any], packet: DocumentPacket,
              agency: dict[str, Any], *, s3: Any, documents_bucket: str
              ) -> dict[str, Any] | None:
    from chalicelib.incoming import service as incoming

    h = packet.header
    sender = h.sender.organ_id
    base = {"sender": sender, "document_id": packet.document_id, "business": h.business.value}
    if h.business is Business.RECALL:
        received = store.received(packet.document_id)
        if received is None:
            raise refusal("unknown_document", packet.document_id)
        incoming_id = received["incoming_id"]
        reason = h.business_reason or "Cơ quan gửi thu hồi văn bản"
        after = _finished(record, "recalled", **base, incoming_id=incoming_id)
        # The mark, the end of every open action on the document, this packet's
        # outcome and the answer to the sender (Art. 18) are one transaction.
        if incoming.note_recalled(
                incoming_id, reason=reason, at=iso(utcnow()), table=store.table,
                extra_ops=[store.packet_op(after, new=False)],
                events=[DomainEvent("exchange.recall_received", f"exchange:{record['id']}",
                                    {"incoming_id": incoming_id, "reason": reason})]):
            return after
        # Recalled before (a second recall packet) or a concurrent delivery won.
        return _finish(store, record, "recalled", incoming_id=incoming_id, **base)
    pdf = _pdf_of(packet)
    _check_pdf_signatures(pdf.data, store.table)
    earlier = store.received(packet.document_id)
    if earlier is not None:
        if h.business is Business.UPDATE:
            # The sender corrected what we registered: kept and shown to the clerks,
            # who compare it; the registered metadata is theirs to change.
            return _finish(store, record, "update", **base, incoming_id=earlier["incoming_id"],
                           reason=h.business_reason or "Cơ quan gửi cập nhật văn bản.",
                           reason_en="The sender updated a document we registered.")
        return _finish(store, record, "duplicate", **base, incoming_id=earlier["incoming_id"])
    digest = pdf.sha256
    file_key = f"files/sha256/{digest}"
    s3.put_object(Bucket=documents_bucket, Key=file_key, Body=pdf.data,
                  ContentType="application/pdf", Metadata={"sha256": digest})
    from chalicelib.incoming.rules import Metadata, Urgency

    meta = Metadata(so_ky_hieu=h.code, co_quan_ban_hanh=agency.get("name") or h.sender.name,
                    ngay_ban_hanh=h.promulgated, loai_van_ban=h.type_name,
                    trich_yeu=h.subject, do_khan=Urgency(URGENCY.get(h.priority, "Thường")),
                    nguoi_ky=h.signer_name)
    doc_id = uuid.uuid4().hex
    after = _finished(record, "registered", **base, incoming_id=doc_id)
    arrival = datetime.fromisoformat(record["received_at"].replace("Z", "+00:00"))
    try:
        incoming.register(None, meta, arrival=arrival, source="edxml",
                          file={"key": file_key, "sha256": digest, "name": pdf.name},
                          doc_id=doc_id, table=store.table,
                          extra_ops=[store.packet_op(after, new=False),
                                     store.received_op(packet.document_id, doc_id, sender,
                                                       record["id"]),
                                     store.origin_op(doc_id, sender, packet.document_id)])
    except Conflict:
        latest = store.packet(record["id"])
        if latest is not None and latest["outcome"] != "processing":
            return None
        if store.received(packet.document_id) is not None:
            return _finish(store, record, "duplicate", **base)
        raise
    if h.business is Business.REPLACE and h.refers_to:
        replaced = store.received(h.refers_to)
        if replaced is not None:
            incoming.note_recalled(replaced["incoming_id"],
                                   reason=f"Được thay thế bởi văn bản {h.code}",
                                   at=iso(utcnow()), table=store.table)
    return after


def packets_page(cursor: str | None, limit: int, table: Table | None = None
                 ) -> tuple[list[dict[str, Any]], str | None]:
    found, next_cursor = ExchangeStore(given(table)).packets(cursor, limit)
    keep = ("id", "outcome", "received_at", "size", "sender", "document_id", "business",
            "status", "incoming_id", "reason", "reason_en", "reason_code")
    return [{k: i.get(k) for k in keep} for i in found], next_cursor


__all__ = ["Status", "packet_id_for", "packets_page", "receive_object"]

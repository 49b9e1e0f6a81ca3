"""Workflow steps of the exchange: queue the chosen agencies when a document is
issued, send (and recall) document packets, and answer the statuses of the
documents we received from the platform as the handling flow moves them
(01 + 03 on registration, 04 on distribution, 05 on assignment, 06 on completion).

Every step is safe to run twice: a packet already sent is not sent again, and
each status is answered once per document (a claim written after the send).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from chalicelib.exchange.rules import Business, SendState, Status
from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.logging import logger
from chalicelib.kernel.subscribers import subscribe

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo import Table

ATTEMPTS = 3


def _with_retries(work: Any) -> Any:
    last: Exception | None = None
    for attempt in range(ATTEMPTS):
        try:
            return work()
        except Exception as exc:  # noqa: BLE001 - the caller turns the last one into a state
            last = exc
            logger.warning("exchange send attempt failed",
                           extra={"attempt": attempt + 1, "error": repr(exc)})
            time.sleep(0.2 * attempt)
    assert last is not None
    raise last


def _use_cases(table: Table) -> Any:
    from chalicelib.exchange.service import exchange_for

    return exchange_for(table)


@subscribe("outgoing.issued", name="exchange_queue_issued", needs=("table",))
def queue_issued(event: DomainEvent, table: Table) -> None:
    _use_cases(table).issued(event.payload["id"])


@subscribe("outgoing.recalled", name="exchange_send_recall", needs=("table",))
def send_recall(event: DomainEvent, table: Table) -> None:
    _use_cases(table).recalled(event.payload["id"], event.payload.get("reason") or "")


@subscribe("exchange.send_requested", name="exchange_send_packets", needs=("table",))
def send_packets(event: DomainEvent, table: Table) -> None:
    from chalicelib.adapters.exchange_transport import transport
    from chalicelib.exchange import packets
    from chalicelib.exchange.edxml import Organ
    from chalicelib.outgoing.store import OutgoingStore

    exchange = _use_cases(table)
    doc_id = event.payload["id"]
    business = Business(event.payload.get("business") or "0")
    update_id = event.payload.get("update_id") or ""
    outgoing = OutgoingStore(table)
    doc = outgoing.get(doc_id)
    if doc is None or not doc.get("issued_key") or doc.get("do_mat"):
        return
    refers_to = ""
    if business is Business.NEW and doc.get("replaces"):
        business = Business.REPLACE
        old = outgoing.get(doc["replaces"]) or {}
        if old.get("issued_on"):
            refers_to = packets.document_id_of(old, packets.us(table).organ_id)
    document_id = packets.document_id_of(doc, packets.us(table).organ_id)
    pdf: bytes | None = None
    for organ_id in event.payload["organs"]:
        r = exchange.store.recipient(doc_id, organ_id)
        if r is None:
            continue
        if business is Business.RECALL:
            if r["state"] != SendState.SENT or r.get("recall_sent_at"):
                continue
        elif business is Business.UPDATE:
            if r["state"] != SendState.SENT or r.get("update_sent") == update_id:
                continue  # sent by an earlier delivery of this event
        elif r["state"] != SendState.QUEUED:
            continue  # sent by an earlier delivery of this event, or taken back
        try:
            if pdf is None:
                pdf = _with_retries(lambda: _s3_get(doc["issued_key"]))
            packet = packets.document_packet(
                doc, Organ(organ_id, r["name"]), table=table, pdf=pdf, business=business,
                reason=event.payload.get("reason") or "", refers_to=refers_to)
            data = packets.signed_bytes(packet, table)
            _with_retries(lambda organ_id=organ_id, data=data: transport().send(
                organ_id, packets.new_packet_id(), data))
        except Exception as exc:  # noqa: BLE001 - every failure ends in a visible state
            logger.exception("exchange send failed", extra={"doc": doc_id, "to": organ_id})
            exchange.record_failed(
                doc_id, organ_id, subject=doc["subject"],
                message=str(getattr(exc, "message_vi", "") or "Không gửi được gói tin "
                            "qua trục liên thông."),
                message_en=str(getattr(exc, "message_en", "") or repr(exc))[:300])
            continue
        exchange.record_sent(doc_id, organ_id, document_id=document_id, business=business.value,
                             update_id=update_id)


def _s3_get(key: str) -> bytes:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    out = client("s3").get_object(Bucket=get_settings().documents_bucket, Key=key)
    return bytes(out["Body"].read())


# ---------------------------------------------------------------- statuses we answer

def answer(table: Any, incoming_id: str, statuses: list[Status], *, description: str = ""
           ) -> None:
    """Send each status not yet answered for this document, in order."""
    from chalicelib.adapters.exchange_transport import transport
    from chalicelib.exchange import packets
    from chalicelib.exchange.store import ExchangeStore

    store = ExchangeStore(table)
    origin = store.origin(incoming_id)
    if origin is None:
        return  # not a document from the platform
    done = set(store.claimed_statuses(incoming_id))
    for status in statuses:
        if status.value in done:
            continue
        packet = packets.status_packet(origin["sender"], origin["document_id"], status,
                                       table=table, description=description)
        data = packets.signed_bytes(packet, table)
        _with_retries(lambda data=data: transport().send(origin["sender"],
                                                         packets.new_packet_id(), data))
        store.claim_status(incoming_id, status.value)


@subscribe("incoming.registered", name="exchange_answer_registered", needs=("table",))
def answer_registered(event: DomainEvent, table: Table) -> None:
    answer(table, event.payload["id"], [Status.ARRIVED, Status.ACCEPTED])


@subscribe("incoming.distributed", name="exchange_answer_distributed", needs=("table",))
def answer_distributed(event: DomainEvent, table: Table) -> None:
    answer(table, event.payload["id"], [Status.ASSIGNED])


@subscribe("incoming.assigned", name="exchange_answer_assigned", needs=("table",))
def answer_assigned(event: DomainEvent, table: Table) -> None:
    answer(table, event.payload["id"], [Status.ASSIGNED, Status.IN_PROGRESS])


@subscribe("incoming.completed", name="exchange_answer_completed", needs=("table",))
def answer_completed(event: DomainEvent, table: Table) -> None:
    answer(table, event.payload["id"], [Status.ASSIGNED, Status.IN_PROGRESS, Status.DONE])


RECALL_ANSWER = "Đã thu hồi theo yêu cầu của cơ quan gửi"


@subscribe("exchange.recall_received", name="exchange_answer_recall", needs=("table",))
def answer_recall(event: DomainEvent, table: Table) -> None:
    """Decree 30 Art. 18: the recipient tells the sender it withdrew the document.
    edXML's statuses (01–06) have no code for it, so the answer is 02 with the
    recall named in its description; the sender's view shows a 02 that follows
    its recall as the recall confirmed (``service.view``)."""
    reason = event.payload.get("reason") or ""
    answer(table, event.payload["incoming_id"], [Status.REFUSED],
           description=f"{RECALL_ANSWER}: {reason}" if reason else RECALL_ANSWER)


@subscribe("exchange.refused", name="exchange_answer_refused", needs=("table",))
def answer_refused(event: DomainEvent, table: Table) -> None:
    """A packet we could not accept: status 02 with the reason, to whoever sent it."""
    from chalicelib.adapters.exchange_transport import transport
    from chalicelib.exchange import packets

    p = event.payload
    if not p.get("sender"):
        return  # nobody to answer: the packet is kept and shown to the clerks
    packet = packets.status_packet(p["sender"], p.get("document_id") or "", Status.REFUSED,
                                   table=table, description=p.get("reason") or "")
    data = packets.signed_bytes(packet, table)
    _with_retries(lambda: transport().send(p["sender"], packets.new_packet_id(), data))

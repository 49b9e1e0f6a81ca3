"""Workflow steps of outgoing documents: the leader's signature, the clerk's
number and seal, delivery to the recipients, recall notices.

Each step reads the document, does its work, and records the outcome with a
conditional write on the state it expected, so a redelivered event finds the
work done and stops. A step that keeps failing marks the document "signing
failed" / "issuing failed" for the clerk to retry: nothing half-signed is ever
stored as issued. pyHanko and the PDF libraries are imported here, inside the
functions, never at the app's import.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.faults import pause_point
from chalicelib.kernel.logging import logger
from chalicelib.kernel.ports import Mailer
from chalicelib.kernel.subscribers import subscribe
from chalicelib.organisation.service import agency_profile
from chalicelib.outgoing.rules import OutStatus

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo import Table

ATTEMPTS = 3
ATTACH_LIMIT = 3 * 1024 * 1024  # above this, recipients get the link only
LINK_DAYS = 30


def _failure(exc: Exception) -> dict[str, str]:
    vi = getattr(exc, "message", None) or "Lỗi khi ký số."
    en = getattr(exc, "message_en", None) or type(exc).__name__
    return {"message": str(vi), "message_en": str(en), "at": iso(utcnow())}


def _with_retries(work: Any) -> Any:
    last: Exception | None = None
    for attempt in range(ATTEMPTS):
        try:
            return work()
        except Exception as exc:  # noqa: BLE001 - every failure ends in a visible state
            last = exc
            logger.warning("outgoing step attempt failed", extra={"attempt": attempt + 1,
                                                                  "error": repr(exc)})
            time.sleep(0.2 * (attempt + 1))
    assert last is not None
    raise last


def _layout(doc: dict[str, Any], pdf: bytes) -> Any:
    from chalicelib.adapters.signing.pdf import Box, Layout, default_layout

    stored = doc.get("layout")
    if not stored:
        return default_layout(pdf)
    return Layout(**{name: Box(**{k: float(v) if k != "page" else int(v)
                                  for k, v in stored[name].items()})
                     for name in ("number", "date", "signature", "seal", "qr")})


def _s3_get(key: str) -> bytes:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    out = client("s3").get_object(Bucket=get_settings().documents_bucket, Key=key)
    return bytes(out["Body"].read())


def _s3_put(key: str, data: bytes, *, lock: bool = False) -> None:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    settings = get_settings()
    extra: dict[str, Any] = {}
    if lock and settings.object_lock_days:
        extra = {"ObjectLockMode": "COMPLIANCE",
                 "ObjectLockRetainUntilDate": utcnow() + timedelta(days=settings.object_lock_days)}
    client("s3").put_object(Bucket=settings.documents_bucket, Key=key, Body=data,
                            ContentType="application/pdf", **extra)


def _waiting(event: DomainEvent, status: OutStatus, table: Table
             ) -> tuple[Any, dict[str, Any]] | None:
    """The table and the document the event names while it still waits in
    ``status``; None once the step is done already, or the request taken back."""
    from chalicelib.outgoing.store import OutgoingStore

    doc = OutgoingStore(table).get(event.payload["id"])
    if doc is None or doc["status"] != status.value:
        return None
    return table, doc


# ---------------------------------------------------------------- the leader signs

@subscribe("outgoing.sign_requested", name="sign_outgoing", needs=("table",))
def sign_outgoing(event: DomainEvent, table: Table) -> None:
    from chalicelib.outgoing import service as outgoing

    waiting = _waiting(event, OutStatus.SIGNING, table)
    if waiting is None:
        return
    table, doc = waiting
    doc_id = doc["id"]
    key = f"outgoing/{doc_id}/signed.pdf"
    try:
        signed, layout = _with_retries(lambda: _sign(doc, table))
        _with_retries(lambda: _s3_put(key, signed))
    except Exception as exc:  # noqa: BLE001
        logger.exception("signing failed", extra={"doc": doc_id})
        outgoing.mark(doc_id, OutStatus.SIGNING_FAILED, expect=OutStatus.SIGNING,
                      action="outgoing.sign_failed", summary="Ký số không thành công",
                      failure=_failure(exc), table=table)
        return
    pause_point("outgoing.sign")  # crash tests: signed and stored, not yet recorded
    outgoing.mark(doc_id, OutStatus.SIGNED, expect=OutStatus.SIGNING, action="outgoing.signed",
                  summary=f"Đã ký số ({doc.get('signed_by')})", table=table, signed_key=key,
                  signed_at=iso(utcnow()), signed_sha256=hashlib.sha256(signed).hexdigest(),
                  layout=layout)


def _sign(doc: dict[str, Any], table: Any) -> tuple[bytes, dict[str, Any]]:
    from dataclasses import asdict

    from chalicelib.adapters.signing.appearance import leader_stamp
    from chalicelib.adapters.signing.pdf import prepare, sign_leader
    from chalicelib.kernel.config import get_settings
    from chalicelib.organisation.store import Directory
    from chalicelib.outgoing import service as outgoing
    from chalicelib.outgoing.store import OutgoingStore
    from chalicelib.signing import keys as signing_keys

    signer = doc.get("signed_by") or doc["signer"]
    authority = doc.get("signing_authority", doc["authority"])
    version = OutgoingStore(table).version(doc["id"], int(doc["current_version"])) or {}
    if version.get("composed") and (signer != doc["signer"] or authority != doc["authority"]):
        # A delegate signs: the printed signature block names who really signs.
        composed = outgoing.composed_draft(doc, body=doc.get("body") or "",
                                     recipients=doc.get("noi_nhan") or [], table=table,
                                     signer=signer, authority=authority)
        pdf, stored_layout = composed["pdf"], composed["layout"]
        layout = _layout({"layout": stored_layout}, pdf)
    else:
        pdf = _s3_get(doc["current_key"])
        layout = _layout(doc, pdf)
    settings = get_settings()
    prepared = prepare(pdf, layout=layout, verify_url=f"{settings.public_base_url}/verify/"
                       f"{doc['code']}", code=doc["code"])
    profile = Directory(table).user(signer) or {}
    image = _s3_get(profile["signature_key"]) if profile.get("signature_key") else None
    position = str(profile.get("title") or "")
    if authority:
        position = f"{authority} {agency_profile(table)['head_title']} — {position}"
    # The seal is stamped at issuance over the signature's left: its text keeps clear.
    sig, seal = layout.signature, layout.seal
    under_seal = seal.x + seal.width - sig.x if seal.page == sig.page else 0.0
    appearance = leader_stamp(width=sig.width, height=sig.height,
                              full_name=str(profile.get("full_name") or signer),
                              position=position, signed_at=utcnow(), signature_png=image,
                              clear_left=max(0.0, min(under_seal, sig.width)))
    signed = sign_leader(prepared, signer=signing_keys.signer_for(signer, table),
                         box=layout.signature, appearance_pdf=appearance)
    return signed, {name: asdict(getattr(layout, name))
                    for name in ("number", "date", "signature", "seal", "qr")}


# ---------------------------------------------------------------- the clerk issues

@subscribe("outgoing.issue_requested", name="issue_outgoing", needs=("table",))
def issue_outgoing(event: DomainEvent, table: Table) -> None:
    from chalicelib.outgoing import service as outgoing

    waiting = _waiting(event, OutStatus.ISSUING, table)
    if waiting is None:
        return
    table, doc = waiting
    doc_id = doc["id"]
    try:
        issued = _with_retries(lambda: _issue(doc, table))
        key = f"outgoing/{doc_id}/issued.pdf"
        _with_retries(lambda: _s3_put(key, issued, lock=True))
    except Exception as exc:  # noqa: BLE001
        logger.exception("issuing failed", extra={"doc": doc_id})
        outgoing.mark(doc_id, OutStatus.ISSUE_FAILED, expect=OutStatus.ISSUING,
                      action="outgoing.issue_failed",
                      summary="Phát hành không thành công (giữ nguyên số đã cấp)",
                      failure=_failure(exc), table=table)
        return
    pause_point("outgoing.issue")  # crash tests: sealed and stored, not yet recorded
    outgoing.mark(doc_id, OutStatus.ISSUED, expect=OutStatus.ISSUING, action="outgoing.issued",
                  summary=f"Đã phát hành {doc['number_text']}", table=table, issued_key=key,
                  issued_at=iso(utcnow()), issued_sha256=hashlib.sha256(issued).hexdigest(),
                  issued_size=len(issued),
                  events=[DomainEvent("outgoing.issued", outgoing.chain_of(doc_id),
                                      {"id": doc_id})])


def _issue(doc: dict[str, Any], table: Any) -> bytes:
    from chalicelib.adapters.signing.appearance import seal_stamp
    from chalicelib.adapters.signing.pdf import issue
    from chalicelib.kernel.numbering import number_line
    from chalicelib.signing import keys as signing_keys
    from chalicelib.signing.store import SigningStore

    signed = _s3_get(doc["signed_key"])
    layout = _layout(doc, signed)
    agency = agency_profile(table)
    seal_key = SigningStore(table).seal_image()
    seal_png = _s3_get(seal_key) if seal_key else None
    appearance = seal_stamp(width=layout.seal.width, height=layout.seal.height,
                            agency_name=agency["name"], signed_at=utcnow(), seal_png=seal_png)
    return bytes(issue(signed, number_text=number_line(doc["number_text"]),
                       date_text=doc["date_line"], layout=layout,
                       seal_signer=signing_keys.signer_for(signing_keys.AGENCY, table),
                       seal_appearance_pdf=appearance))


# ---------------------------------------------------------------- delivery

def _delivery_link(doc: dict[str, Any], table: Any, recipient: str) -> str:
    """A link that stays valid for LINK_DAYS: it names a delivery record, and the
    public route signs a fresh short-lived S3 URL at each use (presigned URLs
    made with a Lambda role's credentials expire with the role's session)."""
    from chalicelib.kernel.config import get_settings
    from chalicelib.outgoing.store import OutgoingStore

    token = secrets.token_urlsafe(24)
    expires = utcnow() + timedelta(days=LINK_DAYS)
    OutgoingStore(table).add_delivery(token, doc_id=doc["id"], recipient=recipient,
                                      expires_at=iso(expires),
                                      ttl=int(expires.timestamp()) + 86400)
    return f"{get_settings().public_base_url}/d/{token}"


@subscribe("outgoing.issued", name="deliver_external", needs=("mailer", "table"))
def deliver_external(event: DomainEvent, mailer: Mailer, table: Table) -> None:
    from chalicelib.outgoing.store import OutgoingStore
    from chalicelib.outputs.mail import compose_mail

    doc = OutgoingStore(table).get(event.payload["id"])
    if doc is None or doc.get("do_mat"):
        return  # secret documents never travel by e-mail
    recipients = doc.get("recipients_external") or []
    if not recipients:
        return
    data = _s3_get(doc["issued_key"]) if int(doc.get("issued_size") or 0) <= ATTACH_LIMIT \
        else None
    name = f"{doc['number_text'].replace('/', '_')}.pdf"
    for recipient in recipients:
        context = {"doc": doc, "recipient_name": recipient.get("name") or recipient["email"],
                   "link": _delivery_link(doc, table, recipient["email"]),
                   "days": LINK_DAYS, "attached": data is not None}
        compose_mail("outgoing_issued", context, [recipient["email"]],
                     attachments=[(name, "application/pdf", data)] if data else ()
                     ).send(mailer)


@subscribe("outgoing.issued", name="deliver_internal", needs=("table",))
def deliver_internal(event: DomainEvent, table: Table) -> None:
    """Units of the agency receive the document as an incoming document."""
    from datetime import date

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata, Urgency
    from chalicelib.kernel.access import Secrecy
    from chalicelib.organisation.store import Directory
    from chalicelib.outgoing.store import OutgoingStore

    store = OutgoingStore(table)
    doc = store.get(event.payload["id"])
    if doc is None or not doc.get("recipients_internal") or doc.get("delivered_incoming"):
        return
    agency = agency_profile(table)
    profile = Directory(table).user(doc.get("signed_by") or doc["signer"]) or {}
    meta = Metadata(so_ky_hieu=doc["number_text"], co_quan_ban_hanh=agency["name"],
                    ngay_ban_hanh=date.fromisoformat(doc["issued_on"]),
                    loai_van_ban=doc["type_name"], trich_yeu=doc["subject"],
                    do_khan=Urgency(doc["do_khan"]),
                    nguoi_ky=str(profile.get("full_name") or ""))
    people: list[str] = []
    if doc.get("do_mat"):
        # A secret copy goes to the heads of the receiving units by name only.
        from chalicelib.organisation.service import list_users

        people = [u["username"] for u in list_users(table=table)
                  if "unit_head" in u["roles"] and u.get("unit") in doc["recipients_internal"]
                  and u["status"] == "active"]
    registered = incoming.register(
        None, meta, arrival=utcnow(), source="internal",
        file={"key": doc["issued_key"], "sha256": doc["issued_sha256"],
              "name": f"{doc['number_text']}.pdf"},
        secrecy=Secrecy(doc.get("do_mat") or ""), units=doc["recipients_internal"],
        people=people, table=table)
    store.note_delivered_incoming(doc["id"], [registered["id"]])


@subscribe("outgoing.issued", name="close_replaced", needs=("table",))
def close_replaced(event: DomainEvent, table: Table) -> None:
    """The replacing document is out: the one it replaces is marked and frozen."""
    from chalicelib.outgoing import service as outgoing
    from chalicelib.outgoing.store import OutgoingStore

    doc = OutgoingStore(table).get(event.payload["id"])
    if doc is None or not doc.get("replaces"):
        return
    for expect in (OutStatus.ISSUED, OutStatus.RECALLED):
        done = outgoing.mark(doc["replaces"], OutStatus.REPLACED, expect=expect,
                             action="outgoing.replaced",
                             summary=f"Được thay thế bởi {doc['number_text']}", table=table,
                             replaced_by=doc["id"], replaced_by_number=doc["number_text"],
                             events=[DomainEvent("outgoing.recalled",
                                                 outgoing.chain_of(doc["replaces"]),
                                                 {"id": doc["replaces"], "reason":
                                                  f"Được thay thế bởi {doc['number_text']}"})])
        if done:
            return


@subscribe("outgoing.issued", name="record_answer", needs=("table",))
def record_answer(event: DomainEvent, table: Table) -> None:
    """The incoming document this one answers shows the answer's number (the
    handling-tracking register's "Số, ký hiệu văn bản trả lời")."""
    from chalicelib.incoming import service as incoming
    from chalicelib.outgoing.store import OutgoingStore

    doc = OutgoingStore(table).get(event.payload["id"])
    if doc is None or not doc.get("answers"):
        return
    incoming.note_answer(doc["answers"], number_text=doc["number_text"], answer_id=doc["id"],
                         table=table)


@subscribe("outgoing.recalled", name="tell_recall", needs=("mailer", "table"))
def tell_recall(event: DomainEvent, mailer: Mailer, table: Table) -> None:
    """Recipients are told; the internal copies are marked recalled."""
    from chalicelib.incoming import service as incoming
    from chalicelib.outgoing.store import OutgoingStore
    from chalicelib.outputs.mail import compose_mail

    doc = OutgoingStore(table).get(event.payload["id"])
    if doc is None:
        return
    for incoming_id in doc.get("delivered_incoming") or []:
        incoming.note_recalled(incoming_id, reason=event.payload.get("reason") or "",
                               at=iso(utcnow()), table=table)
    if doc.get("do_mat"):
        return
    for recipient in doc.get("recipients_external") or []:
        context = {"doc": doc, "recipient_name": recipient.get("name") or recipient["email"],
                   "reason": event.payload.get("reason") or ""}
        compose_mail("outgoing_recalled", context, [recipient["email"]]).send(mailer)

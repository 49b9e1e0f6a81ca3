"""Our packets: an issued outgoing document as an edXML document packet, a
status answer, each signed with the agency's key in KMS (the private key never
leaves it) and handed to the transport."""

from __future__ import annotations

import base64
import uuid
from datetime import date
from typing import Any

from chalicelib.exchange import edxml
from chalicelib.exchange.edxml import Attachment, DocumentPacket, Header, Organ, StatusPacket, Trace
from chalicelib.exchange.rules import Business, Status, split_code
from chalicelib.kernel.events import iso, utcnow

PRIORITY = {"Thường": "0", "Khẩn": "1", "Thượng khẩn": "2", "Hỏa tốc": "3"}


def us(table: Any) -> Organ:
    from chalicelib.kernel.config import get_settings
    from chalicelib.organisation.service import agency_profile

    return Organ(get_settings().exchange_organ_id, agency_profile(table)["name"])


def document_id_of(doc: dict[str, Any], organ_id: str) -> str:
    from chalicelib.exchange.rules import document_id

    return document_id(organ_id, date.fromisoformat(doc["issued_on"]), doc["number_text"])


def document_packet(doc: dict[str, Any], to: Organ, *, table: Any, pdf: bytes,
                    business: Business, reason: str = "", refers_to: str = ""
                    ) -> DocumentPacket:
    from chalicelib.organisation.service import agency_profile
    from chalicelib.organisation.store import Directory

    number, notation = split_code(doc["number_text"])
    signer = Directory(table).user(doc.get("signed_by") or doc["signer"]) or {}
    sender = us(table)
    header = Header(
        sender=sender, recipients=(to,), code_number=number, code_notation=notation,
        place=agency_profile(table)["place"], promulgated=date.fromisoformat(doc["issued_on"]),
        type_code=doc["type_code"], type_name=doc["type_name"], subject=doc["subject"],
        signer_name=str(signer.get("full_name") or doc["signer"]),
        signer_position=str(signer.get("title") or ""),
        signer_competence=str(doc.get("signing_authority", doc.get("authority")) or ""),
        priority=PRIORITY.get(doc.get("do_khan") or "", "0"), business=business,
        business_reason=reason, refers_to=refers_to)
    name = f"{doc['number_text'].replace('/', '_')}.pdf"
    return DocumentPacket(header=header,
                          attachments=(Attachment(name, "application/pdf", pdf, doc["subject"]),),
                          traces=(Trace(sender.organ_id, iso(utcnow())),))


def status_packet(to: str, document_id: str, status: Status, *, table: Any,
                  description: str = "", staff: str = "") -> StatusPacket:
    sender = us(table)
    now = iso(utcnow())
    return StatusPacket(sender=sender, recipient=Organ(to), document_id=document_id,
                        status=status, timestamp=now, description=description, staff=staff,
                        traces=(Trace(sender.organ_id, now),))


def signed_bytes(packet: DocumentPacket | StatusPacket, table: Any) -> bytes:
    """The packet signed with the agency's KMS key and its certificate."""
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.signing.kms import SigningError, kms_sign
    from chalicelib.adapters.signing.pki import load_chain
    from chalicelib.exchange import xmlsig
    from chalicelib.signing import keys as signing_keys

    item = signing_keys.key_of(signing_keys.AGENCY, table)
    if not item or not item.get("chain_pem"):
        raise SigningError("Chưa có chứng thư số của cơ quan.",
                           "The agency has no certificate installed.")
    cert = load_chain(item["chain_pem"])[0]
    kms = client("kms")
    root = (edxml.build_document(packet) if isinstance(packet, DocumentPacket)
            else edxml.build_status(packet))
    xmlsig.sign(root, lambda data: kms_sign(kms, item["key_id"], data), cert.dump())
    return edxml.to_bytes(root)


def new_packet_id() -> str:
    return uuid.uuid4().hex


def certificate_b64(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")

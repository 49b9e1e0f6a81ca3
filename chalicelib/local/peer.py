"""A simulated peer agency on the local stand-in exchange.

It has its own RSA key (not one of ours in KMS: a foreign agency signs with its
own) kept in the documents bucket so that it survives a restart, is in our
agency directory with its certificate pinned, reads what we send it, and
answers or sends documents of its own as the platform would deliver them. A
test drives it in-process; a person drives it with ``python -m
chalicelib.local.peer`` against the running embedded AWS.
"""

from __future__ import annotations

import argparse
import base64
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.adapters.exchange_transport import StandIn
from chalicelib.exchange import edxml, xmlsig
from chalicelib.exchange.edxml import (
    Attachment,
    DocumentPacket,
    Header,
    Organ,
    StatusPacket,
    Trace,
)
from chalicelib.exchange.rules import Business, Status
from chalicelib.kernel.config import get_settings
from chalicelib.kernel.events import iso, utcnow

PEER = Organ("000.00.31.H26", "Sở Tài chính Hà Nội")
KEY_OBJECT = "exchange/peer/{organ}.json"


def make_key(name: str) -> tuple[Any, bytes]:
    """A new RSA-2048 key and a self-signed certificate (DER) naming the agency."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(private.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
            .sign(private, hashes.SHA256()))
    return private, cert.public_bytes(serialization.Encoding.DER)


def rsa_sign(private: Any, data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    return bytes(private.sign(data, padding.PKCS1v15(), hashes.SHA256()))


class Peer:
    def __init__(self, organ: Organ = PEER) -> None:
        self.organ = organ
        self.transport = StandIn()
        self._key: tuple[Any, bytes] | None = None

    def key(self) -> tuple[Any, bytes]:
        """The peer's key, made once and kept in the documents bucket."""
        if self._key is not None:
            return self._key
        from cryptography.hazmat.primitives import serialization

        s3, bucket = client("s3"), get_settings().documents_bucket
        where = KEY_OBJECT.format(organ=self.organ.organ_id)
        try:
            stored = json.loads(s3.get_object(Bucket=bucket, Key=where)["Body"].read())
            private = serialization.load_pem_private_key(stored["key"].encode(), password=None)
            self._key = private, base64.b64decode(stored["certificate"])
        except s3.exceptions.NoSuchKey:
            private, cert = make_key(self.organ.name)
            pem = private.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
            s3.put_object(Bucket=bucket, Key=where, Body=json.dumps(
                {"key": pem, "certificate": base64.b64encode(cert).decode()}).encode())
            self._key = private, cert
        return self._key

    def enrol(self) -> None:
        """Put the peer in our directory, its certificate pinned."""
        from chalicelib.bootstrap import table
        from chalicelib.exchange.service import exchange_for

        exchange_for(table()).seed_agency({"organ_id": self.organ.organ_id,
                                           "name": self.organ.name, "channel": "platform"},
                                          certificate=self.key()[1])

    def _send(self, root: Any) -> bytes:
        private, cert = self.key()
        data = edxml.to_bytes(xmlsig.sign(root, lambda b: rsa_sign(private, b), cert))
        self.transport.deliver_to_us(uuid.uuid4().hex, data)
        return data

    def inbox(self) -> list[DocumentPacket | StatusPacket]:
        """What we sent this peer since it last looked, checked and parsed."""
        out = []
        for _packet_id, data in self.transport.waiting_for(self.organ.organ_id):
            root = edxml.load(data)
            xmlsig.verify(root)
            out.append(edxml.parse(root))
        return out

    def answer(self, document_id: str, status: Status, description: str = "") -> bytes:
        now = iso(utcnow())
        return self._send(edxml.build_status(StatusPacket(
            sender=self.organ, recipient=Organ(get_settings().exchange_organ_id),
            document_id=document_id, status=status, timestamp=now, description=description,
            staff="Văn thư Sở Tài chính", traces=(Trace(self.organ.organ_id, now),))))

    def send_document(self, pdf: bytes, *, number: str, subject: str,
                      promulgated: date, business: Business = Business.NEW, reason: str = "",
                      refers_to: str = "", priority: str = "0") -> tuple[str, bytes]:
        """A document from the peer to us; returns its DocumentId and the packet."""
        header = Header(
            sender=self.organ, recipients=(Organ(get_settings().exchange_organ_id),),
            code_number=number, code_notation="STC-NS", place="Hà Nội", promulgated=promulgated,
            type_code="CV", type_name="Công văn", subject=subject, signer_name="Trần Thị Lan",
            signer_position="Phó Giám đốc", signer_competence="KT.", priority=priority,
            business=business, business_reason=reason, refers_to=refers_to)
        packet = DocumentPacket(header=header, attachments=(
            Attachment(f"{number}-STC.pdf", "application/pdf", pdf),),
            traces=(Trace(self.organ.organ_id, iso(utcnow())),))
        return header.document_id, self._send(edxml.build_document(packet))


def main() -> None:
    """Drive the peer by hand against the running local runtime (its env exported)."""
    parser = argparse.ArgumentParser(description="The simulated peer agency")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("inbox", help="show and answer 01 + 03 to what we received")
    answer = sub.add_parser("answer", help="answer a document with a status")
    answer.add_argument("document_id")
    answer.add_argument("status", choices=[s.value for s in Status])
    answer.add_argument("--reason", default="")
    send = sub.add_parser("send", help="send us a PDF as a document")
    send.add_argument("pdf")
    send.add_argument("--number", default="101")
    send.add_argument("--subject", default="Về việc phối hợp thẩm định dự án")
    args = parser.parse_args()
    peer = Peer()
    if args.command == "inbox":
        for packet in peer.inbox():
            print(packet)
            if isinstance(packet, DocumentPacket):
                peer.answer(packet.document_id, Status.ARRIVED)
                peer.answer(packet.document_id, Status.ACCEPTED)
    elif args.command == "answer":
        peer.answer(args.document_id, Status(args.status), args.reason)
    else:
        with open(args.pdf, "rb") as handle:
            print(peer.send_document(handle.read(), number=args.number, subject=args.subject,
                                     promulgated=date.today())[0])


if __name__ == "__main__":
    main()

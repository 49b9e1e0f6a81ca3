"""edXML packets: every header field, the trace list and the files survive a
round trip; the XML signature holds for the packet as signed and fails for any
change to it; hostile XML is refused with a reason, never an exception."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from chalicelib.exchange import edxml, xmlsig
from chalicelib.exchange.edxml import (
    Attachment,
    DocumentPacket,
    Header,
    Organ,
    StatusPacket,
    Trace,
)
from chalicelib.exchange.rules import Business, PacketError, Status
from tests.exchange_keys import self_signed

US = Organ("000.00.12.H26", "Sở Kế hoạch và Đầu tư Hà Nội")
PEER = Organ("000.00.31.H26", "Sở Tài chính Hà Nội")


@pytest.fixture(scope="module")
def key() -> tuple[object, bytes]:
    return self_signed("Sở Kế hoạch và Đầu tư Hà Nội")


def _packet(**changes: object) -> DocumentPacket:
    header = Header(
        sender=US, recipients=(PEER, Organ("000.00.32.H26", "Sở Xây dựng")),
        code_number="15", code_notation="SKHĐT-ĐKKD", place="Hà Nội",
        promulgated=date(2026, 12, 2), type_code="CV", type_name="Công văn",
        subject="V/v hướng dẫn đăng ký doanh nghiệp qua mạng", signer_name="Phạm Quốc Hùng",
        signer_position="Giám đốc", signer_competence="KT.", due=date(2026, 12, 16),
        priority="1", business=Business.REPLACE, business_reason="Sai sót thể thức",
        refers_to="000.00.12.H26,2026/11/30,12/SKHĐT-ĐKKD")
    header = Header(**{**header.__dict__, **changes})
    return DocumentPacket(header=header, attachments=(
        Attachment("15-SKHĐT.pdf", "application/pdf", b"%PDF-1.7 sample\x00\xff", "Văn bản"),
        Attachment("phu-luc.pdf", "application/pdf", b"%PDF-1.7 annex")),
        traces=(Trace(US.organ_id, "2026-12-02T03:00:00Z"),))


def _signed(packet: object, key: tuple[object, bytes]) -> bytes:
    private, cert = key
    root = (edxml.build_document(packet) if isinstance(packet, DocumentPacket)
            else edxml.build_status(packet))  # type: ignore[arg-type]
    return edxml.to_bytes(xmlsig.sign(root, lambda data: private.sign_pkcs1(data), cert))


def test_a_document_packet_round_trips_every_field(key):
    packet = _packet()
    data = _signed(packet, key)
    root = edxml.load(data)
    assert xmlsig.verify(root) == key[1]
    back = edxml.parse(root)
    assert back == packet
    assert back.document_id == "000.00.12.H26,2026/12/02,15/SKHĐT-ĐKKD"
    assert back.header.code == "15/SKHĐT-ĐKKD"


def test_a_packet_without_due_date_or_reference_round_trips(key):
    packet = _packet(due=None, refers_to="", business=Business.NEW, business_reason="",
                     signer_competence="")
    assert edxml.parse(edxml.load(_signed(packet, key))) == packet


@pytest.mark.parametrize("code", list(Status))
def test_a_status_packet_round_trips(key, code):
    packet = StatusPacket(sender=PEER, recipient=US,
                          document_id="000.00.12.H26,2026/12/02,15/SKHĐT-ĐKKD", status=code,
                          timestamp="2026-12-02T04:00:00Z",
                          description="Thiếu phụ lục" if code is Status.REFUSED else "",
                          staff="Nguyễn Văn A",
                          traces=(Trace(PEER.organ_id, "2026-12-02T04:00:00Z"),))
    root = edxml.load(_signed(packet, key))
    xmlsig.verify(root)
    assert edxml.parse(root) == packet


@pytest.mark.parametrize("change", [
    (b"V/v h\xc6\xb0\xe1\xbb\x9bng", b"V/v H\xc6\xb0\xe1\xbb\x9bng"),  # the subject
    (b"<edXML:CodeNumber>15<", b"<edXML:CodeNumber>16<"),
    (b"<edXML:Priority>1<", b"<edXML:Priority>3<"),
])
def test_a_tampered_packet_fails_its_signature_check(key, change):
    data = _signed(_packet(), key)
    assert change[0] in data
    root = edxml.load(data.replace(change[0], change[1], 1))
    with pytest.raises(PacketError) as caught:
        xmlsig.verify(root)
    assert caught.value.code == "signature"


def test_a_changed_attachment_fails_the_check(key):
    data = _signed(_packet(), key)
    old = base64.b64encode(b"%PDF-1.7 annex")
    new = base64.b64encode(b"%PDF-1.7 ANNEX")
    with pytest.raises(PacketError):
        xmlsig.verify(edxml.load(data.replace(old, new)))


def test_a_packet_signed_by_another_key_carries_that_certificate(key):
    """The signature verifies with the certificate inside it; the receiver then
    compares that certificate with the one the directory pins for the sender."""
    other = self_signed("Kẻ giả mạo")
    data = _signed(_packet(), other)
    assert xmlsig.verify(edxml.load(data)) == other[1] != key[1]


def test_a_swapped_certificate_fails(key):
    other = self_signed("Kẻ giả mạo")
    data = _signed(_packet(), key)
    swapped = data.replace(base64.b64encode(key[1]), base64.b64encode(other[1]))
    with pytest.raises(PacketError):
        xmlsig.verify(edxml.load(swapped))


@pytest.mark.parametrize("data", [
    b"", b"not xml", b"<a/>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&e;'
    b"</edXML:edXMLEnvelope>",
])
def test_hostile_or_broken_xml_is_refused_as_malformed(data):
    with pytest.raises(PacketError) as caught:
        edxml.parse(edxml.load(data))
    assert caught.value.code == "malformed"


def test_a_packet_over_the_limit_is_refused_before_parsing(key):
    data = _signed(_packet(), key)
    with pytest.raises(PacketError) as caught:
        edxml.load(data, max_bytes=len(data) - 1)
    assert caught.value.code == "too_large"


def test_a_document_id_that_disagrees_with_the_header_is_malformed(key):
    data = _signed(_packet(), key).replace(b",15/SKH", b",99/SKH")
    with pytest.raises(PacketError) as caught:
        edxml.parse(edxml.load(data))
    assert caught.value.code == "malformed"

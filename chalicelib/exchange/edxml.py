"""edXML packets (QCVN 102:2016/BTTTT): build and parse, with lxml.

A document packet carries the header (From, To, Code, promulgation place and
date, type, subject, signer, due date, priority, DocumentId), the trace list
with its business type (new, recall, update, replacement) and the files
base64-encoded; a status packet answers one document with a code 01–06. Both
are signed with an enveloped XML signature (``xmlsig``) over the whole packet.

Parsing refuses DTDs and entities (no XXE, no entity bombs) and anything over
the size limit before lxml sees it; every refusal is a ``PacketError`` whose
code says why, which is what the receiver answers with status 02.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.exchange.rules import Business, Status, clean_text, refusal

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
E = f"{{{NS}}}"
MAX_PACKET_BYTES = 64 * 1024 * 1024  # a 50 MiB PDF grows by a third in base64
DATE = "%Y/%m/%d"


@dataclass(frozen=True)
class Organ:
    organ_id: str
    name: str = ""


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes
    description: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Trace:
    organ_id: str
    timestamp: str  # ISO 8601 UTC


@dataclass(frozen=True)
class Header:
    sender: Organ
    recipients: tuple[Organ, ...]
    code_number: str
    code_notation: str
    place: str
    promulgated: date
    type_code: str
    type_name: str
    subject: str
    signer_name: str
    signer_position: str = ""
    signer_competence: str = ""  # "KT." / "TL." / "TM." …
    due: date | None = None
    priority: str = "0"  # 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc
    business: Business = Business.NEW
    business_reason: str = ""
    refers_to: str = ""  # the DocumentId a recall, update or replacement is about

    @property
    def code(self) -> str:
        return f"{self.code_number}/{self.code_notation}"

    @property
    def document_id(self) -> str:
        return f"{self.sender.organ_id},{self.promulgated.strftime(DATE)},{self.code}"


@dataclass(frozen=True)
class DocumentPacket:
    header: Header
    attachments: tuple[Attachment, ...] = ()
    traces: tuple[Trace, ...] = ()

    @property
    def document_id(self) -> str:
        return self.header.document_id


@dataclass(frozen=True)
class StatusPacket:
    sender: Organ
    recipient: Organ
    document_id: str
    status: Status
    timestamp: str
    description: str = ""  # the reason of a 02
    staff: str = ""
    traces: tuple[Trace, ...] = field(default=())


Packet = DocumentPacket | StatusPacket


# ---------------------------------------------------------------- building

def _el(parent: Any, name: str, text: str | None = None) -> Any:
    from lxml import etree

    child = etree.SubElement(parent, E + name)
    if text is not None:
        child.text = text
    return child


def _organ(parent: Any, name: str, organ: Organ) -> None:
    node = _el(parent, name)
    _el(node, "OrganId", organ.organ_id)
    _el(node, "OrganName", organ.name)


def _envelope() -> tuple[Any, Any, Any]:
    from lxml import etree

    root = etree.Element(E + "edXMLEnvelope", nsmap={"edXML": NS})
    header = _el(root, "edXMLHeader")
    body = _el(root, "edXMLBody")
    return root, header, body


def _traces(header: Any, traces: tuple[Trace, ...], business: Business, reason: str) -> None:
    node = _el(header, "TraceHeaderList")
    for trace in traces:
        one = _el(node, "TraceHeader")
        _el(one, "OrganId", trace.organ_id)
        _el(one, "Timestamp", trace.timestamp)
    biz = _el(node, "Bussiness")  # the standard's spelling
    _el(biz, "BussinessDocType", business.value)
    _el(biz, "BussinessDocReason", reason)


def build_document(packet: DocumentPacket) -> Any:
    """The unsigned packet as an lxml element (``xmlsig.sign`` signs it)."""
    h = packet.header
    root, header, body = _envelope()
    msg = _el(header, "MessageHeader")
    _organ(msg, "From", h.sender)
    for organ in h.recipients:
        _organ(msg, "To", organ)
    _el(msg, "DocumentId", h.document_id)
    code = _el(msg, "Code")
    _el(code, "CodeNumber", h.code_number)
    _el(code, "CodeNotation", h.code_notation)
    prom = _el(msg, "PromulgationInfo")
    _el(prom, "Place", h.place)
    _el(prom, "PromulgationDate", h.promulgated.strftime(DATE))
    kind = _el(msg, "DocumentType")
    _el(kind, "Type", h.type_code)
    _el(kind, "TypeName", h.type_name)
    _el(msg, "Subject", h.subject)
    signer = _el(msg, "SignerInfo")
    _el(signer, "Competence", h.signer_competence)
    _el(signer, "Position", h.signer_position)
    _el(signer, "FullName", h.signer_name)
    _el(msg, "DueDate", h.due.strftime(DATE) if h.due else "")
    other = _el(msg, "OtherInfo")
    _el(other, "Priority", h.priority)
    if h.refers_to:
        _el(_el(msg, "ResponseFor"), "DocumentId", h.refers_to)
    _traces(header, packet.traces, h.business, h.business_reason)
    files = _el(body, "AttachmentEncoded")
    for i, att in enumerate(packet.attachments):
        one = _el(files, "Attachment")
        _el(one, "ContentId", f"file{i + 1}")
        _el(one, "ContentType", att.content_type)
        _el(one, "AttachmentName", att.name)
        _el(one, "Description", att.description)
        _el(one, "Value", base64.b64encode(att.data).decode("ascii"))
    return root


def build_status(packet: StatusPacket) -> Any:
    root, header, _body = _envelope()
    status = _el(header, "Status")
    _organ(status, "From", packet.sender)
    _organ(status, "To", packet.recipient)
    _el(_el(status, "ResponseFor"), "DocumentId", packet.document_id)
    _el(status, "StatusCode", packet.status.value)
    _el(status, "Description", packet.description)
    _el(status, "Timestamp", packet.timestamp)
    _el(_el(status, "StaffInfo"), "FullName", packet.staff)
    _traces(header, packet.traces, Business.NEW, "")
    return root


def to_bytes(root: Any) -> bytes:
    from lxml import etree

    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


# ---------------------------------------------------------------- parsing

def load(data: bytes, *, max_bytes: int | None = None) -> Any:
    """The packet's root element, refusing what is too large, not XML, or
    carries a DTD (entities are never expanded, nothing is fetched)."""
    from lxml import etree

    if len(data) > (max_bytes if max_bytes is not None else MAX_PACKET_BYTES):
        raise refusal("too_large")
    if not data.strip():
        raise refusal("malformed", "empty")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=True, remove_comments=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise refusal("malformed", str(exc)[:120]) from exc
    if root.getroottree().docinfo.doctype:
        raise refusal("malformed", "DOCTYPE")
    if root.tag != E + "edXMLEnvelope":
        raise refusal("malformed", "root")
    return root


def _one(parent: Any, path: str, *, required: bool = True) -> Any:
    found = parent.findall(path, {"e": NS})
    if len(found) > 1 or (required and not found):
        raise refusal("malformed", path.replace("e:", ""))
    return found[0] if found else None


def _text(parent: Any, path: str, limit: int = 500, *, required: bool = True) -> str:
    node = _one(parent, path, required=required)
    return clean_text(node.text or "", limit) if node is not None else ""


def _date(value: str, *, required: bool = True) -> date | None:
    if not value and not required:
        return None
    try:
        return datetime.strptime(value, DATE).date()
    except ValueError as exc:
        raise refusal("malformed", f"date {value!r}") from exc


def _organ_of(node: Any) -> Organ:
    from chalicelib.exchange.rules import ORGAN_ID

    organ = Organ(_text(node, "e:OrganId", 30), _text(node, "e:OrganName", 300,
                                                           required=False))
    if not ORGAN_ID.match(organ.organ_id):
        raise refusal("malformed", f"OrganId {organ.organ_id!r}")
    return organ


def _read_traces(header: Any) -> tuple[tuple[Trace, ...], Business, str]:
    node = _one(header, "e:TraceHeaderList")
    traces = tuple(Trace(_text(t, "e:OrganId", 30), _text(t, "e:Timestamp", 40))
                   for t in node.findall("e:TraceHeader", {"e": NS}))
    biz = _one(node, "e:Bussiness")
    try:
        business = Business(_text(biz, "e:BussinessDocType", 2))
    except ValueError as exc:
        raise refusal("malformed", "BussinessDocType") from exc
    return traces, business, _text(biz, "e:BussinessDocReason", 1000, required=False)


def parse(root: Any) -> Packet:
    """The packet an element holds (after ``load``; the signature is checked apart)."""
    header = _one(root, "e:edXMLHeader")
    status = _one(header, "e:Status", required=False)
    traces, business, reason = _read_traces(header)
    if status is not None:
        try:
            code = Status(_text(status, "e:StatusCode", 2))
        except ValueError as exc:
            raise refusal("malformed", "StatusCode") from exc
        return StatusPacket(
            sender=_organ_of(_one(status, "e:From")), recipient=_organ_of(_one(status, "e:To")),
            document_id=_text(status, "e:ResponseFor/e:DocumentId", 200),
            status=code, timestamp=_text(status, "e:Timestamp", 40),
            description=_text(status, "e:Description", 1000, required=False),
            staff=_text(status, "e:StaffInfo/e:FullName", 200, required=False), traces=traces)
    msg = _one(header, "e:MessageHeader")
    recipients = tuple(_organ_of(t) for t in msg.findall("e:To", {"e": NS}))
    if not recipients:
        raise refusal("malformed", "To")
    h = Header(
        sender=_organ_of(_one(msg, "e:From")), recipients=recipients,
        code_number=_text(msg, "e:Code/e:CodeNumber", 10),
        code_notation=_text(msg, "e:Code/e:CodeNotation", 100),
        place=_text(msg, "e:PromulgationInfo/e:Place", 100, required=False),
        promulgated=_date(_text(msg, "e:PromulgationInfo/e:PromulgationDate", 20)),  # type: ignore[arg-type]
        type_code=_text(msg, "e:DocumentType/e:Type", 10, required=False),
        type_name=_text(msg, "e:DocumentType/e:TypeName", 100, required=False),
        subject=_text(msg, "e:Subject", 500),
        signer_name=_text(msg, "e:SignerInfo/e:FullName", 200, required=False),
        signer_position=_text(msg, "e:SignerInfo/e:Position", 200, required=False),
        signer_competence=_text(msg, "e:SignerInfo/e:Competence", 20, required=False),
        due=_date(_text(msg, "e:DueDate", 20, required=False), required=False),
        priority=_text(msg, "e:OtherInfo/e:Priority", 2, required=False) or "0",
        business=business, business_reason=reason,
        refers_to=_text(msg, "e:ResponseFor/e:DocumentId", 200, required=False))
    if not h.code_number.isdigit() or not h.code_notation:
        raise refusal("malformed", "Code")
    stated = _text(msg, "e:DocumentId", 200)
    if stated != h.document_id:
        raise refusal("malformed", "DocumentId")
    files = []
    body = _one(root, "e:edXMLBody")
    for att in body.findall("e:AttachmentEncoded/e:Attachment", {"e": NS}):
        try:
            data = base64.b64decode((_one(att, "e:Value").text or "").encode("ascii"),
                                    validate=True)
        except (binascii.Error, ValueError) as exc:
            raise refusal("malformed", "Attachment") from exc
        files.append(Attachment(name=_text(att, "e:AttachmentName", 200),
                                content_type=_text(att, "e:ContentType", 100),
                                data=data,
                                description=_text(att, "e:Description", 500, required=False)))
    return DocumentPacket(header=h, attachments=tuple(files), traces=traces)


def sender_of(root: Any) -> str | None:
    """The sender's OrganId as the packet states it, read leniently: a packet
    refused for another reason is still answered to whoever sent it."""
    from chalicelib.exchange.rules import ORGAN_ID

    for path in ("e:edXMLHeader/e:MessageHeader/e:From/e:OrganId",
                 "e:edXMLHeader/e:Status/e:From/e:OrganId"):
        found = root.findall(path, {"e": NS})
        if len(found) == 1 and ORGAN_ID.match((found[0].text or "").strip()):
            return str(found[0].text).strip()
    return None


def document_id_of(root: Any) -> str:
    found = root.findall("e:edXMLHeader/e:MessageHeader/e:DocumentId", {"e": NS})
    return clean_text(found[0].text or "", 200) if len(found) == 1 else ""

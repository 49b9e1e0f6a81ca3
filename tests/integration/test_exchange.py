"""Inter-agency exchange end to end in moto, against the stand-in exchange and
its simulated peer agency (chalicelib/local/peer.py):

- the department issues to the peer: the signed edXML packet reaches it, the
  peer's status packets come back through intake, and the document page's
  exchange view shows 01 → 03 → 04 → 05 → 06 in order; a recall reaches it;
- the peer sends a document: it is registered from the header, the peer hears
  01 and 03, then 04, 05, 06 as the handling flow moves; its recall withdraws it
  (shown, handling refused, pending actions ended, the peer told with a 02);
- an update goes as business type 2, a replacement as type 3 to every agency
  the original reached;
- bad packets are kept, marked and answered with 02; the consumer never fails.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib.exchange.edxml import DocumentPacket, StatusPacket
from chalicelib.exchange.rules import Business, Status
from tests.aws import drain_workflow
from tests.integration.test_outgoing import _approved
from tests.pdfs import make_pdf

CORPUS = Path(__file__).resolve().parents[1] / "exchange_corpus"


def _body(resp: Any) -> Any:
    return json.loads(resp.body)


def _ingest() -> None:
    import app as app_module
    from chalicelib.local.pump import pollers_for

    pollers = {p.name: p for p in pollers_for(app_module.app, boto3.client("sqs"),
                                              "ap-southeast-1")}
    pollers["on_intake_notification"].drain()


def _settle() -> None:
    """Deliver everything: packets in, the steps they cause, packets out."""
    for _ in range(4):
        _ingest()
        if not drain_workflow():
            break


@pytest.fixture
def peer(aws_env: dict[str, str]) -> Any:
    from chalicelib.local.peer import Peer

    p = Peer()
    p.enrol()
    return p


def test_issued_to_the_peer_the_sender_sees_each_status_in_order(pki, people, peer,
                                                                 monkeypatch):
    doc_id = _approved(people)
    clerk = people["vanthu"]
    resp = clerk.send("POST", f"/api/exchange/outgoing/{doc_id}/recipients",
                      {"organ_ids": [peer.organ.organ_id]})
    assert resp.status_code == 200, resp.body
    assert _body(resp)["recipients"][0]["state"] == "chosen"
    assert people["giamdoc"].send("POST", f"/api/outgoing/{doc_id}/sign").status_code == 200
    drain_workflow()
    assert clerk.send("POST", f"/api/outgoing/{doc_id}/issue").status_code == 200
    drain_workflow()
    doc = _body(clerk.get(f"/api/outgoing/{doc_id}"))
    assert doc["status"] == "issued", doc.get("failure")

    (packet,) = peer.inbox()
    assert isinstance(packet, DocumentPacket)
    h = packet.header
    assert h.code == doc["number_text"] and h.subject == doc["subject"]
    assert h.business is Business.NEW and h.recipients[0].organ_id == peer.organ.organ_id
    assert packet.document_id == (f"000.00.12.H26,{date.fromisoformat(doc['issued_on']):%Y/%m/%d},"
                                  f"{doc['number_text']}")
    issued = boto3.client("s3").get_object(Bucket=__import__("os").environ["DOCUMENTS_BUCKET"],
                                           Key=doc["issued_key"])["Body"].read()
    assert packet.attachments[0].data == issued
    sent = _recipient(clerk, doc_id, peer.organ.organ_id)
    assert sent["state"] == "sent" and sent["status"] is None

    seen = []
    for status in (Status.ARRIVED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS,
                   Status.DONE):
        peer.answer(packet.document_id, status)
        _settle()
        recipient = _recipient(clerk, doc_id, peer.organ.organ_id)
        seen.append((recipient["status"], recipient["status_label"]))
        assert recipient["status_at"]
    assert seen == [("01", "Đã đến"), ("03", "Đã tiếp nhận"), ("04", "Phân công"),
                    ("05", "Đang xử lý"), ("06", "Hoàn thành")]
    assert [h["status"] for h in recipient["history"]] == ["01", "03", "04", "05", "06"]
    # The drafter sees it too; someone outside the document's scope does not.
    assert people["chuyenvien"].get(f"/api/exchange/outgoing/{doc_id}").status_code == 200

    _failed_send_is_visible_and_resent(people, doc_id, monkeypatch)
    _update_goes_as_business_type_2(people, doc_id, peer, packet.document_id)

    # A replacement goes to every agency the original reached, as business type 3
    # naming it; the original's recall is not sent besides (the replacement withdraws it).
    new = _issued_replacement(people, doc_id)
    (replacing,) = peer.inbox()
    assert isinstance(replacing, DocumentPacket)
    assert replacing.header.business is Business.REPLACE
    assert replacing.header.refers_to == packet.document_id
    assert replacing.header.code == new["number_text"]
    assert _recipient(clerk, new["id"], peer.organ.organ_id)["state"] == "sent"
    assert _body(clerk.get(f"/api/outgoing/{doc_id}"))["status"] == "replaced"

    recall = _asked_with_reason(clerk, f"/api/outgoing/{new['id']}/recall", "Sai thể thức",
                                peer, Business.RECALL)
    assert recall.document_id == replacing.document_id
    # The recipient confirms with a 02 naming the recall (edXML has no code for it).
    peer.answer(recall.document_id, Status.REFUSED, "Đã thu hồi theo yêu cầu của cơ quan gửi")
    _settle()
    confirmed = _recipient(clerk, new["id"], peer.organ.organ_id)
    assert (confirmed["status"], confirmed["status_label"]) == (
        "02", "Đã thu hồi (cơ quan nhận xác nhận)")


def _update_goes_as_business_type_2(people: Any, doc_id: str, peer: Any,
                                    document_id: str) -> None:
    clerk, url = people["vanthu"], f"/api/exchange/outgoing/{doc_id}/update"
    assert people["chuyenvien"].send("POST", url, {"reason": "Sửa trích yếu"}).status_code == 403
    resp = clerk.send("POST", url, {"reason": "   "})
    assert resp.status_code == 400
    assert [f["path"] for f in _body(resp)["error"]["fields"]] == ["reason"]
    update = _asked_with_reason(clerk, url, "Sửa trích yếu", peer, Business.UPDATE)
    assert update.document_id == document_id and update.attachments
    assert _recipient(clerk, doc_id, peer.organ.organ_id)["update_sent_at"]


def _asked_with_reason(clerk: Any, url: str, reason: str, peer: Any,
                       business: Business) -> DocumentPacket:
    """The clerk's request (a recall, an update) reaches the agency as one packet
    of its business type, with the reason given."""
    resp = clerk.send("POST", url, {"reason": reason})
    assert resp.status_code == 200, resp.body
    drain_workflow()
    (packet,) = peer.inbox()
    assert isinstance(packet, DocumentPacket)
    assert packet.header.business is business
    assert packet.header.business_reason == reason
    return packet


def _issued_replacement(people: Any, doc_id: str) -> dict[str, Any]:
    officer = people["chuyenvien"]
    resp = officer.send("POST", f"/api/outgoing/{doc_id}/replace", {"reason": "Sửa nội dung"})
    assert resp.status_code == 200, resp.body
    new_id = _body(resp)["id"]
    resp = officer.send("POST", f"/api/outgoing/{new_id}/compose", {
        "body": "Sở Kế hoạch và Đầu tư hướng dẫn lại việc đăng ký doanh nghiệp.",
        "recipients": ["Như trên;", "Lưu: VT, ĐKKD."]})
    assert resp.status_code == 200, resp.body
    assert officer.send("POST", f"/api/outgoing/{new_id}/submit",
                        {"comment": "Kính trình"}).status_code == 200
    for reviewer in ("truongphong", "chanhvanphong", "giamdoc"):
        resp = people[reviewer].send("POST", f"/api/outgoing/{new_id}/review",
                                     {"approve": True, "comment": "Đồng ý"})
        assert resp.status_code == 200, (reviewer, resp.body)
    assert people["giamdoc"].send("POST", f"/api/outgoing/{new_id}/sign").status_code == 200
    drain_workflow()
    assert people["vanthu"].send("POST", f"/api/outgoing/{new_id}/issue").status_code == 200
    drain_workflow()
    new = _body(people["vanthu"].get(f"/api/outgoing/{new_id}"))
    assert new["status"] == "issued", new.get("failure")
    return new


def _failed_send_is_visible_and_resent(people: Any, doc_id: str, monkeypatch: Any) -> None:
    """Sent after issuance to a second agency while the exchange is down: the
    failure shows on the document and in the clerks' inbox until one resends."""
    from chalicelib.adapters import exchange_transport
    from chalicelib.exchange import steps
    from chalicelib.exchange.edxml import Organ
    from chalicelib.local.peer import Peer

    other = Peer(Organ("000.00.32.H26", "Sở Xây dựng Hà Nội"))
    other.enrol()
    clerk = people["vanthu"]

    def down(self: Any, to: str, packet_id: str, data: bytes) -> None:
        raise exchange_transport.TransportError("platform down")

    with monkeypatch.context() as patched:
        patched.setattr(exchange_transport.StandIn, "send", down)
        patched.setattr(steps.time, "sleep", lambda _s: None)
        resp = clerk.send("POST", f"/api/exchange/outgoing/{doc_id}/recipients",
                          {"organ_ids": [other.organ.organ_id]})
        assert resp.status_code == 200, resp.body
        drain_workflow()
    failed = _recipient(clerk, doc_id, other.organ.organ_id)
    assert failed["state"] == "failed" and failed["failure"]["message"]
    work = _body(clerk.get("/api/work/mine"))["items"]
    assert any("Gửi lại liên thông" in w["title"] for w in work), work
    retry = f"/api/exchange/outgoing/{doc_id}/recipients/{other.organ.organ_id}/retry"
    assert people["chuyenvien"].send("POST", retry).status_code == 403
    resp = clerk.send("POST", retry)
    assert resp.status_code == 200, resp.body
    drain_workflow()
    assert _recipient(clerk, doc_id, other.organ.organ_id)["state"] == "sent"
    assert len(other.inbox()) == 1
    work = _body(clerk.get("/api/work/mine"))["items"]
    assert not any("Gửi lại liên thông" in w["title"] for w in work)


def _recipient(session: Any, doc_id: str, organ_id: str) -> dict[str, Any]:
    found = _body(session.get(f"/api/exchange/outgoing/{doc_id}"))["recipients"]
    return next(r for r in found if r["organ_id"] == organ_id)


def _statuses(peer: Any) -> list[tuple[str, str]]:
    return [(p.status.value, p.description) for p in peer.inbox()
            if isinstance(p, StatusPacket)]


def test_a_document_from_the_peer_is_registered_handled_and_recalled(pki, people, peer, as_role,
                                                                     monkeypatch):
    pdf = make_pdf(["SO TAI CHINH HA NOI", "So: 101/STC-NS"])
    document_id, _ = peer.send_document(pdf, number="101",
                                        subject="Về việc phối hợp thẩm định dự án",
                                        promulgated=date(2026, 11, 30), priority="1")
    _settle()
    clerk = people["vanthu"]
    (record,) = _body(clerk.get("/api/exchange/packets"))["packets"]
    assert record["outcome"] == "registered" and record["document_id"] == document_id
    doc_id = record["incoming_id"]
    leader, head, officer = as_role("leader"), as_role("unit_head"), as_role("officer")
    doc = _body(leader.get(f"/api/incoming/{doc_id}"))
    assert doc["so_ky_hieu"] == "101/STC-NS" and doc["co_quan_ban_hanh"] == "Sở Tài chính Hà Nội"
    assert doc["trich_yeu"] == "Về việc phối hợp thẩm định dự án"
    assert doc["ngay_ban_hanh"] == "2026-11-30" and doc["do_khan"] == "Khẩn"
    assert doc["source"] == "edxml"
    assert _statuses(peer) == [("01", ""), ("03", "")]

    from chalicelib.calendar.service import agency_calendar

    due = agency_calendar().working_day_on_or_after(
        date.fromisoformat(doc["arrival_at"][:10]) + timedelta(days=7)).isoformat()
    resp = leader.send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": due, "instruction": "Chủ trì",
        "supporting": [], "version": doc["version"]})
    assert resp.status_code == 200, resp.body
    _settle()
    assert _statuses(peer) == [("04", "")]
    version = _body(head.get(f"/api/incoming/{doc_id}"))["version"]
    resp = head.send("POST", f"/api/incoming/{doc_id}/assign", {
        "officers": [{"username": "chuyenvien", "part": "lead"}], "version": version})
    assert resp.status_code == 200, resp.body
    _settle()
    assert _statuses(peer) == [("05", "")]
    resp = officer.send("POST", f"/api/incoming/{doc_id}/complete", {"result": "Đã phối hợp"})
    assert resp.status_code == 200 and _body(resp)["document_completed"], resp.body
    _settle()
    assert _statuses(peer) == [("06", "")]

    # The same packet again (the platform redelivers): no second registration.
    peer.send_document(pdf, number="101", subject="Về việc phối hợp thẩm định dự án",
                       promulgated=date(2026, 11, 30), priority="1")
    _settle()
    assert _body(clerk.get("/api/exchange/packets"))["packets"][0]["outcome"] == "duplicate"

    peer.send_document(pdf, number="101", subject="Về việc phối hợp thẩm định dự án",
                       promulgated=date(2026, 11, 30), business=Business.RECALL,
                       reason="Ban hành nhầm")
    _settle()
    assert _body(clerk.get("/api/exchange/packets"))["packets"][0]["outcome"] == "recalled"
    from chalicelib.adapters.dynamo import Table
    from chalicelib.incoming.store import IncomingStore

    stored = IncomingStore(Table()).get(doc_id)
    assert stored["recalled"] is True and stored["recall_reason"] == "Ban hành nhầm"
    # Art. 18: the sender is told, as a 02 naming the recall (edXML has no code for it).
    assert _statuses(peer) == [("02", "Đã thu hồi theo yêu cầu của cơ quan gửi: Ban hành nhầm")]
    shown = _body(leader.get(f"/api/incoming/{doc_id}"))
    assert shown["recalled"] is True and shown["recall_reason"] == "Ban hành nhầm"
    assert shown["recalled_at"]

    _recalled_before_handling_leaves_every_inbox(people, peer, pdf, leader)

    # One set-up for both (the PKI and the sessions are the slow part).
    _bad_packets_are_kept_marked_and_answered_with_02(people, peer, monkeypatch)


def _recalled_before_handling_leaves_every_inbox(people: Any, peer: Any, pdf: bytes,
                                                leader: Any) -> None:
    """Recalled while waiting for the leader: the leader's pending action ends in
    the recall's transaction, and handling it is refused with a 409 naming why."""
    peer.send_document(pdf, number="102", subject="Về việc lấy ý kiến dự thảo",
                       promulgated=date(2026, 12, 1))
    _settle()
    (record, *_) = _body(people["vanthu"].get("/api/exchange/packets"))["packets"]
    assert record["outcome"] == "registered"
    doc_id = record["incoming_id"]

    def waiting() -> list[str]:
        return [w["link"] for w in _body(leader.get("/api/work/mine"))["items"]
                if doc_id in (w.get("link") or "")]

    assert waiting()
    version = _body(leader.get(f"/api/incoming/{doc_id}"))["version"]
    _statuses(peer)  # 01 and 03, read off
    peer.send_document(pdf, number="102", subject="Về việc lấy ý kiến dự thảo",
                       promulgated=date(2026, 12, 1), business=Business.RECALL,
                       reason="Gửi nhầm")
    _settle()
    assert waiting() == []
    resp = leader.send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": "2099-01-05", "instruction": "Chủ trì",
        "supporting": [], "version": version + 1})
    assert resp.status_code == 409 and _body(resp)["error"]["code"] == "recalled", resp.body
    assert _statuses(peer) == [("02", "Đã thu hồi theo yêu cầu của cơ quan gửi: Gửi nhầm")]


def _bad_packets(peer: Any) -> dict[str, tuple[bytes, str | None]]:
    """Each bad packet with the refusal code it must get (the files of the corpus,
    and those that need the peer's key to be made)."""
    from chalicelib.exchange import edxml

    good_pdf = make_pdf(["Cong van"])
    _, packet = peer.send_document.__func__(  # type: ignore[attr-defined]
        _Silent(peer), good_pdf, number="7", subject="Văn bản thử", promulgated=date(2026, 12, 1))
    # The corpus: each file's name says the refusal it must get ("malformed__xxe.xml").
    cases: dict[str, tuple[bytes, str | None]] = {
        name.stem: (name.read_bytes(), name.stem.split("__")[0])
        for name in sorted(CORPUS.glob("*.xml"))}
    cases["tampered"] = (packet.replace("Văn bản thử".encode(), "Văn bản giả".encode()),
                         "signature")
    stranger = __import__("chalicelib.local.peer", fromlist=["Peer"]).Peer(
        edxml.Organ("000.00.99.H26", "Cơ quan lạ"))
    _, unknown = stranger.send_document.__func__(  # type: ignore[attr-defined]
        _Silent(stranger), good_pdf, number="8", subject="Không rõ", promulgated=date(2026, 12, 1))
    cases["unknown_sender"] = (unknown, "unknown_sender")
    _, broken_pdf = peer.send_document.__func__(  # type: ignore[attr-defined]
        _Silent(peer), _broken_signed_pdf(), number="9", subject="Chữ ký hỏng",
        promulgated=date(2026, 12, 1))
    cases["pdf_signature"] = (broken_pdf, "pdf_signature")
    return cases


class _Silent:
    """The peer, building and signing a packet without delivering it."""

    def __init__(self, peer: Any) -> None:
        self.organ, self.key, self._peer = peer.organ, peer.key, peer

    def _send(self, root: Any) -> bytes:
        from chalicelib.exchange import edxml, xmlsig
        from chalicelib.local.peer import rsa_sign

        private, cert = self.key()
        return edxml.to_bytes(xmlsig.sign(root, lambda b: rsa_sign(private, b), cert))


def _broken_signed_pdf() -> bytes:
    """A PDF signed (pyHanko, a throw-away key) and then altered inside the signed range."""
    import io

    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.general import load_cert_from_pemder

    from chalicelib.local.peer import make_key

    private, cert = make_key("Người ký thử")
    key_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "k.pem").write_bytes(key_pem)
        Path(tmp, "c.der").write_bytes(cert)
        signer = signers.SimpleSigner.load(str(Path(tmp, "k.pem")), str(Path(tmp, "c.der")))
        assert signer is not None and load_cert_from_pemder
        out = io.BytesIO()
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(make_pdf(["Ky so"]))),
                         signers.PdfSignatureMetadata(field_name="Sig1"), signer=signer,
                         output=out)
    data = out.getvalue()
    return data.replace(b"Ky so", b"Ky SO", 1)


def _bad_packets_are_kept_marked_and_answered_with_02(people: Any, peer: Any,
                                                      monkeypatch: Any) -> None:
    from chalicelib.adapters.exchange_transport import StandIn
    from chalicelib.exchange import edxml

    cases = _bad_packets(peer)
    monkeypatch.setattr(edxml, "MAX_PACKET_BYTES", 200_000)
    cases["too_large"] = (b"<x>" + b"a" * 200_001 + b"</x>", "too_large")
    names = {}
    for name, (data, _code) in cases.items():
        packet_id = f"bad-{name}"
        StandIn().deliver_to_us(packet_id, data)
        names[packet_id] = name
    _settle()
    clerk = people["vanthu"]
    records = [r for r in _body(clerk.get("/api/exchange/packets?limit=100"))["packets"]
               if r["outcome"] not in ("registered", "duplicate", "recalled")]
    assert len(records) == len(cases)
    by_code = sorted(r["reason_code"] for r in records)
    assert by_code == sorted(code for _d, code in cases.values())
    assert all(r["outcome"] == "refused" and r["reason"] for r in records)
    # Kept: every refused packet's bytes are in the documents bucket.
    from chalicelib.adapters.dynamo import Table
    from chalicelib.exchange.store import ExchangeStore

    for r in records:
        kept = ExchangeStore(Table()).packet(r["id"])
        assert kept and (kept.get("kept_key") or kept["size"] == 0)
    # Answered: the peer hears 02 with the reason for each of its own bad packets.
    refusals = _statuses(peer)
    assert sorted(d for _s, d in refusals) == sorted(
        r["reason"] for r in records if r["sender"] == peer.organ.organ_id)
    assert {s for s, _d in refusals} == {"02"} and len(refusals) >= 2
    # Nothing registered, the ingest queue and its DLQ are empty.
    sqs = boto3.client("sqs")
    for queue in ("ingest", "ingest-dlq"):
        url = sqs.get_queue_url(QueueName=f"eoffice-local-{queue}")["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attrs["ApproximateNumberOfMessages"] == "0", queue

"""Outgoing documents end to end over the API and the workflow queue, with moto's
KMS holding the keys: draft → review chain → the leader's signature → the clerk's
number and seal → delivery, the register, verification, recall; and what goes
wrong: out-of-order steps, wrong people, stale sign-ins, KMS failures, races
for numbers."""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from openpyxl import load_workbook

from chalicelib.adapters.dynamo import Table
from tests.aws import all_at_once, atomic_aws_requests, drain_workflow, sent_messages
from tests.conftest import pdfsig_text
from tests.pdfs import make_pdf


def _body(resp: Any) -> Any:
    return json.loads(resp.body)


def _drain() -> int:
    return drain_workflow()


def _mails() -> list[dict[str, Any]]:
    out = []
    for parsed in sent_messages():
        mail: dict[str, Any] = {"to": str(parsed["To"]), "subject": str(parsed["Subject"]),
                                "text": "", "attachments": []}
        for part in parsed.walk():
            if part.is_multipart():
                continue
            if part.get_filename():
                mail["attachments"].append(part.get_payload(decode=True))
            elif part.get_content_type() == "text/plain" and not mail["text"]:
                mail["text"] = part.get_content()
        out.append(mail)
    return out


def _s3_bytes(key: str) -> bytes:
    from chalicelib.kernel.config import get_settings

    return boto3.client("s3").get_object(Bucket=get_settings().documents_bucket,
                                         Key=key)["Body"].read()


def _draft(officer: Any, **extra: Any) -> dict[str, Any]:
    body = {"type_code": "CV", "subject": "Hướng dẫn đăng ký doanh nghiệp qua mạng",
            "signer": "giamdoc", "recipients_internal": ["VP"],
            "recipients_external": [{"name": "Công ty TNHH Thử Nghiệm",
                                     "email": "congty@example.vn"}]} | extra
    resp = officer.send("POST", "/api/outgoing", body)
    assert resp.status_code == 200, resp.body
    return _body(resp)


def _approved(people: dict[str, Any], **extra: Any) -> str:
    """Drafted by the officer, composed, and approved along the whole chain."""
    doc = _draft(people["chuyenvien"], **extra)
    doc_id = doc["id"]
    resp = people["chuyenvien"].send("POST", f"/api/outgoing/{doc_id}/compose", {
        "body": "Sở Kế hoạch và Đầu tư hướng dẫn đăng ký doanh nghiệp qua mạng.\n\n"
                "Đề nghị các đơn vị thực hiện.",
        "recipients": ["Như trên;", "Lưu: VT, ĐKKD."]})
    assert resp.status_code == 200, resp.body
    assert _body(people["chuyenvien"].send("POST", f"/api/outgoing/{doc_id}/submit",
                                           {"comment": "Kính trình"}))["status"] == "in_review"
    for reviewer in ("truongphong", "chanhvanphong", extra.get("signer", "giamdoc")):
        resp = people[reviewer].send("POST", f"/api/outgoing/{doc_id}/review",
                                     {"approve": True, "comment": "Đồng ý"})
        assert resp.status_code == 200, (reviewer, resp.body)
    assert _body(people["vanthu"].get(f"/api/outgoing/{doc_id}"))["status"] == "approved"
    return doc_id


def _docx() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _status(session: Any, doc_id: str) -> dict[str, Any]:
    return _body(session.get(f"/api/outgoing/{doc_id}"))


def _incoming_for(username: str) -> str:
    from datetime import date

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    doc = incoming.register(None, Metadata(
        so_ky_hieu="12/UBND-KT", co_quan_ban_hanh="UBND quận Cầu Giấy",
        ngay_ban_hanh=date(2026, 11, 20), trich_yeu="Đề nghị hướng dẫn đăng ký doanh nghiệp"),
        arrival=datetime.now(UTC), source="paper", people=[username], table=Table())
    return str(doc["id"])


def test_draft_review_sign_issue_deliver_and_verify(pki, people, client, tmp_path):
    answered = _incoming_for("chuyenvien")
    doc_id = _approved(people, answers=answered)
    leader = people["giamdoc"]
    resp = leader.send("POST", f"/api/outgoing/{doc_id}/sign")
    assert resp.status_code == 200, resp.body
    assert _body(resp)["status"] == "signing"  # the browser does not wait for KMS
    _drain()
    doc = _status(leader, doc_id)
    assert doc["status"] == "signed", doc.get("failure")
    assert "issue" in _status(people["vanthu"], doc_id)["actions"]

    resp = people["vanthu"].send("POST", f"/api/outgoing/{doc_id}/issue")
    assert resp.status_code == 200, resp.body
    numbered = _body(resp)
    assert numbered["status"] == "issuing"
    assert numbered["number_text"] == "01/SKHĐT-ĐKKD"
    _drain()
    doc = _status(people["vanthu"], doc_id)
    assert doc["status"] == "issued", doc.get("failure")

    issued = _s3_bytes(doc["issued_key"])
    text = pdfsig_text(issued, tmp_path)
    assert text.count("Signature is Valid.") == 2, text
    assert "Invalid" not in text

    report = _body(client.http.post("/api/verify", headers={"Content-Type": "application/pdf"},
                                    body=issued))
    assert report["ok"] is True and report["in_register"] and report["matches_issued_file"]
    assert report["verdict"]["level"] == "good"
    assert report["register"]["number_text"] == "01/SKHĐT-ĐKKD"
    assert len(report["signatures"]) == 2

    by_code = _body(client.http.get(f"/api/verify/{doc['code']}"))
    assert by_code["status"] == "issued" and by_code["subject"] == doc["subject"]

    # The external recipient's mail: the PDF attached and a link that lasts.
    (mail,) = [m for m in _mails() if m["to"] == "congty@example.vn"]
    assert "01/SKHĐT-ĐKKD" in mail["subject"]
    assert mail["attachments"] and mail["attachments"][0] == issued
    link = re.search(r"http://testserver(/d/[\w-]+)", mail["text"]).group(1)
    resp = client.http.get(link)
    assert resp.status_code == 302 and "issued.pdf" in resp.headers["Location"]

    # The unit named inside the agency receives it as an incoming document.
    listing = _body(people["chanhvanphong"].get("/api/incoming"))["items"]
    assert any(i.get("so_ky_hieu") == "01/SKHĐT-ĐKKD" for i in listing)

    # The outgoing register, on screen and exported.
    register = _body(people["vanthu"].get(f"/api/registers/outgoing?year={doc['year']}"))
    assert register["rows"][0][0] == "01/SKHĐT-ĐKKD"
    # The dashboard's link for a unit's figure: the documents that unit drafted.
    drafted = _body(people["vanthu"].get(f"/api/registers/outgoing?year={doc['year']}&unit=PDKKD"))
    assert [r[0] for r in drafted["rows"]] == ["01/SKHĐT-ĐKKD"]
    assert "Phòng Đăng ký kinh doanh" in drafted["subtitle"]
    assert _body(people["vanthu"].get(
        f"/api/registers/outgoing?year={doc['year']}&unit=PTH"))["rows"] == []
    assert register["columns"][0] == "Số, ký hiệu văn bản"
    xlsx = people["vanthu"].get(f"/api/registers/outgoing?year={doc['year']}&format=xlsx",
                                accept="*/*")
    sheet = load_workbook(io.BytesIO(xlsx.body)).active
    assert [c.value for c in sheet[3]][:2] == ["Số, ký hiệu văn bản", "Ngày tháng văn bản"] \
        or any("01/SKHĐT-ĐKKD" == c.value for row in sheet.iter_rows() for c in row)
    pdf = people["vanthu"].get(f"/api/registers/outgoing?year={doc['year']}&format=pdf",
                               accept="*/*")
    assert pdf.status_code == 200 and pdf.body.startswith(b"%PDF")

    # The incoming document it answers shows the answer's number.
    from zoneinfo import ZoneInfo

    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    tracking = _body(people["vanthu"].get(f"/api/registers/tracking?year={year}"))
    assert any("01/SKHĐT-ĐKKD" in row for row in tracking["rows"])

    # A byte changed inside the signed content: every verifier says so.
    marker = issued.find(b"/Contents")
    tampered = bytearray(issued)
    start = issued.find(b"stream", 0, marker)
    tampered[start + 20] = (tampered[start + 20] + 1) % 256
    report = _body(client.http.post("/api/verify", headers={"Content-Type": "application/pdf"},
                                    body=bytes(tampered)))
    assert report["ok"] is False
    assert any(s["modified_after_signing"] for s in report["signatures"])
    assert pdfsig_text(bytes(tampered), tmp_path).count("Signature is Valid.") < 2


def test_signing_needs_approval_the_signer_and_a_fresh_sign_in(pki, people, accounts):
    from chalicelib.kernel.errors import Unauthenticated
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.outgoing import service as outgoing

    doc = _draft(people["chuyenvien"])
    # Not approved yet: 409.
    resp = people["giamdoc"].send("POST", f"/api/outgoing/{doc['id']}/sign")
    assert resp.status_code == 409, resp.body
    assert _body(resp)["error"]["code"] == "invalid_state"

    doc_id = _approved(people)
    # Another leader is not the signer: 403; an officer cannot sign at all.
    resp = people["phogiamdoc"].send("POST", f"/api/outgoing/{doc_id}/sign")
    assert resp.status_code in (403, 404), resp.body
    assert people["chuyenvien"].send("POST", f"/api/outgoing/{doc_id}/sign").status_code == 403

    # A sign-in older than five minutes must be renewed.
    stale = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD",
                   auth_time=datetime.now(UTC) - timedelta(minutes=6))
    with pytest.raises(Unauthenticated) as raised:
        outgoing.request_signing(stale, doc_id, table=Table())
    assert raised.value.code == "reauthentication_required"
    assert _status(people["giamdoc"], doc_id)["status"] == "approved"


def test_a_deputy_signs_under_delegation_as_kt(pki, people, client, tmp_path):
    from zoneinfo import ZoneInfo

    admin = people["quantri"]
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    resp = admin.send("POST", "/api/org/delegations", {
        "grantor": "giamdoc", "delegate": "phogiamdoc", "kind": "KT", "start": today,
        "end": today, "note": "Đi công tác"})
    assert resp.status_code == 200, resp.body
    doc_id = _approved(people)
    resp = people["phogiamdoc"].send("POST", f"/api/outgoing/{doc_id}/sign")
    assert resp.status_code == 200, resp.body
    _drain()
    doc = _status(people["phogiamdoc"], doc_id)
    assert doc["status"] == "signed", doc.get("failure")
    assert doc["signed_by"] == "phogiamdoc" and doc["signing_authority"] == "KT."
    text = subprocess.run(["pdftotext", "-", "-"], input=_s3_bytes(doc["signed_key"]),
                          capture_output=True, check=False).stdout.decode()
    assert "KT. GIÁM ĐỐC" in text


def test_a_kms_failure_shows_signing_failed_and_the_clerk_retries(pki, people):
    """KMS refuses the signature (here: the key the signer's record names is not in
    KMS, which moto answers with a real NotFoundException; moto does not enforce a
    disabled key's state). The step retries, then shows the failure; nothing is
    signed or numbered; the clerk retries once the key is back."""
    import uuid

    from chalicelib.signing.keys import key_of

    doc_id = _approved(people)
    real_key = key_of("giamdoc", table=Table())["key_id"]
    Table().update("USER#giamdoc", "SIGNING_KEY", "SET key_id = :k",
                   values={":k": str(uuid.uuid4())})
    people["giamdoc"].send("POST", f"/api/outgoing/{doc_id}/sign")
    _drain()
    doc = _status(people["vanthu"], doc_id)
    assert doc["status"] == "signing_failed"
    assert doc["failure"]["message"] and "retry" in doc["actions"]
    assert not doc.get("signed_key") and not doc.get("number_text")
    # Issuing a document that failed to sign is refused.
    assert people["vanthu"].send("POST", f"/api/outgoing/{doc_id}/issue").status_code == 409

    Table().update("USER#giamdoc", "SIGNING_KEY", "SET key_id = :k", values={":k": real_key})
    assert people["vanthu"].send("POST", f"/api/outgoing/{doc_id}/retry").status_code == 200
    _drain()
    assert _status(people["vanthu"], doc_id)["status"] == "signed"


def test_thirty_concurrent_issuances_take_thirty_consecutive_numbers(aws_env, accounts,
                                                                     monkeypatch):
    """Thirty clerks' requests interleave freely; each AWS request is atomic, as on
    DynamoDB (moto in-process is not thread-safe, so one lock makes each request,
    not each issuance, indivisible)."""
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.outgoing import service as outgoing

    drafter = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PDKKD")
    clerk = Caller("vanthu", frozenset({Role.CLERK}), unit="VP")
    ids = []
    for i in range(30):
        doc = outgoing.create(drafter, type_code="QĐ", subject=f"Quyết định {i}",
                              signer="giamdoc", authority="", recipients_internal=[],
                              recipients_external=[], do_khan="Thường", do_mat="",
                              answers=None, table=Table())
        Table().update(f"OUT#{doc['id']}", "OUT", "SET #s = :s", names={"#s": "status"},
                       values={":s": "signed"})
        ids.append(doc["id"])
    numbers: list[int] = []
    atomic_aws_requests(monkeypatch)

    def issue(doc_id: str) -> None:
        numbers.append(int(outgoing.issue(clerk, doc_id, table=Table())["number"]))

    errors = all_at_once(issue, ids)
    assert not errors, errors
    assert sorted(numbers) == list(range(1, 31))
    texts = {Table().get(f"OUT#{i}", "OUT")["number_text"] for i in ids}
    assert len(texts) == 30 and "01/QĐ-SKHĐT" in texts and "30/QĐ-SKHĐT" in texts
    # A second issue of a numbered document takes no second number.
    again = outgoing.issue
    with pytest.raises(Exception) as raised:
        again(clerk, ids[0], table=Table())
    assert getattr(raised.value, "code", "") == "invalid_state"


def test_recall_freezes_and_tells_recipients(pki, people, client):
    doc_id = _approved(people)
    people["giamdoc"].send("POST", f"/api/outgoing/{doc_id}/sign")
    _drain()
    people["vanthu"].send("POST", f"/api/outgoing/{doc_id}/issue")
    _drain()
    doc = _status(people["vanthu"], doc_id)
    link = re.search(r"http://testserver(/d/[\w-]+)", next(
        m for m in _mails() if m["to"] == "congty@example.vn")["text"]).group(1)

    resp = people["vanthu"].send("POST", f"/api/outgoing/{doc_id}/recall",
                                 {"reason": "Sai địa chỉ nơi nhận"})
    assert resp.status_code == 200 and _body(resp)["status"] == "recalled"
    _drain()
    recalls = [m for m in _mails() if m["to"] == "congty@example.vn"
               and "Thu hồi" in m["subject"]]
    assert recalls and "Sai địa chỉ nơi nhận" in recalls[0]["text"]
    assert client.http.get(link).status_code == 404  # the e-mailed link no longer serves it
    entry = _body(client.http.get(f"/api/verify/{doc['code']}"))
    assert entry["status"] == "recalled" and entry["downloadable"] is False
    # Recalled is final for the document: it cannot be issued or recalled again.
    assert people["vanthu"].send("POST", f"/api/outgoing/{doc_id}/recall",
                                 {"reason": "Lần nữa"}).status_code == 409
    # A replacement starts as a new draft that names the one it replaces.
    resp = people["chuyenvien"].send("POST", f"/api/outgoing/{doc_id}/replace",
                                     {"reason": "Sửa nơi nhận"})
    assert resp.status_code == 200 and _body(resp)["replaces"] == doc_id


def test_bad_input_gets_field_errors_and_nothing_is_lost(aws_env, people):
    officer = people["chuyenvien"]
    resp = officer.send("POST", "/api/outgoing", {"type_code": "XX", "subject": "Thử",
                                                  "signer": "chuyenvien"})
    assert resp.status_code == 400
    fields = {f["path"] for f in _body(resp)["error"]["fields"]}
    assert "type_code" in fields or "signer" in fields
    resp = officer.send("POST", "/api/outgoing", {"type_code": "CV", "subject": "",
                                                  "signer": "giamdoc"})
    assert resp.status_code == 400
    assert any(f["path"] == "subject" for f in _body(resp)["error"]["fields"])

    doc = _draft(officer)
    resp = officer.send_file("POST", f"/api/outgoing/{doc['id']}/versions", b"not a pdf at all")
    assert resp.status_code == 400 and _body(resp)["error"]["fields"][0]["path"] == "file"
    resp = officer.send("POST", f"/api/outgoing/{doc['id']}/submit", {"comment": ""})
    assert resp.status_code == 400 and _body(resp)["error"]["code"] == "no_pdf"
    ok = officer.send_file("POST", f"/api/outgoing/{doc['id']}/versions?comment=B%E1%BA%A3n%201",
                           make_pdf(["Ban du thao 1"]))
    assert ok.status_code == 200, ok.body
    view = _body(ok)
    assert view["versions"][0]["number"] == 1 and view["current_version"] == 1
    # A DOCX is kept for review as a version, but only a PDF is ever signed.
    docx = officer.send_file("POST", f"/api/outgoing/{doc['id']}/versions",
                             _docx(), content_type="application/vnd.openxmlformats-"
                             "officedocument.wordprocessingml.document")
    assert docx.status_code == 200, docx.body
    view = _body(docx)
    assert [v["content_type"].endswith("document") for v in view["versions"]] == [False, True]
    assert view["current_version"] == 1
    # A return needs a reason and sends the draft back with it.
    officer.send("POST", f"/api/outgoing/{doc['id']}/submit", {"comment": ""})
    head = people["truongphong"]
    resp = head.send("POST", f"/api/outgoing/{doc['id']}/review", {"approve": False})
    assert resp.status_code == 400
    resp = head.send("POST", f"/api/outgoing/{doc['id']}/review",
                     {"approve": False, "comment": "Bổ sung căn cứ pháp lý"})
    back = _body(resp)
    assert back["status"] == "draft" and back["returned"]["comment"] == "Bổ sung căn cứ pháp lý"
    assert back["versions"][0]["number"] == 1  # the version stays


def test_review_chains_are_configurable_per_type(aws_env, people):
    admin = people["quantri"]
    resp = admin.send("PUT", "/api/settings/review-chains",
                      {"chains": {"TB": ["unit_head", "signer"]}})
    assert resp.status_code == 200 and _body(resp)["chains"]["TB"] == ["unit_head", "signer"]
    bad = admin.send("PUT", "/api/settings/review-chains", {"chains": {"TB": ["signer",
                                                                              "office"]}})
    assert bad.status_code == 400
    assert _body(bad)["error"]["fields"][0]["path"] == "chains.TB"
    doc = _draft(people["chuyenvien"], type_code="TB")
    people["chuyenvien"].send_file("POST", f"/api/outgoing/{doc['id']}/versions",
                                   make_pdf(["Thong bao"]))
    submitted = _body(people["chuyenvien"].send("POST", f"/api/outgoing/{doc['id']}/submit",
                                                {}))
    assert [s["step"] for s in submitted["review"]] == ["unit_head", "signer"]


def test_import_app_loads_no_signing_or_pdf_library() -> None:
    """Every Lambda of the app imports app.py: pyHanko and the PDF libraries load
    only inside the steps and routes that use them (a fresh interpreter)."""
    import subprocess
    import sys
    from pathlib import Path

    heavy = ("pyhanko", "pyhanko_certvalidator", "pypdf", "fpdf", "segno", "asn1crypto",
             "openpyxl", "oscrypto")
    code = ("import sys, app; from chalicelib.bootstrap import load_steps; "
            "load_steps(); "
            f"loaded = [m for m in {heavy!r} if m in sys.modules]; "
            "print(loaded); sys.exit(1 if loaded else 0)")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True, check=False, env={"EOFFICE_STAGE": "local",
                                                         "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_meeting_invitation_becomes_a_giay_moi_and_is_issued(pki, people, client):
    """Work tracking meets outgoing documents: the scheduler drafts the meeting's
    Giấy mời, which takes the short review chain, is signed and numbered GM."""
    from zoneinfo import ZoneInfo

    start = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0)
    clerk = people["vanthu"]
    resp = clerk.send("POST", "/api/meetings", {
        "title": "Họp triển khai kế hoạch đầu tư công năm 2027", "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(), "place": "Phòng họp số 2",
        "chair": "giamdoc", "participants": ["truongphong"],
        "guests": [{"email": "khach@doanhnghiep.vn", "name": "Ông Lê Văn Khách"}],
        "agenda": [{"title": "Báo cáo tình hình giải ngân"}]})
    assert resp.status_code == 200, resp.body
    meeting_id = _body(resp)["id"]
    # Someone merely invited may not draft it.
    assert people["truongphong"].send("POST", f"/api/meetings/{meeting_id}/letter",
                                      {"signer": "giamdoc"}).status_code in (403, 404)
    resp = clerk.send("POST", f"/api/meetings/{meeting_id}/letter", {"signer": "giamdoc"})
    assert resp.status_code == 200, resp.body
    letter = _body(resp)
    assert letter["type_code"] == "GM" and letter["meeting_id"] == meeting_id
    assert letter["recipients_internal"] == ["PDKKD"]
    assert letter["recipients_external"] == [{"name": "Ông Lê Văn Khách",
                                              "email": "khach@doanhnghiep.vn"}]
    text = subprocess.run(["pdftotext", "-", "-"], input=_s3_bytes(letter["current_key"]),
                          capture_output=True, check=False).stdout.decode()
    assert "GIẤY MỜI" in text and "Báo cáo tình hình giải ngân" in text

    submitted = _body(clerk.send("POST", f"/api/outgoing/{letter['id']}/submit", {}))
    assert [s["step"] for s in submitted["review"]] == ["unit_head", "signer"]
    for reviewer in ("chanhvanphong", "giamdoc"):
        assert people[reviewer].send("POST", f"/api/outgoing/{letter['id']}/review",
                                     {"approve": True}).status_code == 200
    people["giamdoc"].send("POST", f"/api/outgoing/{letter['id']}/sign")
    _drain()
    issued = _body(clerk.send("POST", f"/api/outgoing/{letter['id']}/issue"))
    assert issued["number_text"] == "01/GM-SKHĐT"
    _drain()
    assert _status(clerk, letter["id"])["status"] == "issued"


def test_a_secret_document_has_its_own_series_and_stays_among_named_people(pki, people,
                                                                           client):
    secret_id = _approved(people, do_mat="mat")
    # Outside the people named on it, a secret draft does not exist.
    assert people["phogiamdoc"].get(f"/api/outgoing/{secret_id}").status_code == 404
    people["giamdoc"].send("POST", f"/api/outgoing/{secret_id}/sign")
    _drain()
    # The clerk was named when it was approved, so it can be numbered and issued.
    issued = _body(people["vanthu"].send("POST", f"/api/outgoing/{secret_id}/issue"))
    assert issued["series"] == "secret" and issued["number_text"] == "01/SKHĐT-ĐKKD"
    _drain()
    doc = _status(people["vanthu"], secret_id)
    assert doc["status"] == "issued"
    # The regular series is untouched by it.
    regular_id = _approved(people)
    people["giamdoc"].send("POST", f"/api/outgoing/{regular_id}/sign")
    _drain()
    regular = _body(people["vanthu"].send("POST", f"/api/outgoing/{regular_id}/issue"))
    assert regular["series"] == "regular" and regular["number_text"] == "01/SKHĐT-ĐKKD"
    _drain()
    # Never e-mailed; the public learns only that it exists; the register masks it.
    # (both name the same external recipient: only the regular one reached it)
    assert len([m for m in _mails() if m["to"] == "congty@example.vn"]) == 1
    entry = _body(client.http.get(f"/api/verify/{doc['code']}"))
    assert entry["secret"] is True and "subject" not in entry and not entry["downloadable"]
    rows = _body(people["vanthu"].get(f"/api/registers/outgoing?year={doc['year']}"))["rows"]
    assert ["(Văn bản mật)"] == [r[2] for r in rows if r[2] == "(Văn bản mật)"]

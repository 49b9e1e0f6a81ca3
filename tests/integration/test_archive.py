"""Case files over the API: the yearly list drafted by the head of unit and
approved by a leader, copied forward; filing an incoming document and a
complaint case after a suggestion, in order; closing freezes the file; the
archivist lists what is due and receives it, the PDFs kept under S3 Object
Lock (a delete of a locked version is refused); bad input names its fields."""

from __future__ import annotations

import dataclasses
import io
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.dynamo import Table
from tests.conftest import Session

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# The archive's clock: a working Tuesday morning in March 2026.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=HANOI).astimezone(UTC)
YEAR = 2026


def _body(resp: Any) -> Any:
    return json.loads(resp.body)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime]:
    """The archive's use cases run at ``clock["now"]`` (NOW unless a test moves
    it), whatever the wall clock says."""
    from chalicelib import bootstrap
    from chalicelib.archive import routes

    clock = {"now": NOW}
    real = bootstrap.archive
    monkeypatch.setattr(routes, "use_cases",
                        lambda: dataclasses.replace(real(), clock=lambda: clock["now"]))
    return clock


def _incoming(unit: str, person: str, pdf: bytes | None = None) -> str:
    """A registered incoming document of ``unit`` assigned to ``person``, its PDF
    in the documents bucket."""
    import os

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    key = f"files/sha256/{uuid.uuid4().hex}"
    boto3.client("s3").put_object(Bucket=os.environ["DOCUMENTS_BUCKET"], Key=key,
                                  Body=pdf or b"%PDF-1.4 van ban den\n%%EOF\n")
    doc = incoming.register(
        None, Metadata(so_ky_hieu="12/UBND-KT", co_quan_ban_hanh="UBND thành phố Hà Nội",
                       ngay_ban_hanh=date(2026, 3, 2),
                       trich_yeu="V/v rà soát đăng ký doanh nghiệp"),
        arrival=NOW, source="paper", units=[unit], people=[person],
        file={"key": key, "sha256": uuid.uuid4().hex, "name": "vb.pdf"}, table=Table())
    return str(doc["id"])


def _complaint(unit: str, officer: str) -> str:
    from chalicelib.complaints import service as complaints
    from chalicelib.kernel.identity import Caller, Role

    table = Table()
    case = complaints.submit(None, kind="petition", person={
        "name": "Người Gửi", "phone": "0912345678", "email": "nguoigui@example.vn",
        "protected": False}, content="Kiến nghị về thời gian trả kết quả đăng ký.",
        decision=None, decision_date=None, channel="online", table=table)
    complaints.accept(Caller("vanthu", frozenset({Role.CLERK}), unit="VP"), case["id"], table)
    complaints.assign(Caller("phogiamdoc", frozenset({Role.LEADER}), unit="BGD"), case["id"],
                      unit=unit, officer=officer, table=table)
    return str(case["id"])


def _approved_list(head: Session, leader: Session) -> dict[str, Any]:
    for code, title, group in (("01", "Hồ sơ trả lời kiến nghị về đăng ký doanh nghiệp", "TT-01"),
                               ("02", "Công văn trao đổi về đăng ký kinh doanh", "TH-04")):
        resp = head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/files", {
            "code": code, "title": title, "group": group, "responsible": "chuyenvien"})
        assert resp.status_code == 200, resp.body
    listed = _body(head.get(f"/api/archive/lists/PDKKD/{YEAR}"))
    assert listed["status"] == "draft" and [f["status"] for f in listed["files"]] == [
        "planned", "planned"]
    approved = leader.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/approve",
                           {"version": listed["version"]})
    assert approved.status_code == 200, approved.body
    return _body(approved)


def test_the_yearly_list_is_drafted_approved_and_copied_forward(client, as_role, frozen):
    head, leader, officer = as_role("unit_head"), as_role("leader"), as_role("officer")
    # An officer drafts nothing; a head drafts their own unit's list only (another
    # unit's list is not theirs to see).
    assert officer.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/files", {
        "code": "09", "title": "X", "group": "TH-04", "responsible": "chuyenvien"}
    ).status_code == 403
    assert head.send("POST", f"/api/archive/lists/PTH/{YEAR}/files", {
        "code": "09", "title": "X", "group": "TH-04", "responsible": "chuyenvien"}
    ).status_code == 404
    approved = _approved_list(head, leader)
    assert approved["status"] == "approved" and approved["status_label"] == "Đã phê duyệt"
    first = approved["files"][0]
    assert (first["code"], first["status"], first["retention_years"],
            first["retention_label"], first["retention_source"], first["catalogue_version"]) == (
        "01", "open", 15, "15 năm", "Thông tư 10/2022/TT-BNV", "TT10-2022.1")
    # Approved, the list takes no new entry.
    late = head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/files", {
        "code": "03", "title": "Thêm", "group": "TH-04", "responsible": "chuyenvien"})
    assert late.status_code == 409 and _body(late)["error"]["code"] == "list_approved"
    # Another unit's officer does not see PDKKD's list; the clerk and leaders do.
    assert as_role("one_stop").get(f"/api/archive/lists/PDKKD/{YEAR}").status_code == 404
    assert as_role("clerk").get(f"/api/archive/lists/PDKKD/{YEAR}").status_code == 200

    copied = head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/copy-forward")
    assert copied.status_code == 200, copied.body
    nxt = _body(copied)
    assert nxt["year"] == YEAR + 1 and nxt["status"] == "draft"
    assert [(f["code"], f["title"], f["group"], f["status"]) for f in nxt["files"]] == [
        (f["code"], f["title"], f["group"], "planned") for f in approved["files"]]
    again = head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/copy-forward")
    assert again.status_code == 409 and _body(again)["error"]["code"] == "list_exists"


def test_bad_entries_name_every_field_at_fault(client, as_role, frozen):
    head = as_role("unit_head")
    resp = head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/files", {
        "code": "không hợp lệ!", "title": "Hồ sơ", "group": "KHONG-CO",
        "responsible": "vanthu"})
    assert resp.status_code == 400
    error = _body(resp)["error"]
    assert {f["path"] for f in error["fields"]} == {"code", "group", "responsible"}
    assert error["message"] and error["message_en"]
    empty = head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/files", {"code": ""})
    assert empty.status_code == 400
    assert {"code", "title", "group", "responsible"} <= {
        f["path"] for f in _body(empty)["error"]["fields"]}
    assert head.get("/api/archive/lists/PDKKD/1999").status_code == 400


def test_filing_closing_and_hand_over_under_object_lock(client, as_role, frozen, aws_env):
    import os

    head, leader, officer = as_role("unit_head"), as_role("leader"), as_role("officer")
    archivist = as_role("archivist")
    files = {f["code"]: f for f in _approved_list(head, leader)["files"]}
    doc_id = _incoming("PDKKD", "chuyenvien")
    case_id = _complaint("PDKKD", "chuyenvien")

    # The suggestion puts the file whose group holds complaints first.
    suggested = _body(officer.get(f"/api/archive/suggest?kind=complaint&ref={case_id}"))
    assert suggested["filed_in"] is None
    assert [f["code"] for f in suggested["files"]] == ["01", "02"]
    assert suggested["files"][0]["fits"] is True
    file_id = suggested["files"][0]["id"]

    # A document the caller may not see is not found, not filed.
    hidden = _incoming("PTH", "giamdoc")
    assert officer.send("POST", f"/api/archive/files/{file_id}/items",
                        {"kind": "incoming", "ref": hidden}).status_code == 404
    for kind, ref in (("complaint", case_id), ("incoming", doc_id)):
        resp = officer.send("POST", f"/api/archive/files/{file_id}/items",
                            {"kind": kind, "ref": ref})
        assert resp.status_code == 200, resp.body
    view = _body(resp)
    assert [(i["seq"], i["item_kind"], i["kind_label"]) for i in view["items"]] == [
        (1, "complaint", "Đơn thư"), (2, "incoming", "Văn bản đến")]
    assert view["items"][1]["number"] == "12/UBND-KT"
    assert view["items"][1]["title"] == "V/v rà soát đăng ký doanh nghiệp"
    assert view["opened_on"] == "2026-03-10" and view["item_count"] == 2
    # One document, one case file.
    twice = officer.send("POST", f"/api/archive/files/{files['02']['id']}/items",
                         {"kind": "incoming", "ref": doc_id})
    assert twice.status_code == 409 and _body(twice)["error"]["code"] == "already_filed"
    where = _body(officer.get(f"/api/archive/suggest?kind=incoming&ref={doc_id}"))
    # Where it is: what the document's page shows ("Đã đưa vào hồ sơ số 01: …").
    assert where["filed_in"] == file_id and where["year"] == YEAR
    assert {k: where["filed"][k] for k in ("code", "title", "status_label", "readable")} == {
        "code": "01", "title": "Hồ sơ trả lời kiến nghị về đăng ký doanh nghiệp",
        "status_label": "Đang lập", "readable": True}

    # The archivist has nothing before the file closes; closing freezes it.
    assert _body(archivist.get("/api/archive/handover"))["files"] == []
    closed = officer.send("POST", f"/api/archive/files/{file_id}/close",
                          {"version": view["version"]})
    assert closed.status_code == 200, closed.body
    closed_view = _body(closed)
    assert (closed_view["status"], closed_view["closed_on"], closed_view["handover_due"]) == (
        "closed", "2026-03-10", "2027-03-10")
    frozen_out = officer.send("POST", f"/api/archive/files/{file_id}/items",
                              {"kind": "incoming", "ref": _incoming("PDKKD", "chuyenvien")})
    assert frozen_out.status_code == 409
    assert _body(frozen_out)["error"]["code"] == "case_file_closed"

    due = _body(archivist.get("/api/archive/handover"))
    assert [(f["id"], f["handover_due"], f["late"]) for f in due["files"]] == [
        (file_id, "2027-03-10", False)]
    assert officer.get("/api/archive/handover").status_code == 403

    # Prod's archive bucket has Object Lock (infra/template.yaml); give the test's the same.
    s3 = boto3.client("s3")
    bucket = os.environ["ARCHIVE_BUCKET"]
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})
    received = archivist.send("POST", f"/api/archive/files/{file_id}/handover",
                              {"version": closed_view["version"]})
    assert received.status_code == 200, received.body
    kept = _body(received)
    assert kept["status"] == "handed_over" and kept["status_label"] == "Đã nộp lưu"
    # Only the incoming document has a PDF; the complaint is kept as its index entry.
    assert [(a["seq"], a["lock"], a["retain_until"]) for a in kept["archived"]] == [
        (2, "COMPLIANCE", "2042-01-01")]
    archived = kept["archived"][0]
    head_obj = s3.head_object(Bucket=bucket, Key=archived["key"],
                              VersionId=archived["version_id"])
    assert head_obj["ObjectLockMode"] == "COMPLIANCE"
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=archived["key"], VersionId=archived["version_id"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert s3.get_object(Bucket=bucket, Key=archived["key"])["Body"].read().startswith(b"%PDF")

    # Read-only to everyone, readable by archivists only.
    assert _body(archivist.get(f"/api/archive/files/{file_id}"))["status"] == "handed_over"
    for session in (officer, head, leader):
        assert session.get(f"/api/archive/files/{file_id}").status_code == 404
    again = archivist.send("POST", f"/api/archive/files/{file_id}/handover",
                           {"version": kept["version"]})
    assert again.status_code == 409
    assert _body(archivist.get("/api/archive/handover"))["files"] == []

    # The hand-over record (biên bản giao nhận) with its mục lục hồ sơ.
    record = archivist.get(f"/api/archive/files/{file_id}/handover-record",
                           accept="application/pdf")
    assert record.status_code == 200 and record.body.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(record.body)).pages)
    for words in ("BIÊN BẢN", "MỤC LỤC HỒ SƠ", "Hà Nội, ngày 10 tháng 03 năm 2026",
                  "Hồ sơ trả lời kiến nghị", "Bùi Thị Mai", "Trần Văn Minh", "15 năm",
                  "Phòng Đăng ký kinh doanh"):
        assert words in text, words
    assert officer.get(f"/api/archive/files/{file_id}/handover-record").status_code == 403


def test_a_permanent_file_is_kept_under_a_legal_hold(client, as_role, frozen, aws_env):
    import os

    head, leader, officer = as_role("unit_head"), as_role("leader"), as_role("officer")
    resp = head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/files", {
        "code": "KH-01", "title": "Kế hoạch, báo cáo công tác năm 2026", "group": "TH-02",
        "responsible": "chuyenvien"})
    assert resp.status_code == 200, resp.body
    listed = _body(head.get(f"/api/archive/lists/PDKKD/{YEAR}"))
    leader.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/approve",
                {"version": listed["version"]})
    file_id = _body(resp)["id"]
    filed = _body(officer.send("POST", f"/api/archive/files/{file_id}/items",
                               {"kind": "incoming", "ref": _incoming("PDKKD", "chuyenvien")}))
    closed = _body(officer.send("POST", f"/api/archive/files/{file_id}/close",
                                {"version": filed["version"]}))
    s3 = boto3.client("s3")
    bucket = os.environ["ARCHIVE_BUCKET"]
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled"})
    kept = _body(as_role("archivist").send("POST", f"/api/archive/files/{file_id}/handover",
                                           {"version": closed["version"]}))
    archived = kept["archived"][0]
    assert (archived["lock"], archived["retain_until"]) == ("legal_hold", None)
    hold = s3.get_object_legal_hold(Bucket=bucket, Key=archived["key"],
                                    VersionId=archived["version_id"])
    assert hold["LegalHold"]["Status"] == "ON"
    with pytest.raises(ClientError):
        s3.delete_object(Bucket=bucket, Key=archived["key"], VersionId=archived["version_id"])


def test_the_30_day_warning_comes_on_the_last_working_day_before_tet(client, as_role, frozen):
    """Closed on 10 March 2026, the file is due on 10 March 2027; 30 days before is
    8 February 2027, the third day of Tết: the agency calendar moves the warning to
    Wednesday 3 February, the last working day before the holiday."""
    from chalicelib import bootstrap
    from chalicelib.handlers.schedule import warn_archive_due
    from chalicelib.local.scheduler import scheduled_event
    from tests.aws import drain_workflow

    head, leader, officer = as_role("unit_head"), as_role("leader"), as_role("officer")
    file_id = _approved_list(head, leader)["files"][0]["id"]
    filed = _body(officer.send("POST", f"/api/archive/files/{file_id}/items",
                               {"kind": "incoming", "ref": _incoming("PDKKD", "chuyenvien")}))
    closed = _body(officer.send("POST", f"/api/archive/files/{file_id}/close",
                                {"version": filed["version"]}))
    assert closed["handover_due"] == "2027-03-10"

    def run_on(day: date) -> dict[str, Any]:
        moment = datetime(day.year, day.month, day.day, 7, 45, tzinfo=HANOI).astimezone(UTC)
        return dataclasses.replace(bootstrap.archive(), clock=lambda: moment).warn_due()

    assert run_on(date(2027, 2, 2)) == {"warned": 0, "working_day": True}
    assert run_on(date(2027, 2, 3)) == {"warned": 1, "working_day": True}
    assert run_on(date(2027, 2, 3))["warned"] == 0  # once
    assert run_on(date(2027, 2, 8)) == {"warned": 0, "working_day": False}  # Tết
    drain_workflow()
    notices = _body(officer.get("/api/notifications"))["items"]
    assert [n["title"] for n in notices if n["link"] == f"/app/archive?file={file_id}"] == [
        "Hồ sơ “01 Hồ sơ trả lời kiến nghị về đăng ký doanh nghiệp” đến hạn nộp lưu vào "
        "Lưu trữ cơ quan ngày 10/03/2027"]
    assert not [n for n in _body(head.get("/api/notifications"))["items"]
                if n["link"] == f"/app/archive?file={file_id}"]
    # The scheduled entry runs the same use case: weekdays at 07:45 in Hanoi.
    import app as app_module

    found = {s.name: s.schedule_expression for s in app_module.app.event_sources
             if getattr(s, "name", "") == "warn_archive_due"}
    assert found["warn_archive_due"].to_string() == "cron(45 0 ? * MON-FRI *)"
    # Told once already, whatever day the entry runs on.
    assert warn_archive_due(scheduled_event("warn_archive_due"), None)["warned"] == 0


def test_the_archivist_is_a_role_the_users_page_offers(client, as_role):
    options = _body(as_role("admin").get("/api/org/options"))["roles"]
    assert {"value": "archivist", "label": "Lưu trữ viên", "label_en": "Archivist"} in options
    me = _body(as_role("archivist").get("/api/auth/me"))
    assert me["username"] == "luutru" and me["roles"] == ["archivist"] and me["unit"] == "VP"
    page = client.http.get("/app/archive")
    assert page.status_code == 200 and "Hồ sơ lưu trữ" in page.body.decode()


def _signed_pdf() -> bytes:
    """A PDF with a leader's PAdES signature through KMS (the moto of the test)."""
    from chalicelib.adapters.signing import kms as signing_kms
    from chalicelib.adapters.signing import pdf
    from chalicelib.adapters.signing import pki as dev_pki
    from chalicelib.adapters.signing.appearance import leader_stamp
    from chalicelib.adapters.signing.kms import KmsSigner
    from tests.integration.test_signing_engine import vietnamese_pdf

    kms = boto3.client("kms")
    ca_key = signing_kms.create_signing_key(kms, description="archive test CA")
    root = dev_pki.create_dev_root(kms, ca_key, name="CA thử nghiệm lưu trữ")
    key = signing_kms.create_signing_key(kms, description="archive test leader")
    cert = dev_pki.issue_certificate(
        kms, ca_key_id=ca_key, ca_cert=root,
        subject=dev_pki.Subject("Phạm Quốc Hùng", "Sở Kế hoạch và Đầu tư", title="Giám đốc"),
        public_key=signing_kms.public_key_info(kms, key))
    source = vietnamese_pdf(1)
    layout = pdf.default_layout(source)
    prepared = pdf.prepare(source, layout=layout, verify_url="http://testserver/xac-thuc/LT",
                           code="LT")
    box = layout.signature
    return pdf.sign_leader(prepared, signer=KmsSigner(kms, key, cert, [cert, root]), box=box,
                           appearance_pdf=leader_stamp(
                               width=box.width, height=box.height, full_name="Phạm Quốc Hùng",
                               position="Giám đốc", signed_at=NOW, signature_png=None))


def test_the_exported_case_file_carries_each_signed_document_unchanged(
        client, as_role, frozen, tmp_path):
    from pypdf import PdfReader

    from tests.conftest import pdfsig

    head, leader, officer = as_role("unit_head"), as_role("leader"), as_role("officer")
    file_id = _approved_list(head, leader)["files"][1]["id"]
    signed = _signed_pdf()
    assert pdfsig(signed, tmp_path) == {"LeaderSignature": "Signature is Valid."}
    for kind, ref in (("incoming", _incoming("PDKKD", "chuyenvien", signed)),
                      ("complaint", _complaint("PDKKD", "chuyenvien"))):
        filed = officer.send("POST", f"/api/archive/files/{file_id}/items",
                             {"kind": kind, "ref": ref})
        assert filed.status_code == 200, filed.body

    resp = officer.get(f"/api/archive/files/{file_id}/export", accept="application/pdf")
    assert resp.status_code == 200, resp.body
    assert resp.headers["Content-Type"] == "application/pdf"
    assert 'filename="ho-so-2026-02.pdf"' in resp.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(resp.body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for words in ("HỒ SƠ", "Công văn trao đổi về đăng ký kinh doanh", "MỤC LỤC VĂN BẢN",
                  "12/UBND-KT", "10 năm", "Trần Văn Minh"):
        assert words in text, words
    # The signed document rides along byte for byte, its signature still valid.
    attached = reader.attachments
    assert list(attached) == ["001-incoming.pdf"]
    assert attached["001-incoming.pdf"][0] == signed
    assert pdfsig(attached["001-incoming.pdf"][0], tmp_path) == {
        "LeaderSignature": "Signature is Valid."}
    # The Decree 30 Appendix VI metadata as XML.
    from xml.etree import ElementTree

    xml = officer.get(f"/api/archive/files/{file_id}/export?format=xml",
                      accept="application/xml")
    assert xml.status_code == 200 and xml.headers["Content-Type"] == "application/xml"
    ns = {"a": "urn:eoffice:archive:decree30-appendix6:1"}
    root = ElementTree.fromstring(xml.body)
    assert root.findtext("a:FileCode", namespaces=ns) == "SKHĐT.2026.02"
    assert root.find("a:FileCode", ns).get("vi") == "Mã hồ sơ"
    assert root.findtext("a:Retention", namespaces=ns) == "10 năm"
    assert root.findtext("a:DocumentCount", namespaces=ns) == "2"
    docs = root.findall("a:Documents/a:Document", ns)
    assert [d.findtext("a:CodeNotation", namespaces=ns) for d in docs][0] == "12/UBND-KT"
    assert docs[0].findtext("a:Subject", namespaces=ns) == "V/v rà soát đăng ký doanh nghiệp"
    assert officer.get(f"/api/archive/files/{file_id}/export?format=doc").status_code == 400
    # Reading the export is in the file's trail; another unit's officer gets nothing.
    assert as_role("one_stop").get(f"/api/archive/files/{file_id}/export").status_code == 404


def _handed_over(head: Session, leader: Session, officer: Session, archivist: Session,
                 code: str, lock: bool) -> dict[str, Any]:
    """A five-year file (retained until 1 January 2032) in the archive."""
    import os

    made = head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/files", {
        "code": code, "title": "Báo cáo công tác quý I năm 2026", "group": "TH-03",
        "responsible": "chuyenvien"})
    assert made.status_code == 200, made.body
    file_id = _body(made)["id"]
    listed = _body(head.get(f"/api/archive/lists/PDKKD/{YEAR}"))
    if listed["status"] == "draft":
        leader.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/approve",
                    {"version": listed["version"]})
    if lock:
        boto3.client("s3").put_object_lock_configuration(
            Bucket=os.environ["ARCHIVE_BUCKET"], ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})
    out = _received(officer, archivist, file_id)
    assert out["retain_until"] == "2032-01-01"
    return out


def _received(officer: Session, archivist: Session, file_id: str) -> dict[str, Any]:
    """An open file with one incoming document filed, closed and handed over."""
    filed = _body(officer.send("POST", f"/api/archive/files/{file_id}/items",
                               {"kind": "incoming", "ref": _incoming("PDKKD", "chuyenvien")}))
    closed = _body(officer.send("POST", f"/api/archive/files/{file_id}/close",
                                {"version": filed["version"]}))
    kept = archivist.send("POST", f"/api/archive/files/{file_id}/handover",
                          {"version": closed["version"]})
    assert kept.status_code == 200, kept.body
    return dict(_body(kept))


def test_disposal_only_through_an_approved_list_of_expired_files(client, as_role, frozen):
    import os

    from chalicelib import bootstrap

    head, leader, officer = as_role("unit_head"), as_role("leader"), as_role("officer")
    archivist = as_role("archivist")
    kept = _handed_over(head, leader, officer, archivist, "BC-01", lock=False)
    file_id, copy = kept["id"], kept["archived"][0]
    # Before the end of its retention, no one proposes it.
    early = archivist.send("POST", "/api/archive/disposals",
                           {"file_ids": [file_id], "reason": "Hết giá trị"})
    assert early.status_code == 400
    assert [f["path"] for f in _body(early)["error"]["fields"]] == ["file_ids.0"]

    frozen["now"] = datetime(2032, 1, 2, 9, 0, tzinfo=HANOI).astimezone(UTC)
    assert leader.send("POST", "/api/archive/disposals",
                       {"file_ids": [file_id], "reason": "Hết giá trị"}).status_code == 403
    proposed = archivist.send("POST", "/api/archive/disposals",
                              {"file_ids": [file_id], "reason": "Hết thời hạn bảo quản"})
    assert proposed.status_code == 200, proposed.body
    listing = _body(proposed)
    assert (listing["status"], listing["status_label"]) == ("proposed", "Đề nghị hủy")
    # Proposed is not destroyed: the copy is there until a leader decides.
    s3, bucket = boto3.client("s3"), os.environ["ARCHIVE_BUCKET"]
    s3.head_object(Bucket=bucket, Key=copy["key"], VersionId=copy["version_id"])
    assert archivist.send("POST", f"/api/archive/disposals/{listing['id']}/decision",
                          {"approve": True, "version": 1}).status_code == 403

    decided = leader.send("POST", f"/api/archive/disposals/{listing['id']}/decision",
                          {"approve": True, "note": "Đồng ý hủy", "version": 1})
    assert decided.status_code == 200, decided.body
    assert _body(decided)["status"] == "approved"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key=copy["key"], VersionId=copy["version_id"])
    # The file's index and its trail stay.
    gone = _body(archivist.get(f"/api/archive/files/{file_id}"))
    assert gone["status"] == "disposed" and gone["status_label"] == "Đã hủy"
    assert [i["number"] for i in gone["items"]] == ["12/UBND-KT"]
    head_of_trail = bootstrap.trail().head(f"case-file:{file_id}")
    assert head_of_trail.seq >= 5  # listed, filed, closed, handed over, disposed
    again = leader.send("POST", f"/api/archive/disposals/{listing['id']}/decision",
                        {"approve": True, "version": 2})
    assert again.status_code == 409


def test_a_disposal_s3_still_locks_is_refused_and_nothing_is_recorded(
        client, as_role, frozen):
    head, leader, officer = as_role("unit_head"), as_role("leader"), as_role("officer")
    archivist = as_role("archivist")
    kept = _handed_over(head, leader, officer, archivist, "BC-02", lock=True)
    assert kept["archived"][0]["lock"] == "COMPLIANCE"
    # Our clock says the retention is over; S3's lock (its own clock) still holds.
    frozen["now"] = datetime(2032, 1, 2, 9, 0, tzinfo=HANOI).astimezone(UTC)
    listing = _body(archivist.send("POST", "/api/archive/disposals",
                                   {"file_ids": [kept["id"]], "reason": "Hết giá trị"}))
    refused = leader.send("POST", f"/api/archive/disposals/{listing['id']}/decision",
                          {"approve": True, "version": 1})
    assert refused.status_code == 409 and _body(refused)["error"]["code"] == "still_locked"
    assert _body(archivist.get(f"/api/archive/files/{kept['id']}"))["status"] == "handed_over"
    assert _body(leader.get(f"/api/archive/disposals/{listing['id']}"))["status"] == "proposed"


def test_one_hand_over_record_covers_several_files_and_grants_let_others_read_one(
        client, as_role, frozen):
    from pypdf import PdfReader

    from chalicelib import bootstrap
    from chalicelib.audit.store import AuditStore
    from tests.aws import drain_workflow

    head, leader, officer = as_role("unit_head"), as_role("leader"), as_role("officer")
    archivist = as_role("archivist")
    made = [_body(head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/files", {
        "code": code, "title": f"Báo cáo công tác {code}", "group": "TH-03",
        "responsible": "chuyenvien"})) for code in ("BC-01", "BC-02")]
    listed = _body(head.get(f"/api/archive/lists/PDKKD/{YEAR}"))
    leader.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/approve",
                {"version": listed["version"]})
    first, second = (_received(officer, archivist, f["id"]) for f in made)
    # A file not in the archive, or named twice, is named in the 400.
    open_file = _body(head.send("POST", f"/api/archive/lists/PDKKD/{YEAR + 1}/files", {
        "code": "X-1", "title": "Chưa nộp lưu", "group": "TH-04", "responsible": "chuyenvien"}))
    bad = archivist.send("POST", "/api/archive/handover-records",
                         {"file_ids": [first["id"], open_file["id"], first["id"]]})
    assert bad.status_code == 400
    assert {f["path"] for f in _body(bad)["error"]["fields"]} == {"file_ids.1", "file_ids"}
    assert head.send("POST", "/api/archive/handover-records",
                     {"file_ids": [first["id"]]}).status_code == 403

    made = archivist.send("POST", "/api/archive/handover-records",
                          {"file_ids": [second["id"], first["id"]]})
    assert made.status_code == 200, made.body
    record = _body(made)
    # In the order of the mục lục: by year, then code.
    assert record["unit"] == "PDKKD" and record["file_ids"] == [first["id"], second["id"]]
    assert [f["code"] for f in _body(archivist.get(
        f"/api/archive/handover-records/{record['id']}"))["files"]] == ["BC-01", "BC-02"]
    printed = archivist.get(f"/api/archive/handover-records/{record['id']}/pdf",
                            accept="application/pdf")
    assert printed.status_code == 200 and printed.body.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(printed.body)).pages)
    for words in ("BIÊN BẢN", "MỤC LỤC HỒ SƠ", "Hà Nội, ngày 10 tháng 03 năm 2026", "BC-01",
                  "BC-02", "Tổng số: 02 hồ sơ, 2 văn bản; 2 tệp", "Bùi Thị Mai",
                  "Phòng Đăng ký kinh doanh"):
        assert words in text, words
    assert bootstrap.trail().head(f"archive-handover:{record['id']}").seq == 1
    assert archivist.get("/api/archive/handover-records/nope").status_code == 404

    # ---- reading grants: the archivist lets a person read an archived file
    kept = first
    path = f"/api/archive/files/{kept['id']}"
    assert officer.get(path).status_code == 404
    bad = archivist.send("POST", path + "/grants", {"username": "khongco", "until": "2026-03-01"})
    assert bad.status_code == 400
    assert {f["path"] for f in _body(bad)["error"]["fields"]} == {"username", "until"}
    assert head.send("POST", path + "/grants",
                     {"username": "chuyenvien", "until": "2026-03-20"}).status_code == 403

    granted = archivist.send("POST", path + "/grants",
                             {"username": "chuyenvien", "until": "2026-03-20"})
    assert granted.status_code == 200, granted.body
    assert [(g["username"], g["until"], g["active"]) for g in _body(granted)["grants"]] == [
        ("chuyenvien", "2026-03-20", True)]
    # The grantee reads it, read-only: no action, nothing filed, not closed again.
    seen = _body(officer.get(path))
    assert (seen["status"], seen["actions"], seen["read_until"]) == (
        "handed_over", [], "2026-03-20")
    assert "grants" not in seen
    assert officer.get(path + "/export", accept="application/pdf").status_code == 200
    refused = officer.send("POST", path + "/items",
                           {"kind": "incoming", "ref": _incoming("PDKKD", "chuyenvien")})
    assert refused.status_code == 409 and _body(refused)["error"]["code"] == "case_file_closed"
    assert head.get(path).status_code == 404  # a grant is personal
    drain_workflow()
    assert [n["title"] for n in _body(officer.get("/api/notifications"))["items"]
            if n["link"] == f"/app/archive?file={kept['id']}"] == [
        "Bạn được đọc hồ sơ lưu trữ “BC-01 Báo cáo công tác BC-01” đến hết "
        "ngày 20/03/2026"]

    # After its last day, the grant is over.
    frozen["now"] = datetime(2026, 3, 21, 9, 0, tzinfo=HANOI).astimezone(UTC)
    assert officer.get(path).status_code == 404
    # Granted again, then revoked by the archivist: over at once; both audited.
    archivist.send("POST", path + "/grants", {"username": "chuyenvien", "until": "2026-04-30"})
    assert officer.get(path).status_code == 200
    revoked = archivist.send("DELETE", path + "/grants/chuyenvien")
    assert revoked.status_code == 200, revoked.body
    assert [g["active"] for g in _body(revoked)["grants"]] == [False]
    assert officer.get(path).status_code == 404
    assert archivist.send("DELETE", path + "/grants/chuyenvien").status_code == 404
    entries = AuditStore(Table()).entries(f"case-file:{kept['id']}")
    assert [e["action"] for e in entries][-3:] == [
        "archive.grant", "archive.grant", "archive.grant_revoke"]



def test_a_file_kept_at_its_unit_is_disposed_of_only_through_an_approved_list(
        client, as_role, frozen):
    import os

    head, leader, officer = as_role("unit_head"), as_role("leader"), as_role("officer")
    archivist = as_role("archivist")
    made = [_body(head.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/files", {
        "code": code, "title": title, "group": group, "responsible": "chuyenvien"}))
        for code, title, group in (("HC-01", "Giấy mời họp thường kỳ", "HC-01"),
                                   ("CV-01", "Công văn trao đổi", "TH-04"))]
    listed = _body(head.get(f"/api/archive/lists/PDKKD/{YEAR}"))
    leader.send("POST", f"/api/archive/lists/PDKKD/{YEAR}/approve",
                {"version": listed["version"]})
    closed = []
    for f in made:
        filed = _body(officer.send("POST", f"/api/archive/files/{f['id']}/items", {
            "kind": "incoming", "ref": _incoming("PDKKD", "chuyenvien")}))
        closed.append(_body(officer.send("POST", f"/api/archive/files/{f['id']}/close",
                                         {"version": filed["version"]})))
    short, long_kept = closed
    # Two years: kept at the unit, never due to the archive, ends on 1 January 2029.
    assert (short["handover_due"], short["retain_until"]) == (None, "2029-01-01")
    assert long_kept["handover_due"] == "2027-03-10" and long_kept["retain_until"] is None

    frozen["now"] = datetime(2028, 12, 31, 9, 0, tzinfo=HANOI).astimezone(UTC)
    early = archivist.send("POST", "/api/archive/disposals",
                           {"file_ids": [short["id"], long_kept["id"]], "reason": "Hết giá trị"})
    assert early.status_code == 400
    # Not yet expired; due to the archive, so handed over first.
    assert [f["path"] for f in _body(early)["error"]["fields"]] == ["file_ids.0", "file_ids.1"]

    frozen["now"] = datetime(2029, 1, 2, 9, 0, tzinfo=HANOI).astimezone(UTC)
    listing = _body(archivist.send("POST", "/api/archive/disposals",
                                   {"file_ids": [short["id"]], "reason": "Hết thời hạn"}))
    # Proposed is not disposed: the file is as it was until a leader decides.
    assert _body(head.get(f"/api/archive/files/{short['id']}"))["status"] == "closed"
    decided = leader.send("POST", f"/api/archive/disposals/{listing['id']}/decision",
                          {"approve": True, "note": "Đồng ý hủy", "version": 1})
    assert decided.status_code == 200, decided.body
    gone = _body(head.get(f"/api/archive/files/{short['id']}"))
    assert gone["status"] == "disposed" and [i["number"] for i in gone["items"]] == [
        "12/UBND-KT"]
    # The documents' owners are told which of their records the list destroys.
    sqs, url = boto3.client("sqs"), os.environ["WORKFLOW_QUEUE_URL"]
    events: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        events += [json.loads(m["Body"]) for m in batch]
    disposed = [e["payload"] for e in events if e["type"] == "archive.file_disposed"]
    assert [(p["id"], p["disposal_id"], [i["kind"] for i in p["items"]]) for p in disposed] == [
        (short["id"], listing["id"], ["incoming"])]

"""Incoming documents end to end in moto: S3 → ingest queue → pipeline →
register, then read within routed permissions."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from chalicelib.adapters.dynamo import Table
from tests.conftest import CORPUS
from tests.pdfs import make_pdf


def _pump(aws_env: dict[str, str]) -> Any:
    import app as app_module
    from chalicelib.local.pump import pollers_for

    return {p.name: p for p in pollers_for(app_module.app, boto3.client("sqs"),
                                          "ap-southeast-1")}


def _drop(aws_env: dict[str, str], name: str, data: bytes) -> None:
    boto3.client("s3").put_object(Bucket=aws_env["INTAKE_BUCKET"], Key=f"incoming/{name}",
                                  Body=data)


def _records(session: Any) -> dict[str, dict[str, Any]]:
    items = json.loads(session.get("/api/intake").body)["items"]
    return {i["file_name"]: i for i in items}


def test_a_corpus_dropped_in_the_intake_bucket_ends_in_the_documented_states(
        aws_env, as_role, monkeypatch):
    if not CORPUS.exists():
        import os

        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpus is missing at {CORPUS}")
        pytest.skip(f"no shared corpus at {CORPUS}")
    manifest = json.loads((CORPUS / "manifest.json").read_text("utf-8"))["docs"]
    originals = [d for d in manifest if d.get("kind") != "copy_of"]
    copies = [d for d in manifest if d.get("kind") == "copy_of"]
    from chalicelib.adapters import ocr

    # The OCR step as on a machine without Tesseract (tests/integration/test_ocr.py
    # runs it for real): the scan is registered for a clerk, the state documented.
    monkeypatch.setattr(ocr, "available", lambda: "missing programs: tesseract")
    pumps = _pump(aws_env)
    pump = pumps["on_intake_notification"]
    for doc in originals:  # one by one: the numbers follow the order of arrival
        _drop(aws_env, doc["file"], (CORPUS / doc["file"]).read_bytes())
        pump.drain()
        pumps["ocr"].drain()
    for doc in copies:
        _drop(aws_env, doc["file"], (CORPUS / doc["file"]).read_bytes())
        pump.drain()
    clerk = as_role("clerk")
    records = _records(clerk)
    assert set(records) == {d["file"] for d in manifest}
    expected_status = {None: "registered", "scanned_pdf": "needs_review",
                       "copy_of": "duplicate", "empty": "rejected", "not_pdf": "rejected",
                       "truncated_pdf": "rejected", "encrypted_pdf": "needs_review"}
    numbers = []
    for doc in manifest:
        record = records[doc["file"]]
        assert record["status"] == expected_status[doc.get("kind")], (doc["file"], record)
        if record["status"] != "registered":
            assert record["reason"], doc["file"]  # a person is told why
        if doc.get("kind") is None:
            registered = json.loads(clerk.get(f"/api/incoming/{record['document_id']}").body)
            for name, value in doc["expected"].items():
                assert registered[name] == value, (doc["file"], name)
            numbers.append(registered["so_den"])
    assert numbers == list(range(1, len(numbers) + 1))  # consecutive, from 01
    original = records["cv_stc_du_toan_2027.pdf"]
    assert records["cv_stc_du_toan_2027 (1).pdf"]["document_id"] == original["document_id"]
    scanned = records["cv_scan_so_cong_thuong.pdf"]
    scan_doc = json.loads(clerk.get(f"/api/incoming/{scanned['document_id']}").body)
    assert scan_doc["so_den"] == len(numbers) + 1 or scan_doc["metadata_complete"] is False
    assert "bản quét" in scanned["reason"]


def test_registered_document_visibility_follows_the_routes(aws_env, as_role):
    pdf = make_pdf(["UBND THANH PHO HA NOI", "SO TAI CHINH", "So: 15/STC-VP",
                    "Ha Noi, ngay 05 thang 01 nam 2026", "V/v thu nghiem", "Kinh gui: So KHDT"])
    _drop(aws_env, "thu.pdf", pdf)
    _pump(aws_env)["on_intake_notification"].drain()
    clerk = as_role("clerk")
    record = _records(clerk)["thu.pdf"]
    doc_id = record["document_id"]
    assert doc_id
    assert as_role("leader").get(f"/api/incoming/{doc_id}").status_code == 200
    for role in ("officer", "unit_head", "one_stop", "admin"):
        assert as_role(role).get(f"/api/incoming/{doc_id}").status_code == 404, role
    listed = json.loads(clerk.get("/api/incoming").body)["items"]
    assert [i["id"] for i in listed] == [doc_id]
    assert json.loads(as_role("officer").get("/api/incoming").body)["items"] == []
    # The clerk marks it secret: now only the clerk sees it, in lists too.
    current = json.loads(clerk.get(f"/api/incoming/{doc_id}").body)
    body = {k: current[k] for k in ("so_ky_hieu", "co_quan_ban_hanh", "ngay_ban_hanh",
                                   "loai_van_ban", "trich_yeu", "do_khan", "nguoi_ky")}
    resp = clerk.send("PUT", f"/api/incoming/{doc_id}",
                      {**body, "do_mat": "mat", "version": current["version"]})
    assert resp.status_code == 200, resp.body
    assert as_role("leader").get(f"/api/incoming/{doc_id}").status_code == 404
    assert json.loads(as_role("leader").get("/api/incoming").body)["items"] == []
    assert clerk.get(f"/api/incoming/{doc_id}").status_code == 200
    trail = json.loads(clerk.get(f"/api/audit/incoming:{doc_id}").body)["entries"]
    assert [e["action"] for e in trail][:2] == ["incoming.register", "incoming.view"]
    assert "incoming.correct" in [e["action"] for e in trail]
    assert json.loads(clerk.get(f"/api/audit/incoming:{doc_id}/verify").body)["intact"]


def test_a_lost_race_for_a_number_retries_without_gap_or_duplicate(aws_env, as_role,
                                                                    monkeypatch):
    """Two registrations read the same counter; the second's transaction fails on
    the counter's condition and it retries with a fresh read. (moto in-process is
    not thread-safe, so the race is staged deterministically.)"""
    from datetime import UTC, date, datetime

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    def meta(i: int) -> Metadata:
        return Metadata(so_ky_hieu=f"{i}/UBND-VP", co_quan_ban_hanh="UBND quận Ba Đình",
                        ngay_ban_hanh=date(2026, 11, 2), trich_yeu=f"V/v số {i}")

    at = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    assert incoming.register(None, meta(1), arrival=at, source="paper",
                             table=Table())["so_den"] == 1
    real_get = Table.get
    stale = {"served": False}

    def get(self: Table, pk: str, sk: str, *, consistent: bool = False) -> Any:
        item = real_get(self, pk, sk, consistent=consistent)
        if pk.startswith("COUNTER#") and not stale["served"]:
            stale["served"] = True
            # Meanwhile another clerk takes the next number.
            monkeypatch.setattr(Table, "get", real_get)
            assert incoming.register(None, meta(2), arrival=at, source="paper",
                                     table=Table())["so_den"] == 2
            monkeypatch.setattr(Table, "get", get)
        return item

    monkeypatch.setattr(Table, "get", get)
    third = incoming.register(None, meta(3), arrival=at, source="paper", table=Table())
    monkeypatch.setattr(Table, "get", real_get)
    assert stale["served"] and third["so_den"] == 3
    numbers = sorted(int(i["so_den"]) for i in Table().query(
        "REGISTER#incoming#2026", index="gsi3", limit=10).items)
    assert numbers == [1, 2, 3]
    resp = as_role("clerk").send("POST", "/api/incoming", {
        "so_ky_hieu": "99/TB-UBND", "co_quan_ban_hanh": "UBND quận Hoàn Kiếm",
        "ngay_ban_hanh": "2026-11-20", "trich_yeu": "Thông báo lịch tiếp dân",
        "ngay_den": "2026-11-27T10:00:00+07:00"})
    assert resp.status_code == 200, resp.body
    assert json.loads(resp.body)["so_den"] == 4
    assert json.loads(resp.body)["so_den_text"] == "04"


def test_numbers_restart_each_year(aws_env):
    from datetime import UTC, date, datetime

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    def reg(at: datetime) -> int:
        return int(incoming.register(None, Metadata(so_ky_hieu="1/A", co_quan_ban_hanh="B",
                                                    ngay_ban_hanh=date(2026, 12, 1),
                                                    trich_yeu="x"),
                                     arrival=at, source="paper", table=Table())["so_den"])

    assert reg(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == 1  # 23:00 in Hanoi, 31 Dec
    assert reg(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == 1  # 00:30 on 1 Jan 2027
    assert reg(datetime(2027, 1, 2, 2, 0, tzinfo=UTC)) == 2


def test_metadata_corrections_are_checked(aws_env, as_role):
    clerk = as_role("clerk")
    resp = clerk.send("POST", "/api/incoming", {"so_ky_hieu": "", "co_quan_ban_hanh": "X" * 201,
                                                "trich_yeu": "ok", "ngay_ban_hanh": "2026-02-30"})
    assert resp.status_code == 400
    paths = {f["path"] for f in json.loads(resp.body)["error"]["fields"]}
    assert {"so_ky_hieu", "co_quan_ban_hanh", "ngay_ban_hanh"} <= paths
    officer = as_role("officer")
    assert officer.send("POST", "/api/incoming", {
        "so_ky_hieu": "1/A", "co_quan_ban_hanh": "B", "trich_yeu": "c"}).status_code == 403


def test_file_download_is_a_short_link_and_is_audited(aws_env, as_role):
    pdf = make_pdf(["SO XAY DUNG", "So: 07/TB-SXD", "Ha Noi, ngay 03 thang 02 nam 2026"])
    _drop(aws_env, "tai.pdf", pdf)
    _pump(aws_env)["on_intake_notification"].drain()
    clerk = as_role("clerk")
    doc_id = _records(clerk)["tai.pdf"]["document_id"]
    link = json.loads(clerk.get(f"/api/incoming/{doc_id}/file").body)
    assert link["expires_in"] == 300 and "X-Amz-Signature" in link["url"]
    actions = [e["action"] for e in json.loads(
        clerk.get(f"/api/audit/incoming:{doc_id}").body)["entries"]]
    assert "incoming.download" in actions
    assert as_role("officer").get(f"/api/incoming/{doc_id}/file").status_code == 404


def test_failed_file_is_marked_and_can_be_retried(aws_env, as_role, monkeypatch):
    from chalicelib.incoming import intake

    real = intake.metadata_from_text
    calls = {"n": 0}

    def broken(text: str) -> Any:
        calls["n"] += 1
        raise RuntimeError("detector crashed")

    monkeypatch.setattr(intake, "metadata_from_text", broken)
    sqs = boto3.client("sqs")
    sqs.set_queue_attributes(QueueUrl=aws_env["INGEST_QUEUE_URL"],
                             Attributes={"VisibilityTimeout": "0"})
    _drop(aws_env, "hong.pdf", make_pdf(["UBND THANH PHO HA NOI", "SO Y TE", "So: 77/SYT-NVY",
                                         "Ha Noi, ngay 10 thang 11 nam 2026",
                                         "V/v kiem tra an toan thuc pham"]))
    poller = _pump(aws_env)["on_intake_notification"]
    for _ in range(8):
        poller.poll_once(wait_seconds=0)
    clerk = as_role("clerk")
    record = _records(clerk)["hong.pdf"]
    assert record["status"] == "failed" and "Thử lại" in record["reason"]
    assert calls["n"] == 5  # every delivery tried, then parked
    monkeypatch.setattr(intake, "metadata_from_text", real)
    resp = clerk.send("POST", f"/api/intake/{record['id']}/retry")
    assert resp.status_code == 200, resp.body
    poller.drain()
    assert _records(clerk)["hong.pdf"]["status"] in ("registered", "needs_review")


def test_upload_url_is_a_presigned_post_with_limits(aws_env, as_role):
    out = json.loads(as_role("clerk").send("POST", "/api/intake/upload").body)
    assert out["fields"]["key"].startswith("incoming/web/")
    assert out["max_bytes"] == 50 * 1024 * 1024
    assert as_role("officer").send("POST", "/api/intake/upload").status_code == 403


def test_a_share_opens_one_document_to_one_person_and_is_audited(aws_env, as_role):
    from datetime import UTC, date, datetime

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    doc = incoming.register(None, Metadata(so_ky_hieu="8/TB-SXD", co_quan_ban_hanh="Sở Xây dựng",
                                           ngay_ban_hanh=date(2026, 11, 3), trich_yeu="Chia sẻ"),
                            arrival=datetime.now(UTC), source="paper", table=Table())
    officer = as_role("officer")
    assert officer.get(f"/api/incoming/{doc['id']}").status_code == 404
    clerk = as_role("clerk")
    resp = clerk.send("POST", f"/api/items/incoming:{doc['id']}/grants",
                      {"username": "chuyenvien"})
    assert resp.status_code == 200, resp.body
    assert officer.get(f"/api/incoming/{doc['id']}").status_code == 200
    assert [i["id"] for i in json.loads(officer.get("/api/incoming").body)["items"]] == [doc["id"]]
    assert officer.send("POST", f"/api/items/incoming:{doc['id']}/grants",
                        {"username": "motcua"}).status_code == 403
    assert clerk.send("POST", f"/api/items/incoming:{doc['id']}/grants",
                      {"username": "khongco"}).status_code == 400
    assert clerk.send("DELETE",
                      f"/api/items/incoming:{doc['id']}/grants/chuyenvien").status_code == 200
    assert officer.get(f"/api/incoming/{doc['id']}").status_code == 404
    assert json.loads(officer.get("/api/incoming").body)["items"] == []
    actions = [e["action"] for e in json.loads(
        clerk.get(f"/api/audit/incoming:{doc['id']}").body)["entries"]]
    assert actions.count("incoming.grant") == 1 and actions.count("incoming.revoke") == 1


def test_urgent_documents_are_mailed_to_the_leaders_at_once(aws_env, as_role):
    from datetime import UTC, date, datetime

    from chalicelib.adapters.dev_outbox import read_moto_ses
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata, Urgency

    def reg(urgency: Urgency, number: int) -> None:
        incoming.register(None, Metadata(
            so_ky_hieu=f"{number}/STC-VP", co_quan_ban_hanh="Sở Tài chính",
            ngay_ban_hanh=date(2026, 11, 5), trich_yeu="V/v báo cáo gấp số liệu giải ngân",
            do_khan=urgency), arrival=datetime.now(UTC), source="paper", table=Table())

    reg(Urgency.THUONG, 20)
    reg(Urgency.HOA_TOC, 21)
    _pump(aws_env)["on_workflow_message"].drain()
    mails = [m for m in read_moto_ses() if "Văn bản đến số" in m["subject"]]
    assert len(mails) == 1
    assert mails[0]["subject"].startswith("[HỎA TỐC] Văn bản đến số 02: 21/STC-VP")
    assert set(mails[0]["to"]) == {"giamdoc@skhdt.example", "phogiamdoc@skhdt.example"}
    assert "Sở Tài chính" in mails[0]["text"]


def test_the_sender_gets_a_same_day_receipt_when_known(aws_env, as_role):
    from chalicelib.adapters.dev_outbox import read_moto_ses

    clerk = as_role("clerk")
    resp = clerk.send("POST", "/api/incoming", {
        "so_ky_hieu": "77/UBND-VP", "co_quan_ban_hanh": "UBND quận Tây Hồ",
        "ngay_ban_hanh": "2026-11-20", "trich_yeu": "V/v đề nghị phối hợp",
        "sender_email": "vanthu@tayho.example"})
    assert resp.status_code == 200, resp.body
    boto3.client("s3").put_object(
        Bucket=aws_env["INTAKE_BUCKET"], Key="incoming/gateway/a.pdf",
        Body=make_pdf(["UBND QUAN LONG BIEN", "So: 12/UBND-VP", "V/v phoi hop",
                       "Ha Noi, ngay 20 thang 11 nam 2026", "Noi dung van ban de nghi"]),
        Metadata={"sender": "vanthu@longbien.example"})
    pumps = _pump(aws_env)
    pumps["on_intake_notification"].drain()
    pumps["on_workflow_message"].drain()
    receipts = {m["to"][0]: m for m in read_moto_ses() if m["subject"].startswith("Xác nhận")}
    assert set(receipts) == {"vanthu@tayho.example", "vanthu@longbien.example"}
    assert "vào sổ văn bản đến số 01/" in receipts["vanthu@tayho.example"]["text"]


def test_a_browser_upload_keeps_the_name_the_clerk_chose(aws_env, as_role):
    import urllib.parse

    post = json.loads(as_role("clerk").send("POST", "/api/intake/upload").body)
    # What the page's form sends to the presigned POST, put straight into the bucket.
    boto3.client("s3").put_object(
        Bucket=aws_env["INTAKE_BUCKET"], Key=post["fields"]["key"],
        Body=make_pdf(["SO NOI VU", "So: 98/KH-SNV", "Ke hoach danh gia can bo nam 2026"]),
        Metadata={"filename": urllib.parse.quote("Kế hoạch đánh giá.pdf")})
    _pump(aws_env)["on_intake_notification"].drain()
    assert "Kế hoạch đánh giá.pdf" in _records(as_role("clerk"))

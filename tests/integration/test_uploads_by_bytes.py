"""Citizens' and staff uploads are checked by their bytes (#21 item 10): HTML and
an ``MZ`` executable declared ``application/pdf`` are refused with a 400 naming
the field, and nothing is filed."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.conftest import login

HTML = b"<html><body><script>document.location='https://x.example'</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _body(resp: Any) -> Any:
    return json.loads(resp.body)


def _upload(client: Any, route: str, data: bytes, content_type: str = "application/pdf") -> str:
    from chalicelib.kernel.config import get_settings

    form = _body(client.http.post(route))
    boto3.client("s3").put_object(Bucket=get_settings().intake_bucket,
                                  Key=form["fields"]["key"], Body=data,
                                  ContentType=content_type, Metadata={"filename": "1.pdf"})
    return str(form["upload_id"])


def _file_complaint(client: Any, files: list[str]) -> Any:
    return client.http.post("/api/public/complaints", headers={
        "Content-Type": "application/json"}, body=json.dumps({
            "kind": "petition", "name": "Phạm Văn Gửi", "phone": "0912001234",
            "address": "Hà Nội", "content": "Kiến nghị kèm tài liệu.", "files": files}).encode())


@pytest.mark.parametrize("data", [HTML, EXE], ids=["html", "exe"])
def test_a_complaint_attachment_that_is_not_what_it_says_is_refused(aws_env, client, data):
    good = _upload(client, "/api/public/complaints/uploads", b"%PDF-1.4 bang chung")
    bad = _upload(client, "/api/public/complaints/uploads", data)
    resp = _file_complaint(client, [good, bad])
    assert resp.status_code == 400, resp.body
    err = _body(resp)["error"]
    assert err["code"] == "invalid_file_type"
    assert [f["path"] for f in err["fields"]] == ["files.1"]
    ok = _file_complaint(client, [good])
    assert ok.status_code == 200, ok.body


def test_a_dossier_paper_that_is_an_executable_is_refused_naming_the_paper(aws_env, client):
    from chalicelib.adapters.dynamo import Table
    from chalicelib.onestop.service import ensure_catalogue

    ensure_catalogue(Table())
    procs = _body(client.http.get("/api/public/procedures"))["procedures"]
    required = [p["code"] for p in next(p for p in procs if p["code"] == "DKDN-DNTN")["papers"]
                if p["required"]]
    papers = {code: [_upload(client, "/api/public/dossiers/uploads", b"%PDF-1.4 giay")]
              for code in required}
    papers[required[-1]] = [_upload(client, "/api/public/dossiers/uploads", EXE)]
    resp = client.http.post("/api/public/dossiers", headers={"Content-Type": "application/json"},
                            body=json.dumps({"procedure": "DKDN-DNTN", "papers": papers,
                                             "applicant": {"name": "Đỗ Thị Nộp",
                                                           "phone": "0987001122"}}).encode())
    assert resp.status_code == 400, resp.body
    err = _body(resp)["error"]
    assert err["code"] == "invalid_file_type"
    assert [f["path"] for f in err["fields"]] == [f"papers.{required[-1]}"]


def test_a_staff_version_that_is_html_declared_pdf_is_refused(aws_env, client, accounts):
    officer = login(client, "chuyenvien", accounts["chuyenvien"]["password"])
    draft = officer.send("POST", "/api/outgoing", {
        "type_code": "CV", "subject": "Thử tải tệp giả", "signer": "giamdoc",
        "recipients_internal": ["VP"]})
    assert draft.status_code == 200, draft.body
    doc_id = _body(draft)["id"]
    for data in (HTML, EXE, b"PK\x03\x04 a zip that is no document"):
        resp = officer.send_file("POST", f"/api/outgoing/{doc_id}/versions", data)
        assert resp.status_code == 400, resp.body
        err = _body(resp)["error"]
        assert err["code"] == "invalid_file_type" and err["fields"][0]["path"] == "file"
    assert _body(officer.get(f"/api/outgoing/{doc_id}"))["versions"] == []

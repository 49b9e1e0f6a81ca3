"""Complaints, denunciations and petitions over the API: the public filing and
lookup, the desk's decisions with the legal clocks, assignment into work
tracking, the signed answer e-mailed to the person, a protected denouncer's
identity, the dashboard, and bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3

from tests.aws import drain_workflow, sent_messages

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _body(resp: Any) -> Any:
    return json.loads(resp.body)


def _drain() -> int:
    return drain_workflow()


def _mails(to: str) -> list[dict[str, Any]]:
    out = []
    for parsed in sent_messages():
        if str(parsed["To"]) != to:
            continue
        mail = {"subject": str(parsed["Subject"]), "text": "", "attachments": 0}
        for part in parsed.walk():
            if part.is_multipart():
                continue
            if part.get_filename():
                mail["attachments"] += 1
            elif part.get_content_type() == "text/plain" and not mail["text"]:
                mail["text"] = part.get_content()
        out.append(mail)
    return out


def _file(client: Any, **changes: Any) -> Any:
    body = {"kind": "complaint", "name": "Nguyễn Văn Dân", "id_number": "001088012345",
            "address": "12 Phố Huế, Hà Nội", "phone": "0912345678",
            "email": "dan@example.vn",
            "content": "Tôi khiếu nại quyết định từ chối cấp giấy chứng nhận đăng ký "
                       "doanh nghiệp của Phòng Đăng ký kinh doanh.",
            "decision": "Thông báo từ chối số 123/TB-ĐKKD",
            "decision_date": (datetime.now(HANOI).date() - timedelta(days=20)).isoformat()}
    body.update(changes)
    return client.http.post("/api/public/complaints", headers={
        "Content-Type": "application/json"}, body=json.dumps(body).encode())


def _case_id(code: str) -> str:
    from chalicelib.adapters.dynamo import Table

    return str(Table().query(f"CASECODE#{code}", index="gsi1", limit=1).items[0]["id"])


def test_a_complaint_filed_online_is_accepted_settled_with_a_signed_answer(
        aws_env, people, client):
    from chalicelib.adapters.dynamo import Table
    from chalicelib.signing.keys import ensure_dev_pki

    ensure_dev_pki(table=Table())
    from chalicelib.kernel.config import get_settings

    # An attachment, as the browser sends it: a presigned POST, then the filing.
    form = _body(client.http.post("/api/public/complaints/uploads"))
    boto3.client("s3").put_object(Bucket=get_settings().intake_bucket,
                                  Key=form["fields"]["key"], Body=b"%PDF-1.4 bang chung",
                                  ContentType="application/pdf",
                                  Metadata={"filename": "bang-chung.pdf"})
    resp = _file(client, files=[form["upload_id"]])
    assert resp.status_code == 200, resp.body
    code = _body(resp)["code"]
    from chalicelib.adapters.dynamo import Table

    (kept,) = Table().get(f"CASE#{_case_id(code)}", "CASE")["files"]
    assert kept["name"] == "bang-chung.pdf" and kept["key"].endswith("/1.pdf")
    assert boto3.client("s3").get_object(Bucket=get_settings().documents_bucket,
                                         Key=kept["key"])["Body"].read().startswith(b"%PDF")
    assert code.startswith("KN-")
    _drain()
    (receipt,) = _mails("dan@example.vn")
    assert code in receipt["subject"] and code in receipt["text"]

    # The public lookup: status and dates only; a wrong phone is an unknown code.
    found = _body(client.http.get(f"/api/public/complaints/{code}?phone_last4=5678"))
    assert found["status"] == "received" and set(found) == {
        "code", "kind_label", "status", "status_label", "received", "deadline", "settled"}
    wrong = client.http.get(f"/api/public/complaints/{code}?phone_last4=0000")
    unknown = client.http.get("/api/public/complaints/KN-000000-XXXXXX?phone_last4=5678")
    assert wrong.status_code == unknown.status_code == 404
    assert _body(wrong)["error"]["message"] == _body(unknown)["error"]["message"]

    case_id = _case_id(code)
    clerk, leader = people["vanthu"], people["giamdoc"]
    # The clerks are asked to decide by the acceptance deadline until one does.
    def desk_work() -> list[dict[str, Any]]:
        return [i for i in _body(clerk.get("/api/work/mine"))["items"]
                if i["link"] == f"/app/complaint?id={case_id}"]

    (asked,) = desk_work()
    assert asked["kind"] == "complaint.classify" and asked["for_role"] == "clerk"
    resp = clerk.send("POST", f"/api/complaints/{case_id}/accept")
    assert resp.status_code == 200, resp.body
    case = _body(resp)
    assert case["status"] == "accepted"
    # The settlement deadline is the statute's, under the case's rule version.
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.complaints import clocks as clocks

    accepted = datetime.fromisoformat(case["accepted_at"].replace("Z", "+00:00"))
    expected = clocks.deadlines(clocks.CaseFacts(
        kind=clocks.CaseKind.COMPLAINT,
        received_at=datetime.fromisoformat(case["received_at"].replace("Z", "+00:00")),
        decision_date=date.fromisoformat(case["decision_date"])),
        accepted_at=accepted, calendar=agency_calendar())
    assert case["clocks"]["settle_by"][:16] == expected.settle_by.astimezone(UTC).isoformat()[:16]
    assert case["deadline"] == case["clocks"]["settle_by"]
    assert desk_work() == []

    resp = leader.send("POST", f"/api/complaints/{case_id}/assign",
                       {"unit": "PDKKD", "officer": "chuyenvien"})
    assert resp.status_code == 200, resp.body
    officer = people["chuyenvien"]
    # The case is in the officer's work, with the legal deadline.
    items = [i for i in _body(officer.get("/api/work/mine"))["items"]
             if i["link"] == f"/app/complaint?id={case_id}"]
    assert len(items) == 1 and items[0]["deadline"][:16] == case["clocks"]["settle_by"][:16]
    assert officer.send("POST", f"/api/complaints/{case_id}/notes",
                        {"text": "Đã xác minh hồ sơ tại Phòng ĐKKD."}).status_code == 200

    resp = officer.send("POST", f"/api/complaints/{case_id}/answer", {
        "signer": "giamdoc", "body": "Giữ nguyên thông báo từ chối số 123/TB-ĐKKD vì hồ sơ "
                                     "thiếu điều lệ công ty."})
    assert resp.status_code == 200, resp.body
    answer_id = _body(resp)["id"]
    officer.send("POST", f"/api/outgoing/{answer_id}/submit", {})
    for reviewer in ("truongphong", "chanhvanphong", "giamdoc"):
        assert people[reviewer].send("POST", f"/api/outgoing/{answer_id}/review",
                                     {"approve": True}).status_code == 200
    leader.send("POST", f"/api/outgoing/{answer_id}/sign")
    _drain()
    issued = _body(clerk.send("POST", f"/api/outgoing/{answer_id}/issue"))
    _drain()
    case = _body(leader.get(f"/api/complaints/{case_id}"))
    assert case["status"] == "settled" and case["on_time"] is True
    assert case["answer_number"] == issued["number_text"]
    answer_mail = [m for m in _mails("dan@example.vn") if issued["number_text"] in m["subject"]]
    assert answer_mail and answer_mail[0]["attachments"] == 1
    assert _body(client.http.get(f"/api/public/complaints/{code}?phone_last4=5678"))[
        "status"] == "settled"
    dash = _body(leader.get("/api/reports/complaints"))
    row = next(k for k in dash["kinds"] if k["kind"] == "complaint")
    assert row["received"] == 1 and row["settled_on_time"] == 1 and row["open"] == 0
    # The leaders' dashboard counts the period's flows: received in the month of
    # receipt, settled in the month of settlement; none before.
    from zoneinfo import ZoneInfo

    def local(value: str) -> date:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(
            ZoneInfo("Asia/Ho_Chi_Minh")).date()

    received_on, settled_on = local(case["received_at"]), local(case["settled_at"])
    board = _body(leader.get(f"/api/dashboard?from={received_on:%Y-%m-01}&to={settled_on}"))
    kind = next(k for k in board["complaints"]["kinds"] if k["kind"] == "complaint")
    assert (kind["received"], kind["settled_on_time"], kind["open"]) == (1, 1, 0)
    before = received_on.replace(day=1) - timedelta(days=1)
    earlier = _body(leader.get(f"/api/dashboard?from={before:%Y-%m-01}&to={before}"))
    kind = next(k for k in earlier["complaints"]["kinds"] if k["kind"] == "complaint")
    assert (kind["received"], kind["settled_on_time"]) == (0, 0)
    assert officer.send("POST", f"/api/complaints/{case_id}/close").status_code == 200


def test_a_protected_denouncer_is_seen_only_by_the_leader_and_the_assigned_officer(
        aws_env, people, client):
    resp = _file(client, kind="denunciation", protect_identity=True, decision="",
                 decision_date=None, email="toCao@example.vn",
                 content="Tố cáo cán bộ A nhận tiền khi hướng dẫn hồ sơ đăng ký.")
    code = _body(resp)["code"]
    case_id = _case_id(code)
    clerk, leader = people["vanthu"], people["giamdoc"]
    view = _body(clerk.get(f"/api/complaints/{case_id}"))
    assert view["protected"] and view["person"]["visible"] is False
    assert "Nguyễn Văn Dân" not in json.dumps(view, ensure_ascii=False)
    assert clerk.get(f"/api/complaints/{case_id}/identity").status_code == 403
    assert leader.get(f"/api/complaints/{case_id}/identity").status_code == 200
    clerk.send("POST", f"/api/complaints/{case_id}/accept")
    leader.send("POST", f"/api/complaints/{case_id}/assign",
                {"unit": "PDKKD", "officer": "chuyenvien"})
    assert _body(people["chuyenvien"].get(f"/api/complaints/{case_id}/identity"))[
        "name"] == "Nguyễn Văn Dân"
    # The head of the unit handles the case but does not learn who denounced.
    assert people["truongphong"].get(f"/api/complaints/{case_id}/identity").status_code == 403
    trail = _body(leader.get(f"/api/audit/complaint:{case_id}"))["entries"]
    assert [e["actor"] for e in trail if e["action"] == "complaint.identity_view"] == [
        "giamdoc", "chuyenvien"]
    # Never in the dashboard's export either.
    xlsx = leader.get("/api/reports/complaints?format=xlsx", accept="*/*")
    assert xlsx.status_code == 200 and b"Nguy" not in xlsx.body


def test_out_of_time_complaints_are_refused_with_a_reason(aws_env, people, client):
    late = (datetime.now(HANOI).date() - timedelta(days=120)).isoformat()
    code = _body(_file(client, decision_date=late))["code"]
    case_id = _case_id(code)
    clerk = people["vanthu"]
    resp = clerk.send("POST", f"/api/complaints/{case_id}/accept")
    assert resp.status_code == 400 and _body(resp)["error"]["code"] == "out_of_time"
    resp = clerk.send("POST", f"/api/complaints/{case_id}/refuse",
                      {"reason": "Quá thời hiệu khiếu nại 90 ngày."})
    assert _body(resp)["status"] == "refused"
    _drain()
    assert any("Quá thời hiệu" in m["text"] for m in _mails("dan@example.vn"))


def test_bad_input_is_refused_clearly(aws_env, client):
    # Five filings from one source: the public route allows five a minute.
    # A script is just text: kept as written, escaped wherever it is shown.
    script = "<script>alert('x')</script> khiếu nại về việc chậm cấp phép."
    resp = _file(client, content=script, email="script@example.vn")
    assert resp.status_code == 200, resp.body
    from chalicelib.adapters.dynamo import Table

    case = Table().get(f"CASE#{_case_id(_body(resp)['code'])}", "CASE")
    assert case["content"] == script
    bad = _file(client, website="http://spam.example")
    assert bad.status_code == 400
    assert _body(bad)["error"]["fields"][0]["path"] == "website"
    assert _file(client, content="").status_code == 400
    assert _file(client, content="x" * 10001).status_code == 400
    impossible = _file(client, decision_date="2026-02-30")
    assert impossible.status_code == 400
    assert _body(impossible)["error"]["fields"][0]["path"] == "decision_date"


def test_a_future_date_is_refused_and_bursts_from_one_source_are_limited(aws_env, client):
    future = _file(client, decision_date=(date.today() + timedelta(days=30)).isoformat())
    assert future.status_code == 400
    assert _body(future)["error"]["fields"][0]["path"] == "decision_date"
    statuses = [_file(client, email=f"b{i}@example.vn").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    from chalicelib.adapters.dynamo import Table

    # What was accepted before the limit stays accepted.
    kept = [i for i in Table().query("AGENCY#complaint", index="gsi1", limit=50).items]
    assert len(kept) == 4


def test_denunciation_extensions_move_the_deadline_in_work(aws_env, people, client):
    code = _body(_file(client, kind="denunciation", decision="", decision_date=None,
                       content="Tố cáo việc cố ý làm trái quy định trong cấp phép."))["code"]
    case_id = _case_id(code)
    clerk, leader = people["vanthu"], people["giamdoc"]
    clerk.send("POST", f"/api/complaints/{case_id}/classify",
               {"kind": "denunciation", "complexity": "complex"})
    clerk.send("POST", f"/api/complaints/{case_id}/accept")
    leader.send("POST", f"/api/complaints/{case_id}/assign",
                {"unit": "PDKKD", "officer": "chuyenvien"})
    before = _body(leader.get(f"/api/complaints/{case_id}"))["clocks"]["settle_by"]
    resp = leader.send("POST", f"/api/complaints/{case_id}/extend",
                       {"days": 30, "decision": "Quyết định gia hạn số 5/QĐ-SKHĐT"})
    assert resp.status_code == 200, resp.body
    after = _body(resp)["clocks"]["settle_by"]
    assert after > before
    work = [w for w in _body(people["chuyenvien"].get("/api/work/mine"))["items"]
            if w["link"] == f"/app/complaint?id={case_id}"]
    assert len(work) == 1 and work[0]["deadline"][:16] == after[:16]
    # A complex denunciation has one extension; the second is refused.
    again = leader.send("POST", f"/api/complaints/{case_id}/extend",
                        {"days": 10, "decision": "Quyết định gia hạn lần 2"})
    assert again.status_code == 400

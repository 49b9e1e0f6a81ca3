"""From receipt to completion: distribution, assignment, opinions, progress,
passing on, sending back, completion; deadlines on working days."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.adapters.dynamo import Table


@pytest.fixture
def doc(aws_env, accounts) -> dict[str, Any]:
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata, Urgency

    return incoming.register(None, Metadata(
        so_ky_hieu="1234/STC-QLNS", co_quan_ban_hanh="Sở Tài chính",
        ngay_ban_hanh=date(2026, 11, 5), trich_yeu="V/v hướng dẫn dự toán 2027",
        do_khan=Urgency.KHAN), arrival=datetime.now(UTC), source="paper", table=Table())


def _body(resp: Any) -> Any:
    return json.loads(resp.body)


def _next_working_day(days_ahead: int = 10) -> str:
    from datetime import timedelta

    from chalicelib.calendar.service import agency_calendar

    cal = agency_calendar()
    return cal.working_day_on_or_after(date.today() + timedelta(days=days_ahead)).isoformat()


def _with_pdkkd(leader: Any, head: Any, doc_id: str) -> int:
    """The leader gives the document to PDKKD; the version its head then reads."""
    leader.send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": _next_working_day(), "version": 1})
    return int(_body(head.get(f"/api/incoming/{doc_id}"))["version"])


def test_receipt_to_completion(doc, as_role):
    leader, head, officer = as_role("leader"), as_role("unit_head"), as_role("officer")
    doc_id = doc["id"]
    assert officer.get(f"/api/incoming/{doc_id}").status_code == 404
    suggestion = _body(leader.get(f"/api/incoming/{doc_id}/suggested-deadline"))
    assert suggestion["urgency"] == "Khẩn"
    due = _next_working_day()
    resp = leader.send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": due, "instruction": "Phòng ĐKKD chủ trì",
        "supporting": [{"unit": "PTH", "deadline": due}], "version": 1})
    assert resp.status_code == 200, resp.body
    assert _body(resp)["units"] == ["PDKKD", "PTH"]
    # The head of the lead unit now sees it; the officer not yet.
    assert head.get(f"/api/incoming/{doc_id}").status_code == 200
    assert officer.get(f"/api/incoming/{doc_id}").status_code == 404
    version = _body(head.get(f"/api/incoming/{doc_id}"))["version"]
    resp = head.send("POST", f"/api/incoming/{doc_id}/assign", {
        "officers": [{"username": "chuyenvien", "part": "lead"}], "version": version,
        "instruction": "Anh Minh dự thảo văn bản trả lời"})
    assert resp.status_code == 200, resp.body
    assert officer.get(f"/api/incoming/{doc_id}").status_code == 200
    assert officer.send("POST", f"/api/incoming/{doc_id}/opinions",
                        {"text": "Đề nghị lấy ý kiến Phòng Tổng hợp"}).status_code == 200
    assert officer.send("POST", f"/api/incoming/{doc_id}/progress",
                        {"text": "Đã có dự thảo", "progress": 60}).status_code == 200
    view = _body(officer.get(f"/api/incoming/{doc_id}/handling"))
    mine = [p for p in view["parts"] if p["assignee"] == "U#chuyenvien"][0]
    assert mine["progress"] == 60 and mine["timeliness"] in ("on_time", "due_soon")
    resp = officer.send("POST", f"/api/incoming/{doc_id}/complete",
                        {"result": "Đã trả lời", "answer": "05/SKHĐT-ĐKKD"})
    assert resp.status_code == 200, resp.body
    assert _body(resp) == {"document_completed": True}
    done = _body(leader.get(f"/api/incoming/{doc_id}"))
    assert done["status"] == "completed"
    view = _body(leader.get(f"/api/incoming/{doc_id}/handling"))
    lead = [p for p in view["parts"] if p["assignee"] == "UNIT#PDKKD"][0]
    assert lead["status"] == "done" and lead["timeliness"] in ("done_early", "done_on_time")
    assert [n["note_kind"] for n in view["notes"]] == ["opinion", "progress"]
    slip = leader.get(f"/api/incoming/{doc_id}/slip")
    printed = slip.body.decode()
    assert slip.status_code == 200 and "Phiếu giải quyết văn bản đến" in printed
    # People and units by their names, not by username or unit code.
    assert "<td>Trần Văn Minh</td>" in printed
    assert "<td>Phòng Đăng ký kinh doanh</td>" in printed
    assert "<td>Phòng Tổng hợp, Quy hoạch</td>" in printed
    assert "<td>chuyenvien</td>" not in printed and "<td>PDKKD</td>" not in printed
    actions = [e["action"] for e in _body(leader.get(f"/api/audit/incoming:{doc_id}"))["entries"]]
    for expected in ("incoming.distribute", "incoming.assign", "incoming.opinion",
                     "incoming.progress", "incoming.complete"):
        assert expected in actions
    assert _body(leader.get(f"/api/audit/incoming:{doc_id}/verify"))["intact"]


def test_bad_directions_are_refused_with_the_reason(doc, as_role):
    leader = as_role("leader")
    doc_id = doc["id"]
    past = leader.send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": "2020-01-06", "version": 1})
    assert past.status_code == 400
    assert _body(past)["error"]["fields"][0]["path"] == "lead_deadline"
    from chalicelib.calendar.service import agency_calendar

    cal = agency_calendar()
    day = date.today()
    from datetime import timedelta

    while cal.is_working_day(day) or day <= date.today():
        day += timedelta(days=1)
    off = leader.send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": day.isoformat(), "version": 1})
    assert off.status_code == 400
    err = _body(off)["error"]
    assert err["code"] == "not_a_working_day"
    assert cal.working_day_on_or_after(day).strftime("%d/%m/%Y") in err["message"]
    unknown = leader.send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "NOPE", "lead_deadline": _next_working_day(), "version": 1,
        "supporting": [{"unit": "PDKKD", "deadline": _next_working_day()}]})
    assert unknown.status_code == 400
    assert _body(unknown)["error"]["fields"][0]["path"] == "lead_unit"
    stale = leader.send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": _next_working_day(), "version": 7})
    assert stale.status_code == 409


def test_head_assigns_only_within_the_unit_and_officers_pass_work_on(doc, as_role):
    leader, head, officer = as_role("leader"), as_role("unit_head"), as_role("officer")
    doc_id = doc["id"]
    version = _with_pdkkd(leader, head, doc_id)
    outside = head.send("POST", f"/api/incoming/{doc_id}/assign", {
        "officers": [{"username": "vanthu"}], "version": version})
    assert outside.status_code == 400
    assert _body(outside)["error"]["code"] == "assignee_out_of_scope"
    assert _body(outside)["error"]["fields"][0]["path"] == "officers.0.username"
    late = head.send("POST", f"/api/incoming/{doc_id}/assign", {
        "officers": [{"username": "chuyenvien"}], "version": version,
        "deadline": _next_working_day(40)})
    assert late.status_code == 400
    ok = head.send("POST", f"/api/incoming/{doc_id}/assign", {
        "officers": [{"username": "chuyenvien"}], "version": version})
    assert ok.status_code == 200, ok.body
    back = officer.send("POST", f"/api/incoming/{doc_id}/send-back",
                        {"reason": "Không thuộc lĩnh vực phụ trách"})
    assert back.status_code == 200
    again = officer.send("POST", f"/api/incoming/{doc_id}/complete", {"result": "x"})
    assert again.status_code == 403 and _body(again)["error"]["code"] == "no_open_work"
    view = _body(head.get(f"/api/incoming/{doc_id}/handling"))
    mine = [p for p in view["parts"] if p["assignee"] == "U#chuyenvien"][0]
    assert mine["status"] == "returned" and mine["result"] == "Không thuộc lĩnh vực phụ trách"


def test_open_work_is_indexed_by_deadline_and_leaves_the_index_when_done(doc, as_role):
    leader, head, officer = as_role("leader"), as_role("unit_head"), as_role("officer")
    doc_id = doc["id"]
    version = _with_pdkkd(leader, head, doc_id)
    head.send("POST", f"/api/incoming/{doc_id}/assign", {
        "officers": [{"username": "chuyenvien"}], "version": version})
    open_work = Table().query("OPENWORK", index="gsi3", limit=50).items
    assert {w["assignee"] for w in open_work} == {"UNIT#PDKKD", "U#chuyenvien"}
    mine = Table().query("WORK#U#chuyenvien", index="gsi2", limit=50).items
    assert [w["doc_id"] for w in mine] == [doc_id]
    officer.send("POST", f"/api/incoming/{doc_id}/complete", {"result": "Xong"})
    assert Table().query("OPENWORK", index="gsi3", limit=50).items == []

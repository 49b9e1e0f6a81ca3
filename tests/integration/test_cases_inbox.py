"""The pending actions of complaints, one-stop dossiers and meetings in the work
inbox, through ``GET /api/work/mine`` as each demo user: the state change puts
the item in exactly the right person's or queue's inbox (kind, title, link),
another entitled person's action takes it out, and nobody else ever sees it.

Deadlines are compared with the ones the same change computed (the case's
legal clock, the dossier's appointment, the meeting's start), never with the
wall clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
EVERYONE = ("vanthu", "chuyenvien", "truongphong", "giamdoc", "phogiamdoc",
            "chanhvanphong", "motcua")


def _body(resp: Any) -> Any:
    assert resp.status_code == 200, resp.body
    return json.loads(resp.body)


def _inbox(people: dict[str, Any], link: str) -> dict[str, list[dict[str, Any]]]:
    """Who has an open item for ``link`` in their inbox, and which."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in EVERYONE:
        found = [i for i in _body(people[name].get("/api/work/mine"))["items"]
                 if i["link"] == link]
        if found:
            out[name] = found
    return out


def _kinds(people: dict[str, Any], link: str) -> dict[str, list[str]]:
    return {name: sorted(i["kind"] for i in found)
            for name, found in _inbox(people, link).items()}


# ---------------------------------------------------------------- complaints


def _file_complaint(client: Any, content: str) -> str:
    body = {"kind": "complaint", "name": "Nguyễn Văn Dân", "phone": "0912345678",
            "email": "dan@example.vn", "content": content,
            "decision": "Thông báo từ chối số 123/TB-ĐKKD",
            "decision_date": (datetime.now(HANOI).date() - timedelta(days=20)).isoformat()}
    resp = client.http.post("/api/public/complaints", headers={
        "Content-Type": "application/json"}, body=json.dumps(body).encode())
    code = _body(resp)["code"]
    from chalicelib.adapters.dynamo import Table

    return str(Table().query(f"CASECODE#{code}", index="gsi1", limit=1).items[0]["id"])


def test_a_complaint_waits_for_the_clerks_then_the_leaders_then_its_handler(
        aws_env, people, client):
    content = "Khiếu nại quyết định từ chối cấp giấy chứng nhận đăng ký doanh nghiệp."
    case_id = _file_complaint(client, content)
    link = f"/app/complaint?id={case_id}"
    case = _body(people["giamdoc"].get(f"/api/complaints/{case_id}"))

    # Received: the clerks must classify and accept it by the legal deadline.
    inbox = _inbox(people, link)
    assert list(inbox) == ["vanthu"]
    (item,) = inbox["vanthu"]
    assert (item["kind"], item["title"], item["for_role"]) == (
        "complaint.classify", f"{case['code']}: {content}", "clerk")
    assert item["deadline"] == case["clocks"]["accept_by"] == case["deadline"]

    # A leader may decide at the desk too: the clerks' item leaves; the leaders
    # (both of them) must now assign the case.
    assert people["giamdoc"].send("POST", f"/api/complaints/{case_id}/accept").status_code == 200
    assert _kinds(people, link) == {"giamdoc": ["complaint.assign"],
                                    "phogiamdoc": ["complaint.assign"]}
    (item,) = _inbox(people, link)["giamdoc"]
    assert item["title"] == f"{case['code']}: {content}" and item["for_role"] == "leader"

    # The deputy assigns it to a unit: the leaders' item leaves, the unit's head
    # must have it answered by the settlement deadline.
    assert people["phogiamdoc"].send("POST", f"/api/complaints/{case_id}/assign",
                                     {"unit": "PDKKD", "officer": None}).status_code == 200
    accepted = _body(people["giamdoc"].get(f"/api/complaints/{case_id}"))
    assert _kinds(people, link) == {"truongphong": ["complaint.answer"]}
    (item,) = _inbox(people, link)["truongphong"]
    assert item["for_unit"] == "PDKKD" and item["deadline"] == accepted["clocks"]["settle_by"]

    # The head names the officer: the answer is the officer's alone.
    assert people["truongphong"].send("POST", f"/api/complaints/{case_id}/assign",
                                      {"unit": "PDKKD", "officer": "chuyenvien"}
                                      ).status_code == 200
    assert _kinds(people, link) == {"chuyenvien": ["complaint.answer"]}

    # The answer issued settles the case (the workflow step's effect): nothing is left.
    from chalicelib.adapters.dynamo import Table
    from chalicelib.complaints import service as complaints

    assert complaints.settle_from_answer(case_id, {"number_text": "12/QĐ-SKHĐT",
                                                   "issued_key": "issued/12.pdf"}, Table())
    assert _inbox(people, link) == {}


def test_a_complaint_passed_on_at_the_desk_leaves_no_action(aws_env, people, client):
    case_id = _file_complaint(client, "Phản ánh việc cấp phép xây dựng tại quận Ba Đình.")
    link = f"/app/complaint?id={case_id}"
    assert _kinds(people, link) == {"vanthu": ["complaint.classify"]}
    assert people["vanthu"].send("POST", f"/api/complaints/{case_id}/transfer", {
        "to": "UBND quận Ba Đình", "reason": "Không thuộc thẩm quyền của Sở."}
    ).status_code == 200
    assert _inbox(people, link) == {}


# ---------------------------------------------------------------- one-stop dossiers


def _submit_dossier(client: Any) -> str:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.kernel.config import get_settings
    from chalicelib.onestop.service import ensure_catalogue

    ensure_catalogue(Table())
    procs = _body(client.http.get("/api/public/procedures"))["procedures"]
    proc = next(p for p in procs if p["code"] == "DKDN-DNTN")
    papers = {}
    import boto3

    for paper in (p["code"] for p in proc["papers"] if p["required"]):
        form = _body(client.http.post("/api/public/dossiers/uploads"))
        boto3.client("s3").put_object(Bucket=get_settings().intake_bucket,
                                      Key=form["fields"]["key"], Body=b"%PDF-1.4 giay to",
                                      ContentType="application/pdf",
                                      Metadata={"filename": "giay-to.pdf"})
        papers[paper] = [form["upload_id"]]
    resp = client.http.post("/api/public/dossiers", headers={
        "Content-Type": "application/json"}, body=json.dumps({
            "procedure": "DKDN-DNTN", "papers": papers,
            "applicant": {"name": "Trần Thị Doanh", "phone": "0987654321",
                          "email": "doanh@example.vn",
                          "organisation": "Doanh nghiệp tư nhân Hoa Sen"}}).encode())
    code = _body(resp)["code"]
    from chalicelib.adapters.dynamo import Table

    return str(Table().query(f"DOSSIERCODE#{code}", index="gsi1", limit=1).items[0]["id"])


def test_a_dossier_goes_from_the_desk_through_its_unit_to_the_signer_and_back(
        aws_env, people, client):
    dossier_id = _submit_dossier(client)
    link = f"/app/dossier?id={dossier_id}"
    d = _body(people["motcua"].get(f"/api/dossiers/{dossier_id}"))
    title = f"{d['code']}: {d['procedure']['name']}"

    # Submitted online: the desk must receive it (its first step), any one-stop officer.
    inbox = _inbox(people, link)
    assert list(inbox) == ["motcua"]
    (item,) = inbox["motcua"]
    assert (item["kind"], item["title"], item["for_role"]) == ("dossier.step", title,
                                                              "one_stop")
    assert item["deadline"] == d["steps"][0]["deadline"]

    # A leader may hand it on as well: the examining unit's head has the next step.
    assert people["giamdoc"].send("POST", f"/api/dossiers/{dossier_id}/advance",
                                  {}).status_code == 200
    assert _kinds(people, link) == {"truongphong": ["dossier.step"]}
    assert _inbox(people, link)["truongphong"][0]["for_unit"] == "PDKKD"

    # Examined: the dossier is at the signing step; its unit's head must sign the result.
    assert people["chuyenvien"].send("POST", f"/api/dossiers/{dossier_id}/advance",
                                     {}).status_code == 200
    assert _kinds(people, link) == {"truongphong": ["dossier.sign_result", "dossier.step"]}
    sign = next(i for i in _inbox(people, link)["truongphong"]
                if i["kind"] == "dossier.sign_result")
    assert sign["title"] == title and sign["for_unit"] == "PDKKD"
    assert sign["deadline"] <= d["steps"][2]["deadline"]

    # The director signs it instead (entitled at any step): the head's signing item leaves.
    assert people["giamdoc"].send("POST", f"/api/dossiers/{dossier_id}/result"
                                  ).status_code == 200
    assert _kinds(people, link) == {"truongphong": ["dossier.step"]}
    # The signing step signs it (the signing step is done only once it is signed).
    from chalicelib.adapters.dynamo import Table
    from chalicelib.signing.keys import ensure_dev_pki
    from tests.aws import drain_workflow

    ensure_dev_pki(table=Table())
    drain_workflow()
    assert _body(people["giamdoc"].get(f"/api/dossiers/{dossier_id}"))[
        "result_status"] == "signed"

    # The last steps: back at the desk, then resolved: the result is to be handed back
    # by the appointment.
    assert people["chuyenvien"].send("POST", f"/api/dossiers/{dossier_id}/advance",
                                     {}).status_code == 200
    assert _kinds(people, link) == {"motcua": ["dossier.step"]}
    assert people["motcua"].send("POST", f"/api/dossiers/{dossier_id}/advance",
                                 {}).status_code == 200
    assert _kinds(people, link) == {"motcua": ["dossier.return_result"]}
    (item,) = _inbox(people, link)["motcua"]
    assert item["deadline"] == d["appointment_at"] and item["title"] == title

    # Returned by a leader: nothing waits for anyone.
    resp = people["giamdoc"].send("POST", f"/api/dossiers/{dossier_id}/return",
                                  {"how": "in_person"})
    assert _body(resp)["status"] == 10
    assert _inbox(people, link) == {}


def test_a_stopped_dossier_leaves_every_inbox(aws_env, people, client):
    dossier_id = _submit_dossier(client)
    link = f"/app/dossier?id={dossier_id}"
    people["motcua"].send("POST", f"/api/dossiers/{dossier_id}/advance", {})
    people["chuyenvien"].send("POST", f"/api/dossiers/{dossier_id}/advance", {})
    assert _kinds(people, link) == {"truongphong": ["dossier.sign_result", "dossier.step"]}
    assert people["motcua"].send("POST", f"/api/dossiers/{dossier_id}/stop",
                                 {"reason": "Công dân rút hồ sơ."}).status_code == 200
    assert _inbox(people, link) == {}


# ---------------------------------------------------------------- meetings


def _at(days: int, hour: int) -> datetime:
    day = (datetime.now(HANOI) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=HANOI)


def _meeting(start: datetime, **changes: Any) -> dict[str, Any]:
    return {"title": "Họp triển khai kế hoạch đầu tư công năm 2027",
            "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
            "place": "Phòng họp số 2", "chair": "giamdoc",
            "participants": ["chuyenvien", "truongphong"],
            "guests": [{"email": "khach@doanhnghiep.vn", "name": "Ông Lê Văn Khách"}],
            **changes}


def test_each_member_of_staff_invited_answers_before_the_meeting(aws_env, people, client):
    meeting = _body(people["vanthu"].send("POST", "/api/meetings", _meeting(_at(3, 9))))
    link = f"/app/meeting?id={meeting['id']}"

    # The invited staff answer by the start; the chair and the scheduler have nothing to do.
    assert _kinds(people, link) == {"chuyenvien": ["meeting.answer"],
                                    "truongphong": ["meeting.answer"]}
    for name in ("chuyenvien", "truongphong"):
        (item,) = _inbox(people, link)[name]
        assert item["title"] == meeting["title"] and item["deadline"] == meeting["start"]

    assert people["chuyenvien"].send("POST", f"/api/meetings/{meeting['id']}/answer",
                                     {"answer": "accept"}).status_code == 200
    assert _kinds(people, link) == {"truongphong": ["meeting.answer"]}

    # Moved: everyone is asked again, by the new start.
    moved = _body(people["vanthu"].send("PUT", f"/api/meetings/{meeting['id']}", {
        **_meeting(_at(4, 14)), "version": meeting["version"]}))
    assert _kinds(people, link) == {"chuyenvien": ["meeting.answer"],
                                    "truongphong": ["meeting.answer"]}
    assert {i["deadline"] for found in _inbox(people, link).values() for i in found} == {
        moved["start"]}

    # Cancelled: nobody must answer any more.
    assert people["giamdoc"].send("POST", f"/api/meetings/{meeting['id']}/cancel", {
        "version": moved["version"], "reason": "Trùng lịch"}).status_code == 200
    assert _inbox(people, link) == {}


def test_unanswered_invitations_leave_the_inbox_once_the_meeting_is_over(
        aws_env, people, client):
    meeting = _body(people["vanthu"].send("POST", "/api/meetings", _meeting(_at(2, 9))))
    link = f"/app/meeting?id={meeting['id']}"
    assert set(_kinds(people, link)) == {"chuyenvien", "truongphong"}
    from chalicelib.adapters.dynamo import Table
    from chalicelib.kernel.events import instant
    from chalicelib.meetings.service import expire_answers

    start, end = instant(meeting["start"]), instant(meeting["end"])
    # Started but not over: one may still answer, so the items stay.
    assert expire_answers(now=start + timedelta(minutes=30), table=Table()) == {
        "meetings": 0, "closed": 0}
    assert set(_kinds(people, link)) == {"chuyenvien", "truongphong"}
    assert expire_answers(now=end, table=Table()) == {"meetings": 1, "closed": 2}
    assert _inbox(people, link) == {}

"""Outgoing documents and task extensions in the work inbox, over the API and the
workflow queue (moto's KMS signs): each state change puts the action in the
inbox of exactly the person, unit or role queue that must act, another entitled
person's action takes it out, and nobody else ever sees it (``GET
/api/work/mine`` read as every demo user)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from boto3.dynamodb.conditions import Attr

from tests.aws import drain_workflow
from tests.conftest import login

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SUBJECT = "Hướng dẫn đăng ký doanh nghiệp qua mạng"


def _body(resp: Any) -> Any:
    assert 200 <= resp.status_code < 300, resp.body
    return json.loads(resp.body)


def _inbox(people: dict[str, Any], link: str) -> dict[str, list[tuple[str, str, str]]]:
    """Who sees an item pointing at ``link``: username → (kind, title, queue)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for name, session in people.items():
        found = [(i["kind"], i["title"], i.get("for_unit") or i.get("for_role") or "")
                 for i in _body(session.get("/api/work/mine"))["items"] if i["link"] == link]
        if found:
            out[name] = sorted(found)
    return out


def _draft(people: dict[str, Any], **extra: Any) -> tuple[str, str]:
    """A composed draft of the officer's; returns its id and its page."""
    officer = people["chuyenvien"]
    doc = _body(officer.send("POST", "/api/outgoing", {
        "type_code": "CV", "subject": SUBJECT, "signer": "giamdoc",
        "recipients_internal": [], "recipients_external": []} | extra))
    _body(officer.send("POST", f"/api/outgoing/{doc['id']}/compose", {
        "body": "Sở Kế hoạch và Đầu tư hướng dẫn đăng ký doanh nghiệp qua mạng.",
        "recipients": ["Như trên;", "Lưu: VT, ĐKKD."]}))
    return doc["id"], f"/app/outgoing-doc?id={doc['id']}"


def _review(people: dict[str, Any], doc_id: str, who: str, approve: bool = True,
            comment: str = "Đồng ý") -> dict[str, Any]:
    return _body(people[who].send("POST", f"/api/outgoing/{doc_id}/review",
                                  {"approve": approve, "comment": comment}))


def _approved(people: dict[str, Any], **extra: Any) -> tuple[str, str]:
    doc_id, link = _draft(people, **extra)
    _body(people["chuyenvien"].send("POST", f"/api/outgoing/{doc_id}/submit", {}))
    for reviewer in ("truongphong", "chanhvanphong", "giamdoc"):
        _review(people, doc_id, reviewer)
    return doc_id, link


def _status(people: dict[str, Any], doc_id: str) -> dict[str, Any]:
    return _body(people["vanthu"].get(f"/api/outgoing/{doc_id}"))


def _delegate_today(people: dict[str, Any]) -> None:
    today = datetime.now(TZ).date().isoformat()
    _body(people["quantri"].send("POST", "/api/org/delegations", {
        "grantor": "giamdoc", "delegate": "phogiamdoc", "kind": "KT", "start": today,
        "end": today, "note": "Đi công tác"}))


# ---------------------------------------------------------------- review

def test_each_reviewer_is_asked_as_the_draft_reaches_them(people):
    doc_id, link = _draft(people)
    assert _inbox(people, link) == {}  # a draft asks nothing of anyone yet
    _body(people["chuyenvien"].send("POST", f"/api/outgoing/{doc_id}/submit",
                                    {"comment": "Kính trình"}))
    review = "outgoing.review"
    # The head of the drafting unit checks the content: the unit's queue.
    assert _inbox(people, link) == {"truongphong": [(review, SUBJECT, "PDKKD")]}
    _review(people, doc_id, "truongphong")
    # The office checks the format: its heads' queue …
    assert _inbox(people, link) == {"chanhvanphong": [(review, SUBJECT, "VP")]}
    # … which a clerk, also entitled to check it, ends for them.
    _review(people, doc_id, "vanthu")
    assert _inbox(people, link) == {"giamdoc": [(review, SUBJECT, "")]}
    mine = [i for i in _body(people["giamdoc"].get("/api/work/mine"))["items"]
            if i["link"] == link]
    assert mine[0]["kind_label"] == "Kiểm tra dự thảo văn bản đi" and mine[0]["deadline"]
    _review(people, doc_id, "giamdoc")
    assert _inbox(people, link) == {"giamdoc": [("outgoing.sign", SUBJECT, "")]}


# ---------------------------------------------------------------- revise

def test_a_returned_draft_waits_on_its_drafter_until_resubmitted(people):
    doc_id, link = _draft(people)
    _body(people["chuyenvien"].send("POST", f"/api/outgoing/{doc_id}/submit", {}))
    _review(people, doc_id, "truongphong")
    # The office returns it: the drafter revises; the office's check is over.
    _review(people, doc_id, "chanhvanphong", approve=False, comment="Sai thể thức")
    assert _inbox(people, link) == {"chuyenvien": [("outgoing.revise", SUBJECT, "")]}
    _body(people["chuyenvien"].send("POST", f"/api/outgoing/{doc_id}/submit",
                                    {"comment": "Đã sửa"}))
    assert _inbox(people, link) == {"truongphong": [("outgoing.review", SUBJECT, "PDKKD")]}


# ---------------------------------------------------------------- sign

def test_the_signer_and_the_delegate_are_asked_and_the_delegates_signature_ends_both(
        pki, people):
    _delegate_today(people)
    doc_id, link = _draft(people)
    _body(people["chuyenvien"].send("POST", f"/api/outgoing/{doc_id}/submit", {}))
    _review(people, doc_id, "truongphong")
    _review(people, doc_id, "chanhvanphong")
    # The signer's review may be taken by the delegate: both are asked.
    assert _inbox(people, link) == {"giamdoc": [("outgoing.review", SUBJECT, "")],
                                    "phogiamdoc": [("outgoing.review", SUBJECT, "")]}
    _review(people, doc_id, "giamdoc")
    sign = [("outgoing.sign", SUBJECT, "")]
    assert _inbox(people, link) == {"giamdoc": sign, "phogiamdoc": sign}
    _body(people["phogiamdoc"].send("POST", f"/api/outgoing/{doc_id}/sign"))
    drain_workflow()
    assert _status(people, doc_id)["status"] == "signed"
    seen = _inbox(people, link)
    assert "giamdoc" not in seen and "phogiamdoc" not in seen


def test_a_kms_failure_leaves_the_signature_in_the_signers_inbox(pki, people):
    import uuid

    from chalicelib.adapters.dynamo import Table
    from chalicelib.signing.keys import key_of

    doc_id, link = _approved(people)
    real_key = key_of("giamdoc", table=Table())["key_id"]
    Table().update("USER#giamdoc", "SIGNING_KEY", "SET key_id = :k",
                   values={":k": str(uuid.uuid4())})
    _body(people["giamdoc"].send("POST", f"/api/outgoing/{doc_id}/sign"))
    drain_workflow()
    assert _status(people, doc_id)["status"] == "signing_failed"
    assert _inbox(people, link) == {"giamdoc": [("outgoing.sign", SUBJECT, "")]}

    Table().update("USER#giamdoc", "SIGNING_KEY", "SET key_id = :k", values={":k": real_key})
    _body(people["vanthu"].send("POST", f"/api/outgoing/{doc_id}/retry"))
    drain_workflow()
    assert _status(people, doc_id)["status"] == "signed"
    assert set(_inbox(people, link)) == {"vanthu"}  # now the clerks' turn


# ---------------------------------------------------------------- issue

def test_a_signed_urgent_document_waits_on_every_clerk_at_once_and_one_issues_it(
        pki, people, client):
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.kernel.events import instant
    from chalicelib.kernel.identity import Role
    from chalicelib.organisation.users import ensure_user

    ensure_user("vanthu2", "Passw0rd!Passw0rd", "Trần Thị Mai", "vanthu2@skhdt.example",
                [Role.CLERK], "VP", "Văn phòng Sở", "Văn thư")
    people = {**people, "vanthu2": login(client, "vanthu2", "Passw0rd!Passw0rd")}
    doc_id, link = _approved(people, do_khan="Khẩn")
    _body(people["giamdoc"].send("POST", f"/api/outgoing/{doc_id}/sign"))
    drain_workflow()
    issue = [("outgoing.issue", SUBJECT, "clerk")]
    assert _inbox(people, link) == {"vanthu": issue, "vanthu2": issue}
    (item,) = [i for i in _body(people["vanthu"].get("/api/work/mine"))["items"]
               if i["link"] == link]
    # Urgent: at once, two working hours from the signature (not the next day).
    due = agency_calendar().add_working_days(instant(item["assigned_at"]), Decimal("0.25"))
    assert abs(instant(item["deadline"]) - due) < timedelta(seconds=2)

    _body(people["vanthu2"].send("POST", f"/api/outgoing/{doc_id}/issue"))
    # Numbered but not yet out: the clerks' item waits for the issue to succeed.
    assert set(_inbox(people, link)) == {"vanthu", "vanthu2"}
    drain_workflow()
    assert _status(people, doc_id)["status"] == "issued"
    assert _inbox(people, link) == {}


# ---------------------------------------------------------------- task extensions

def _due(days: int) -> date:
    from chalicelib.calendar.service import agency_calendar

    return agency_calendar().working_day_on_or_after(datetime.now(TZ).date()
                                                     + timedelta(days=days))


def _notices(task_id: str) -> list[dict[str, Any]]:
    from chalicelib.kernel.config import get_settings

    table = boto3.resource("dynamodb").Table(get_settings().table_name)
    found = table.scan(FilterExpression=Attr("type").eq("notice.requested")
                       & Attr("subject_id").eq(f"TASK#{task_id}"))["Items"]
    return [json.loads(i["body"])["payload"] for i in found]


def test_an_extension_request_waits_on_the_assigner_until_decided(people):
    head, officer = people["truongphong"], people["chuyenvien"]
    task = _body(head.send("POST", "/api/tasks", {
        "title": "Báo cáo quý IV", "lead": "chuyenvien", "deadline": _due(3).isoformat()}))
    link = f"/app/task?id={task['id']}"
    assert _inbox(people, link) == {"chuyenvien": [("task.handle", "Báo cáo quý IV", "")]}
    until = _due(8)
    _body(officer.send("POST", f"/api/tasks/{task['id']}/extension",
                       {"until": until.isoformat(), "reason": "Chờ số liệu"}))
    assert _inbox(people, link) == {
        "truongphong": [("task.decide_extension", "Báo cáo quý IV", "")],
        "chuyenvien": [("task.handle", "Báo cáo quý IV", "")]}
    assert _notices(task["id"]) == []
    _body(head.send("POST", f"/api/tasks/{task['id']}/extension/decision",
                    {"assignee": "chuyenvien", "approve": True, "note": "Đồng ý"}))
    assert _inbox(people, link) == {"chuyenvien": [("task.handle", "Báo cáo quý IV", "")]}
    assert _notices(task["id"]) == [{
        "to": ["chuyenvien"], "kind": "task.extension_decided", "link": link,
        "title": f"Đề nghị gia hạn nhiệm vụ “Báo cáo quý IV” đã được chấp thuận đến "
                 f"{until:%d/%m/%Y}"}]

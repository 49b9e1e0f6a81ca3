"""Meetings end to end against moto: scheduling, the invitation in the outbox with
an .ics that icalendar reads in Hanoi time, changes and cancellation, answers by
staff and by guests through the link, the one-hour reminder, SES refusals, and
who may see what."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from icalendar import Calendar

from tests.conftest import login

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _body(resp: Any) -> Any:
    return json.loads(resp.body)


def _drain(aws_env: dict[str, str]) -> int:
    import app as app_module
    from chalicelib.local.pump import pollers_for

    pollers = {p.name: p for p in pollers_for(app_module.app, boto3.client("sqs"),
                                              "ap-southeast-1")}
    return pollers["on_workflow_message"].drain()


def _mails(to: str | None = None) -> list[dict[str, Any]]:
    """What moto's SES sent, oldest first, with the .ics bytes (read_moto_ses only
    lists attachment names)."""
    from moto.backends import get_backend

    out: list[dict[str, Any]] = []
    for regions in get_backend("ses").values():
        for backend in regions.values():
            for message in backend.sent_messages:
                raw = getattr(message, "raw_data", None)
                if raw is None:
                    continue
                parsed = email.message_from_string(raw, policy=email.policy.default)
                mail: dict[str, Any] = {"to": str(parsed["To"]), "subject": str(parsed["Subject"]),
                                        "text": "", "ics": None, "ics_name": None,
                                        "ics_type": None}
                for part in parsed.walk():
                    if part.is_multipart():
                        continue
                    if part.get_filename():
                        mail.update(ics=part.get_payload(decode=True),
                                    ics_name=part.get_filename(),
                                    ics_type=str(part["Content-Type"]))
                    elif part.get_content_type() == "text/plain" and not mail["text"]:
                        mail["text"] = part.get_content()
                out.append(mail)
    return [m for m in out if to is None or m["to"] == to]


def _event(ics: bytes) -> tuple[Calendar, Any]:
    cal = Calendar.from_ical(ics)
    (event,) = cal.walk("VEVENT")
    return cal, event


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = (datetime.now(HANOI) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HANOI)


def _meeting_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "Họp triển khai kế hoạch đầu tư công năm 2027",
        "start": _at(3, 9).isoformat(), "end": _at(3, 10, 30).isoformat(),
        "place": "Phòng họp số 2, tầng 3, Sở Kế hoạch và Đầu tư",
        "participants": ["chuyenvien", "truongphong"],
        "guests": [{"email": "khach@doanhnghiep.vn", "name": "Ông Lê Văn Khách"}],
        "agenda": [{"title": "Báo cáo tình hình giải ngân"}, {"title": "Thảo luận, kết luận"}],
        "note": "Đề nghị các đơn vị chuẩn bị số liệu.",
    }
    body.update(changes)
    return body


def _invitation(meeting_id: str, who: str) -> dict[str, Any]:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.meetings.rules import invite_slug

    slug = invite_slug(username=who) if "@" not in who else invite_slug(email=who)
    item = Table().get(f"MEETING#{meeting_id}", f"INVITE#{slug}", consistent=True)
    assert item is not None
    return item


def test_invitation_ics_is_in_hanoi_time_and_changes_keep_the_uid(aws_env, as_role):
    leader = as_role("leader")
    resp = leader.send("POST", "/api/meetings", _meeting_body())
    assert resp.status_code == 200, resp.body
    meeting = _body(resp)
    meeting_id = meeting["id"]
    assert meeting["sequence"] == 0 and meeting["status"] == "scheduled"
    assert meeting["chair"] == "giamdoc" and meeting["version"] == 1
    _drain(aws_env)

    invite = _mails("chuyenvien@skhdt.example")
    assert len(invite) == 1
    mail = invite[0]
    assert mail["subject"].startswith("Giấy mời họp: Họp triển khai kế hoạch đầu tư công")
    assert mail["ics_name"] == "moi-hop.ics"
    assert mail["ics_type"].startswith("text/calendar") and "REQUEST" in mail["ics_type"]
    cal, event = _event(mail["ics"])
    assert str(cal["METHOD"]) == "REQUEST"
    start = event.decoded("DTSTART")
    assert start == _at(3, 9) and str(start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert event.decoded("DTEND") == _at(3, 10, 30)
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert str(event["UID"]) == f"meeting-{meeting_id}@eoffice"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["LOCATION"]).startswith("Phòng họp số 2")
    assert "1. Báo cáo tình hình giải ngân" in str(event["DESCRIPTION"])
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert attendees["mailto:giamdoc@skhdt.example"]["ROLE"] == "CHAIR"
    assert attendees["mailto:khach@doanhnghiep.vn"]["PARTSTAT"] == "NEEDS-ACTION"
    assert attendees["mailto:khach@doanhnghiep.vn"]["RSVP"] == "TRUE"
    assert "Thời gian: 09:00–10:30" in mail["text"]
    # Everyone invited got one: chair, two officers, the guest.
    assert {m["to"] for m in _mails()} == {"giamdoc@skhdt.example", "chuyenvien@skhdt.example",
                                           "truongphong@skhdt.example", "khach@doanhnghiep.vn"}
    assert _invitation(meeting_id, "khach@doanhnghiep.vn")["mail_status"] == "sent"

    # A change: same UID, SEQUENCE 1, the new time; the officer taken off gets a CANCEL.
    moved = _meeting_body(start=_at(3, 14).isoformat(), end=_at(3, 15).isoformat(),
                          participants=["chuyenvien"], version=1)
    resp = leader.send("PUT", f"/api/meetings/{meeting_id}", moved)
    assert resp.status_code == 200, resp.body
    assert _body(resp)["sequence"] == 1 and _body(resp)["version"] == 2
    stale = leader.send("PUT", f"/api/meetings/{meeting_id}", moved)
    assert stale.status_code == 409
    _drain(aws_env)
    second = _mails("chuyenvien@skhdt.example")[-1]
    assert second["subject"].startswith("[Thay đổi] Giấy mời họp")
    cal, event = _event(second["ics"])
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"meeting-{meeting_id}@eoffice"
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == _at(3, 14)
    removed = _mails("truongphong@skhdt.example")[-1]
    assert removed["ics_name"] == "huy-hop.ics"
    cal, event = _event(removed["ics"])
    assert str(cal["METHOD"]) == "CANCEL" and int(event["SEQUENCE"]) == 1
    head = as_role("unit_head")
    assert head.get(f"/api/meetings/{meeting_id}").status_code == 404  # no longer invited

    # Cancellation: METHOD:CANCEL, SEQUENCE 2, to everyone still invited.
    resp = leader.send("POST", f"/api/meetings/{meeting_id}/cancel",
                       {"version": 2, "reason": "Lãnh đạo đi công tác đột xuất"})
    assert resp.status_code == 200, resp.body
    assert _body(resp)["status"] == "cancelled"
    _drain(aws_env)
    for to in ("chuyenvien@skhdt.example", "khach@doanhnghiep.vn"):
        last = _mails(to)[-1]
        assert last["subject"].startswith("Huỷ cuộc họp:")
        cal, event = _event(last["ics"])
        assert str(cal["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
        assert str(event["UID"]) == f"meeting-{meeting_id}@eoffice"
    assert "Lãnh đạo đi công tác đột xuất" in _mails("khach@doanhnghiep.vn")[-1]["text"]
    # The guest's link now says so, and offers no answer.
    link = _link(_mails("khach@doanhnghiep.vn")[0]["text"], "accept")
    page = leader.client.http.get(link).body.decode()
    assert "Cuộc họp này đã bị huỷ" in page and "<form" not in page
    assert leader.send("PUT", f"/api/meetings/{meeting_id}",
                       {**moved, "version": 3}).status_code == 409

    from chalicelib.adapters.dynamo import Table
    from chalicelib.audit import trail as audit

    actions = [e["action"] for e in audit.entries(f"meeting:{meeting_id}", Table())]
    for expected in ("meeting.create", "meeting.update", "meeting.cancel", "meeting.mail_sent"):
        assert expected in actions
    assert audit.verify_chain(f"meeting:{meeting_id}", Table()).intact


def test_bad_input_is_refused_with_the_field(aws_env, as_role):
    clerk = as_role("clerk")
    bad_mail = clerk.send("POST", "/api/meetings", _meeting_body(
        guests=[{"email": "khach@doanhnghiep.vn"}, {"email": "khong-phai-dia-chi"}]))
    assert bad_mail.status_code == 400
    err = _body(bad_mail)["error"]
    assert err["code"] == "validation_error"
    assert [f["path"] for f in err["fields"]] == ["guests.1.email"]
    assert err["fields"][0]["message"] == "Địa chỉ thư điện tử không hợp lệ."
    backwards = clerk.send("POST", "/api/meetings", _meeting_body(
        start=_at(3, 10).isoformat(), end=_at(3, 9).isoformat()))
    assert backwards.status_code == 400
    assert [f["path"] for f in _body(backwards)["error"]["fields"]] == ["end"]
    past = clerk.send("POST", "/api/meetings", _meeting_body(
        start=_at(-1, 9).isoformat(), end=_at(-1, 10).isoformat()))
    assert [f["path"] for f in _body(past)["error"]["fields"]] == ["start"]
    unknown = clerk.send("POST", "/api/meetings", _meeting_body(
        participants=["chuyenvien", "khongtontai"], chair="giamdoc"))
    assert unknown.status_code == 400
    assert [f["path"] for f in _body(unknown)["error"]["fields"]] == ["participants.1"]
    crowd = clerk.send("POST", "/api/meetings", _meeting_body(
        guests=[{"email": f"k{i}@doanhnghiep.vn"} for i in range(41)]))
    assert crowd.status_code == 400
    nowhere = clerk.send("POST", "/api/meetings", _meeting_body(place=""))
    assert [f["path"] for f in _body(nowhere)["error"]["fields"]] == ["place"]
    assert _mails() == []


def test_ses_rejection_is_recorded_on_the_invitation_and_not_retried(aws_env, as_role,
                                                                       monkeypatch):
    from botocore.exceptions import ClientError

    from chalicelib.adapters.mailer import SesMailer

    real_send = SesMailer.send
    attempts: list[str] = []

    def send(self: SesMailer, **kwargs: Any) -> str:
        attempts.append(kwargs["to"][0])
        if kwargs["to"] == ["khach@doanhnghiep.vn"]:
            raise ClientError({"Error": {"Code": "MessageRejected",
                                         "Message": "Email address is not verified."}},
                              "SendRawEmail")
        return real_send(self, **kwargs)

    monkeypatch.setattr(SesMailer, "send", send)
    leader = as_role("leader")
    meeting_id = _body(leader.send("POST", "/api/meetings", _meeting_body()))["id"]
    _drain(aws_env)
    guest = _invitation(meeting_id, "khach@doanhnghiep.vn")
    assert guest["mail_status"] == "failed"
    assert guest["mail_error"].startswith("MessageRejected: Email address is not verified.")
    assert _invitation(meeting_id, "chuyenvien")["mail_status"] == "sent"
    assert attempts.count("khach@doanhnghiep.vn") == 1  # not retried
    # Nothing left in the queue, nothing parked in the dead-letter queue.
    sqs = boto3.client("sqs")
    url = aws_env["WORKFLOW_QUEUE_URL"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0"
    dlq = sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1] + "-dlq")["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=0)
    # Those who run the meeting see which invitation failed, and why.
    view = _body(leader.get(f"/api/meetings/{meeting_id}"))
    failed = [i for i in view["invitations"] if i["mail_status"] == "failed"]
    assert [i["email"] for i in failed] == ["khach@doanhnghiep.vn"]
    assert "MessageRejected" in failed[0]["mail_error"]
    from chalicelib.adapters.dynamo import Table
    from chalicelib.audit import trail as audit

    entries = audit.entries(f"meeting:{meeting_id}", Table())
    assert "meeting.mail_failed" in [e["action"] for e in entries]


def _link(text: str, answer: str) -> str:
    match = re.search(r"http://testserver(/api/public/meetings/answer\?token=[^&\s]+&answer="
                      + answer + ")", text)
    assert match, text
    return match.group(1)


def test_staff_answer_in_the_app_and_a_guest_through_the_link(aws_env, as_role, client,
                                                               accounts):
    leader, officer = as_role("leader"), as_role("officer")
    meeting_id = _body(leader.send("POST", "/api/meetings", _meeting_body()))["id"]
    _drain(aws_env)

    resp = officer.send("POST", f"/api/meetings/{meeting_id}/answer", {"answer": "accept"})
    assert resp.status_code == 200, resp.body
    assert _body(resp)["answer"] == "ACCEPTED"
    assert _body(officer.get(f"/api/meetings/{meeting_id}"))["my_answer"] == "ACCEPTED"
    bad = officer.send("POST", f"/api/meetings/{meeting_id}/answer", {"answer": "maybe"})
    assert bad.status_code == 400
    deputy = login(client, "phogiamdoc", accounts["phogiamdoc"]["password"])
    not_invited = deputy.send("POST", f"/api/meetings/{meeting_id}/answer", {"answer": "accept"})
    assert not_invited.status_code == 403
    assert _body(not_invited)["error"]["code"] == "not_invited"

    # The guest: the link opens a page that asks (a mail scanner's GET answers nothing)…
    text = _mails("khach@doanhnghiep.vn")[-1]["text"]
    link = _link(text, "decline")
    page = client.http.get(link)
    assert page.status_code == 200
    html = page.body.decode()
    assert "Họp triển khai kế hoạch đầu tư công năm 2027" in html
    assert "Chưa trả lời" in html and "Không tham dự" in html
    assert page.headers["Content-Type"].startswith("text/html")
    assert _invitation(meeting_id, "khach@doanhnghiep.vn")["partstat"] == "NEEDS-ACTION"
    # …and the button posts the answer.
    done = client.http.post(link, headers={"Content-Type": "application/x-www-form-urlencoded"},
                            body=b"")
    assert done.status_code == 200, done.body
    assert "Không tham dự" in done.body.decode()
    assert _invitation(meeting_id, "khach@doanhnghiep.vn")["partstat"] == "DECLINED"
    view = _body(leader.get(f"/api/meetings/{meeting_id}"))
    answers = {i["name"]: i["answer"] for i in view["invitations"]}
    assert answers["Ông Lê Văn Khách"] == "DECLINED"
    assert answers["Trần Văn Minh"] == "ACCEPTED"

    # A forged or tampered token is a 404 page, like any guess.
    forged = link.replace("token=", "token=x")
    assert client.http.get(forged).status_code == 404
    assert "Liên kết không hợp lệ" in client.http.get(forged).body.decode()
    other = re.sub(r"token=[^.]+\.", f"token={'0' * 32}.", link)
    assert client.http.post(other, headers={"Content-Type": "application/json"},
                            body=b"").status_code == 404

    # A change that keeps the time keeps the answers; the next .ics carries them.
    resp = leader.send("PUT", f"/api/meetings/{meeting_id}",
                       _meeting_body(place="Hội trường tầng 1", version=1))
    assert resp.status_code == 200, resp.body
    _drain(aws_env)
    _cal, event = _event(_mails("chuyenvien@skhdt.example")[-1]["ics"])
    stats = {str(a): a.params["PARTSTAT"] for a in event["ATTENDEE"]}
    assert stats["mailto:chuyenvien@skhdt.example"] == "ACCEPTED"
    assert stats["mailto:khach@doanhnghiep.vn"] == "DECLINED"
    assert str(event["LOCATION"]) == "Hội trường tầng 1"
    # The first link still works until the meeting is over.
    again = client.http.post(_link(text, "tentative"),
                             headers={"Content-Type": "application/json"}, body=b"")
    assert again.status_code == 200
    assert _invitation(meeting_id, "khach@doanhnghiep.vn")["partstat"] == "TENTATIVE"
    from chalicelib.adapters.dynamo import Table
    from chalicelib.audit import trail as audit

    answered = [e for e in audit.entries(f"meeting:{meeting_id}", Table())
                if e["action"] == "meeting.answer"]
    assert [e["actor"] for e in answered] == ["chuyenvien", "khach:khach@doanhnghiep.vn",
                                              "khach:khach@doanhnghiep.vn"]


def test_reminder_goes_once_an_hour_before_even_when_the_job_runs_twice(aws_env, as_role,
                                                                          monkeypatch):
    from chalicelib.adapters.dynamo import Table
    from chalicelib.local.scheduler import scheduled_event
    from chalicelib.meetings import reminders
    from chalicelib.meetings import service as meetings
    from chalicelib.meetings.jobs import remind_meetings

    leader = as_role("leader")
    start = _at(2, 9)
    resp = leader.send("POST", "/api/meetings", _meeting_body(
        start=start.isoformat(), end=(start + timedelta(hours=1)).isoformat(),
        guests=[]))
    meeting_id = _body(resp)["id"]
    later = leader.send("POST", "/api/meetings", _meeting_body(
        start=(start + timedelta(hours=3)).isoformat(),
        end=(start + timedelta(hours=4)).isoformat(), guests=[]))
    assert later.status_code == 200
    _drain(aws_env)
    # The index the job reads: one partition per start hour, nothing else in it.
    from chalicelib.meetings.service import reminder_bucket

    bucket = Table().query(reminder_bucket(start), index="gsi3", limit=10).items
    assert [i["id"] for i in bucket] == [meeting_id]

    assert remind_meetings(scheduled_event("remind_meetings"), None) == {"found": 0,
                                                                        "claimed": 0}
    monkeypatch.setattr(reminders, "utcnow", lambda: start - timedelta(minutes=50))
    first = remind_meetings(scheduled_event("remind_meetings"), None)
    second = remind_meetings(scheduled_event("remind_meetings"), None)
    assert first == {"found": 1, "claimed": 1}
    assert second == {"found": 0, "claimed": 0}
    _drain(aws_env)
    # Even a second dispatch of the same reminder (a redelivered event) sends nothing twice.
    from chalicelib.kernel.events import DomainEvent

    meetings.dispatch_reminders(DomainEvent(meetings.REMINDER_DUE, f"meeting:{meeting_id}",
                                            {"id": meeting_id, "start": _body(resp)["start"]}),
                                table=Table())
    _drain(aws_env)
    reminders = [m for m in _mails() if m["subject"].startswith("Nhắc lịch họp lúc 09:00")]
    assert sorted(m["to"] for m in reminders) == ["chuyenvien@skhdt.example",
                                                  "giamdoc@skhdt.example",
                                                  "truongphong@skhdt.example"]
    assert _invitation(meeting_id, "chuyenvien")["reminder_status"] == "sent"
    assert "Tham dự: http://testserver/api/public/meetings/answer?token=" in reminders[0]["text"]


def test_who_sees_a_meeting(aws_env, as_role, client, accounts):
    clerk, officer, head = as_role("clerk"), as_role("officer"), as_role("unit_head")
    one_stop = as_role("one_stop")
    # Scheduled by the clerk (Văn phòng), chaired by the director, with the one-stop desk.
    resp = clerk.send("POST", "/api/meetings", _meeting_body(
        chair="giamdoc", participants=["motcua"], guests=[]))
    assert resp.status_code == 200, resp.body
    meeting_id = _body(resp)["id"]
    office_head = login(client, "chanhvanphong", accounts["chanhvanphong"]["password"])
    deputy = login(client, "phogiamdoc", accounts["phogiamdoc"]["password"])

    # An officer and a head of another unit: 404 on everything, as for a missing id.
    for outsider in (officer, head):
        assert outsider.get(f"/api/meetings/{meeting_id}").status_code == 404
        assert outsider.send("PUT", f"/api/meetings/{meeting_id}",
                             _meeting_body(version=1)).status_code == 404
        assert outsider.send("POST", f"/api/meetings/{meeting_id}/cancel",
                             {"version": 1}).status_code == 404
        assert outsider.send("POST", f"/api/meetings/{meeting_id}/answer",
                             {"answer": "accept"}).status_code == 404
        assert meeting_id not in [m["id"] for m in _body(outsider.get("/api/meetings"))["items"]]
    # The participant sees it and answers, but may not change it.
    assert one_stop.get(f"/api/meetings/{meeting_id}").status_code == 200
    assert one_stop.send("PUT", f"/api/meetings/{meeting_id}",
                         _meeting_body(version=1)).status_code == 403
    assert [m["id"] for m in _body(one_stop.get("/api/meetings"))["items"]] == [meeting_id]
    view = _body(one_stop.get(f"/api/meetings/{meeting_id}"))
    assert "email" not in view["invitations"][0]  # addresses are for those who run it
    # The scheduler's head of unit and the leaders see it; so does the chair's list.
    assert office_head.get(f"/api/meetings/{meeting_id}").status_code == 200
    assert deputy.get(f"/api/meetings/{meeting_id}").status_code == 200
    unit_list = _body(office_head.get("/api/meetings?scope=unit"))["items"]
    assert [m["id"] for m in unit_list] == [meeting_id]
    assert head.get("/api/meetings?scope=unit&unit=VP").status_code == 403
    assert _body(clerk.get("/api/meetings?scope=scheduled"))["items"][0]["id"] == meeting_id
    # Only leaders, heads of unit and the clerk schedule.
    assert officer.send("POST", "/api/meetings", _meeting_body()).status_code == 403
    # The scheduler changes it; the chair stays the director.
    resp = clerk.send("PUT", f"/api/meetings/{meeting_id}",
                      _meeting_body(participants=["motcua"], guests=[], place="Phòng họp 5",
                                    version=1))
    assert resp.status_code == 200, resp.body
    assert _body(resp)["chair"] == "giamdoc"
    assert clerk.get("/api/meetings/nope").status_code == 404
    # The trail: those who run or supervise the meeting; not its invitees.
    from chalicelib.adapters.dynamo import Table
    from chalicelib.kernel.errors import NotFound
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.meetings import service as meetings

    t = Table()
    meetings.ensure_can_read_trail(Caller("vanthu", frozenset({Role.CLERK}), "VP"), meeting_id,
                                   t)
    meetings.ensure_can_read_trail(Caller("giamdoc", frozenset({Role.LEADER}), "BGD"),
                                   meeting_id, t)
    with pytest.raises(NotFound):
        meetings.ensure_can_read_trail(Caller("motcua", frozenset({Role.ONE_STOP}), "MC"),
                                       meeting_id, t)


def test_the_public_answer_link_is_rate_limited(client, aws_env):
    url = "/api/public/meetings/answer?token=" + "a" * 40 + ".u-x." + "b" * 43
    statuses = [client.http.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


@pytest.mark.parametrize("scope", ["mine", "scheduled"])
def test_lists_are_latest_first_with_a_cursor(aws_env, as_role, scope):
    leader = as_role("leader")
    ids = []
    for days in (2, 4, 3):
        resp = leader.send("POST", "/api/meetings", _meeting_body(
            start=_at(days, 9).isoformat(), end=_at(days, 10).isoformat(), guests=[]))
        ids.append(_body(resp)["id"])
    page = _body(leader.get(f"/api/meetings?scope={scope}&limit=2"))
    assert [m["id"] for m in page["items"]] == [ids[1], ids[2]]
    rest = _body(leader.get(f"/api/meetings?scope={scope}&limit=2&cursor={page['cursor']}"))
    assert [m["id"] for m in rest["items"]] == [ids[0]]

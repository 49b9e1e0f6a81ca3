"""Notifications end to end on moto: a pending action opened for a unit reaches
each of its heads once (in the list and by mail, in Vietnamese with the local
deadline), an event delivered twice gives one mail and one notice, a person who
turned a kind off gets the notice without the mail, the list's unread count and
marking read, another person's notice is not found, a notice asked for by a
capability, and the digest job's "quá hạn" notice once per item."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.bootstrap import mailer, notifier
from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.identity import Role
from chalicelib.work import items
from chalicelib.work.rules import Action
from tests.aws import drain_workflow
from tests.fakes import FixedClock

# Monday 7 December 2026, 09:00 in Hà Nội: an assignment is due Tuesday 17:00.
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
SUBJECT = "Đề nghị cấp Giấy chứng nhận đăng ký doanh nghiệp Công ty An Phát"


@pytest.fixture
def second_head(accounts: dict[str, Any]) -> str:
    from chalicelib.organisation.users import ensure_user

    ensure_user("phophong", "Pho-phong-2026!", "Bùi Thị Phương", "phophong@skhdt.example",
                [Role.UNIT_HEAD], "PDKKD", "Phòng Đăng ký kinh doanh", "Phó Trưởng phòng")
    return "phophong"


def _open(assignee: str, *, by: str = "giamdoc", action: Action = Action.ASSIGN,
          parent_id: str = "d1") -> DomainEvent:
    """A pending action opened as a capability opens it: in its unit of work,
    published after the commit; then the queue is run as the pump runs it."""
    from chalicelib.adapters.dynamo import Table
    from chalicelib.adapters.outbox import UnitOfWork
    from chalicelib.work.pending import Pending

    uow = UnitOfWork(Table())
    Pending.over(Table(), clock=FixedClock(MONDAY)).open(
        uow, "DOC", parent_id, action, assignee, subject=SUBJECT,
        link=f"/app/document?id={parent_id}", by=by, unit="PDKKD")
    (event,) = uow.commit()
    drain_workflow()
    return event


def _mails(to: str | None = None) -> list[dict[str, Any]]:
    from chalicelib.adapters.dev_outbox import read_moto_ses

    return [m for m in read_moto_ses()
            if m["subject"].startswith(("[Việc cần xử lý]", "[Thông báo]"))
            and (to is None or to in m["to"])]


def _mine(session: Any, query: str = "") -> dict[str, Any]:
    resp = session.get("/api/notifications" + query)
    assert resp.status_code == 200, resp.body
    return json.loads(resp.body)


def test_work_opened_for_a_unit_reaches_each_head_once(second_head, as_role, client):
    from tests.conftest import login

    event = _open(items.unit("PDKKD"))
    mails = _mails()
    assert sorted(m["to"][0] for m in mails) == ["phophong@skhdt.example",
                                                 "truongphong@skhdt.example"]
    mail = mails[0]
    assert mail["subject"] == f"[Việc cần xử lý] Giao cán bộ xử lý văn bản đến: {SUBJECT}"
    assert "Hạn xử lý: 08/12/2026 17:00" in mail["text"]  # the next working day, local time
    assert "http://testserver/app/document?id=d1" in mail["text"]

    head = _mine(as_role("unit_head"))
    assert head["unread"] == 1
    (note,) = head["items"]
    assert {k: note[k] for k in ("kind", "title", "link", "read")} == {
        "kind": "incoming.assign", "title": f"Giao cán bộ xử lý văn bản đến: {SUBJECT}",
        "link": "/app/document?id=d1", "read": False}
    assert note["created_at"] == event.occurred_at
    deputy = login(client, "phophong", "Pho-phong-2026!")
    assert _mine(deputy)["unread"] == 1
    # Nobody else hears of it: the officer of the unit, nor the leader who caused it.
    assert _mine(as_role("officer"))["items"] == [] and _mine(as_role("leader"))["unread"] == 0


def test_an_event_delivered_twice_gives_one_mail_and_one_notice(aws_env, accounts, as_role):
    import boto3

    from chalicelib.kernel.config import resource_name
    from chalicelib.notifications.steps import notify_work_opened

    event = _open(items.person("chuyenvien"), action=Action.HANDLE)
    # SQS delivers it again: the step runner's idempotency, then our own claims
    # (the step called again directly, as after a crash between the two).
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=resource_name("workflow"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=event.to_json())
    drain_workflow()
    notify_work_opened(event, notifier=notifier())
    assert len(_mails("chuyenvien@skhdt.example")) == 1
    officer = _mine(as_role("officer"))
    assert officer["unread"] == 1 and len(officer["items"]) == 1


def test_a_kind_turned_off_gives_the_notice_without_the_mail(aws_env, accounts, as_role):
    officer = as_role("officer")
    resp = officer.send("PUT", "/api/me/preferences", {
        "digest": True, "instant": True, "due_soon_days": 2, "mail": {"incoming": "off"}})
    assert resp.status_code == 200, resp.body
    assert json.loads(resp.body)["mail"]["incoming"] == "off"
    _open(items.person("chuyenvien"), action=Action.HANDLE)
    assert _mails("chuyenvien@skhdt.example") == []
    assert _mine(officer)["unread"] == 1
    # Another kind still mails at once.
    _open(items.person("chuyenvien"), action=Action.TASK, parent_id="t1")
    assert len(_mails("chuyenvien@skhdt.example")) == 1


def test_bad_preferences_name_every_field(aws_env, accounts, as_role):
    resp = as_role("officer").send("PUT", "/api/me/preferences", {
        "digest": True, "instant": True, "due_soon_days": 2,
        "mail": {"incoming": "sometimes", "weather": "off"}})
    assert resp.status_code == 400
    paths = {f["path"] for f in json.loads(resp.body)["error"]["fields"]}
    assert paths == {"mail.incoming", "mail.weather"}


def test_the_unread_count_marking_read_and_the_pages_of_the_list(aws_env, accounts, as_role):
    for n in range(3):
        _open(items.person("chuyenvien"), action=Action.HANDLE, parent_id=f"d{n}")
    officer = as_role("officer")
    first = _mine(officer, "?limit=2")
    assert first["unread"] == 3 and len(first["items"]) == 2 and first["cursor"]
    rest = _mine(officer, "?limit=2&cursor=" + first["cursor"])
    assert len(rest["items"]) == 1 and rest["cursor"] is None
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert len(set(ids)) == 3

    resp = officer.send("POST", f"/api/notifications/{ids[0]}/read")
    assert resp.status_code == 200 and json.loads(resp.body)["unread"] == 2
    again = officer.send("POST", f"/api/notifications/{ids[0]}/read")
    assert json.loads(again.body)["unread"] == 2  # read once, counted once
    listed = _mine(officer)
    assert listed["unread"] == 2 and [i["read"] for i in listed["items"]].count(True) == 1

    done = officer.send("POST", "/api/notifications/read-all")
    assert done.status_code == 200 and json.loads(done.body) == {"marked": 2, "unread": 0}
    assert _mine(officer)["unread"] == 0
    assert all(i["read"] for i in _mine(officer)["items"])


def test_another_persons_notice_is_not_found(aws_env, accounts, as_role):
    _open(items.person("chuyenvien"), action=Action.HANDLE)
    officer, head = as_role("officer"), as_role("unit_head")
    (note,) = _mine(officer)["items"]
    resp = head.send("POST", f"/api/notifications/{note['id']}/read")
    assert resp.status_code == 404 and json.loads(resp.body)["error"]["code"] == "not_found"
    assert _mine(officer)["unread"] == 1  # untouched
    assert head.send("POST", "/api/notifications/nonsense/read").status_code == 404
    # Nor can a cursor of another's list be used to read it.
    first = _mine(officer, "?limit=1")
    other = head.get("/api/notifications?limit=1&cursor=" + (first["cursor"] or "eyJ9"))
    assert other.status_code == 400
    assert head.get("/api/notifications?limit=0").status_code == 400


def test_a_notice_asked_for_by_a_capability(aws_env, accounts, as_role):
    from chalicelib.adapters.dynamo import Table
    from chalicelib.adapters.outbox import UnitOfWork
    from chalicelib.notifications.service import notice_event

    uow = UnitOfWork(Table())
    uow.emit(notice_event("TASK#t1", ["chuyenvien", "truongphong"], "decided",
                          "Đề nghị gia hạn của anh/chị đã được chấp thuận", "/app/task?id=t1"))
    uow.commit()
    drain_workflow()
    assert sorted(m["to"][0] for m in _mails()) == ["chuyenvien@skhdt.example",
                                                    "truongphong@skhdt.example"]
    # The whole subject, spaces and all, as it arrives through SES.
    assert _mails()[0]["subject"] == "[Thông báo] Đề nghị gia hạn của anh/chị đã được chấp thuận"
    (note,) = _mine(as_role("officer"))["items"]
    assert (note["kind"], note["title"], note["link"]) == (
        "decided", "Đề nghị gia hạn của anh/chị đã được chấp thuận", "/app/task?id=t1")


def test_the_digest_adds_an_overdue_notice_once_per_item_and_person(aws_env, accounts,
                                                                    as_role):
    from chalicelib.adapters.dynamo import Table
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata
    from chalicelib.work.items import work_item
    from chalicelib.work.rules import Part
    from chalicelib.work.service import send_digests

    doc = incoming.register(None, Metadata(
        so_ky_hieu="1/TB-X", co_quan_ban_hanh="Sở X", ngay_ban_hanh=MONDAY.date(),
        trich_yeu="Báo cáo quý IV"), arrival=MONDAY - timedelta(days=10), source="paper",
        table=Table())
    Table().put(work_item(doc, "U#chuyenvien", Part.LEAD, "", MONDAY - timedelta(days=3),
                          "giamdoc", "PDKKD"))
    send_digests(mailer=mailer(), table=Table(), now=MONDAY)
    drain_workflow()
    send_digests(mailer=mailer(), table=Table(), now=MONDAY + timedelta(days=1))
    drain_workflow()
    officer = _mine(as_role("officer"))
    assert [(i["kind"], i["title"]) for i in officer["items"]] == [
        ("overdue", "Quá hạn: Báo cáo quý IV")]
    assert _mails("chuyenvien@skhdt.example") == []  # the digest is its mail


def test_overdue_off_leaves_overdue_work_out_of_the_digest(aws_env, accounts, as_role):
    from chalicelib.adapters.dev_outbox import read_moto_ses
    from chalicelib.adapters.dynamo import Table
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata
    from chalicelib.work.items import work_item
    from chalicelib.work.rules import Part
    from chalicelib.work.service import send_digests

    as_role("officer").send("PUT", "/api/me/preferences", {
        "digest": True, "instant": True, "due_soon_days": 2, "mail": {"overdue": "off"}})
    for subject, deadline in (("Báo cáo quá hạn", MONDAY - timedelta(days=3)),
                              ("Tờ trình sắp đến hạn", MONDAY + timedelta(days=1))):
        doc = incoming.register(None, Metadata(
            so_ky_hieu="1/TB-X", co_quan_ban_hanh="Sở X", ngay_ban_hanh=MONDAY.date(),
            trich_yeu=subject), arrival=MONDAY - timedelta(days=10), source="paper", table=Table())
        Table().put(work_item(doc, "U#chuyenvien", Part.LEAD, "", deadline, "giamdoc",
                              "PDKKD"))
    send_digests(mailer=mailer(), table=Table(), now=MONDAY)
    # (The leaders get theirs too: the registered documents wait for distribution.)
    (digest,) = [m for m in read_moto_ses() if m["subject"].startswith("[Nhắc việc")
                 and m["to"] == ["chuyenvien@skhdt.example"]]
    assert "Tờ trình sắp đến hạn" in digest["text"] and "Báo cáo quá hạn" not in digest["text"]


def test_read_all_reads_more_than_one_transaction_holds(aws_env, accounts, as_role):
    from chalicelib.adapters.dynamo import Table
    from chalicelib.notifications.notices import notice_id
    from chalicelib.notifications.store import NoticeStore

    store = NoticeStore(Table())
    for n in range(130):
        at = (MONDAY + timedelta(seconds=n)).isoformat(timespec="milliseconds")
        store.add("chuyenvien", {"id": notice_id(f"e{n}", at, "chuyenvien"),
                                 "notice_kind": "other", "title": f"Thông báo {n}",
                                 "link": "/app/work", "created_at": at})
    officer = as_role("officer")
    assert _mine(officer, "?limit=1")["unread"] == 130
    done = json.loads(officer.send("POST", "/api/notifications/read-all").body)
    assert done == {"marked": 130, "unread": 0}
    assert _mine(officer, "?limit=100")["items"][-1]["read"] is True
    assert store.unread("chuyenvien") == 0

"""Work tracking: my work, the morning digest (one a day at most, none for
those with nothing due), escalation and the weekly summary."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.dynamo import Table
from chalicelib.bootstrap import mailer
from chalicelib.work.rules import Part
from tests.aws import drain_workflow


def _doc(subject: str) -> dict[str, Any]:
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    return incoming.register(None, Metadata(
        so_ky_hieu="1/TB-X", co_quan_ban_hanh="Sở X", ngay_ban_hanh=date(2026, 11, 2),
        trich_yeu=subject), arrival=datetime(2026, 11, 2, 2, tzinfo=UTC), source="paper",
        table=Table())


def _assign(doc: dict[str, Any], assignee: str, unit: str, deadline: datetime) -> None:
    """Work as distribution and assignment leave it, at a chosen deadline."""
    from chalicelib.work.items import work_item

    Table().put(work_item(doc, assignee, Part.LEAD, "", deadline, "giamdoc", unit))


def _to_the_officer(leader: Any, head: Any, doc: dict[str, Any]) -> None:
    """The leader gives the document to PDKKD, its head to the officer chuyenvien."""
    from chalicelib.calendar.service import agency_calendar

    due = agency_calendar().working_day_on_or_after(date.today() + timedelta(days=10))
    leader.send("POST", f"/api/incoming/{doc['id']}/distribute",
                {"lead_unit": "PDKKD", "lead_deadline": due.isoformat(), "version": 1})
    version = json.loads(head.get(f"/api/incoming/{doc['id']}").body)["version"]
    head.send("POST", f"/api/incoming/{doc['id']}/assign",
              {"officers": [{"username": "chuyenvien"}], "version": version})


# Friday 27 Nov 2026, 07:30 in Hanoi.
MORNING = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)


@pytest.fixture
def due_work(aws_env, accounts) -> dict[str, Any]:
    overdue = _doc("Báo cáo quá hạn")
    soon = _doc("Tờ trình sắp đến hạn")
    later = _doc("Kế hoạch năm sau")
    _assign(overdue, "U#chuyenvien", "PDKKD", MORNING - timedelta(days=3))
    _assign(soon, "U#chuyenvien", "PDKKD", MORNING + timedelta(days=3))  # Mon 30 Nov
    _assign(later, "U#motcua", "MC", MORNING + timedelta(days=30))
    _assign(soon, "UNIT#PDKKD", "PDKKD", MORNING + timedelta(days=3))
    return {"overdue": overdue, "soon": soon, "later": later}


def _digests() -> list[dict[str, Any]]:
    from chalicelib.adapters.dev_outbox import read_moto_ses

    return [m for m in read_moto_ses() if m["subject"].startswith("[Nhắc việc")]


def test_one_digest_per_person_with_due_work_and_none_for_the_others(due_work):
    from chalicelib.work.service import send_digests

    first = send_digests(mailer=mailer(), table=Table(), now=MORNING)
    assert first["sent"] == 2  # the officer, and the head for the unit's part
    mails = {m["to"][0]: m for m in _digests()}
    assert set(mails) == {"chuyenvien@skhdt.example", "truongphong@skhdt.example"}
    officer = mails["chuyenvien@skhdt.example"]
    assert "(1 quá hạn)" in officer["subject"]
    assert officer["text"].index("Báo cáo quá hạn") < officer["text"].index("Tờ trình")
    assert "Kế hoạch năm sau" not in json.dumps(mails, ensure_ascii=False)
    again = send_digests(mailer=mailer(), table=Table(), now=MORNING + timedelta(minutes=5))
    assert again["sent"] == 0 and len(_digests()) == 2


def test_no_digest_on_a_holiday_or_for_those_who_turned_it_off(due_work, as_role):
    from chalicelib.work.service import send_digests

    national_day = datetime(2026, 9, 2, 0, 30, tzinfo=UTC)
    skipped = send_digests(mailer=mailer(), table=Table(), now=national_day)["skipped"]
    assert skipped == "not a working day"
    officer = as_role("officer")
    resp = officer.send("PUT", "/api/me/preferences", {"digest": False, "instant": True,
                                                       "due_soon_days": 2})
    assert resp.status_code == 200 and json.loads(resp.body)["digest"] is False
    send_digests(mailer=mailer(), table=Table(), now=MORNING)
    assert [m["to"][0] for m in _digests()] == ["truongphong@skhdt.example"]


def test_the_digest_job_through_the_schedule_handler(due_work):
    import app as app_module
    from chalicelib.local.scheduler import jobs_of

    jobs = jobs_of(app_module.app)
    assert jobs["send_reminder_digest"].expression == "cron(30 0 ? * MON-FRI *)"
    # The job runs "now"; whatever the day, running it twice sends nothing twice.
    from chalicelib.local.scheduler import run_job

    run_job("send_reminder_digest", jobs["send_reminder_digest"].handler_string)
    count = len(_digests())
    run_job("send_reminder_digest", jobs["send_reminder_digest"].handler_string)
    assert len(_digests()) == count


def test_my_work_and_the_unit_view_put_the_overdue_first(due_work, as_role):
    mine = json.loads(as_role("officer").get("/api/work/mine").body)["items"]
    assert [v["timeliness"] for v in mine][:1] == ["overdue"]
    unit = json.loads(as_role("unit_head").get("/api/work/unit").body)
    assert unit["unit"] == "PDKKD" and unit["items"][0]["timeliness"] == "overdue"
    assert as_role("unit_head").get("/api/work/unit?unit=MC").status_code == 403
    assert as_role("officer").get("/api/work/unit").status_code == 403
    agency = json.loads(as_role("leader").get("/api/work/agency").body)["items"]
    # The four parts, and the three documents never distributed wait for the leaders.
    assert agency[0]["timeliness"] == "overdue"
    assert sorted(v["kind"] for v in agency) == ["incoming.assign"] + [
        "incoming.distribute"] * 3 + ["incoming.handle"] * 3


def test_escalation_goes_to_the_head_once_a_day(due_work):
    from chalicelib.adapters.dev_outbox import read_moto_ses
    from chalicelib.work.service import escalate

    assert escalate(mailer=mailer(), table=Table(), now=MORNING)["sent"] == 1
    assert escalate(mailer=mailer(), table=Table(), now=MORNING + timedelta(hours=1))["sent"] == 0
    mails = [m for m in read_moto_ses() if m["subject"].startswith("[Đôn đốc]")]
    assert [m["to"] for m in mails] == [["truongphong@skhdt.example"]]
    assert "Báo cáo quá hạn" in mails[0]["text"]


def test_weekly_summary_reads_the_counters_completions_keep(aws_env, accounts, as_role):
    from chalicelib.adapters.dev_outbox import read_moto_ses
    from chalicelib.work.service import weekly_summary

    leader, head, officer = as_role("leader"), as_role("unit_head"), as_role("officer")
    doc = _doc("Công văn cần trả lời")
    _to_the_officer(leader, head, doc)
    assert officer.send("POST", f"/api/incoming/{doc['id']}/complete",
                        {"result": "Xong"}).status_code == 200
    out = weekly_summary(mailer=mailer(), table=Table(), now=datetime.now(UTC) + timedelta(days=7))
    assert out["sent"] == 2
    mail = [m for m in read_moto_ses() if m["subject"].startswith("Tổng hợp tiến độ")][0]
    assert "Phòng Đăng ký kinh doanh: 100% (1 việc, 0 quá hạn)" in mail["text"]
    again = weekly_summary(mailer=mailer(), table=Table(),
                           now=datetime.now(UTC) + timedelta(days=7))
    assert again["sent"] == 0


def test_instant_notices_follow_the_preference(aws_env, accounts, as_role):
    from chalicelib.adapters.dev_outbox import read_moto_ses

    leader, head, officer = as_role("leader"), as_role("unit_head"), as_role("officer")
    officer.send("PUT", "/api/me/preferences", {"digest": True, "instant": False,
                                                "due_soon_days": 2})
    doc = _doc("Đề nghị cấp phép")
    _to_the_officer(leader, head, doc)
    drain_workflow()
    # The parts are told by their work.opened notice (the leaders' distribution aside).
    notices = sorted((m["to"][0], m["subject"]) for m in read_moto_ses()
                     if "Đề nghị cấp phép" in m["subject"] and "Phân phối" not in m["subject"])
    # the officer turned notices off
    assert notices == [("truongphong@skhdt.example",
                        "[Việc cần xử lý] Giao cán bộ xử lý văn bản đến: Đề nghị cấp phép")]


def test_demo_work_gives_the_digest_one_mail_per_person_with_due_work(aws_env, accounts):
    from datetime import time as clock

    from chalicelib.calendar.service import agency_calendar
    from chalicelib.local.seed import seed_demo_work
    from chalicelib.work.service import send_digests

    assert seed_demo_work() == 5
    assert seed_demo_work() == 0  # once, however often the runtime starts
    cal = agency_calendar()  # the demo work is dated from today: so is the digest
    day = cal.working_day_on_or_after(datetime.now(cal.tz).date())
    morning = datetime.combine(day, clock(7, 30), cal.tz)
    first = send_digests(mailer=mailer(), table=Table(), now=morning)
    recipients = sorted(m["to"][0] for m in _digests())
    assert first["sent"] == len(recipients) == len(set(recipients))
    assert "chuyenvien@skhdt.example" in recipients
    assert "motcua@skhdt.example" not in recipients  # nothing due: no mail
    assert send_digests(mailer=mailer(), table=Table(), now=morning)["sent"] == 0


def test_the_morning_digest_carries_the_pending_approvals(aws_env, accounts):
    """A draft waits for the leader's signature and a registered document for a
    leader's distribution since Thursday afternoon: Friday's 07:30 digest lists both,
    named by what is to be done; the distribution (the leaders' queue) reaches every
    active leader, the signature only the signer."""
    from chalicelib.adapters.outbox import UnitOfWork
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.work import items
    from chalicelib.work.pending import Pending
    from chalicelib.work.rules import Action
    from chalicelib.work.service import send_digests
    from chalicelib.work.store import WorkStore

    thursday_afternoon = MORNING - timedelta(hours=17)  # Thu 26 Nov, 14:30 in Hanoi
    pending = Pending(WorkStore(Table()), agency_calendar, lambda: thursday_afternoon)
    uow = UnitOfWork()
    pending.open(uow, "OUT", "o-1", Action.SIGN, items.person("giamdoc"),
                 subject="Công văn góp ý dự thảo quy hoạch", link="/app/outgoing-doc?id=o-1",
                 by="chuyenvien", unit="PDKKD")
    pending.open(uow, "DOC", "d-1", Action.DISTRIBUTE, items.role("leader"),
                 subject="Kế hoạch Tết Nguyên Đán", link="/app/document?id=d-1", by="vanthu")
    uow.commit()

    result = send_digests(mailer=mailer(), table=Table(), now=MORNING)
    mails = {m["to"][0]: m for m in _digests()}
    leaders = {f"{u}@skhdt.example" for u, p in accounts.items() if p["role"] == "leader"}
    assert leaders and set(mails) == leaders and result["sent"] == len(leaders)
    signer = mails["giamdoc@skhdt.example"]
    assert "Ký duyệt văn bản đi: Công văn góp ý dự thảo quy hoạch" in signer["text"]
    assert "Phân phối văn bản đến: Kế hoạch Tết Nguyên Đán" in signer["text"]
    assert "/app/outgoing-doc?id=o-1" in signer["text"]
    # Local time, the end of Friday (the next working day after Thursday).
    assert "Hạn: 17:00 27/11/2026" in signer["text"]
    for other in leaders - {"giamdoc@skhdt.example"}:
        assert "Công văn góp ý" not in mails[other]["text"]
        assert "Kế hoạch Tết Nguyên Đán" in mails[other]["text"]

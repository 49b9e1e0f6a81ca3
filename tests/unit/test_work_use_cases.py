"""Work tracking against fakes of its store, the organisation's directory and
the mailer: whose open work each person and head sees, in what order; reminder
preferences; the morning digest, escalation and the weekly summary (one mail
per person per day however often a job runs, a failed mail retried). No AWS:
the calendar is the real agency calendar without overrides."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import Forbidden
from chalicelib.work import service as work
from chalicelib.work.items import closed, person, unit, work_item
from chalicelib.work.mail_prefs import MAIL_KINDS
from chalicelib.work.rules import Part, WorkStatus
from tests.fakes import FakeMailer, FakeOrganisationStore, FakeWorkStore
from tests.people import HEAD, LEADER, OFFICER, OTHER_HEAD, STAFF

# Monday 7 December 2026, 09:00 in Hà Nội.
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 12, 12, 0, 30, tzinfo=UTC)
CALENDAR = AgencyCalendar()


def _due(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=UTC)


def _work(ident: str, assignee: str, deadline: datetime, unit_code: str = "PDKKD",
          secret: bool = False, parent: str = "DOC") -> dict:
    subject = {"id": ident, "trich_yeu": f"Văn bản {ident}", "do_mat": "mat" if secret else ""}
    return work_item(subject, assignee, Part.LEAD, "Xử lý", deadline, "vanthu", unit_code,
                     parent=parent)


@pytest.fixture()
def directory() -> FakeOrganisationStore:
    return FakeOrganisationStore.staffed(("BGD", "PDKKD", "PTH"), (
        *STAFF, ("truongphongth", "PTH", ["unit_head"], "active")))


@pytest.fixture()
def store() -> FakeWorkStore:
    done = closed(_work("d0", person("chuyenvien"), _due(1)), WorkStatus.DONE)
    return FakeWorkStore([
        _work("d1", person("chuyenvien"), _due(31)),          # on time
        _work("d2", person("chuyenvien"), _due(3)),           # overdue since Thursday
        _work("d3", person("chuyenvien"), _due(8), secret=True),  # due tomorrow
        _work("d4", unit("PDKKD"), _due(1)),                  # the unit's, overdue
        _work("t1", person("truongphongth"), _due(30), unit_code="PTH", parent="TASK"),
        done,
    ])


@pytest.fixture()
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The mails link to the public address the settings name."""
    from chalicelib.kernel.config import ENV_NAMES, get_settings

    for name in ENV_NAMES.values():
        monkeypatch.setenv(name, "x")
    for name in ("JWKS_URL", "AWS_ENDPOINT_URL", "OBJECT_LOCK_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://eoffice.test")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _lists(**kw):
    return {"calendar": lambda: CALENDAR, "clock": lambda: MONDAY, **kw}


def test_my_work_puts_the_overdue_first_and_hides_a_secret_subject(store) -> None:
    mine = work.my_work(OFFICER, store=store, **_lists())["items"]

    assert [(i["source"], i["timeliness"]) for i in mine] == [
        ("incoming:d2", "overdue"), ("incoming:d3", "due_soon"), ("incoming:d1", "on_time")]
    assert mine[1]["subject"] == "(Văn bản mật)" and mine[0]["subject"] == "Văn bản d2"
    assert mine[0]["link"] == "/app/document?id=d2"


def test_a_wider_due_soon_window_is_the_persons_choice(store) -> None:
    work.set_preferences("chuyenvien", True, True, 5, store=store)
    every_kind_at_once = {k: "instant" for k in MAIL_KINDS}
    assert work.preferences("chuyenvien", store=store) == {
        "digest": True, "instant": True, "due_soon_days": 5, "mail": every_kind_at_once}
    assert work.preferences("ai", store=store) == {**work.DEFAULT_PREFS,
                                                   "mail": every_kind_at_once}
    mine = work.my_work(OFFICER, store=store, **_lists())["items"]
    assert [i["timeliness"] for i in mine] == ["overdue", "due_soon", "on_time"]


def test_a_head_sees_the_units_part_and_each_members(store, directory) -> None:
    seen = work.unit_work(HEAD, store=store, directory=directory, **_lists())

    assert seen["unit"] == "PDKKD"
    assert [i["source"] for i in seen["items"]] == [
        "incoming:d4", "incoming:d2", "incoming:d3", "incoming:d1"]
    # Leaders look at any unit; nobody else at another's.
    assert work.unit_work(LEADER, "PTH", store=store, directory=directory,
                          **_lists())["items"][0]["link"] == "/app/task?id=t1"
    for caller, unit_code in ((OFFICER, None), (OTHER_HEAD, "PDKKD")):
        with pytest.raises(Forbidden):
            work.unit_work(caller, unit_code, store=store, directory=directory, **_lists())


def test_only_leaders_see_the_whole_agencys_open_work(store) -> None:
    everything = work.agency_work(LEADER, store=store, **_lists())["items"]
    assert [i["source"] for i in everything][:2] == ["incoming:d4", "incoming:d2"]
    assert len(everything) == 5  # finished work is not open work
    with pytest.raises(Forbidden):
        work.agency_work(HEAD, store=store, **_lists())


def _digest(store, directory, mailer, now=MONDAY) -> dict:
    return work.send_digests(now=now, store=store, directory=directory, mailer=mailer,
                             calendar=lambda: CALENDAR)


def test_the_digest_goes_once_a_day_to_whoever_has_work_due(settings, store,
                                                           directory) -> None:
    mailer = FakeMailer()
    result = _digest(store, directory, mailer)

    # The officer's own work; the unit's overdue part goes to its active head only.
    assert sorted(m["to"][0] for m in mailer.sent) == [
        "chuyenvien@so.gov.vn", "truongphong@so.gov.vn"]
    officer_mail = next(m for m in mailer.sent if m["to"] == ["chuyenvien@so.gov.vn"])
    assert "2 việc" in officer_mail["subject"] and "1 quá hạn" in officer_mail["subject"]
    assert "https://eoffice.test" in officer_mail["text"]
    assert result["sent"] == 2 and result["day"] == "2026-12-07"

    again = FakeMailer()
    assert _digest(store, directory, again)["sent"] == 0 and again.sent == []


def test_no_digest_for_whoever_turned_it_off_nor_on_a_day_off(settings, store,
                                                             directory) -> None:
    work.set_preferences("chuyenvien", False, True, 2, store=store)
    mailer = FakeMailer()
    _digest(store, directory, mailer)
    assert [m["to"] for m in mailer.sent] == [["truongphong@so.gov.vn"]]

    assert _digest(FakeWorkStore(store.work), directory, FakeMailer(), now=SATURDAY) == {
        "skipped": "not a working day", "day": "2026-12-12"}


def test_a_digest_the_mailer_refused_is_sent_by_the_retry(settings, store, directory) -> None:
    with pytest.raises(RuntimeError):
        _digest(store, directory, FakeMailer(fail_for=["chuyenvien@so.gov.vn"]))
    retry = FakeMailer()
    _digest(store, directory, retry)
    assert ["chuyenvien@so.gov.vn"] in [m["to"] for m in retry.sent]


def test_work_two_working_days_late_is_escalated_to_the_units_heads(settings, store,
                                                                   directory) -> None:
    mailer = FakeMailer()
    result = work.escalate(now=MONDAY, store=store, directory=directory, mailer=mailer,
                           calendar=lambda: CALENDAR)

    # d4 (due Tuesday) is late by more than two working days; d2 (Thursday) is not yet.
    assert result == {"sent": 1, "overdue_items": 1}
    assert [m["to"] for m in mailer.sent] == [["truongphong@so.gov.vn"]]
    assert work.escalate(now=MONDAY, store=store, directory=directory, mailer=FakeMailer(),
                         calendar=lambda: CALENDAR)["sent"] == 0


def test_the_weekly_summary_gives_leaders_each_units_on_time_rate(settings, store,
                                                                  directory) -> None:
    store.counters[("PDKKD", "2026-W49")] = {"early": 1, "on_time": 2, "late": 1}
    mailer = FakeMailer()
    result = work.weekly_summary(now=MONDAY, store=store,
                                 directory=directory, mailer=mailer,
                                 calendar=lambda: CALENDAR)

    assert result == {"sent": 1, "week": "2026-W49"}
    assert mailer.sent[0]["to"] == ["giamdoc@so.gov.vn"]
    assert "Phòng PDKKD: 75% (4 việc, 1 quá hạn)" in mailer.sent[0]["text"]
    assert "Phòng PTH: không có việc hoàn thành" in mailer.sent[0]["text"]


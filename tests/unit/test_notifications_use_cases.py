"""Notifications against fakes of their store, the directory and the mailer:
who an assignee stands for (a person, a unit's active heads, a role's active
holders, never the person who caused it), the mail choice per kind (instant,
digest, off; the older ``instant`` switch), one notice and one mail per event
and person however often the step runs, a failed mail retried, the list and
marking read. No AWS."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.events import DomainEvent
from chalicelib.notifications import notices
from chalicelib.notifications.notices import DirectoryPeople, Event, Notifier, recipients
from chalicelib.notifications.steps import opened_event
from chalicelib.work import items
from chalicelib.work import service as work
from chalicelib.work.mail_prefs import MAIL_KINDS, mail_choice, mail_kind
from chalicelib.work.rules import Action
from tests.fakes import FakeMailer, FakeOrganisationStore, FakeWorkStore, FixedClock
from tests.people import STAFF

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội


class FakeNotices:
    """``notifications.store.NoticeStore`` in memory."""

    def __init__(self) -> None:
        self.notes: dict[str, dict[str, dict[str, Any]]] = {}
        self.claims: set[tuple[str, str]] = set()

    def add(self, username: str, note: dict[str, Any]) -> bool:
        mine = self.notes.setdefault(username, {})
        if note["id"] in mine:
            return False
        mine[note["id"]] = dict(note)
        return True

    def get(self, username: str, note_id: str) -> dict[str, Any] | None:
        return self.notes.get(username, {}).get(note_id)

    def page(self, username: str, limit: int, cursor: str | None
             ) -> tuple[list[dict[str, Any]], int | None, str | None]:
        newest = sorted(self.notes.get(username, {}).values(), key=lambda n: n["id"],
                        reverse=True)
        start = int(cursor or 0)
        more = start + limit < len(newest)
        return (newest[start:start + limit], None if cursor else self.unread(username),
                str(start + limit) if more else None)

    def unread(self, username: str) -> int:
        return sum(1 for n in self.notes.get(username, {}).values() if not n.get("read_at"))

    def mark_read(self, username: str, note_id: str, at: str) -> bool:
        note = self.notes[username][note_id]
        if note.get("read_at"):
            return False
        note["read_at"] = at
        return True

    def mark_all_read(self, username: str, at: str) -> int:
        return sum(self.mark_read(username, i, at) for i in list(self.notes.get(username, {})))

    def claim_mail(self, event_id: str, username: str) -> bool:
        if (event_id, username) in self.claims:
            return False
        self.claims.add((event_id, username))
        return True

    def release_mail(self, event_id: str, username: str) -> None:
        self.claims.discard((event_id, username))


@pytest.fixture()
def directory() -> FakeOrganisationStore:
    return FakeOrganisationStore.staffed(("BGD", "VP", "PDKKD"), (
        *STAFF, ("phogiamdoc", "BGD", ["leader"], "active"),
        ("cugiamdoc", "BGD", ["leader"], "disabled"), ("vanthu", "VP", ["clerk"], "active"),
        ("photruongphong", "PDKKD", ["unit_head", "officer"], "active")))


@pytest.fixture()
def prefs() -> FakeWorkStore:
    return FakeWorkStore()


def _notifier(directory: FakeOrganisationStore, prefs: FakeWorkStore, box: FakeNotices,
              mailer: FakeMailer) -> Notifier:
    return Notifier(notices=box, people=DirectoryPeople(directory),
                    prefs=lambda u: work.preferences(u, store=prefs), mailer=mailer,
                    base_url="https://eoffice.example")


def _opened(assignee: str, *, by: str = "vanthu", action: Action = Action.SIGN,
            secret: bool = False, event_id: str = "e1") -> DomainEvent:
    return DomainEvent("work.opened", "OUT#o1", {
        "assignee": assignee, "action": action.value, "label": "Ký duyệt văn bản đi",
        "subject": "" if secret else "Kế hoạch cải cách hành chính năm 2027",
        "link": "/app/outgoing-doc?id=o1", "deadline": "2026-12-09T10:00:00.000Z",
        "by": by, "item_id": "OUT#o1/TODO#outgoing.sign#" + assignee, "secret": secret,
    }, id=event_id, occurred_at="2026-12-07T02:00:00.000Z")


# ---------------------------------------------------------------- recipients

def test_an_assignee_stands_for_the_person_the_units_active_heads_or_the_roles_holders(
        directory) -> None:
    people = DirectoryPeople(directory)
    assert recipients(items.person("chuyenvien"), people) == ["chuyenvien"]
    assert recipients(items.unit("PDKKD"), people) == ["photruongphong", "truongphong"]
    assert recipients(items.role("leader"), people) == ["giamdoc", "phogiamdoc"]
    assert recipients(items.role("clerk"), people) == ["vanthu"]
    assert recipients("SOMETHING#else", people) == []


def test_the_person_who_caused_it_is_not_told(directory) -> None:
    people = DirectoryPeople(directory)
    assert recipients(items.role("leader"), people, by="giamdoc") == ["phogiamdoc"]
    assert recipients(items.person("truongphong"), people, by="truongphong") == []


# ---------------------------------------------------------------- preferences

def test_kinds_follow_the_inbox_groups_plus_returned_decided_and_overdue() -> None:
    assert {"incoming", "outgoing", "task", "complaint", "dossier", "meeting", "returned",
            "decided", "overdue"} <= set(MAIL_KINDS)
    assert mail_kind(Action.SIGN.value) == "outgoing"
    assert mail_kind(Action.REVISE.value) == "returned"
    assert mail_kind(Action.DECIDE_EXTENSION.value) == "task"
    assert mail_kind("decided") == "decided"
    assert mail_kind("onestop.something") == "other"


def test_each_kind_defaults_to_instant_and_the_old_switch_still_holds(prefs) -> None:
    default = work.preferences("ai", store=prefs)
    assert default["mail"] == {k: "instant" for k in MAIL_KINDS}
    assert mail_choice(default, "outgoing.sign") == "instant"
    # A client that knows only the two switches: no instant mail, the digest carries it.
    work.set_preferences("chuyenvien", True, False, 2, store=prefs)
    assert mail_choice(work.preferences("chuyenvien", store=prefs), "task.handle") == "digest"
    # Per kind; an old client's save keeps the choices made.
    work.set_preferences("chuyenvien", True, True, 2, store=prefs,
                         mail={"outgoing": "off", "task": "digest"})
    work.set_preferences("chuyenvien", False, True, 3, store=prefs)
    saved = work.preferences("chuyenvien", store=prefs)
    assert saved["mail"]["outgoing"] == "off" and saved["mail"]["incoming"] == "instant"
    assert (saved["digest"], saved["due_soon_days"]) == (False, 3)
    assert mail_choice(saved, Action.SIGN.value) == "off"
    assert mail_choice(saved, Action.TASK.value) == "digest"
    # "off" stays off when the master switch is off too; "instant" becomes "digest".
    work.set_preferences("chuyenvien", True, False, 2, store=prefs)
    saved = work.preferences("chuyenvien", store=prefs)
    assert mail_choice(saved, Action.SIGN.value) == "off"
    assert mail_choice(saved, Action.HANDLE.value) == "digest"


# ---------------------------------------------------------------- delivery

def test_a_unit_item_reaches_each_active_head_once_with_a_mail_in_vietnamese(
        directory, prefs) -> None:
    box, mailer = FakeNotices(), FakeMailer()
    note = _notifier(directory, prefs, box, mailer)
    event = _opened(items.unit("PDKKD"))
    people = recipients(event.payload["assignee"], note.people, by="vanthu")
    assert note.deliver(opened_event(event), people) == {"added": 2, "mailed": 2}
    # The step runs again (SQS delivered twice): nothing new.
    assert note.deliver(opened_event(event), people) == {"added": 0, "mailed": 0}
    assert sorted(m["to"][0] for m in mailer.sent) == [
        "photruongphong@so.gov.vn", "truongphong@so.gov.vn"]
    mail = mailer.sent[0]
    assert mail["subject"] == ("[Việc cần xử lý] Ký duyệt văn bản đi: "
                               "Kế hoạch cải cách hành chính năm 2027")
    assert "Hạn xử lý: 09/12/2026 17:00" in mail["text"]  # 10:00 UTC, local time
    assert "https://eoffice.example/app/outgoing-doc?id=o1" in mail["text"]
    listed = notices.list_notices(box, "truongphong")
    assert listed["unread"] == 1
    assert listed["items"][0] | {"id": "-"} == {
        "id": "-", "kind": "outgoing.sign", "read": False,
        "title": "Ký duyệt văn bản đi: Kế hoạch cải cách hành chính năm 2027",
        "link": "/app/outgoing-doc?id=o1", "created_at": "2026-12-07T02:00:00.000Z",
        "deadline": "2026-12-09T10:00:00.000Z"}


def test_a_secret_item_names_only_the_action(directory, prefs) -> None:
    box, mailer = FakeNotices(), FakeMailer()
    _notifier(directory, prefs, box, mailer).deliver(
        opened_event(_opened(items.person("giamdoc"), secret=True)), ["giamdoc"])
    assert notices.list_notices(box, "giamdoc")["items"][0]["title"] == "Ký duyệt văn bản đi"
    assert "Kế hoạch" not in mailer.sent[0]["text"] + mailer.sent[0]["subject"]


def test_off_and_digest_send_no_mail_but_the_notice_stays(directory, prefs) -> None:
    work.set_preferences("giamdoc", True, True, 2, store=prefs, mail={"outgoing": "off"})
    work.set_preferences("phogiamdoc", True, True, 2, store=prefs, mail={"outgoing": "digest"})
    box, mailer = FakeNotices(), FakeMailer()
    out = _notifier(directory, prefs, box, mailer).deliver(
        opened_event(_opened(items.role("leader"))), ["giamdoc", "phogiamdoc"])
    assert out == {"added": 2, "mailed": 0} and mailer.sent == []
    assert box.unread("giamdoc") == box.unread("phogiamdoc") == 1


def test_a_failed_mail_is_given_back_and_sent_on_the_retry_without_doubling_others(
        directory, prefs) -> None:
    box = FakeNotices()
    failing = FakeMailer(fail_for={"truongphong@so.gov.vn"})
    event = opened_event(_opened(items.unit("PDKKD")))
    with pytest.raises(RuntimeError):
        _notifier(directory, prefs, box, failing).deliver(event, ["photruongphong",
                                                                  "truongphong"])
    assert [m["to"] for m in failing.sent] == [["photruongphong@so.gov.vn"]]
    retry = FakeMailer()
    out = _notifier(directory, prefs, box, retry).deliver(event, ["photruongphong",
                                                                  "truongphong"])
    assert out == {"added": 0, "mailed": 1}
    assert [m["to"] for m in retry.sent] == [["truongphong@so.gov.vn"]]


def test_no_mail_to_a_disabled_person_or_for_an_in_app_only_notice(directory, prefs) -> None:
    box, mailer = FakeNotices(), FakeMailer()
    note = _notifier(directory, prefs, box, mailer)
    note.deliver(Event("e2", "2026-12-07T02:00:00.000Z", "overdue", "Quá hạn: Báo cáo",
                       "/app/work", mail=False), ["chuyenvien"])
    note.deliver(Event("e3", "2026-12-07T02:00:00.000Z", "decided", "Đã gia hạn",
                       "javascript:alert(1)"), ["cugiamdoc"])
    assert mailer.sent == []
    assert box.unread("chuyenvien") == box.unread("cugiamdoc") == 1
    # Only a path of the app is ever a link.
    assert notices.list_notices(box, "cugiamdoc")["items"][0]["link"] == "/app/notifications"


# ---------------------------------------------------------------- the list

def test_the_list_is_newest_first_paged_and_marking_read_is_one_own_notice(
        directory, prefs) -> None:
    box, mailer = FakeNotices(), FakeMailer()
    note = _notifier(directory, prefs, box, mailer)
    for n in range(3):
        note.deliver(Event(f"e{n}", f"2026-12-0{n + 1}T02:00:00.000Z", "decided",
                           f"Thông báo {n}", "/app/tasks"), ["chuyenvien"])
    first = notices.list_notices(box, "chuyenvien", limit=2)
    assert [i["title"] for i in first["items"]] == ["Thông báo 2", "Thông báo 1"]
    assert first["unread"] == 3 and first["cursor"]
    rest = notices.list_notices(box, "chuyenvien", limit=2, cursor=first["cursor"])
    assert [i["title"] for i in rest["items"]] == ["Thông báo 0"] and rest["unread"] == 3
    newest = first["items"][0]["id"]
    clock = FixedClock(NOW)
    assert notices.mark_read(box, "chuyenvien", newest, clock)["unread"] == 2
    assert notices.mark_read(box, "chuyenvien", newest, clock)["unread"] == 2  # once
    with pytest.raises(NotFound):
        notices.mark_read(box, "truongphong", newest, clock)  # not theirs
    with pytest.raises(NotFound):
        notices.mark_read(box, "chuyenvien", "../../x", clock)
    assert notices.mark_all_read(box, "chuyenvien", clock) == {"marked": 2, "unread": 0}
    assert all(i["read"] for i in notices.list_notices(box, "chuyenvien")["items"])


def test_the_same_event_and_person_always_make_the_same_id() -> None:
    a = notices.notice_id("e1", "2026-12-07T02:00:00.000Z", "giamdoc")
    assert a == notices.notice_id("e1", "2026-12-07T02:00:00.000Z", "giamdoc")
    assert a != notices.notice_id("e1", "2026-12-07T02:00:00.000Z", "phogiamdoc")
    assert a.startswith("20261207T020000000Z-") and notices.ID_PATTERN.match(a)


# ---------------------------------------------------------------- overdue, from the digest job

def test_the_digest_job_announces_each_overdue_item_once_per_person_without_mail() -> None:
    store = FakeWorkStore()
    late = [{"item_id": "DOC#d2/WORK#U#chuyenvien", "title": "Báo cáo quý IV",
             "link": "/app/document?id=d2", "deadline": "2026-12-03T10:00:00.000Z"},
            {"item_id": "TASK#t1/WORK#U#chuyenvien", "title": "Tổng hợp số liệu",
             "link": "/app/task?id=t1", "deadline": "2026-12-04T10:00:00.000Z"}]
    assert work.notice_overdue(store, "chuyenvien", late) == 2
    assert work.notice_overdue(store, "chuyenvien", late) == 0  # the next morning: known
    assert work.notice_overdue(store, "truongphong", late[:1]) == 1  # another person
    payloads = [e.payload for e in store.published]
    assert [e.type for e in store.published] == ["notice.requested"] * 3
    assert payloads[0] == {"to": ["chuyenvien"], "kind": "overdue",
                           "title": "Quá hạn: Báo cáo quý IV", "link": "/app/document?id=d2",
                           "deadline": "2026-12-03T10:00:00.000Z", "mail": False}


def test_work_done_and_overdue_again_is_announced_again() -> None:
    store = FakeWorkStore()
    late = [{"item_id": "DOC#d2/WORK#U#chuyenvien", "title": "Báo cáo quý IV",
             "link": "/app/document?id=d2", "deadline": "2026-12-03T10:00:00.000Z"}]
    assert work.notice_overdue(store, "chuyenvien", late) == 1
    assert work.notice_overdue(store, "chuyenvien", []) == 0  # done (or extended)
    assert store.seen_overdue("chuyenvien") == set()  # forgotten: nothing grows
    assert work.notice_overdue(store, "chuyenvien", late) == 1  # reopened and late again


def test_many_newly_overdue_items_make_one_notice_that_counts_them() -> None:
    store = FakeWorkStore()
    late = [{"item_id": f"DOC#d{n}/WORK#U#chuyenvien", "title": f"Văn bản {n}",
             "link": f"/app/document?id=d{n}", "deadline": f"2026-12-{n + 1:02d}T10:00:00.000Z"}
            for n in range(work.OVERDUE_NOTICES_ONE_BY_ONE + 2)]
    assert work.notice_overdue(store, "chuyenvien", late, day="2026-12-20") == len(late)
    [event] = store.published
    assert event.payload == {"to": ["chuyenvien"], "kind": "overdue",
                             "title": f"{len(late)} việc mới quá hạn", "link": "/app/work",
                             "deadline": "2026-12-01T10:00:00.000Z", "mail": False}
    # The next run, one more: one notice of its own.
    more = {"item_id": "TASK#t9/WORK#U#chuyenvien", "title": "Tổng hợp", "link": "/app/task?id=t9",
            "deadline": "2026-12-19T10:00:00.000Z"}
    assert work.notice_overdue(store, "chuyenvien", [*late, more], day="2026-12-21") == 1
    assert store.published[-1].payload["title"] == "Quá hạn: Tổng hợp"


def test_an_overdue_notice_not_announced_is_tried_again_the_next_run() -> None:
    class Refusing(FakeWorkStore):
        def publish(self, events: list[Any]) -> None:
            raise RuntimeError("queue down")

    store = Refusing()
    late = [{"item_id": "DOC#d2/WORK#U#chuyenvien", "title": "Báo cáo", "link": "/app/work",
             "deadline": "2026-12-03T10:00:00.000Z"}]
    assert work.notice_overdue(store, "chuyenvien", late) == 0
    assert store.seen_overdue("chuyenvien") == set()  # not remembered as told
    store.publish = FakeWorkStore.publish.__get__(store)  # the queue is back
    assert work.notice_overdue(store, "chuyenvien", late) == 1


# ---------------------------------------------------------------- steps, as the runner calls them

def test_the_steps_deliver_through_the_notifier_the_composition_root_hands_them(
        directory, prefs) -> None:
    from chalicelib.notifications.service import notice_event
    from chalicelib.notifications.steps import notify_requested, notify_work_opened

    box, mailer = FakeNotices(), FakeMailer()
    note = _notifier(directory, prefs, box, mailer)
    # The step runner calls a step with the collaborators it declared (needs=).
    notify_work_opened(_opened(items.role("leader"), by="giamdoc"), notifier=note)
    assert sorted(box.notes) == ["phogiamdoc"]  # the leader who acted is not told
    notify_requested(notice_event("OUT#o1", ["chuyenvien"], "returned",
                                  "Văn bản đi bị trả lại", "/app/outgoing-doc?id=o1",
                                  mail=False), notifier=note)
    assert notices.list_notices(box, "chuyenvien")["items"][0]["title"] == \
        "Văn bản đi bị trả lại"
    assert [m["to"] for m in mailer.sent] == [["phogiamdoc@so.gov.vn"]]  # mail=False: none

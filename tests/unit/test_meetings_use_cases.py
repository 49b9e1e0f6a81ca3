"""The meeting use cases against fakes of their ports: who is invited, who sees,
changes and answers a meeting, what each change owes in mail, and who reads its
trail. No AWS: the store, trail and directory are the fakes of tests/fakes.py;
the calendar is the real agency calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.identity import Caller, Role
from chalicelib.meetings import answers, scheduling, visibility
from chalicelib.meetings.rules import Answer
from chalicelib.meetings.scheduling import Guest, MeetingInput
from chalicelib.meetings.service import Meetings
from chalicelib.work.pending import Pending
from tests.fakes import FakeDirectory, FakeMeetingStore, FakeTrail, FakeWorkStore
from tests.people import CLERK, OFFICE_HEAD, STRANGER
from tests.people import LEADER as DIRECTOR

OTHER_HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), unit="PTH")
INVITED = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PTH")


class Ports:
    def __init__(self) -> None:
        self.store = FakeMeetingStore()
        self.trail = FakeTrail()
        self.directory = FakeDirectory(users={
            "vanthu": {"status": "active", "unit": "VP", "full_name": "Văn thư",
                       "email": "vanthu@skhdt.example"},
            "giamdoc": {"status": "active", "unit": "BGD", "full_name": "Giám đốc",
                        "email": "giamdoc@skhdt.example"},
            "chuyenvien": {"status": "active", "unit": "PTH", "full_name": "Chuyên viên",
                           "email": "chuyenvien@skhdt.example"},
            "khongthu": {"status": "active", "unit": "PTH", "full_name": "Không thư"},
            "nghiviec": {"status": "disabled", "unit": "PTH"}})
        calendar = AgencyCalendar()
        self.calendar = lambda: calendar
        self.work = FakeWorkStore()
        self.pending = Pending(self.work, self.calendar)

    def kw(self) -> dict[str, Any]:
        return {"store": self.store, "trail": self.trail, "pending": self.pending}

    def people(self) -> dict[str, Any]:
        return {**self.kw(), "directory": self.directory, "calendar": self.calendar}


@pytest.fixture()
def ports() -> Ports:
    return Ports()


def _when(days: int = 5) -> tuple[datetime, datetime]:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(hour=2, minute=0, second=0,
                                                               microsecond=0)
    return start, start + timedelta(hours=2)


def _input(**changes: Any) -> MeetingInput:
    start, end = _when()
    data: dict[str, Any] = {"title": "Giao ban tuần", "start": start, "end": end,
                            "place": "Phòng họp 1", "chair": "giamdoc",
                            "participants": ["chuyenvien"],
                            "guests": [Guest("khach@doanhnghiep.vn", "Khách")]}
    return MeetingInput(**{**data, **changes})


def _schedule(ports: Ports, **changes: Any) -> dict[str, Any]:
    return scheduling.create(CLERK, _input(**changes), **ports.people())


def _changes(ports: Ports) -> list[Any]:
    """The meeting's own events (the inbox announces its pending answers too)."""
    return [e for e in ports.store.events if e.type.startswith("meeting.")]


def _owed(ports: Ports, meeting_id: str) -> dict[str, tuple[str, str]]:
    return {i["slug"]: (i["mail_kind"], i["mail_status"])
            for i in ports.store.invitations(meeting_id)}


def test_scheduling_invites_the_chair_staff_and_guests_and_owes_them_mail(
        ports: Ports) -> None:
    meeting = _schedule(ports, participants=["chuyenvien", "khongthu", "chuyenvien"])

    invitations = ports.store.invitations(meeting["id"])
    assert sorted((i["role"], i["partstat"]) for i in invitations) == [
        ("chair", "ACCEPTED"), ("guest", "NEEDS-ACTION"), ("participant", "NEEDS-ACTION"),
        ("participant", "NEEDS-ACTION")]
    # Staff without an address see it in the app: nothing to mail them.
    assert sorted(s for _, s in _owed(ports, meeting["id"]).values()) == [
        "no_address", "pending", "pending", "pending"]
    assert ports.trail.actions(visibility.chain_of(meeting["id"])) == ["meeting.create"]
    assert [(e.type, e.payload["sequence"]) for e in _changes(ports)] == [
        ("meeting.changed", 0)]
    # The staff invited (not the chair, not the guest) are asked to answer by the start.
    asked = [(t["assignee"], t["action"], t["deadline"]) for t in ports.work.open_of(
        "U#chuyenvien") + ports.work.open_of("U#khongthu") + ports.work.open_of("U#giamdoc")]
    assert asked == [("U#chuyenvien", "meeting.answer", meeting["start"]),
                     ("U#khongthu", "meeting.answer", meeting["start"])]


def test_every_unknown_person_and_bad_address_is_named_at_once(ports: Ports) -> None:
    with pytest.raises(InvalidInput) as caught:
        _schedule(ports, chair="khongco", participants=["nghiviec", "chuyenvien"],
                  guests=[Guest("khong-phai-dia-chi")])
    assert [p.path for p in caught.value.fields] == ["chair", "participants.0",
                                                     "guests.0.email"]
    assert ports.store.meetings == {}


def test_who_sees_a_meeting_and_who_reads_its_trail(ports: Ports) -> None:
    meeting_id = _schedule(ports)["id"]
    for caller in (CLERK, DIRECTOR, OFFICE_HEAD, INVITED):
        assert visibility.load_visible(caller, meeting_id, store=ports.store)["id"] == meeting_id
    # Another unit's head and an officer not invited: as if it did not exist.
    for caller in (OTHER_HEAD, STRANGER):
        with pytest.raises(NotFound):
            visibility.load_visible(caller, meeting_id, store=ports.store)
    for caller in (CLERK, DIRECTOR, OFFICE_HEAD):
        visibility.ensure_can_read_trail(caller, meeting_id, store=ports.store)
    with pytest.raises(NotFound):  # an invitee sees the meeting, not its trail
        visibility.ensure_can_read_trail(INVITED, meeting_id, store=ports.store)


def test_only_the_chair_or_the_scheduler_changes_it_and_only_from_the_version_read(
        ports: Ports) -> None:
    meeting_id = _schedule(ports)["id"]
    with pytest.raises(Forbidden):
        scheduling.cancel(INVITED, meeting_id, 1, **ports.kw())
    with pytest.raises(Conflict):
        scheduling.cancel(CLERK, meeting_id, 7, **ports.kw())

    moved = scheduling.update(CLERK, meeting_id, _input(start=_when(6)[0], end=_when(6)[1],
                                                        participants=[]), 1,
                              **ports.people())
    assert moved["sequence"] == 1 and moved["version"] == 2
    owed = _owed(ports, meeting_id)
    # The one taken off the list is owed a cancellation; the others the new invitation.
    assert owed["u-chuyenvien"] == ("cancel", "pending")
    assert sorted(k for k, _ in owed.values()) == ["cancel", "request", "request"]
    with pytest.raises(Conflict):
        scheduling.update(CLERK, meeting_id, _input(), 1, **ports.people())


def test_an_unchanged_meeting_owes_no_mail(ports: Ports) -> None:
    data = _input()
    meeting_id = scheduling.create(CLERK, data, **ports.people())["id"]
    same = scheduling.update(CLERK, meeting_id, data, 1, **ports.people())
    assert same["sequence"] == 0 and len(_changes(ports)) == 1


def test_invitees_answer_their_own_invitation_until_it_is_cancelled(ports: Ports) -> None:
    meeting_id = _schedule(ports)["id"]
    with pytest.raises(Forbidden) as caught:
        answers.answer(OFFICE_HEAD, meeting_id, Answer.ACCEPT, **ports.kw())  # sees, not invited
    assert caught.value.code == "not_invited"
    with pytest.raises(NotFound):
        answers.answer(STRANGER, meeting_id, Answer.ACCEPT, **ports.kw())

    done = answers.answer(INVITED, meeting_id, Answer.DECLINE, **ports.kw())
    assert done["answer"] == "DECLINED"
    entry = ports.trail.entries[visibility.chain_of(meeting_id)][-1]
    assert (entry["action"], entry["actor"], entry["after"]) == (
        "meeting.answer", "chuyenvien", {"answer": "DECLINED"})

    scheduling.cancel(CLERK, meeting_id, 1, reason="Trùng lịch", **ports.kw())
    with pytest.raises(Conflict) as caught:
        answers.answer(INVITED, meeting_id, Answer.ACCEPT, **ports.kw())
    assert caught.value.code == "meeting_cancelled"
    assert {k for k, _ in _owed(ports, meeting_id).values()} == {"cancel"}


def _use_cases(ports: Ports) -> Meetings:
    """As ``bootstrap.meetings`` builds them, over the fakes."""
    return Meetings(store=ports.store, trail=ports.trail, directory=ports.directory,
                    calendar=ports.calendar, pending=ports.pending)


def test_the_schedulers_list_reads_on_past_what_its_words_leave_out(ports: Ports) -> None:
    cases = _use_cases(ports)
    titles = ["Giao ban tuần", "Họp chuyên đề", "Họp chuyên đề lần 2", "Giao ban tháng"]
    for days, title in enumerate(titles, start=3):
        start, end = _when(days)
        cases.create(CLERK, _input(title=title, start=start, end=end))

    latest_first = [i["title"] for i in cases.list_scheduled(CLERK, limit=10)["items"]]
    assert latest_first == list(reversed(titles))
    # The two that match sit first and last: the page fills across the index's pages.
    found = cases.list_scheduled(CLERK, limit=2, q="giao ban")
    assert [i["title"] for i in found["items"]] == ["Giao ban tháng", "Giao ban tuần"]
    assert found["cursor"] is None
    first = cases.list_scheduled(CLERK, limit=1, q="chuyen de")
    assert [i["title"] for i in first["items"]] == ["Họp chuyên đề lần 2"]
    rest = cases.list_scheduled(CLERK, limit=5, q="chuyen de", cursor=first["cursor"])
    assert [i["title"] for i in rest["items"]] == ["Họp chuyên đề"]
    assert cases.list_scheduled(DIRECTOR)["items"] == []  # chairs them, scheduled none


def test_a_units_list_is_for_its_head_and_the_leaders(ports: Ports) -> None:
    cases = _use_cases(ports)
    meeting = cases.create(CLERK, _input())

    assert [i["id"] for i in cases.list_unit(OFFICE_HEAD)["items"]] == [meeting["id"]]
    assert [i["id"] for i in cases.list_unit(DIRECTOR, "VP")["items"]] == [meeting["id"]]
    assert cases.list_unit(DIRECTOR, "VP", q="chuyen de")["items"] == []
    assert cases.list_unit(OTHER_HEAD)["items"] == []  # their own unit scheduled none
    for caller, unit in ((OTHER_HEAD, "VP"), (INVITED, None), (CLERK, "VP")):
        with pytest.raises(Forbidden):
            cases.list_unit(caller, unit)


def test_the_use_cases_hand_every_change_its_ports(ports: Ports) -> None:
    cases = _use_cases(ports)
    meeting = cases.create(CLERK, _input())
    assert cases.view(INVITED, meeting["id"])["title"] == "Giao ban tuần"
    assert cases.answer(INVITED, meeting["id"], Answer.TENTATIVE)["answer"] == "TENTATIVE"
    assert cases.cancel(CLERK, meeting["id"], 1, "Trùng lịch")["status"] == "cancelled"
    cases.ensure_can_read_trail(OFFICE_HEAD, meeting["id"])
    assert ports.trail.actions(visibility.chain_of(meeting["id"])) == [
        "meeting.create", "meeting.answer", "meeting.cancel"]
    assert ports.work.open_of("U#chuyenvien") == []  # the cancellation ended the wait

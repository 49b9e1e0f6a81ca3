"""The task use cases against fakes of their ports: who may give work to whom,
deadlines on working days, extensions the assigner decides, completion by the
lead, reopening, and lost races. No AWS: the store, trail, directory and clock
are the fakes of tests/fakes.py; the calendar is the real agency calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.identity import Caller, Role
from chalicelib.work import service as work
from chalicelib.work.pending import Pending
from chalicelib.work.tasks import Tasks, chain_of
from tests.fakes import FakeDirectory, FakeTaskStore, FakeTrail, FakeWorkStore, FixedClock
from tests.people import HEAD, LEADER, OFFICER, STRANGER

# Monday 7 December 2026, 09:00 in Hà Nội.
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture()
def tasks() -> Tasks:
    directory = FakeDirectory(
        users={"chuyenvien": {"status": "active", "unit": "PDKKD"},
               "truongphong": {"status": "active", "unit": "PDKKD"},
               "giamdoc": {"status": "active", "unit": "BGD"},
               "khac": {"status": "active", "unit": "PTH"},
               "nghiviec": {"status": "disabled", "unit": "PTH"}},
        units=("PDKKD", "PTH"))
    calendar = AgencyCalendar()
    return Tasks(store=FakeTaskStore(), trail=FakeTrail(), directory=directory,
                 calendar=lambda: calendar, clock=FixedClock(MONDAY),
                 pending=Pending(FakeWorkStore(), lambda: calendar, FixedClock(MONDAY)))


def _inbox(tasks: Tasks, caller: Caller) -> list[tuple[str, str, str]]:
    found = work.my_work(caller, store=tasks.pending.store, calendar=tasks.calendar,
                         clock=FixedClock(MONDAY))["items"]
    return [(i["kind"], i["title"], i["link"]) for i in found]


def _give(tasks: Tasks, by: Caller = LEADER, lead: str = "chuyenvien",
          supporting: list[str] | None = None, deadline: date = date(2026, 12, 11)
          ) -> dict:
    return tasks.create(by, title="Báo cáo quý IV", description="Tổng hợp số liệu", lead=lead,
                        supporting=supporting or [], deadline=deadline, priority="normal")


def test_a_leader_gives_a_task_to_a_person_and_a_unit(tasks: Tasks) -> None:
    task = _give(tasks, supporting=["PTH"])

    assert [(p["assignee"], p["part"]) for p in task["parts"]] == [
        ("U#chuyenvien", "lead"), ("UNIT#PTH", "support")]
    # A bare date is the end of that working day, in Hà Nội.
    assert task["deadline"] == "2026-12-11T10:00:00.000Z"
    assert task["people"] == ["chuyenvien", "giamdoc"] and task["units"] == ["PTH"]
    assert tasks.trail.actions(chain_of(task["id"])) == ["task.create"]
    # Each assignee is told through their inbox (the notifications capability mails).
    assert [(e.type, e.payload.get("assignee")) for e in tasks.store.events] == [
        ("work.opened", "U#chuyenvien"), ("work.opened", "UNIT#PTH"), ("task.created", None)]
    # The lead sees it; an officer of another unit does not even learn it exists.
    assert tasks.view(OFFICER, task["id"])["title"] == "Báo cáo quý IV"
    with pytest.raises(NotFound):
        tasks.view(Caller("ai", frozenset({Role.OFFICER}), unit="PKH"), task["id"])


def test_every_wrong_assignee_is_named_at_once(tasks: Tasks) -> None:
    with pytest.raises(InvalidInput) as caught:
        _give(tasks, by=HEAD, lead="khac", supporting=["khongco", "nghiviec", "khongco"])
    fields = [p.path for p in caught.value.fields]
    # Outside the head's unit, unknown, disabled, listed twice: each named.
    assert fields == ["supporting.2", "lead", "supporting.0", "supporting.1", "supporting.2"]
    assert tasks.store.tasks == {}


def test_an_officer_gives_no_task(tasks: Tasks) -> None:
    with pytest.raises(Forbidden):
        _give(tasks, by=OFFICER)


def test_a_deadline_on_a_day_off_is_refused_with_the_next_working_day(tasks: Tasks) -> None:
    with pytest.raises(InvalidInput) as caught:
        _give(tasks, deadline=date(2026, 12, 12))  # a Saturday
    assert caught.value.code == "not_a_working_day"
    assert "14/12/2026" in caught.value.message
    with pytest.raises(InvalidInput) as past:
        _give(tasks, deadline=date(2026, 12, 4))
    assert past.value.code == "invalid_deadline"


def test_an_extension_is_asked_by_the_assignee_and_decided_by_the_assigner(tasks: Tasks) -> None:
    task = _give(tasks)
    with pytest.raises(InvalidInput) as too_long:
        tasks.request_extension(OFFICER, task["id"], until=date(2026, 12, 28), reason="Chờ số liệu")
    assert too_long.value.code == "extension_too_long"

    asked = tasks.request_extension(OFFICER, task["id"], until=date(2026, 12, 16),
                                    reason="Chờ số liệu")
    assert asked["parts"][0]["extension"]["status"] == "pending"
    with pytest.raises(Forbidden):  # the assignee sees the task but does not decide
        tasks.decide_extension(OFFICER, task["id"], assignee="chuyenvien", approve=True,
                               note="")

    decided = tasks.decide_extension(LEADER, task["id"], assignee="chuyenvien", approve=True,
                                     note="Đồng ý")
    part = decided["parts"][0]
    assert part["deadline"] == "2026-12-16T10:00:00.000Z"
    assert part["extension"]["status"] == "approved"
    # The task's own deadline (its page's header) is the new one, the first kept.
    assert decided["deadline"] == "2026-12-16T10:00:00.000Z"
    assert decided["deadline_given"] == task["deadline"] != decided["deadline"]
    with pytest.raises(Conflict):  # nothing pending any more
        tasks.decide_extension(LEADER, task["id"], assignee="chuyenvien", approve=False, note="")
    assert tasks.trail.actions(chain_of(task["id"])) == [
        "task.create", "task.extension_request", "task.extension_approve"]


def test_the_assigner_is_asked_to_decide_and_the_requester_is_told(tasks: Tasks) -> None:
    task = _give(tasks)
    tasks.request_extension(OFFICER, task["id"], until=date(2026, 12, 16), reason="Chờ số liệu")
    link = f"/app/task?id={task['id']}"
    assert _inbox(tasks, LEADER) == [("task.decide_extension", task["title"], link)]
    (todo,) = tasks.pending.store.open_of("U#giamdoc")
    # One working day under the agency's setting: the end of Tuesday 8 December.
    assert todo["deadline"] == "2026-12-08T10:00:00.000Z" and todo["unit"] == "BGD"
    assert "16/12/2026" in todo["instruction"]
    # Nobody else is asked (the parts themselves live in the task store here).
    assert _inbox(tasks, OFFICER) == [] and _inbox(tasks, HEAD) == []

    tasks.store.events.clear()
    tasks.decide_extension(LEADER, task["id"], assignee="chuyenvien", approve=True, note="")
    assert _inbox(tasks, LEADER) == []
    (notice,) = [e for e in tasks.store.events if e.type == "notice.requested"]
    assert notice.subject_id == f"TASK#{task['id']}"
    assert notice.payload == {
        "to": ["chuyenvien"], "kind": "task.extension_decided", "link": link,
        "title": f"Đề nghị gia hạn nhiệm vụ “{task['title']}” đã được chấp thuận đến 16/12/2026"}


def test_a_refusal_is_told_and_another_request_keeps_the_item_open(tasks: Tasks) -> None:
    task = _give(tasks, supporting=["truongphong"])
    tasks.request_extension(OFFICER, task["id"], until=date(2026, 12, 16), reason="Chờ số liệu")
    tasks.request_extension(HEAD, task["id"], until=date(2026, 12, 15), reason="Bận họp")
    tasks.store.events.clear()
    tasks.decide_extension(LEADER, task["id"], assignee="chuyenvien", approve=False,
                           note="Cần nộp đúng hạn")
    (notice,) = [e for e in tasks.store.events if e.type == "notice.requested"]
    assert notice.payload["to"] == ["chuyenvien"]
    assert notice.payload["title"].endswith("không được chấp thuận: Cần nộp đúng hạn")
    # The head's request still waits for the assigner.
    assert [k for k, _, _ in _inbox(tasks, LEADER)] == ["task.decide_extension"]
    tasks.decide_extension(LEADER, task["id"], assignee="truongphong", approve=True, note="")
    assert _inbox(tasks, LEADER) == []


def test_the_leads_completion_completes_the_task_and_only_the_assigner_reopens_it(
        tasks: Tasks) -> None:
    task = _give(tasks, supporting=["PTH"])
    with pytest.raises(Forbidden):  # no open part of theirs
        tasks.complete(STRANGER, task["id"], "Xong")
    supporting_done = tasks.complete(Caller("truongphongpth", frozenset({Role.UNIT_HEAD}),
                                            unit="PTH"), task["id"], "Đã phối hợp")
    assert supporting_done["status"] == "open"

    done = tasks.complete(OFFICER, task["id"], "Đã gửi báo cáo")
    assert done["status"] == "done"
    assert done["parts"][0]["timeliness"] == "done_early"
    with pytest.raises(Forbidden):
        tasks.reopen(OFFICER, task["id"], "Thiếu số liệu")
    reopened = tasks.reopen(LEADER, task["id"], "Thiếu số liệu")
    assert reopened["status"] == "open" and reopened["parts"][0]["status"] == "open"
    assert [e.type for e in tasks.store.events if e.type != "work.opened"] == [
        "task.created", "task.completed", "task.completed", "task.reopened"]
    # Reopened, the lead is told again.
    assert [e.payload["assignee"] for e in tasks.store.events if e.type == "work.opened"][-1] \
        == "U#chuyenvien"


def test_a_change_over_a_stale_version_is_a_conflict_and_writes_nothing(tasks: Tasks) -> None:
    task = _give(tasks)
    stale = tasks.store.part(task["id"], "U#chuyenvien")
    tasks.report(OFFICER, task["id"], progress=30, note="Đang làm")

    uow = tasks.store.unit_of_work()
    tasks.store.save_part(uow, stale, {**stale, "progress": 90, "version": stale["version"] + 1})
    with pytest.raises(Conflict):
        uow.commit()
    assert tasks.view(OFFICER, task["id"])["parts"][0]["progress"] == 30


def test_lists_show_what_the_caller_may_see_newest_first(tasks: Tasks) -> None:
    first = _give(tasks)
    tasks.clock.now = MONDAY.replace(hour=3)  # type: ignore[attr-defined]
    second = _give(tasks, lead="PTH")
    assert [t["id"] for t in tasks.list_visible(LEADER)["items"]] == [second["id"], first["id"]]
    assert [t["id"] for t in tasks.list_visible(OFFICER)["items"]] == [first["id"]]
    assert [t["id"] for t in tasks.list_visible(STRANGER)["items"]] == [second["id"]]

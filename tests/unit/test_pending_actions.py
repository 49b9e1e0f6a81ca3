"""Pending actions against fakes of the work store: the deadline each kind gets
under its rule (Decree 30's "same working day, at the latest the next", urgent
at once, the agency's settings), opening and closing them in the capability's
unit of work, and the inbox that lists them for the person, the unit they head
and their role queues. No AWS; the calendar is the agency calendar without
overrides."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.events import instant
from chalicelib.work import items
from chalicelib.work import service as work
from chalicelib.work.pending import WORK_OPENED, Pending
from chalicelib.work.rules import ACTION_RULES, Action, WorkStatus, action_deadline
from tests.fakes import FakeUnitOfWork, FakeWorkStore, FixedClock
from tests.people import HEAD, LEADER, OFFICER

CAL = AgencyCalendar()
# Friday 4 December 2026, 10:00 in Hà Nội (03:00 UTC); the next working day is Monday.
FRIDAY_10 = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
FRIDAY_18 = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)


def _local(moment: datetime) -> tuple[int, int, int, int]:
    local = moment.astimezone(CAL.tz)
    return local.month, local.day, local.hour, local.minute


def _friday_morning() -> tuple[FakeWorkStore, Pending, FakeUnitOfWork]:
    """An empty work store, ``Pending`` over it at 10:00 on Friday, a fresh unit of work."""
    store = FakeWorkStore()
    return store, Pending(store, lambda: CAL, FixedClock(FRIDAY_10)), FakeUnitOfWork()


def test_every_action_has_a_label_a_group_and_a_named_source() -> None:
    assert set(ACTION_RULES) == set(Action)
    for rule in ACTION_RULES.values():
        assert rule.label and rule.group and rule.source


def test_registering_and_distributing_are_due_by_the_end_of_the_next_working_day() -> None:
    due = action_deadline(CAL, FRIDAY_10, Action.DISTRIBUTE)
    assert due is not None and _local(due) == (12, 7, 17, 0)  # Monday 17:00
    # Received after hours the clock starts on Monday: due on Tuesday.
    late = action_deadline(CAL, FRIDAY_18, Action.REGISTER)
    assert late is not None and _local(late) == (12, 8, 17, 0)


def test_urgent_documents_are_due_at_once_and_other_rules_take_their_working_days() -> None:
    urgent = action_deadline(CAL, FRIDAY_10, Action.ISSUE, urgent=True)
    # Two working hours, the lunch break not counted: still Friday.
    assert urgent == CAL.add_working_days(FRIDAY_10, Decimal("0.25"))
    assert _local(urgent)[:2] == (12, 4)
    # Urgency does not shorten the agency's own settings.
    review = action_deadline(CAL, FRIDAY_10, Action.REVIEW, urgent=True)
    assert review is not None and _local(review) == (12, 8, 10, 0)
    assert action_deadline(CAL, FRIDAY_10, Action.HANDLE) is None


def test_an_action_opened_and_closed_by_another_entitled_person() -> None:
    store, pending, uow = _friday_morning()
    todo = pending.open(uow, "DOC", "d1", Action.DISTRIBUTE, items.role("leader"),
                        subject="Kế hoạch Tết Nguyên Đán", link="/app/document?id=d1",
                        by="vanthu", unit="BGD")
    # Announced in the same unit of work (committed events leave it, so look first).
    assert [e.type for e in uow.events] == [WORK_OPENED] and todo["assignee"] == "ROLE#leader"
    uow.commit()
    inbox = work.my_work(LEADER, store=store, calendar=lambda: CAL, clock=FixedClock(FRIDAY_10))
    assert [(i["kind"], i["title"], i["link"], i["for_role"]) for i in inbox["items"]] == [
        ("incoming.distribute", "Kế hoạch Tết Nguyên Đán", "/app/document?id=d1", "leader")]
    assert inbox["groups"] == [{"group": "Văn bản đến", "count": 1, "overdue": 0}]
    assert store.inbox_reads == ["U#giamdoc", "ROLE#leader"]
    # Nobody but the leaders sees it.
    assert work.my_work(HEAD, store=store, calendar=lambda: CAL,
                        clock=FixedClock(FRIDAY_10))["items"] == []

    uow = FakeUnitOfWork()
    ended = pending.close(uow, "DOC", "d1", Action.DISTRIBUTE, by="phogiamdoc")
    uow.commit()
    assert [(e["status"], e["completed_by"]) for e in ended] == [("done", "phogiamdoc")]
    assert work.my_work(LEADER, store=store, calendar=lambda: CAL,
                        clock=FixedClock(FRIDAY_10))["items"] == []
    assert store.counters == {("BGD", "2026-W49"): {"early": 1}}


def test_opening_announces_the_work_without_a_secret_subject() -> None:
    store, pending, uow = _friday_morning()
    pending.open(uow, "DOC", "d2", Action.HANDLE, items.person("chuyenvien"),
                 subject="Nội dung mật", link="/app/document?id=d2", by="truongphong",
                 unit="PDKKD", due=datetime(2026, 12, 10, 10, tzinfo=UTC), secret=True)
    (event,) = uow.events
    assert event.type == WORK_OPENED
    assert event.payload["assignee"] == "U#chuyenvien" and event.payload["subject"] == ""
    assert instant(event.payload["deadline"]) == datetime(2026, 12, 10, 10, tzinfo=UTC)
    uow.commit()
    view = work.my_work(OFFICER, store=store, calendar=lambda: CAL,
                        clock=FixedClock(FRIDAY_10))["items"]
    assert [v["title"] for v in view] == ["(Văn bản mật)"]


def test_the_heads_inbox_marks_the_units_items_and_leaves_out_work_handed_on() -> None:
    store, pending, uow = _friday_morning()
    pending.open(uow, "DOC", "d3", Action.ASSIGN, items.unit("PDKKD"), subject="Giao việc",
                 link="/app/document?id=d3", by="giamdoc", unit="PDKKD")
    pending.open(uow, "DOC", "d4", Action.ASSIGN, items.unit("PDKKD"), subject="Đã giao",
                 link="/app/document?id=d4", by="giamdoc", unit="PDKKD")
    uow.commit()
    handed = next(w for w in store.work if w["doc_id"] == "d4")
    handed["waiting"] = False
    inbox = work.my_work(HEAD, store=store, calendar=lambda: CAL, clock=FixedClock(FRIDAY_10))
    assert [(i["title"], i["for_unit"]) for i in inbox["items"]] == [("Giao việc", "PDKKD")]
    assert store.inbox_reads == ["U#truongphong", "UNIT#PDKKD"]


def test_closing_all_of_a_parent_cancels_without_counting() -> None:
    store, pending, uow = _friday_morning()
    pending.open(uow, "OUT", "o1", Action.SIGN, items.person("giamdoc"), subject="Công văn",
                 link="/app/outgoing-doc?id=o1", by="chuyenvien", unit="PDKKD")
    uow.commit()
    uow = FakeUnitOfWork()
    (ended,) = pending.close_all(uow, "OUT", "o1", by="chuyenvien",
                                 outcome=WorkStatus.CANCELLED)
    uow.commit()
    assert ended["status"] == "cancelled" and store.counters == {}
    assert store.open_of(items.person("giamdoc")) == []


def test_closing_one_holders_action_leaves_a_namesake_prefix_alone() -> None:
    store, pending, uow = _friday_morning()
    for name in ("an", "anh"):
        pending.open(uow, "MEETING", "m1", Action.ANSWER_INVITATION, items.person(name),
                     subject="Họp giao ban", link="/app/meeting?id=m1", by="giamdoc",
                     due=datetime(2026, 12, 7, 2, tzinfo=UTC))
    uow.commit()
    uow = FakeUnitOfWork()
    (ended,) = pending.close(uow, "MEETING", "m1", Action.ANSWER_INVITATION, by="an",
                             assignee=items.person("an"))
    uow.commit()
    assert ended["assignee"] == "U#an"
    assert [w["assignee"] for w in store.open_of(items.person("anh"))] == ["U#anh"]


# ---- monthly measures (staff evaluation): moved by every write of a work item

# Signed or issued the same Friday, due on Tuesday: early; nothing assigned twice. A
# person's action counts for them and their unit; a queue's item for whoever did it.
@pytest.mark.parametrize(("action", "holder", "unit", "closer", "opened", "closed"), [
    (Action.SIGN, items.person("giamdoc"), "BGD", "giamdoc",
     {("STATS#eval#U#giamdoc", "2026-12"): {"assigned": 1},
      ("STATS#eval#UNIT#BGD", "2026-12"): {"assigned": 1}},
     {("STATS#eval#U#giamdoc", "2026-12"): {"completed": 1, "early": 1},
      ("STATS#eval#UNIT#BGD", "2026-12"): {"completed": 1, "early": 1}}),
    (Action.ISSUE, items.role("clerk"), "VP", "vanthu",
     {("STATS#eval#UNIT#VP", "2026-12"): {"assigned": 1}},
     {("STATS#eval#U#vanthu", "2026-12"): {"assigned": 1, "completed": 1, "early": 1},
      ("STATS#eval#UNIT#VP", "2026-12"): {"completed": 1, "early": 1}}),
], ids=["a-persons-action", "a-queues-item"])
def test_an_action_counts_assigned_then_done_in_its_deadlines_month(
        action: Action, holder: str, unit: str, closer: str,
        opened: dict[tuple[str, str], dict[str, int]],
        closed: dict[tuple[str, str], dict[str, int]]) -> None:
    pending = Pending(FakeWorkStore(), lambda: CAL, FixedClock(FRIDAY_10))
    uow = FakeUnitOfWork()
    pending.open(uow, "OUT", "o9", action, holder, subject="Công văn",
                 link="/app/outgoing-doc?id=o9", by="chuyenvien", unit=unit)
    uow.commit()
    assert uow.counted == opened
    uow = FakeUnitOfWork()
    pending.close(uow, "OUT", "o9", action, by=closer)
    uow.commit()
    assert uow.counted == closed


def test_a_completed_part_opened_again_was_returned_for_revision() -> None:
    from chalicelib.kernel.calendar import DEFAULT_TZ
    from chalicelib.work.items import closed, measured_state, work_item
    from chalicelib.work.rules import Part, measure_changes

    part = work_item({"id": "d9", "trich_yeu": "Báo cáo"}, items.person("chuyenvien"), Part.LEAD,
                     "", datetime(2026, 11, 30, 10, tzinfo=UTC), "truongphong", "PDKKD")
    done = closed(part, WorkStatus.DONE, completed_at="2026-12-01T03:00:00Z")
    was = measured_state(done, DEFAULT_TZ)
    assert was.state == "late" and was.month == "2026-11"
    again = {**part, "measured": was.as_item()}
    changes = measure_changes(was, measured_state(again, DEFAULT_TZ))
    assert sorted(changes) == [
        ("U#chuyenvien", "2026-11", {"completed": -1, "late": -1, "returned": 1}),
        ("UNIT#PDKKD", "2026-11", {"completed": -1, "late": -1, "returned": 1})]

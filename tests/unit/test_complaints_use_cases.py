"""The complaint use cases against fakes of their ports: intake at the desk and
from the public, who decides what, the legal clocks on the case and its work,
the protected denouncer, settlement and the dashboard counters. No AWS: the
store, trail, directory and clock are the fakes of tests/fakes.py; the calendar
is the real agency calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.complaints.service import Complaints, chain_of
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from chalicelib.kernel.identity import Caller, Role
from chalicelib.work import items
from chalicelib.work.pending import Pending
from chalicelib.work.rules import Action
from tests.fakes import FakeCaseStore, FakeDirectory, FakeTrail, FakeWorkStore, FixedClock

# Monday 7 December 2026, 09:00 in Hà Nội.
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
CLERK = Caller("vanthu", frozenset({Role.CLERK}), unit="VP")
LEADER = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD")
HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), unit="PTH")
OFFICER = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PTH")
OTHER_OFFICER = Caller("khac", frozenset({Role.OFFICER}), unit="PTH")


@pytest.fixture()
def cases() -> Complaints:
    directory = FakeDirectory(
        users={"chuyenvien": {"status": "active", "unit": "PTH"},
               "khac": {"status": "active", "unit": "PTH"},
               "nguoivp": {"status": "active", "unit": "VP"}},
        units=("PTH", "VP"))
    calendar = AgencyCalendar()
    clock, work = FixedClock(MONDAY), FakeWorkStore()
    return Complaints(store=FakeCaseStore(work), trail=FakeTrail(), directory=directory,
                      calendar=lambda: calendar, clock=clock, office=lambda: "VP",
                      public_url=lambda: "https://dichvucong.example",
                      pending=Pending(work, lambda: calendar, clock))


def _desk_action(cases: Complaints, case_id: str) -> dict[str, Any]:
    """The clerks' pending action on a received case."""
    store = cases.store
    assert isinstance(store, FakeCaseStore) and store.pending is not None
    (todo,) = store.pending.todos(f"CASE#{case_id}", items.todo_prefix(Action.CLASSIFY))
    return todo


def _file(cases: Complaints, kind: str = "complaint", *, protected: bool = False,
          email: str = "nguoigui@example.vn", decision_date: date | None = date(2026, 12, 1),
          by: Caller | None = None) -> dict[str, Any]:
    return cases.submit(by, kind=kind, person={
        "name": "Nguyễn Văn A", "phone": "0912345678", "email": email, "protected": protected},
        content="Nội dung đơn.", decision="Quyết định 1/QĐ",
        decision_date=decision_date if kind == "complaint" else None, channel="online")


def _in_progress(cases: Complaints, kind: str = "complaint", **filing: Any) -> str:
    case = _file(cases, kind, **filing)
    if kind == "denunciation":  # complex: its settlement may be extended
        cases.classify(CLERK, case["id"], kind=kind, complexity="complex", remote=False,
                       multi_site=False, second_of=None, decision_date=None)
    cases.accept(CLERK, case["id"])
    cases.assign(LEADER, case["id"], unit="PTH", officer="chuyenvien")
    return str(case["id"])


def _mails(cases: Complaints) -> list[str]:
    store = cases.store
    assert isinstance(store, FakeCaseStore)
    return [e.payload["template"] for e in store.events if e.type == "mail.requested"]


def test_a_public_filing_reaches_the_desk_with_its_acceptance_deadline(
        cases: Complaints) -> None:
    case = _file(cases)
    store = cases.store
    assert isinstance(store, FakeCaseStore)

    assert case["status"] == "received" and case["code"].startswith("KN-261207-")
    assert case["units"] == ["VP"] and case["people"] == []
    # The clerks must decide by the acceptance deadline, the office chased for it.
    desk_work = _desk_action(cases, case["id"])
    assert (desk_work["action"], desk_work["assignee"], desk_work["unit"],
            desk_work["status"]) == ("complaint.classify", "ROLE#clerk", "VP", "open")
    assert desk_work["deadline"] == case["deadline"] == case["clocks"]["accept_by"]
    assert store.work(case["id"]) == []
    assert store.counters("complaint") == {"received": 1, "open": 1}
    # The dashboard's month: the local month of receipt; open is a state, not a flow.
    assert store.monthly == {("complaint", "2026-12"): {"received": 1}}
    assert cases.trail.entries[chain_of(case["id"])][0]["actor"] == "public"
    assert _mails(cases) == ["complaint_receipt"]
    # The filer's identity is kept apart from the case.
    assert "phone" not in store.cases[case["id"]]
    assert store.people[case["id"]]["phone"] == "0912345678"


def test_no_receipt_without_an_address_and_no_decision_date_in_the_future(
        cases: Complaints) -> None:
    _file(cases, "petition", email="")
    assert _mails(cases) == []
    with pytest.raises(InvalidInput) as caught:
        _file(cases, decision_date=date(2026, 12, 8))
    assert [p.path for p in caught.value.fields] == ["decision_date"]


def test_only_the_desk_decides_on_a_received_case(cases: Complaints) -> None:
    case = _file(cases)
    for decide in (lambda: cases.accept(OFFICER, case["id"]),
                   lambda: cases.refuse(HEAD, case["id"], reason="Không"),
                   lambda: cases.transfer(OFFICER, case["id"], to="UBND", reason="Không")):
        with pytest.raises(Forbidden):
            decide()
    accepted = cases.accept(CLERK, case["id"])
    assert accepted["status"] == "accepted"
    # The desk's acceptance work ends with the decision; the person is told.
    store = cases.store
    assert isinstance(store, FakeCaseStore)
    assert _desk_action(cases, case["id"])["status"] == "done"
    assert _mails(cases)[-1] == "complaint_notice"
    with pytest.raises(Conflict) as caught:
        cases.accept(CLERK, case["id"])
    assert caught.value.code == "invalid_state"


def test_a_complaint_is_accepted_only_with_its_decision_date_and_in_time(
        cases: Complaints) -> None:
    undated = _file(cases, decision_date=None)
    with pytest.raises(InvalidInput) as caught:
        cases.accept(CLERK, undated["id"])
    assert caught.value.code == "decision_date_required"
    assert [p.path for p in caught.value.fields] == ["decision_date"]

    late = _file(cases, decision_date=date(2026, 6, 1))  # more than 90 days before
    with pytest.raises(InvalidInput) as caught:
        cases.accept(CLERK, late["id"])
    assert caught.value.code == "out_of_time"


def test_reclassifying_moves_the_counters_with_the_case(cases: Complaints) -> None:
    case = _file(cases, "petition")
    cases.classify(CLERK, case["id"], kind="denunciation", complexity="complex", remote=False,
                   multi_site=False, second_of=None, decision_date=None)
    store = cases.store
    assert isinstance(store, FakeCaseStore)
    assert store.counters("petition") == {"received": 0, "open": 0}
    assert store.counters("denunciation") == {"received": 1, "open": 1}
    assert cases.trail.actions(chain_of(case["id"])) == ["complaint.receive",
                                                          "complaint.classify"]


def test_assignment_names_a_real_unit_and_one_of_its_officers(cases: Complaints) -> None:
    case = _file(cases)
    cases.accept(CLERK, case["id"])
    with pytest.raises(InvalidInput) as caught:
        cases.assign(LEADER, case["id"], unit="KHONGCO", officer=None)
    assert [p.path for p in caught.value.fields] == ["unit"]
    with pytest.raises(InvalidInput) as caught:
        cases.assign(LEADER, case["id"], unit="PTH", officer="nguoivp")
    assert [p.path for p in caught.value.fields] == ["officer"]
    with pytest.raises(NotFound):  # not yet the unit's: its head does not even see it
        cases.assign(HEAD, case["id"], unit="PTH", officer="chuyenvien")

    cases.assign(LEADER, case["id"], unit="PTH", officer=None)
    # Now the unit's: its head names the officer, and the unit's open work ends.
    assigned = cases.assign(HEAD, case["id"], unit="PTH", officer="chuyenvien")
    assert assigned["status"] == "in_progress" and assigned["officer"] == "chuyenvien"
    store = cases.store
    assert isinstance(store, FakeCaseStore)
    open_work = [w["assignee"] for w in store.work(case["id"]) if w["status"] == "open"]
    assert open_work == ["U#chuyenvien"]
    assert store.work_of(case["id"], "U#chuyenvien")["deadline"] == \
        assigned["clocks"]["settle_by"]
    # The officer now sees the case; another officer of the unit does not.
    assert cases.view(OFFICER, case["id"])["actions"] == ["answer", "dialogue", "note"]
    with pytest.raises(NotFound):
        cases.view(OTHER_OFFICER, case["id"])


def test_a_protected_denouncer_is_seen_by_leaders_and_the_officer_only_and_audited(
        cases: Complaints) -> None:
    case_id = _in_progress(cases, "denunciation", protected=True)
    view = cases.view(HEAD, case_id)
    assert view["person"] == {"protected": True, "name": "(Danh tính người tố cáo được giữ bí mật)",
                              "visible": False}
    with pytest.raises(Forbidden):
        cases.identity(HEAD, case_id)
    assert cases.identity(OFFICER, case_id)["phone"] == "0912345678"
    assert cases.identity(LEADER, case_id)["name"] == "Nguyễn Văn A"
    readings = [e["actor"] for e in cases.trail.entries[chain_of(case_id)]
                if e["action"] == "complaint.identity_view"]
    assert readings == ["chuyenvien", "giamdoc"]


def test_pauses_and_extensions_are_a_leaders_and_move_the_open_work(
        cases: Complaints) -> None:
    case_id = _in_progress(cases, "denunciation")
    store = cases.store
    assert isinstance(store, FakeCaseStore)
    before = store.work_of(case_id, "U#chuyenvien")["deadline"]
    with pytest.raises(Forbidden):
        cases.extend(OFFICER, case_id, days=30, decision="QĐ 12/QĐ-SKHĐT")
    extended = cases.extend(LEADER, case_id, days=30, decision="QĐ 12/QĐ-SKHĐT")
    after = store.work_of(case_id, "U#chuyenvien")["deadline"]
    assert after == extended["clocks"]["settle_by"] and after > before

    with pytest.raises(Forbidden):
        cases.pause(OFFICER, case_id, reason="Chờ giám định")
    cases.pause(LEADER, case_id, reason="Chờ giám định")
    with pytest.raises(Conflict):
        cases.pause(LEADER, case_id, reason="Lần nữa")
    cases.resume(LEADER, case_id)
    with pytest.raises(Conflict):
        cases.resume(LEADER, case_id)


def test_the_issued_answer_settles_the_case_once_and_counts_it(cases: Complaints) -> None:
    case_id = _in_progress(cases)
    store = cases.store
    assert isinstance(store, FakeCaseStore)
    answer = {"number_text": "12/QĐ-SKHĐT", "issued_key": "issued/abc.pdf"}

    assert cases.settle_from_answer(case_id, answer) is True
    settled = store.get(case_id)
    assert settled is not None and settled["status"] == "settled" and settled["on_time"]
    # The officer's part ends, and no pending action is left on the case.
    assert [w["status"] for w in store.work(case_id)] == ["done"]
    assert store.pending is not None and {
        (t["action"], t["status"]) for t in store.pending.todos(f"CASE#{case_id}", "TODO#")} == {
        ("complaint.classify", "done"), ("complaint.assign", "done")}
    assert store.counters("complaint") == {"received": 1, "open": 0, "settled_on_time": 1}
    assert cases.trail.entries[chain_of(case_id)][-1]["actor"] == "system"
    # A redelivered event settles nothing twice.
    assert cases.settle_from_answer(case_id, answer) is False
    assert store.counters("complaint")["settled_on_time"] == 1


def test_the_public_lookup_needs_the_code_and_the_phone(cases: Complaints) -> None:
    case = _file(cases)
    found = cases.lookup(case["code"].lower(), "5678")
    assert found["status_label"] == "Đã nhận đơn" and found["received"] == "07/12/2026"
    for code, phone in ((case["code"], "1234"), ("KN-000000-XXXXXX", "5678"),
                        (case["code"], "678")):
        with pytest.raises(NotFound):
            cases.lookup(code, phone)


def test_failed_lookups_lock_the_case_code_for_the_hour(cases: Complaints) -> None:
    case = _file(cases)
    for n in range(5):
        with pytest.raises(NotFound):
            cases.lookup(case["code"], f"{n:04d}")
    with pytest.raises(RateLimited) as locked:
        cases.lookup(case["code"], "5678")
    assert locked.value.code == "code_locked" and "024 3825 6637" in locked.value.message
    assert locked.value.message_en.startswith("This code is locked")


def test_the_dashboard_is_for_leaders_and_counts_the_cases_work(cases: Complaints) -> None:
    _file(cases)
    _in_progress(cases, "petition")
    with pytest.raises(Forbidden):
        cases.dashboard(CLERK)
    board = cases.dashboard(LEADER)
    by_kind = {k["kind"]: k for k in board["kinds"]}
    assert by_kind["complaint"]["received"] == 1 and by_kind["petition"]["open"] == 1
    assert board["units"] == [] and board["overdue"] == 0  # nothing due within 3 days

    # A month later: the desk has not accepted the first, the unit not settled the second.
    clock = cases.clock
    assert isinstance(clock, FixedClock)
    clock.now = MONDAY + timedelta(days=30)
    board = cases.dashboard(LEADER)
    assert board["units"] == [{"unit": "PTH", "due_soon": 0, "overdue": 1},
                              {"unit": "VP", "due_soon": 0, "overdue": 1}]

"""The incoming-document use cases against fakes of their ports: numbering in
the register, who sees a document, the clerk's review, shares, distribution,
assignment, completion and the registers. No AWS: the store, trail, directory
and clock are the fakes of tests/fakes.py; the calendar is the real agency
calendar."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.incoming import handling, registers
from chalicelib.incoming import service as incoming
from chalicelib.incoming.rules import Metadata, Urgency
from chalicelib.incoming.service import chain_of
from chalicelib.kernel.access import Secrecy
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.identity import Caller, Role
from chalicelib.work.pending import WORK_OPENED, Pending
from chalicelib.work.rules import Part
from tests.fakes import (
    FakeIncomingStore,
    FakeIntakeStore,
    FakeOrganisation,
    FakeTrail,
    FakeWorkStore,
    FixedClock,
)
from tests.people import CLERK, HEAD, LEADER, OFFICER, OTHER_HEAD

# Monday 7 December 2026, 09:00 in Hà Nội.
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
FRIDAY = date(2026, 12, 11)
COLLEAGUE = Caller("dongnghiep", frozenset({Role.OFFICER}), unit="PDKKD")
META = Metadata(so_ky_hieu="1234/STC-QLNS", co_quan_ban_hanh="Sở Tài chính",
                ngay_ban_hanh=date(2026, 11, 5), loai_van_ban="Công văn",
                trich_yeu="V/v hướng dẫn dự toán 2027", nguoi_ky="Nguyễn Văn A")


@dataclass
class World:
    store: FakeIncomingStore = field(default_factory=FakeIncomingStore)
    trail: FakeTrail = field(default_factory=FakeTrail)
    organisation: FakeOrganisation = field(default_factory=lambda: FakeOrganisation(
        users={"truongphong": {"status": "active", "unit": "PDKKD", "roles": ["unit_head"]},
               "chuyenvien": {"status": "active", "unit": "PDKKD", "roles": ["officer"]},
               "dongnghiep": {"status": "active", "unit": "PDKKD", "roles": ["officer"]},
               "nghiviec": {"status": "disabled", "unit": "PDKKD", "roles": ["unit_head"]},
               "truongphongth": {"status": "active", "unit": "PTH", "roles": ["unit_head"]},
               "khac": {"status": "active", "unit": "PTH", "roles": ["officer"]}},
        units=("PDKKD", "PTH")))
    clock: FixedClock = field(default_factory=lambda: FixedClock(MONDAY))
    counted: list[tuple[str, str, date]] = field(default_factory=list)
    work: FakeWorkStore = field(default_factory=FakeWorkStore)

    def calendar(self) -> AgencyCalendar:
        return AgencyCalendar()

    @property
    def pending(self) -> Pending:
        return Pending(self.work, self.calendar, self.clock)

    def register(self, meta: Metadata = META, **kw: Any) -> dict[str, Any]:
        kw.setdefault("arrival", MONDAY)
        return incoming.register(None, meta, source="paper", store=self.store,
                                 trail=self.trail, pending=self.pending, clock=self.clock, **kw)

    def ports(self, *names: str) -> dict[str, Any]:
        every = {"store": self.store, "trail": self.trail, "directory": self.organisation,
                 "calendar": self.calendar, "clock": self.clock, "pending": self.pending}
        return {n: every[n] for n in names}

    def distribute(self, doc: dict[str, Any], by: Caller = LEADER, lead: str = "PDKKD",
                   supporting: list[tuple[str, Any]] | None = None,
                   deadline: date | datetime = FRIDAY) -> dict[str, Any]:
        version = self.store.docs[doc["id"]]["version"]
        return handling.distribute(
            by, doc["id"], lead_unit=lead, lead_deadline=deadline,
            supporting=supporting or [], instruction="Phòng ĐKKD chủ trì", version=version,
            **self.ports("store", "trail", "directory", "calendar", "clock", "pending"))

    def assign(self, doc: dict[str, Any], officers: list[tuple[str, Part]],
               by: Caller = HEAD, deadline: date | None = None) -> dict[str, Any]:
        return handling.assign(
            by, doc["id"], officers=officers, deadline=deadline, instruction="Dự thảo trả lời",
            version=self.store.docs[doc["id"]]["version"],
            **self.ports("store", "trail", "directory", "calendar", "clock"))

    def complete(self, doc: dict[str, Any], by: Caller) -> dict[str, Any]:
        def count(uow: Any, unit: str, code: str, day: date) -> None:
            uow.add(lambda: self.counted.append((unit, code, day)))

        return handling.complete(by, doc["id"], "Đã trả lời", answer="456/SKH-ĐKKD",
                                 count=count, **self.ports("store", "trail", "calendar",
                                                           "clock", "directory", "pending"))


@pytest.fixture()
def world() -> World:
    return World()


def _fields(caught: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [p.path for p in caught.value.fields]


# ---- the register --------------------------------------------------------------


def test_numbers_follow_each_other_and_start_again_each_year_in_hanoi(world: World) -> None:
    first, second = world.register(), world.register()
    # 17:30 UTC on 31 December is already 1 January in Hà Nội: a new register.
    new_year = world.register(arrival=datetime(2026, 12, 31, 17, 30, tzinfo=UTC))

    assert [(d["so_den"], d["so_den_text"], d["year"]) for d in (first, second, new_year)] == [
        (1, "01", 2026), (2, "02", 2026), (1, "01", 2027)]
    assert world.trail.actions(chain_of(first["id"])) == ["incoming.register"]
    # Each registration also asks the leaders to distribute it, in its transaction.
    assert [e.type for e in world.store.events] == [WORK_OPENED, "incoming.registered"] * 3


def test_a_number_taken_meanwhile_is_read_again_never_given_twice(world: World) -> None:
    class Racing(FakeIncomingStore):
        raced = False

        def counter(self, year: int) -> int | None:
            read = super().counter(year)
            if not self.raced:  # another registration commits between read and write
                self.raced = True
                self.counters[year] = (read or 0) + 1
            return read

    world.store = Racing()
    doc = world.register()

    assert doc["so_den"] == 2
    assert world.trail.actions(chain_of(doc["id"])) == ["incoming.register"]
    assert [e.type for e in world.store.events] == [WORK_OPENED, "incoming.registered"]


def test_urgent_documents_are_flagged_and_secret_ones_get_no_receipt(world: World) -> None:
    world.register(Metadata(**{**META.__dict__, "do_khan": Urgency.HOA_TOC}),
                   sender_email="vanthu@stc.gov.vn")
    world.register(secrecy=Secrecy.MAT, people=["giamdoc"], sender_email="vanthu@stc.gov.vn")

    urgent, secret = (e.payload for e in world.store.events
                      if e.type == "incoming.registered")
    assert urgent["urgent"] is True and urgent["receipt_to"] == "vanthu@stc.gov.vn"
    assert secret["urgent"] is False and secret["receipt_to"] is None


def test_a_document_is_hidden_from_those_who_may_not_see_it_and_reading_is_audited(
        world: World) -> None:
    doc = world.register(units=["PDKKD"])
    ports = world.ports("store", "trail")

    assert incoming.view(CLERK, doc["id"], **ports)["so_ky_hieu"] == "1234/STC-QLNS"
    assert incoming.view(HEAD, doc["id"], **ports)["id"] == doc["id"]
    with pytest.raises(NotFound):
        incoming.view(OTHER_HEAD, doc["id"], **ports)
    with pytest.raises(NotFound):
        incoming.view(CLERK, "khong-co", **ports)
    assert world.trail.actions(chain_of(doc["id"])) == [
        "incoming.register", "incoming.view", "incoming.view"]
    listed = incoming.list_visible(HEAD, store=world.store)
    assert [i["id"] for i in listed.items] == [doc["id"]]
    assert incoming.list_visible(OTHER_HEAD, store=world.store).items == []


# ---- the clerk's review and shares ---------------------------------------------------


def test_a_review_over_a_stale_version_is_refused(world: World) -> None:
    doc = world.register()
    with pytest.raises(Conflict):
        incoming.correct(CLERK, doc["id"], META, Secrecy.NONE, version=7,
                         **world.ports("store", "trail", "clock", "pending"))
    assert world.trail.actions(chain_of(doc["id"])) == ["incoming.register"]


def test_marking_a_document_secret_keeps_it_to_the_people_named(world: World) -> None:
    doc = world.register(units=["PDKKD"])
    after = incoming.correct(CLERK, doc["id"], META, Secrecy.MAT, version=1,
                             **world.ports("store", "trail", "clock", "pending"))

    assert after["do_mat"] == "mat" and after["people"] == ["vanthu"]
    assert after["version"] == 2
    with pytest.raises(NotFound):  # the unit no longer reaches it through its list
        incoming.view(HEAD, doc["id"], **world.ports("store", "trail"))
    entry = world.trail.entries[chain_of(doc["id"])][-1]
    # The audit entry names what changed, and only that.
    assert entry["action"] == "incoming.correct"
    assert entry["before"] == {"do_mat": "", "people": []}
    assert entry["after"] == {"do_mat": "mat", "people": ["vanthu"]}
    assert [e.type for e in world.store.events][-1] == "incoming.corrected"


def test_a_correction_cannot_erase_the_required_facts_of_a_registered_document(
        world: World) -> None:
    doc = world.register()
    erased = replace(META, so_ky_hieu="", trich_yeu="  ")

    with pytest.raises(InvalidInput) as refused:
        incoming.correct(CLERK, doc["id"], erased, Secrecy.NONE, version=1,
                         **world.ports("store", "trail", "clock", "pending"))

    problems = {p.path: p.message for p in refused.value.fields}
    assert problems == {
        "so_ky_hieu": "Không được để trống số, ký hiệu của văn bản đã vào sổ.",
        "trich_yeu": "Không được để trống trích yếu của văn bản đã vào sổ.",
    }
    assert world.trail.actions(chain_of(doc["id"])) == ["incoming.register"]  # nothing saved


def test_completing_the_metadata_registers_the_waiting_intake_record(world: World) -> None:
    intakes = FakeIntakeStore([{"id": "r1", "status": "needs_review", "version": 1,
                                "reason": "Cần bổ sung", "reason_en": "To complete"}])
    doc = world.register(Metadata(so_ky_hieu="12/UBND"), intake_id="r1")
    assert doc["metadata_complete"] is False

    incoming.correct(CLERK, doc["id"], META, Secrecy.NONE, version=1, intakes=intakes,
                     **world.ports("store", "trail", "clock", "pending"))

    record = intakes.records["r1"]
    assert (record["status"], record["reason"], record["version"]) == ("registered", "", 2)


def test_sharing_names_a_real_person_and_a_secret_cannot_be_given_up(world: World) -> None:
    doc = world.register(secrecy=Secrecy.MAT, people=["vanthu"])
    ports = world.ports("store", "trail", "directory", "clock")

    with pytest.raises(InvalidInput) as caught:
        incoming.change_people(CLERK, doc["id"], grant="khongco", **ports)
    assert caught.value.code == "invalid_user" and _fields(caught) == ["username"]

    shared = incoming.change_people(CLERK, doc["id"], grant="khac", **ports)
    assert shared["people"] == ["khac", "vanthu"]
    assert incoming.view(Caller("khac", frozenset({Role.OFFICER}), unit="PTH"), doc["id"],
                         **world.ports("store", "trail"))["id"] == doc["id"]

    with pytest.raises(InvalidInput) as caught:
        incoming.change_people(CLERK, doc["id"], revoke="vanthu", **ports)
    assert caught.value.code == "self_revoke"
    with pytest.raises(NotFound):
        incoming.change_people(CLERK, doc["id"], revoke="truongphong", **ports)

    assert world.trail.actions(chain_of(doc["id"])) == ["incoming.register", "incoming.grant",
                                                        "incoming.view"]
    assert world.store.events[-1].payload == {"id": doc["id"], "username": "khac"}


# ---- distribution, assignment, completion ---------------------------------------


def test_every_unknown_unit_is_named_and_the_lead_cannot_also_support(world: World) -> None:
    doc = world.register()
    with pytest.raises(InvalidInput) as caught:
        world.distribute(doc, lead="KHONGCO", supporting=[("PTH", FRIDAY), ("XX", FRIDAY)])
    assert _fields(caught) == ["lead_unit", "supporting.1.unit"]
    with pytest.raises(InvalidInput) as caught:
        world.distribute(doc, supporting=[("PDKKD", FRIDAY)])
    assert _fields(caught) == ["supporting"]
    with pytest.raises(InvalidInput) as caught:
        world.distribute(doc, deadline=date(2026, 12, 12))  # a Saturday
    assert caught.value.code == "not_a_working_day" and _fields(caught) == ["lead_deadline"]
    assert world.store.work == {}


def test_distribution_gives_each_unit_its_part_and_its_register(world: World) -> None:
    doc = world.register()
    after = world.distribute(doc, supporting=[("PTH", FRIDAY)])

    assert after["status"] == "distributed" and after["units"] == ["PDKKD", "PTH"]
    assert [(w["assignee"], w["part"], w["deadline"]) for w in world.store.parts(doc["id"])] == [
        ("UNIT#PDKKD", "lead", "2026-12-11T10:00:00.000Z"),
        ("UNIT#PTH", "support", "2026-12-11T10:00:00.000Z")]
    assert [d["id"] for d in registers.entries(2026, "PTH", store=world.store)] == [doc["id"]]
    assert world.trail.entries[chain_of(doc["id"])][-1]["summary"] == "Giao PDKKD chủ trì"
    assert world.store.events[-1].payload == {"id": doc["id"], "units": ["PDKKD", "PTH"],
                                              "lead_officer": None}
    assert incoming.view(HEAD, doc["id"], **world.ports("store", "trail"))["id"] == doc["id"]
    with pytest.raises(Conflict) as caught:
        world.distribute(doc)
    assert caught.value.code == "already_distributed"


def test_a_secret_document_reaches_the_active_heads_by_name(world: World) -> None:
    doc = world.register(secrecy=Secrecy.MAT, people=["giamdoc"])
    after = world.distribute(doc, supporting=[("PTH", FRIDAY)])
    # Not the disabled head, not the officers, not the unit lists.
    assert after["people"] == ["giamdoc", "truongphong", "truongphongth"]


def test_a_head_assigns_only_the_units_own_people_within_the_units_deadline(
        world: World) -> None:
    doc = world.register()
    world.distribute(doc)

    with pytest.raises(Forbidden):
        world.assign(doc, [("chuyenvien", Part.LEAD)], by=LEADER)  # sees it, heads no unit
    with pytest.raises(NotFound):  # a unit not given the document does not learn of it
        world.assign(doc, [("khac", Part.LEAD)], by=OTHER_HEAD)
    with pytest.raises(InvalidInput) as caught:
        world.assign(doc, [("chuyenvien", Part.LEAD), ("khac", Part.SUPPORT),
                           ("nghiviec", Part.SUPPORT)])
    assert caught.value.code == "assignee_out_of_scope"
    assert _fields(caught) == ["officers.1.username", "officers.2.username"]
    with pytest.raises(InvalidInput) as caught:
        world.assign(doc, [("chuyenvien", Part.LEAD)], deadline=date(2026, 12, 14))
    assert caught.value.code == "invalid_deadline"

    after = world.assign(doc, [("chuyenvien", Part.LEAD)])
    assert after["status"] == "in_progress" and "chuyenvien" in after["people"]
    lead = world.store.part(doc["id"], "U#chuyenvien")
    assert lead is not None and lead["deadline"] == "2026-12-11T10:00:00.000Z"
    assert world.store.events[-1].payload == {"id": doc["id"], "officers": ["chuyenvien"]}


def test_the_lead_officer_completes_the_unit_and_the_lead_unit_the_document(
        world: World) -> None:
    doc = world.register()
    world.distribute(doc)
    world.assign(doc, [("chuyenvien", Part.LEAD), ("dongnghiep", Part.SUPPORT)])

    with pytest.raises(Forbidden) as caught:  # seeing it is not being assigned to it
        world.complete(doc, HEAD)
    assert caught.value.code == "no_open_work"

    assert world.complete(doc, COLLEAGUE) == {"document_completed": False}
    assert world.store.docs[doc["id"]]["status"] == "in_progress"
    assert world.complete(doc, OFFICER) == {"document_completed": True}

    stored = world.store.docs[doc["id"]]
    assert (stored["status"], stored["answer"]) == ("completed", "456/SKH-ĐKKD")
    assert world.store.part(doc["id"], "UNIT#PDKKD")["status"] == "done"
    assert [e.type for e in world.store.events][-2:] == ["incoming.part_completed",
                                                         "incoming.completed"]
    # Each completion counts for the unit's week, by timeliness.
    assert world.counted == [("PDKKD", "done_early", date(2026, 12, 7))] * 2


def test_a_supporting_unit_done_with_its_part_assigns_no_more(world: World) -> None:
    doc = world.register()
    world.distribute(doc, supporting=[("PTH", FRIDAY)])
    world.assign(doc, [("khac", Part.LEAD)], by=OTHER_HEAD)

    khac = Caller("khac", frozenset({Role.OFFICER}), unit="PTH")
    assert world.complete(doc, khac) == {"document_completed": False}
    assert world.store.part(doc["id"], "UNIT#PTH")["status"] == "done"
    assert world.store.part(doc["id"], "UNIT#PDKKD")["status"] == "open"
    with pytest.raises(InvalidInput) as caught:
        world.assign(doc, [("khac", Part.SUPPORT)], by=OTHER_HEAD)
    assert caught.value.code == "no_unit_work"


def test_work_passes_only_to_a_colleague_of_the_same_unit(world: World) -> None:
    doc = world.register()
    world.distribute(doc)
    world.assign(doc, [("chuyenvien", Part.LEAD)])
    ports = world.ports("store", "trail", "directory", "clock")

    with pytest.raises(InvalidInput) as caught:
        handling.send_back(OFFICER, doc["id"], "Không đúng chuyên môn", to="khac", **ports)
    assert _fields(caught) == ["to"]
    assert world.store.part(doc["id"], "U#chuyenvien")["status"] == "open"

    assert handling.send_back(OFFICER, doc["id"], "Chuyển đồng nghiệp", to="dongnghiep",
                              **ports) == {"ok": True}
    assert world.store.part(doc["id"], "U#chuyenvien")["status"] == "returned"
    assert world.store.part(doc["id"], "U#dongnghiep")["status"] == "open"
    assert "dongnghiep" in world.store.docs[doc["id"]]["people"]
    assert world.trail.actions(chain_of(doc["id"]))[-1] == "incoming.transfer"


def test_progress_is_reported_by_the_assignee_and_shown_with_the_opinions(
        world: World) -> None:
    doc = world.register()
    world.distribute(doc)
    world.assign(doc, [("chuyenvien", Part.LEAD)])
    ports = world.ports("store", "trail", "clock")

    with pytest.raises(Forbidden):
        handling.add_note(HEAD, doc["id"], "progress", "50%", progress=50, **ports)
    handling.add_note(HEAD, doc["id"], "opinion", "Khẩn trương", **ports)
    handling.add_note(OFFICER, doc["id"], "progress", "Đã có dự thảo", progress=60, **ports)

    shown = handling.handling_view(HEAD, doc["id"], **world.ports("store", "calendar",
                                                                  "clock"))
    assert [(n["note_kind"], n["author"]) for n in shown["notes"]] == [
        ("opinion", "truongphong"), ("progress", "chuyenvien")]
    officer_part = next(p for p in shown["parts"] if p["assignee"] == "U#chuyenvien")
    assert officer_part["progress"] == 60 and officer_part["timeliness"] == "on_time"


# ---- the registers --------------------------------------------------------------


def test_the_registers_show_a_secret_document_by_its_number_only(world: World) -> None:
    plain = world.register()
    secret = world.register(secrecy=Secrecy.MAT, people=["giamdoc"])
    world.distribute(plain, supporting=[("PTH", FRIDAY)])

    docs = registers.entries(2026, store=world.store)
    rows = registers.incoming_rows(docs, store=world.store)
    assert [r[1] for r in rows] == ["01", "02"]
    assert rows[0][6] == "PDKKD (chủ trì); PTH (phối hợp)"
    assert rows[1][2:4] == ["(Văn bản mật)", "(Văn bản mật)"] and "Mật" in rows[1][9]
    tracking = registers.tracking_rows(docs, store=world.store)
    assert tracking[0][3] == "2026-12-11" and tracking[0][4] == "Đã phân phối"
    assert tracking[1][1] == "(Văn bản mật)" and tracking[1][4] == "Chưa phân phối"
    assert secret["so_den"] == 2


# ---- pending actions (the work inbox) -------------------------------------------------


LEADERS = Caller("phogiamdoc", frozenset({Role.LEADER}), unit="BGD")


def _open_todos(world: World, doc_id: str) -> list[tuple[str, str]]:
    return sorted((w["action"], w["assignee"]) for w in world.work.todos(f"DOC#{doc_id}", "")
                  if w["status"] == "open")


def test_registering_asks_the_leaders_and_an_unread_intake_the_clerks(world: World) -> None:
    urgent = world.register(Metadata(**{**META.__dict__, "do_khan": Urgency.KHAN}))
    plain = world.register(Metadata(so_ky_hieu="12/UBND"), intake_id="r1", review=True)

    assert _open_todos(world, urgent["id"]) == [("incoming.distribute", "ROLE#leader")]
    assert _open_todos(world, plain["id"]) == [("incoming.distribute", "ROLE#leader"),
                                               ("incoming.register", "ROLE#clerk")]
    due = {w["doc_id"]: w["deadline"] for w in world.work.work
           if w["action"] == "incoming.distribute"}
    # Urgent: at once (two working hours); otherwise by the end of the next working day.
    assert due[urgent["id"]] == "2026-12-07T04:00:00.000Z"
    assert due[plain["id"]] == "2026-12-08T10:00:00.000Z"
    assert all(w["link"] == f"/app/document?id={w['doc_id']}" for w in world.work.work)

    intakes = FakeIntakeStore([{"id": "r1", "status": "needs_review", "version": 1}])
    incoming.correct(CLERK, plain["id"], META, Secrecy.NONE, version=1, intakes=intakes,
                     **world.ports("store", "trail", "clock", "pending"))
    assert _open_todos(world, plain["id"]) == [("incoming.distribute", "ROLE#leader")]

    world.distribute(plain, by=LEADERS)
    assert _open_todos(world, plain["id"]) == []
    closed = next(w for w in world.work.work if w["doc_id"] == plain["id"]
                  and w["action"] == "incoming.distribute")
    assert closed["completed_by"] == "phogiamdoc"


def test_parts_carry_their_action_and_an_assignment_takes_the_unit_out_of_the_inbox(
        world: World) -> None:
    doc = world.register()
    world.distribute(doc, supporting=[("PTH", FRIDAY)])
    unit = world.store.part(doc["id"], "UNIT#PDKKD")
    assert (unit["action"], unit["link"]) == ("incoming.assign", f"/app/document?id={doc['id']}")
    assert world.store.part(doc["id"], "UNIT#PTH")["action"] == "incoming.opinion"
    assert "waiting" not in unit

    world.assign(doc, [("chuyenvien", Part.LEAD), ("dongnghiep", Part.SUPPORT)])
    assert world.store.part(doc["id"], "UNIT#PDKKD")["waiting"] is False
    assert world.store.part(doc["id"], "U#chuyenvien")["action"] == "incoming.handle"
    assert world.store.part(doc["id"], "U#dongnghiep")["action"] == "incoming.opinion"
    opened = [e.payload["assignee"] for e in world.store.events if e.type == WORK_OPENED]
    assert opened[-2:] == ["U#chuyenvien", "U#dongnghiep"]

    handling.send_back(OFFICER, doc["id"], "Không đúng chuyên môn",
                       **world.ports("store", "trail", "directory", "clock"))
    assert "waiting" not in world.store.part(doc["id"], "UNIT#PDKKD")


def test_directed_distribution_names_an_active_officer_of_the_lead_unit(world: World) -> None:
    doc = world.register()

    def direct(officer: str) -> dict[str, Any]:
        return handling.distribute(
            LEADER, doc["id"], lead_unit="PDKKD", lead_deadline=FRIDAY, supporting=[],
            instruction="", version=world.store.docs[doc["id"]]["version"],
            lead_officer=officer,
            **world.ports("store", "trail", "directory", "calendar", "clock", "pending"))

    for wrong in ("khac", "nghiviec", "khongco"):
        with pytest.raises(InvalidInput) as caught:
            direct(wrong)
        assert _fields(caught) == ["lead_officer"]

    after = direct("dongnghiep")
    assert after["status"] == "in_progress" and "dongnghiep" in after["people"]
    assert world.store.part(doc["id"], "UNIT#PDKKD")["waiting"] is False
    officer = world.store.part(doc["id"], "U#dongnghiep")
    assert (officer["action"], officer["part"]) == ("incoming.handle", "lead")
    announced = [e.payload["assignee"] for e in world.store.events if e.type == WORK_OPENED]
    assert "U#dongnghiep" in announced and "UNIT#PDKKD" not in announced
    colleague = Caller("dongnghiep", frozenset({Role.OFFICER}), unit="PDKKD")
    assert world.complete(doc, colleague) == {"document_completed": True}


def test_a_reviewing_unit_holds_the_officers_result_until_a_head_approves(
        world: World) -> None:
    from chalicelib.incoming import review

    world.organisation.units["PDKKD"]["review_completion"] = True
    doc = world.register()
    world.distribute(doc)
    world.assign(doc, [("chuyenvien", Part.LEAD)])
    ports = world.ports("store", "trail", "calendar", "clock", "pending")

    assert world.complete(doc, OFFICER) == {"document_completed": False,
                                            "awaiting_review": True}
    assert world.store.docs[doc["id"]]["status"] == "in_progress"
    assert world.store.part(doc["id"], "UNIT#PDKKD")["status"] == "open"
    assert _open_todos(world, doc["id"]) == [("incoming.review_completion", "UNIT#PDKKD")]
    with pytest.raises(NotFound):  # another unit's head does not even see it
        review.approve(OTHER_HEAD, doc["id"], **ports)
    with pytest.raises(Forbidden):
        review.approve(OFFICER, doc["id"], **ports)

    review.send_back_to_officer(HEAD, doc["id"], "Bổ sung số liệu", **ports)
    part = world.store.part(doc["id"], "U#chuyenvien")
    assert (part["status"], part["action"], part["returned_reason"]) == (
        "open", "incoming.handle", "Bổ sung số liệu")
    assert _open_todos(world, doc["id"]) == []
    with pytest.raises(Conflict):  # nothing waits for review now
        review.approve(HEAD, doc["id"], **ports)

    world.complete(doc, OFFICER)
    assert review.approve(HEAD, doc["id"], "Đồng ý", **ports) == {"document_completed": True}
    stored = world.store.docs[doc["id"]]
    assert (stored["status"], stored["answer"]) == ("completed", "456/SKH-ĐKKD")
    unit = world.store.part(doc["id"], "UNIT#PDKKD")
    assert (unit["status"], unit["approved_by"]) == ("done", "truongphong")
    assert "submitted" not in unit and _open_todos(world, doc["id"]) == []
    assert world.trail.actions(chain_of(doc["id"]))[-3:] == [
        "incoming.return_completion", "incoming.complete", "incoming.approve_completion"]


# ---- the use cases the routes call (as bootstrap.incoming builds them) -------------


class FakeS3:
    """Presigns links; records what it was asked to sign."""

    def __init__(self) -> None:
        self.signed: list[dict[str, Any]] = []

    def generate_presigned_url(self, operation: str, Params: dict[str, Any],  # noqa: N803
                               ExpiresIn: int) -> str:  # noqa: N803
        self.signed.append({"operation": operation, **Params, "expires_in": ExpiresIn})
        return f"https://s3.example/{Params['Key']}"


def _use_cases(world: World, intakes: FakeIntakeStore | None = None) -> incoming.Incoming:
    return incoming.Incoming(store=world.store, trail=world.trail,
                             intakes=intakes or FakeIntakeStore(),
                             directory=world.organisation, pending=world.pending,
                             clock=world.clock)


def test_a_list_keeps_the_urgency_and_status_asked_and_a_unit_only_for_who_sees_it_all(
        world: World) -> None:
    cases = _use_cases(world)
    plain = cases.register(CLERK, META, arrival=MONDAY, source="paper")
    urgent = cases.register(CLERK, replace(META, so_ky_hieu="99/UBND", do_khan=Urgency.HOA_TOC),
                            arrival=MONDAY, source="paper")
    world.distribute(plain)

    everything = cases.list_visible(LEADER)
    assert {i["id"] for i in everything.items} == {plain["id"], urgent["id"]}
    assert all(isinstance(i["so_den"], int) and isinstance(i["year"], int)
               for i in everything.items)
    assert [i["id"] for i in cases.list_visible(LEADER, urgency=Urgency.HOA_TOC.value)
            .items] == [urgent["id"]]
    assert [i["id"] for i in cases.list_visible(LEADER, status="registered").items] == [
        urgent["id"]]
    # The unit's own list: its head and the leaders; another unit's head may not.
    assert [i["id"] for i in cases.list_visible(HEAD, unit="PDKKD").items] == [plain["id"]]
    assert [i["id"] for i in cases.list_visible(LEADER, unit="PDKKD").items] == [plain["id"]]
    with pytest.raises(Forbidden):
        cases.list_visible(OTHER_HEAD, unit="PDKKD")


def test_a_download_link_is_short_lived_named_by_the_number_and_audited(world: World) -> None:
    cases = _use_cases(world)
    s3 = FakeS3()
    filed = world.register(units=["PDKKD"], file={"key": "files/sha256/ab", "sha256": "ab",
                                                  "pages": 2, "name": "cv.pdf"})
    paper = cases.register(CLERK, replace(META, so_ky_hieu="7/STP"), arrival=MONDAY,
                           source="paper")

    link = cases.download_url(HEAD, filed["id"], s3=s3, bucket="docs")
    assert link == {"url": "https://s3.example/files/sha256/ab", "expires_in": 300,
                    "file_name": f"van-ban-den-01-{MONDAY.year}.pdf"}
    assert s3.signed == [{
        "operation": "get_object", "Bucket": "docs", "Key": "files/sha256/ab",
        "ResponseContentDisposition": f'inline; filename="van-ban-den-01-{MONDAY.year}.pdf"',
        "ResponseContentType": "application/pdf", "expires_in": 300}]
    assert world.trail.actions(chain_of(filed["id"]))[-1] == "incoming.download"
    with pytest.raises(NotFound):  # not given to this head's unit: no link, not even a trace
        cases.download_url(OTHER_HEAD, filed["id"], s3=s3, bucket="docs")
    with pytest.raises(NotFound):  # a paper document has no file
        cases.download_url(CLERK, paper["id"], s3=s3, bucket="docs")
    assert len(s3.signed) == 1
    assert world.trail.actions(chain_of(paper["id"])) == ["incoming.register"]


def test_a_share_taken_back_from_someone_who_had_none_is_not_found_and_changes_nothing(
        world: World) -> None:
    cases = _use_cases(world)
    doc = cases.register(CLERK, META, arrival=MONDAY, source="paper")

    shared = cases.change_people(CLERK, doc["id"], grant="khac")
    assert shared["people"] == ["khac"] and shared["version"] == 2
    assert cases.change_people(CLERK, doc["id"], grant="khac")["version"] == 2  # already
    with pytest.raises(NotFound):
        cases.change_people(CLERK, doc["id"], revoke="chuyenvien")
    assert cases.change_people(CLERK, doc["id"], revoke="khac")["people"] == []
    assert world.trail.actions(chain_of(doc["id"])) == [
        "incoming.register", "incoming.grant", "incoming.revoke"]
    assert cases.load_visible(CLERK, doc["id"])["version"] == 3


def test_a_use_case_given_neither_its_table_nor_its_store_builds_none(world: World) -> None:
    doc = world.register(units=["PDKKD"])
    # The composition root builds collaborators; a use case never falls back on the stage's table.
    with pytest.raises(TypeError, match="pass the table"):
        incoming.view(HEAD, doc["id"])
    with pytest.raises(TypeError, match="pass the table"):
        registers.entries(MONDAY.year)
    assert incoming.view(HEAD, doc["id"], store=world.store, trail=world.trail)["id"] == doc["id"]

"""The outgoing-document use cases against fakes of their ports: who may draft,
review, sign, number and recall; what is refused with which field named; what
is written, audited and emitted. No AWS: the store, trail, neighbours and clock
are the fakes of tests/fakes.py. (Uploading and composing PDFs, and the steps
that sign and stamp them, run in tests/integration/test_outgoing.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from chalicelib.kernel.identity import Caller, Role
from chalicelib.outgoing.rules import OutStatus
from chalicelib.outgoing.service import Outgoing, chain_of
from chalicelib.work import service as work
from chalicelib.work.pending import Pending
from tests.fakes import (
    FakeNeighbours,
    FakeOutgoingStore,
    FakeTrail,
    FakeWorkStore,
    FixedClock,
)
from tests.people import CLERK, HEAD, OFFICE_HEAD, STRANGER

# Monday 7 December 2026, 09:00 in Hà Nội.
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
DRAFTER = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PDKKD", full_name="Chuyên Viên")
LEADER = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD", full_name="Giám Đốc",
                auth_time=NOW - timedelta(minutes=1))
DEPUTY = Caller("phogiamdoc", frozenset({Role.LEADER}), unit="BGD", full_name="Phó Giám Đốc",
                auth_time=NOW - timedelta(minutes=1))


@pytest.fixture()
def outgoing() -> Outgoing:
    neighbours = FakeNeighbours(
        users={"chuyenvien": {"roles": ["officer"], "unit": "PDKKD"},
               "truongphong": {"roles": ["unit_head"], "unit": "PDKKD",
                               "email": "tp@so.gov.vn"},
               "chanhvanphong": {"roles": ["unit_head"], "unit": "VP"},
               "vanthu": {"roles": ["clerk"], "unit": "VP"},
               "giamdoc": {"roles": ["leader"], "unit": "BGD", "title": "Giám đốc"},
               "phogiamdoc": {"roles": ["leader"], "unit": "BGD"},
               "nghiviec": {"roles": ["leader"], "unit": "BGD", "status": "disabled"}},
        units=("PDKKD", "VP", "BGD", "PTH"), office="VP",
        incoming_seen={"den-1": {"chuyenvien"}})
    return Outgoing(store=FakeOutgoingStore(), trail=FakeTrail(), neighbours=neighbours,
                    pending=Pending(FakeWorkStore(), AgencyCalendar, FixedClock(NOW)),
                    clock=FixedClock(NOW), base_url=lambda: "https://eoffice.test")


def _draft(outgoing: Outgoing, *, type_code: str = "QĐ", do_mat: str = "",
           signer: str = "giamdoc", with_pdf: bool = True) -> dict[str, Any]:
    doc = outgoing.create(DRAFTER, type_code=type_code, subject="Quyết định thành lập tổ",
                          signer=signer, authority="", recipients_internal=["PTH"],
                          recipients_external=[], do_khan="Thường", do_mat=do_mat,
                          answers=None)
    if with_pdf:
        # The PDF itself is uploaded through S3 (integration tests); here the
        # stored draft simply has one.
        outgoing.store.docs[doc["id"]].update(current_key=f"outgoing/{doc['id']}/v0001.pdf",
                                              current_version=1, versions=1)
    return doc


def _approved(outgoing: Outgoing, **draft: Any) -> str:
    doc_id = _draft(outgoing, **draft)["id"]
    outgoing.submit(DRAFTER, doc_id)
    for who in (HEAD, CLERK, LEADER):
        outgoing.decide(who, doc_id, approve=True, comment="")
    return doc_id

# What the signing and issuing steps record as they end (outgoing/steps.py).
STEP_ENDS = {
    "signed": (OutStatus.SIGNED, OutStatus.SIGNING, "Đã ký số"),
    "sign_failed": (OutStatus.SIGNING_FAILED, OutStatus.SIGNING, "Ký số không thành công"),
    "issued": (OutStatus.ISSUED, OutStatus.ISSUING, "Đã phát hành"),
    "issue_failed": (OutStatus.ISSUE_FAILED, OutStatus.ISSUING, "Phát hành không thành công"),
}


def _step_ends(outgoing: Outgoing, doc_id: str, outcome: str, **fields: Any
               ) -> dict[str, Any] | None:
    status, expect, summary = STEP_ENDS[outcome]
    return outgoing.mark(doc_id, status, expect=expect, action=f"outgoing.{outcome}",
                         summary=summary, **fields)


def _signed(outgoing: Outgoing, **draft: Any) -> str:
    doc_id = _approved(outgoing, **draft)
    outgoing.request_signing(LEADER, doc_id)
    _step_ends(outgoing, doc_id, "signed")
    return doc_id


# ---------------------------------------------------------------- drafting

def test_an_officer_drafts_and_sees_the_draft_the_signer_is_named_on(outgoing: Outgoing) -> None:
    doc = _draft(outgoing, with_pdf=False)

    assert doc["status"] == "draft" and doc["type_name"] == "Quyết định"
    assert doc["people"] == ["chuyenvien", "giamdoc"] and doc["units"] == ["PDKKD"]
    assert doc["office_unit"] == "VP" and len(doc["code"]) == 10
    assert doc["actions"] == ["upload", "compose", "submit"]
    assert outgoing.trail.actions(chain_of(doc["id"])) == ["outgoing.create"]
    assert [e.type for e in outgoing.store.events] == ["outgoing.created"]
    # The signer sees it; an officer of another unit does not learn it exists.
    assert outgoing.view(LEADER, doc["id"])["actions"] == []
    with pytest.raises(NotFound):
        outgoing.view(STRANGER, doc["id"])


def test_every_wrong_field_of_a_draft_is_named_at_once(outgoing: Outgoing) -> None:
    with pytest.raises(InvalidInput) as caught:
        outgoing.create(DRAFTER, type_code="XX", subject="Sai", signer="giamdoc",
                        authority="", recipients_internal=["PDKKD", "KHONGCO"],
                        recipients_external=[], do_khan="Gấp", do_mat="", answers="den-2")
    assert [p.path for p in caught.value.fields] == [
        "type_code", "do_khan", "recipients_internal.1", "answers"]
    assert outgoing.store.docs == {}


def test_the_signer_must_be_an_active_leader(outgoing: Outgoing) -> None:
    for signer in ("chuyenvien", "nghiviec", "khongco"):
        with pytest.raises(InvalidInput) as caught:
            _draft(outgoing, signer=signer)
        assert caught.value.code == "invalid_signer"
        assert [p.path for p in caught.value.fields] == ["signer"]


def test_a_draft_answers_only_an_incoming_document_the_drafter_sees(outgoing: Outgoing
                                                                   ) -> None:
    doc = outgoing.create(DRAFTER, type_code="CV", subject="Trả lời", signer="giamdoc",
                          authority="", recipients_internal=[], recipients_external=[],
                          do_khan="Thường", do_mat="", answers="den-1")
    assert doc["answers"] == "den-1"


def test_someone_of_no_unit_drafts_nothing(outgoing: Outgoing) -> None:
    with pytest.raises(Forbidden):
        outgoing.create(Caller("khach", frozenset({Role.OFFICER})), type_code="CV",
                        subject="x", signer="giamdoc", authority="", recipients_internal=[],
                        recipients_external=[], do_khan="Thường", do_mat="", answers=None)


# ---------------------------------------------------------------- review

def test_a_draft_without_a_pdf_is_not_submitted(outgoing: Outgoing) -> None:
    doc = _draft(outgoing, with_pdf=False)
    with pytest.raises(InvalidInput) as caught:
        outgoing.submit(DRAFTER, doc["id"])
    assert caught.value.code == "no_pdf" and [p.path for p in caught.value.fields] == ["file"]


def test_only_the_drafter_submits(outgoing: Outgoing) -> None:
    doc = _draft(outgoing)
    with pytest.raises(Forbidden):
        outgoing.submit(HEAD, doc["id"])


def test_the_review_chain_runs_unit_head_office_signer(outgoing: Outgoing) -> None:
    doc_id = _draft(outgoing)["id"]
    submitted = outgoing.submit(DRAFTER, doc_id, "Kính trình")
    assert submitted["status"] == "in_review"
    assert [s["step"] for s in submitted["review"]] == ["unit_head", "office", "signer"]
    # The drafting unit's heads are asked through their inbox (which also mails them).
    (asked,) = [e for e in outgoing.store.events if e.type == "work.opened"]
    assert (asked.payload["assignee"], asked.payload["action"], asked.payload["link"]) == (
        "UNIT#PDKKD", "outgoing.review", f"/app/outgoing-doc?id={doc_id}")
    assert not [e for e in outgoing.store.events if e.type == "mail.requested"]
    # Not the office's turn yet: the office does not even see the draft.
    with pytest.raises(NotFound):
        outgoing.decide(OFFICE_HEAD, doc_id, approve=True, comment="")

    at_office = outgoing.decide(HEAD, doc_id, approve=True, comment="")
    assert at_office["review_index"] == 1 and "VP" in at_office["units"]
    # The office's head (or a clerk) checks the form.
    at_signer = outgoing.decide(CLERK, doc_id, approve=True, comment="Đúng thể thức")
    assert at_signer["review_index"] == 2
    approved = outgoing.decide(LEADER, doc_id, approve=True, comment="")
    assert approved["status"] == "approved" and approved["actions"] == ["sign"]
    assert outgoing.trail.actions(chain_of(doc_id)) == [
        "outgoing.create", "outgoing.submit", "outgoing.approve", "outgoing.approve",
        "outgoing.approve"]
    assert [(n["note_kind"], n["text"]) for n in approved["notes"]] == [
        ("submit", "Kính trình"), ("approve", "Đúng thể thức")]


def test_a_head_drafting_skips_their_own_check(outgoing: Outgoing) -> None:
    doc = outgoing.create(HEAD, type_code="CV", subject="Công văn", signer="giamdoc",
                          authority="", recipients_internal=[], recipients_external=[],
                          do_khan="Thường", do_mat="", answers=None)
    outgoing.store.docs[doc["id"]]["current_key"] = "outgoing/x/v0001.pdf"
    submitted = outgoing.submit(HEAD, doc["id"])
    assert submitted["review_index"] == 1
    assert submitted["review"][0]["comment"] == "Người soạn là trưởng đơn vị"


def test_a_return_needs_a_reason_and_sends_the_draft_back(outgoing: Outgoing) -> None:
    doc_id = _draft(outgoing)["id"]
    outgoing.submit(DRAFTER, doc_id)
    with pytest.raises(InvalidInput) as caught:
        outgoing.decide(HEAD, doc_id, approve=False, comment="  ")
    assert [p.path for p in caught.value.fields] == ["comment"]

    back = outgoing.decide(HEAD, doc_id, approve=False, comment="Sửa căn cứ")
    assert back["status"] == "draft"
    assert back["returned"] == {"by": "truongphong", "at": "2026-12-07T02:00:00.000Z",
                                "comment": "Sửa căn cứ", "step": "unit_head"}
    assert outgoing.trail.actions(chain_of(doc_id))[-1] == "outgoing.return"


def test_a_secret_document_names_the_office_heads_and_then_the_clerks(outgoing: Outgoing
                                                                     ) -> None:
    doc_id = _draft(outgoing, do_mat="mat")["id"]
    outgoing.submit(DRAFTER, doc_id)
    at_office = outgoing.decide(HEAD, doc_id, approve=True, comment="")
    # A secret document is not shared with a unit: the office's head is named.
    assert "VP" not in at_office["units"] and "chanhvanphong" in at_office["people"]
    outgoing.decide(OFFICE_HEAD, doc_id, approve=True, comment="")
    approved = outgoing.decide(LEADER, doc_id, approve=True, comment="")
    assert "vanthu" in approved["people"]
    # Secret documents send no e-mail about their review; the inbox is told of
    # the work without its subject.
    assert not [e for e in outgoing.store.events
                if e.type not in ("outgoing.created", "work.opened")]
    opened = [e.payload for e in outgoing.store.events if e.type == "work.opened"]
    assert len(opened) == 4 and {p["subject"] for p in opened} == {""}


def test_the_administrator_alone_changes_the_review_chains(outgoing: Outgoing) -> None:
    admin = Caller("quantri", frozenset({Role.ADMIN}), unit="VP")
    with pytest.raises(Forbidden):
        outgoing.set_review_chains(LEADER, {"CV": ["signer"]})
    with pytest.raises(InvalidInput) as caught:
        outgoing.set_review_chains(admin, {"XX": ["signer"]})
    assert [p.path for p in caught.value.fields] == ["chains.XX"]

    chains = outgoing.set_review_chains(admin, {"CV": ["unit_head", "signer"]})
    assert chains["CV"] == ["unit_head", "signer"]
    assert chains["QĐ"] == ["unit_head", "office", "signer"]
    assert outgoing.trail.actions("unit:review_chains") == ["outgoing.review_chains"]
    doc = outgoing.create(DRAFTER, type_code="CV", subject="Công văn", signer="giamdoc",
                          authority="", recipients_internal=[], recipients_external=[],
                          do_khan="Thường", do_mat="", answers=None)
    outgoing.store.docs[doc["id"]]["current_key"] = "k"
    assert [s["step"] for s in outgoing.submit(DRAFTER, doc["id"])["review"]] == [
        "unit_head", "signer"]


# ---------------------------------------------------------------- signing

def test_the_signer_confirms_with_a_fresh_sign_in(outgoing: Outgoing) -> None:
    doc_id = _approved(outgoing)
    with pytest.raises(Forbidden):
        outgoing.request_signing(DEPUTY, doc_id)
    stale = Caller("giamdoc", LEADER.roles, unit="BGD", auth_time=NOW - timedelta(minutes=6))
    with pytest.raises(Unauthenticated):
        outgoing.request_signing(stale, doc_id)

    signing = outgoing.request_signing(LEADER, doc_id)
    assert signing["status"] == "signing" and signing["signed_by"] == "giamdoc"
    assert outgoing.store.events[-1].type == "outgoing.sign_requested"
    assert outgoing.trail.actions(chain_of(doc_id))[-1] == "outgoing.sign_request"


def test_a_delegate_signs_under_the_delegation(outgoing: Outgoing) -> None:
    outgoing.neighbours.delegations.append(  # type: ignore[attr-defined]
        {"grantor": "giamdoc", "delegate": "phogiamdoc", "kind": "KT",
         "start": "2026-12-01", "end": "2026-12-31"})
    doc_id = _approved(outgoing)
    assert outgoing.view(DEPUTY, doc_id)["actions"] == ["sign"]
    signing = outgoing.request_signing(DEPUTY, doc_id)
    assert signing["signing_authority"] == "KT." and signing["signed_by"] == "phogiamdoc"


def test_a_step_outcome_is_recorded_only_from_the_state_it_expects(outgoing: Outgoing
                                                                  ) -> None:
    doc_id = _approved(outgoing)
    assert _step_ends(outgoing, doc_id, "signed") is None
    outgoing.request_signing(LEADER, doc_id)
    failed = _step_ends(outgoing, doc_id, "sign_failed", failure={"message": "KMS"})
    assert failed is not None and failed["failure"] == {"message": "KMS"}
    # The clerk starts it again; an officer may not.
    with pytest.raises(Forbidden):
        outgoing.retry(DRAFTER, doc_id)
    assert outgoing.retry(CLERK, doc_id)["status"] == "signing"
    assert outgoing.trail.actions(chain_of(doc_id))[-2:] == ["outgoing.sign_failed",
                                                             "outgoing.retry"]


def test_a_step_stuck_in_flight_is_offered_again_after_five_minutes(outgoing: Outgoing
                                                                   ) -> None:
    """A crash between "signing" and the step's outcome (#21 item 12): after
    STUCK_AFTER the clerk and the signer see "retry", and it starts the step again."""
    doc_id = _approved(outgoing)
    outgoing.request_signing(LEADER, doc_id)
    store = outgoing.store.docs[doc_id]

    store["updated_at"] = (NOW - timedelta(minutes=4)).isoformat()
    assert "retry" not in outgoing.view(CLERK, doc_id)["actions"]
    assert "stuck" not in outgoing.view(CLERK, doc_id)
    with pytest.raises(Conflict):
        outgoing.retry(CLERK, doc_id)  # the step may still be running

    store["updated_at"] = (NOW - timedelta(minutes=6)).isoformat()
    seen = outgoing.view(CLERK, doc_id)
    assert "retry" in seen["actions"] and seen["stuck"] is True
    assert "ký số" in seen["stuck_message"]
    assert "retry" in outgoing.view(LEADER, doc_id)["actions"]
    assert "retry" not in outgoing.view(DRAFTER, doc_id)["actions"]
    with pytest.raises(Forbidden):
        outgoing.retry(DRAFTER, doc_id)
    before = len([e for e in outgoing.store.events if e.type == "outgoing.sign_requested"])
    assert outgoing.retry(CLERK, doc_id)["status"] == "signing"
    assert len([e for e in outgoing.store.events
                if e.type == "outgoing.sign_requested"]) == before + 1
    assert outgoing.trail.actions(chain_of(doc_id))[-1] == "outgoing.retry"


# ---------------------------------------------------------------- issuance

def test_only_the_clerk_numbers_and_numbers_follow_each_other(outgoing: Outgoing) -> None:
    first, second = _signed(outgoing), _signed(outgoing)
    with pytest.raises(Forbidden):
        outgoing.issue(LEADER, first)

    one = outgoing.issue(CLERK, first)
    two = outgoing.issue(CLERK, second)
    assert (one["number"], two["number"]) == (1, 2)
    assert one["number_text"] == "01/QĐ-SKHĐT" and one["status"] == "issuing"
    assert one["issued_on"] == "2026-12-07"
    assert [d["id"] for d in outgoing.store.register(2026)] == [first, second]
    assert outgoing.store.events[-1].type == "outgoing.issue_requested"
    assert outgoing.trail.actions(chain_of(first))[-1] == "outgoing.number"
    # Numbered once: a second issuance is refused by state.
    with pytest.raises(Conflict):
        outgoing.issue(CLERK, first)


def test_a_number_taken_meanwhile_is_not_taken_twice(outgoing: Outgoing) -> None:
    doc_id = _signed(outgoing)
    store = outgoing.store
    real_counter = store.counter
    calls = []

    def racing_counter(year: int, series: str) -> int | None:
        # Another clerk takes number 1 between this read and the commit.
        read = real_counter(year, series)
        if not calls:
            store.counters[(year, series)] = 1  # type: ignore[attr-defined]
        calls.append(read)
        return read

    store.counter = racing_counter  # type: ignore[method-assign]
    issued = outgoing.issue(CLERK, doc_id)
    assert calls == [None, 1] and issued["number"] == 2


def test_the_clerk_or_a_leader_recalls_an_issued_document(outgoing: Outgoing) -> None:
    doc_id = _signed(outgoing)
    outgoing.issue(CLERK, doc_id)
    with pytest.raises(Conflict):
        outgoing.recall(CLERK, doc_id, "Sai sót")  # still being issued
    _step_ends(outgoing, doc_id, "issued")
    with pytest.raises(Forbidden):
        outgoing.recall(DRAFTER, doc_id, "Sai sót")

    recalled = outgoing.recall(CLERK, doc_id, "Sai sót")
    assert recalled["status"] == "recalled" and recalled["recall_reason"] == "Sai sót"
    assert outgoing.store.events[-1].type == "outgoing.recalled"
    assert outgoing.store.events[-1].payload == {"id": doc_id, "reason": "Sai sót"}


def test_a_replacement_is_a_new_draft_naming_the_one_it_replaces(outgoing: Outgoing) -> None:
    doc_id = _signed(outgoing)
    outgoing.issue(CLERK, doc_id)
    _step_ends(outgoing, doc_id, "issued")
    draft = outgoing.start_replacement(LEADER, doc_id, "Sai căn cứ")
    assert draft["replaces"] == doc_id and draft["status"] == "draft"
    assert outgoing.view(LEADER, draft["id"])["notes"][0]["text"] == (
        "Thay thế văn bản 01/QĐ-SKHĐT: Sai căn cứ")
    assert outgoing.trail.actions(chain_of(doc_id))[-1] == "outgoing.replacement"


def test_lists_show_what_the_caller_may_see(outgoing: Outgoing) -> None:
    doc_id = _draft(outgoing)["id"]
    assert [i["id"] for i in outgoing.list_visible(DRAFTER)["items"]] == [doc_id]
    assert outgoing.list_visible(STRANGER)["items"] == []
    assert outgoing.list_visible(DRAFTER, status="approved")["items"] == []


# ---------------------------------------------------------------- the work inbox

def _inbox(outgoing: Outgoing, caller: Caller) -> list[tuple[str, str, str]]:
    found = work.my_work(caller, store=outgoing.pending.store, calendar=AgencyCalendar,
                         clock=FixedClock(NOW))["items"]
    return [(i["kind"], i.get("for_unit") or i.get("for_role") or "", i["link"])
            for i in found]


def _open(outgoing: Outgoing, assignee: str) -> list[dict[str, Any]]:
    return outgoing.pending.store.open_of(assignee)


def test_each_reviewer_is_asked_in_turn_and_any_entitled_person_ends_the_step(
        outgoing: Outgoing) -> None:
    doc_id = _draft(outgoing)["id"]
    link = f"/app/outgoing-doc?id={doc_id}"
    assert _inbox(outgoing, HEAD) == []  # a draft asks nothing of anyone
    outgoing.submit(DRAFTER, doc_id)
    assert _inbox(outgoing, HEAD) == [("outgoing.review", "PDKKD", link)]
    (todo,) = _open(outgoing, "UNIT#PDKKD")
    # Two working days under the agency's setting: Wednesday 9 December, 09:00.
    assert todo["deadline"] == "2026-12-09T02:00:00.000Z" and todo["unit"] == "PDKKD"
    assert todo["subject"] == "Quyết định thành lập tổ"

    outgoing.decide(HEAD, doc_id, approve=True, comment="")
    assert _inbox(outgoing, HEAD) == []
    assert _inbox(outgoing, OFFICE_HEAD) == [("outgoing.review", "VP", link)]
    assert _inbox(outgoing, CLERK) == []  # the office's queue is its heads'
    # A clerk may check the format too: the office's item ends with it.
    outgoing.decide(CLERK, doc_id, approve=True, comment="")
    assert _inbox(outgoing, OFFICE_HEAD) == []
    assert _inbox(outgoing, LEADER) == [("outgoing.review", "", link)]
    outgoing.decide(LEADER, doc_id, approve=True, comment="")
    assert _inbox(outgoing, LEADER) == [("outgoing.sign", "", link)]
    for nobody in (DRAFTER, HEAD, OFFICE_HEAD, CLERK, DEPUTY, STRANGER):
        assert _inbox(outgoing, nobody) == []
    ended = [w for w in outgoing.pending.store.work if w["status"] == "done"]
    assert sorted(w["completed_by"] for w in ended) == ["giamdoc", "truongphong", "vanthu"]


def test_a_returned_draft_asks_the_drafter_until_resubmitted(outgoing: Outgoing) -> None:
    doc_id = _draft(outgoing)["id"]
    outgoing.submit(DRAFTER, doc_id)
    outgoing.decide(HEAD, doc_id, approve=False, comment="Sửa căn cứ")
    assert [k for k, _, _ in _inbox(outgoing, DRAFTER)] == ["outgoing.revise"]
    assert _inbox(outgoing, HEAD) == []
    (returned,) = [w for w in outgoing.pending.store.work if w["action"] == "outgoing.review"]
    assert returned["status"] == "returned"
    outgoing.submit(DRAFTER, doc_id)
    assert _inbox(outgoing, DRAFTER) == []
    assert [k for k, _, _ in _inbox(outgoing, HEAD)] == ["outgoing.review"]


def test_a_draft_of_the_office_is_checked_by_the_office_in_one_item(outgoing: Outgoing
                                                                   ) -> None:
    office_officer = Caller("chuyenvienvp", frozenset({Role.OFFICER}), unit="VP")
    doc = outgoing.create(office_officer, type_code="QĐ", subject="Quy chế văn thư",
                          signer="giamdoc", authority="", recipients_internal=[],
                          recipients_external=[], do_khan="Thường", do_mat="", answers=None)
    outgoing.store.docs[doc["id"]].update(current_key="k", current_version=1, versions=1)
    outgoing.submit(office_officer, doc["id"])
    outgoing.decide(OFFICE_HEAD, doc["id"], approve=True, comment="")
    # Both the content and the format step are the office's: still one item, due anew.
    assert [k for k, _, _ in _inbox(outgoing, OFFICE_HEAD)] == ["outgoing.review"]
    outgoing.decide(OFFICE_HEAD, doc["id"], approve=True, comment="")
    assert _inbox(outgoing, OFFICE_HEAD) == []
    assert [k for k, _, _ in _inbox(outgoing, LEADER)] == ["outgoing.review"]


def test_the_delegate_is_asked_with_the_signer_and_either_signature_ends_both(
        outgoing: Outgoing) -> None:
    outgoing.neighbours.delegations.append({"grantor": "giamdoc", "delegate": "phogiamdoc",  # type: ignore[attr-defined]
                                            "kind": "KT.", "start": "2026-12-01",
                                            "end": "2026-12-31"})
    doc_id = _draft(outgoing)["id"]
    outgoing.store.docs[doc_id]["do_khan"] = "Khẩn"
    outgoing.submit(DRAFTER, doc_id)
    outgoing.decide(HEAD, doc_id, approve=True, comment="")
    outgoing.decide(OFFICE_HEAD, doc_id, approve=True, comment="")
    # The signer's review may be taken by the delegate too.
    assert [k for k, _, _ in _inbox(outgoing, DEPUTY)] == ["outgoing.review"]
    outgoing.decide(DEPUTY, doc_id, approve=True, comment="")
    assert [k for k, _, _ in _inbox(outgoing, LEADER)] == ["outgoing.sign"]
    assert [k for k, _, _ in _inbox(outgoing, DEPUTY)] == ["outgoing.sign"]

    outgoing.request_signing(DEPUTY, doc_id)
    # KMS failed: the signature is still to be made, by either of them.
    _step_ends(outgoing, doc_id, "sign_failed")
    assert [k for k, _, _ in _inbox(outgoing, LEADER)] == ["outgoing.sign"]
    outgoing.retry(LEADER, doc_id)
    _step_ends(outgoing, doc_id, "signed")
    assert _inbox(outgoing, LEADER) == [] and _inbox(outgoing, DEPUTY) == []
    signs = [w for w in outgoing.pending.store.work if w["action"] == "outgoing.sign"]
    assert {(w["assignee"], w["completed_by"]) for w in signs} == {
        ("U#giamdoc", "phogiamdoc"), ("U#phogiamdoc", "phogiamdoc")}
    # One signature, counted once: against the signer's unit.
    assert {(w["assignee"], w["unit"]) for w in signs} == {
        ("U#giamdoc", "BGD"), ("U#phogiamdoc", "")}
    # An urgent document is numbered at once: two working hours.
    assert _inbox(outgoing, CLERK) == [("outgoing.issue", "clerk",
                                        f"/app/outgoing-doc?id={doc_id}")]
    (issue,) = _open(outgoing, "ROLE#clerk")
    assert issue["deadline"] == "2026-12-07T04:00:00.000Z"


def test_the_clerks_item_stays_until_the_document_is_out(outgoing: Outgoing) -> None:
    doc_id = _signed(outgoing)
    (issue,) = _open(outgoing, "ROLE#clerk")
    # Not urgent: by the end of the next working day (Decree 30, Art. 18).
    assert issue["deadline"] == "2026-12-08T10:00:00.000Z"
    outgoing.issue(CLERK, doc_id)
    _step_ends(outgoing, doc_id, "issue_failed")
    assert [k for k, _, _ in _inbox(outgoing, CLERK)] == ["outgoing.issue"]
    outgoing.retry(CLERK, doc_id)
    _step_ends(outgoing, doc_id, "issued", issued_by="vanthu")
    assert _inbox(outgoing, CLERK) == []
    assert [w["completed_by"] for w in outgoing.pending.store.work
            if w["action"] == "outgoing.issue"] == ["vanthu"]

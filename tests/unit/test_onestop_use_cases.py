"""The one-stop use cases against fakes of their store and trail: what the desk,
the step's unit and the applicant may do, what is refused and which field is
named, and what each change writes (the dossier, its work, the form 06
counters), audits and announces. No AWS: the store and the trail are the fakes
of tests/fakes.py; the calendar is the real agency calendar and the catalogue
the seed procedures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.config import ENV_NAMES, get_settings
from chalicelib.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from chalicelib.kernel.identity import Caller, Role
from chalicelib.onestop.catalogue import SEED_PROCEDURES
from chalicelib.onestop.dossiers import Deps, S, chain_of
from chalicelib.onestop.procedures import catalogue
from chalicelib.onestop.processing import advance
from chalicelib.onestop.reading import list_visible, lookup, view
from chalicelib.onestop.reception import receive, refuse_at_desk
from chalicelib.onestop.reports import form06
from chalicelib.onestop.results import record_result, request_result, return_result
from chalicelib.onestop.supplements import request_supplement, supplied, supply_online
from chalicelib.onestop.withdrawal import stop, withdraw
from chalicelib.work import items
from chalicelib.work.pending import Pending
from tests.fakes import FakeOneStopStore, FakeTrail, FakeWorkStore, FixedClock

# Monday 7 December 2026, 09:00 in Hà Nội.
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
PROCEDURE = "DKDN-DNTN"  # four steps: desk, examination, signature (PDKKD), return (desk)
UNITS = [{"code": "MC", "name": "Bộ phận Một cửa"},
         {"code": "PDKKD", "name": "Phòng Đăng ký kinh doanh"},
         {"code": "PTH", "name": "Phòng Tổng hợp"}]
DESK = Caller("motcua", frozenset({Role.ONE_STOP}), unit="MC", full_name="Lê Tiếp Nhận")
EXAMINER = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PDKKD")
STRANGER = Caller("khac", frozenset({Role.OFFICER}), unit="PTH")
LEADER = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD")
# The head of PDKKD, signed in just now (signing asks for a fresh sign-in).
HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), unit="PDKKD", auth_time=MONDAY)
APPLICANT = {"name": "Trần Thị Doanh", "phone": "0987654321", "email": "doanh@example.vn"}
REQUIRED = ["GDN", "GTPL-CN"]


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The mail to the applicant links to the public lookup: the settings must load."""
    for name in ENV_NAMES.values():
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://dichvucong.example")
    monkeypatch.delenv("JWKS_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("OBJECT_LOCK_DAYS", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture()
def deps() -> Deps:
    calendar = AgencyCalendar()
    clock = FixedClock(MONDAY)
    return Deps(store=FakeOneStopStore(SEED_PROCEDURES), trail=FakeTrail(),
                units=lambda: UNITS, calendar=lambda: calendar, clock=clock,
                pending=Pending(FakeWorkStore(), lambda: calendar, clock))


def _at_desk(deps: Deps, **applicant: str) -> dict:
    return receive(DESK, procedure_code=PROCEDURE, applicant={**APPLICANT, **applicant},
                   papers={}, seen=REQUIRED, channel="in_person", deps=deps)


def _sign(deps: Deps, dossier_id: str) -> None:
    """The head asks for the signed result and the signing step reports it made."""
    request_result(HEAD, dossier_id, deps=deps)
    record_result(dossier_id, deps=deps, result_status="signed", result_key="results/k.pdf")


def _through_signing(deps: Deps, dossier_id: str) -> None:
    advance(DESK, dossier_id, deps=deps)
    advance(EXAMINER, dossier_id, deps=deps)
    _sign(deps, dossier_id)
    advance(EXAMINER, dossier_id, deps=deps)


def _types(deps: Deps) -> list[str]:
    return [e.type for e in deps.store.events]


# ---------------------------------------------------------------- reception

def test_the_desk_receives_a_dossier_with_its_code_appointment_and_first_step(
        deps: Deps) -> None:
    first = _at_desk(deps)
    second = _at_desk(deps)

    # The day's sequence goes on: {desk code}-{yymmdd}-{nnnn}.
    assert first["code"] == "000.00.12.H26-261207-0001"
    assert second["code"] == "000.00.12.H26-261207-0002"
    assert first["status"] == int(S.RECEIVED) and first["received_by"] == "motcua"
    # The performers the catalogue names become the organisation's units.
    assert [s["unit"] for s in first["steps"]] == ["MC", "PDKKD", "PDKKD", "MC"]
    # Three working days: Thursday 10 December, 09:00 in Hà Nội.
    assert first["appointment_at"] == "2026-12-10T02:00:00.000Z"
    # The desk holds the first step (any one-stop officer takes it, counted under
    # the desk); form 06 counts the dossier under the examining unit.
    assert [(w["assignee"], w["unit"], w["action"]) for w in deps.store.work(first["id"])] \
        == [(items.role("one_stop"), "MC", "dossier.step")]
    assert first["owner_unit"] == "PDKKD"
    assert deps.store.counted("PDKKD") == {"received_in_person": 2, "open": 2, "overdue": 2}
    assert deps.trail.actions(chain_of(first["id"])) == ["dossier.receive"]
    assert deps.trail.actors(chain_of(first["id"])) == ["motcua"]
    assert [t for t in _types(deps) if t != "work.opened"] == ["dossier.received",
                                                               "dossier.received"]
    # The desk is told of each dossier waiting at its first step.
    assert _types(deps).count("work.opened") == 2


def test_an_online_submission_sent_twice_makes_one_dossier(deps: Deps) -> None:
    papers = {code: ["upload-1"] for code in REQUIRED}
    first = receive(None, procedure_code=PROCEDURE, applicant=APPLICANT, papers=papers,
                    channel="online", idempotency_key="k-1", deps=deps)
    again = receive(None, procedure_code=PROCEDURE, applicant=APPLICANT, papers=papers,
                    channel="online", idempotency_key="k-1", deps=deps)

    assert again["id"] == first["id"] and len(deps.store.dossiers) == 1
    assert first["channel"] == "online" and first["people"] == []
    assert deps.store.counted("PDKKD")["received_online"] == 1
    # No one signed in: the trail names the channel.
    assert deps.trail.actors(chain_of(first["id"])) == ["online"]


def test_a_dossier_missing_a_required_paper_is_refused_naming_the_paper(deps: Deps) -> None:
    with pytest.raises(InvalidInput) as refused:
        receive(DESK, procedure_code=PROCEDURE, applicant=APPLICANT, papers={},
                seen=["GDN"], channel="in_person", deps=deps)

    assert refused.value.code == "papers_missing"
    assert [p.path for p in refused.value.fields] == ["papers.GTPL-CN"]
    assert deps.store.dossiers == {} and deps.store.counters == {} and _types(deps) == []


def test_a_procedure_not_in_the_catalogue_is_refused_on_the_procedure_field(
        deps: Deps) -> None:
    with pytest.raises(InvalidInput) as refused:
        receive(DESK, procedure_code="KHONG-CO", applicant=APPLICANT, papers={},
                channel="in_person", deps=deps)

    assert refused.value.code == "procedure_not_in_force"
    assert [p.path for p in refused.value.fields] == ["procedure"]


def test_the_public_catalogue_lists_the_versions_in_force(deps: Deps) -> None:
    procedures = {p["code"]: p for p in catalogue(deps=deps)}

    assert PROCEDURE in procedures and procedures[PROCEDURE]["version"] == "2025.1"
    assert procedures["DKDT-CAPMOI"]["day_count"] == "calendar"


# ---------------------------------------------------------------- refusal at the desk

def test_only_the_desk_refuses_and_the_refusal_names_the_missing_papers(deps: Deps) -> None:
    with pytest.raises(Forbidden):
        refuse_at_desk(EXAMINER, procedure_code=PROCEDURE, applicant=APPLICANT,
                       missing=["GDN"], reason="", deps=deps)
    with pytest.raises(InvalidInput) as refused:
        refuse_at_desk(DESK, procedure_code=PROCEDURE, applicant=APPLICANT,
                       missing=["KHONG-THUOC"], reason="", deps=deps)
    assert [p.path for p in refused.value.fields] == ["missing"]

    slip = refuse_at_desk(DESK, procedure_code=PROCEDURE, applicant=APPLICANT,
                          missing=["GTPL-CN"], reason="", deps=deps)

    assert slip["status"] == int(S.REFUSED) and slip["refused_by_name"] == "Lê Tiếp Nhận"
    assert [m["code"] for m in slip["missing"]] == ["GTPL-CN"]
    assert deps.store.refusals[slip["id"]]["applicant"] == APPLICANT
    assert deps.trail.actions(chain_of(slip["id"])) == ["dossier.refuse"]
    assert _types(deps) == ["dossier.refused"]
    # A refused dossier never enters form 06.
    assert deps.store.counters == {}


# ---------------------------------------------------------------- processing

def test_only_the_current_steps_unit_hands_the_dossier_on(deps: Deps) -> None:
    d = _at_desk(deps)

    # The desk holds the first step: the examining unit does not see the dossier yet.
    with pytest.raises(NotFound):
        advance(EXAMINER, d["id"], deps=deps)

    after = advance(DESK, d["id"], note="Đủ hồ sơ", deps=deps)

    assert after["status"] == int(S.IN_PROGRESS) and after["step_index"] == 1
    hand_off = after["slip"][0]
    assert (hand_off["giver"], hand_off["giver_unit"], hand_off["receiver_unit"],
            hand_off["timeliness"]) == ("motcua", "MC", "PDKKD", "on_time")
    work = {w["assignee"]: w["status"] for w in deps.store.work(d["id"])}
    assert work == {items.role("one_stop"): "done", items.unit("PDKKD"): "open"}
    assert "advance" in view(EXAMINER, d["id"], deps=deps)["actions"]
    # The desk still sees it but no longer acts on it; another unit never sees it.
    with pytest.raises(Forbidden):
        advance(DESK, d["id"], deps=deps)
    with pytest.raises(NotFound):
        advance(STRANGER, d["id"], deps=deps)
    assert deps.trail.actions(chain_of(d["id"])) == ["dossier.receive", "dossier.advance"]


def test_the_page_offers_signing_only_at_its_step_and_the_hand_on_only_once_signed(
        deps: Deps) -> None:
    d = _at_desk(deps)
    advance(DESK, d["id"], deps=deps)
    # The examination: the unit hands on; nothing to sign yet.
    at_examination = view(HEAD, d["id"], deps=deps)["actions"]
    assert "advance" in at_examination and "sign_result" not in at_examination
    advance(EXAMINER, d["id"], deps=deps)
    # The signing step: it is done by signing, so no hand-on before the signature.
    at_signing = view(HEAD, d["id"], deps=deps)["actions"]
    assert "sign_result" in at_signing and "advance" not in at_signing
    assert "advance" not in view(EXAMINER, d["id"], deps=deps)["actions"]
    _sign(deps, d["id"])
    signed = view(HEAD, d["id"], deps=deps)["actions"]
    assert "advance" in signed and "sign_result" not in signed


def test_the_last_step_resolves_the_dossier_counts_it_and_tells_the_applicant(
        deps: Deps) -> None:
    d = _at_desk(deps)
    _through_signing(deps, d["id"])

    resolved = advance(DESK, d["id"], deps=deps)

    assert resolved["status"] == int(S.RESOLVED) and resolved["result_timeliness"] == "early"
    assert resolved["actions"] == ["return"]
    assert all(w["status"] == "done" for w in deps.store.work(d["id"]))
    assert deps.store.counted("PDKKD") == {"received_in_person": 1, "resolved_early": 1}
    assert _types(deps)[-1] == "mail.requested"
    with pytest.raises(Conflict):
        advance(LEADER, d["id"], deps=deps)


def test_additional_papers_stop_the_clock_and_move_the_appointment(deps: Deps) -> None:
    d = _at_desk(deps)
    advance(DESK, d["id"], deps=deps)
    with pytest.raises(Forbidden):  # the step is the examining unit's now
        request_supplement(DESK, d["id"], papers=["GDN"], note="", deps=deps)

    paused = request_supplement(EXAMINER, d["id"], papers=["Bản sao căn cước"],
                                note="Bản sao mờ.", deps=deps)
    assert paused["status"] == int(S.SUPPLEMENT_REQUESTED) and paused["overdue_from"] is None
    # While the clock stands the dossier cannot run late: it leaves the overdue schedule.
    assert deps.store.counted("PDKKD") == {"received_in_person": 1, "open": 1}

    deps.clock.now = MONDAY + timedelta(days=1)  # a working day later
    resumed = supplied(DESK, d["id"], deps=deps)

    assert resumed["status"] == int(S.IN_PROGRESS) and resumed["pauses"][0]["to"]
    assert resumed["appointment_at"] > d["appointment_at"]
    assert resumed["steps"][1]["deadline"] > d["steps"][1]["deadline"]
    open_work = [w for w in deps.store.work(d["id"]) if w["status"] == "open"]
    assert [w["deadline"] for w in open_work] == [resumed["steps"][1]["deadline"]]
    assert deps.trail.actions(chain_of(d["id"]))[-2:] == ["dossier.supplement",
                                                           "dossier.supplied"]
    with pytest.raises(Conflict):
        supplied(DESK, d["id"], deps=deps)


def test_the_applicant_says_online_that_the_papers_are_supplied(deps: Deps) -> None:
    d = _at_desk(deps)
    advance(DESK, d["id"], deps=deps)
    request_supplement(EXAMINER, d["id"], papers=["GDN"], note="", deps=deps)

    with pytest.raises(NotFound):
        supply_online(d["code"], "0000", access_key=d["access_key"], deps=deps)
    with pytest.raises(NotFound):  # the phone alone does not change a dossier
        supply_online(d["code"], "4321", access_key="AAAA-AAAA", deps=deps)
    answer = supply_online(d["code"].lower(), "4321",
                           access_key=d["access_key"].lower().replace("-", " "), deps=deps)

    assert answer["status"] == int(S.IN_PROGRESS)
    assert deps.trail.actors(chain_of(d["id"]))[-1] == "online"


# ---------------------------------------------------------------- the code's attempt budget

def test_guesses_spread_over_the_public_routes_lock_the_code(deps: Deps) -> None:
    """The issue's attack: the lookup, "supplied" and withdraw routes share one
    budget per code; after 5 failures the right phone and key are refused too."""
    d = _at_desk(deps)
    key = d["access_key"]
    guesses = [lambda p: lookup(d["code"], p, deps=deps),
               lambda p: supply_online(d["code"], p, access_key=key, deps=deps),
               lambda p: withdraw(d["code"], p, "x", access_key=key, deps=deps)]
    for n in range(5):
        with pytest.raises(NotFound):
            guesses[n % 3](f"{n:04d}")
    for attempt in guesses:
        with pytest.raises(RateLimited) as locked:
            attempt("4321")
        assert locked.value.code == "code_locked"
        assert "024 3825 6637" in locked.value.message  # the desk's phone
        assert "10:00" in locked.value.message  # the hour ends 03:00 UTC, 10:00 local
    assert deps.store.get(d["id"])["status"] == int(S.RECEIVED)

    deps.clock.now = MONDAY + timedelta(hours=1)  # the next hour: the budget is whole again
    assert lookup(d["code"], "4321", deps=deps)["status"] == int(S.RECEIVED)


def test_passed_checks_do_not_spend_the_budget(deps: Deps) -> None:
    d = _at_desk(deps)
    for _ in range(20):
        lookup(d["code"], "4321", deps=deps)
    for n in range(4):
        with pytest.raises(NotFound):
            lookup(d["code"], f"{n:04d}", deps=deps)
    assert lookup(d["code"], "4321", deps=deps)["code"] == d["code"]


def test_a_dossier_has_an_access_key_that_no_view_shows(deps: Deps) -> None:
    d = _at_desk(deps)
    other = _at_desk(deps)
    assert re.fullmatch(r"[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4}", d["access_key"])
    assert d["access_key"] != other["access_key"]
    assert "access_key" not in view(DESK, d["id"], deps=deps)
    assert "access_key" not in lookup(d["code"], "4321", deps=deps)


# ---------------------------------------------------------------- withdrawal, stop, return

def test_a_wrong_phone_answers_like_an_unknown_code(deps: Deps) -> None:
    d = _at_desk(deps)

    with pytest.raises(NotFound) as wrong_phone:
        lookup(d["code"], "1111", deps=deps)
    with pytest.raises(NotFound) as unknown:
        lookup("000.00.12.H26-261207-9999", "4321", deps=deps)
    assert wrong_phone.value.message == unknown.value.message

    answer = lookup(d["code"], "4321", deps=deps)
    # Nothing about the applicant.
    assert set(answer) == {"code", "procedure", "status", "status_label", "received_at",
                           "appointment_at", "timeline", "result_available"}


def test_the_applicant_asks_to_withdraw_and_the_desk_stops_the_dossier(deps: Deps) -> None:
    d = _at_desk(deps)
    with pytest.raises(NotFound):
        withdraw(d["code"], "1111", "Nộp nhầm thủ tục", access_key=d["access_key"], deps=deps)
    with pytest.raises(NotFound):
        withdraw(d["code"], "4321", "Nộp nhầm thủ tục", access_key="", deps=deps)

    answer = withdraw(d["code"], "4321", "Nộp nhầm thủ tục", access_key=d["access_key"],
                      deps=deps)
    assert answer["status"] == int(S.WITHDRAWAL_REQUESTED)
    assert deps.trail.actors(chain_of(d["id"]))[-1] == "online"
    assert view(DESK, d["id"], deps=deps)["actions"] == ["stop"]

    stopped = stop(DESK, d["id"], reason="Công dân rút hồ sơ", deps=deps)

    assert stopped["status"] == int(S.STOPPED) and stopped["overdue_from"] is None
    assert all(w["status"] == "done" for w in deps.store.work(d["id"]))
    assert deps.store.counted("PDKKD") == {"received_in_person": 1, "stopped": 1}
    assert _types(deps)[-1] == "mail.requested"


def test_only_the_desk_or_a_leader_returns_the_result(deps: Deps) -> None:
    d = _at_desk(deps)
    _through_signing(deps, d["id"])
    advance(DESK, d["id"], deps=deps)

    with pytest.raises(Forbidden):
        return_result(EXAMINER, d["id"], how="in_person", deps=deps)
    returned = return_result(DESK, d["id"], how="in_person", deps=deps)

    assert returned["status"] == int(S.RETURNED) and returned["returned_how"] == "in_person"
    assert deps.trail.actions(chain_of(d["id"]))[-1] == "dossier.return"


def test_the_head_signs_the_result_only_at_its_step_not_during_the_examination(
        deps: Deps) -> None:
    d = _at_desk(deps)
    advance(DESK, d["id"], deps=deps)  # now at PDKKD's examination

    with pytest.raises(Conflict) as refused:
        request_result(HEAD, d["id"], deps=deps)

    assert refused.value.code == "wrong_step"
    assert "“Thẩm định hồ sơ”" in refused.value.message
    assert not view(HEAD, d["id"], deps=deps).get("result_status")
    advance(EXAMINER, d["id"], deps=deps)
    assert request_result(HEAD, d["id"], deps=deps)["result_status"] == "signing"


def test_the_signing_step_is_not_handed_on_with_nothing_signed(deps: Deps) -> None:
    d = _at_desk(deps)
    advance(DESK, d["id"], deps=deps)
    advance(EXAMINER, d["id"], deps=deps)  # at "Ký duyệt kết quả"

    with pytest.raises(Conflict) as refused:
        advance(EXAMINER, d["id"], deps=deps)
    assert refused.value.code == "result_not_signed"
    assert "“Ký duyệt kết quả”" in refused.value.message
    request_result(HEAD, d["id"], deps=deps)
    with pytest.raises(Conflict):  # asked for, not yet signed
        advance(HEAD, d["id"], deps=deps)
    record_result(d["id"], deps=deps, result_status="signed", result_key="results/k.pdf")

    assert advance(HEAD, d["id"], deps=deps)["step_index"] == 3
    # Nothing is counted resolved before the last step, and it has a result by then.
    assert not {k for k in deps.store.counted("PDKKD") if k.startswith("resolved")}
    resolved = advance(DESK, d["id"], deps=deps)
    assert resolved["status"] == int(S.RESOLVED) and resolved["result_status"] == "signed"


# ---------------------------------------------------------------- reading and form 06

def test_a_unit_lists_only_the_dossiers_that_pass_through_it(deps: Deps) -> None:
    d = _at_desk(deps)

    assert [i["id"] for i in list_visible(DESK, deps=deps)["items"]] == [d["id"]]
    assert list_visible(STRANGER, deps=deps)["items"] == []
    assert list_visible(DESK, month="2026-11", deps=deps)["items"] == []


def test_the_month_is_read_a_page_at_a_time_newest_first_with_its_search(
        deps: Deps) -> None:
    """A page reads what it shows (plus one), whatever the month holds; the
    cursor goes on strictly after the last dossier shown, and a search skips
    what does not match across pages."""
    received = []
    for n in range(5):
        deps.clock.now = MONDAY + timedelta(minutes=n)  # type: ignore[attr-defined]
        received.append(_at_desk(deps, name=f"Người nộp {n}" if n % 2 else f"Nguyễn Văn {n}"))
    newest_first = [d["id"] for d in reversed(received)]

    first = list_visible(DESK, limit=2, deps=deps)
    second = list_visible(DESK, limit=2, cursor=first["cursor"], deps=deps)
    last = list_visible(DESK, limit=2, cursor=second["cursor"], deps=deps)
    assert [i["id"] for i in first["items"] + second["items"] + last["items"]] == newest_first
    assert first["cursor"] and second["cursor"] and last["cursor"] is None
    assert list_visible(DESK, deps=deps)["cursor"] is None

    nguyen = list_visible(DESK, q="nguyen", limit=2, deps=deps)
    assert [i["applicant"] for i in nguyen["items"]] == ["Nguyễn Văn 4", "Nguyễn Văn 2"]
    rest = list_visible(DESK, q="nguyen", limit=2, cursor=nguyen["cursor"], deps=deps)
    assert [i["applicant"] for i in rest["items"]] == ["Nguyễn Văn 0"]
    assert rest["cursor"] is None
    assert list_visible(STRANGER, limit=2, deps=deps) == {
        "month": first["month"], "cursor": None, "items": []}


def test_form06_is_for_leaders_and_the_desk_and_counts_from_the_counters(
        deps: Deps) -> None:
    _at_desk(deps)
    receive(None, procedure_code=PROCEDURE, applicant=APPLICANT,
            papers={code: ["upload"] for code in REQUIRED}, channel="online", deps=deps)
    day = date(2026, 12, 7)

    with pytest.raises(Forbidden):
        form06(EXAMINER, frm=day, to=day, deps=deps)
    with pytest.raises(InvalidInput) as refused:
        form06(LEADER, frm=day, to=day - timedelta(days=1), deps=deps)
    assert [p.path for p in refused.value.fields] == ["to"]

    report = form06(LEADER, frm=day, to=day, deps=deps)

    rows = {r["unit"]: r for r in report["rows"]}
    assert "PTH" not in rows  # nothing counted there
    assert (rows["PDKKD"]["received_online"], rows["PDKKD"]["received_in_person"],
            rows["PDKKD"]["in_progress_within_time"]) == (1, 1, 2)
    assert report["total"]["received_total"] == 2

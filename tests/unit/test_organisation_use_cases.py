"""Administering the department against fakes of its store and the audit trail:
units (codes, parents, lost races), people as the rest of the system reads them,
and leaders' delegations (who may receive KT./TL., overlaps, revoking). No AWS:
the account calls to Cognito are not reached by what is tested here."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.kernel.errors import Conflict, InvalidInput, NotFound
from chalicelib.kernel.identity import Caller, Role
from chalicelib.organisation import service as org
from chalicelib.organisation.rules import DEFAULT_AGENCY, DelegationKind, UnitKind
from tests.fakes import FakeOrganisationStore, FakeTrail

ADMIN = Caller("quantri", frozenset({Role.ADMIN}), unit="VP")


@pytest.fixture()
def store() -> FakeOrganisationStore:
    s = FakeOrganisationStore()
    for code, kind in (("BGD", "leadership"), ("VP", "office"), ("PDKKD", "specialised")):
        s.units_by_code[code] = {"code": code, "name": f"Đơn vị {code}", "unit_kind": kind,
                                 "parent": None, "version": 1}
    for username, unit, roles, status in (
            ("giamdoc", "BGD", ["leader"], "active"), ("phogiamdoc", "BGD", ["leader"], "active"),
            ("chanhvp", "VP", ["unit_head"], "active"),
            ("truongphong", "PDKKD", ["unit_head"], "active"),
            ("cutruongphong", "PDKKD", ["unit_head"], "disabled"),
            ("chuyenvien", "PDKKD", ["officer"], "active")):
        s.profiles[username] = {"username": username, "full_name": username.title(),
                                "email": f"{username}@so.gov.vn", "unit": unit, "roles": roles,
                                "status": status, "version": 1}
    return s


@pytest.fixture()
def trail() -> FakeTrail:
    return FakeTrail()


def test_a_new_unit_is_recorded_with_its_audit_entry_and_event(store, trail) -> None:
    unit = org.save_unit(ADMIN, "PTH", "Phòng Tổng hợp", UnitKind.SPECIALISED, "BGD", None,
                         store=store, trail=trail)

    assert unit == {"code": "PTH", "name": "Phòng Tổng hợp", "kind": "specialised",
                    "parent": "BGD", "version": 1, "review_completion": False,
                    "abbreviation": "PTH"}  # no abbreviation given: the code
    assert [u["code"] for u in org.list_units(store=store)] == ["BGD", "PDKKD", "PTH", "VP"]
    assert trail.actions("unit:PTH") == ["unit.create"]
    assert [e.type for e in store.events] == ["unit.saved"]


def test_a_units_review_rule_is_set_and_kept_by_an_update_that_leaves_it_out(
        store, trail) -> None:
    org.save_unit(ADMIN, "PTH", "Phòng Tổng hợp", UnitKind.SPECIALISED, "BGD", None,
                  review_completion=True, store=store, trail=trail)
    kept = org.save_unit(ADMIN, "PTH", "Phòng Tổng hợp, Quy hoạch", UnitKind.SPECIALISED,
                         "BGD", 1, store=store, trail=trail)
    assert (kept["version"], kept["review_completion"]) == (2, True)
    off = org.save_unit(ADMIN, "PTH", "Phòng Tổng hợp", UnitKind.SPECIALISED, "BGD", 2,
                        review_completion=False, store=store, trail=trail)
    assert off["review_completion"] is False
    assert store.unit("PTH")["review_completion"] is False


def test_a_units_abbreviation_is_what_its_documents_print_and_an_update_keeps_it(
        store, trail) -> None:
    unit = org.save_unit(ADMIN, "PTH", "Phòng Tổng hợp", UnitKind.SPECIALISED, "BGD", None,
                         abbreviation="thqh", store=store, trail=trail)
    assert unit["abbreviation"] == "THQH"
    kept = org.save_unit(ADMIN, "PTH", "Phòng Tổng hợp, Quy hoạch", UnitKind.SPECIALISED,
                         "BGD", 1, store=store, trail=trail)
    assert kept["abbreviation"] == "THQH" and store.unit("PTH")["abbreviation"] == "THQH"
    renamed = org.save_unit(ADMIN, "PTH", "Phòng Tổng hợp", UnitKind.SPECIALISED, "BGD", 2,
                            abbreviation="ĐKKD", store=store, trail=trail)
    assert renamed["abbreviation"] == "ĐKKD"
    with pytest.raises(InvalidInput) as caught:
        org.save_unit(ADMIN, "PTH", "Phòng Tổng hợp", UnitKind.SPECIALISED, "BGD", 3,
                      abbreviation="TH QH", store=store, trail=trail)
    assert [p.path for p in caught.value.fields] == ["abbreviation"]


def test_a_unit_code_is_checked_and_never_taken_twice(store, trail) -> None:
    with pytest.raises(InvalidInput) as caught:
        org.save_unit(ADMIN, "phong th", "X", UnitKind.SPECIALISED, None, None, store=store,
                      trail=trail)
    assert [p.path for p in caught.value.fields] == ["code"]
    with pytest.raises(Conflict) as taken:
        org.save_unit(ADMIN, "VP", "Văn phòng 2", UnitKind.OFFICE, None, None, store=store,
                      trail=trail)
    assert taken.value.code == "code_taken"
    with pytest.raises(NotFound):
        org.save_unit(ADMIN, "KHONGCO", "X", UnitKind.SPECIALISED, None, 1, store=store,
                      trail=trail)
    assert trail.entries == {}


def test_a_unit_cannot_become_its_own_ancestor(store, trail) -> None:
    org.save_unit(ADMIN, "PDKKD", "Phòng ĐKKD", UnitKind.SPECIALISED, "VP", 1, store=store,
                  trail=trail)
    with pytest.raises(InvalidInput) as caught:
        org.save_unit(ADMIN, "VP", "Văn phòng", UnitKind.OFFICE, "PDKKD", 1, store=store,
                      trail=trail)
    assert [p.path for p in caught.value.fields] == ["parent"]


def test_an_edit_over_a_stale_version_is_a_conflict_and_writes_nothing(store, trail) -> None:
    org.save_unit(ADMIN, "VP", "Văn phòng Sở", UnitKind.OFFICE, None, 1, store=store,
                  trail=trail)
    with pytest.raises(Conflict):
        org.save_unit(ADMIN, "VP", "Văn phòng cũ", UnitKind.OFFICE, None, 1, store=store,
                      trail=trail)
    assert store.unit("VP")["name"] == "Văn phòng Sở"
    assert trail.actions("unit:VP") == ["unit.update"]


def test_people_are_listed_by_unit_and_heads_are_the_active_ones(store) -> None:
    assert [u["username"] for u in org.list_users("PDKKD", store=store)] == [
        "chuyenvien", "cutruongphong", "truongphong"]
    assert [u["unit"] for u in org.list_users(store=store)] == [
        "BGD", "BGD", "PDKKD", "PDKKD", "PDKKD", "VP"]
    assert org.heads_of(None, ["PDKKD", "VP"], store=store) == ["truongphong", "chanhvp"]
    assert org.get_user("chuyenvien", store=store)["has_signature"] is False
    with pytest.raises(NotFound):
        org.get_user("khongco", store=store)


def test_the_agency_prints_its_defaults_unless_an_administrator_changed_them(store) -> None:
    assert org.agency_profile(store=store) == DEFAULT_AGENCY
    store.agency_profile = {"name": "SỞ TÀI CHÍNH", "place": ""}
    printed = org.agency_profile(store=store)
    assert printed["name"] == "SỞ TÀI CHÍNH" and printed["place"] == DEFAULT_AGENCY["place"]


def _delegate(store, trail, delegate: str, kind: DelegationKind = DelegationKind.KT,
              grantor: str = "giamdoc", start: date = date(2026, 12, 7),
              end: date = date(2026, 12, 11)) -> dict:
    return org.create_delegation(ADMIN, grantor=grantor, delegate=delegate, kind=kind,
                                 start=start, end=end, note="Đi công tác", store=store,
                                 trail=trail)


def test_a_leader_delegates_kt_to_a_deputy_and_tl_to_the_office(store, trail) -> None:
    kt = _delegate(store, trail, "phogiamdoc")
    tl = _delegate(store, trail, "chanhvp", DelegationKind.TL, start=date(2026, 12, 14),
                   end=date(2026, 12, 18))

    assert (kt["kind"], kt["status"], tl["kind"]) == ("KT", "active", "TL")
    assert trail.actions("user:giamdoc") == ["delegation.create", "delegation.create"]
    assert [d["id"] for d in org.list_delegations("giamdoc", store=store)] == sorted(
        [kt["id"], tl["id"]])
    assert org.active_delegation_for("phogiamdoc", date(2026, 12, 9), store=store)["id"] \
        == kt["id"]
    assert org.active_delegation_for("phogiamdoc", date(2026, 12, 14), store=store) is None


@pytest.mark.parametrize(("delegate", "kind", "code", "field"), [
    ("chuyenvien", DelegationKind.KT, "invalid_delegate", "delegate"),  # not a leader
    ("truongphong", DelegationKind.TL, "invalid_delegate", "delegate"),  # not the office
    ("khongco", DelegationKind.KT, "invalid_delegate", "delegate"),
    ("giamdoc", DelegationKind.KT, "invalid_delegation", "delegate"),  # to oneself
])
def test_a_delegation_to_the_wrong_person_names_the_delegate(store, trail, delegate, kind,
                                                             code, field) -> None:
    with pytest.raises(InvalidInput) as caught:
        _delegate(store, trail, delegate, kind)
    assert caught.value.code == code
    assert [p.path for p in caught.value.fields] == [field]
    assert store.delegations == {} and trail.entries == {}


def test_only_a_leader_delegates_and_never_to_a_disabled_account(store, trail) -> None:
    with pytest.raises(InvalidInput) as caught:
        _delegate(store, trail, "chuyenvien", grantor="truongphong")
    assert caught.value.code == "invalid_grantor"
    store.profiles["phogiamdoc"]["status"] = "disabled"
    with pytest.raises(InvalidInput) as disabled:
        _delegate(store, trail, "phogiamdoc")
    assert disabled.value.code == "invalid_delegate"


def test_overlapping_delegations_are_refused_until_the_first_is_revoked(store, trail) -> None:
    first = _delegate(store, trail, "phogiamdoc")
    with pytest.raises(InvalidInput) as caught:
        _delegate(store, trail, "chanhvp", DelegationKind.TL, start=date(2026, 12, 10),
                  end=date(2026, 12, 15))
    assert caught.value.code == "delegation_overlap"

    revoked = org.revoke_delegation(ADMIN, "giamdoc", first["id"], store=store, trail=trail)
    assert revoked["status"] == "revoked"
    assert org.active_delegation_for("phogiamdoc", date(2026, 12, 9), store=store) is None
    _delegate(store, trail, "chanhvp", DelegationKind.TL, start=date(2026, 12, 10),
              end=date(2026, 12, 15))
    assert trail.actions("user:giamdoc") == [
        "delegation.create", "delegation.revoke", "delegation.create"]
    assert [e.type for e in store.events] == [
        "delegation.created", "delegation.revoked", "delegation.created"]


def test_a_delegation_is_revoked_once(store, trail) -> None:
    first = _delegate(store, trail, "phogiamdoc")
    org.revoke_delegation(ADMIN, "giamdoc", first["id"], store=store, trail=trail)
    with pytest.raises(Conflict):
        org.revoke_delegation(ADMIN, "giamdoc", first["id"], store=store, trail=trail)
    with pytest.raises(NotFound):
        org.revoke_delegation(ADMIN, "giamdoc", "khongco", store=store, trail=trail)

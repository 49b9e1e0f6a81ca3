"""The routed-permission rules, role by role, including secret items."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.kernel.access import (
    AGENCY,
    ItemAccess,
    Kind,
    Secrecy,
    can_view,
    item_scopes,
    scopes_for,
    with_people,
)
from chalicelib.kernel.identity import Caller, Role


def caller(role: Role, unit: str = "PDKKD", name: str = "u") -> Caller:
    return Caller(username=name, roles=frozenset({role}), unit=unit)


DOC_OWN_UNIT = ItemAccess(Kind.INCOMING, units=frozenset({"PDKKD"}), people=frozenset({"lan"}))
DOC_OTHER_UNIT = ItemAccess(Kind.INCOMING, units=frozenset({"PTH"}), people=frozenset({"minh"}))
SECRET = ItemAccess(Kind.INCOMING, units=frozenset({"PDKKD"}), people=frozenset({"lan"}),
                    secrecy=Secrecy.MAT)


@pytest.mark.parametrize("role,own,other,secret", [
    (Role.OFFICER, False, False, False),
    (Role.UNIT_HEAD, True, False, False),
    (Role.LEADER, True, True, False),
    (Role.CLERK, True, True, False),
    (Role.ONE_STOP, False, False, False),
    (Role.ADMIN, False, False, False),
])
def test_documents_by_role(role, own, other, secret):
    c = caller(role)
    assert can_view(c, DOC_OWN_UNIT) is own
    assert can_view(c, DOC_OTHER_UNIT) is other
    assert can_view(c, SECRET) is secret


def test_people_named_on_an_item_see_it_whatever_their_role():
    for role in Role:
        lan = caller(role, unit="PTH", name="lan")
        assert can_view(lan, DOC_OWN_UNIT)
        assert can_view(lan, SECRET)


def test_secret_items_are_indexed_only_under_named_people():
    assert item_scopes(SECRET) == frozenset({"U#lan"})
    assert AGENCY in item_scopes(DOC_OWN_UNIT)


def test_officers_see_their_units_tasks_but_not_its_documents():
    officer = caller(Role.OFFICER)
    task = ItemAccess(Kind.TASK, units=frozenset({"PDKKD"}), people=frozenset({"lan"}))
    assert can_view(officer, task)
    assert not can_view(officer, DOC_OWN_UNIT)


def test_one_stop_desk_sees_dossiers_only():
    desk = caller(Role.ONE_STOP, unit="MC")
    dossier = ItemAccess(Kind.DOSSIER, units=frozenset({"PDKKD"}))
    assert can_view(desk, dossier)
    assert not can_view(desk, DOC_OTHER_UNIT)


def test_grant_and_revoke_change_visibility():
    officer = caller(Role.OFFICER, name="hoa")
    granted = with_people(DOC_OTHER_UNIT, added=["hoa"])
    assert can_view(officer, granted)
    assert not can_view(officer, with_people(granted, removed=["hoa"]))


def test_list_scopes_and_single_checks_agree():
    """For every role and item shape, 'in one of my list partitions' equals can_view."""
    items = [DOC_OWN_UNIT, DOC_OTHER_UNIT, SECRET,
             ItemAccess(Kind.TASK, units=frozenset({"PDKKD"})),
             ItemAccess(Kind.DOSSIER, units=frozenset({"MC"}), secrecy=Secrecy.TOI_MAT)]
    for role, unit, name in itertools.product(Role, ["PDKKD", "PTH", None], ["lan", "x"]):
        c = Caller(username=name, roles=frozenset({role}), unit=unit)
        for item in items:
            listed = bool(scopes_for(c, item.kind) & item_scopes(item))
            assert listed == can_view(c, item)


def test_a_units_officers_see_the_dossiers_at_their_units_steps():
    """A one-stop dossier's step is the unit's to do: any of its officers takes it."""
    officer = caller(Role.OFFICER)  # of PDKKD
    at_their_step = ItemAccess(Kind.DOSSIER, units=frozenset({"MC", "PDKKD"}))
    at_the_desk = ItemAccess(Kind.DOSSIER, units=frozenset({"MC"}))
    assert can_view(officer, at_their_step)
    assert not can_view(officer, at_the_desk)

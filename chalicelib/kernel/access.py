"""Routed permissions (phân tuyến): who may see which piece of work.

One definition serves both questions a service asks:

- *may this caller see this item?* (``can_view``), and
- *which index partitions hold everything this caller may see?*
  (``scopes_for``), so that lists and searches are one query per scope and
  never fetch-then-filter: counts and pages cannot leak what is hidden.

An item is indexed under the scopes returned by ``item_scopes``; a caller sees
it when the two sets meet. Because both sides come from here, the single-item
check and the lists cannot disagree.

Rules (docs/permissions.md says them in plain words):
- everyone sees what is assigned to them or shared with them (their own scope);
- a head of unit sees the unit's items; an officer sees the unit's items only
  for the kinds where the unit shares its work with officers;
- leaders and the clerk see the agency's items;
- the one-stop desk sees the agency's dossiers;
- a secret item (độ mật) is indexed only under the people named on it, so no
  role reaches it any other way;
- an administrator manages the organisation, not its documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from chalicelib.kernel.identity import Caller, Role


class Kind(StrEnum):
    INCOMING = "incoming"  # văn bản đến
    OUTGOING = "outgoing"  # văn bản đi
    TASK = "task"  # công việc
    DOSSIER = "dossier"  # hồ sơ một cửa
    COMPLAINT = "complaint"  # đơn thư
    MEETING = "meeting"  # cuộc họp


class Secrecy(StrEnum):
    NONE = ""
    MAT = "mat"  # Mật
    TOI_MAT = "toi_mat"  # Tối mật
    TUYET_MAT = "tuyet_mat"  # Tuyệt mật


SECRECY_LABELS = {
    Secrecy.NONE: "Thường",
    Secrecy.MAT: "Mật",
    Secrecy.TOI_MAT: "Tối mật",
    Secrecy.TUYET_MAT: "Tuyệt mật",
}

# Kinds whose items a unit shares with all its officers, not only the assignees.
# Tasks are coordinated inside the unit, and a one-stop dossier's step is the
# unit's to do (whoever is free takes it, against the step's deadline);
# documents and complaints go to the people they are assigned to, and a meeting
# to the people invited to it.
UNIT_SHARED_WITH_OFFICERS = frozenset({Kind.TASK, Kind.DOSSIER})

AGENCY = "AGENCY"


def person_scope(username: str) -> str:
    return f"U#{username}"


def unit_scope(unit: str) -> str:
    return f"UNIT#{unit}"


@dataclass(frozen=True)
class ItemAccess:
    """What the permission rules need to know about an item."""

    kind: Kind
    units: frozenset[str] = field(default_factory=frozenset)  # lead and supporting units
    people: frozenset[str] = field(default_factory=frozenset)  # assignees, named, granted
    secrecy: Secrecy = Secrecy.NONE

    @property
    def secret(self) -> bool:
        return self.secrecy != Secrecy.NONE


def item_scopes(access: ItemAccess) -> frozenset[str]:
    """The index partitions an item is written under."""
    scopes = {person_scope(p) for p in access.people}
    if not access.secret:
        scopes |= {unit_scope(u) for u in access.units}
        scopes.add(AGENCY)
    return frozenset(scopes)


def scopes_for(caller: Caller, kind: Kind) -> frozenset[str]:
    """The index partitions whose union is everything ``caller`` may see of ``kind``."""
    scopes = {person_scope(caller.username)}
    roles = caller.roles
    if roles & {Role.LEADER, Role.CLERK}:
        scopes.add(AGENCY)
    if Role.ONE_STOP in roles and kind == Kind.DOSSIER:
        scopes.add(AGENCY)
    if caller.unit and (
        Role.UNIT_HEAD in roles
        or (Role.OFFICER in roles and kind in UNIT_SHARED_WITH_OFFICERS)
    ):
        scopes.add(unit_scope(caller.unit))
    return frozenset(scopes)


def unit_scopes(caller: Caller, kind: Kind, unit: str) -> frozenset[str] | None:
    """The one partition of ``unit``'s items of ``kind``, for a caller who may see
    all of it (the agency's, or their own unit's); None for anyone else. A secret
    item is indexed under its people only, so the unit's partition never holds it."""
    seen = scopes_for(caller, kind)
    if AGENCY in seen or unit_scope(unit) in seen:
        return frozenset({unit_scope(unit)})
    return None


def can_view(caller: Caller, access: ItemAccess) -> bool:
    return bool(scopes_for(caller, access.kind) & item_scopes(access))


def with_people(access: ItemAccess, added: Iterable[str] = (),
                removed: Iterable[str] = ()) -> ItemAccess:
    people = (set(access.people) | set(added)) - set(removed)
    return ItemAccess(access.kind, access.units, frozenset(people), access.secrecy)

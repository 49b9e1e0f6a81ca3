"""Where the organisation lives in the table, and the only code that knows its
keys. Other capabilities read people and units through this store (as the
``kernel.ports.Directory`` port), never by the keys.

- unit: ``UNIT#{code}/UNIT``, listed under gsi1 ``UNITS`` / ``{code}``
  (name, unit_kind, parent, version);
- user profile: ``USER#{username}/PROFILE``, listed under its unit in gsi1
  ``UNIT#{unit}`` / ``USER#{username}`` (full_name, email, unit, unit_name,
  title, roles, status, signature, tokens_valid_after, version);
- delegation: ``USER#{grantor}/DELEGATION#{id}``, found by its delegate in gsi1
  ``DELEGATE#{delegate}`` / ``{start}#{id}`` (delegation_kind KT or TL, start,
  end, note, status);
- agency profile: ``CONFIG#agency/PROFILE`` (the agency as printed on its
  documents, when an administrator overrides the defaults).

Units, profiles and delegations change by conditional write: a unit or a
profile over the version it was read at, a delegation only while it is active.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamo import ConditionFailed, Table, put_op
from chalicelib.adapters.outbox import TableStore
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.ports import UnitOfWork as UnitOfWorkPort

UNITS = "UNITS"


def _unit_keys(code: str) -> dict[str, Any]:
    return {"pk": f"UNIT#{code}", "sk": "UNIT", "kind": "unit",
            "gsi1pk": UNITS, "gsi1sk": code}


def _user_keys(profile: dict[str, Any]) -> dict[str, Any]:
    username = profile["username"]
    return {"pk": f"USER#{username}", "sk": "PROFILE", "kind": "user",
            "gsi1pk": f"UNIT#{profile['unit']}", "gsi1sk": f"USER#{username}"}


def _delegation_keys(delegation: dict[str, Any]) -> dict[str, Any]:
    return {"pk": f"USER#{delegation['grantor']}", "sk": f"DELEGATION#{delegation['id']}",
            "kind": "delegation", "gsi1pk": f"DELEGATE#{delegation['delegate']}",
            "gsi1sk": f"{delegation['start']}#{delegation['id']}"}


def _versioned(item: dict[str, Any], version_read: int) -> dict[str, Any]:
    return put_op(item, condition="#v = :v", names={"#v": "version"},
                  values={":v": version_read})


class Directory(TableStore):
    # ---- people

    def user(self, username: str) -> dict[str, Any] | None:
        return self.table.get(f"USER#{username}", "PROFILE")

    def user_to_change(self, username: str) -> dict[str, Any] | None:
        """The profile as last committed (a consistent read), to save over."""
        return self.table.get(f"USER#{username}", "PROFILE", consistent=True)

    def members(self, unit: str) -> list[dict[str, Any]]:
        """Every profile of a unit."""
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(f"UNIT#{unit}", index="gsi1", sk_prefix="USER#", limit=500,
                                    cursor=cursor)
            out.extend(page.items)
            cursor = page.cursor
            if not cursor:
                return out

    def add_user(self, uow: UnitOfWorkPort, profile: dict[str, Any]) -> None:
        """A new profile (refused if the username exists)."""
        uow.add(put_op({**profile, **_user_keys(profile)},
                       condition="attribute_not_exists(pk)"))

    def save_user(self, uow: UnitOfWorkPort, before: dict[str, Any],
                  after: dict[str, Any]) -> None:
        """The profile over the version it was read at; it moves to its unit's list."""
        uow.add(_versioned({**after, **_user_keys(after)}, int(before.get("version", 1))))

    def put_user(self, profile: dict[str, Any]) -> None:
        """A profile as it is, at once (the local seed, which checked it is absent)."""
        self.table.put({**profile, **_user_keys(profile)})

    def invalidate_tokens(self, username: str, issued_before: Decimal) -> None:
        """Tokens issued before this epoch time stop working (the authorizer checks)."""
        self.table.update(f"USER#{username}", "PROFILE", "SET tokens_valid_after = :t",
                          values={":t": issued_before})

    # ---- units

    def unit(self, code: str) -> dict[str, Any] | None:
        return self.table.get(f"UNIT#{code}", "UNIT")

    def units(self) -> list[dict[str, Any]]:
        return self.table.query(UNITS, index="gsi1", limit=1000).items

    def add_unit(self, uow: UnitOfWorkPort, unit: dict[str, Any]) -> None:
        """A new unit (refused if its code exists)."""
        uow.add(put_op({**unit, **_unit_keys(unit["code"])},
                       condition="attribute_not_exists(pk)"))

    def save_unit(self, uow: UnitOfWorkPort, version_read: int, unit: dict[str, Any]) -> None:
        uow.add(_versioned({**unit, **_unit_keys(unit["code"])}, version_read))

    def add_unit_once(self, unit: dict[str, Any]) -> bool:
        """Create the unit at once unless it exists; whether it was created."""
        try:
            self.table.put({**unit, **_unit_keys(unit["code"])},
                           condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return False
        return True

    # ---- delegations

    def delegations_of(self, grantor: str) -> list[dict[str, Any]]:
        return self.table.query(f"USER#{grantor}", sk_prefix="DELEGATION#", limit=500).items

    def delegations_to(self, delegate: str) -> list[dict[str, Any]]:
        return self.table.query(f"DELEGATE#{delegate}", index="gsi1", limit=500).items

    def delegation(self, grantor: str, delegation_id: str) -> dict[str, Any] | None:
        return self.table.get(f"USER#{grantor}", f"DELEGATION#{delegation_id}",
                              consistent=True)

    def add_delegation(self, uow: UnitOfWorkPort, delegation: dict[str, Any]) -> None:
        uow.add(put_op({**delegation, **_delegation_keys(delegation)},
                       condition="attribute_not_exists(pk)"))

    def end_delegation(self, uow: UnitOfWorkPort, after: dict[str, Any]) -> None:
        """The delegation in its ended state, only while it is still active."""
        uow.add(put_op({**after, **_delegation_keys(after)}, condition="#s = :active",
                       names={"#s": "status"}, values={":active": "active"}))

    # ---- the agency

    def agency(self) -> dict[str, Any] | None:
        """The agency profile an administrator stored, if any."""
        return self.table.get("CONFIG#agency", "PROFILE")


def directory_over(table: Table | None, store: Directory | None) -> Directory:
    """The directory a caller handed in (a test's), else one over ``table`` (else
    the default table): the module-level use cases take either."""
    return store or Directory(table or Table())


def known_user(directory: Directory, username: str) -> dict[str, Any]:
    """The profile item, or NotFound (404) when there is no such user."""
    item = directory.user(username)
    if item is None:
        raise NotFound()
    return item

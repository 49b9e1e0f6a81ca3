"""What outgoing documents read of the other capabilities: people, units,
delegations and the agency (organisation), and whether a caller sees an
incoming document (the one a draft answers). The use cases receive it as a
port, so that unit tests hand in a fake (``tests/fakes.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.identity import Caller


class Neighbours(Protocol):
    def user(self, username: str) -> Mapping[str, Any] | None: ...
    def unit(self, code: str) -> Mapping[str, Any] | None: ...
    def users(self, unit: str | None = None) -> list[dict[str, Any]]:
        """Everyone (of a unit), as ``organisation.service.list_users`` shows them."""
        ...
    def delegation(self, delegate: str, day: date) -> Mapping[str, Any] | None:
        """The delegation under which ``delegate`` acts on ``day``."""
        ...
    def delegates(self, grantor: str, day: date) -> list[str]:
        """Who may act for ``grantor`` on ``day`` under a delegation in force."""
        ...
    def office_unit(self) -> str | None: ...
    def agency(self) -> Mapping[str, str]:
        """The agency as printed on its documents (name, code, place, head_title, parent)."""
        ...
    def sees_incoming(self, caller: Caller, doc_id: str) -> bool: ...
    def review_procedure(self, type_code: str, day: date) -> Mapping[str, Any] | None:
        """The internal review procedure (ISO library) in force on ``day`` for
        drafts of ``type_code``, as the draft keeps it; None when none governs."""
        ...


class TableNeighbours:
    """The real neighbours, through their own modules (never by their keys)."""

    def __init__(self, table: Table) -> None:
        from chalicelib.organisation.store import Directory

        self.table = table
        self.directory = Directory(table)

    def user(self, username: str) -> dict[str, Any] | None:
        return self.directory.user(username)

    def unit(self, code: str) -> dict[str, Any] | None:
        return self.directory.unit(code)

    def users(self, unit: str | None = None) -> list[dict[str, Any]]:
        from chalicelib.organisation.service import list_users

        return list_users(unit, self.table)

    def delegation(self, delegate: str, day: date) -> dict[str, Any] | None:
        from chalicelib.organisation.service import active_delegation_for

        return active_delegation_for(delegate, day, self.table)

    def delegates(self, grantor: str, day: date) -> list[str]:
        from chalicelib.organisation.service import list_delegations

        when = day.isoformat()
        names = {d["delegate"] for d in list_delegations(grantor, self.table)
                 if d["status"] == "active" and d["start"] <= when <= d["end"]}
        return sorted(n for n in names if (self.user(n) or {}).get("status") == "active")

    def office_unit(self) -> str | None:
        from chalicelib.organisation.service import office_unit

        return office_unit(self.table)

    def agency(self) -> dict[str, str]:
        from chalicelib.organisation.service import agency_profile

        return agency_profile(self.table)

    def sees_incoming(self, caller: Caller, doc_id: str) -> bool:
        from chalicelib.incoming.service import load_visible

        try:
            load_visible(caller, doc_id, self.table)
        except NotFound:
            return False
        return True

    def review_procedure(self, type_code: str, day: date) -> dict[str, Any] | None:
        from chalicelib.iso.rules import Kind
        from chalicelib.iso.service import in_force_for

        return in_force_for(self.table, Kind.REVIEW, type_code, day)

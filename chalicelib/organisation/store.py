"""Where the organisation lives in the table: a user's profile
(``USER#{username}/PROFILE``) and a unit (``UNIT#{code}/UNIT``). Other
capabilities read people and units through this store (as the
``kernel.ports.Directory`` port), never by the keys."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table


class Directory:
    def __init__(self, table: Table) -> None:
        self.table = table

    def user(self, username: str) -> dict[str, Any] | None:
        return self.table.get(f"USER#{username}", "PROFILE")

    def unit(self, code: str) -> dict[str, Any] | None:
        return self.table.get(f"UNIT#{code}", "UNIT")

    def members(self, unit: str) -> list[dict[str, Any]]:
        """The profiles of a unit's people (any status), as stored."""
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(f"UNIT#{unit}", index="gsi1", sk_prefix="USER#", limit=500,
                                    cursor=cursor)
            out.extend(page.items)
            cursor = page.cursor
            if not cursor:
                return out

"""Where the calendar's overrides live in the table, and the only code that
knows their keys: one partition ``CALENDAR`` with an item
``OVERRIDE#{yyyy-mm-dd}`` per day an administrator made a day off or a
working day (date, working, note, updated_by, updated_at)."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.adapters.outbox import TableStore
from chalicelib.kernel.ports import UnitOfWork as UnitOfWorkPort

PARTITION = "CALENDAR"
PREFIX = "OVERRIDE#"


def event_subject(day: date) -> str:
    """What the events about a day's override name as their subject."""
    return f"CALENDAR#{day.isoformat()}"


class CalendarStore(TableStore):
    def overrides(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:  # a few dozen items a year: one page in practice
            page = self.table.query(PARTITION, sk_prefix=PREFIX, limit=500, cursor=cursor)
            items.extend(page.items)
            cursor = page.cursor
            if not cursor:
                return items

    def put(self, uow: UnitOfWorkPort, override: dict[str, Any]) -> None:
        """The day's override, replacing whatever the day had (``override["date"]``
        is the ISO day)."""
        uow.add({"Put": {"Item": {"pk": PARTITION, "sk": PREFIX + override["date"],
                                  "kind": "calendar_override", **override}}})

    def remove(self, uow: UnitOfWorkPort, day: date) -> None:
        uow.add({"Delete": {"Key": {"pk": PARTITION, "sk": PREFIX + day.isoformat()}}})

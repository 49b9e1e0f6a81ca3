"""Where the process library lives in the table, and the only code that knows its keys.

- ``ISO#{id}/PROC`` a procedure's head (title, kind, owner, what it governs,
  the legal bases flagged replaced, the number of its latest version), listed
  under gsi1 ``ISOPROCS`` / ``{id}``; saved over the version read;
- ``ISO#{id}/V#{nnnn}`` one version (its content, status, change log entry,
  who drafted, reviewed and approved it, the date it comes into force); a draft
  is saved over the version read, an approved one is never rewritten;
- ``ISO#{id}/ACK#{nnnn}#{username}`` the version distributed to a person, and
  when they confirmed having read it; their pending "đọc và xác nhận" is a
  ``work.pending`` item under ``ISO#{id}@{n}``;
- ``ISOREMIND#{id}/{key}`` a review reminder claimed once (``key`` names the
  version and the due date or the flagged basis).
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import ConditionFailed, Table, put_op
from chalicelib.adapters.outbox import UnitOfWork

KEYS = ("pk", "sk", "gsi1pk", "gsi1sk")
# The parent kind of the library's pending actions (``work.pending``).
PARENT = "ISO"


def _clean(item: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if item is None else {k: v for k, v in item.items() if k not in KEYS}


class IsoStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.table)

    # ------------------------------------------------------------ procedures

    def procedures(self) -> list[dict[str, Any]]:
        page = self.table.query("ISOPROCS", index="gsi1", limit=500)
        return [p for p in (_clean(i) for i in page.items) if p is not None]

    def procedure(self, pid: str) -> dict[str, Any] | None:
        return _clean(self.table.get(f"ISO#{pid}", "PROC", consistent=True))

    def add_procedure(self, uow: UnitOfWork, head: dict[str, Any]) -> None:
        uow.add(put_op({"pk": f"ISO#{head['id']}", "sk": "PROC", "kind": "iso_procedure",
                        "gsi1pk": "ISOPROCS", "gsi1sk": head["id"], **head},
                       condition="attribute_not_exists(pk)"))

    def save_procedure(self, uow: UnitOfWork, before: dict[str, Any],
                       after: dict[str, Any]) -> None:
        uow.add(put_op({"pk": f"ISO#{after['id']}", "sk": "PROC", "kind": "iso_procedure",
                        "gsi1pk": "ISOPROCS", "gsi1sk": after["id"], **after},
                       condition="#v = :v", names={"#v": "version"},
                       values={":v": int(before["version"])}))

    # ------------------------------------------------------------ versions

    def versions(self, pid: str) -> list[dict[str, Any]]:
        page = self.table.query(f"ISO#{pid}", sk_prefix="V#", limit=200, consistent=True)
        return [v for v in (_clean(i) for i in page.items) if v is not None]

    def version(self, pid: str, number: int) -> dict[str, Any] | None:
        return _clean(self.table.get(f"ISO#{pid}", f"V#{number:04d}", consistent=True))

    def add_version(self, uow: UnitOfWork, version: dict[str, Any]) -> None:
        uow.add(put_op({"pk": f"ISO#{version['id']}", "sk": f"V#{int(version['number']):04d}",
                        "kind": "iso_version", **version},
                       condition="attribute_not_exists(pk)"))

    def save_version(self, uow: UnitOfWork, before: dict[str, Any],
                     after: dict[str, Any]) -> None:
        uow.add(put_op({"pk": f"ISO#{after['id']}", "sk": f"V#{int(after['number']):04d}",
                        "kind": "iso_version", **after},
                       condition="#v = :v", names={"#v": "version"},
                       values={":v": int(before["version"])}))

    # ------------------------------------------------------------ distribution

    def acknowledgements(self, pid: str, number: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(f"ISO#{pid}", sk_prefix=f"ACK#{number:04d}#", limit=500,
                                    cursor=cursor, consistent=True)
            out.extend(a for a in (_clean(i) for i in page.items) if a is not None)
            cursor = page.cursor
            if not cursor:
                return out

    def acknowledgement(self, pid: str, number: int, username: str) -> dict[str, Any] | None:
        return _clean(self.table.get(f"ISO#{pid}", f"ACK#{number:04d}#{username}",
                                     consistent=True))

    def add_acknowledgement(self, uow: UnitOfWork, ack: dict[str, Any]) -> None:
        """The version sent to one person (once: a re-run of the distribution
        that finds it skips the person)."""
        uow.add(put_op({"pk": f"ISO#{ack['id']}",
                        "sk": f"ACK#{int(ack['number']):04d}#{ack['username']}",
                        "kind": "iso_ack", **ack}, condition="attribute_not_exists(pk)"))

    def confirm(self, uow: UnitOfWork, ack: dict[str, Any]) -> None:
        uow.add(put_op({"pk": f"ISO#{ack['id']}",
                        "sk": f"ACK#{int(ack['number']):04d}#{ack['username']}",
                        "kind": "iso_ack", **ack},
                       condition="attribute_exists(pk) AND attribute_not_exists(confirmed_at)"))

    # ------------------------------------------------------------ reminders

    def claim_reminder(self, pid: str, key: str) -> bool:
        """Whether this reminder is ours to send (False: sent already)."""
        try:
            self.table.put({"pk": f"ISOREMIND#{pid}", "sk": key, "kind": "iso_reminder"},
                           condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return False
        return True

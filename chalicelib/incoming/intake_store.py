"""Where intake records live in the table, and the only code that knows their keys.

An intake record is ``INTAKE#{id}/INTAKE``, listed newest first under gsi1
``INTAKE`` / ``{created_at}#{id}`` and by status under gsi2
``INTAKE#{status}`` / ``{created_at}#{id}``. ``id`` is a UUIDv5 of bucket, key
and the S3 event sequencer, so a redelivered notification maps to the same
record and the conditional put refuses the duplicate. A record moves on from
``processing`` by a write conditional on that status, or, for a clerk's change,
on the version it was read at. The pipeline writes a record once, with its
outcome (``finished``), in the transaction that ends the file's processing:
conditional on there being no record yet, or one a clerk sent back to
``processing`` (a retry); a redelivery of a handled notification is refused.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import put_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork
from chalicelib.incoming.rules import IntakeStatus

ALL = "INTAKE"


def status_partition(status: str) -> str:
    return f"INTAKE#{status}"


def with_status_key(record: dict[str, Any]) -> dict[str, Any]:
    """The record filed under its status in the by-status list."""
    return {**record, "gsi2pk": status_partition(record["status"])}


class IntakeStore(TableStore):
    def get(self, record_id: str) -> dict[str, Any] | None:
        return self.table.get(f"INTAKE#{record_id}", "INTAKE", consistent=True)

    def add(self, uow: UnitOfWork, record: dict[str, Any]) -> dict[str, Any]:
        """A new record (refused if one exists for the same notification). Returns
        the item written."""
        record_id, created = record["id"], record["created_at"]
        item = {"pk": f"INTAKE#{record_id}", "sk": "INTAKE", "kind": "intake", **record,
                "gsi1pk": ALL, "gsi1sk": f"{created}#{record_id}",
                "gsi2pk": status_partition(record["status"]), "gsi2sk": f"{created}#{record_id}"}
        uow.add(put_op(item, condition="attribute_not_exists(pk)"))
        return item

    @staticmethod
    def finished(record: dict[str, Any]) -> dict[str, Any]:
        """The whole record with its outcome, as an operation for the transaction
        that ends its processing (the registration's, for one): refused when the
        record exists and is not waiting to be processed (again)."""
        record_id, created = record["id"], record["created_at"]
        item = {"pk": f"INTAKE#{record_id}", "sk": "INTAKE", "kind": "intake", **record,
                "gsi1pk": ALL, "gsi1sk": f"{created}#{record_id}",
                "gsi2pk": status_partition(record["status"]), "gsi2sk": f"{created}#{record_id}"}
        return put_op(item, condition="attribute_not_exists(pk) OR #s = :p",
                      names={"#s": "status"}, values={":p": IntakeStatus.PROCESSING.value})

    @staticmethod
    def from_processing(new: dict[str, Any]) -> dict[str, Any]:
        """The write that moves a record on from ``processing``, as an operation for
        whichever transaction finishes it (the registration's, for one)."""
        return put_op(with_status_key(new), condition="#s = :p", names={"#s": "status"},
                      values={":p": IntakeStatus.PROCESSING.value})

    def save_from_processing(self, uow: UnitOfWork, new: dict[str, Any]) -> None:
        uow.add(self.from_processing(new))

    def save(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Over the version it was read at."""
        uow.add(put_op(with_status_key(after), condition="#v = :v", names={"#v": "version"},
                       values={":v": int(before.get("version", 1))}))

    def replace(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Over the version it was read at, on its own (no event goes with it)."""
        self.table.put(with_status_key(after), condition="#v = :v", names={"#v": "version"},
                       values={":v": int(before.get("version", 1))})

    def page(self, status: str | None, cursor: str | None, limit: int
             ) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first: all records, or those of one status."""
        if status:
            page = self.table.query(status_partition(status), index="gsi2", limit=limit,
                                    cursor=cursor, forward=False)
        else:
            page = self.table.query(ALL, index="gsi1", limit=limit, cursor=cursor,
                                    forward=False)
        return page.items, page.cursor

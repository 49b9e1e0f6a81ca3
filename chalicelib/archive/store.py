"""Where case files live in the table, and the only code that knows their keys.

- the yearly list of a unit: ``ARCHIVE#LIST#{unit}#{year}/LIST`` (status,
  approval, version), with one claim per case-file code of that year
  (``.../CODE#{code}``) so that a code is unique in the year under concurrency;
- a case file: ``CASEFILE#{id}/FILE``, listed by unit and year on gsi1
  (``ARCHIVE#UNIT#{unit}#{year}``, sorted by code) and, while closed and due to
  the archive, on gsi2 (``ARCHIVE#DUE``, sorted by due date);
- its documents in order (mục lục văn bản): ``CASEFILE#{id}/ITEM#{seq:05d}``;
- one claim per filed item (``ARCHIVEREF#{kind}#{ref}/REF``): a document is
  filed in one case file only;
- a disposal list (đề nghị hủy): ``ARCHIVE#DISPOSAL#{id}/DISPOSAL``;
- a hand-over record over several files (biên bản giao nhận):
  ``ARCHIVE#HANDOVER#{id}/RECORD``;
- a reading grant on a handed-over file: ``CASEFILE#{id}/GRANT#{username}``.

Every save is conditional on the version it was read at (a lost race is 409).
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import put_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork

KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"})
DUE_PARTITION = "ARCHIVE#DUE"


def plain(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """The item without its keys, as the use cases see it."""
    return None if item is None else {k: v for k, v in item.items() if k not in KEYS}


def _over(item: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """A put over the version read (``before``), or of a new item: a lost race
    either way is refused."""
    if before is None:
        return put_op(item, condition="attribute_not_exists(pk)")
    return put_op(item, condition="#v = :v", names={"#v": "version"},
                  values={":v": int(before["version"])})


class ArchiveStore(TableStore):
    # ---------------------------------------------------------------- the yearly list
    @staticmethod
    def _list_pk(unit: str, year: int) -> str:
        return f"ARCHIVE#LIST#{unit}#{year}"

    def year_list(self, unit: str, year: int) -> dict[str, Any] | None:
        return plain(self.table.get(self._list_pk(unit, year), "LIST", consistent=True))

    def files_of(self, unit: str, year: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:  # a unit's list holds tens of files, a few hundred at most
            page = self.table.query(f"ARCHIVE#UNIT#{unit}#{year}", index="gsi1", limit=200,
                                    cursor=cursor)
            out += [plain(i) or {} for i in page.items]
            cursor = page.cursor
            if not cursor:
                return out

    def save_list(self, uow: UnitOfWork, before: dict[str, Any] | None,
                  after: dict[str, Any]) -> None:
        """The list over the version it was read at (a new list: refused if one exists)."""
        item = {"pk": self._list_pk(after["unit"], int(after["year"])), "sk": "LIST",
                "kind": "archive_list", **after}
        uow.add(_over(item, before))

    # ---------------------------------------------------------------- case files
    def get(self, file_id: str) -> dict[str, Any] | None:
        return plain(self.table.get(f"CASEFILE#{file_id}", "FILE", consistent=True))

    def items(self, file_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = self.table.query(f"CASEFILE#{file_id}", sk_prefix="ITEM#", limit=500,
                                    cursor=cursor, consistent=True)
            out += [plain(i) or {} for i in page.items]
            cursor = page.cursor
            if not cursor:
                return out

    @staticmethod
    def _file_item(file: dict[str, Any]) -> dict[str, Any]:
        item = {"pk": f"CASEFILE#{file['id']}", "sk": "FILE", "kind": "case_file", **file,
                "gsi1pk": f"ARCHIVE#UNIT#{file['unit']}#{int(file['year'])}",
                "gsi1sk": f"{file['code']}#{file['id']}"}
        if file["status"] == "closed" and file.get("handover_due"):
            item |= {"gsi2pk": DUE_PARTITION, "gsi2sk": f"{file['handover_due']}#{file['id']}"}
        return item

    def add(self, uow: UnitOfWork, file: dict[str, Any]) -> None:
        """A new case file, its code claimed in its unit's year."""
        uow.add(put_op(self._file_item(file), condition="attribute_not_exists(pk)"))
        uow.add(put_op({"pk": self._list_pk(file["unit"], int(file["year"])),
                        "sk": f"CODE#{str(file['code']).upper()}", "kind": "archive_code",
                        "file_id": file["id"]}, condition="attribute_not_exists(pk)"))

    def save(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        uow.add(_over(self._file_item(after), before))

    def add_item(self, uow: UnitOfWork, file_id: str, seq: int, entry: dict[str, Any]) -> None:
        """A document filed at position ``seq``; refused if it is filed anywhere already."""
        uow.add(put_op({"pk": f"CASEFILE#{file_id}", "sk": f"ITEM#{seq:05d}",
                        "kind": "case_file_item", "seq": seq, **entry},
                       condition="attribute_not_exists(pk)"))
        uow.add(put_op({"pk": f"ARCHIVEREF#{entry['item_kind']}#{entry['ref']}", "sk": "REF",
                        "kind": "archive_ref", "file_id": file_id, "seq": seq},
                       condition="attribute_not_exists(pk)"))

    def filed_in(self, kind: str, ref: str) -> str | None:
        """The case file a document is filed in, if any."""
        claim = self.table.get(f"ARCHIVEREF#{kind}#{ref}", "REF", consistent=True)
        return str(claim["file_id"]) if claim else None

    def due(self, until: str, limit: int = 200) -> list[dict[str, Any]]:
        """Closed files to hand over with a due date before ``until`` (ISO day),
        earliest first."""
        items, _ = self.table.query_range(DUE_PARTITION, index="gsi2", low=None,
                                          below=f"{until}~", start=None, limit=limit)
        return [plain(i) or {} for i in items]

    # ---------------------------------------------------------------- disposal lists
    def disposal(self, disposal_id: str) -> dict[str, Any] | None:
        return plain(self.table.get(f"ARCHIVE#DISPOSAL#{disposal_id}", "DISPOSAL",
                                    consistent=True))

    def save_disposal(self, uow: UnitOfWork, before: dict[str, Any] | None,
                      after: dict[str, Any]) -> None:
        item = {"pk": f"ARCHIVE#DISPOSAL#{after['id']}", "sk": "DISPOSAL",
                "kind": "archive_disposal", **after}
        uow.add(_over(item, before))

    # ---------------------------------------------------------------- hand-over records
    def handover_record(self, record_id: str) -> dict[str, Any] | None:
        return plain(self.table.get(f"ARCHIVE#HANDOVER#{record_id}", "RECORD",
                                    consistent=True))

    def add_handover_record(self, uow: UnitOfWork, record: dict[str, Any]) -> None:
        uow.add(put_op({"pk": f"ARCHIVE#HANDOVER#{record['id']}", "sk": "RECORD",
                        "kind": "archive_handover_record", **record},
                       condition="attribute_not_exists(pk)"))

    # ---------------------------------------------------------------- reading grants
    def grants(self, file_id: str) -> list[dict[str, Any]]:
        """A file's reading grants (a handful: granted one by one by an archivist)."""
        page = self.table.query(f"CASEFILE#{file_id}", sk_prefix="GRANT#", limit=500,
                                consistent=True)
        return [plain(i) or {} for i in page.items]

    def grant(self, file_id: str, username: str) -> dict[str, Any] | None:
        return plain(self.table.get(f"CASEFILE#{file_id}", f"GRANT#{username}",
                                    consistent=True))

    def save_grant(self, uow: UnitOfWork, file_id: str, grant: dict[str, Any]) -> None:
        """A grant, new or replacing the person's earlier one (a new end date, or
        revoked: kept, so the file's grants tell who could read it when)."""
        uow.add(put_op({"pk": f"CASEFILE#{file_id}", "sk": f"GRANT#{grant['username']}",
                        "kind": "archive_grant", **grant}))

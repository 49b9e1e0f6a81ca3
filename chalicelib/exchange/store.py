"""Where exchange items live in the table, and the only code that knows their keys.

- agency: ``EXAGENCY#{organ_id}/AGENCY``, listed under gsi1 ``EXAGENCIES`` by OrganId;
- what we send: ``EXOUT#{doc_id}/TO#{organ_id}`` per recipient agency (state of
  our sending, the recipient's latest status and its history), and
  ``EXDOCID#{DocumentId}/OUT`` naming the outgoing document a status answers;
- what we receive: ``EXIN#{packet_id}/PACKET`` (kept whatever its outcome),
  listed under gsi1 ``EXIN`` newest first; ``EXRECV#{DocumentId}/DOC`` the
  incoming document registered from it; ``EXINDOC#{incoming_id}/FROM`` who sent
  that document, with one ``STATUS#{code}`` claim per status we answered.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table, put_op
from chalicelib.adapters.outbox import UnitOfWork


def _versioned(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return put_op(after, condition="#v = :v", names={"#v": "version"},
                  values={":v": int(before["version"])})


class ExchangeStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.table)

    # ------------------------------------------------------------ agencies

    def agency(self, organ_id: str) -> dict[str, Any] | None:
        return self.table.get(f"EXAGENCY#{organ_id}", "AGENCY", consistent=True)

    def agencies(self, limit: int = 1000) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while len(out) < limit:
            page = self.table.query("EXAGENCIES", index="gsi1", limit=200, cursor=cursor)
            out.extend(page.items)
            cursor = page.cursor
            if not cursor:
                break
        return out[:limit]

    def save_agency(self, uow: UnitOfWork, before: dict[str, Any] | None,
                    after: dict[str, Any]) -> None:
        item = {**after, "pk": f"EXAGENCY#{after['organ_id']}", "sk": "AGENCY",
                "kind": "exchange_agency", "gsi1pk": "EXAGENCIES", "gsi1sk": after["organ_id"]}
        uow.add(_versioned(before, item) if before else
                put_op(item, condition="attribute_not_exists(pk)"))

    # ------------------------------------------------------------ sending

    def recipients(self, doc_id: str) -> list[dict[str, Any]]:
        return self.table.query(f"EXOUT#{doc_id}", sk_prefix="TO#", limit=200,
                                consistent=True).items

    def recipient(self, doc_id: str, organ_id: str) -> dict[str, Any] | None:
        return self.table.get(f"EXOUT#{doc_id}", f"TO#{organ_id}", consistent=True)

    def add_recipient(self, uow: UnitOfWork, item: dict[str, Any]) -> None:
        uow.add(put_op({**item, "pk": f"EXOUT#{item['doc_id']}", "sk": f"TO#{item['organ_id']}",
                        "kind": "exchange_recipient"}, condition="attribute_not_exists(pk)"))

    def save_recipient(self, uow: UnitOfWork, before: dict[str, Any],
                       after: dict[str, Any]) -> None:
        uow.add(_versioned(before, after))

    def sent_document(self, document_id: str) -> dict[str, Any] | None:
        return self.table.get(f"EXDOCID#{document_id}", "OUT", consistent=True)

    def name_sent_document(self, uow: UnitOfWork, document_id: str, doc_id: str) -> None:
        uow.add(put_op({"pk": f"EXDOCID#{document_id}", "sk": "OUT", "kind": "exchange_docid",
                        "doc_id": doc_id, "document_id": document_id}))

    # ------------------------------------------------------------ receiving

    def packet(self, packet_id: str) -> dict[str, Any] | None:
        return self.table.get(f"EXIN#{packet_id}", "PACKET", consistent=True)

    def packet_op(self, item: dict[str, Any], *, new: bool) -> dict[str, Any]:
        full = {**item, "pk": f"EXIN#{item['id']}", "sk": "PACKET", "kind": "exchange_packet",
                "gsi1pk": "EXIN", "gsi1sk": f"{item['received_at']}#{item['id']}"}
        if new:
            return put_op(full, condition="attribute_not_exists(pk)")
        return put_op(full, condition="#o = :o", names={"#o": "outcome"},
                      values={":o": "processing"})

    def add_packet(self, item: dict[str, Any]) -> bool:
        """The packet's record, once per delivery; False if it exists already."""
        uow = self.unit_of_work()
        return uow.commit_unless_done([self.packet_op(item, new=True)])

    def packets(self, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        page = self.table.query("EXIN", index="gsi1", limit=limit, cursor=cursor, forward=False)
        return page.items, page.cursor

    def received(self, document_id: str) -> dict[str, Any] | None:
        return self.table.get(f"EXRECV#{document_id}", "DOC", consistent=True)

    def received_op(self, document_id: str, incoming_id: str, sender: str,
                    packet_id: str) -> dict[str, Any]:
        """Refused if this DocumentId was registered before: one document, one số đến."""
        return put_op({"pk": f"EXRECV#{document_id}", "sk": "DOC", "kind": "exchange_received",
                       "document_id": document_id, "incoming_id": incoming_id,
                       "sender": sender, "packet_id": packet_id},
                      condition="attribute_not_exists(pk)")

    def origin_op(self, incoming_id: str, sender: str, document_id: str) -> dict[str, Any]:
        return put_op({"pk": f"EXINDOC#{incoming_id}", "sk": "FROM", "kind": "exchange_origin",
                       "incoming_id": incoming_id, "sender": sender,
                       "document_id": document_id})

    def origin(self, incoming_id: str) -> dict[str, Any] | None:
        return self.table.get(f"EXINDOC#{incoming_id}", "FROM", consistent=True)

    def claim_status(self, incoming_id: str, code: str) -> bool:
        """Each status is answered once per document, however often events come."""
        return self.table.put_new({"pk": f"EXINDOC#{incoming_id}", "sk": f"STATUS#{code}",
                                   "kind": "exchange_status_claim"})

    def claimed_statuses(self, incoming_id: str) -> list[str]:
        items = self.table.query(f"EXINDOC#{incoming_id}", sk_prefix="STATUS#",
                                 consistent=True).items
        return [str(i["sk"]).removeprefix("STATUS#") for i in items]

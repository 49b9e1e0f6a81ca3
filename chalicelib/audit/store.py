"""Where the audit trail lives in the table, and the only code that knows its keys.

Each chain is one partition ``AUDIT#{chain}``: its entries ``E#{seq:012}``
(in order, never updated or deleted: every write is conditional on the entry
not existing) and its head ``HEAD`` (seq, hash), which moves only from the
sequence number the writer read, so two concurrent writers cannot fork a chain.

Readings (a view, a download) are ``R#{at}#{id}`` items beside the chain, not in
it: each is one unconditional-on-the-head put, so readers never serialize on the
head and never conflict with each other or with a writer (#21). Signed
checkpoints of the head are ``CP#{seq:012}`` (see ``audit.anchor``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table, put_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.ports import UnitOfWork as UnitOfWorkPort


def partition(chain: str) -> str:
    return f"AUDIT#{chain}"


class AuditStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.table)

    def head(self, chain: str) -> ChainHead | None:
        """The chain's head as last committed; None for a chain never written."""
        item = self.table.get(partition(chain), "HEAD", consistent=True)
        if item is None:
            return None
        return ChainHead(chain, int(item["seq"]), str(item["hash"]))

    def entries(self, chain: str) -> list[dict[str, Any]]:
        return self._all(chain, "E#")

    def readings(self, chain: str) -> list[dict[str, Any]]:
        return self._all(chain, "R#")

    def add_reading(self, chain: str, entry: dict[str, Any]) -> None:
        """One reading on its own: its key is new (time and a random id), so the
        condition only guards against overwriting, never against another reader."""
        self.table.put({"pk": partition(chain), "sk": f"R#{entry['at']}#{entry['id']}",
                        "kind": "audit_reading", **entry},
                       condition="attribute_not_exists(pk)")

    def _all(self, chain: str, prefix: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(partition(chain), sk_prefix=prefix, limit=500,
                                    cursor=cursor)
            out.extend(page.items)
            cursor = page.cursor
            if not cursor:
                return out

    @staticmethod
    def add(uow: UnitOfWorkPort, head: ChainHead, entry: dict[str, Any]) -> None:
        """The entry after ``head`` and the head moved onto it (the writes need no
        read, so any unit of work takes them)."""
        pk = partition(head.chain)
        uow.add(put_op({"pk": pk, "sk": f"E#{entry['seq']:012d}", "kind": "audit", **entry},
                       condition="attribute_not_exists(pk)"))
        head_item = {"pk": pk, "sk": "HEAD", "kind": "audit_head",
                     "seq": entry["seq"], "hash": entry["hash"], "updated_at": entry["at"]}
        if head.seq == 0:
            uow.add(put_op(head_item, condition="attribute_not_exists(pk)"))
        else:
            uow.add(put_op(head_item, condition="#seq = :prev", names={"#seq": "seq"},
                           values={":prev": head.seq}))

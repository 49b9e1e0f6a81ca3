"""Where the audit trail lives in the table, and the only code that knows its keys.

Each chain is one partition ``AUDIT#{chain}``: its entries ``E#{seq:012}``
(in order, never updated or deleted: every write is conditional on the entry
not existing) and its head ``HEAD`` (seq, hash), which moves only from the
sequence number the writer read, so two concurrent writers cannot fork a chain.

Readings (a view, a download) are ``R#{at}#{id}`` items beside the chain, not in
it: each is one unconditional-on-the-head put, so readers never serialize on the
head and never conflict with each other or with a writer (#21). Signed
checkpoints of the head live in their own partition ``AUDITCP#{chain}`` as
``CP#{seq:012}``, so that IAM can let only the anchoring job write them (a
``dynamodb:LeadingKeys`` condition sees partitions, not sort keys); see
``audit.anchor``. Every head also sits in the sparse index ``gsi1`` under
``AUDIT#HEADS`` by the time it last moved, which is how the job finds the
chains to anchor without a Scan.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import put_op
from chalicelib.adapters.outbox import TableStore
from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.ports import UnitOfWork as UnitOfWorkPort


def partition(chain: str) -> str:
    return f"AUDIT#{chain}"


def checkpoint_partition(chain: str) -> str:
    return f"AUDITCP#{chain}"


HEADS = "AUDIT#HEADS"
# The anchoring job's own record of how far it has looked (not a chain).
JOB_PK, JOB_SK = "AUDITCP#_job", "WATERMARK"


class AuditStore(TableStore):
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

    # ------------------------------------------------------------- anchoring

    def checkpoints(self, chain: str) -> list[dict[str, Any]]:
        """The chain's signed checkpoints, oldest first."""
        return self._all(chain, "CP#", pk=checkpoint_partition(chain))

    def has_checkpoint(self, chain: str, seq: int) -> bool:
        return self.table.get(checkpoint_partition(chain), f"CP#{seq:012d}") is not None

    def add_checkpoint(self, chain: str, item: dict[str, Any]) -> bool:
        """Whether it was written (False: that seq was anchored already)."""
        return self.table.put_new({"pk": checkpoint_partition(chain),
                                   "sk": f"CP#{int(item['seq']):012d}",
                                   "kind": "audit_checkpoint", **item})

    def heads_moved_since(self, since: str, *, limit: int = 5000) -> list[dict[str, Any]]:
        """Heads whose last move is at or after ``since`` (ISO text), oldest first;
        at most ``limit`` (the rest wait for the next run)."""
        out: list[dict[str, Any]] = []
        start = None
        while len(out) < limit:
            items, start = self.table.query_range(HEADS, index="gsi1", low=since or None,
                                                  below=None,
                                                  start=start, limit=min(500, limit))
            out.extend(items)
            if not start:
                break
        return [{"chain": i["chain"], "seq": int(i["seq"]), "hash": str(i["hash"]),
                 "updated_at": str(i["updated_at"])} for i in out[:limit] if i.get("chain")]

    def watermark(self) -> str | None:
        item = self.table.get(JOB_PK, JOB_SK, consistent=True)
        return str(item["since"]) if item else None

    def set_watermark(self, since: str) -> None:
        self.table.put({"pk": JOB_PK, "sk": JOB_SK, "kind": "audit_anchor_job",
                        "since": since})

    def _all(self, chain: str, prefix: str, *, pk: str | None = None
             ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(pk or partition(chain), sk_prefix=prefix, limit=500,
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
        head_item = {"pk": pk, "sk": "HEAD", "kind": "audit_head", "chain": head.chain,
                     "seq": entry["seq"], "hash": entry["hash"], "updated_at": entry["at"],
                     "gsi1pk": HEADS, "gsi1sk": f"{entry['at']}#{head.chain}"}
        if head.seq == 0:
            uow.add(put_op(head_item, condition="attribute_not_exists(pk)"))
        else:
            uow.add(put_op(head_item, condition="#seq = :prev", names={"#seq": "seq"},
                           values={":prev": head.seq}))

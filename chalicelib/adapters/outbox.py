"""Transactional outbox: a change and the events it raises are committed together.

Each event is written as an item in the same DynamoDB transaction as the change,
in a sparse index partition ``OUTBOX`` (gsi1). The workflow step removes it from
that index once every subscriber has run, so whatever is still there after a
few minutes was never delivered (the process died between commit and publish,
or SQS refused it) and the sweeper publishes it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from chalicelib.adapters.dynamo import Table, put_op
from chalicelib.kernel import ports
from chalicelib.kernel.events import DomainEvent, iso, utcnow

OUTBOX_PARTITION = "OUTBOX"
RETENTION = timedelta(days=30)


def event_item(event: DomainEvent) -> dict[str, Any]:
    return {
        "pk": f"EVENT#{event.id}",
        "sk": "EVENT",
        "kind": "event",
        "type": event.type,
        "subject_id": event.subject_id,
        "body": event.to_json(),
        "gsi1pk": OUTBOX_PARTITION,
        "gsi1sk": f"{event.occurred_at}#{event.id}",
        "expires_at": int((utcnow() + RETENTION).timestamp()),
    }


class UnitOfWork(ports.UnitOfWork):
    """Collects the writes of one change; ``commit`` makes them one transaction and
    then publishes the events it raised (best effort: the sweeper covers a failed
    or interrupted publish). ``publish=False`` leaves publishing to the caller."""

    def __init__(self, table: Table | None = None, *, publish: bool = True) -> None:
        self.table = table or Table()
        self.publish = publish
        self.operations: list[dict[str, Any]] = []
        self.events: list[DomainEvent] = []
        self.counts: dict[tuple[str, str], dict[str, int]] = {}

    def add(self, operation: dict[str, Any]) -> None:
        self.operations.append(operation)

    def count(self, pk: str, sk: str, **fields: int) -> None:
        """Add to counters of one item (``kind`` ``stats``). Every count of the change
        for the same item becomes a single update at commit: a transaction may
        write an item only once, and one change often counts twice in one place (two
        officers of a unit assigned, a part and an action of the same person)."""
        row = self.counts.setdefault((pk, sk), {})
        for name, amount in fields.items():
            row[name] = row.get(name, 0) + amount

    def emit(self, event: DomainEvent) -> None:
        self.events.append(event)

    def _count_ops(self) -> list[dict[str, Any]]:
        ops = []
        for (pk, sk), row in self.counts.items():
            fields = {f: n for f, n in row.items() if n}
            if not fields:
                continue
            names = {f"#f{i}": f for i, f in enumerate(fields)}
            values: dict[str, Any] = {f":v{i}": n for i, n in enumerate(fields.values())}
            values[":k"] = "stats"
            ops.append({"Update": {
                "Key": {"pk": pk, "sk": sk},
                "UpdateExpression": "ADD " + ", ".join(f"#f{i} :v{i}" for i in range(len(fields)))
                                    + " SET kind = :k",
                "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}})
        return ops

    def commit(self) -> list[DomainEvent]:
        ops = (self.operations + self._count_ops()
               + [put_op(event_item(e)) for e in self.events])
        if len(ops) > 100:
            raise ValueError("a DynamoDB transaction holds at most 100 items")
        self.table.transact(ops)
        committed, self.operations, self.events, self.counts = self.events, [], [], {}
        if self.publish and committed:
            from chalicelib.adapters.queue import publish_safely

            publish_safely(committed)
        return committed


def mark_delivered(table: Table, event_id: str) -> None:
    """Take the event out of the outbox index; the item stays for the record."""
    table.update(
        f"EVENT#{event_id}",
        "EVENT",
        "REMOVE gsi1pk, gsi1sk SET delivered_at = :now",
        values={":now": iso(utcnow())},
    )


def undelivered(table: Table, older_than: timedelta, limit: int = 100) -> list[DomainEvent]:
    cutoff = iso(utcnow() - older_than)
    page = table.query(OUTBOX_PARTITION, index="gsi1", sk_before=cutoff, limit=limit)
    return [DomainEvent.from_json(i["body"]) for i in page.items]


__all__: Sequence[str] = ["UnitOfWork", "event_item", "mark_delivered", "undelivered"]


class TableStore:
    """What every capability's store starts from: the table it alone reads and
    writes with its own keys, and units of work over that table."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.table)

"""The table as the search index's writer sees it: every incoming document
(for a rebuild), and the posting items of the engine before Tantivy, which a
migration deletes. The only code of ``search`` that knows the table's keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.adapters.dynamo import Table, from_dynamo, to_dynamo


def _scan(table: Table, kind: str, projection: str | None = None,
          after: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
    from chalicelib.adapters.aws import client

    args: dict[str, Any] = {"TableName": table.name, "FilterExpression": "#k = :k",
                            "ExpressionAttributeNames": {"#k": "kind"},
                            "ExpressionAttributeValues": {":k": {"S": kind}}}
    if projection:
        args["ProjectionExpression"] = projection
    start = to_dynamo(after) if after else None
    while True:
        # A scan goes on after any item's key, not only a page's last: a chunked
        # rebuild resumes after the last document it committed.
        page = client("dynamodb").scan(**args, **({"ExclusiveStartKey": start} if start else {}))
        for raw in page.get("Items", []):
            yield from_dynamo(raw)
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def incoming_documents(table: Table, after: dict[str, str] | None = None
                       ) -> Iterator[dict[str, Any]]:
    """Every incoming document record, in the scan's order (rebuilds only);
    ``after``: the ``resume_key`` of the last one already read."""
    return _scan(table, "incoming", after=after)


def resume_key(doc: dict[str, Any]) -> dict[str, str]:
    """Where a scan of ``incoming_documents`` goes on after ``doc`` (JSON-ready)."""
    return {"pk": str(doc["pk"]), "sk": str(doc["sk"])}


def delete_old_postings(table: Table) -> int:
    """Delete the posting items (``DOC#{id}`` / ``TERM#…``) of the former engine."""
    keys = [{"pk": i["pk"], "sk": i["sk"]} for i in _scan(table, "posting", "pk, sk, #k")
            if str(i["sk"]).startswith("TERM#")]
    for start in range(0, len(keys), 500):
        table.batch_write(deletes=keys[start:start + 500])
    return len(keys)

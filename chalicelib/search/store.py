"""Where the search index lives in the table, and the only code that knows its keys.

For every scope that may see a document and every term of it, a posting
``DOC#{id}/TERM#{scope}#{term}`` sits in the gsi1 partition
``T#{scope}#incoming#{term}`` / ``{arrival_at}#{id}``, newest first. The
postings of one document are hundreds of items, more than a transaction holds:
they are rewritten by batch writes, outside any unit of work.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.access import Kind

KIND = Kind.INCOMING.value
INDEX = "gsi1"


def posting_partition(scope: str, term: str) -> str:
    return f"T#{scope}#{KIND}#{term}"


def posting(doc: dict[str, Any], scope: str, term: str) -> dict[str, Any]:
    """The posting of ``term`` for a document seen under ``scope``."""
    return {"pk": f"DOC#{doc['id']}", "sk": posting_sort_key(scope, term), "kind": "posting",
            "doc_id": doc["id"], "scope": scope, "gsi1pk": posting_partition(scope, term),
            "gsi1sk": f"{doc['arrival_at']}#{doc['id']}"}


def posting_sort_key(scope: str, term: str) -> str:
    return f"TERM#{scope}#{term}"


def document_of(key: str) -> str:
    """The document id in a posting's sort key within its list (``{arrival}#{id}``)."""
    return key.rsplit("#", 1)[1]


class PostingStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def existing(self, doc_id: str) -> set[str]:
        """The sort keys of a document's postings as they are now."""
        out: set[str] = set()
        cursor = None
        while True:
            page = self.table.query(f"DOC#{doc_id}", sk_prefix="TERM#", limit=1000,
                                    cursor=cursor)
            out.update(i["sk"] for i in page.items)
            cursor = page.cursor
            if not cursor:
                return out

    def rewrite(self, doc_id: str, puts: list[dict[str, Any]], stale: set[str]) -> None:
        """Add these postings and delete those of ``stale`` sort keys."""
        self.table.batch_write(puts=puts,
                               deletes=[{"pk": f"DOC#{doc_id}", "sk": sk} for sk in stale])

    def keys(self, partition: str, *, low: str | None, below: str | None,
             start: dict[str, Any] | None, limit: int
             ) -> tuple[list[str], dict[str, Any] | None]:
        """One page of a posting list, newest first: the sort keys
        (``{arrival}#{id}``) with ``low <= key < below``, and where to go on."""
        items, last = self.table.query_range(partition, index=INDEX, low=low, below=below,
                                             start=start, limit=limit, forward=False)
        return [str(i["gsi1sk"]) for i in items], last

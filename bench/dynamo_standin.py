"""An in-memory stand-in for the two DynamoDB calls a search makes, answering
at the HTTP layer of botocore, for collections moto cannot hold in time.

moto answers a Query by sorting every item of the table (``Table.all_items``)
and then filtering on the partition key, so its latency grows with the whole
table. This stand-in answers the same requests from posting lists kept per
partition, so the real ``chalicelib.search.service.search()`` runs unchanged
(the real ``Table`` adapter, botocore serialisation and parsing, the same
event hooks that count requests) over 100,000 documents. It is not a
measurement of DynamoDB: it is used to *count* what a search asks of DynamoDB
(requests, items, capacity) and to time our own code with a store that costs
nothing. The benchmark checks that it answers exactly as moto does at the
sizes both can run (same requests, same items, same results).

Only what a search sends is understood: ``Query`` on gsi1 with the key
conditions ``Table.query_range`` builds (``#pk = :pk``, optionally bounded on
the sort key) with ExclusiveStartKey, Limit and ScanIndexForward, and
``GetItem`` of a list entry. Anything else raises, so a
change of the search code cannot be answered wrongly in silence.

Paging follows moto (LastEvaluatedKey only when another item follows); real
DynamoDB also returns one when a page ends exactly on the last item, which can
cost one more, empty, request per posting list.
"""

from __future__ import annotations

import bisect
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.awsrequest import AWSResponse

from bench.vi_docs import SynthDoc

KIND = "incoming"
_CONDITIONS = ("#pk = :pk", "#pk = :pk AND #sk < :hi", "#pk = :pk AND #sk >= :lo",
               "#pk = :pk AND #sk BETWEEN :lo AND :hi")


class _Raw:
    """What botocore reads a response body from (``raw.stream()``)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class SearchStandIn:
    """Posting lists of a synthetic collection, computed per partition on first
    use from ``term_docs`` (term → ascending document indexes, i.e. arrival
    order) and each document's scopes."""

    def __init__(self, table_name: str, *, n_docs: int, doc_ids: Sequence[str],
                 sort_keys: Sequence[str], scopes: Sequence[frozenset[str]],
                 term_docs: Mapping[str, Sequence[int]],
                 entry_of: Callable[[int, str], dict[str, Any] | None]) -> None:
        self.table_name = table_name
        self.n_docs = n_docs
        self.doc_ids = doc_ids
        self.sort_keys = sort_keys  # gsi1sk of document i: "{arrival_at}#{id}"
        self.scopes = scopes
        self.term_docs = term_docs
        self.entry_of = entry_of  # (doc index, scope) -> list entry item (plain)
        self.index_of = {doc_ids[i]: i for i in range(n_docs)}
        self._partitions: dict[str, list[int]] = {}
        self.busy_s = 0.0  # time spent inside the stand-in: subtracted from timings

    # --------------------------------------------------------------- data

    def partition(self, name: str) -> tuple[str, str, list[int]]:
        if not name.startswith("T#") or f"#{KIND}#" not in name:
            raise NotImplementedError(f"stand-in: not a posting partition: {name}")
        scope, term = name[2:].rsplit(f"#{KIND}#", 1)
        docs = self._partitions.get(name)
        if docs is None:
            scopes, limit = self.scopes, self.n_docs
            docs = [i for i in self.term_docs.get(term, ()) if i < limit and scope in scopes[i]]
            self._partitions[name] = docs
        return scope, term, docs

    def postings(self, name: str) -> int:
        return len(self.partition(name)[2])

    def _posting(self, i: int, scope: str, term: str, name: str) -> dict[str, Any]:
        doc_id = self.doc_ids[i]
        return {"pk": _s(f"DOC#{doc_id}"), "sk": _s(f"TERM#{scope}#{term}"),
                "kind": _s("posting"), "doc_id": _s(doc_id), "scope": _s(scope),
                "gsi1pk": _s(name), "gsi1sk": _s(self.sort_keys[i])}

    # ----------------------------------------------------------- requests

    def _query(self, body: dict[str, Any]) -> dict[str, Any]:
        names = body.get("ExpressionAttributeNames") or {}
        condition = body.get("KeyConditionExpression")
        if (body.get("TableName") != self.table_name or body.get("IndexName") != "gsi1"
                or condition not in _CONDITIONS or names.get("#pk") != "gsi1pk"
                or names.get("#sk", "gsi1sk") != "gsi1sk" or body.get("FilterExpression")
                or body.get("ProjectionExpression")):
            raise NotImplementedError(f"stand-in: unsupported Query {condition!r}")
        values = body["ExpressionAttributeValues"]
        scope, term, docs = self.partition(values[":pk"]["S"])
        name = values[":pk"]["S"]
        keys = self.sort_keys

        def position(key: str, right: bool) -> int:
            find = bisect.bisect_right if right else bisect.bisect_left
            return find(docs, key, key=lambda i: keys[i])

        # The key condition's range [first, end) of the list, ascending.
        first = position(values[":lo"]["S"], False) if ":lo" in values else 0
        if ":hi" not in values:
            end = len(docs)
        else:  # "< :hi", or BETWEEN (inclusive)
            end = position(values[":hi"]["S"], "BETWEEN" in condition)
        forward = body.get("ScanIndexForward", True)
        limit = int(body.get("Limit") or 1_000_000)
        start = body.get("ExclusiveStartKey")
        if forward:
            lo = first if not start else max(first, position(start["gsi1sk"]["S"], True))
            picked = docs[lo:min(lo + limit, end)]
            more = lo + limit < end
        else:
            hi = end if not start else min(end, position(start["gsi1sk"]["S"], False))
            picked = docs[max(first, hi - limit):hi][::-1]
            more = hi - limit > first
        items = [self._posting(i, scope, term, name) for i in picked]
        out: dict[str, Any] = {"Items": items, "Count": len(items), "ScannedCount": len(items)}
        if more and items:
            last = items[-1]
            out["LastEvaluatedKey"] = {k: last[k] for k in ("pk", "sk", "gsi1pk", "gsi1sk")}
        return out

    def _get_item(self, body: dict[str, Any]) -> dict[str, Any]:
        from chalicelib.adapters.dynamo import to_dynamo

        if body.get("TableName") != self.table_name or body.get("ProjectionExpression"):
            raise NotImplementedError("stand-in: unsupported GetItem")
        pk, sk = body["Key"]["pk"]["S"], body["Key"]["sk"]["S"]
        if not pk.startswith("DOC#") or not sk.startswith("SCOPE#"):
            raise NotImplementedError(f"stand-in: GetItem of {pk} / {sk}")
        i = self.index_of.get(pk[4:])
        entry = None
        if i is not None and i < self.n_docs and sk[6:] in self.scopes[i]:
            entry = self.entry_of(i, sk[6:])
        return {"Item": to_dynamo(entry)} if entry else {}

    def __call__(self, request: Any, event_name: str = "", **_: Any) -> AWSResponse:
        started = time.perf_counter()
        try:
            operation = event_name.rsplit(".", 1)[-1]
            body = json.loads(request.body or b"{}")
            if operation == "Query":
                out = self._query(body)
            elif operation == "GetItem":
                out = self._get_item(body)
            else:
                raise NotImplementedError(f"stand-in: {operation} is not part of a search")
            raw = json.dumps(out, ensure_ascii=False).encode("utf-8")
            headers = {"content-type": "application/x-amz-json-1.0",
                       "x-amzn-requestid": "standin", "content-length": str(len(raw))}
            return AWSResponse(request.url, 200, headers, _Raw(raw))
        finally:
            self.busy_s += time.perf_counter() - started


def entry_maker(doc_of: Callable[[int], SynthDoc]) -> Callable[[int, str], dict[str, Any] | None]:
    """List entries exactly as incoming/service writes them, made on demand."""
    from chalicelib.incoming.store import scope_entries

    cache: dict[int, dict[str, dict[str, Any]]] = {}

    def entry_of(i: int, scope: str) -> dict[str, Any] | None:
        entries = cache.get(i)
        if entries is None:
            entries = {e["sk"][6:]: e for e in scope_entries(doc_of(i).item())}
            cache[i] = entries
        return entries.get(scope)

    return entry_of

"""Lists restricted by key design: one partition per scope the caller holds
(their own, their unit's, the agency's), merged newest first.

Nothing is fetched that the caller may not see: every entry read is in one of
the caller's own partitions, so pages and counts reveal nothing else. An item
indexed under two of the caller's scopes (assigned to them *and* in their
unit) appears once. A date range is part of the key condition; other filters
(urgency, status) skip entries of the caller's own partitions.

The cursor records the sort key of the last entry returned; the next page
continues strictly below it in every partition.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamo import Table, put_op
from chalicelib.kernel import jsontext
from chalicelib.kernel.errors import InvalidInput
from chalicelib.kernel.events import iso, utcnow

INDEX = "gsi1"
PAGE = 100


def partition(scope: str, kind: str) -> str:
    return f"{scope}#{kind}"


@dataclass(frozen=True)
class ScopedPage:
    items: list[dict[str, Any]]
    cursor: str | None


def encode_scope_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"k": key}).encode()).decode().rstrip("=")


def decode_scope_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        data = jsontext.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = data["k"]
        if not isinstance(key, str) or "#" not in key:
            raise ValueError
        return key
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.",
                           "invalid_cursor") from exc


def _stream(table: Table, pk: str, low: str | None, high: str | None, first: int
            ) -> Iterator[dict[str, Any]]:
    """Entries of one partition with low <= sort key < high, newest first: ``first``
    of them by the first query (what a page can take from one partition, and one
    more to know whether it goes on), then ``PAGE`` at a time when filters skip
    entries, so that a page costs what it shows, not a fixed read."""
    start: dict[str, Any] | None = None
    size = first
    while True:
        items, last = table.query_range(pk, index=INDEX, low=low, below=high, start=start,
                                        limit=size, forward=False)
        yield from items
        if last is None:
            return
        start, size = last, PAGE


def list_scoped(kind: str, scopes: Iterable[str], *, limit: int = 20,
                cursor: str | None = None, since: str | None = None, until: str | None = None,
                accept: Callable[[dict[str, Any]], bool] | None = None,
                table: Table | None = None) -> ScopedPage:
    """``since``/``until``: ISO instants bounding the sort key (arrival time)."""
    table = table or Table()
    after = decode_scope_cursor(cursor)
    high = min(k for k in (after, until) if k) if (after or until) else None
    streams = {s: _stream(table, partition(s, kind), since, high, min(limit + 1, PAGE))
               for s in sorted(set(scopes))}
    heads = {s: next(it, None) for s, it in streams.items()}
    taken: list[dict[str, Any]] = []
    last_key: str | None = None
    while len(taken) < limit and any(h is not None for h in heads.values()):
        top = max(h["gsi1sk"] for h in heads.values() if h is not None)
        item = None
        for scope, head in heads.items():
            # The same item under several scopes sits at the same sort key in each.
            if head is not None and head["gsi1sk"] == top:
                item = head
                heads[scope] = next(streams[scope], None)
        assert item is not None
        last_key = top
        if accept is None or accept(item):
            taken.append(item)
    more = any(h is not None for h in heads.values())
    return ScopedPage(taken, encode_scope_cursor(last_key) if more and last_key else None)


Entries = Callable[[dict[str, Any]], list[dict[str, Any]]]


def save_with_entries(uow: Any, before: dict[str, Any], after: dict[str, Any],
                      entries: Entries) -> dict[str, Any]:
    """Write an item over the version it was read at, with its list entries
    rewritten for its scopes now (those it left are deleted). Returns the item
    as written."""
    version = int(before.get("version", 1))
    after = {**after, "version": version + 1, "updated_at": iso(utcnow())}
    uow.add(put_op(after, condition="#v = :v", names={"#v": "version"}, values={":v": version}))
    old = {e["sk"] for e in entries(before)}
    new = {e["sk"]: e for e in entries(after)}
    for sk in old - new.keys():
        uow.add({"Delete": {"Key": {"pk": after["pk"], "sk": sk}}})
    for entry in new.values():
        uow.add(put_op(entry))
    return after

"""Which part of a global index partition a query with a ``Limit`` reads (part
of the moto 5.2.5 patch, used by ``moto_patches``).

moto sorts every candidate it is given and walks them from the start, past the
``ExclusiveStartKey``, until it has ``Limit`` items. Given the whole index
partition (20,000 entries of the agency's incoming list in a year), a page of
21 cost a sort key and a comparison for each of the 20,000.

The patch keeps each index partition sorted in moto's order (``moto_patches.
_TableIndexes``), so a query can be handed a *window* of it: starting where
moto would start taking items (past the start key, at the first value the sort
key condition allows, in the query's direction), ``Limit + 2`` entries long.
moto runs unchanged on the window. Its answer is the answer on the whole
partition when it stopped inside the window (it returned a
``LastEvaluatedKey``: it broke off at an item of the window, having seen the
same items in the same order) or when the window reached the partition's end;
otherwise the window grows fourfold and moto runs again. Entries skipped on
the leading side are those moto would skip (before the start key) or drop
(outside the key condition) without counting them; the trailing side is never
cut short of the partition's end, because moto's ``Limit`` and 1 MB checks look
at the item after the last one it keeps.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import Any

# (sort key values, plain primary key, primary key) as moto_patches keeps them.
Entry = tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, Any]]

_LOWER = {">", "GT", ">=", "GE", "=", "EQ", "BETWEEN", "BEGINS_WITH"}
_UPPER = {"<", "LT", "<=", "LE", "=", "EQ", "BETWEEN"}


def attempts(entries: list[Entry], *, sort_attrs: list[str], range_at: int | None,
             arguments: dict[str, Any], item_of: Callable[[Entry], Any]
             ) -> Iterator[tuple[list[Any], bool]]:
    """Candidate lists to hand moto in turn, each with whether it runs to the
    partition's end in the query's direction (then moto's answer is final)."""
    limit = arguments.get("limit")
    forward = arguments.get("scan_index_forward") is not False
    lo, hi = 0, len(entries)
    try:
        if range_at is not None and not _several_range_keys(arguments):
            lo, hi = _range_bounds(entries, range_at, arguments, forward)
        start = _start(entries, sort_attrs, arguments.get("exclusive_start_key"))
    except TypeError:  # values of another type than the index holds: moto decides
        lo, hi, start = 0, len(entries), None
    if start is not None:
        if forward:
            lo = max(lo, start)
        else:
            hi = min(hi, start + 1)
    if not limit:
        yield _items(entries, lo, hi, item_of), True
        return
    size = int(limit) + 2
    while True:
        if forward:
            a, b = lo, min(len(entries), lo + size)
            complete = b >= len(entries)
        else:
            a, b = max(0, hi - size), hi
            complete = a <= 0
        yield _items(entries, a, b, item_of), complete
        if complete:
            return
        size *= 4


def _items(entries: list[Entry], a: int, b: int, item_of: Callable[[Entry], Any]
           ) -> list[Any]:
    found = (item_of(e) for e in entries[a:b])
    return [i for i in found if i is not None]


def _several_range_keys(arguments: dict[str, Any]) -> bool:
    return len(arguments.get("range_key_conditions") or []) > 1


def _range_bounds(entries: list[Entry], at: int, arguments: dict[str, Any],
                  forward: bool) -> tuple[int, int]:
    """The leading bound the sort key condition allows (a superset: moto still
    applies the condition); the trailing side stays the partition's end."""
    comparison = arguments.get("range_comparison")
    values = [v.cast_value for v in arguments.get("range_objs") or []]
    lo, hi = 0, len(entries)
    if not comparison or not values:
        return lo, hi

    def key(entry: Entry) -> tuple[Any, ...]:
        return entry[0][at:at + 1]  # () for an item without it: moto drops it

    if forward and comparison in _LOWER:
        lo = bisect.bisect_left(entries, (values[0],), key=key)
    if not forward and comparison in _UPPER:
        hi = bisect.bisect_right(entries, (values[-1],), key=key)
    return lo, hi


def _start(entries: list[Entry], sort_attrs: list[str],
           start_key: dict[str, Any] | None) -> int | None:
    """Where the ``ExclusiveStartKey`` sits (whether or not that item still exists)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if not start_key or any(a not in start_key for a in sort_attrs):
        return None
    values = tuple(DynamoType(start_key[a]).cast_value for a in sort_attrs)
    return bisect.bisect_left(entries, (values,))

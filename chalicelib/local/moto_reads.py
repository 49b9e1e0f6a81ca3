"""Make moto's DynamoDB reads cost what they return (moto 5.2.5, applied by
``moto_patches.apply()`` after its version check).

moto 5.2.5 answers a read with more work than the answer needs:

- ``Table.query`` deep-copies every item that matched the key condition, whole,
  and only then applies the index projection, the ``FilterExpression`` and the
  ``ProjectionExpression``; ``Table.scan`` copies each item before projecting.
  A page of 20 dossiers asked for ten fields copied 20 whole dossiers (steps,
  slip, timeline: ~1,300 Python objects each).
- ``Item.project`` converts the *whole* item to plain JSON (every attribute
  deep-copied and deserialized) to pick the projected paths out of it.

Here:

- ``Item.project`` converts only the top-level attributes its paths start at,
  so its answer is moto's and its cost is that of the projected attributes;
- ``Table.query`` and ``Table.scan`` run moto's own code with the in-place copy
  made free, and afterwards deep-copy only the answers that still *are* stored
  items (no projection, or an index projecting ALL). A projected answer is
  already a new item built from plain JSON (``Item.project``), so it shares no
  value with the table and needs no copy; rows a ``FilterExpression`` drops are
  no longer copied at all.

Why stored answers are still copied: moto changes stored items in place
(``update_item`` and a transaction's Update run the update expression on the
stored ``Item``), so an answer that is a stored item could change under a
response being serialized on another thread. Items are not immutable once
stored, so the copy stays for them.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable
from typing import Any

_scope = threading.local()
# moto's own pattern for a list element in a projection path (find_nested_key).
_LIST_ELEMENT = re.compile(r"(.+)\[(\d+)\]$")


def install(originals: dict[str, Any]) -> None:
    """Patch the read path; ``originals`` receives what was replaced."""
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    originals.update(item_project=Item.project, scan=Table.scan, table_copy=table_module.copy)
    Item.project = _project(Item.project)
    Table.query = _copy_only_stored(Table.query)
    Table.scan = _copy_only_stored(Table.scan)
    # Inside a patched query or scan a deep copy is the object itself: the copy
    # is made afterwards, of the stored answers only.
    table_module.copy = CopyShim(  # type: ignore[assignment]
        lambda _: getattr(_scope, "uncopied", False))


def _project(original: Any) -> Any:
    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        # moto looks each path up from its first element (with or without a
        # trailing [n]); an item holding just those attributes projects the same.
        names: set[str] = set()
        for path in projection_expressions:
            names.add(path[0])
            element = _LIST_ELEMENT.match(path[0])
            if element:
                names.add(element.group(1))
        partial = type(self).__new__(type(self))
        partial.hash_key, partial.range_key = self.hash_key, self.range_key
        partial.attrs = {n: self.attrs[n] for n in names if n in self.attrs}
        return original(partial, projection_expressions)

    return project


def _copy_only_stored(original: Any) -> Any:
    def read(self: Any, *args: Any, **kwargs: Any) -> Any:
        previous = getattr(_scope, "uncopied", False)
        _scope.uncopied = True
        try:
            results, scanned_count, last_evaluated_key = original(self, *args, **kwargs)
        finally:
            _scope.uncopied = previous
        answer = [copy.deepcopy(r) if stored_item(self, (r.hash_key, r.range_key)) is r
                  else r for r in results]
        return answer, scanned_count, last_evaluated_key

    return read


def stored_item(table: Any, key: tuple[Any, Any]) -> Any:
    """The item stored at (hash, range) key in moto's table, or None."""
    hash_key, range_key = key
    if table.range_key_attr:
        partition = table.items.get(hash_key)  # .get: items is a defaultdict
        return None if partition is None else partition.get(range_key)
    return table.items.get(hash_key)


class CopyShim:
    """What a moto module sees in place of the ``copy`` module: the same, except
    that a deep copy of an object ``uncopied`` accepts is the object itself."""

    def __init__(self, uncopied: Callable[[Any], bool]) -> None:
        self.uncopied = uncopied

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, obj: Any, memo: Any = None) -> Any:
        return obj if self.uncopied(obj) else copy.deepcopy(obj, memo)

"""Make moto's DynamoDB cost proportional to the items a request touches.

moto 5.2.5 (the pinned version) does two things that grow with the whole table:

- ``TransactWriteItems`` deep-copies every table it names before it starts, so
  that a failed transaction can put the copy back. At demo size that is ~4 MB
  per call; a department's year makes every transaction copy hundreds of MB.
- ``Query`` builds its candidates from ``Table.all_items()``, which lists and
  sorts every item of the table, and then keeps those of the asked partition.

This module replaces both, for the pinned version only (and installs
``moto_reads``: reads that copy only what they return):

- a transaction snapshots (deep-copies) only the items its operations name,
  and a rollback puts back just those (absent items are removed again);
- a query whose key condition names the partition reads that partition:
  ``Table.items[hash]`` for the table and local indexes, and for a global
  index a map from index key to primary keys that is kept up to date by every
  write (built on the first query of that index). moto's own query code then
  runs unchanged on those candidates: sort order, ``ScanIndexForward``,
  ``Limit``, ``ExclusiveStartKey``, range conditions, filters and projection
  are moto's. A global index query with a ``Limit`` gets a window of its
  partition, not all of it (``moto_windows``).

Another moto version may have changed any of this, so ``apply()`` refuses it
with a warning and leaves moto alone: upgrading moto means re-reading its
DynamoDB model and moving ``PINNED`` on purpose.
"""

from __future__ import annotations

import bisect
import copy
import threading
import warnings
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from chalicelib.local import moto_reads, moto_windows

PINNED = "5.2.5"

_applied = False
_lock = threading.RLock()  # one lock for index upkeep; moto itself is not thread-safe
_scope = threading.local()  # the candidates of the query running on this thread
_indexes: weakref.WeakKeyDictionary[Any, _TableIndexes] = weakref.WeakKeyDictionary()
_ORIGINALS: dict[str, Any] = {}

Key = tuple[Any, Any]  # (hash DynamoType, range DynamoType | None)


def apply() -> bool:
    """Patch moto in this process (idempotent). Returns whether the patch is on."""
    global _applied
    import moto

    if _applied:
        return True
    if moto.__version__ != PINNED:
        warnings.warn(
            f"chalicelib.local.moto_patches was written for moto {PINNED}, found "
            f"{moto.__version__}: not applied (transactions copy whole tables, queries "
            "sort whole tables). Re-read moto's DynamoDB model and update PINNED.",
            RuntimeWarning, stacklevel=2)
        return False
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    originals = {
        "put_item": Table.put_item, "delete_item": Table.delete_item,
        "query": Table.query, "all_items": Table.all_items,
        "update_item": DynamoDBBackend.update_item,
        "transact_write_items": DynamoDBBackend.transact_write_items,
    }
    Table.put_item = _put_item(originals["put_item"])
    Table.delete_item = _delete_item(originals["delete_item"])
    Table.query = _query(originals["query"])
    Table.all_items = _all_items(originals["all_items"])
    DynamoDBBackend.update_item = _update_item(originals["update_item"])
    DynamoDBBackend.transact_write_items = _transact_write_items(
        originals["transact_write_items"])
    import moto.dynamodb.models as models

    # While a transaction runs on this thread, a deep copy of one of its
    # backend's tables is the table itself (_tables_not_copied).
    models.copy = moto_reads.CopyShim(  # type: ignore[assignment]
        lambda obj: id(obj) in getattr(_scope, "uncopied", ()))
    moto_reads.install(originals)
    _ORIGINALS.update(originals)
    _applied = True
    return True


def is_applied() -> bool:
    return _applied


def originals() -> dict[str, Any]:
    """What the patch replaced (moto's own functions), by name: lets a test put
    moto back as it was and compare answers."""
    return dict(_ORIGINALS)


# ------------------------------------------------------------ global indexes


class _TableIndexes:
    """For each global index: index key values → its items in moto's query order
    (as (sort key, primary key) entries, kept sorted on every write), and for each
    primary key where it sits, so that a write moves it. moto still sorts what it
    gets; sorted input makes that sort linear."""

    def __init__(self) -> None:
        self.by_index: dict[str, dict[tuple[Any, ...], list[Entry]]] = {}
        self.hash_attrs: dict[str, tuple[str, ...]] = {}
        self.sort_attrs: dict[str, list[str]] = {}
        self.where: dict[str, dict[Key, tuple[tuple[Any, ...], Entry]]] = {}

    def build(self, table: Any, index: Any, hash_attrs: tuple[str, ...]) -> None:
        name = index.name
        self.by_index[name], self.where[name] = {}, {}
        self.hash_attrs[name] = hash_attrs
        self.sort_attrs[name] = _sort_attrs(table, index, hash_attrs)
        for hash_set in table.items.values():
            items = hash_set.values() if table.range_key_attr else [hash_set]
            for item in items:
                self._place(name, (item.hash_key, item.range_key), item)

    def _place(self, name: str, key: Key, item: Any) -> None:
        values = []
        for attr in self.hash_attrs[name]:
            value = item.attrs.get(attr) if item is not None else None
            if not value:  # moto's own test: an item without the key is not indexed
                return
            values.append(value)
        index_key = tuple(values)
        entry = (_sort_key(item, self.sort_attrs[name]), _plain(key), key)
        bisect.insort(self.by_index[name].setdefault(index_key, []), entry)
        self.where[name][key] = (index_key, entry)

    def refresh(self, table: Any, key: Key) -> None:
        item = moto_reads.stored_item(table, key)
        for name in self.by_index:
            old = self.where[name].pop(key, None)
            if old is not None:
                index_key, entry = old
                bucket = self.by_index[name][index_key]
                at = bisect.bisect_left(bucket, entry)
                if at < len(bucket) and bucket[at] == entry:
                    del bucket[at]
                else:  # not where its key says: moto changed a value in place
                    bucket[:] = [e for e in bucket if e[2] != key]
                if not bucket:
                    del self.by_index[name][index_key]
            self._place(name, key, item)

    def entries(self, name: str, index_key: tuple[Any, ...]) -> list[Entry]:
        """A snapshot of one index partition's entries, in moto's order."""
        return list(self.by_index[name].get(index_key, ()))


Entry = tuple[tuple[Any, ...], tuple[Any, ...], Key]


def _sort_attrs(table: Any, index: Any, hash_attrs: tuple[str, ...]) -> list[str]:
    """The attributes moto's query sorts a global index's items by (Table.query)."""
    index_range = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    if index_range:
        range_attrs: list[str | None] = [*index_range, table.range_key_attr]
    else:
        range_attrs = [table.range_key_attr or table.hash_key_attr, table.range_key_attr]
    return list(table._generate_attr_to_sort_by([*hash_attrs, table.hash_key_attr],
                                                range_attrs))


def _sort_key(item: Any, attrs: list[str]) -> tuple[Any, ...]:
    # Plain values, copied now: moto may later change a DynamoType in place.
    values = []
    for attr in attrs:
        value = item.attrs.get(attr)
        if value is None:
            return ()  # moto drops such an item from the answer; first is as good as any
        values.append(value.cast_value)
    return tuple(values)


def _plain(key: Key) -> tuple[Any, ...]:
    hash_key, range_key = key
    return (hash_key.cast_value, None if range_key is None else range_key.cast_value)


def _refresh(table: Any, keys: Iterable[Key]) -> None:
    indexes = _indexes.get(table)
    if indexes is None:
        return
    with _lock:
        for key in keys:
            indexes.refresh(table, key)


def _global_attempts(table: Any, index: Any, conditions: dict[str, Any],
                     arguments: dict[str, Any]) -> Iterator[tuple[list[Any], bool]] | None:
    hash_attrs = tuple(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
    if not hash_attrs or any(attr not in conditions for attr in hash_attrs):
        return None
    with _lock:
        indexes = _indexes.get(table)
        if indexes is None:
            indexes = _indexes[table] = _TableIndexes()
        if indexes.hash_attrs.get(index.name) != hash_attrs:
            indexes.build(table, index, hash_attrs)
        entries = indexes.entries(index.name, tuple(conditions[attr] for attr in hash_attrs))
        sort_attrs = indexes.sort_attrs[index.name]
    has_range = any(k["KeyType"] == "RANGE" for k in index.schema)
    return moto_windows.attempts(
        entries, sort_attrs=sort_attrs, range_at=len(hash_attrs) if has_range else None,
        arguments=arguments, item_of=lambda entry: moto_reads.stored_item(table, entry[2]))


# ------------------------------------------------------------ the patches


def _put_item(original: Any) -> Any:
    def put_item(self: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        item = original(self, item_attrs, *args, **kwargs)
        _refresh(self, [(item.hash_key, item.range_key)])
        return item

    return put_item


def _delete_item(original: Any) -> Any:
    def delete_item(self: Any, hash_key: Any, range_key: Any) -> Any:
        item = original(self, hash_key, range_key)
        _refresh(self, [(hash_key, range_key if self.range_key_attr else None)])
        return item

    return delete_item


def _update_item(original: Any) -> Any:
    # moto updates the item object in place, so its global index keys move
    # without put_item being called.
    def update_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            item = original(self, table_name, *args, **kwargs)
        except Exception:
            # A failed update may have changed the item before failing.
            key = _key_of_request(self.get_table(table_name),
                                  kwargs.get("key", args[0] if args else None))
            if key is not None:
                _refresh(self.get_table(table_name), [key])
            raise
        _refresh(self.get_table(table_name), [(item.hash_key, item.range_key)])
        return item

    return update_item


def _all_items(original: Any) -> Any:
    def all_items(self: Any) -> Any:
        scoped = getattr(_scope, "candidates", None)
        if scoped is not None and scoped[0] is self:
            return scoped[1]
        return original(self)

    return all_items


def _query(original: Any) -> Any:
    """Hand moto's query the asked partition as "all items": moto keeps only
    the items matching the key condition anyway, so a superset of the partition
    gives the same answer as the whole table."""

    import inspect

    signature = inspect.signature(original)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # moto's backend passes index_name positionally, key conditions by name.
        bound = signature.bind(self, hash_key, *args, **kwargs).arguments
        attempts = _partition(self, hash_key, bound)
        if attempts is None:
            return original(self, hash_key, *args, **kwargs)
        for candidates, complete in attempts:
            previous = getattr(_scope, "candidates", None)
            _scope.candidates = (self, candidates)
            try:
                answer = original(self, hash_key, *args, **kwargs)
            finally:
                _scope.candidates = previous
            # A LastEvaluatedKey: moto broke off inside the window, as it would
            # have on the whole partition (moto_windows).
            if complete or answer[2] is not None:
                return answer
        raise AssertionError("the last window reaches the partition's end")

    return query


def _partition(table: Any, hash_key: Any, arguments: dict[str, Any]
               ) -> Iterator[tuple[list[Any], bool]] | None:
    from moto.dynamodb.models.table import GlobalSecondaryIndex

    index_name = arguments.get("index_name")
    conditions = dict(arguments.get("hash_key_conditions") or [])
    if index_name:
        index = next((i for i in table.all_indexes() if i.name == index_name), None)
        if index is None:
            return None  # moto raises its own validation error
        if isinstance(index, GlobalSecondaryIndex):
            return _global_attempts(table, index, conditions, arguments)
        # A local index shares the table's partition key.
        hash_key = conditions.get(table.hash_key_attr, hash_key)
    if hash_key is None:
        return None
    if table.range_key_attr:
        partition = table.items.get(hash_key)
        return iter([([] if partition is None else list(partition.values()), True)])
    item = table.items.get(hash_key)
    return iter([([] if item is None else [item], True)])


def _key_of_request(table: Any, key: Any) -> Key | None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    if not isinstance(key, dict) or table.hash_key_attr not in key:
        return None
    range_value = None
    if table.range_key_attr:
        if table.range_key_attr not in key:
            return None
        range_value = DynamoType(key[table.range_key_attr])
    return (DynamoType(key[table.hash_key_attr]), range_value)


def _transact_write_items(original: Any) -> Any:
    """moto's transaction with its backup narrowed to the items it names.

    moto's own function takes ``copy.deepcopy(table)`` of each named table and
    puts the copy back on failure. Here the same function runs with that copy
    made free (the table itself stands in for its copy, so moto's "restore" is a
    no-op), and the named items are snapshotted and restored around it."""

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        if len(transact_items) > 100:
            return original(self, transact_items)  # moto's own refusal, nothing touched
        touched = _snapshot(self, transact_items)
        try:
            with _tables_not_copied(self):
                return original(self, transact_items)
        except BaseException:
            _restore(touched)
            raise

    return transact_write_items


def _snapshot(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Key, Any]]:
    touched: list[tuple[Any, Key, Any]] = []
    for entry in transact_items:
        try:
            _, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName"))
            if table is None:
                continue
            if "Item" in op:
                attrs = op["Item"]
                key_attrs = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr:
                    key_attrs[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key_attrs = op["Key"]
            key = _key_of_request(table, key_attrs)
        except (AttributeError, KeyError, StopIteration, TypeError):
            continue  # moto rejects the operation before it writes anything
        if key is not None:
            touched.append((table, key, copy.deepcopy(moto_reads.stored_item(table, key))))
    return touched


def _restore(touched: list[tuple[Any, Key, Any]]) -> None:
    # Restore in reverse, so that an item named twice ends as it was first seen.
    for table, key, before in reversed(touched):
        hash_key, range_key = key
        if table.range_key_attr:
            partition = table.items.get(hash_key)
            if before is None:
                if partition is not None:
                    partition.pop(range_key, None)
                    if not partition:
                        del table.items[hash_key]
            else:
                table.items[hash_key][range_key] = before
        elif before is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = before
        _refresh(table, [key])


class _tables_not_copied:
    def __init__(self, backend: Any) -> None:
        self.tables = frozenset(id(t) for t in backend.tables.values())

    def __enter__(self) -> None:
        self.previous = getattr(_scope, "uncopied", frozenset())
        _scope.uncopied = self.tables

    def __exit__(self, *exc: object) -> None:
        _scope.uncopied = self.previous

"""The read patch (chalicelib/local/moto_reads.py): a projected read copies only
what it returns, and every answer is the one unpatched moto gives."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.local import moto_patches
from tests.unit.test_moto_patches import TABLE, ddb, s, table_object

__all__ = ["ddb"]  # the fixture, shared with the transaction and query tests


def rich(client: Any, partitions: int = 4, per: int = 6) -> None:
    for p in range(partitions):
        for i in range(per):
            item = {
                "pk": s(f"P#{p}"), "sk": s(f"S#{i:02d}"),
                "g1pk": s(f"G#{i % 2}"), "g1sk": s(f"{i:02d}"),
                "colour": s("red" if i % 3 == 0 else "blue"),
                "n": {"N": str(p * per + i)},
                "m": {"M": {"a": s(f"a{i}"), "b": {"L": [s("b0"), {"M": {"c": s(f"c{i}")}}]},
                            "[x]": s("bracketed")}},
                "l": {"L": [{"M": {"x": {"N": str(i)}, "y": s("y")}}, s("two"),
                            {"L": [s("deep0"), s("deep1")]}]},
                "big": s("z" * 2000),
            }
            if i % 4 == 1:
                del item["m"]
            client.put_item(TableName=TABLE, Item=item)


@contextlib.contextmanager
def unpatched_reads() -> Iterator[None]:
    """moto's own read path, as before the patch (the transaction patch stays)."""
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    original = moto_patches.originals()
    patched = (Table.query, Table.scan, Table.all_items, Item.project, table_module.copy)
    Table.query, Table.scan = original["query"], original["scan"]
    Table.all_items, Item.project = original["all_items"], original["item_project"]
    table_module.copy = original["table_copy"]
    try:
        yield
    finally:
        (Table.query, Table.scan, Table.all_items, Item.project,
         table_module.copy) = patched


NAMES = {"#m": "m", "#x": "[x]"}
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("query", {"KeyConditionExpression": "pk = :p",
               "ProjectionExpression": "sk, m.a, l[0].x, l[2][1], m.b[1].c, nope, n",
               "ExpressionAttributeValues": {":p": s("P#1")}}),
    ("query", {"KeyConditionExpression": "pk = :p", "ProjectionExpression": "#m.#x, l[1]",
               "ExpressionAttributeNames": NAMES, "ExpressionAttributeValues": {":p": s("P#2")}}),
    ("query", {"KeyConditionExpression": "pk = :p AND sk > :s", "FilterExpression": "colour = :c",
               "ProjectionExpression": "sk, colour, m", "ScanIndexForward": False,
               "ExpressionAttributeValues": {":p": s("P#0"), ":s": s("S#00"),
                                             ":c": s("blue")}}),
    ("query", {"KeyConditionExpression": "pk = :p", "Select": "COUNT",
               "ExpressionAttributeValues": {":p": s("P#3")}}),
    ("query", {"KeyConditionExpression": "pk = :p", "Select": "COUNT",
               "FilterExpression": "colour = :c",
               "ExpressionAttributeValues": {":p": s("P#3"), ":c": s("red")}}),
    ("query", {"KeyConditionExpression": "pk = :p", "FilterExpression": "n > :n",
               "ExpressionAttributeValues": {":p": s("P#3"), ":n": {"N": "20"}}}),
    ("query", {"IndexName": "gsi1", "KeyConditionExpression": "g1pk = :g",
               "ProjectionExpression": "pk, sk, l[0]",
               "ExpressionAttributeValues": {":g": s("G#1")}}),
    ("query", {"IndexName": "gsi1", "KeyConditionExpression": "g1pk = :g",
               "ExpressionAttributeValues": {":g": s("G#0")}}),
    # Global index windows (moto_windows): both directions, each kind of sort
    # key condition, a filter, and conditions that leave the window short.
    ("query", {"IndexName": "gsi1", "KeyConditionExpression": "g1pk = :g AND g1sk < :v",
               "ScanIndexForward": False, "ProjectionExpression": "pk, sk",
               "ExpressionAttributeValues": {":g": s("G#1"), ":v": s("05")}}),
    ("query", {"IndexName": "gsi1", "KeyConditionExpression": "g1pk = :g AND g1sk >= :v",
               "ProjectionExpression": "pk, sk, g1sk",
               "ExpressionAttributeValues": {":g": s("G#0"), ":v": s("02")}}),
    ("query", {"IndexName": "gsi1", "KeyConditionExpression": "g1pk = :g AND g1sk >= :v",
               "ScanIndexForward": False, "ProjectionExpression": "pk, sk, g1sk",
               "ExpressionAttributeValues": {":g": s("G#0"), ":v": s("04")}}),
    ("query", {"IndexName": "gsi1",
               "KeyConditionExpression": "g1pk = :g AND g1sk BETWEEN :a AND :b",
               "ScanIndexForward": False, "ProjectionExpression": "pk, sk",
               "ExpressionAttributeValues": {":g": s("G#1"), ":a": s("01"), ":b": s("03")}}),
    ("query", {"IndexName": "gsi1",
               "KeyConditionExpression": "g1pk = :g AND begins_with(g1sk, :a)",
               "ProjectionExpression": "pk, sk",
               "ExpressionAttributeValues": {":g": s("G#0"), ":a": s("0")}}),
    ("query", {"IndexName": "gsi1", "KeyConditionExpression": "g1pk = :g",
               "FilterExpression": "colour = :c", "ScanIndexForward": False,
               "ExpressionAttributeValues": {":g": s("G#0"), ":c": s("red")}}),
    ("scan", {"ProjectionExpression": "pk, sk, m.b[0]"}),
    ("scan", {"FilterExpression": "colour = :c", "ProjectionExpression": "pk, sk",
              "ExpressionAttributeValues": {":c": s("red")}}),
    ("scan", {"Select": "COUNT"}),
    ("get_item", {"Key": {"pk": s("P#2"), "sk": s("S#04")},
                  "ProjectionExpression": "m.b[1], l[0].y, colour"}),
    ("get_item", {"Key": {"pk": s("P#2"), "sk": s("S#05")}}),
]


def pages(client: Any, operation: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of the request, read 4 items at a time (get_item: one answer)."""
    call = getattr(client, operation)
    if operation == "get_item":
        answer = call(TableName=TABLE, **request)
        answer.pop("ResponseMetadata")
        return [answer]
    out, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        answer = call(TableName=TABLE, Limit=4, **request, **extra)
        answer.pop("ResponseMetadata")
        out.append(answer)
        start = answer.get("LastEvaluatedKey")
        if not start:
            return out


def test_every_read_answers_what_unpatched_moto_answers(ddb: Any) -> None:
    rich(ddb)
    for operation, request in REQUESTS:
        patched = pages(ddb, operation, request)
        with unpatched_reads():
            expected = pages(ddb, operation, request)
        assert patched == expected, (operation, request)
        assert any(p.get("Items") or p.get("Item") or p.get("Count") for p in patched), request
    # The nested and list paths did pick something out (not two empty answers).
    first = pages(ddb, *REQUESTS[0])[0]["Items"][0]
    assert first["l"]["L"][0] == {"M": {"x": {"N": "0"}}}
    assert first["m"] == {"M": {"a": s("a0"), "b": {"L": [{"M": {"c": s("c0")}}]}}}


def test_a_projected_read_copies_no_stored_item(ddb: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.dynamo_type import Item

    rich(ddb, partitions=2)
    copied: list[Any] = []
    deepcopy = Item.__deepcopy__
    monkeypatch.setattr(Item, "__deepcopy__",
                        lambda self, memo: copied.append(self) or deepcopy(self, memo))
    ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ProjectionExpression="sk, m.a",
              ExpressionAttributeValues={":p": s("P#1")})
    ddb.scan(TableName=TABLE, ProjectionExpression="pk, sk")
    assert copied == []
    # Unprojected: only the rows the filter keeps are copied (moto copied all 6).
    kept = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                     FilterExpression="colour = :c",
                     ExpressionAttributeValues={":p": s("P#1"), ":c": s("red")})["Items"]
    assert len(kept) == 2 and len(copied) == 2


def test_an_unprojected_answer_is_a_copy_that_later_writes_do_not_change(ddb: Any) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    rich(ddb, partitions=1, per=2)
    table = table_object()
    results, _, _ = table.query(DynamoType(s("P#0")), None, [], None, None, True, None)
    stored = table.items[DynamoType(s("P#0"))]
    assert [r is stored[r.range_key] for r in results] == [False, False]
    ddb.update_item(TableName=TABLE, Key={"pk": s("P#0"), "sk": s("S#00")},
                    UpdateExpression="SET m.a = :v", ExpressionAttributeValues={":v": s("new")})
    assert results[0].attrs["m"].value["a"] == DynamoType(s("a0"))


def test_a_global_index_page_reads_a_window_not_the_partition(
        ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.table import Table

    rich(ddb, partitions=8)  # 24 entries in each index partition
    sorted_sizes: list[int] = []
    sorted_items = Table.sorted_items
    monkeypatch.setattr(Table, "sorted_items", lambda self, h, r, items: (
        sorted_sizes.append(len(items)) or sorted_items(self, h, r, items)))
    first = ddb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="g1pk = :g",
                      ScanIndexForward=False, Limit=3,
                      ExpressionAttributeValues={":g": s("G#1")})
    ddb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="g1pk = :g",
              ScanIndexForward=False, Limit=3, ExclusiveStartKey=first["LastEvaluatedKey"],
              ExpressionAttributeValues={":g": s("G#1")})
    assert sorted_sizes == [5, 5]

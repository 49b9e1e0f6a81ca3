"""The moto patch (chalicelib/local/moto_patches.py): transactions snapshot only
the items they touch, queries read the asked partition; DynamoDB's answers stay
what moto answered before."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.local import moto_patches

TABLE = "t"
REGION = "ap-southeast-1"


@pytest.fixture
def ddb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert moto_patches.apply()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                                  for n in ("pk", "sk", "g1pk", "g1sk")],
            GlobalSecondaryIndexes=[{
                "IndexName": "gsi1",
                "KeySchema": [{"AttributeName": "g1pk", "KeyType": "HASH"},
                              {"AttributeName": "g1sk", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }],
        )
        yield client


def s(value: str) -> dict[str, str]:
    return {"S": value}


def put(client: Any, pk: str, sk: str, **attrs: str) -> None:
    item = {"pk": s(pk), "sk": s(sk), **{k: s(v) for k, v in attrs.items()}}
    client.put_item(TableName=TABLE, Item=item)


def fill(client: Any, partitions: int = 30, per: int = 10) -> None:
    for p in range(partitions):
        for i in range(per):
            put(client, f"P#{p:02d}", f"S#{i:02d}", g1pk=f"G#{(p * per + i) % 7}",
                g1sk=f"{i:02d}-{p:02d}", colour="red" if i % 3 == 0 else "blue")


def table_object() -> Any:
    from moto.backends import get_backend

    return get_backend("dynamodb")["123456789012"][REGION].tables[TABLE]


def everything(client: Any) -> dict[tuple[str, str], dict[str, Any]]:
    items = client.scan(TableName=TABLE)["Items"]
    return {(i["pk"]["S"], i["sk"]["S"]): i for i in items}


def keys(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(i["pk"]["S"], i["sk"]["S"]) for i in items]


class Poison:
    """An item nobody may look at: a query that reads the whole table trips on it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a query read outside its partition ({name})")


def poison_other_partition() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    table_object().items[DynamoType(s("ZZ#poison"))] = {DynamoType(s("x")): Poison()}


# ------------------------------------------------------------ transactions


def test_a_failed_transaction_restores_every_item_it_touched_and_nothing_else(ddb: Any) -> None:
    fill(ddb, partitions=5, per=4)
    before = everything(ddb)
    table = table_object()
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as raised:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": s("P#new"), "sk": s("S#00"),
                                                  "g1pk": s("G#new"), "g1sk": s("a")}}},
            {"Update": {"TableName": TABLE, "Key": {"pk": s("P#01"), "sk": s("S#01")},
                        "UpdateExpression": "SET colour = :c, g1pk = :g",
                        "ExpressionAttributeValues": {":c": s("green"), ":g": s("G#moved")}}},
            {"Delete": {"TableName": TABLE, "Key": {"pk": s("P#02"), "sk": s("S#02")}}},
            {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": s("P#03"), "sk": s("S#03")},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
    reasons = raised.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "None", "ConditionalCheckFailed"]
    assert everything(ddb) == before
    # moto's own rollback swapped in a deep copy of the whole table.
    assert table_object() is table
    # The global index follows the restored items, not the rolled-back writes.
    moved = ddb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="g1pk = :g",
                      ExpressionAttributeValues={":g": s("G#moved")})
    assert moved["Items"] == []
    new = ddb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="g1pk = :g",
                    ExpressionAttributeValues={":g": s("G#new")})
    assert new["Items"] == []


def test_a_failed_transaction_does_not_copy_the_table(ddb: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.table import Table

    fill(ddb, partitions=3, per=3)
    copied: list[Any] = []
    monkeypatch.setattr(Table, "__deepcopy__", lambda self, memo: copied.append(self) or self,
                        raising=False)
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": s("P#00"), "sk": s("S#00")},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": {"pk": s("P#09"), "sk": s("S#09")}}},
    ])
    assert copied == []


def test_a_successful_transaction_writes_every_item(ddb: Any) -> None:
    fill(ddb, partitions=3, per=3)
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": {"pk": s("P#new"), "sk": s("S#00"),
                                              "g1pk": s("G#new"), "g1sk": s("a")},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": TABLE, "Key": {"pk": s("P#01"), "sk": s("S#01")},
                    "UpdateExpression": "SET g1pk = :g",
                    "ExpressionAttributeValues": {":g": s("G#new")}}},
        {"Delete": {"TableName": TABLE, "Key": {"pk": s("P#02"), "sk": s("S#02")}}},
    ])
    after = everything(ddb)
    assert ("P#new", "S#00") in after
    assert ("P#02", "S#02") not in after
    on_new = ddb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="g1pk = :g",
                       ExpressionAttributeValues={":g": s("G#new")})["Items"]
    assert sorted(keys(on_new)) == [("P#01", "S#01"), ("P#new", "S#00")]


def test_the_same_item_twice_is_refused_and_nothing_changes(ddb: Any) -> None:
    fill(ddb, partitions=2, per=2)
    before = everything(ddb)
    with pytest.raises(ddb.exceptions.ClientError) as raised:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": s("P#00"), "sk": s("S#00"),
                                                  "colour": s("x")}}},
            {"Delete": {"TableName": TABLE, "Key": {"pk": s("P#00"), "sk": s("S#00")}}},
        ])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert everything(ddb) == before


def test_return_values_on_condition_check_failure_still_come_back(ddb: Any) -> None:
    put(ddb, "P#00", "S#00", colour="red")
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as raised:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": TABLE, "Key": {"pk": s("P#00"), "sk": s("S#00")},
                        "UpdateExpression": "SET colour = :c",
                        "ConditionExpression": "colour = :b",
                        "ExpressionAttributeValues": {":c": s("green"), ":b": s("blue")},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    reason = raised.value.response["CancellationReasons"][0]
    assert reason["Code"] == "ConditionalCheckFailed"
    assert reason["Item"]["colour"] == s("red")


# ------------------------------------------------------------ queries


def test_a_query_reads_only_its_partition_in_order(ddb: Any) -> None:
    fill(ddb)
    poison_other_partition()
    forward = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": s("P#07")})["Items"]
    assert keys(forward) == [("P#07", f"S#{i:02d}") for i in range(10)]
    backward = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": s("P#07")},
                         ScanIndexForward=False)["Items"]
    assert keys(backward) == list(reversed(keys(forward)))
    empty = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues={":p": s("P#none")})
    assert empty["Items"] == [] and empty["Count"] == 0


def test_a_query_pages_with_limit_and_exclusive_start_key(ddb: Any) -> None:
    fill(ddb)
    poison_other_partition()
    seen: list[tuple[str, str]] = []
    start: dict[str, Any] | None = None
    for _ in range(10):
        extra = {"ExclusiveStartKey": start} if start else {}
        page = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p AND sk > :s",
                         ExpressionAttributeValues={":p": s("P#03"), ":s": s("S#02")},
                         ScanIndexForward=False, Limit=3, **extra)
        seen += keys(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == [("P#03", f"S#{i:02d}") for i in range(9, 2, -1)]


def test_a_query_filters_and_projects_as_before(ddb: Any) -> None:
    fill(ddb)
    poison_other_partition()
    result = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                       FilterExpression="colour = :c", ProjectionExpression="sk, colour",
                       ExpressionAttributeValues={":p": s("P#04"), ":s": s("S#0"),
                                                  ":c": s("red")})
    assert result["Items"] == [{"sk": s(f"S#{i:02d}"), "colour": s("red")} for i in (0, 3, 6, 9)]
    assert result["ScannedCount"] == 10


def expected_on_index(client: Any, g1pk: str) -> list[tuple[str, str]]:
    rows = [i for i in everything(client).values() if i.get("g1pk") == s(g1pk)]
    rows.sort(key=lambda i: (i["g1sk"]["S"], i["pk"]["S"], i["sk"]["S"]))
    return keys(rows)


def test_a_global_index_query_reads_its_partition_and_follows_writes(ddb: Any) -> None:
    fill(ddb)

    def on_index(g1pk: str, **extra: Any) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        start = None
        while True:
            more = {"ExclusiveStartKey": start} if start else {}
            page = ddb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="g1pk = :g",
                             ExpressionAttributeValues={":g": s(g1pk)}, Limit=7, **more, **extra)
            out += keys(page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    assert on_index("G#3") == expected_on_index(ddb, "G#3")
    poison_other_partition()  # the index is built; from now on nothing else is read
    # An update moves an item between index partitions; a delete and a put show.
    ddb.update_item(TableName=TABLE, Key={"pk": s("P#00"), "sk": s("S#03")},
                    UpdateExpression="SET g1pk = :g", ExpressionAttributeValues={":g": s("G#9")})
    ddb.delete_item(TableName=TABLE, Key={"pk": s("P#00"), "sk": s("S#05")})
    put(ddb, "P#99", "S#00", g1pk="G#9", g1sk="00-00")
    ddb.update_item(TableName=TABLE, Key={"pk": s("P#00"), "sk": s("S#06")},
                    UpdateExpression="REMOVE g1pk")
    table = table_object()
    from moto.dynamodb.models.dynamo_type import DynamoType

    poison = table.items.pop(DynamoType(s("ZZ#poison")))
    expected = {g: expected_on_index(ddb, g) for g in ("G#3", "G#5", "G#9", "G#6")}
    table.items[DynamoType(s("ZZ#poison"))] = poison
    for g1pk, rows in expected.items():
        assert on_index(g1pk) == rows
    assert ("P#00", "S#03") in expected["G#9"] and ("P#99", "S#00") in expected["G#9"]
    assert ("P#00", "S#05") not in expected["G#5"] + expected["G#3"]
    # Each index partition is kept in moto's order, so moto's own sort is linear.
    buckets = moto_patches._indexes[table].by_index["gsi1"]
    assert buckets and all(b == sorted(b) for b in buckets.values())
    backward = ddb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="g1pk = :g",
                         ExpressionAttributeValues={":g": s("G#3")}, ScanIndexForward=False)
    assert keys(backward["Items"]) == list(reversed(expected["G#3"]))
    ranged = ddb.query(TableName=TABLE, IndexName="gsi1",
                       KeyConditionExpression="g1pk = :g AND begins_with(g1sk, :r)",
                       FilterExpression="colour = :c",
                       ExpressionAttributeValues={":g": s("G#3"), ":r": s("03"), ":c": s("red")})
    assert keys(ranged["Items"]) == [k for k in expected["G#3"] if k[1] == "S#03"]
    assert ranged["Items"]


def test_the_global_index_is_rebuilt_for_a_restored_state(ddb: Any) -> None:
    from chalicelib.local.embedded_aws import restore_bytes, snapshot_bytes

    fill(ddb, partitions=4, per=4)
    ddb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="g1pk = :g",
              ExpressionAttributeValues={":g": s("G#1")})
    saved = snapshot_bytes()
    put(ddb, "P#50", "S#00", g1pk="G#1", g1sk="zz")
    restore_bytes(saved)
    after = ddb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression="g1pk = :g",
                      ExpressionAttributeValues={":g": s("G#1")})["Items"]
    assert keys(after) == expected_on_index(ddb, "G#1")
    assert ("P#50", "S#00") not in keys(after)


def test_another_moto_version_is_refused_and_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import moto
    from moto.dynamodb.models.table import Table

    monkeypatch.setattr(moto_patches, "_applied", False)
    monkeypatch.setattr(moto, "__version__", "9.9.9")
    query = Table.query
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert moto_patches.apply() is False
    assert any("moto 5.2.5" in str(w.message) and "9.9.9" in str(w.message) for w in caught)
    assert Table.query is query

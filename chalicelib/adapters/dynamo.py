"""The one DynamoDB table: item (de)serialisation, reads, queries with cursors,
and transactional writes. Key design lives in docs/data-model.md."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.kernel import jsontext
from chalicelib.kernel.config import get_settings
from chalicelib.kernel.errors import Conflict, InvalidInput

_ser = TypeSerializer()
_deser = TypeDeserializer()

Item = dict[str, Any]


def _plain(value: Any) -> Any:
    # DynamoDB rejects floats; callers may hand us floats from JSON.
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def json_ready(value: Any) -> Any:
    """Numbers as JSON numbers: DynamoDB hands every number back as a Decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def to_dynamo(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(_plain(v)) for k, v in item.items() if v is not None}


def from_dynamo(raw: Mapping[str, Any]) -> Item:
    return {k: _deser.deserialize(v) for k, v in raw.items()}


def encode_cursor(key: Mapping[str, Any] | None) -> str | None:
    if not key:
        return None
    plain = from_dynamo(key)
    text = json.dumps(plain, default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = jsontext.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError("cursor")
    except ValueError as exc:
        raise InvalidInput(
            "Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.", "invalid_cursor"
        ) from exc
    return to_dynamo(data)


def _key_names(index: str | None) -> tuple[str, str]:
    """The partition and sort key attributes of the table or of an index."""
    return ("pk", "sk") if index is None else (f"{index}pk", f"{index}sk")


@dataclass(frozen=True)
class Page:
    items: list[Item]
    cursor: str | None


class Table:
    def __init__(self, name: str | None = None) -> None:
        self.name = name or get_settings().table_name

    @property
    def _client(self) -> Any:
        return client("dynamodb")

    def get(self, pk: str, sk: str, *, consistent: bool = False) -> Item | None:
        raw = self._client.get_item(
            TableName=self.name,
            Key=to_dynamo({"pk": pk, "sk": sk}),
            ConsistentRead=consistent,
        ).get("Item")
        return from_dynamo(raw) if raw else None

    def _key_query(self, pk_value: str, *, index: str | None,
                   sort: tuple[str, dict[str, Any]] | None, limit: int, forward: bool
                   ) -> dict[str, Any]:
        """The request for one page of a partition: the partition key is
        ``pk_value`` and, with ``sort``, the sort key (``#sk``) meets its condition
        with the values given."""
        pk_name, sk_name = _key_names(index)
        condition = "#pk = :pk"
        names = {"#pk": pk_name}
        values: dict[str, Any] = {":pk": pk_value}
        if sort is not None:
            condition += " AND " + sort[0]
            names["#sk"] = sk_name
            values.update(sort[1])
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_dynamo(values),
            "Limit": limit,
            "ScanIndexForward": forward,
        }
        if index is not None:
            kwargs["IndexName"] = index
        return kwargs

    def query(
        self,
        pk_value: str,
        *,
        index: str | None = None,
        sk_prefix: str | None = None,
        sk_between: tuple[str, str] | None = None,
        sk_before: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        forward: bool = True,
        consistent: bool = False,
        attributes: Sequence[str] | None = None,
    ) -> Page:
        """``attributes``: only these (dotted paths into maps allowed), for a list
        that shows a few fields of heavy items."""
        sort: tuple[str, dict[str, Any]] | None = None
        if sk_prefix is not None:
            sort = "begins_with(#sk, :sk)", {":sk": sk_prefix}
        elif sk_between is not None:
            sort = "#sk BETWEEN :lo AND :hi", {":lo": sk_between[0], ":hi": sk_between[1]}
        elif sk_before is not None:
            sort = "#sk < :before", {":before": sk_before}
        kwargs = self._key_query(pk_value, index=index, sort=sort, limit=limit, forward=forward)
        if consistent and index is None:  # index reads are eventually consistent only
            kwargs["ConsistentRead"] = True
        start = decode_cursor(cursor)
        if start:
            kwargs["ExclusiveStartKey"] = start
        if attributes:
            _project(kwargs, attributes)
        out = self._client.query(**kwargs)
        return Page(
            items=[from_dynamo(i) for i in out.get("Items", [])],
            cursor=encode_cursor(out.get("LastEvaluatedKey")),
        )

    def _page_from(self, kwargs: dict[str, Any], start: dict[str, Any] | None
                   ) -> tuple[list[Item], dict[str, Any] | None]:
        """Run the request from a plain start key: the items and the plain key after them."""
        if start:
            kwargs["ExclusiveStartKey"] = to_dynamo(start)
        out = self._client.query(**kwargs)
        last = out.get("LastEvaluatedKey")
        return [from_dynamo(i) for i in out.get("Items", [])], (from_dynamo(last) if last else None)

    def query_from(self, pk_value: str, *, index: str | None, start: dict[str, Any] | None,
                   limit: int, forward: bool = True) -> tuple[list[Item], dict[str, Any] | None]:
        """One page of a partition from a plain (not encoded) start key; for merging
        several partitions into one list."""
        return self._page_from(
            self._key_query(pk_value, index=index, sort=None, limit=limit, forward=forward),
            start)

    def query_range(self, pk_value: str, *, index: str | None, low: str | None,
                    below: str | None, start: dict[str, Any] | None, limit: int,
                    forward: bool = True) -> tuple[list[Item], dict[str, Any] | None]:
        """One page of a partition with ``low <= sort key < below`` (either bound
        optional), from a plain start key."""
        sort: tuple[str, dict[str, Any]] | None = None
        if low is not None and below is not None:
            # BETWEEN is inclusive: the exclusive end is enforced below.
            sort = "#sk BETWEEN :lo AND :hi", {":lo": low, ":hi": below}
        elif low is not None:
            sort = "#sk >= :lo", {":lo": low}
        elif below is not None:
            sort = "#sk < :hi", {":hi": below}
        items, last = self._page_from(
            self._key_query(pk_value, index=index, sort=sort, limit=limit, forward=forward),
            start)
        if low is not None and below is not None:
            sk_name = _key_names(index)[1]
            items = [i for i in items if i[sk_name] != below]
        return items, last

    def batch_get(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Item]:
        """Items by (pk, sk), 100 a request, retrying what DynamoDB leaves unprocessed."""
        import time

        found: dict[tuple[str, str], Item] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 100):
            request: dict[str, Any] = {self.name: {"Keys": [
                to_dynamo({"pk": pk, "sk": sk}) for pk, sk in unique[start:start + 100]]}}
            for attempt in range(8):
                out = self._client.batch_get_item(RequestItems=request)
                for raw in out.get("Responses", {}).get(self.name, []):
                    item = from_dynamo(raw)
                    found[(item["pk"], item["sk"])] = item
                request = out.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(0.05 * 2 ** attempt, 2))
        return found

    def batch_write(self, *, puts: list[Item] = (), deletes: list[dict[str, str]] = ()  # type: ignore[assignment]
                    ) -> None:
        """Many unconditional writes (index maintenance), 25 a request, retrying
        what DynamoDB leaves unprocessed."""
        import time

        requests = [{"PutRequest": {"Item": to_dynamo(i)}} for i in puts]
        requests += [{"DeleteRequest": {"Key": to_dynamo(k)}} for k in deletes]
        for start in range(0, len(requests), 25):
            pending = {self.name: requests[start:start + 25]}
            for attempt in range(8):
                out = self._client.batch_write_item(RequestItems=pending)
                pending = out.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(min(0.05 * 2 ** attempt, 2))
            else:
                raise RuntimeError("DynamoDB kept items unprocessed")

    def put(self, item: Item, *, condition: str | None = None,
            names: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> None:
        kwargs: dict[str, Any] = {"TableName": self.name, "Item": to_dynamo(item)}
        _with_condition(kwargs, condition, names, values and to_dynamo(values))
        with _lost_condition():
            self._client.put_item(**kwargs)

    def put_new(self, item: Item) -> bool:
        """Write ``item`` unless its key exists; whether it was written. The shape of
        every claim (one mail, one digest, one notice per person and event)."""
        try:
            self.put(item, condition="attribute_not_exists(pk)")
        except ConditionFailed:
            return False
        return True

    def update(self, pk: str, sk: str, expression: str, *, condition: str | None = None,
               names: dict[str, str] | None = None, values: dict[str, Any] | None = None,
               ) -> Item:
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": to_dynamo({"pk": pk, "sk": sk}),
            "UpdateExpression": expression,
            "ReturnValues": "ALL_NEW",
        }
        _with_condition(kwargs, condition, names, values and to_dynamo(values))
        with _lost_condition():
            return from_dynamo(self._client.update_item(**kwargs)["Attributes"])

    def delete(self, pk: str, sk: str, *, condition: str | None = None) -> None:
        kwargs: dict[str, Any] = {"TableName": self.name, "Key": to_dynamo({"pk": pk, "sk": sk})}
        _with_condition(kwargs, condition, None, None)
        with _lost_condition():
            self._client.delete_item(**kwargs)

    def transact(self, operations: Sequence[Mapping[str, Any]]) -> None:
        """All or nothing. A failed condition is a lost race: Conflict (409)."""
        if not operations:
            return
        if len(operations) == 1:
            # One item needs no transaction: a plain conditional write costs half.
            _single_write(self, operations[0])
            return
        ops = [_bind(self.name, op) for op in operations]
        try:
            self._client.transact_write_items(TransactItems=ops)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                reasons = exc.response.get("CancellationReasons") or []
                if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                    raise Conflict() from exc
                if any(r.get("Code") == "TransactionConflict" for r in reasons):
                    # Another transaction held one of the items: nothing was written.
                    raise TransactionConflict() from exc
            raise


class ConditionFailed(Conflict):
    """A single conditional write lost; services decide what that means."""


class TransactionConflict(Conflict):
    """DynamoDB cancelled a transaction because another one was writing one of
    its items at the same moment (not a failed condition): safe to retry."""


def _project(kwargs: dict[str, Any], attributes: Sequence[str]) -> None:
    """A ProjectionExpression of these paths, every name through a placeholder
    (``status``, ``name`` are reserved words)."""
    names: dict[str, str] = {}
    paths = []
    for path in attributes:
        parts = []
        for part in path.split("."):
            placeholder = names.setdefault(part, f"#p{len(names)}")
            parts.append(placeholder)
        paths.append(".".join(parts))
    kwargs["ProjectionExpression"] = ", ".join(paths)
    kwargs.setdefault("ExpressionAttributeNames", {}).update({v: k for k, v in names.items()})


def put_op(item: Item, condition: str | None = None, names: dict[str, str] | None = None,
           values: dict[str, Any] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"Put": {"Item": item}}
    _with_condition(op["Put"], condition, names, values)
    return op


def update_op(pk: str, sk: str, expression: str, condition: str | None = None,
              names: dict[str, str] | None = None, values: dict[str, Any] | None = None,
              ) -> dict[str, Any]:
    op: dict[str, Any] = {"Update": {"Key": {"pk": pk, "sk": sk}, "UpdateExpression": expression}}
    _with_condition(op["Update"], condition, names, values)
    return op


def _with_condition(target: dict[str, Any], condition: str | None,
                    names: dict[str, str] | None, values: dict[str, Any] | None) -> None:
    if condition:
        target["ConditionExpression"] = condition
    if names:
        target["ExpressionAttributeNames"] = names
    if values:
        target["ExpressionAttributeValues"] = values


def _bind(table: str, op: Mapping[str, Any]) -> dict[str, Any]:
    (kind, body), = op.items()
    body = dict(body)
    body["TableName"] = table
    if "Item" in body:
        body["Item"] = to_dynamo(body["Item"])
    if "Key" in body:
        body["Key"] = to_dynamo(body["Key"])
    if "ExpressionAttributeValues" in body:
        body["ExpressionAttributeValues"] = to_dynamo(body["ExpressionAttributeValues"])
    return {kind: body}


@contextmanager
def _lost_condition() -> Iterator[None]:
    """A failed write condition as ``ConditionFailed``; other errors unchanged."""
    try:
        yield
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ConditionFailed() from exc
        raise


def _single_write(table: Table, op: Mapping[str, Any]) -> None:
    (kind, body), = _bind(table.name, op).items()
    call = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}.get(kind)
    if call is None:  # a lone ConditionCheck would write nothing
        return
    try:
        getattr(table._client, call)(**body)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise Conflict() from exc
        raise

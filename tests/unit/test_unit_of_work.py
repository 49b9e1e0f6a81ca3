"""``UnitOfWork.commit_unless_done``: a lost condition means the change was made
already (a redelivery, a repeat, a concurrent winner), so it answers False
instead of raising, and a won one commits the caller's extra writes and events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from chalicelib.adapters.dynamo import ConditionFailed, TransactionConflict
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.kernel.events import DomainEvent


class _Table:
    """Records each transaction; raises ``fails`` (once) instead of writing."""

    def __init__(self, fails: Exception | None = None) -> None:
        self.fails = fails
        self.written: list[Sequence[Mapping[str, Any]]] = []

    def transact(self, operations: Sequence[Mapping[str, Any]]) -> None:
        if self.fails is not None:
            raise self.fails
        self.written.append(operations)


def _put(pk: str) -> dict[str, Any]:
    return {"Put": {"Item": {"pk": pk, "sk": "X"}}}


def test_a_won_commit_writes_the_change_the_extra_operations_and_the_events():
    table = _Table()
    uow = UnitOfWork(table, publish=False)  # type: ignore[arg-type]
    uow.add(_put("A"))
    event = DomainEvent("thing.done", "thing:1", {"id": "1"})
    assert uow.commit_unless_done([_put("B")], [event]) is True
    [ops] = table.written
    assert [op["Put"]["Item"]["pk"] for op in ops] == ["A", "B", f"EVENT#{event.id}"]
    assert uow.operations == [] and uow.events == []


def test_a_lost_condition_is_done_already_and_not_an_error():
    for lost in (ConditionFailed(), TransactionConflict()):
        table = _Table(fails=lost)
        uow = UnitOfWork(table, publish=False)  # type: ignore[arg-type]
        uow.add(_put("A"))
        assert uow.commit_unless_done(events=[DomainEvent("x", "y", {})]) is False
        assert table.written == []


def test_any_other_failure_still_raises():
    uow = UnitOfWork(_Table(fails=RuntimeError("throttled")), publish=False)  # type: ignore[arg-type]
    uow.add(_put("A"))
    with pytest.raises(RuntimeError, match="throttled"):
        uow.commit_unless_done()

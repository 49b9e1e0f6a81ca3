"""The counter under a code's attempt budget (``kernel.attempts``), on the item
its capability's store names: one conditional ADD per attempt, kept by TTL."""

from __future__ import annotations

from chalicelib.adapters.dynamo import ConditionFailed, Table


def take(table: Table, pk: str, sk: str, limit: int, expires_at: int) -> bool:
    """One more attempt on the item unless ``limit`` are counted (then False)."""
    try:
        table.update(pk, sk, "ADD #n :one SET expires_at = :exp",
                     condition="attribute_not_exists(#n) OR #n < :limit",
                     names={"#n": "count"},
                     values={":one": 1, ":limit": limit, ":exp": expires_at})
    except ConditionFailed:
        return False
    return True


def give_back(table: Table, pk: str, sk: str) -> None:
    """One attempt fewer (a passed check); never below zero."""
    try:
        table.update(pk, sk, "ADD #n :minus", condition="#n > :zero",
                     names={"#n": "count"}, values={":minus": -1, ":zero": 0})
    except ConditionFailed:
        pass  # the window's item expired or was never written: nothing to give back

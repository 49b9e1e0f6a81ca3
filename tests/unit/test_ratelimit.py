"""The rate limiter's windows follow the clock it is handed through its seam."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.adapters.dynamo import ConditionFailed
from chalicelib.api import ratelimit
from chalicelib.kernel.errors import RateLimited


class CountingTable:
    """The conditional ``ADD`` of the limiter over a dict of windows."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def update(self, pk: str, sk: str, expression: str, *, condition: str,
               names: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
        count = self.counts.get((pk, sk), 0)
        if count >= values[":limit"]:
            raise ConditionFailed()
        self.counts[(pk, sk)] = count + 1
        return {"count": count + 1}


def test_windows_follow_the_clock_handed_in_until_its_block_ends() -> None:
    table = CountingTable()

    def check() -> None:
        ratelimit.check_rate("GET /x", "1.2.3.4", 2, 60, table=table)  # type: ignore[arg-type]

    with ratelimit.counting_on(lambda: 1_800_000_090.0):  # the next minute's window
        with ratelimit.counting_on(lambda: 1_800_000_030.5):  # 30.5 s into a minute
            check()
            check()
            with pytest.raises(RateLimited) as refused:
                check()
        check()  # the outer clock again: a fresh window
    assert refused.value.retry_after == 29
    assert sorted(sk for _, sk in table.counts) == ["1800000000", "1800000060"]

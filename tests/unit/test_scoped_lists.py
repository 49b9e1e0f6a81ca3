"""What a page of a scoped list reads: its own size plus one per partition,
not a fixed hundred, so a list at a department's year costs what it shows."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.scoped_lists import PAGE, list_scoped


class PartitionsTable:
    """``Table.query_range`` over in-memory partitions (gsi1sk newest first),
    recording the ``Limit`` of every query."""

    def __init__(self, partitions: dict[str, list[str]]) -> None:
        self.partitions = {pk: sorted(keys, reverse=True) for pk, keys in partitions.items()}
        self.limits: list[int] = []

    def query_range(self, pk_value: str, *, index: str | None, low: str | None,
                    below: str | None, start: dict[str, Any] | None, limit: int,
                    forward: bool = True) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        assert index == "gsi1" and not forward and low is None
        self.limits.append(limit)
        keys = [k for k in self.partitions.get(pk_value, []) if below is None or k < below]
        if start is not None:
            keys = [k for k in keys if k < start["gsi1sk"]]
        items = [{"gsi1sk": k, "id": k.rsplit("#", 1)[-1]} for k in keys[:limit]]
        last = {"gsi1sk": items[-1]["gsi1sk"]} if len(keys) > limit else None
        return items, last


def _keys(prefix: str, count: int) -> list[str]:
    return [f"2026-03-{day:02d}T08:00:00Z#{prefix}{day}" for day in range(1, count + 1)]


def test_a_page_reads_its_size_and_one_more_from_each_partition() -> None:
    table = PartitionsTable({"UNIT#A#incoming": _keys("a", 28),
                             "USER#x#incoming": _keys("x", 28)})

    page = list_scoped("incoming", ["UNIT#A", "USER#x"], limit=20, table=table)  # type: ignore[arg-type]

    assert len(page.items) == 20 and page.cursor
    assert table.limits == [21, 21]
    # The next page starts below the last entry shown, in both partitions.
    table.limits.clear()
    rest = list_scoped("incoming", ["UNIT#A", "USER#x"], limit=20, cursor=page.cursor,
                       table=table)  # type: ignore[arg-type]
    assert len(rest.items) == 20 and table.limits == [21, 21]
    assert {i["gsi1sk"] for i in page.items}.isdisjoint(i["gsi1sk"] for i in rest.items)


def test_a_filter_that_skips_entries_reads_on_by_the_larger_page() -> None:
    table = PartitionsTable({"UNIT#A#incoming": _keys("a", 28)})

    page = list_scoped("incoming", ["UNIT#A"], limit=5, table=table,  # type: ignore[arg-type]
                       accept=lambda item: item["id"] in {"a3", "a1"})

    assert [i["id"] for i in page.items] == ["a3", "a1"] and page.cursor is None
    assert table.limits == [6, PAGE]

"""The federated search puts each kind's own answer side by side, and refuses a
query that is empty, too long or has no word, naming q."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.kernel.errors import Forbidden, InvalidInput
from chalicelib.kernel.identity import Caller, Role
from chalicelib.search.federation import Source, search_all

ME = Caller("chuyenvien", frozenset({Role.OFFICER}), "PDKKD")


def _source(kind: str, titles: list[str], more: bool = False) -> Source:
    def find(caller: Caller, q: str, limit: int) -> tuple[list[dict[str, Any]], bool]:
        assert caller is ME and q == "tet nguyen dan"
        return [{"id": t, "title": t, "link": f"/app/{kind}?id={t}"} for t in titles][:limit], more
    return Source(kind, kind.upper(), f"/app/{kind}s", find)


def _refused(caller: Caller, q: str, limit: int) -> tuple[list[dict[str, Any]], bool]:
    raise Forbidden()


def test_results_are_grouped_by_kind_in_order_with_the_list_to_see_them_all():
    out = search_all(ME, "  tet nguyen dan ", [
        _source("task", ["t1", "t2", "t3"], more=True), Source("complaint", "C", "/x", _refused),
        _source("meeting", [])], per_kind=2)
    assert [(i["kind"], i["id"]) for i in out["items"]] == [("task", "t1"), ("task", "t2")]
    assert out["items"][0]["kind_label"] == "TASK"
    # A kind the caller may not list is left out, not an error.
    assert out["groups"] == [
        {"kind": "task", "label": "TASK", "count": 2, "more": True,
         "link": "/app/tasks?q=tet+nguyen+dan"},
        {"kind": "meeting", "label": "MEETING", "count": 0, "more": False,
         "link": "/app/meetings?q=tet+nguyen+dan"}]
    assert out["terms"] == ["tet", "nguyen", "dan"]
    only = search_all(ME, "tet nguyen dan", [_source("task", ["t1"]), _source("meeting", ["m"])],
                      kinds={"meeting"})
    assert [g["kind"] for g in only["groups"]] == ["meeting"]


@pytest.mark.parametrize("q", [None, "", "   ", "a", "x" * 201])
def test_bad_queries_name_q(q):
    with pytest.raises(InvalidInput) as err:
        search_all(ME, q, [_source("task", ["t1"])])
    assert [f.path for f in err.value.fields] == ["q"]

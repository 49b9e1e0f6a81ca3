"""The agency directory's CSV import: every row checked before any is written,
each bad cell named; cells become plain NFC text."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.exchange.service import Exchange
from chalicelib.kernel.errors import Forbidden, InvalidInput
from chalicelib.kernel.identity import Caller, Role


class _Uow:
    def __init__(self, store: _Store) -> None:
        self.store, self.ops = store, []

    def commit(self) -> None:
        for after in self.ops:
            self.store.items[after["organ_id"]] = after


class _Store:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def unit_of_work(self) -> _Uow:
        return _Uow(self)

    def agency(self, organ_id: str) -> dict[str, Any] | None:
        return self.items.get(organ_id)

    def agencies(self) -> list[dict[str, Any]]:
        return list(self.items.values())

    def save_agency(self, uow: _Uow, before: Any, after: dict[str, Any]) -> None:
        uow.ops.append(after)


CLERK = Caller("vanthu", frozenset({Role.CLERK}), unit="VP")


def _exchange() -> Exchange:
    return Exchange(_Store(), trail=None, pending=None)  # type: ignore[arg-type]


def test_a_valid_file_imports_every_row_as_plain_text():
    ex = _exchange()
    text = ("\ufefforgan_id,name,channel,email\n"
            "000.00.31.H26,Sở Tài chính Hà Nội,platform,\n"
            "000.00.32.h26,\"=HYPERLINK(\"\"x\"\")\u202e Sở Xây dựng\",email,vanthu@sxd.example\n")
    assert ex.import_csv(CLERK, text) == {"imported": 2}
    names = {a["organ_id"]: a for a in ex.agencies()}
    assert names["000.00.31.H26"]["channel"] == "platform"
    # Upper-cased code; the bidi override gone; a formula stays inert text (no sheet here).
    assert names["000.00.32.H26"]["name"] == '=HYPERLINK("x") Sở Xây dựng'
    assert names["000.00.32.H26"]["email"] == "vanthu@sxd.example"


def test_one_bad_row_writes_nothing_and_names_each_bad_cell():
    ex = _exchange()
    text = ("organ_id,name,channel,email\n"
            "000.00.31.H26,Sở Tài chính,platform,\n"
            "12345,,fax,\n"
            "000.00.31.H26,Trùng mã,email,\n")
    with pytest.raises(InvalidInput) as caught:
        ex.import_csv(CLERK, text)
    paths = {f.path for f in caught.value.fields}
    assert {"csv.3.organ_id", "csv.3.name", "csv.3.channel", "csv.4.organ_id",
            "csv.4.email"} <= paths
    assert ex.agencies() == []


def test_a_file_without_the_columns_is_refused():
    with pytest.raises(InvalidInput) as caught:
        _exchange().import_csv(CLERK, "ma,ten\n1,2\n")
    assert [f.path for f in caught.value.fields] == ["csv"]


def test_only_clerks_and_administrators_keep_the_directory():
    officer = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PDKKD")
    with pytest.raises(Forbidden):
        _exchange().import_csv(officer, "organ_id,name\n000.00.31.H26,Sở Tài chính\n")

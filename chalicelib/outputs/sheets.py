"""Spreadsheets: the registers, the reports and the audit export as XLSX
(openpyxl, imported inside the function: only the export routes need it) or
CSV.

Every cell goes through ``cell``, because the text in them comes from outside:
a trích yếu typed by a clerk, an e-mail subject, a browser's user agent.

- A text that a spreadsheet program would run as a formula (``=``, ``+``,
  ``-``, ``@``, also after leading spaces, or a leading tab) stays text: in CSV
  it is written with an apostrophe in front, which Excel and LibreOffice take
  as "this is text" and do not show; in XLSX it is stored as a string with the
  quote-prefix style, so the stored text is the original and editing the cell
  keeps it text.
- Characters that XLSX cannot hold (C0 controls but tab and line feed: openpyxl
  refuses them) and those that make a cell read differently from what is
  stored (bidi overrides and isolates, zero-width characters, DEL and C1
  controls) are removed. A carriage return becomes a line break.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Row = Sequence[object]

_INVISIBLE: Final = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u202a-\u202e\u2066-\u2069\ufeff]")
_FORMULA_START: Final = ("=", "+", "-", "@")
# Excel's limit for one sheet name.
_TITLE_MAX: Final = 31


def cell(value: object) -> tuple[str, bool]:
    """The text of one cell, and whether it must be kept from being read as a
    formula. None is an empty cell; a number (int, float, Decimal: XLSX writes
    it as a number cell, CSV as its text) is never a formula. Registers that
    print "01" pass the text "01"."""
    if value is None:
        return "", False
    text = unicodedata.normalize("NFC", str(value))
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, int | float | Decimal):
        return text, False
    return text, text.startswith("\t") or text.lstrip().startswith(_FORMULA_START)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def to_xlsx(title: str, header: Row, rows: Sequence[Row], widths: Sequence[int] = ()) -> bytes:
    """One sheet: the header row in bold and frozen, then the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = cell(title)[0][:_TITLE_MAX]
    for r, row in enumerate([header, *rows], start=1):
        for c, value in enumerate(row, start=1):
            if _is_number(value):
                # A number stays a number cell (sums, sorting); never a formula.
                sheet.cell(row=r, column=c, value=value)
                continue
            text, literal = cell(value)
            target = sheet.cell(row=r, column=c, value=text)
            if literal:
                # Assigning the value made it a formula ("f"): it is a string.
                target.data_type = "s"
                target.quotePrefix = True
    for target in sheet[1]:
        target.font = Font(bold=True)
        target.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = width
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def to_csv(header: Row, rows: Sequence[Row]) -> str:
    """The rows as CSV text, starting with a BOM so that Excel reads the
    Vietnamese text as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [header, *rows]:
        writer.writerow([f"'{text}" if literal else text
                         for text, literal in (cell(value) for value in row)])
    return "\ufeff" + out.getvalue()

"""Registers as PDF (fpdf2, with an embedded Times-compatible font that covers
Vietnamese), imported inside the function: only the export routes need it."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "fonts"
Row = Sequence[object]


def _text(value: object) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def to_pdf(title: str, subtitle: str, header: Row, rows: Sequence[Row],
           widths: Sequence[float]) -> bytes:
    """A landscape A4 table with the header repeated on every page, as registers
    are printed and bound each year."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("Serif", "", str(FONTS / "LiberationSerif-Regular.ttf"))
    pdf.add_font("Serif", "B", str(FONTS / "LiberationSerif-Bold.ttf"))
    pdf.set_title(_text(title))
    pdf.add_page()
    pdf.set_font("Serif", "B", 14)
    pdf.cell(0, 8, _text(title).upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 11)
    pdf.cell(0, 6, _text(subtitle), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Serif", "", 9)
    with pdf.table(col_widths=tuple(widths), text_align="LEFT", line_height=4.5,
                   headings_style=FontFace(emphasis="BOLD"), repeat_headings=1) as table:
        table.row([_text(h) for h in header])
        for row in rows:
            table.row([_text(v) for v in row])
    return bytes(pdf.output())

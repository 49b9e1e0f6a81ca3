"""PDF drawing: the one place that sets up fpdf2 with the embedded Liberation
Serif (Times New Roman metrics, every Vietnamese glyph), and the primitives
the printables share. What a printable says and where stays with it: the
Decree 30 composer (``document_pdf``), the registers (``table_document``
here), the one-stop shop's receipts and certificates (``onestop/printables``).

fpdf2 is imported inside the functions, so this module costs nothing to import:
only the routes and steps that draw load it.

fpdf2 parses and embeds every face added to a document, used or not (about 5
KB each in the file), so a printable names the faces it draws with.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

FONTS: Final = Path(__file__).resolve().parent.parent / "fonts"
FAMILY: Final = "Serif"
# fpdf2's style letters: "" upright, "B" bold, "I" italic, "BI" bold italic.
FACES: Final = {
    "": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
    "I": "LiberationSerif-Italic.ttf",
    "BI": "LiberationSerif-BoldItalic.ttf",
}
# Without an italic face an oblique of the upright one stands in.
OBLIQUE_DEGREES: Final = 12.0
# The body size of an administrative document (Decree 30, Appendix I, II.6).
BODY_SIZE: Final = 14.0
NATIONAL_NAME: Final = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO: Final = "Độc lập - Tự do - Hạnh phúc"

# An fpdf2 document made by ``new_pdf`` (the class exists once fpdf2 is loaded).
Pdf = Any
Row = Sequence[object]


@dataclass(frozen=True)
class PageNumbers:
    """Page numbers centred in a band of the top margin, from page 2 on
    (Decree 30, Appendix I, Part I: none on the first page)."""

    x: float
    y: float
    width: float
    size: float = 13
    height: float = 6


def text(value: object) -> str:
    """What a cell or a line prints: NFC, None as nothing."""
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def new_pdf(*, orientation: str = "P", faces: Sequence[str] = ("", "B"),
            margins: tuple[float, float, float] | None = None,
            page_break: float | bool | None = None, cell_margin: float | None = None,
            page_numbers: PageNumbers | None = None) -> Pdf:
    """An A4 document in millimetres with the Serif family in ``faces``.

    ``margins``: left, top, right. ``page_break``: the bottom margin that breaks
    pages, or False when the caller breaks them itself; fpdf2's default (2 cm)
    when None. ``cell_margin``: the padding inside cells, fpdf2's when None.
    """
    pdf = _pdf_class()(orientation=orientation, unit="mm", format="A4")
    pdf.page_numbers = page_numbers
    if margins is not None:
        pdf.set_margins(*margins)
    if page_break is False:
        pdf.set_auto_page_break(False)
    elif page_break is not None:
        pdf.set_auto_page_break(auto=True, margin=float(page_break))
    if cell_margin is not None:
        pdf.c_margin = cell_margin
    for style in faces:
        pdf.add_font(FAMILY, style, str(FONTS / FACES[style]))
    pdf.real_italic = "I" in faces and "BI" in faces
    return pdf


@cache
def _pdf_class() -> type:
    from fpdf import FPDF

    class _Pdf(FPDF):  # type: ignore[misc]
        page_numbers: PageNumbers | None = None
        real_italic = False

        def header(self) -> None:
            numbers = self.page_numbers
            if numbers is not None and self.page_no() > 1:
                self.use("", numbers.size)
                self.set_xy(numbers.x, numbers.y)
                self.cell(numbers.width, numbers.height, str(self.page_no()), align="C")

        def use(self, style: str, size: float) -> bool:
            """Select the face; True when italics must be drawn slanted."""
            oblique = "I" in style and not self.real_italic
            self.set_font(FAMILY, style.replace("I", "") if oblique else style, size)
            return oblique

        def width(self, line: str, style: str, size: float) -> float:
            self.use(style, size)
            return float(self.get_string_width(line))

        def put(self, x: float, y: float, w: float, h: float, line: str, *, style: str = "",
                size: float = BODY_SIZE, align: str = "L") -> None:
            """One line of text in the band [y, y + h], aligned within [x, x + w]."""
            oblique = self.use(style, size)
            sw = float(self.get_string_width(line))
            if align == "C":
                x += (w - sw) / 2
            elif align == "R":
                x += w - sw
            self.set_xy(x, y)
            if oblique:
                baseline = y + h / 2 + 0.3 * self.font_size
                with self.skew(ax=OBLIQUE_DEGREES, x=x, y=baseline):
                    self.cell(sw, h, line)
            else:
                self.cell(sw, h, line)

        def put_justified(self, x: float, y: float, w: float, h: float, line: str, *,
                          style: str = "", size: float = BODY_SIZE) -> None:
            """A full line stretched to [x, x + w]: each word placed on its own,
            with its space kept as text so that copying and extraction see words."""
            words = line.split(" ")
            if len(words) < 2:
                self.put(x, y, w, h, line, style=style, size=size)
                return
            widths = [self.width(word, style, size) for word in words]
            gap = (w - sum(widths)) / (len(words) - 1)
            for i, (word, ww) in enumerate(zip(words, widths, strict=True)):
                last = i == len(words) - 1
                piece = word if last else f"{word} "
                self.put(x, y, ww + (0 if last else gap), h, piece, style=style, size=size)
                x += ww + gap

        def rule(self, x: float, y: float, w: float) -> None:
            self.set_line_width(0.3)
            self.set_draw_color(0, 0, 0)
            self.line(x, y, x + w, y)

    return _Pdf


def national_header(pdf: Pdf, left: Sequence[tuple[str, str]], *, y: float, left_x: float,
                    left_w: float, right_x: float, right_w: float, size: float = 12,
                    height: float = 6) -> None:
    """The two-column head of a form: the agency's lines (text, style) on the
    left, the national name and motto in bold on the right, row by row; the
    cursor ends at the left margin under them."""
    right = [NATIONAL_NAME, MOTTO]
    for i in range(max(len(left), len(right))):
        row_y = y + i * height
        if i < len(left):
            line, style = left[i]
            pdf.set_font(FAMILY, style, size)
            pdf.set_xy(left_x, row_y)
            pdf.cell(left_w, height, line, align="C")
        if i < len(right):
            pdf.set_font(FAMILY, "B", size)
            pdf.set_xy(right_x, row_y)
            pdf.cell(right_w, height, right[i], align="C")
    pdf.set_xy(pdf.l_margin, y + max(len(left), len(right)) * height)


def heading(pdf: Pdf, line: str, *, size: float, height: float, style: str = "B",
            align: str = "C") -> None:
    """One line across the text width (centred, bold unless told), the cursor
    under it."""
    pdf.set_font(FAMILY, style, size)
    pdf.cell(0, height, line, align=align, new_x="LMARGIN", new_y="NEXT")


def paragraph(pdf: Pdf, line: str, *, size: float, height: float, style: str = "",
              align: str = "L") -> None:
    """Wrapped text across the text width, the cursor under it."""
    pdf.set_font(FAMILY, style, size)
    pdf.multi_cell(0, height, line, align=align, new_x="LMARGIN", new_y="NEXT")


def labelled_rows(pdf: Pdf, rows: Sequence[tuple[str, str]], *, label_w: float,
                  size: float = 13, height: float = 8) -> None:
    """"Label: value" lines, the label in bold in a column of its own and the
    value wrapping beside it."""
    for label, value in rows:
        pdf.set_font(FAMILY, "B", size)
        pdf.cell(label_w, height, f"{label}:")
        pdf.set_font(FAMILY, "", size)
        pdf.multi_cell(0, height, value, new_x="LMARGIN", new_y="NEXT")


def output(pdf: Pdf) -> bytes:
    return bytes(pdf.output())


def table_rows(pdf: Pdf, header: Row, rows: Sequence[Row], widths: Sequence[float], *,
               size: float, line_height: float) -> None:
    """A table at the cursor, its bold header repeated on every page it runs to."""
    from fpdf.fonts import FontFace

    pdf.set_font(FAMILY, "", size)
    with pdf.table(col_widths=tuple(widths), text_align="LEFT", line_height=line_height,
                   headings_style=FontFace(emphasis="BOLD"), repeat_headings=1) as table:
        table.row([text(h) for h in header])
        for row in rows:
            table.row([text(v) for v in row])


def table_document(title: str, subtitle: str, header: Row, rows: Sequence[Row],
                   widths: Sequence[float]) -> bytes:
    """A landscape A4 table with the header repeated on every page, as registers
    are printed and bound each year."""
    pdf = new_pdf(orientation="L", page_break=12)
    pdf.set_title(text(title))
    pdf.add_page()
    heading(pdf, text(title).upper(), size=14, height=8)
    heading(pdf, text(subtitle), size=11, height=6, style="")
    pdf.ln(2)
    table_rows(pdf, header, rows, widths, size=9, line_height=4.5)
    return output(pdf)

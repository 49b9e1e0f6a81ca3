"""A case file exported as one PDF: a cover, the index of its documents
(mục lục văn bản), and each document's PDF attached byte for byte.

The documents are attached, not merged: rewriting a signed PDF into another
would break its signatures, while an attachment is the very file that was
signed, so a verifier run on it after extraction still says valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.outputs.pdf import FAMILY, heading, labelled_rows, new_pdf, output, text

Row = Sequence[object]


def case_file_pdf(*, agency: str, unit: str, title: str, cover: Sequence[tuple[str, str]],
                  header: Row, rows: Sequence[Row], widths: Sequence[float],
                  attachments: Sequence[tuple[str, bytes]], made_at: datetime) -> bytes:
    from fpdf.fonts import FontFace

    pdf = new_pdf(page_break=15)
    pdf.set_title(text(title))
    pdf.set_creation_date(made_at)
    pdf.add_page()
    heading(pdf, text(agency).upper(), size=12, height=6, style="")
    heading(pdf, text(unit).upper(), size=12, height=6)
    pdf.ln(30)
    heading(pdf, "HỒ SƠ", size=22, height=12)
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(0, 8, text(title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(16)
    labelled_rows(pdf, [(text(k), text(v)) for k, v in cover], label_w=62, size=12, height=7)

    pdf.add_page()
    heading(pdf, "MỤC LỤC VĂN BẢN", size=14, height=8)
    pdf.ln(2)
    pdf.set_font(FAMILY, "", 10)
    with pdf.table(col_widths=tuple(widths), text_align="LEFT", line_height=5,
                   headings_style=FontFace(emphasis="BOLD"), repeat_headings=1) as table:
        table.row([text(h) for h in header])
        for row in rows:
            table.row([text(v) for v in row])
    for name, data in attachments:
        pdf.embed_file(bytes=data, basename=name, mime_type="application/pdf",
                       modification_date=made_at)
    return output(pdf)

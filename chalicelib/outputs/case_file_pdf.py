"""A case file exported as one PDF: a cover, the index of its documents
(mục lục văn bản), and each document's PDF attached byte for byte.

The documents are attached, not merged: rewriting a signed PDF into another
would break its signatures, while an attachment is the very file that was
signed, so a verifier run on it after extraction still says valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.outputs.pdf import (
    FAMILY,
    heading,
    labelled_rows,
    new_pdf,
    output,
    table_rows,
    text,
)

Row = Sequence[object]


def case_file_pdf(*, agency: str, unit: str, title: str, cover: Sequence[tuple[str, str]],
                  header: Row, rows: Sequence[Row], widths: Sequence[float],
                  attachments: Sequence[tuple[str, bytes]], made_at: datetime) -> bytes:

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
    table_rows(pdf, header, rows, widths, size=10, line_height=5)
    for name, data in attachments:
        pdf.embed_file(bytes=data, basename=name, mime_type="application/pdf",
                       modification_date=made_at)
    return output(pdf)


def handover_record_pdf(*, agency: dict[str, str], place_date: str, giver: Sequence[str],
                        receiver: Sequence[str], header: Row, rows: Sequence[Row],
                        widths: Sequence[float], totals: str, title: str) -> bytes:
    """Biên bản giao nhận tài liệu (Decree 30 Art. 30) with its mục lục hồ sơ:
    who hands over, who receives, the files, and the two signature blocks."""

    from chalicelib.outputs.pdf import national_header, paragraph

    pdf = new_pdf(faces=("", "B", "I"), margins=(20, 15, 15), page_break=15)
    pdf.set_title(text(title))
    pdf.add_page()
    national_header(pdf, [(text(agency.get("parent", "")), ""), (text(agency.get("name", "")),
                                                                  "B")],
                    y=15, left_x=20, left_w=80, right_x=100, right_w=95)
    pdf.ln(2)
    paragraph(pdf, text(place_date), size=12, height=6, style="I", align="R")
    pdf.ln(6)
    heading(pdf, "BIÊN BẢN", size=15, height=8)
    heading(pdf, "Về việc giao nhận hồ sơ, tài liệu vào Lưu trữ cơ quan", size=13, height=7)
    pdf.ln(4)
    paragraph(pdf, "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ "
              "về công tác văn thư (Điều 30).", size=12, height=6)
    paragraph(pdf, "Bên giao:", size=12, height=6, style="B")
    for line in giver:
        paragraph(pdf, text(line), size=12, height=6)
    paragraph(pdf, "Bên nhận:", size=12, height=6, style="B")
    for line in receiver:
        paragraph(pdf, text(line), size=12, height=6)
    paragraph(pdf, "Thống nhất giao nhận các hồ sơ, tài liệu theo mục lục hồ sơ dưới đây:",
              size=12, height=6)
    pdf.ln(2)
    heading(pdf, "MỤC LỤC HỒ SƠ", size=12, height=7)
    table_rows(pdf, header, rows, widths, size=10, line_height=5)
    pdf.ln(3)
    paragraph(pdf, text(totals), size=12, height=6)
    pdf.ln(6)
    y = pdf.get_y()
    for x, who in ((20, "ĐẠI DIỆN BÊN GIAO"), (110, "ĐẠI DIỆN BÊN NHẬN")):
        pdf.set_xy(x, y)
        pdf.set_font(FAMILY, "B", 12)
        pdf.cell(80, 6, who, align="C")
        pdf.set_xy(x, y + 6)
        pdf.set_font(FAMILY, "I", 11)
        pdf.cell(80, 6, "(Ký, ghi rõ họ tên)", align="C")
    return output(pdf)

"""The person's evaluation form (phiếu đánh giá, xếp loại) as a PDF: who, which
period and rule set, each part of the score with the counts behind it, the
self-assessment, the head's proposal and the leader's decision. Drawn with
``outputs.pdf`` (the embedded Vietnamese font). Before publication it prints
unsigned; at publication ``evaluation_form_to_sign`` leaves the leader's
signature area, which the signing step fills (docs/evaluation.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.outputs.pdf import (
    FAMILY,
    heading,
    labelled_rows,
    national_header,
    new_pdf,
    output,
    paragraph,
    text,
)


def _band(label: str | None) -> str:
    return label or "—"


# The signature area, in millimetres: what the signing appearance needs to stay
# legible (name, title, time), as in adapters/signing's default layout.
SIGNATURE_W, SIGNATURE_H = 60.0, 25.0
POINTS_PER_MM = 72 / 25.4


def evaluation_form(body: dict[str, Any], *, agency: str, printed_at: datetime, tz: Any
                    ) -> bytes:
    """``body``: what ``GET /api/evaluation/{username}`` answers; ``agency``: the
    agency's name as printed."""
    pdf = _form(body, agency=agency)
    pdf.ln(4)
    paragraph(pdf, f"In lúc {printed_at.astimezone(tz):%H:%M ngày %d/%m/%Y}.", size=10,
              height=5, style="I", align="R")
    return output(pdf)


def evaluation_form_to_sign(body: dict[str, Any], *, agency: str, signer_title: str
                            ) -> tuple[bytes, tuple[int, float, float, float, float]]:
    """The published form with the leader's signature block at the bottom right:
    the title over an empty area that the signature's appearance fills (name,
    title and time of signing, so the name is printed once). Returns the PDF and
    the area as (page index, x, y, width, height) in PDF points from the bottom
    left, as the signing adapter's ``Box`` takes it."""
    pdf = _form(body, agency=agency)
    needed = 14 + SIGNATURE_H + 6
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(6)
    block_x = pdf.l_margin + pdf.epw / 2
    pdf.set_x(block_x)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(pdf.epw / 2, 6, text(signer_title).upper() or "LÃNH ĐẠO SỞ", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    x = block_x + (pdf.epw / 2 - SIGNATURE_W) / 2
    box = (pdf.page - 1, x * POINTS_PER_MM, (pdf.h - top - SIGNATURE_H) * POINTS_PER_MM,
           SIGNATURE_W * POINTS_PER_MM, SIGNATURE_H * POINTS_PER_MM)
    return output(pdf), box


def _form(body: dict[str, Any], *, agency: str) -> Any:
    from fpdf.fonts import FontFace

    pdf = new_pdf(faces=("", "B", "I"), margins=(25, 20, 20), page_break=18)
    pdf.add_page()
    pdf.set_title(text(f"Phiếu đánh giá, xếp loại {body['full_name']} {body['period_label']}"))
    national_header(pdf, [(text(agency).upper(), ""), (text(body.get("unit_name") or
                                                               body.get("unit") or ""), "B")],
                    y=pdf.t_margin, left_x=pdf.l_margin, left_w=70,
                    right_x=pdf.l_margin + 70, right_w=pdf.epw - 70)
    pdf.ln(10)
    heading(pdf, "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG", size=15, height=8)
    heading(pdf, text(body["period_label"].capitalize()), size=12, height=7, style="I")
    pdf.ln(4)
    labelled_rows(pdf, [
        ("Họ và tên", text(body["full_name"])),
        ("Chức danh", text(body.get("title") or "")),
        ("Đơn vị", text(body.get("unit_name") or body.get("unit") or "")),
        ("Đối tượng", text(body["category_label"])),
        ("Quy định áp dụng", text(body["rule_set"]) + ("" if body["rule_set_confirmed"]
                                                        else " (chưa được xác nhận)")),
    ], label_w=45, size=12, height=7)
    pdf.ln(3)
    pdf.set_font(FAMILY, "", 11)
    with pdf.table(col_widths=(70, 25, 25, 45), text_align="LEFT", line_height=6,
                   headings_style=FontFace(emphasis="BOLD")) as table:
        table.row(["Nội dung", "Điểm", "Tối đa", "Căn cứ"])
        for part in body["parts"]:
            basis = ", ".join(f"{i['label']}: {i['count']}" for i in part["items"])
            table.row([text(part["label"]), text(part["points"] or ""),
                       text(part["max"] or ""), text(basis)])
    pdf.ln(3)
    score = body.get("score")
    labelled_rows(pdf, [
        ("Tổng điểm", text(score) if score is not None else "(đánh giá theo tiêu chí)"),
        ("Mức theo số liệu", text(body["band_label"])),
    ], label_w=45, size=12, height=7)
    for note in body.get("notes") or []:
        paragraph(pdf, text(f"Ghi chú: {note}"), size=10, height=5, style="I")
    rnd = body.get("round") or {}
    own = rnd.get("self") or {}
    proposal = rnd.get("proposal") or {}
    decision = rnd.get("decision") or {}
    pdf.ln(3)
    heading(pdf, "Tự đánh giá", size=12, height=7, align="L")
    paragraph(pdf, text(own.get("text") or "(chưa có)"), size=11, height=6)
    labelled_rows(pdf, [("Tự xếp loại", _band(own.get("band_label")))], label_w=45, size=11,
                  height=6)
    heading(pdf, "Ý kiến của người đứng đầu đơn vị", size=12, height=7, align="L")
    labelled_rows(pdf, [
        ("Điểm tiêu chí chung", text(proposal.get("general_points") or "(chưa nhập)")),
        ("Đề xuất", text(proposal.get("band") or "(theo số liệu)")),
        ("Nhận xét", text(proposal.get("note") or "")),
    ], label_w=45, size=11, height=6)
    heading(pdf, "Quyết định của lãnh đạo Sở", size=12, height=7, align="L")
    labelled_rows(pdf, [
        ("Xếp loại", _band(decision.get("band_label"))),
        ("Lý do điều chỉnh", text("; ".join([*(decision.get("reasons") or []),
                                             decision.get("reason") or ""]).strip("; "))),
    ], label_w=45, size=11, height=6)
    return pdf

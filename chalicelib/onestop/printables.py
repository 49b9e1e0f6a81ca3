"""Printables of the one-stop shop: the result certificate, the receipt with its
appointment and the refusal slip. What they say and where is here; the drawing
and the embedded Vietnamese font come from ``outputs.pdf``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.outputs.pdf import (
    heading,
    labelled_rows,
    national_header,
    new_pdf,
    output,
    paragraph,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DESK = "BỘ PHẬN MỘT CỬA"


def compose_certificate(d: dict[str, Any], agency: dict[str, str], issued: datetime) -> bytes:
    """A one-page certificate in the Decree 30 header style (Liberation Serif)."""
    pdf = new_pdf(faces=("", "B", "I"), margins=(30, 20, 20))
    pdf.add_page()
    pdf.set_title(d["procedure"]["result"])
    national_header(pdf, [(agency["parent"], ""), (agency["name"], "B")], y=20, left_x=20,
                    left_w=80, right_x=100, right_w=95)
    pdf.set_y(60)
    paragraph(pdf, d["procedure"]["result"].upper(), size=16, height=9, style="B", align="C")
    pdf.ln(6)
    applicant = d["applicant"]
    labelled_rows(pdf, [
        ("Tên doanh nghiệp", applicant.get("organisation") or "(theo hồ sơ)"),
        ("Người đại diện", applicant["name"]),
        ("Địa chỉ", applicant.get("address") or ""),
        ("Thủ tục", d["procedure"]["name"]),
        ("Mã hồ sơ", d["code"]),
        ("Ngày tiếp nhận", datetime.fromisoformat(d["received_at"].replace("Z", "+00:00"))
         .astimezone(TZ).strftime("%d/%m/%Y")),
        ("Ngày cấp", issued.astimezone(TZ).strftime("%d/%m/%Y")),
    ], label_w=50)
    return output(pdf)


def _desk_form(title: str, faces: tuple[str, ...], agency: dict[str, str]) -> Any:
    """A form of the desk: its head (agency, desk; national name, motto) and title."""
    pdf = new_pdf(faces=faces, margins=(25, 20, 20))
    pdf.add_page()
    pdf.set_title(title)
    national_header(pdf, [(agency["name"], "B"), (DESK, "")], y=pdf.t_margin,
                    left_x=pdf.l_margin, left_w=70, right_x=pdf.l_margin + 70,
                    right_w=pdf.epw - 70)
    pdf.ln(12)
    return pdf


def compose_receipt(d: dict[str, Any], agency: dict[str, str]) -> bytes:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Circular 01/2018/TT-VPCP form 01):
    printable, and attached to the receipt e-mail."""
    pdf = _desk_form(f"Giấy tiếp nhận hồ sơ {d['code']}", ("", "B", "I"), agency)
    heading(pdf, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", size=15, height=8)
    heading(pdf, f"Mã hồ sơ: {d['code']}", size=12, height=7, style="I")
    pdf.ln(6)
    received = datetime.fromisoformat(d["received_at"].replace("Z", "+00:00")).astimezone(TZ)
    appointment = datetime.fromisoformat(d["appointment_at"].replace("Z", "+00:00")
                                         ).astimezone(TZ)
    applicant = d["applicant"]
    rows = [
        ("Tiếp nhận hồ sơ của", applicant["name"]),
        ("Tổ chức", applicant.get("organisation") or ""),
        ("Điện thoại", applicant.get("phone") or ""),
        ("Thủ tục", d["procedure"]["name"]),
        ("Hình thức", "Trực tuyến" if d["channel"] == "online" else "Trực tiếp"),
        ("Thời gian tiếp nhận", received.strftime("%H giờ %M, ngày %d/%m/%Y")),
        ("Thời gian giải quyết", f"{d['procedure']['time_limit']} ngày "
         + ("làm việc" if d["procedure"]["day_count"] == "working" else "")),
        ("Hẹn trả kết quả", appointment.strftime("%H giờ %M, ngày %d/%m/%Y")),
    ]
    labelled_rows(pdf, [(label, value) for label, value in rows if value], label_w=55)
    pdf.ln(4)
    heading(pdf, "Thành phần hồ sơ đã nhận:", size=13, height=8, align="L")
    received_codes = set((d.get("files") or {}).keys()) | set(d.get("papers_seen") or [])
    for i, paper in enumerate(d["procedure"]["papers"], 1):
        if paper["code"] in received_codes or (not received_codes and paper["required"]):
            paragraph(pdf, f"{i}. {paper['name']}", size=12, height=7)
    pdf.ln(4)
    paragraph(pdf, "Tra cứu tình trạng hồ sơ tại trang Tra cứu hồ sơ bằng mã hồ sơ và "
                   "4 số cuối điện thoại.", size=11, height=6, style="I")
    if d.get("access_key"):
        # Withdrawing or saying "supplied" online needs it: only the applicant holds it.
        paragraph(pdf, f"Mã bảo mật: {d['access_key']} (dùng khi rút hồ sơ hoặc báo đã bổ "
                       "sung giấy tờ trực tuyến; không chia sẻ mã này).", size=11, height=6)
    return output(pdf)


def compose_refusal(item: dict[str, Any], agency: dict[str, str]) -> bytes:
    """Phiếu từ chối tiếp nhận hồ sơ: what is missing, so the applicant can come
    back with a complete dossier."""
    pdf = _desk_form("Phiếu từ chối tiếp nhận hồ sơ", ("", "B"), agency)
    heading(pdf, "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ", size=15, height=8)
    pdf.ln(6)
    at = datetime.fromisoformat(item["at"].replace("Z", "+00:00")).astimezone(TZ)
    lines = [f"Kính gửi: {item['applicant']['name']}",
             f"Thủ tục: {item['procedure']['name']}",
             f"Thời điểm: {at:%H giờ %M, ngày %d/%m/%Y}",
             "Hồ sơ chưa được tiếp nhận vì:"]
    lines += [f"  {i}. Thiếu: {paper['name']}"
              for i, paper in enumerate(item.get("missing") or [], 1)]
    if item.get("reason"):
        lines.append(f"  Lý do khác: {item['reason']}")
    for line in lines:
        paragraph(pdf, line, size=13, height=8)
    pdf.ln(4)
    paragraph(pdf, "Đề nghị ông/bà bổ sung đầy đủ và nộp lại hồ sơ.", size=13, height=8)
    pdf.ln(6)
    heading(pdf, "NGƯỜI TIẾP NHẬN", size=13, height=8, align="R")
    heading(pdf, str(item.get("refused_by_name") or ""), size=13, height=8, style="", align="R")
    return output(pdf)

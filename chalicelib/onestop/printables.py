"""Printables of the one-stop shop: the result certificate, the receipt with its
appointment and the refusal slip, drawn as PDFs with the embedded Vietnamese font."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def compose_certificate(d: dict[str, Any], agency: dict[str, str], issued: datetime) -> bytes:
    """A one-page certificate in the Decree 30 header style (Liberation Serif)."""
    from pathlib import Path

    from fpdf import FPDF

    fonts = Path(__file__).resolve().parents[1] / "fonts"
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(30, 20, 20)
    pdf.add_font("Serif", "", str(fonts / "LiberationSerif-Regular.ttf"))
    pdf.add_font("Serif", "B", str(fonts / "LiberationSerif-Bold.ttf"))
    pdf.add_font("Serif", "I", str(fonts / "LiberationSerif-Italic.ttf"))
    pdf.add_page()
    pdf.set_title(d["procedure"]["result"])
    pdf.set_font("Serif", "", 12)
    pdf.set_xy(20, 20)
    pdf.cell(80, 6, agency["parent"], align="C")
    pdf.set_xy(100, 20)
    pdf.set_font("Serif", "B", 12)
    pdf.cell(95, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_xy(20, 26)
    pdf.cell(80, 6, agency["name"], align="C")
    pdf.set_xy(100, 26)
    pdf.cell(95, 6, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.set_y(60)
    pdf.set_font("Serif", "B", 16)
    pdf.multi_cell(0, 9, d["procedure"]["result"].upper(), align="C", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.ln(6)
    applicant = d["applicant"]
    rows = [
        ("Tên doanh nghiệp", applicant.get("organisation") or "(theo hồ sơ)"),
        ("Người đại diện", applicant["name"]),
        ("Địa chỉ", applicant.get("address") or ""),
        ("Thủ tục", d["procedure"]["name"]),
        ("Mã hồ sơ", d["code"]),
        ("Ngày tiếp nhận", datetime.fromisoformat(d["received_at"].replace("Z", "+00:00"))
         .astimezone(TZ).strftime("%d/%m/%Y")),
        ("Ngày cấp", issued.astimezone(TZ).strftime("%d/%m/%Y")),
    ]
    for label, value in rows:
        pdf.set_font("Serif", "B", 13)
        pdf.cell(50, 8, f"{label}:")
        pdf.set_font("Serif", "", 13)
        pdf.multi_cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def compose_receipt(d: dict[str, Any], agency: dict[str, str]) -> bytes:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Circular 01/2018/TT-VPCP form 01):
    printable, and attached to the receipt e-mail."""
    from pathlib import Path

    from fpdf import FPDF

    fonts = Path(__file__).resolve().parents[1] / "fonts"
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(25, 20, 20)
    pdf.add_font("Serif", "", str(fonts / "LiberationSerif-Regular.ttf"))
    pdf.add_font("Serif", "B", str(fonts / "LiberationSerif-Bold.ttf"))
    pdf.add_font("Serif", "I", str(fonts / "LiberationSerif-Italic.ttf"))
    pdf.add_page()
    pdf.set_title(f"Giấy tiếp nhận hồ sơ {d['code']}")
    pdf.set_font("Serif", "B", 12)
    pdf.cell(70, 6, agency["name"], align="C")
    pdf.cell(0, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN",
             new_y="NEXT")
    pdf.set_font("Serif", "", 12)
    pdf.cell(70, 6, "BỘ PHẬN MỘT CỬA", align="C")
    pdf.set_font("Serif", "B", 12)
    pdf.cell(0, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font("Serif", "B", 15)
    pdf.cell(0, 8, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", align="C", new_x="LMARGIN",
             new_y="NEXT")
    pdf.set_font("Serif", "I", 12)
    pdf.cell(0, 7, f"Mã hồ sơ: {d['code']}", align="C", new_x="LMARGIN", new_y="NEXT")
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
    for label, value in rows:
        if not value:
            continue
        pdf.set_font("Serif", "B", 13)
        pdf.cell(55, 8, f"{label}:")
        pdf.set_font("Serif", "", 13)
        pdf.multi_cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Serif", "B", 13)
    pdf.cell(0, 8, "Thành phần hồ sơ đã nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 12)
    received_codes = set((d.get("files") or {}).keys()) | set(d.get("papers_seen") or [])
    for i, paper in enumerate(d["procedure"]["papers"], 1):
        if paper["code"] in received_codes or (not received_codes and paper["required"]):
            pdf.multi_cell(0, 7, f"{i}. {paper['name']}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Serif", "I", 11)
    pdf.multi_cell(0, 6, "Tra cứu tình trạng hồ sơ tại trang Tra cứu hồ sơ bằng mã hồ sơ và "
                         "4 số cuối điện thoại.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def compose_refusal(item: dict[str, Any], agency: dict[str, str]) -> bytes:
    """Phiếu từ chối tiếp nhận hồ sơ: what is missing, so the applicant can come
    back with a complete dossier."""
    from pathlib import Path

    from fpdf import FPDF

    fonts = Path(__file__).resolve().parents[1] / "fonts"
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(25, 20, 20)
    pdf.add_font("Serif", "", str(fonts / "LiberationSerif-Regular.ttf"))
    pdf.add_font("Serif", "B", str(fonts / "LiberationSerif-Bold.ttf"))
    pdf.add_page()
    pdf.set_title("Phiếu từ chối tiếp nhận hồ sơ")
    pdf.set_font("Serif", "B", 12)
    pdf.cell(70, 6, agency["name"], align="C")
    pdf.cell(0, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN",
             new_y="NEXT")
    pdf.set_font("Serif", "", 12)
    pdf.cell(70, 6, "BỘ PHẬN MỘT CỬA", align="C")
    pdf.set_font("Serif", "B", 12)
    pdf.cell(0, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font("Serif", "B", 15)
    pdf.cell(0, 8, "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    at = datetime.fromisoformat(item["at"].replace("Z", "+00:00")).astimezone(TZ)
    pdf.set_font("Serif", "", 13)
    for line in (f"Kính gửi: {item['applicant']['name']}",
                 f"Thủ tục: {item['procedure']['name']}",
                 f"Thời điểm: {at:%H giờ %M, ngày %d/%m/%Y}",
                 "Hồ sơ chưa được tiếp nhận vì:"):
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    for i, paper in enumerate(item.get("missing") or [], 1):
        pdf.multi_cell(0, 8, f"  {i}. Thiếu: {paper['name']}", new_x="LMARGIN", new_y="NEXT")
    if item.get("reason"):
        pdf.multi_cell(0, 8, f"  Lý do khác: {item['reason']}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 8, "Đề nghị ông/bà bổ sung đầy đủ và nộp lại hồ sơ.", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Serif", "B", 13)
    pdf.cell(0, 8, "NGƯỜI TIẾP NHẬN", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 13)
    pdf.cell(0, 8, str(item.get("refused_by_name") or ""), align="R")
    return bytes(pdf.output())

"""The result of a dossier as a signed PDF (for business registration, the
certificate): composed, signed with the signer's KMS key and sealed with the
agency's, as a workflow step, then registered for public verification by the
code printed on it, like any issued document. pyHanko and the PDF libraries
load only inside the step."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.events import DomainEvent, iso, utcnow
from chalicelib.services.subscribers import subscribe

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RESULT_REQUESTED = "dossier.result_requested"


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


@subscribe(RESULT_REQUESTED, name="sign_dossier_result")
def sign_dossier_result(event: DomainEvent) -> None:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.logging import logger
    from chalicelib.services import onestop

    table = Table()
    d = table.get(f"DOSSIER#{event.payload['id']}", "DOSSIER", consistent=True)
    if d is None or d.get("result_status") != "signing":
        return
    try:
        signed = _sign(d, event.payload["signer"], table)
    except Exception as exc:  # noqa: BLE001 - every failure ends in a visible state
        logger.exception("dossier result signing failed", extra={"dossier": d["id"]})
        onestop.record_result(d["id"], table=table, result_status="failed",
                              result_failure=str(getattr(exc, "message", "") or exc)[:300])
        return
    onestop.record_result(d["id"], table=table, result_status="signed", **signed)


def _sign(d: dict[str, Any], signer: str, table: Any) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.config import get_settings
    from chalicelib.domain.numbering import date_line
    from chalicelib.services import outgoing, signing_keys
    from chalicelib.signing.appearance import leader_stamp, seal_stamp
    from chalicelib.signing.pdf import default_layout, issue, prepare, sign_leader

    settings = get_settings()
    now = utcnow()
    agency = outgoing.agency_profile(table)
    code = d.get("result_code") or outgoing.new_code()
    pdf = compose_certificate(d, agency, now)
    layout = default_layout(pdf)
    prepared = prepare(pdf, layout=layout, verify_url=f"{settings.public_base_url}/verify/{code}",
                       code=code)
    profile = table.get(f"USER#{signer}", "PROFILE") or {}
    stamp = leader_stamp(width=layout.signature.width, height=layout.signature.height,
                         full_name=str(profile.get("full_name") or signer),
                         position=str(profile.get("title") or ""), signed_at=now,
                         signature_png=None)
    signed = sign_leader(prepared, signer=signing_keys.signer_for(signer, table),
                         box=layout.signature, appearance_pdf=stamp,
                         reason="Cấp kết quả giải quyết thủ tục hành chính")
    seal = seal_stamp(width=layout.seal.width, height=layout.seal.height,
                      agency_name=agency["name"], signed_at=now, seal_png=None)
    final = issue(signed, number_text=f"Mã hồ sơ: {d['code']}",
                  date_text=date_line(agency["place"], now.astimezone(TZ).date()), layout=layout,
                  seal_signer=signing_keys.signer_for(signing_keys.AGENCY, table),
                  seal_appearance_pdf=seal)
    key = f"dossiers/{d['id']}/result.pdf"
    client("s3").put_object(Bucket=settings.documents_bucket, Key=key, Body=final,
                            ContentType="application/pdf")
    digest = hashlib.sha256(final).hexdigest()
    # Verification by the printed code finds the result like an issued document.
    table.put({"pk": f"RESULT#{d['id']}", "sk": "RESULT", "kind": "outgoing", "id": d["id"],
               "code": code, "status": "issued", "number_text": d["code"],
               "issued_on": now.astimezone(TZ).date().isoformat(), "issued_key": key,
               "issued_sha256": digest, "type_name": d["procedure"]["result"],
               "subject": d["applicant"].get("organisation") or d["procedure"]["name"],
               "signed_by_name": profile.get("full_name") or signer, "do_mat": "",
               "gsi1pk": f"VERIFY#{code}", "gsi1sk": d["id"]})
    return {"result_key": key, "result_code": code, "result_sha256": digest,
            "result_signed_at": iso(now), "result_signed_by": signer}


@subscribe("dossier.returned_online", name="mail_dossier_result")
def mail_dossier_result(event: DomainEvent) -> None:
    """The applicant gets the signed result attached, and where to verify it."""
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.dynamo import Table
    from chalicelib.adapters.mailer import SesMailer
    from chalicelib.config import get_settings
    from chalicelib.web.render import render

    table = Table()
    d = table.get(f"DOSSIER#{event.payload['id']}", "DOSSIER", consistent=True)
    if d is None or not d.get("result_key") or not d["applicant"].get("email"):
        return
    settings = get_settings()
    data = client("s3").get_object(Bucket=settings.documents_bucket,
                                   Key=d["result_key"])["Body"].read()
    context = {"name": d["applicant"]["name"], "code": d["code"],
               "procedure": d["procedure"]["name"], "result": d["procedure"]["result"],
               "verify": f"{settings.public_base_url}/verify/{d['result_code']}",
               "lookup": f"{settings.public_base_url}/tra-cuu?code={d['code']}"}
    SesMailer().send(to=[d["applicant"]["email"]],
                     subject=render("mail/dossier_result.subject.txt", **context).strip(),
                     text=render("mail/dossier_result.txt", **context),
                     html=render("mail/dossier_result.html", **context),
                     attachments=[(f"ket-qua-{d['code']}.pdf", "application/pdf", data)])


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


@subscribe("dossier.received", name="mail_dossier_receipt")
def mail_dossier_receipt(event: DomainEvent) -> None:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.adapters.mailer import SesMailer
    from chalicelib.config import get_settings
    from chalicelib.services import outgoing
    from chalicelib.web.render import render

    table = Table()
    d = table.get(f"DOSSIER#{event.payload['id']}", "DOSSIER", consistent=True)
    if d is None or not d["applicant"].get("email"):
        return
    appointment = datetime.fromisoformat(d["appointment_at"].replace("Z", "+00:00"))
    context = {"name": d["applicant"]["name"], "code": d["code"],
               "procedure": d["procedure"]["name"],
               "received": datetime.fromisoformat(d["received_at"].replace("Z", "+00:00"))
               .astimezone(TZ).strftime("%d/%m/%Y"),
               "appointment": appointment.astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y"),
               "lookup": f"{get_settings().public_base_url}/tra-cuu?code={d['code']}"}
    receipt = compose_receipt(d, outgoing.agency_profile(table))
    SesMailer().send(to=[d["applicant"]["email"]],
                     subject=render("mail/dossier_receipt.subject.txt", **context).strip(),
                     text=render("mail/dossier_receipt.txt", **context),
                     html=render("mail/dossier_receipt.html", **context),
                     attachments=[(f"giay-tiep-nhan-{d['code']}.pdf", "application/pdf",
                                   receipt)])


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


@subscribe("dossier.refused", name="mail_dossier_refusal")
def mail_dossier_refusal(event: DomainEvent) -> None:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.adapters.mailer import SesMailer
    from chalicelib.services import outgoing

    table = Table()
    item = table.get(f"REFUSAL#{event.payload['id']}", "REFUSAL", consistent=True)
    if item is None or not item["applicant"].get("email"):
        return
    missing = "\n".join(f"- {p['name']}" for p in item.get("missing") or [])
    text = (f"Kính gửi ông/bà {item['applicant']['name']},\n\n"
            f"Hồ sơ thủ tục “{item['procedure']['name']}” chưa được tiếp nhận.\n"
            + (f"Giấy tờ còn thiếu:\n{missing}\n" if missing else "")
            + (f"Lý do: {item['reason']}\n" if item.get("reason") else "")
            + "\nPhiếu từ chối tiếp nhận được đính kèm. Đề nghị bổ sung đầy đủ và nộp lại.\n\n"
              "--\nHệ thống cơ quan điện tử — thư tự động, vui lòng không trả lời.\n"
              "(English: your dossier was not received; the missing papers are listed.)")
    SesMailer().send(to=[item["applicant"]["email"]],
                     subject=f"Từ chối tiếp nhận hồ sơ: {item['procedure']['name']}",
                     text=text,
                     attachments=[("phieu-tu-choi.pdf", "application/pdf",
                                   compose_refusal(item, outgoing.agency_profile(table)))])

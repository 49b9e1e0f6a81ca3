"""The result of a dossier as a signed PDF (for business registration, the
certificate): composed, signed with the signer's KMS key and sealed with the
agency's, as a workflow step, then registered for public verification by the
code printed on it, like any issued document. pyHanko and the PDF libraries
load only inside the step."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.ports import Mailer
from chalicelib.kernel.subscribers import subscribe
from chalicelib.onestop.dossiers import lookup_url
from chalicelib.onestop.printables import compose_certificate, compose_receipt, compose_refusal
from chalicelib.onestop.rules import RESULT_REQUESTED
from chalicelib.onestop.store import OneStopStore
from chalicelib.organisation.service import agency_profile

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo import Table

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@subscribe(RESULT_REQUESTED, name="sign_dossier_result", needs=("table",))
def sign_dossier_result(event: DomainEvent, table: Table) -> None:
    from chalicelib.kernel.logging import logger
    from chalicelib.onestop.results import record_result

    store = OneStopStore(table)
    d = store.get(event.payload["id"])
    if d is None or d.get("result_status") != "signing":
        return
    try:
        signed = _sign(d, event.payload["signer"], store)
    except Exception as exc:  # noqa: BLE001 - every failure ends in a visible state
        logger.exception("dossier result signing failed", extra={"dossier": d["id"]})
        record_result(d["id"], table=store.table, result_status="failed",
                      result_failure=str(getattr(exc, "message", "") or exc)[:300])
        return
    record_result(d["id"], table=store.table, result_status="signed", **signed)


def _sign(d: dict[str, Any], signer: str, store: OneStopStore) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.signing.appearance import leader_stamp, seal_stamp
    from chalicelib.adapters.signing.pdf import default_layout, issue, prepare, sign_leader
    from chalicelib.kernel.config import get_settings
    from chalicelib.kernel.numbering import date_line
    from chalicelib.organisation.store import Directory
    from chalicelib.outgoing import service as outgoing
    from chalicelib.signing import keys as signing_keys

    table = store.table
    settings = get_settings()
    now = utcnow()
    agency = agency_profile(table)
    code = d.get("result_code") or outgoing.new_code()
    pdf = compose_certificate(d, agency, now)
    layout = default_layout(pdf)
    prepared = prepare(pdf, layout=layout, verify_url=f"{settings.public_base_url}/verify/{code}",
                       code=code)
    profile = Directory(table).user(signer) or {}
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
    store.register_result(d["id"], {
        "code": code, "status": "issued", "number_text": d["code"],
        "issued_on": now.astimezone(TZ).date().isoformat(), "issued_key": key,
        "issued_sha256": digest, "type_name": d["procedure"]["result"],
        "subject": d["applicant"].get("organisation") or d["procedure"]["name"],
        "signed_by_name": profile.get("full_name") or signer, "do_mat": ""})
    return {"result_key": key, "result_code": code, "result_sha256": digest,
            "result_signed_at": iso(now), "result_signed_by": signer}


@subscribe("dossier.returned_online", name="mail_dossier_result", needs=("mailer", "table"))
def mail_dossier_result(event: DomainEvent, mailer: Mailer, table: Table) -> None:
    """The applicant gets the signed result attached, and where to verify it."""
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings
    from chalicelib.outputs.mail import compose_mail

    d = OneStopStore(table).get(event.payload["id"])
    if d is None or not d.get("result_key") or not d["applicant"].get("email"):
        return
    settings = get_settings()
    data = client("s3").get_object(Bucket=settings.documents_bucket,
                                   Key=d["result_key"])["Body"].read()
    context = {"name": d["applicant"]["name"], "code": d["code"],
               "procedure": d["procedure"]["name"], "result": d["procedure"]["result"],
               "verify": f"{settings.public_base_url}/verify/{d['result_code']}",
               "lookup": lookup_url(settings.public_base_url, d)}
    compose_mail("dossier_result", context, [d["applicant"]["email"]],
                 attachments=[(f"ket-qua-{d['code']}.pdf", "application/pdf", data)]
                 ).send(mailer)


@subscribe("dossier.received", name="mail_dossier_receipt", needs=("mailer", "table"))
def mail_dossier_receipt(event: DomainEvent, mailer: Mailer, table: Table) -> None:
    from chalicelib.kernel.config import get_settings
    from chalicelib.outputs.mail import compose_mail

    d = OneStopStore(table).get(event.payload["id"])
    if d is None or not d["applicant"].get("email"):
        return
    appointment = datetime.fromisoformat(d["appointment_at"].replace("Z", "+00:00"))
    context = {"name": d["applicant"]["name"], "code": d["code"],
               "procedure": d["procedure"]["name"],
               "received": datetime.fromisoformat(d["received_at"].replace("Z", "+00:00"))
               .astimezone(TZ).strftime("%d/%m/%Y"),
               "appointment": appointment.astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y"),
               "lookup": lookup_url(get_settings().public_base_url, d),
               "access_key": d.get("access_key") or ""}
    receipt = compose_receipt(d, agency_profile(table))
    compose_mail("dossier_receipt", context, [d["applicant"]["email"]],
                 attachments=[(f"giay-tiep-nhan-{d['code']}.pdf", "application/pdf", receipt)]
                 ).send(mailer)


@subscribe("dossier.refused", name="mail_dossier_refusal", needs=("mailer", "table"))
def mail_dossier_refusal(event: DomainEvent, mailer: Mailer, table: Table) -> None:
    from chalicelib.outputs.mail import Mail

    item = OneStopStore(table).refusal(event.payload["id"], consistent=True)
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
    Mail(to=(item["applicant"]["email"],),
         subject=f"Từ chối tiếp nhận hồ sơ: {item['procedure']['name']}", text=text,
         attachments=(("phieu-tu-choi.pdf", "application/pdf",
                       compose_refusal(item, agency_profile(table))),)).send(mailer)

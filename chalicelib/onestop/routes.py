"""The one-stop shop: the public submission and lookup, the desk, processing
step by step, results, and report form 06."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.downloads import PDF, file_response
from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import onestop as use_cases
from chalicelib.bootstrap import table
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module
from chalicelib.outputs.sheets import XLSX, to_xlsx

onestop = lazy_module("chalicelib.onestop.service")

onestop_bp = Blueprint(__name__)
S = "chalicelib.onestop.schemas:"
SIGNED_IN = Policy.signed_in()
DESK = Policy.only(Role.ONE_STOP, Role.LEADER)
TAGS = ("one-stop",)
SUBMIT = Policy.anyone("citizens and businesses submit dossiers", rate_limit=(10, 60))
UPLOAD = Policy.anyone("citizens upload the papers of a dossier", rate_limit=(60, 60))
LOOKUP = Policy.anyone("citizens follow their dossier", rate_limit=(20, 60))
CATALOGUE = Policy.anyone("the procedures in force", rate_limit=(60, 60))


def _storage() -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    settings = get_settings()
    return {"s3": client("s3"), "intake_bucket": settings.intake_bucket,
            "documents_bucket": settings.documents_bucket}


def _public_answer(d: dict[str, Any]) -> dict[str, Any]:
    # The access key goes to whoever submitted, once, like the printed receipt.
    return {"code": d["code"], "appointment_at": d["appointment_at"],
            "received_at": d["received_at"], "status": int(d["status"]),
            "access_key": d.get("access_key")}


@route(onestop_bp, "/api/public/procedures", policy=CATALOGUE, tags=TAGS,
       summary="Procedures in force today: time limit, fee, papers, result")
def procedures(call: Call) -> dict[str, Any]:
    deps = use_cases()
    return {"procedures": onestop.catalogue(deps=deps)}


@route(onestop_bp, "/api/public/dossiers", methods=("POST",), body=S + "DossierIn",
       policy=SUBMIT, tags=TAGS,
       summary="Submit a dossier online; returns its code and appointment")
def submit(call: Call) -> dict[str, Any]:
    deps = use_cases()
    b = call.body
    d = onestop.receive(None, procedure_code=b.procedure,
                        applicant=b.applicant.model_dump(mode="json"), papers=b.papers,
                        channel="online", idempotency_key=b.idempotency_key,
                        storage=_storage(), deps=deps)
    return _public_answer(d)


@route(onestop_bp, "/api/public/dossiers/uploads", methods=("POST",), policy=UPLOAD,
       tags=TAGS, summary="A presigned POST for one paper (PDF, JPEG, PNG; 20 MiB)")
def upload(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    return onestop.upload_form(client("s3"), get_settings().intake_bucket)


@route(onestop_bp, "/api/public/dossiers/{code}", query=S + "LookupQuery", policy=LOOKUP,
       tags=TAGS, summary="Status, timeline and appointment, by code and the phone's last "
                          "4 digits")
def lookup(call: Call) -> dict[str, Any]:
    deps = use_cases()
    return onestop.lookup(call.params["code"], call.query.phone_last4, deps=deps)


@route(onestop_bp, "/api/public/dossiers/{code}/result", query=S + "LookupQuery",
       policy=LOOKUP, tags=TAGS,
       summary="A short-lived link to the signed result once returned, by code and the "
               "phone's last 4 digits")
def public_result(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    return onestop.public_result_url(call.params["code"], call.query.phone_last4,
                                     s3=client("s3"), bucket=get_settings().documents_bucket,
                                     deps=use_cases())


@route(onestop_bp, "/api/public/dossiers/{code}/withdraw", methods=("POST",),
       body=S + "PublicActionIn", policy=LOOKUP, tags=TAGS,
       summary="The applicant asks to withdraw the dossier (status 7): phone and "
               "the receipt's access key")
def withdraw(call: Call) -> dict[str, Any]:
    deps = use_cases()
    return onestop.withdraw(call.params["code"], call.body.phone_last4, call.body.reason,
                            access_key=call.body.access_key, deps=deps)


@route(onestop_bp, "/api/public/dossiers/{code}/supplied", methods=("POST",),
       body=S + "PublicActionIn", policy=LOOKUP, tags=TAGS,
       summary="The applicant has supplied the requested papers: the clock runs again "
               "(phone and the receipt's access key)")
def supplied_online(call: Call) -> dict[str, Any]:
    deps = use_cases()
    return onestop.supply_online(call.params["code"], call.body.phone_last4,
                                 access_key=call.body.access_key, deps=deps)


@route(onestop_bp, "/api/dossiers", methods=("POST",), body=S + "DeskDossierIn",
       policy=DESK, tags=TAGS, summary="Receive a dossier at the desk")
def receive(call: Call) -> dict[str, Any]:
    deps = use_cases()
    b = call.body
    d = onestop.receive(call.user, procedure_code=b.procedure,
                        applicant=b.applicant.model_dump(mode="json"), papers=b.papers,
                        seen=b.papers_seen, channel="in_person",
                        idempotency_key=b.idempotency_key,
                        storage=_storage() if any(b.papers.values()) else None, deps=deps)
    return onestop.view(call.user, d["id"], deps=deps)


@route(onestop_bp, "/api/dossiers", query=S + "ListQuery", policy=SIGNED_IN, tags=TAGS,
       summary="Dossiers received in a month that the caller's unit handles")
def list_dossiers(call: Call) -> dict[str, Any]:
    deps = use_cases()
    q = call.query
    return onestop.list_visible(call.user, month=q.month, q=q.q, limit=q.limit, cursor=q.cursor,
                                deps=deps)


@route(onestop_bp, "/api/dossiers/{dossier_id}", policy=SIGNED_IN, tags=TAGS,
       summary="One dossier: steps with deadlines, the control slip, the timeline")
def get(call: Call) -> dict[str, Any]:
    deps = use_cases()
    return onestop.view(call.user, call.params["dossier_id"], deps=deps)


@route(onestop_bp, "/api/dossiers/{dossier_id}/advance", methods=("POST",), body=S + "NoteIn",
       policy=SIGNED_IN, tags=TAGS,
       summary="The current step is done: hand the dossier on (control slip)")
def advance(call: Call) -> dict[str, Any]:
    deps = use_cases()
    return onestop.advance(call.user, call.params["dossier_id"], note=call.body.note, deps=deps)


@route(onestop_bp, "/api/dossiers/{dossier_id}/supplement", methods=("POST",),
       body=S + "SupplementIn", policy=SIGNED_IN, tags=TAGS,
       summary="Ask for additional papers: the clock stops, the applicant is told")
def supplement(call: Call) -> dict[str, Any]:
    deps = use_cases()
    onestop.request_supplement(call.user, call.params["dossier_id"], papers=call.body.papers,
                               note=call.body.note, deps=deps)
    return onestop.view(call.user, call.params["dossier_id"], deps=deps)


@route(onestop_bp, "/api/dossiers/{dossier_id}/supplied", methods=("POST",), policy=DESK,
       tags=TAGS, summary="The desk records the additional papers: the appointment moves")
def supplied(call: Call) -> dict[str, Any]:
    deps = use_cases()
    onestop.supplied(call.user, call.params["dossier_id"], deps=deps)
    return onestop.view(call.user, call.params["dossier_id"], deps=deps)


@route(onestop_bp, "/api/dossiers/{dossier_id}/stop", methods=("POST",), body=S + "ReasonIn",
       policy=SIGNED_IN, tags=TAGS, summary="Stop processing (or complete a withdrawal)")
def stop(call: Call) -> dict[str, Any]:
    deps = use_cases()
    onestop.stop(call.user, call.params["dossier_id"], reason=call.body.reason, deps=deps)
    return onestop.view(call.user, call.params["dossier_id"], deps=deps)


@route(onestop_bp, "/api/dossiers/{dossier_id}/return", methods=("POST",), body=S + "ReturnIn",
       policy=DESK, tags=TAGS, summary="Return the result in person or online (status 10)")
def return_result(call: Call) -> dict[str, Any]:
    deps = use_cases()
    return onestop.return_result(call.user, call.params["dossier_id"], how=call.body.how, deps=deps)


@route(onestop_bp, "/api/reports/form06", query=S + "Form06Query",
       policy=Policy.only(Role.LEADER, Role.ONE_STOP), tags=TAGS,
       summary="Report form 06 by unit and period, from daily counters (JSON or XLSX)")
def form06(call: Call) -> Any:
    deps = use_cases()
    q = call.query
    data = onestop.form06(call.user, frm=q.from_, to=q.to, unit=q.unit, deps=deps)
    if q.format == "xlsx":
        header = [label for _, label in onestop.FORM06_COLUMNS]
        rows = [[str(r.get(k) if r.get(k) is not None else "") for k, _ in
                 onestop.FORM06_COLUMNS] for r in [*data["rows"], data["total"]]]
        return file_response(to_xlsx("Mẫu số 06 — Tình hình giải quyết TTHC", header, rows,
                                     [24, *[14] * (len(header) - 1)]), XLSX, "mau-06.xlsx")
    return data


@route(onestop_bp, "/api/dossiers/{dossier_id}/result", methods=("POST",),
       policy=Policy.only(Role.UNIT_HEAD, Role.LEADER), tags=TAGS,
       summary="Sign the result (certificate) with the signer's KMS key and the agency's "
               "seal; needs a sign-in under 5 minutes")
def sign_result(call: Call) -> dict[str, Any]:
    deps = use_cases()
    return onestop.request_result(call.user, call.params["dossier_id"], deps=deps)


@route(onestop_bp, "/api/dossiers/{dossier_id}/result", policy=SIGNED_IN, tags=TAGS,
       summary="A short-lived link to the signed result")
def result_file(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    return onestop.result_url(call.user, call.params["dossier_id"], s3=client("s3"),
                              bucket=get_settings().documents_bucket, table=table())



@route(onestop_bp, "/api/dossiers/{dossier_id}/receipt", policy=SIGNED_IN, tags=TAGS,
       produces="application/pdf",
       summary="The printable receipt with the appointment (giấy tiếp nhận và hẹn trả)")
def receipt(call: Call) -> Response:
    data = onestop.receipt_pdf(call.user, call.params["dossier_id"], table())
    return file_response(data, PDF, "giay-tiep-nhan.pdf", inline=True)



@route(onestop_bp, "/api/dossier-refusals", methods=("POST",), body=S + "RefusalIn",
       policy=DESK, tags=TAGS,
       summary="Refuse to receive a dossier (status 3), listing the missing papers")
def refuse(call: Call) -> dict[str, Any]:
    deps = use_cases()
    b = call.body
    return onestop.refuse_at_desk(call.user, procedure_code=b.procedure,
                                  applicant=b.applicant.model_dump(mode="json"),
                                  missing=b.missing, reason=b.reason, deps=deps)


@route(onestop_bp, "/api/dossier-refusals/{refusal_id}/slip", policy=DESK, tags=TAGS,
       produces="application/pdf", summary="The printable refusal slip")
def refusal_slip(call: Call) -> Response:
    return file_response(onestop.refusal_slip(call.user, call.params["refusal_id"], table()),
                         PDF, "phieu-tu-choi.pdf", inline=True)

"""Complaints, denunciations and petitions: the public filing and lookup, the
desk, handling, and the leaders' dashboard."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.downloads import file_response
from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import complaints as use_cases
from chalicelib.bootstrap import table
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module
from chalicelib.outputs.sheets import XLSX, to_xlsx

complaints = lazy_module("chalicelib.complaints.service")

complaints_bp = Blueprint(__name__)
S = "chalicelib.complaints.schemas:"
SIGNED_IN = Policy.signed_in()
DESK = Policy.only(Role.CLERK, Role.LEADER)
TAGS = ("complaints",)
# Public: a person files a few times at most; bursts from one source are refused.
FILE = Policy.anyone("citizens file complaints", rate_limit=(5, 60))
UPLOAD = Policy.anyone("citizens attach files to a filing", rate_limit=(15, 60))
LOOKUP = Policy.anyone("citizens follow their case", rate_limit=(20, 60))
# The answer is an outgoing draft: whoever drafts documents (not administrators).
DRAFTERS = Policy.only(Role.OFFICER, Role.UNIT_HEAD, Role.CLERK, Role.LEADER, Role.ONE_STOP)


def _storage() -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    settings = get_settings()
    return {"s3": client("s3"), "intake_bucket": settings.intake_bucket,
            "documents_bucket": settings.documents_bucket}


def _person(b: Any) -> dict[str, Any]:
    return {"name": b.name, "id_number": b.id_number, "address": b.address, "phone": b.phone,
            "email": str(b.email) if b.email else "", "protected": b.protect_identity}


def _idempotency_key(call: Call) -> str | None:
    """The filing's key: the ``Idempotency-Key`` header, else the body's field."""
    import re

    from chalicelib.kernel.errors import FieldProblem, InvalidInput

    header = call.headers.get("idempotency-key")
    if header is None:
        return call.body.idempotency_key  # type: ignore[no-any-return]
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", header):
        raise InvalidInput("Khóa chống gửi trùng không hợp lệ.", "Invalid Idempotency-Key.",
                           "validation_error",
                           [FieldProblem("Idempotency-Key", "16–64 ký tự chữ, số, - hoặc _.",
                                         "16-64 letters, digits, - or _.")])
    return header


def _changed(call: Call, action: str, **arguments: Any) -> dict[str, Any]:
    """Apply the case action named (each takes the caller and the case in the path,
    then its own arguments) and answer with the case as the caller now sees it,
    through the same use cases."""
    cases = use_cases()
    getattr(cases, action)(call.user, call.params["case_id"], **arguments)
    return cases.view(call.user, call.params["case_id"])


@route(complaints_bp, "/api/public/complaints", methods=("POST",),
       body=S + "PublicFilingIn", policy=FILE, tags=TAGS,
       summary="File a complaint, denunciation or petition; returns the tracking code")
def file_public(call: Call) -> dict[str, Any]:
    b = call.body
    case = complaints.submit(None, kind=b.kind.value, person=_person(b), content=b.content,
                             decision=b.decision, decision_date=b.decision_date,
                             channel="online", files=b.files, storage=_storage(),
                             cases=use_cases(), idempotency_key=_idempotency_key(call))
    return {"code": case["code"], "received_at": case["received_at"],
            "deadline": case.get("deadline")}


@route(complaints_bp, "/api/public/complaints/uploads", methods=("POST",), policy=UPLOAD,
       tags=TAGS, summary="A presigned POST for one attachment (PDF, JPEG, PNG; 10 MiB)")
def upload(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    return complaints.upload_form(client("s3"), get_settings().intake_bucket)


@route(complaints_bp, "/api/public/complaints/{code}", query=S + "LookupQuery", policy=LOOKUP,
       tags=TAGS, summary="Status and dates of a case, by code and the phone's last 4 digits")
def lookup(call: Call) -> dict[str, Any]:
    return use_cases().lookup(call.params["code"], call.query.phone_last4)


@route(complaints_bp, "/api/complaints", methods=("POST",), body=S + "DeskFilingIn",
       policy=DESK, tags=TAGS, summary="Register a letter or a visit at the desk")
def file_desk(call: Call) -> dict[str, Any]:
    b = call.body
    cases = use_cases()
    case = complaints.submit(call.user, kind=b.kind.value, person=_person(b),
                             content=b.content, decision=b.decision,
                             decision_date=b.decision_date, channel=b.channel, files=b.files,
                             storage=_storage(), cases=cases,
                             idempotency_key=_idempotency_key(call))
    return cases.view(call.user, case["id"])


@route(complaints_bp, "/api/complaints", query=S + "ListQuery", policy=SIGNED_IN, tags=TAGS,
       summary="Cases the caller may see, newest first")
def list_cases(call: Call) -> dict[str, Any]:
    # The query's fields (StatusListQuery) are list_visible's keywords.
    return use_cases().list_visible(call.user, **call.query.model_dump())


@route(complaints_bp, "/api/complaints/{case_id}", policy=SIGNED_IN, tags=TAGS,
       summary="One case: facts, deadlines, notes, allowed actions (identity masked if "
               "protected)")
def get(call: Call) -> dict[str, Any]:
    return use_cases().view(call.user, call.params["case_id"])


@route(complaints_bp, "/api/complaints/{case_id}/identity", policy=SIGNED_IN, tags=TAGS,
       summary="Who filed it; a protected denouncer only to leaders and the assigned "
               "officer, audited")
def identity(call: Call) -> dict[str, Any]:
    return use_cases().identity(call.user, call.params["case_id"])


@route(complaints_bp, "/api/complaints/{case_id}/classify", methods=("POST",),
       body=S + "ClassifyIn", policy=DESK, tags=TAGS,
       summary="Kind, complexity, remote area, second complaint: the clocks follow")
def classify(call: Call) -> dict[str, Any]:
    b = call.body
    return _changed(call, "classify", kind=b.kind.value,
                    complexity=b.complexity.value,
                    remote=b.remote,
                    multi_site=b.multi_site,
                    second_of=b.second_of,
                    decision_date=b.decision_date)


@route(complaints_bp, "/api/complaints/{case_id}/accept", methods=("POST",), policy=DESK,
       tags=TAGS, summary="Accept (thụ lý): the settlement clock starts; the person is told")
def accept(call: Call) -> dict[str, Any]:
    return _changed(call, "accept")


@route(complaints_bp, "/api/complaints/{case_id}/transfer", methods=("POST",),
       body=S + "TransferIn", policy=DESK, tags=TAGS,
       summary="Transfer to the competent body with a reason; the person is told")
def transfer(call: Call) -> dict[str, Any]:
    return _changed(call, "transfer", to=call.body.to, reason=call.body.reason)


@route(complaints_bp, "/api/complaints/{case_id}/refuse", methods=("POST",),
       body=S + "ReasonIn", policy=DESK, tags=TAGS,
       summary="Refuse to accept, with the reason; the person is told")
def refuse(call: Call) -> dict[str, Any]:
    return _changed(call, "refuse", reason=call.body.reason)


@route(complaints_bp, "/api/complaints/{case_id}/merge", methods=("POST",),
       body=S + "MergeIn", policy=DESK, tags=TAGS, summary="Merge a duplicate into a case")
def merge(call: Call) -> dict[str, Any]:
    return _changed(call, "merge", into=call.body.into)


@route(complaints_bp, "/api/complaints/{case_id}/assign", methods=("POST",),
       body=S + "AssignIn", policy=Policy.only(Role.LEADER, Role.UNIT_HEAD), tags=TAGS,
       summary="Give the case to a unit (leader) and an officer (leader or the unit's head)")
def assign(call: Call) -> dict[str, Any]:
    return _changed(call, "assign", unit=call.body.unit, officer=call.body.officer)


@route(complaints_bp, "/api/complaints/{case_id}/notes", methods=("POST",),
       body=S + "NoteIn", policy=SIGNED_IN, tags=TAGS,
       summary="A verification or dialogue note by whoever handles the case")
def note(call: Call) -> dict[str, Any]:
    return use_cases().add_note(call.user, call.params["case_id"], text=call.body.text,
                                note_kind=call.body.note_kind)


@route(complaints_bp, "/api/complaints/{case_id}/extend", methods=("POST",),
       body=S + "ExtendIn", policy=Policy.only(Role.LEADER), tags=TAGS,
       summary="Extend a denunciation's settlement by a written decision")
def extend(call: Call) -> dict[str, Any]:
    return _changed(call, "extend", days=call.body.days, decision=call.body.decision)


@route(complaints_bp, "/api/complaints/{case_id}/pause", methods=("POST",),
       body=S + "ReasonIn", policy=Policy.only(Role.LEADER), tags=TAGS,
       summary="Suspend a denunciation's settlement (the clock stops)")
def pause(call: Call) -> dict[str, Any]:
    return _changed(call, "pause", reason=call.body.reason)


@route(complaints_bp, "/api/complaints/{case_id}/resume", methods=("POST",),
       policy=Policy.only(Role.LEADER), tags=TAGS,
       summary="Resume a suspended settlement (the clock runs on)")
def resume(call: Call) -> dict[str, Any]:
    return _changed(call, "resume")


@route(complaints_bp, "/api/complaints/{case_id}/dialogue", methods=("POST",),
       body=S + "DialogueIn", policy=SIGNED_IN, tags=TAGS,
       summary="Schedule a dialogue meeting with the complainant")
def dialogue(call: Call) -> dict[str, Any]:
    b = call.body
    return complaints.dialogue(call.user, call.params["case_id"], start=b.start, end=b.end,
                               place=b.place, table=table())


@route(complaints_bp, "/api/complaints/{case_id}/answer", methods=("POST",),
       body=S + "AnswerIn", policy=DRAFTERS, tags=TAGS,
       summary="Draft the settlement decision or answer as an outgoing document")
def answer(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    b = call.body
    return complaints.draft_answer(call.user, call.params["case_id"], signer=b.signer,
                                   authority=b.authority, body=b.body, s3=client("s3"),
                                   bucket=get_settings().documents_bucket, table=table())


@route(complaints_bp, "/api/complaints/{case_id}/close", methods=("POST",), policy=SIGNED_IN,
       tags=TAGS, summary="Close a settled case")
def close(call: Call) -> dict[str, Any]:
    return _changed(call, "close")


@route(complaints_bp, "/api/reports/complaints", query=S + "DashboardQuery",
       policy=Policy.only(Role.LEADER), tags=TAGS,
       summary="Leaders' dashboard: by kind, open, due soon, overdue, settled on time")
def dashboard(call: Call) -> Any:
    data = use_cases().dashboard(call.user)
    if call.query.format == "xlsx":
        header, rows = complaints.dashboard_rows(data)
        return file_response(to_xlsx("Tình hình giải quyết đơn thư", header, rows,
                                     (30, 12, 16, 20, 20, 12, 14, 12)), XLSX, "don-thu.xlsx")
    return data

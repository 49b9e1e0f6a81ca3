"""The process library (quy trình ISO): procedures and their versions, approval,
acknowledgement, legal bases flagged replaced, and the evidence export."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.downloads import file_response
from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.errors import Conflict, FieldProblem, InvalidInput
from chalicelib.kernel.identity import Role

iso_bp = Blueprint(__name__)
S = "chalicelib.iso.schemas:"
SIGNED_IN = Policy.signed_in()
EDITORS = Policy.only(Role.ADMIN, Role.UNIT_HEAD, Role.LEADER)
TAGS = ("iso",)


def _library() -> Any:
    from chalicelib.bootstrap import iso_library

    return iso_library()


def _number(call: Call) -> int:
    raw = call.params["number"]
    if not (raw.isdigit() and 0 < int(raw) < 10_000):
        raise InvalidInput("Số phiên bản không hợp lệ.", "Invalid version number.",
                           "invalid_number", [FieldProblem("number", "Số từ 1.",
                                                           "A number from 1.")])
    return int(raw)


def _retention_groups() -> set[str]:
    """The groups of the archive's current retention catalogue, which the
    records a procedure keeps must name."""
    from chalicelib.archive.rules import catalogue

    return {g.code for g in catalogue().groups}


def _content(call: Call, pid: str) -> dict[str, Any]:
    """The version's content as sent, each newly uploaded form's file checked by
    its bytes and copied into the documents bucket (never a key the client
    names: a form without an upload keeps its file in the service)."""
    content = call.body.model_dump(mode="json")
    uploads = [(i, f) for i, f in enumerate(content.get("forms") or []) if f.get("upload_id")]
    if uploads:
        import uuid

        from chalicelib.adapters.aws import client
        from chalicelib.adapters.public_uploads import take_upload
        from chalicelib.kernel.config import get_settings

        settings = get_settings()
        s3 = client("s3")
        for i, form in uploads:
            file = take_upload(
                _form_uploads(), form["upload_id"], path=f"forms.{i}.upload_id",
                dest_key=f"iso/{pid}/forms/{uuid.uuid4().hex}", s3=s3,
                intake_bucket=settings.intake_bucket,
                documents_bucket=settings.documents_bucket)
            # The digest of the bytes as kept (not as sent: the copy is what is
            # served), checked again on every download.
            data = s3.get_object(Bucket=settings.documents_bucket, Key=file["key"])["Body"].read()
            form["file"] = {**file, "sha256": hashlib.sha256(data).hexdigest()}
    for form in content.get("forms") or []:
        form.pop("upload_id", None)
    return content


def _form_uploads() -> Any:
    """Where forms' files wait to be checked (built here: the adapter stays off
    ``import app``)."""
    from chalicelib.adapters.public_uploads import UploadArea

    return UploadArea("iso/uploads", 10 * 1024 * 1024, expires_in=1800)


@route(iso_bp, "/api/iso/uploads", methods=("POST",), policy=EDITORS, tags=TAGS,
       summary="A presigned POST for a form's file (PDF, JPEG, PNG; 10 MiB)")
def upload(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.public_uploads import upload_form
    from chalicelib.kernel.config import get_settings

    return upload_form(_form_uploads(), client("s3"), get_settings().intake_bucket)


@route(iso_bp, "/api/iso/{pid}/versions/{number}/forms/{form}", policy=SIGNED_IN, tags=TAGS,
       produces="application/pdf", summary="A form's file as the version keeps it")
def form_file(call: Call) -> Response:
    from chalicelib.adapters.files import BucketFiles
    from chalicelib.kernel.config import get_settings

    file = _library().form_file(call.params["pid"], _number(call), call.params["form"])
    data = BucketFiles(get_settings().documents_bucket).get(file["key"])
    digest = hashlib.sha256(data).hexdigest()
    if file.get("sha256") and digest != file["sha256"]:
        raise Conflict("Tệp biểu mẫu không khớp mã băm SHA-256 đã ghi khi tải lên; "
                       "hãy báo thư ký ISO.",
                       "The form's file does not match the SHA-256 recorded at upload.",
                       "file_altered")
    ext = file["key"].rsplit(".", 1)[-1]
    answer = file_response(data, file["content_type"], f'{call.params["form"]}.{ext}')
    answer.headers["X-Content-SHA256"] = digest
    return answer


@route(iso_bp, "/api/iso", policy=SIGNED_IN, tags=TAGS,
       summary="The procedures of the library with the version in force of each")
def procedures(call: Call) -> dict[str, Any]:
    return {"procedures": _library().list(call.user)}


@route(iso_bp, "/api/iso", methods=("POST",), body=S + "ProcedureIn",
       policy=Policy.only(Role.ADMIN, Role.LEADER), tags=TAGS,
       summary="A new procedure (its first version is drafted next)")
def create(call: Call) -> dict[str, Any]:
    from chalicelib.iso.rules import Kind

    b = call.body
    return _library().create(call.user, code=b.code, title=b.title, kind=Kind(b.kind),
                             owner=b.owner, owner_unit=b.owner_unit, applies_to=b.applies_to)


@route(iso_bp, "/api/iso/{pid}", policy=SIGNED_IN, tags=TAGS,
       summary="A procedure with every version (obsolete ones marked) and its change log")
def view(call: Call) -> dict[str, Any]:
    return _library().view(call.user, call.params["pid"])


@route(iso_bp, "/api/iso/{pid}/versions", methods=("POST",), body=S + "VersionIn",
       policy=EDITORS, tags=TAGS, summary="Draft a new version, with its reason and summary")
def draft(call: Call) -> dict[str, Any]:
    b = call.body
    return _library().draft(call.user, call.params["pid"], _content(call, call.params["pid"]),
                            reason=b.reason,
                            change_summary=b.change_summary,
                            retention_groups=_retention_groups(),
                            review_months=b.review_months)


@route(iso_bp, "/api/iso/{pid}/versions/{number}", methods=("PUT",), body=S + "EditIn",
       policy=EDITORS, tags=TAGS, summary="Edit a draft (a reviewed one goes back to draft)")
def edit(call: Call) -> dict[str, Any]:
    b = call.body
    return _library().edit(call.user, call.params["pid"], _number(call),
                           _content(call, call.params["pid"]),
                           reason=b.reason, change_summary=b.change_summary,
                           expected=b.version, retention_groups=_retention_groups(),
                           review_months=b.review_months)


@route(iso_bp, "/api/iso/{pid}/versions/{number}/review", methods=("POST",),
       body=S + "ReviewIn", policy=EDITORS, tags=TAGS,
       summary="Review a draft (not one's own)")
def review(call: Call) -> dict[str, Any]:
    return _library().review(call.user, call.params["pid"], _number(call),
                             expected=call.body.version, comment=call.body.comment)


@route(iso_bp, "/api/iso/{pid}/versions/{number}/approve", methods=("POST",),
       body=S + "ApproveIn", policy=Policy.only(Role.LEADER), tags=TAGS,
       summary="A leader approves a reviewed version, in force from a date; it is sent "
               "to the people it applies to")
def approve(call: Call) -> dict[str, Any]:
    return _library().approve(call.user, call.params["pid"], _number(call),
                              effective_from=call.body.effective_from,
                              expected=call.body.version)


@route(iso_bp, "/api/iso/{pid}/versions/{number}/distribute", methods=("POST",),
       policy=Policy.only(Role.ADMIN, Role.LEADER), tags=TAGS,
       summary="Send an approved version to whoever of its units has not had it yet "
               "(finishes a distribution cut short; new members of the units)")
def distribute(call: Call) -> dict[str, Any]:
    sent = _library().distribute(call.params["pid"], _number(call), by=call.user.username)
    return {"sent": sent}


@route(iso_bp, "/api/iso/{pid}/versions/{number}/acknowledge", methods=("POST",),
       policy=SIGNED_IN, tags=TAGS, summary="Confirm having read a version sent to me")
def acknowledge(call: Call) -> dict[str, Any]:
    return _library().acknowledge(call.user, call.params["pid"], _number(call))


@route(iso_bp, "/api/iso/{pid}/versions/{number}/acknowledgements",
       policy=Policy.only(Role.ADMIN, Role.UNIT_HEAD, Role.LEADER), tags=TAGS,
       summary="Who has and has not confirmed reading the version (a head: their unit)")
def acknowledgements(call: Call) -> dict[str, Any]:
    return _library().acknowledgements(call.user, call.params["pid"], _number(call))


@route(iso_bp, "/api/iso/{pid}/legal-bases", methods=("POST",), body=S + "BasisIn",
       policy=Policy.only(Role.ADMIN, Role.LEADER), tags=TAGS,
       summary="Flag a cited legal basis as replaced (the owner is reminded to review)")
def flag_basis(call: Call) -> dict[str, Any]:
    b = call.body
    return _library().flag_basis(call.user, call.params["pid"], b.basis, replaced=b.replaced,
                                 note=b.note)


@route(iso_bp, "/api/iso/{pid}/reviews", methods=("POST",), body=S + "ReviewedIn",
       policy=SIGNED_IN, tags=TAGS,
       summary="The owner records a review with no change: the review interval runs "
               "again, the legal bases named are no longer flagged replaced")
def reviewed(call: Call) -> dict[str, Any]:
    return _library().record_review(call.user, call.params["pid"], note=call.body.note,
                                    clear_bases=call.body.clear_bases)


def _dossiers(start: date, end: date) -> list[dict[str, Any]]:
    """The one-stop dossiers received in the months of the period (the evidence
    keeps those of the procedure and the days asked)."""
    from chalicelib.bootstrap import table
    from chalicelib.onestop.store import OneStopStore

    store = OneStopStore(table())
    out: list[dict[str, Any]] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.extend(store.evidence_in(f"{year:04d}-{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _drafts(start: date, end: date, types: list[str]) -> list[dict[str, Any]]:
    """The outgoing drafts created in the period (local days) of the types the
    review procedure governs (``*``: every type)."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from chalicelib.bootstrap import table
    from chalicelib.kernel.events import iso
    from chalicelib.outgoing.store import OutgoingStore

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    since = iso(datetime.combine(start, time(), tzinfo=tz))
    until = iso(datetime.combine(end + timedelta(days=1), time(), tzinfo=tz))
    return OutgoingStore(table()).created_between(
        since, until, types=None if "*" in types else set(types))


@route(iso_bp, "/api/iso/{pid}/evidence", query=S + "EvidenceQuery",
       policy=Policy.only(Role.ADMIN, Role.UNIT_HEAD, Role.LEADER), tags=TAGS,
       produces="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
       summary="Work done under each version in a period, with records and "
               "nonconformities, as XLSX (format=json for the page)")
def evidence(call: Call) -> Any:
    from chalicelib.iso.rules import Kind

    q = call.query

    def works(kind: Kind, governed: list[str]) -> list[dict[str, Any]]:
        return (_drafts(q.start, q.end, governed) if kind is Kind.REVIEW
                else _dossiers(q.start, q.end))

    found = _library().evidence(call.user, call.params["pid"], q.start, q.end, works)
    if q.format == "json":
        return found
    from chalicelib.outputs.sheets import XLSX, to_xlsx

    data = to_xlsx(f"Bằng chứng {found['code']}", tuple(found["header"]),
                   [tuple(r) for r in found["rows"]], widths=(10, 12, 24, 12, 50, 30, 30,
                                                             20, 14))
    name = f"bang-chung-{found['id']}-{q.start:%Y%m%d}-{q.end:%Y%m%d}.xlsx"
    return file_response(data, XLSX, name)

"""Case files and the archive (hồ sơ, lưu trữ): the retention catalogue, the
yearly list of case files of a unit, filing, closing and the hand-over."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.downloads import PDF, file_response
from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import archive as use_cases
from chalicelib.kernel.errors import FieldProblem, InvalidInput
from chalicelib.kernel.identity import Role

archive_bp = Blueprint(__name__)
S = "chalicelib.archive.schemas:"
SIGNED_IN = Policy.signed_in()
TAGS = ("archive",)


def _year(call: Call) -> int:
    raw = call.params["year"]
    if not (raw.isdigit() and 2000 <= int(raw) <= 2100):
        raise InvalidInput("Năm không hợp lệ.", "Invalid year.", "invalid_year",
                           [FieldProblem("year", "Năm từ 2000 đến 2100.",
                                         "A year from 2000 to 2100.")])
    return int(raw)


def _kind(value: str) -> Any:
    from chalicelib.archive.rules import ItemKind

    return ItemKind(value)


@route(archive_bp, "/api/archive/catalogue", query=S + "CatalogueQuery", policy=SIGNED_IN,
       tags=TAGS, summary="The retention catalogue (Circular 10/2022/TT-BNV groups), versioned")
def catalogue(call: Call) -> dict[str, Any]:
    from chalicelib.archive.rules import CURRENT
    from chalicelib.archive.service import Archive

    return Archive.retention_catalogue(call.query.version or CURRENT)


@route(archive_bp, "/api/archive/lists/{unit}/{year}", policy=SIGNED_IN, tags=TAGS,
       summary="A unit's yearly list of case files (danh mục hồ sơ)")
def year_list(call: Call) -> dict[str, Any]:
    return use_cases().year_list(call.user, call.params["unit"], _year(call))


@route(archive_bp, "/api/archive/lists/{unit}/{year}/files", methods=("POST",),
       body=S + "FileIn", policy=Policy.only(Role.UNIT_HEAD), tags=TAGS,
       summary="The head of unit adds a case file to the year's draft list")
def add_file(call: Call) -> dict[str, Any]:
    b = call.body
    return use_cases().add_file(call.user, call.params["unit"], _year(call), code=b.code,
                                title=b.title, group=b.group, responsible=b.responsible)


@route(archive_bp, "/api/archive/lists/{unit}/{year}/approve", methods=("POST",),
       body=S + "VersionIn", policy=Policy.only(Role.LEADER), tags=TAGS,
       summary="A leader approves the year's list: its case files open for filing")
def approve(call: Call) -> dict[str, Any]:
    return use_cases().approve(call.user, call.params["unit"], _year(call), call.body.version)


@route(archive_bp, "/api/archive/lists/{unit}/{year}/copy-forward", methods=("POST",),
       policy=Policy.only(Role.UNIT_HEAD), tags=TAGS,
       summary="Next year's draft list from this year's case files")
def copy_forward(call: Call) -> dict[str, Any]:
    return use_cases().copy_forward(call.user, call.params["unit"], _year(call))


@route(archive_bp, "/api/archive/files/{file_id}", policy=SIGNED_IN, tags=TAGS,
       summary="One case file with its documents in order (mục lục văn bản)")
def view(call: Call) -> dict[str, Any]:
    return use_cases().view(call.user, call.params["file_id"])


@route(archive_bp, "/api/archive/files/{file_id}/items", methods=("POST",), body=S + "ItemIn",
       policy=SIGNED_IN, tags=TAGS,
       summary="File a document, complaint case or one-stop dossier into the case file")
def file_item(call: Call) -> dict[str, Any]:
    b = call.body
    return use_cases().file_item(call.user, call.params["file_id"], _kind(b.kind), b.ref,
                                 b.version)


@route(archive_bp, "/api/archive/files/{file_id}/close", methods=("POST",),
       body=S + "VersionIn", policy=SIGNED_IN, tags=TAGS,
       summary="Close the case file: it is frozen from then on")
def close(call: Call) -> dict[str, Any]:
    return use_cases().close(call.user, call.params["file_id"], call.body.version)


@route(archive_bp, "/api/archive/suggest", query=S + "SuggestQuery", policy=SIGNED_IN,
       tags=TAGS, summary="The caller's unit's open case files that fit a document")
def suggest(call: Call) -> dict[str, Any]:
    return use_cases().suggest(call.user, _kind(call.query.kind), call.query.ref)


@route(archive_bp, "/api/archive/handover", query=S + "DueQuery",
       policy=Policy.only(Role.ARCHIVIST), tags=TAGS,
       summary="Closed case files due to the archive (Decree 30 Art. 30)")
def due(call: Call) -> dict[str, Any]:
    return use_cases().due_for_handover(call.user, call.query.within_days)


@route(archive_bp, "/api/archive/files/{file_id}/handover", methods=("POST",),
       body=S + "VersionIn", policy=Policy.only(Role.ARCHIVIST), tags=TAGS,
       summary="The archivist receives a closed case file under Object Lock")
def hand_over(call: Call) -> dict[str, Any]:
    return use_cases().hand_over(call.user, call.params["file_id"], call.body.version)


@route(archive_bp, "/api/archive/files/{file_id}/export", query=S + "ExportQuery",
       policy=SIGNED_IN, tags=TAGS, produces="application/pdf",
       summary="The case file as one PDF (cover, index, each document attached unchanged) "
               "or its Decree 30 Appendix VI metadata as XML (format=xml)")
def export(call: Call) -> Response:
    body: bytes | str
    if call.query.format == "xml":
        name, data = use_cases().export_xml(call.user, call.params["file_id"])
        # A text type: Chalice sends it as text, not base64.
        body, kind = data.decode("utf-8"), "application/xml"
    else:
        name, body = use_cases().export_pdf(call.user, call.params["file_id"])
        kind = "application/pdf"
    return file_response(body, kind, name, inline=True)


@route(archive_bp, "/api/archive/files/{file_id}/handover-record",
       policy=Policy.only(Role.ARCHIVIST), tags=TAGS, produces="application/pdf",
       summary="The hand-over record (biên bản giao nhận) with the list of files")
def handover_record(call: Call) -> Response:
    name, data = use_cases().handover_record(call.user, call.params["file_id"])
    return file_response(data, PDF, name, inline=True)


@route(archive_bp, "/api/archive/disposals", methods=("POST",), body=S + "DisposalIn",
       policy=Policy.only(Role.ARCHIVIST), tags=TAGS,
       summary="The archivist proposes expired case files for disposal (đề nghị hủy)")
def propose_disposal(call: Call) -> dict[str, Any]:
    return use_cases().propose_disposal(call.user, call.body.file_ids, call.body.reason)


@route(archive_bp, "/api/archive/disposals/{disposal_id}",
       policy=Policy.only(Role.ARCHIVIST, Role.LEADER), tags=TAGS,
       summary="A disposal list with its files")
def disposal(call: Call) -> dict[str, Any]:
    return use_cases().disposal(call.user, call.params["disposal_id"])


@route(archive_bp, "/api/archive/disposals/{disposal_id}/decision", methods=("POST",),
       body=S + "DisposalDecisionIn", policy=Policy.only(Role.LEADER), tags=TAGS,
       summary="A leader approves or refuses a disposal list")
def decide_disposal(call: Call) -> dict[str, Any]:
    b = call.body
    return use_cases().decide_disposal(call.user, call.params["disposal_id"],
                                       approve=b.approve, note=b.note, version=b.version)


@route(archive_bp, "/api/archive/handover-records", methods=("POST",),
       body=S + "HandoverRecordIn", policy=Policy.only(Role.ARCHIVIST), tags=TAGS,
       summary="The archivist makes one hand-over record over several files of a unit")
def make_handover_record(call: Call) -> dict[str, Any]:
    return use_cases().make_handover_record(call.user, call.body.file_ids)


@route(archive_bp, "/api/archive/handover-records/{record_id}",
       policy=Policy.only(Role.ARCHIVIST), tags=TAGS,
       summary="A hand-over record with its files")
def handover_record_view(call: Call) -> dict[str, Any]:
    return use_cases().handover_record_view(call.user, call.params["record_id"])


@route(archive_bp, "/api/archive/handover-records/{record_id}/pdf",
       policy=Policy.only(Role.ARCHIVIST), tags=TAGS, produces="application/pdf",
       summary="The hand-over record printed (biên bản giao nhận, mục lục hồ sơ)")
def handover_record_pdf(call: Call) -> Response:
    name, data = use_cases().handover_record_batch(call.user, call.params["record_id"])
    return file_response(data, PDF, name, inline=True)


@route(archive_bp, "/api/archive/files/{file_id}/grants", methods=("POST",), body=S + "GrantIn",
       policy=Policy.only(Role.ARCHIVIST), tags=TAGS,
       summary="The archivist lets a person read a handed-over file until a day")
def grant(call: Call) -> dict[str, Any]:
    return use_cases().grant_reading(call.user, call.params["file_id"], call.body.username,
                                     call.body.until)


@route(archive_bp, "/api/archive/files/{file_id}/grants/{username}", methods=("DELETE",),
       policy=Policy.only(Role.ARCHIVIST), tags=TAGS,
       summary="The archivist ends a person's reading grant")
def revoke_grant(call: Call) -> dict[str, Any]:
    return use_cases().revoke_reading(call.user, call.params["file_id"],
                                      call.params["username"])

"""Outgoing documents: drafts and versions, the review chain, signing, issuance,
recall and replacement, the outgoing register."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.downloads import register_answer
from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import directory, table
from chalicelib.bootstrap import outgoing as use_cases
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module
from chalicelib.outgoing.rules import DOCX

outgoing = lazy_module("chalicelib.outgoing.service")

outgoing_bp = Blueprint(__name__)
S = "chalicelib.outgoing.schemas:"
SIGNED_IN = Policy.signed_in()
TAGS = ("outgoing",)
# Everyone who works on documents drafts; an administrator manages the organisation.
DRAFTERS = Policy.only(Role.OFFICER, Role.UNIT_HEAD, Role.CLERK, Role.LEADER, Role.ONE_STOP)


def _storage() -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    return {"s3": client("s3"), "bucket": get_settings().documents_bucket}


@route(outgoing_bp, "/api/outgoing", methods=("POST",), body=S + "DraftIn", policy=DRAFTERS,
       tags=TAGS, summary="Start a draft: type, subject, recipients, urgency, secrecy, signer")
def create(call: Call) -> dict[str, Any]:
    b = call.body
    return use_cases().create(
        call.user, type_code=b.type_code, subject=b.subject, signer=b.signer,
        authority=b.authority, recipients_internal=b.recipients_internal,
        recipients_external=[r.model_dump() for r in b.recipients_external],
        do_khan=b.do_khan.value, do_mat=b.do_mat.value, answers=b.answers, body=b.body)


@route(outgoing_bp, "/api/outgoing", query=S + "ListQuery", policy=SIGNED_IN, tags=TAGS,
       summary="Outgoing documents the caller may see, newest first")
def list_outgoing(call: Call) -> dict[str, Any]:
    # The query's fields (StatusListQuery) are list_visible's keywords.
    return use_cases().list_visible(call.user, **call.query.model_dump())


@route(outgoing_bp, "/api/outgoing/{doc_id}", policy=SIGNED_IN, tags=TAGS,
       summary="One outgoing document with versions, comments, review and allowed actions")
def get(call: Call) -> dict[str, Any]:
    return use_cases().view(call.user, call.params["doc_id"])


@route(outgoing_bp, "/api/outgoing/{doc_id}/versions", methods=("POST",),
       query=S + "VersionQuery", policy=SIGNED_IN, tags=TAGS,
       content_types=("application/pdf", DOCX),
       summary="Upload a new version (PDF; DOCX kept for review only) with a comment")
def add_version(call: Call) -> dict[str, Any]:
    return use_cases().add_version(call.user, call.params["doc_id"], call.raw_body,
                                   content_type=call.headers.get("content-type", "").split(";")[0],
                                   comment=call.query.comment, **_storage())


@route(outgoing_bp, "/api/outgoing/{doc_id}/compose", methods=("POST",), body=S + "ComposeIn",
       policy=SIGNED_IN, tags=TAGS,
       summary="Compose a version from the Decree 30 template (header, body, Nơi nhận, signature)")
def compose(call: Call) -> dict[str, Any]:
    return use_cases().compose_version(call.user, call.params["doc_id"], body=call.body.body,
                                       recipients=call.body.recipients, **_storage())


@route(outgoing_bp, "/api/outgoing/{doc_id}/notes", methods=("POST",), body=S + "NoteIn",
       policy=SIGNED_IN, tags=TAGS, summary="Comment on a draft")
def note(call: Call) -> dict[str, Any]:
    return use_cases().add_note(call.user, call.params["doc_id"], call.body.text)


@route(outgoing_bp, "/api/outgoing/{doc_id}/submit", methods=("POST",), body=S + "CommentIn",
       policy=SIGNED_IN, tags=TAGS, summary="The drafter submits the draft for review")
def submit(call: Call) -> dict[str, Any]:
    return use_cases().submit(call.user, call.params["doc_id"], call.body.comment)


@route(outgoing_bp, "/api/outgoing/{doc_id}/review", methods=("POST",), body=S + "DecisionIn",
       policy=SIGNED_IN, tags=TAGS,
       summary="The current reviewer approves or returns the draft with a comment")
def review(call: Call) -> dict[str, Any]:
    return use_cases().decide(call.user, call.params["doc_id"], approve=call.body.approve,
                              comment=call.body.comment)


@route(outgoing_bp, "/api/outgoing/{doc_id}/sign", methods=("POST",),
       policy=Policy.only(Role.LEADER, Role.UNIT_HEAD), tags=TAGS,
       summary="The signer (or delegate) confirms signing; needs a sign-in of under 5 minutes")
def sign(call: Call) -> dict[str, Any]:
    return use_cases().request_signing(call.user, call.params["doc_id"])


@route(outgoing_bp, "/api/outgoing/{doc_id}/retry", methods=("POST",), policy=SIGNED_IN,
       tags=TAGS, summary="Retry a failed signing or issuing step (clerk or signer)")
def retry(call: Call) -> dict[str, Any]:
    return use_cases().retry(call.user, call.params["doc_id"])


@route(outgoing_bp, "/api/outgoing/{doc_id}/issue", methods=("POST",),
       policy=Policy.only(Role.CLERK), tags=TAGS,
       summary="The clerk takes the next number and date; the seal and delivery follow")
def issue(call: Call) -> dict[str, Any]:
    return use_cases().issue(call.user, call.params["doc_id"])


@route(outgoing_bp, "/api/outgoing/{doc_id}/recall", methods=("POST",), body=S + "ReasonIn",
       policy=Policy.only(Role.CLERK, Role.LEADER), tags=TAGS,
       summary="Recall an issued document with a reason; recipients are told")
def recall(call: Call) -> dict[str, Any]:
    return use_cases().recall(call.user, call.params["doc_id"], call.body.reason)


@route(outgoing_bp, "/api/outgoing/{doc_id}/replace", methods=("POST",), body=S + "ReasonIn",
       policy=DRAFTERS, tags=TAGS,
       summary="Start a replacing draft; once issued, the original is marked replaced")
def replace(call: Call) -> dict[str, Any]:
    return use_cases().start_replacement(call.user, call.params["doc_id"], call.body.reason)


@route(outgoing_bp, "/api/outgoing/{doc_id}/file", query=S + "FileQuery", policy=SIGNED_IN,
       tags=TAGS, summary="A short-lived link to a version, the signed or the issued PDF")
def file(call: Call) -> dict[str, Any]:
    return use_cases().download_url(call.user, call.params["doc_id"], which=call.query.which,
                                    **_storage())


@route(outgoing_bp, "/api/settings/review-chains", policy=SIGNED_IN, tags=TAGS,
       summary="The review chain of each document type")
def chains(call: Call) -> dict[str, Any]:
    return {"chains": use_cases().review_chains()}


@route(outgoing_bp, "/api/settings/review-chains", methods=("PUT",), body=S + "ChainsIn",
       policy=Policy.only(Role.ADMIN), tags=TAGS,
       summary="Change review chains per document type (each ends with the signer)")
def set_chains(call: Call) -> dict[str, Any]:
    return {"chains": use_cases().set_review_chains(call.user, call.body.chains)}


@route(outgoing_bp, "/api/registers/outgoing", query=S + "RegisterQuery",
       policy=Policy.only(Role.CLERK, Role.LEADER), tags=("registers",),
       summary="The outgoing register (Decree 30 columns) by year, as JSON, XLSX or PDF")
def register(call: Call) -> Any:
    from chalicelib.organisation.service import list_units
    from chalicelib.outgoing.register import COLUMNS, WIDTHS, rows

    q = call.query
    title, subtitle = "Sổ đăng ký văn bản đi", f"Năm {q.year}"
    abbreviations = {u["code"]: u["abbreviation"] for u in list_units(table())}
    data = rows(outgoing.register_entries(q.year, table(), unit=q.unit), abbreviations)
    stem = f"so-van-ban-di-{q.year}"
    if q.unit:
        name = str((directory(table()).unit(q.unit) or {}).get("name") or q.unit)
        subtitle, stem = f"{subtitle} — {name}", f"{stem}-{q.unit}"
    return register_answer(q.format, title=title, subtitle=subtitle, header=COLUMNS, rows=data,
                           widths=WIDTHS, stem=stem)

"""Incoming documents: the intake list, the register, one document, its file."""

from __future__ import annotations

import uuid
from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import incoming as use_cases
from chalicelib.bootstrap import table
from chalicelib.incoming.rules import Metadata
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module

intake = lazy_module("chalicelib.incoming.intake")

incoming_bp = Blueprint(__name__)
S = "chalicelib.incoming.schemas:"
CLERK = Policy.only(Role.CLERK)
UPLOAD_LIMIT = 50 * 1024 * 1024


def _meta(body: Any) -> Metadata:
    return Metadata(so_ky_hieu=body.so_ky_hieu, co_quan_ban_hanh=body.co_quan_ban_hanh,
                    ngay_ban_hanh=body.ngay_ban_hanh, loai_van_ban=body.loai_van_ban,
                    trich_yeu=body.trich_yeu, do_khan=body.do_khan, nguoi_ky=body.nguoi_ky)


@route(incoming_bp, "/api/intake", query=S + "IntakeQuery",
       policy=Policy.only(Role.CLERK, Role.LEADER), tags=("incoming",),
       summary="Intake records: every file received, with its status and reason")
def intake_list(call: Call) -> dict[str, Any]:
    status = call.query.status.value if call.query.status else None
    items, cursor = intake.list_records(status, call.query.cursor, table=table())
    return {"items": items, "cursor": cursor}


@route(incoming_bp, "/api/intake/{intake_id}/retry", methods=("POST",), policy=CLERK,
       tags=("incoming",), summary="Send a failed or rejected file through the pipeline again")
def intake_retry(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    return intake.retry(call.params["intake_id"], sqs=client("sqs"),
                        queue_url=get_settings().ingest_queue_url, by=call.user.username,
                        table=table())


@route(incoming_bp, "/api/intake/{intake_id}/reject", methods=("POST",), body=S + "RejectIn",
       policy=CLERK, tags=("incoming",),
       summary="Set aside a failed file or one waiting for review, with the reason")
def intake_reject(call: Call) -> dict[str, Any]:
    return intake.reject(call.params["intake_id"], call.body.reason, by=call.user.username,
                         table=table())


@route(incoming_bp, "/api/intake/upload", methods=("POST",), policy=CLERK, tags=("incoming",),
       summary="A presigned POST for uploading a PDF into the intake (50 MiB, PDF only)")
def intake_upload(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    # The key is ours: the browser's file name never becomes a path.
    key = f"incoming/web/{uuid.uuid4().hex}.pdf"
    post = client("s3").generate_presigned_post(
        Bucket=get_settings().intake_bucket, Key=key,
        Fields={"Content-Type": "application/pdf"},
        Conditions=[["content-length-range", 1, UPLOAD_LIMIT],
                    {"Content-Type": "application/pdf"},
                    # The browser names the file here; it is display text only.
                    ["starts-with", "$x-amz-meta-filename", ""]],
        ExpiresIn=600,
    )
    return {"url": post["url"], "fields": post["fields"], "max_bytes": UPLOAD_LIMIT}


@route(incoming_bp, "/api/incoming", query=S + "ListQuery", policy=Policy.signed_in(),
       tags=("incoming",),
       summary="Incoming documents the caller may see, newest first; with q, a full-text "
               "search insensitive to diacritics")
def incoming_list(call: Call) -> dict[str, Any]:
    if call.query.q and call.query.q.strip():
        from chalicelib.search.service import search

        q = call.query
        return search(call.user, q.q, limit=q.limit, cursor=q.cursor, since=q.since,
                      until=q.until, urgency=q.do_khan.value if q.do_khan else None,
                      status=q.status, unit=q.unit, sort=q.sort, table=table())
    q = call.query
    page = use_cases().list_visible(call.user, limit=q.limit, cursor=q.cursor, since=q.since,
                                    until=q.until, urgency=q.do_khan.value if q.do_khan else None,
                                    status=q.status, unit=q.unit)
    return {"items": page.items, "cursor": page.cursor}


@route(incoming_bp, "/api/incoming", methods=("POST",), body=S + "PaperIn", policy=CLERK,
       tags=("incoming",), summary="Register a paper document by hand (next số đến)")
def incoming_register(call: Call) -> dict[str, Any]:
    from chalicelib.incoming.service import public_view
    from chalicelib.kernel.events import utcnow

    body = call.body
    doc = use_cases().register(
        call.user, _meta(body), arrival=body.ngay_den or utcnow(), source="paper",
        secrecy=body.do_mat, people=[call.user.username] if body.do_mat else None,
        sender_email=str(body.sender_email) if body.sender_email else None)
    return public_view(doc)


@route(incoming_bp, "/api/incoming/{doc_id}", policy=Policy.signed_in(), tags=("incoming",),
       summary="One incoming document with its metadata (the reading is audited)")
def incoming_get(call: Call) -> dict[str, Any]:
    return use_cases().view(call.user, call.params["doc_id"])


@route(incoming_bp, "/api/incoming/{doc_id}", methods=("PUT",), body=S + "CorrectionIn",
       policy=CLERK, tags=("incoming",), summary="Correct the metadata; mark secrecy")
def incoming_correct(call: Call) -> dict[str, Any]:
    body = call.body
    return use_cases().correct(call.user, call.params["doc_id"], _meta(body), body.do_mat,
                               body.version)


@route(incoming_bp, "/api/incoming/{doc_id}/file", policy=Policy.signed_in(), tags=("incoming",),
       summary="A short-lived link to the document's PDF (the download is audited)")
def incoming_file(call: Call) -> dict[str, Any]:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    return use_cases().download_url(call.user, call.params["doc_id"], s3=client("s3"),
                                    bucket=get_settings().documents_bucket)

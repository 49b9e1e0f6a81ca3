"""Outgoing documents (văn bản đi): drafting with versions and comments, the
review chain, the leader's signing request, the clerk's numbering and issuance,
recall and replacement. The signing and issuing work itself runs as workflow
steps (``services/outgoing_steps.py``) so that no browser waits on KMS.

Items (docs/data-model.md):
- ``OUT#{id}/OUT`` the document; ``gsi1`` ``VERIFY#{code}`` (the printed code),
  ``gsi3`` ``REGISTER#outgoing#{year}`` / ``{series}#{number}`` once numbered;
- ``OUT#{id}/V#{n}`` versions, ``OUT#{id}/NOTE#{at}`` comments,
  ``OUT#{id}/SCOPE#{scope}`` list entries (``{scope}#outgoing``);
- ``COUNTER#outgoing#{year}#{series}`` the number counter of a series.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table, json_ready, put_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.adapters.scoped_lists import list_scoped, partition, save_with_entries
from chalicelib.audit import trail as audit
from chalicelib.kernel import numbering
from chalicelib.kernel.access import ItemAccess, Kind, Secrecy, can_view, item_scopes, scopes_for
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.notifications.service import mail_event
from chalicelib.organisation.service import agency_profile
from chalicelib.outgoing.rules import (
    AUTHORITIES,
    DOCX,
    STATUS_LABELS,
    STEP_LABELS,
    OutStatus,
    Reviewer,
    Step,
    check_chain,
    default_chain,
    ensure_status,
    require_fresh_auth,
)

KIND = Kind.OUTGOING.value
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_FILE = 10 * 1024 * 1024
PDF = "application/pdf"
NUMBER_ATTEMPTS = 60
SUMMARY = ("id", "type_code", "type_name", "subject", "status", "do_khan", "do_mat",
           "number_text", "issued_on", "signer", "created_by", "created_at", "updated_at")
URGENCIES = ("Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc")
# The code printed under the QR: no 0/O or 1/I/L, so that it can be typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def chain_of(doc_id: str) -> str:
    return f"outgoing:{doc_id}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


# ---------------------------------------------------------------- access

def access_of(doc: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.OUTGOING, units=frozenset(doc.get("units") or []),
                      people=frozenset(doc.get("people") or []),
                      secrecy=Secrecy(doc.get("do_mat") or ""))


def _entries(doc: dict[str, Any]) -> list[dict[str, Any]]:
    summary = {k: doc.get(k) for k in SUMMARY}
    return [{"pk": f"OUT#{doc['id']}", "sk": f"SCOPE#{scope}", "kind": "scope_entry",
             "gsi1pk": partition(scope, KIND), "gsi1sk": f"{doc['created_at']}#{doc['id']}",
             **summary} for scope in sorted(item_scopes(access_of(doc)))]


def _save(uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return save_with_entries(uow, before, after, _entries)


def _profile(table: Table, username: str) -> dict[str, Any] | None:
    profile = table.get(f"USER#{username}", "PROFILE")
    return profile if profile and profile.get("status") == "active" else None


def _delegation(table: Table, delegate: str, grantor: str) -> dict[str, Any] | None:
    from chalicelib.organisation.service import active_delegation_for

    found = active_delegation_for(delegate, utcnow().astimezone(TZ).date(), table)
    return found if found and found["grantor"] == grantor else None


def _reviewer(doc: dict[str, Any], step: Step, table: Table) -> Reviewer:
    if step == Step.UNIT_HEAD:
        return Reviewer(step, unit=doc["drafting_unit"], roles=frozenset({Role.UNIT_HEAD}))
    if step == Step.OFFICE:
        return Reviewer(step, unit=doc.get("office_unit"),
                        roles=frozenset({Role.UNIT_HEAD}))
    return Reviewer(step, usernames=frozenset({doc["signer"]}))


def _acts_for_signer(caller: Caller, doc: dict[str, Any], table: Table) -> dict[str, Any] | None:
    """None when the caller is the signer; the delegation when a delegate; else Forbidden."""
    if caller.username == doc["signer"]:
        return None
    found = _delegation(table, caller.username, doc["signer"])
    if found is None:
        raise Forbidden("Chỉ người ký được giao (hoặc người được uỷ quyền) mới thực hiện được.",
                        "Only the designated signer or their delegate can do this.")
    return found


def _current_step(doc: dict[str, Any]) -> Step | None:
    steps = doc.get("review") or []
    index = int(doc.get("review_index") or 0)
    if doc["status"] != OutStatus.IN_REVIEW.value or index >= len(steps):
        return None
    return Step(steps[index]["step"])


def _may_act(caller: Caller, doc: dict[str, Any], table: Table) -> bool:
    step = _current_step(doc)
    if step is None:
        return False
    if step == Step.OFFICE and Role.CLERK in caller.roles:
        return True
    if step == Step.SIGNER:
        return caller.username == doc["signer"] or _delegation(
            table, caller.username, doc["signer"]) is not None
    return _reviewer(doc, step, table).admits(caller)


def load(caller: Caller, doc_id: str, table: Table, *, consistent: bool = True
         ) -> dict[str, Any]:
    doc = table.get(f"OUT#{doc_id}", "OUT", consistent=consistent)
    if doc is None:
        raise NotFound()
    if can_view(caller, access_of(doc)) or _may_act(caller, doc, table):
        return doc
    # A delegate acts for the signer on the signer's documents.
    if doc["status"] in (OutStatus.APPROVED, OutStatus.SIGNING_FAILED) and _delegation(
            table, caller.username, doc["signer"]):
        return doc
    raise NotFound()


# ---------------------------------------------------------------- drafting

def review_chain(type_code: str, table: Table | None = None) -> tuple[Step, ...]:
    stored = (table or Table()).get("CONFIG#review_chains", "CHAINS") or {}
    steps = (stored.get("chains") or {}).get(type_code)
    return tuple(Step(s) for s in steps) if steps else default_chain(type_code)


def review_chains(table: Table | None = None) -> dict[str, list[str]]:
    table = table or Table()
    return {code: [s.value for s in review_chain(code, table)]
            for code in numbering.DOCUMENT_TYPES}


def set_review_chains(caller: Caller, chains: dict[str, list[str]],
                      table: Table | None = None) -> dict[str, list[str]]:
    table = table or Table()
    if Role.ADMIN not in caller.roles:
        raise Forbidden()
    clean: dict[str, list[str]] = {}
    for code, steps in chains.items():
        if not numbering.is_known_type(code):
            raise InvalidInput("Loại văn bản không hợp lệ.", "Unknown document type.",
                               "invalid_type", [FieldProblem(f"chains.{code}", "Không có loại "
                                                             "văn bản này.", "Unknown type.")])
        clean[code] = [s.value for s in check_chain(steps, f"chains.{code}")]
    before = review_chains(table)
    uow = UnitOfWork(table)
    uow.add(put_op({"pk": "CONFIG#review_chains", "sk": "CHAINS", "kind": "config",
                    "chains": clean}))
    audit.append(uow, audit.head_of("unit:review_chains", table), caller,
                 "outgoing.review_chains", summary="Đổi quy trình duyệt văn bản đi",
                 before=before, after=clean)
    uow.commit()
    return review_chains(table)


def _check_signer(table: Table, signer: str, authority: str) -> dict[str, Any]:
    profile = _profile(table, signer)
    roles = set((profile or {}).get("roles") or [])
    if profile is None or not roles & {Role.LEADER.value, Role.UNIT_HEAD.value}:
        raise InvalidInput("Người ký phải là lãnh đạo đang hoạt động.",
                           "The signer must be an active leader.", "invalid_signer",
                           [FieldProblem("signer", "Không phải lãnh đạo.", "Not a leader.")])
    if authority not in AUTHORITIES:
        raise InvalidInput("Thẩm quyền ký không hợp lệ.", "Unknown signing authority.",
                           "invalid_authority",
                           [FieldProblem("authority", "Không hợp lệ.", "Unknown.")])
    return profile


def create(caller: Caller, *, type_code: str, subject: str, signer: str, authority: str,
           recipients_internal: list[str], recipients_external: list[dict[str, str]],
           do_khan: str, do_mat: str, answers: str | None, body: str = "",
           extra_recipients: list[str] | None = None, replaces: str | None = None,
           table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    if not caller.unit:
        raise Forbidden("Bạn chưa thuộc đơn vị nào nên chưa soạn được văn bản.",
                        "You belong to no unit, so you cannot draft.")
    problems: list[FieldProblem] = []
    if not numbering.is_known_type(type_code):
        problems.append(FieldProblem("type_code", "Loại văn bản không có trong Phụ lục III.",
                                     "Not a type of Appendix III."))
    if do_khan not in URGENCIES:
        problems.append(FieldProblem("do_khan", "Độ khẩn không hợp lệ.", "Unknown urgency."))
    for i, unit in enumerate(recipients_internal):
        if table.get(f"UNIT#{unit}", "UNIT") is None:
            problems.append(FieldProblem(f"recipients_internal.{i}", "Không có đơn vị này.",
                                         "No such unit."))
    if answers:
        from chalicelib.incoming.service import load_visible

        try:
            load_visible(caller, answers, table)
        except NotFound:
            problems.append(FieldProblem("answers", "Không tìm thấy văn bản đến này.",
                                         "No such incoming document."))
    if problems:
        raise InvalidInput("Thông tin văn bản đi chưa hợp lệ.", "The draft is not valid.",
                           "invalid_draft", problems)
    _check_signer(table, signer, authority)
    from chalicelib.organisation.service import office_unit

    doc_id = uuid.uuid4().hex
    now = iso(utcnow())
    doc: dict[str, Any] = {
        "pk": f"OUT#{doc_id}", "sk": "OUT", "kind": "outgoing", "id": doc_id,
        "type_code": type_code, "type_name": numbering.type_name(type_code), "subject": subject,
        "body": body, "signer": signer, "authority": authority,
        "recipients_internal": sorted(set(recipients_internal)),
        "recipients_external": recipients_external,
        "extra_recipients": extra_recipients or [], "do_khan": do_khan, "do_mat": do_mat,
        "answers": answers, "replaces": replaces, "drafting_unit": caller.unit,
        "office_unit": office_unit(table), "status": OutStatus.DRAFT.value,
        "created_by": caller.username, "created_at": now, "updated_at": now, "version": 1,
        "versions": 0, "units": [caller.unit], "people": sorted({caller.username, signer}),
        "code": new_code(), "review": [], "review_index": 0,
    }
    doc["gsi1pk"], doc["gsi1sk"] = f"VERIFY#{doc['code']}", doc_id
    uow = UnitOfWork(table)
    uow.add(put_op(doc, condition="attribute_not_exists(pk)"))
    for entry in _entries(doc):
        uow.add(put_op(entry))
    audit.append(uow, audit.ChainHead(chain_of(doc_id)), caller, "outgoing.create",
                 summary=f"Soạn {doc['type_name']}: {subject}",
                 after={k: doc[k] for k in ("type_code", "subject", "signer", "authority")})
    uow.emit(DomainEvent("outgoing.created", chain_of(doc_id), {"id": doc_id}))
    uow.commit()
    return view(caller, doc_id, table)


def _edit_guard(caller: Caller, doc: dict[str, Any], table: Table) -> None:
    """The drafter edits a draft; a reviewer may put a corrected version during review."""
    if doc["status"] == OutStatus.DRAFT.value and caller.username == doc["created_by"]:
        return
    if doc["status"] == OutStatus.IN_REVIEW.value and _may_act(caller, doc, table):
        return
    if doc["status"] in (OutStatus.DRAFT.value, OutStatus.IN_REVIEW.value):
        raise Forbidden("Chỉ người soạn (hoặc người đang duyệt) mới sửa được dự thảo.",
                        "Only the drafter (or the current reviewer) can change the draft.")
    ensure_status(doc["status"], (OutStatus.DRAFT, OutStatus.IN_REVIEW),
                  "sửa dự thảo", "change the draft of")


def _sniff(data: bytes, declared: str) -> str:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04") and declared == DOCX:
        return DOCX
    raise InvalidInput("Tệp phải là PDF (hoặc DOCX để góp ý).",
                       "The file must be a PDF (or a DOCX for review).", "invalid_file",
                       [FieldProblem("file", "Không phải PDF/DOCX.", "Not a PDF or DOCX.")])


def add_version(caller: Caller, doc_id: str, data: bytes, *, content_type: str, comment: str,
                s3: Any, bucket: str, composed: dict[str, Any] | None = None,
                table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    doc = load(caller, doc_id, table)
    _edit_guard(caller, doc, table)
    if not data:
        raise InvalidInput("Tệp rỗng.", "The file is empty.", "invalid_file",
                           [FieldProblem("file", "Tệp rỗng.", "Empty file.")])
    if len(data) > MAX_FILE:
        from chalicelib.kernel.errors import TooLarge

        raise TooLarge(MAX_FILE)
    kind = _sniff(data, content_type)
    pages = None
    if kind == PDF:
        from chalicelib.adapters.pdf_inspect import inspect_pdf

        report = inspect_pdf(data, max_pages=1)
        if not report.ok:
            raise InvalidInput(f"Không dùng được tệp PDF: {report.reason}",
                               f"The PDF cannot be used: {report.reason_en}", "invalid_file",
                               [FieldProblem("file", report.reason, report.reason_en)])
        pages = report.pages
    number = int(doc.get("versions") or 0) + 1
    ext = "pdf" if kind == PDF else "docx"
    # Keys come from our ids only, never from a user's file name.
    key = f"outgoing/{doc_id}/v{number:04d}.{ext}"
    digest = hashlib.sha256(data).hexdigest()
    s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=kind)
    version = {"pk": f"OUT#{doc_id}", "sk": f"V#{number:04d}", "kind": "outgoing_version",
               "number": number, "key": key, "content_type": kind, "size": len(data),
               "sha256": digest, "pages": pages, "comment": comment, "by": caller.username,
               "at": iso(utcnow()), "composed": composed is not None}
    after = {**doc, "versions": number}
    if kind == PDF:
        after.update({"current_version": number, "current_key": key,
                      "layout": (composed or {}).get("layout")})
    uow = UnitOfWork(table)
    uow.add(put_op(version, condition="attribute_not_exists(pk)"))
    _save(uow, doc, after)
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "outgoing.version",
                 summary=f"Phiên bản {number}" + (f": {comment}" if comment else ""),
                 after={"version": number, "sha256": digest, "type": ext})
    uow.commit()
    return view(caller, doc_id, table)


def compose_version(caller: Caller, doc_id: str, *, body: str, recipients: list[str],
                    s3: Any, bucket: str, table: Table | None = None) -> dict[str, Any]:
    """Render the Decree 30 layout from the draft's fields and the body text."""
    table = table or Table()
    doc = load(caller, doc_id, table)
    _edit_guard(caller, doc, table)
    composed = composed_draft(doc, body=body, recipients=recipients, table=table)
    uow = UnitOfWork(table)
    after = {**doc, "body": body, "noi_nhan": recipients}
    _save(uow, doc, after)
    uow.commit()
    return add_version(caller, doc_id, composed["pdf"], content_type=PDF,
                       comment="Soạn từ mẫu", s3=s3, bucket=bucket,
                       composed={"layout": composed["layout"]}, table=table)


def composed_draft(doc: dict[str, Any], *, body: str, recipients: list[str], table: Table,
             signer: str | None = None, authority: str | None = None) -> dict[str, Any]:
    from dataclasses import asdict

    from chalicelib.outputs.document_pdf import ComposeInput, compose

    agency = agency_profile(table)
    signer = signer or doc["signer"]
    authority = doc["authority"] if authority is None else authority
    profile = _profile(table, signer) or {}
    title = numbering.signature_title(authority, head_title=agency["head_title"],
                                      signer_title=str(profile.get("title") or "Giám đốc"))
    result = compose(ComposeInput(
        type_code=doc["type_code"], agency_parent=agency["parent"], agency_name=agency["name"],
        agency_code=agency["code"], unit_code=doc["drafting_unit"], place=agency["place"],
        subject=doc["subject"], body=body, recipients=recipients, authority=authority,
        signature_title=title, signer_name=str(profile.get("full_name") or signer),
        year=utcnow().astimezone(TZ).year, secret=bool(doc.get("do_mat")),
        urgency=doc["do_khan"] if doc["do_khan"] != "Thường" else None))
    layout = {name: asdict(getattr(result, name))
              for name in ("number", "date", "signature", "seal", "qr")}
    return {"pdf": result.pdf, "layout": layout}


def add_note(caller: Caller, doc_id: str, text: str, table: Table | None = None
             ) -> dict[str, Any]:
    table = table or Table()
    load(caller, doc_id, table)
    _note(table, doc_id, caller, text, "comment")
    return view(caller, doc_id, table)


def _note(table: Table, doc_id: str, caller: Caller, text: str, kind: str,
          uow: UnitOfWork | None = None) -> None:
    at = iso(utcnow())
    item = {"pk": f"OUT#{doc_id}", "sk": f"NOTE#{at}#{uuid.uuid4().hex[:6]}",
            "kind": "outgoing_note", "note_kind": kind, "text": text, "by": caller.username,
            "by_name": caller.full_name or caller.username, "at": at}
    if uow is None:
        table.put(item)
    else:
        uow.add(put_op(item))


# ---------------------------------------------------------------- review

def submit(caller: Caller, doc_id: str, comment: str = "", table: Table | None = None
           ) -> dict[str, Any]:
    table = table or Table()
    doc = load(caller, doc_id, table)
    ensure_status(doc["status"], (OutStatus.DRAFT,), "trình duyệt", "submit")
    if caller.username != doc["created_by"]:
        raise Forbidden("Chỉ người soạn mới trình được dự thảo.", "Only the drafter submits.")
    if not doc.get("current_key"):
        raise InvalidInput("Dự thảo chưa có tệp PDF.", "The draft has no PDF yet.",
                           "no_pdf", [FieldProblem("file", "Cần tải lên hoặc soạn PDF.",
                                                   "Upload or compose a PDF.")])
    now = iso(utcnow())
    review = [{"step": s.value, "label": STEP_LABELS[s], "decision": None, "by": None,
               "at": None, "comment": ""} for s in review_chain(doc["type_code"], table)]
    index = 0
    # The head of the drafting unit (or a leader) drafting has checked the content.
    if review[0]["step"] == Step.UNIT_HEAD.value and (
            Role.LEADER in caller.roles or (Role.UNIT_HEAD in caller.roles
                                            and caller.unit == doc["drafting_unit"])):
        review[0].update(decision="approved", by=caller.username, at=now,
                         comment="Người soạn là lãnh đạo" if Role.LEADER in caller.roles
                         else "Người soạn là trưởng đơn vị")
        index = 1
    after = {**doc, "status": OutStatus.IN_REVIEW.value, "review": review,
             "review_index": index, "submitted_at": now, "returned": None}
    after = _with_step_access(after, table)
    uow = UnitOfWork(table)
    _save(uow, doc, after)
    if comment:
        _note(table, doc_id, caller, comment, "submit", uow)
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "outgoing.submit",
                 summary="Trình duyệt" + (f": {comment}" if comment else ""))
    _notify_step(uow, after, table)
    uow.commit()
    return view(caller, doc_id, table)


def _with_step_access(doc: dict[str, Any], table: Table) -> dict[str, Any]:
    """The office sees a document once it reaches the office's check."""
    step = _current_step(doc)
    if step == Step.OFFICE and doc.get("office_unit"):
        if doc.get("do_mat"):
            from chalicelib.organisation.service import list_users

            heads = [u["username"] for u in list_users(doc["office_unit"], table)
                     if "unit_head" in u["roles"] and u["status"] == "active"]
            return {**doc, "people": sorted(set(doc["people"]) | set(heads))}
        return {**doc, "units": sorted(set(doc["units"]) | {doc["office_unit"]})}
    return doc


def _clerks(table: Table) -> list[str]:
    from chalicelib.organisation.service import list_users

    return [u["username"] for u in list_users(table=table)
            if "clerk" in u["roles"] and u["status"] == "active"]


def _step_people(doc: dict[str, Any], table: Table) -> list[dict[str, Any]]:
    from chalicelib.organisation.service import list_users

    step = _current_step(doc)
    if step is None:
        return []
    users = [u for u in list_users(table=table) if u["status"] == "active" and u.get("email")]
    if step == Step.SIGNER:
        return [u for u in users if u["username"] == doc["signer"]]
    unit = doc["drafting_unit"] if step == Step.UNIT_HEAD else doc.get("office_unit")
    return [u for u in users if "unit_head" in u["roles"] and u.get("unit") == unit]


def _notify_step(uow: UnitOfWork, doc: dict[str, Any], table: Table) -> None:
    from chalicelib.kernel.config import get_settings

    people = _step_people(doc, table)
    if not people or doc.get("do_mat"):
        return
    step = _current_step(doc)
    uow.emit(mail_event(chain_of(doc["id"]), [u["email"] for u in people], "notice", {
        "subject": f"Văn bản đi chờ duyệt: {doc['subject']}",
        "recipient_name": ", ".join(u["full_name"] for u in people),
        "body": f"{doc['type_name']} “{doc['subject']}” đang chờ bước: "
                f"{STEP_LABELS[step] if step else ''}.",
        "link": f"{get_settings().public_base_url}/app/outgoing-doc?id={doc['id']}"}))


def decide(caller: Caller, doc_id: str, *, approve: bool, comment: str,
           table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    doc = load(caller, doc_id, table)
    ensure_status(doc["status"], (OutStatus.IN_REVIEW,), "duyệt", "review")
    if not _may_act(caller, doc, table):
        raise Forbidden("Bước duyệt hiện tại không phải của bạn.",
                        "The current review step is not yours.")
    if not approve and not comment.strip():
        raise InvalidInput("Trả lại cần có lý do.", "A return needs a reason.", "reason_required",
                           [FieldProblem("comment", "Nhập lý do trả lại.", "Give a reason.")])
    now = iso(utcnow())
    review = [dict(s) for s in doc["review"]]
    index = int(doc["review_index"])
    review[index].update(decision="approved" if approve else "returned", by=caller.username,
                         at=now, comment=comment)
    people = sorted(set(doc["people"]) | {caller.username})
    if approve and index + 1 < len(review):
        after = {**doc, "review": review, "review_index": index + 1, "people": people}
        after = _with_step_access(after, table)
    elif approve:
        if doc.get("do_mat"):
            # A secret document is seen only by those named on it: the clerks who
            # will number and issue it are named once it is approved.
            people = sorted(set(people) | set(_clerks(table)))
        after = {**doc, "review": review, "status": OutStatus.APPROVED.value,
                 "approved_at": now, "approved_by": caller.username, "people": people}
    else:
        after = {**doc, "review": review, "status": OutStatus.DRAFT.value, "people": people,
                 "returned": {"by": caller.username, "at": now, "comment": comment,
                              "step": review[index]["step"]}}
    uow = UnitOfWork(table)
    _save(uow, doc, after)
    if comment:
        _note(table, doc_id, caller, comment, "approve" if approve else "return", uow)
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller,
                 "outgoing.approve" if approve else "outgoing.return",
                 summary=f"{'Đồng ý' if approve else 'Trả lại'} ({review[index]['label']})"
                 + (f": {comment}" if comment else ""))
    if after["status"] == OutStatus.IN_REVIEW.value:
        _notify_step(uow, after, table)
    uow.commit()
    return view(caller, doc_id, table)


# ---------------------------------------------------------------- signing

def request_signing(caller: Caller, doc_id: str, table: Table | None = None) -> dict[str, Any]:
    """The leader confirms; the workflow step signs (the browser does not wait)."""
    table = table or Table()
    doc = load(caller, doc_id, table)
    delegation = _acts_for_signer(caller, doc, table)
    ensure_status(doc["status"], (OutStatus.APPROVED,), "ký số", "sign")
    require_fresh_auth(caller, utcnow())
    authority = doc["authority"]
    if delegation is not None:
        authority = f"{delegation['kind']}."
    after = {**doc, "status": OutStatus.SIGNING.value, "signed_by": caller.username,
             "signed_by_name": caller.full_name or caller.username,
             "signing_authority": authority, "signing_requested_at": iso(utcnow()),
             "failure": None, "people": sorted(set(doc["people"]) | {caller.username})}
    uow = UnitOfWork(table)
    _save(uow, doc, after)
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "outgoing.sign_request",
                 summary="Xác nhận ký số" + (f" ({authority} theo uỷ quyền của "
                                            f"{doc['signer']})" if delegation else ""))
    uow.emit(DomainEvent("outgoing.sign_requested", chain_of(doc_id),
                         {"id": doc_id, "request": uuid.uuid4().hex}))
    uow.commit()
    return view(caller, doc_id, table)


def retry(caller: Caller, doc_id: str, table: Table | None = None) -> dict[str, Any]:
    """After a failed step: the clerk (or the signer) starts it again."""
    table = table or Table()
    doc = load(caller, doc_id, table)
    ensure_status(doc["status"], (OutStatus.SIGNING_FAILED, OutStatus.ISSUE_FAILED),
                  "thử lại", "retry")
    if Role.CLERK not in caller.roles and caller.username not in (doc["signer"],
                                                                  doc.get("signed_by")):
        raise Forbidden()
    signing = doc["status"] == OutStatus.SIGNING_FAILED.value
    after = {**doc, "status": (OutStatus.SIGNING if signing else OutStatus.ISSUING).value,
             "failure": None}
    uow = UnitOfWork(table)
    _save(uow, doc, after)
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "outgoing.retry",
                 summary="Thử lại " + ("ký số" if signing else "phát hành"))
    uow.emit(DomainEvent("outgoing.sign_requested" if signing else "outgoing.issue_requested",
                         chain_of(doc_id), {"id": doc_id, "request": uuid.uuid4().hex}))
    uow.commit()
    return view(caller, doc_id, table)


def mark(doc_id: str, status: OutStatus, *, expect: OutStatus, action: str, summary: str,
         table: Table | None = None, events: list[DomainEvent] | None = None,
         **fields: Any) -> dict[str, Any] | None:
    """A step records its outcome; None when the document is no longer in ``expect``."""
    table = table or Table()
    doc = table.get(f"OUT#{doc_id}", "OUT", consistent=True)
    if doc is None or doc["status"] != expect.value:
        return None
    after = {**doc, **fields, "status": status.value}
    uow = UnitOfWork(table)
    after = _save(uow, doc, after)
    audit.append(uow, audit.head_of(chain_of(doc_id), table), None, action, summary=summary,
                 actor="system")
    for event in events or []:
        uow.emit(event)
    uow.commit()
    return after


# ---------------------------------------------------------------- issuance

def _counter_key(year: int, series: str) -> tuple[str, str]:
    return f"COUNTER#outgoing#{year}#{series}", "COUNTER"


def issue(caller: Caller, doc_id: str, table: Table | None = None) -> dict[str, Any]:
    """The clerk takes the next number of the year in the document's series and the
    date; the step stamps them, adds the seal signature and enters the register.
    The number and the state change are one transaction: no gap, no duplicate,
    and a failing step keeps the number for its retry."""
    table = table or Table()
    if Role.CLERK not in caller.roles:
        raise Forbidden("Chỉ văn thư mới cấp số và phát hành.",
                        "Only the clerk numbers and issues documents.")
    agency = agency_profile(table)
    for attempt in range(NUMBER_ATTEMPTS):
        doc = load(caller, doc_id, table)
        ensure_status(doc["status"], (OutStatus.SIGNED,), "phát hành", "issue")
        today = utcnow().astimezone(TZ).date()
        series = numbering.series_of(doc["type_code"], bool(doc.get("do_mat")))
        pk, sk = _counter_key(today.year, series)
        current_item = table.get(pk, sk, consistent=True)
        current = int(current_item["value"]) if current_item else 0
        number = current + 1
        text = numbering.format_number(number, type_code=doc["type_code"],
                                       agency_code=agency["code"],
                                       unit_code=doc["drafting_unit"])
        after = {**doc, "status": OutStatus.ISSUING.value, "number": number,
                 "number_text": text, "series": series, "year": today.year,
                 "issued_on": today.isoformat(), "issued_by": caller.username,
                 "date_line": numbering.date_line(agency["place"], today),
                 "gsi3pk": f"REGISTER#outgoing#{today.year}", "gsi3sk": f"{series}#{number:08d}"}
        uow = UnitOfWork(table)
        counter = {"pk": pk, "sk": sk, "kind": "counter", "value": number}
        if current_item is None:
            uow.add(put_op(counter, condition="attribute_not_exists(pk)"))
        else:
            uow.add(put_op(counter, condition="#v = :v", names={"#v": "value"},
                           values={":v": current}))
        _save(uow, doc, after)
        audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "outgoing.number",
                     summary=f"Cấp số {text}, ngày {today:%d/%m/%Y}")
        uow.emit(DomainEvent("outgoing.issue_requested", chain_of(doc_id),
                             {"id": doc_id, "request": uuid.uuid4().hex}))
        try:
            uow.commit()
        except Conflict:
            # Another issuance took the number (or this document changed): read again.
            time.sleep(random.uniform(0, 0.02 * min(attempt + 1, 10)))
            continue
        return view(caller, doc_id, table)
    raise Conflict("Sổ văn bản đi đang bận, vui lòng thử lại.",
                   "The outgoing register is busy; retry.", "register_busy")


def recall(caller: Caller, doc_id: str, reason: str, table: Table | None = None
           ) -> dict[str, Any]:
    """Decree 30 Art. 18: the sender freezes the document and tells its recipients."""
    table = table or Table()
    doc = load(caller, doc_id, table)
    if not caller.roles & {Role.CLERK, Role.LEADER}:
        raise Forbidden()
    ensure_status(doc["status"], (OutStatus.ISSUED,), "thu hồi", "recall")
    after = {**doc, "status": OutStatus.RECALLED.value, "recalled_at": iso(utcnow()),
             "recalled_by": caller.username, "recall_reason": reason}
    uow = UnitOfWork(table)
    _save(uow, doc, after)
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "outgoing.recall",
                 summary=f"Thu hồi: {reason}")
    uow.emit(DomainEvent("outgoing.recalled", chain_of(doc_id),
                         {"id": doc_id, "reason": reason}))
    uow.commit()
    return view(caller, doc_id, table)


def start_replacement(caller: Caller, doc_id: str, reason: str, table: Table | None = None
                      ) -> dict[str, Any]:
    """A content error is fixed by a replacing document: a new draft that, once
    issued, marks this one replaced."""
    table = table or Table()
    doc = load(caller, doc_id, table)
    ensure_status(doc["status"], (OutStatus.ISSUED, OutStatus.RECALLED), "thay thế", "replace")
    draft = create(caller, type_code=doc["type_code"], subject=doc["subject"],
                   signer=doc["signer"], authority=doc["authority"],
                   recipients_internal=doc["recipients_internal"],
                   recipients_external=doc["recipients_external"], do_khan=doc["do_khan"],
                   do_mat=doc.get("do_mat") or "", answers=None, body=doc.get("body") or "",
                   extra_recipients=doc.get("extra_recipients"), replaces=doc_id, table=table)
    _note(table, draft["id"], caller, f"Thay thế văn bản {doc.get('number_text')}: {reason}",
          "replace")
    audit.record(chain_of(doc_id), caller, "outgoing.replacement",
                 summary=f"Bắt đầu văn bản thay thế: {reason}", table=table)
    return draft


# ---------------------------------------------------------------- reading

def _actions(caller: Caller, doc: dict[str, Any], table: Table) -> list[str]:
    status = doc["status"]
    out = []
    if status == OutStatus.DRAFT.value and caller.username == doc["created_by"]:
        out += ["upload", "compose", "submit"]
    if status == OutStatus.IN_REVIEW.value and _may_act(caller, doc, table):
        out += ["approve", "return", "upload"]
    if status == OutStatus.APPROVED.value and (
            caller.username == doc["signer"] or _delegation(table, caller.username,
                                                            doc["signer"])):
        out.append("sign")
    if status in (OutStatus.SIGNING_FAILED.value, OutStatus.ISSUE_FAILED.value) and (
            Role.CLERK in caller.roles or caller.username == doc["signer"]):
        out.append("retry")
    if status == OutStatus.SIGNED.value and Role.CLERK in caller.roles:
        out.append("issue")
    if status == OutStatus.ISSUED.value and caller.roles & {Role.CLERK, Role.LEADER}:
        out += ["recall", "replace"]
    return out


def public_view(doc: dict[str, Any]) -> dict[str, Any]:
    hidden = {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "kind"}
    out = json_ready({k: v for k, v in doc.items() if k not in hidden})
    out["status_label"] = STATUS_LABELS[OutStatus(doc["status"])]
    out["version"] = int(doc["version"])
    return out


def view(caller: Caller, doc_id: str, table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    doc = load(caller, doc_id, table)
    rest = table.query(f"OUT#{doc_id}", limit=500).items
    versions = [{k: v.get(k) for k in ("number", "content_type", "size", "sha256", "pages",
                                       "comment", "by", "at", "composed")}
                for v in rest if v["sk"].startswith("V#")]
    notes = [{k: n.get(k) for k in ("note_kind", "text", "by", "by_name", "at")}
             for n in rest if n["sk"].startswith("NOTE#")]
    return {**public_view(doc), "versions": json_ready(versions), "notes": notes,
            "actions": _actions(caller, doc, table)}


def list_visible(caller: Caller, *, cursor: str | None = None, limit: int = 20,
                 status: str | None = None, table: Table | None = None) -> dict[str, Any]:
    page = list_scoped(KIND, scopes_for(caller, Kind.OUTGOING), cursor=cursor, limit=limit,
                       accept=(lambda i: i.get("status") == status) if status else None,
                       table=table)
    items = [{k: i.get(k) for k in SUMMARY} | {
        "status_label": STATUS_LABELS[OutStatus(i["status"])]} for i in page.items]
    return {"items": items, "cursor": page.cursor}


def download_url(caller: Caller, doc_id: str, *, which: str, s3: Any, bucket: str,
                 table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    doc = load(caller, doc_id, table)
    if which.startswith("v") and which[1:].isdigit():
        version = table.get(f"OUT#{doc_id}", f"V#{int(which[1:]):04d}")
        key = version["key"] if version else None
        kind = version["content_type"] if version else PDF
    else:
        key = {"current": doc.get("current_key"), "signed": doc.get("signed_key"),
               "issued": doc.get("issued_key")}.get(which)
        kind = PDF
    if not key:
        raise NotFound("Chưa có tệp này.", "No such file yet.")
    ext = "docx" if kind == DOCX else "pdf"
    name = f"van-ban-di-{doc_id[:8]}-{which}.{ext}"
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": key, "ResponseContentDisposition": f'inline; filename="{name}"',
        "ResponseContentType": kind}, ExpiresIn=300)
    audit.record(chain_of(doc_id), caller, "outgoing.download", summary=f"Tải tệp ({which})",
                 table=table)
    return {"url": url, "expires_in": 300}


def find_by_code(code: str, table: Table | None = None) -> dict[str, Any] | None:
    page = (table or Table()).query(f"VERIFY#{code.strip().upper()}", index="gsi1", limit=1)
    return page.items[0] if page.items else None


def register_entries(year: int, table: Table | None = None) -> list[dict[str, Any]]:
    table = table or Table()
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = table.query(f"REGISTER#outgoing#{year}", index="gsi3", limit=500, cursor=cursor)
        out.extend(i for i in page.items if i.get("kind") == "outgoing")
        cursor = page.cursor
        if not cursor:
            return out


# ---------------------------------------------------------------- for other capabilities

def get(doc_id: str, table: Table | None = None) -> dict[str, Any] | None:
    """A document by id with no caller to check: for the workflow steps of the
    capabilities that drafted it (a complaint's answer, a meeting's letter)."""
    return (table or Table()).get(f"OUT#{doc_id}", "OUT", consistent=True)


def set_origin(doc_id: str, origin: dict[str, str], *, new_version: bool = False,
               table: Table | None = None) -> None:
    """Note on a draft what it was drafted for (``complaint_id``, ``meeting_id``),
    so that its issue reaches back there."""
    names = {f"#o{i}": k for i, k in enumerate(origin)}
    values: dict[str, Any] = {f":o{i}": v for i, v in enumerate(origin.values())}
    expression = "SET " + ", ".join(f"#o{i} = :o{i}" for i in range(len(origin)))
    if new_version:
        expression += ", version = version + :one"
        values[":one"] = 1
    (table or Table()).update(f"OUT#{doc_id}", "OUT", expression, names=names, values=values)

"""Outgoing documents (văn bản đi): drafting with versions and comments, the
review chain, the leader's signing request, the clerk's numbering and issuance,
recall and replacement. The signing and issuing work itself runs as workflow
steps (``outgoing/steps.py``) so that no browser waits on KMS.

The use cases are methods of ``Outgoing``, which receives its collaborators:
the store (``outgoing/store.py``, the only code that knows where documents
live), the audit trail, the neighbouring capabilities (``outgoing/neighbours.py``)
and the clock, so that they run against fakes in unit tests
(``tests/unit/test_outgoing_use_cases.py``). The module functions below keep
the signatures that routes, steps and other capabilities call: each builds the
real collaborators from the table it is given.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table, json_ready
from chalicelib.kernel import numbering
from chalicelib.kernel.access import Kind, can_view, scopes_for
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.folding import filter_words, matches
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail, Clock, UnitOfWork
from chalicelib.kernel.reauth import require_fresh_auth
from chalicelib.outgoing.inbox import DraftActions, current_step
from chalicelib.outgoing.neighbours import Neighbours, TableNeighbours
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
    stuck,
)
from chalicelib.outgoing.store import STORAGE_ATTRIBUTES, SUMMARY, OutgoingStore, access_of
from chalicelib.work.pending import Pending

KIND = Kind.OUTGOING.value
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_FILE = 10 * 1024 * 1024
PDF = "application/pdf"
NUMBER_ATTEMPTS = 60
URGENCIES = ("Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc")
# The code printed under the QR: no 0/O or 1/I/L, so that it can be typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def chain_of(doc_id: str) -> str:
    return f"outgoing:{doc_id}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def public_base_url() -> str:
    """Where the app answers, for links in e-mails."""
    from chalicelib.kernel.config import get_settings

    return get_settings().public_base_url


def _reviewer(doc: dict[str, Any], step: Step) -> Reviewer:
    if step == Step.UNIT_HEAD:
        return Reviewer(step, unit=doc["drafting_unit"], roles=frozenset({Role.UNIT_HEAD}))
    if step == Step.OFFICE:
        return Reviewer(step, unit=doc.get("office_unit"),
                        roles=frozenset({Role.UNIT_HEAD}))
    return Reviewer(step, usernames=frozenset({doc["signer"]}))




def _sniff(data: bytes) -> str:
    """PDF, or DOCX kept for review, by the bytes (``kernel.filetypes``)."""
    from chalicelib.kernel.filetypes import checked_type

    return checked_type(data, (PDF, DOCX), path="file")


def public_view(doc: dict[str, Any]) -> dict[str, Any]:
    out = json_ready({k: v for k, v in doc.items() if k not in STORAGE_ATTRIBUTES})
    out["status_label"] = STATUS_LABELS[OutStatus(doc["status"])]
    out["version"] = int(doc["version"])
    return out


@dataclass
class Outgoing:
    store: OutgoingStore
    trail: AuditTrail
    neighbours: Neighbours
    pending: Pending
    clock: Clock = utcnow
    base_url: Callable[[], str] = public_base_url

    @property
    def actions(self) -> DraftActions:
        """The draft's pending actions in the work inbox."""
        return DraftActions(self.pending, self.neighbours, self._today)

    # ------------------------------------------------------------ access

    def _today(self) -> Any:
        return self.clock().astimezone(TZ).date()

    def unit_abbreviation(self, code: str) -> str:
        """The drafting unit as a document's symbol and "Lưu:" line print it
        ("ĐKKD"), not its internal code ("PDKKD"); the code when it has none."""
        return str((self.neighbours.unit(code) or {}).get("abbreviation") or code)

    def _profile(self, username: str) -> dict[str, Any] | None:
        profile = self.neighbours.user(username)
        return dict(profile) if profile and profile.get("status") == "active" else None

    def _delegation(self, delegate: str, grantor: str) -> dict[str, Any] | None:
        found = self.neighbours.delegation(delegate, self._today())
        return dict(found) if found and found["grantor"] == grantor else None

    def _acts_for_signer(self, caller: Caller, doc: dict[str, Any]) -> dict[str, Any] | None:
        """None when the caller is the signer; the delegation when a delegate; else Forbidden."""
        if caller.username == doc["signer"]:
            return None
        found = self._delegation(caller.username, doc["signer"])
        if found is None:
            raise Forbidden("Chỉ người ký được giao (hoặc người được uỷ quyền) mới thực hiện "
                            "được.", "Only the designated signer or their delegate can do this.")
        return found

    def _may_act(self, caller: Caller, doc: dict[str, Any]) -> bool:
        step = current_step(doc)
        if step is None:
            return False
        if step == Step.OFFICE and Role.CLERK in caller.roles:
            return True
        if step == Step.SIGNER:
            return caller.username == doc["signer"] or self._delegation(
                caller.username, doc["signer"]) is not None
        return _reviewer(doc, step).admits(caller)

    def load(self, caller: Caller, doc_id: str, *, consistent: bool = True) -> dict[str, Any]:
        doc = self.store.get(doc_id, consistent=consistent)
        if doc is None:
            raise NotFound()
        if can_view(caller, access_of(doc)) or self._may_act(caller, doc):
            return doc
        # A delegate acts for the signer on the signer's documents.
        if doc["status"] in (OutStatus.APPROVED, OutStatus.SIGNING_FAILED) and self._delegation(
                caller.username, doc["signer"]):
            return doc
        raise NotFound()

    def _audit(self, uow: UnitOfWork, doc_id: str, caller: Caller | None, action: str, *,
               summary: str, before: Any = None, after: Any = None) -> None:
        chain = chain_of(doc_id)
        self.trail.append(uow, self.trail.head(chain), caller, action, summary=summary,
                          before=before, after=after)

    def _record(self, doc_id: str, caller: Caller, action: str, *, summary: str) -> None:
        """An entry on its own (a download, a replacement started)."""
        uow = self.store.unit_of_work()
        self._audit(uow, doc_id, caller, action, summary=summary)
        uow.commit()

    # ------------------------------------------------------------ drafting

    def review_chain(self, type_code: str) -> tuple[Step, ...]:
        steps = self.store.review_chains().get(type_code)
        return tuple(Step(s) for s in steps) if steps else default_chain(type_code)

    def _chain_of(self, doc: dict[str, Any]) -> tuple[Step, ...]:
        """The chain of the procedure version the draft started under, or the
        type's configured chain when no procedure governs it."""
        kept = (doc.get("review_procedure") or {}).get("chain")
        return tuple(Step(s) for s in kept) if kept else self.review_chain(doc["type_code"])

    def review_chains(self) -> dict[str, list[str]]:
        stored = self.store.review_chains()
        return {code: [s.value for s in (tuple(Step(s) for s in stored[code])
                                         if stored.get(code) else default_chain(code))]
                for code in numbering.DOCUMENT_TYPES}

    def set_review_chains(self, caller: Caller, chains: dict[str, list[str]]
                          ) -> dict[str, list[str]]:
        if Role.ADMIN not in caller.roles:
            raise Forbidden()
        clean: dict[str, list[str]] = {}
        for code, steps in chains.items():
            if not numbering.is_known_type(code):
                raise InvalidInput("Loại văn bản không hợp lệ.", "Unknown document type.",
                                   "invalid_type", [FieldProblem(
                                       f"chains.{code}", "Không có loại văn bản này.",
                                       "Unknown type.")])
            clean[code] = [s.value for s in check_chain(steps, f"chains.{code}")]
        before = self.review_chains()
        uow = self.store.unit_of_work()
        self.store.save_review_chains(uow, clean)
        self.trail.append(uow, self.trail.head("unit:review_chains"), caller,
                          "outgoing.review_chains", summary="Đổi quy trình duyệt văn bản đi",
                          before=before, after=clean)
        uow.commit()
        return self.review_chains()

    def _check_signer(self, signer: str, authority: str) -> dict[str, Any]:
        profile = self._profile(signer)
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

    def create(self, caller: Caller, *, type_code: str, subject: str, signer: str,
               authority: str, recipients_internal: list[str],
               recipients_external: list[dict[str, str]], do_khan: str, do_mat: str,
               answers: str | None, body: str = "", extra_recipients: list[str] | None = None,
               replaces: str | None = None) -> dict[str, Any]:
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
            if self.neighbours.unit(unit) is None:
                problems.append(FieldProblem(f"recipients_internal.{i}", "Không có đơn vị này.",
                                             "No such unit."))
        if answers and not self.neighbours.sees_incoming(caller, answers):
            problems.append(FieldProblem("answers", "Không tìm thấy văn bản đến này.",
                                         "No such incoming document."))
        InvalidInput.unless_none(problems, "Thông tin văn bản đi chưa hợp lệ.",
                                 "The draft is not valid.", "invalid_draft")
        self._check_signer(signer, authority)
        doc_id = uuid.uuid4().hex
        now = iso(self.clock())
        doc: dict[str, Any] = {
            "id": doc_id, "type_code": type_code, "type_name": numbering.type_name(type_code),
            "subject": subject, "body": body, "signer": signer, "authority": authority,
            "recipients_internal": sorted(set(recipients_internal)),
            "recipients_external": recipients_external,
            "extra_recipients": extra_recipients or [], "do_khan": do_khan, "do_mat": do_mat,
            "answers": answers, "replaces": replaces, "drafting_unit": caller.unit,
            "office_unit": self.neighbours.office_unit(), "status": OutStatus.DRAFT.value,
            "created_by": caller.username, "created_at": now, "updated_at": now, "version": 1,
            "versions": 0, "units": [caller.unit], "people": sorted({caller.username, signer}),
            "code": new_code(), "review": [], "review_index": 0,
        }
        # The internal review procedure in force when drafting starts sets the
        # chain; the draft keeps that version whatever is approved later.
        procedure = self.neighbours.review_procedure(type_code, self._today())
        if procedure:
            doc["review_procedure"] = {
                "id": procedure["id"], "code": procedure["code"], "number": procedure["number"],
                "title": procedure["title"],
                "chain": [s["review_step"] for s in procedure["steps"]]}
        uow = self.store.unit_of_work()
        self.store.add(uow, doc)
        self._audit(uow, doc_id, caller, "outgoing.create",
                    summary=f"Soạn {doc['type_name']}: {subject}",
                    after={k: doc[k] for k in ("type_code", "subject", "signer", "authority")})
        uow.emit(DomainEvent("outgoing.created", chain_of(doc_id), {"id": doc_id}))
        uow.commit()
        return self.view(caller, doc_id)

    def _edit_guard(self, caller: Caller, doc: dict[str, Any]) -> None:
        """The drafter edits a draft; a reviewer may put a corrected version during review."""
        if doc["status"] == OutStatus.DRAFT.value and caller.username == doc["created_by"]:
            return
        if doc["status"] == OutStatus.IN_REVIEW.value and self._may_act(caller, doc):
            return
        if doc["status"] in (OutStatus.DRAFT.value, OutStatus.IN_REVIEW.value):
            raise Forbidden("Chỉ người soạn (hoặc người đang duyệt) mới sửa được dự thảo.",
                            "Only the drafter (or the current reviewer) can change the draft.")
        ensure_status(doc["status"], (OutStatus.DRAFT, OutStatus.IN_REVIEW),
                      "sửa dự thảo", "change the draft of")

    def add_version(self, caller: Caller, doc_id: str, data: bytes, *, content_type: str,
                    comment: str, s3: Any, bucket: str,
                    composed: dict[str, Any] | None = None) -> dict[str, Any]:
        doc = self.load(caller, doc_id)
        self._edit_guard(caller, doc)
        if not data:
            raise InvalidInput("Tệp rỗng.", "The file is empty.", "invalid_file",
                               [FieldProblem("file", "Tệp rỗng.", "Empty file.")])
        if len(data) > MAX_FILE:
            from chalicelib.kernel.errors import TooLarge

            raise TooLarge(MAX_FILE)
        kind = _sniff(data)
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
        version = {"number": number, "key": key, "content_type": kind, "size": len(data),
                   "sha256": digest, "pages": pages, "comment": comment, "by": caller.username,
                   "at": iso(self.clock()), "composed": composed is not None}
        after = {**doc, "versions": number}
        if kind == PDF:
            after.update({"current_version": number, "current_key": key,
                          "layout": (composed or {}).get("layout")})
        uow = self.store.unit_of_work()
        self.store.add_version(uow, doc_id, version)
        self.store.save(uow, doc, after)
        self._audit(uow, doc_id, caller, "outgoing.version",
                    summary=f"Phiên bản {number}" + (f": {comment}" if comment else ""),
                    after={"version": number, "sha256": digest, "type": ext})
        uow.commit()
        return self.view(caller, doc_id)

    def compose_version(self, caller: Caller, doc_id: str, *, body: str, recipients: list[str],
                        s3: Any, bucket: str) -> dict[str, Any]:
        """Render the Decree 30 layout from the draft's fields and the body text."""
        doc = self.load(caller, doc_id)
        self._edit_guard(caller, doc)
        composed = self.composed_draft(doc, body=body, recipients=recipients)
        uow = self.store.unit_of_work()
        self.store.save(uow, doc, {**doc, "body": body, "noi_nhan": recipients})
        uow.commit()
        return self.add_version(caller, doc_id, composed["pdf"], content_type=PDF,
                                comment="Soạn từ mẫu", s3=s3, bucket=bucket,
                                composed={"layout": composed["layout"]})

    def composed_draft(self, doc: dict[str, Any], *, body: str, recipients: list[str],
                       signer: str | None = None, authority: str | None = None
                       ) -> dict[str, Any]:
        from dataclasses import asdict

        from chalicelib.outputs.document_pdf import ComposeInput, compose

        agency = self.neighbours.agency()
        signer = signer or doc["signer"]
        authority = doc["authority"] if authority is None else authority
        profile = self._profile(signer) or {}
        title = numbering.signature_title(authority, head_title=agency["head_title"],
                                          signer_title=str(profile.get("title") or "Giám đốc"))
        drafter = self.neighbours.user(doc["created_by"]) or {}
        unit = self.unit_abbreviation(doc["drafting_unit"])
        # The "Lưu:" line is the office's, not the drafter's: it names the drafting
        # unit by its abbreviation, the drafter's initials and the copies kept.
        recipients = [*(r for r in recipients if not _is_storage_line(r)),
                      numbering.storage_line(unit, str(drafter.get("full_name") or ""))]
        result = compose(ComposeInput(
            type_code=doc["type_code"], agency_parent=agency["parent"],
            agency_name=agency["name"], agency_code=agency["code"],
            unit_code=unit, place=agency["place"], subject=doc["subject"],
            body=body, recipients=recipients, authority=authority, signature_title=title,
            signer_name=str(profile.get("full_name") or signer),
            year=self.clock().astimezone(TZ).year, secret=bool(doc.get("do_mat")),
            urgency=doc["do_khan"] if doc["do_khan"] != "Thường" else None))
        layout = {name: asdict(getattr(result, name))
                  for name in ("number", "date", "signature", "seal", "qr")}
        return {"pdf": result.pdf, "layout": layout}

    def add_note(self, caller: Caller, doc_id: str, text: str) -> dict[str, Any]:
        self.load(caller, doc_id)
        self._note(doc_id, caller, text, "comment")
        return self.view(caller, doc_id)

    def _note(self, doc_id: str, caller: Caller, text: str, kind: str,
              uow: UnitOfWork | None = None) -> None:
        self.store.add_note(uow, doc_id, {
            "note_kind": kind, "text": text, "by": caller.username,
            "by_name": caller.full_name or caller.username, "at": iso(self.clock())})

    # ------------------------------------------------------------ review

    def submit(self, caller: Caller, doc_id: str, comment: str = "") -> dict[str, Any]:
        doc = self.load(caller, doc_id)
        ensure_status(doc["status"], (OutStatus.DRAFT,), "trình duyệt", "submit")
        if caller.username != doc["created_by"]:
            raise Forbidden("Chỉ người soạn mới trình được dự thảo.", "Only the drafter submits.")
        if not doc.get("current_key"):
            raise InvalidInput("Dự thảo chưa có tệp PDF.", "The draft has no PDF yet.",
                               "no_pdf", [FieldProblem("file", "Cần tải lên hoặc soạn PDF.",
                                                       "Upload or compose a PDF.")])
        now = iso(self.clock())
        review = [{"step": s.value, "label": STEP_LABELS[s], "decision": None, "by": None,
                   "at": None, "comment": ""} for s in self._chain_of(doc)]
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
        after = self._with_step_access(after)
        uow = self.store.unit_of_work()
        self.store.save(uow, doc, after)
        if comment:
            self._note(doc_id, caller, comment, "submit", uow)
        self._audit(uow, doc_id, caller, "outgoing.submit",
                    summary="Trình duyệt" + (f": {comment}" if comment else ""))
        # The reviewer is told by the pending action's work.opened (notifications).
        self.actions.submitted(uow, after, by=caller.username)
        uow.commit()
        return self.view(caller, doc_id)

    def _with_step_access(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The office sees a document once it reaches the office's check."""
        step = current_step(doc)
        if step == Step.OFFICE and doc.get("office_unit"):
            if doc.get("do_mat"):
                heads = [u["username"] for u in self.neighbours.users(doc["office_unit"])
                         if "unit_head" in u["roles"] and u["status"] == "active"]
                return {**doc, "people": sorted(set(doc["people"]) | set(heads))}
            return {**doc, "units": sorted(set(doc["units"]) | {doc["office_unit"]})}
        return doc

    def _clerks(self) -> list[str]:
        return [u["username"] for u in self.neighbours.users()
                if "clerk" in u["roles"] and u["status"] == "active"]

    def decide(self, caller: Caller, doc_id: str, *, approve: bool, comment: str
               ) -> dict[str, Any]:
        doc = self.load(caller, doc_id)
        ensure_status(doc["status"], (OutStatus.IN_REVIEW,), "duyệt", "review")
        if not self._may_act(caller, doc):
            raise Forbidden("Bước duyệt hiện tại không phải của bạn.",
                            "The current review step is not yours.")
        if not approve and not comment.strip():
            raise InvalidInput("Trả lại cần có lý do.", "A return needs a reason.",
                               "reason_required",
                               [FieldProblem("comment", "Nhập lý do trả lại.", "Give a reason.")])
        now = iso(self.clock())
        review = [dict(s) for s in doc["review"]]
        index = int(doc["review_index"])
        review[index].update(decision="approved" if approve else "returned",
                             by=caller.username, at=now, comment=comment)
        people = sorted(set(doc["people"]) | {caller.username})
        if approve and index + 1 < len(review):
            after = {**doc, "review": review, "review_index": index + 1, "people": people}
            after = self._with_step_access(after)
        elif approve:
            if doc.get("do_mat"):
                # A secret document is seen only by those named on it: the clerks who
                # will number and issue it are named once it is approved.
                people = sorted(set(people) | set(self._clerks()))
            after = {**doc, "review": review, "status": OutStatus.APPROVED.value,
                     "approved_at": now, "approved_by": caller.username, "people": people}
        else:
            after = {**doc, "review": review, "status": OutStatus.DRAFT.value, "people": people,
                     "returned": {"by": caller.username, "at": now, "comment": comment,
                                  "step": review[index]["step"]}}
        uow = self.store.unit_of_work()
        self.store.save(uow, doc, after)
        if comment:
            self._note(doc_id, caller, comment, "approve" if approve else "return", uow)
        self._audit(uow, doc_id, caller, "outgoing.approve" if approve else "outgoing.return",
                    summary=f"{'Đồng ý' if approve else 'Trả lại'} ({review[index]['label']})"
                    + (f": {comment}" if comment else ""))
        self.actions.reviewed(uow, doc, after, by=caller.username)
        uow.commit()
        return self.view(caller, doc_id)

    # ------------------------------------------------------------ signing

    def request_signing(self, caller: Caller, doc_id: str) -> dict[str, Any]:
        """The leader confirms; the workflow step signs (the browser does not wait)."""
        doc = self.load(caller, doc_id)
        delegation = self._acts_for_signer(caller, doc)
        ensure_status(doc["status"], (OutStatus.APPROVED,), "ký số", "sign")
        require_fresh_auth(caller, self.clock())
        authority = doc["authority"]
        if delegation is not None:
            authority = f"{delegation['kind']}."
        after = {**doc, "status": OutStatus.SIGNING.value, "signed_by": caller.username,
                 "signed_by_name": caller.full_name or caller.username,
                 "signing_authority": authority, "signing_requested_at": iso(self.clock()),
                 "failure": None, "people": sorted(set(doc["people"]) | {caller.username})}
        uow = self.store.unit_of_work()
        self.store.save(uow, doc, after)
        self._audit(uow, doc_id, caller, "outgoing.sign_request",
                    summary="Xác nhận ký số" + (f" ({authority} theo uỷ quyền của "
                                               f"{doc['signer']})" if delegation else ""))
        uow.emit(DomainEvent("outgoing.sign_requested", chain_of(doc_id),
                             {"id": doc_id, "request": uuid.uuid4().hex}))
        uow.commit()
        return self.view(caller, doc_id)

    def retry(self, caller: Caller, doc_id: str) -> dict[str, Any]:
        """After a failed step, or one stuck in flight (``rules.stuck``: its
        process died), the clerk (or the signer) starts it again."""
        doc = self.load(caller, doc_id)
        if not stuck(doc, self.clock()):
            ensure_status(doc["status"], (OutStatus.SIGNING_FAILED, OutStatus.ISSUE_FAILED),
                          "thử lại", "retry")
        if Role.CLERK not in caller.roles and caller.username not in (doc["signer"],
                                                                      doc.get("signed_by")):
            raise Forbidden()
        signing = doc["status"] in (OutStatus.SIGNING_FAILED.value, OutStatus.SIGNING.value)
        after = {**doc, "status": (OutStatus.SIGNING if signing else OutStatus.ISSUING).value,
                 "failure": None}
        uow = self.store.unit_of_work()
        self.store.save(uow, doc, after)
        self._audit(uow, doc_id, caller, "outgoing.retry",
                    summary="Thử lại " + ("ký số" if signing else "phát hành"))
        uow.emit(DomainEvent("outgoing.sign_requested" if signing
                             else "outgoing.issue_requested",
                             chain_of(doc_id), {"id": doc_id, "request": uuid.uuid4().hex}))
        uow.commit()
        return self.view(caller, doc_id)

    def mark(self, doc_id: str, status: OutStatus, *, expect: OutStatus, action: str,
             summary: str, events: list[DomainEvent] | None = None, **fields: Any
             ) -> dict[str, Any] | None:
        """A step records its outcome; None when the document is no longer in ``expect``."""
        doc = self.store.get(doc_id)
        if doc is None or doc["status"] != expect.value:
            return None
        uow = self.store.unit_of_work()
        after = self.store.save(uow, doc, {**doc, **fields, "status": status.value})
        self._audit(uow, doc_id, None, action, summary=summary)
        # The outcome of a step ends the action it carried out; a failure ends none.
        if status == OutStatus.SIGNED:
            self.actions.signed(uow, after)
        elif status == OutStatus.ISSUED:
            self.actions.issued(uow, after)
        elif status == OutStatus.REPLACED:
            self.actions.cancelled(uow, doc_id, by="")
        for event in events or []:
            uow.emit(event)
        uow.commit()
        return after

    # ------------------------------------------------------------ issuance

    def issue(self, caller: Caller, doc_id: str) -> dict[str, Any]:
        """The clerk takes the next number of the year in the document's series and the
        date; the step stamps them, adds the seal signature and enters the register.
        The number and the state change are one transaction: no gap, no duplicate,
        and a failing step keeps the number for its retry."""
        if Role.CLERK not in caller.roles:
            raise Forbidden("Chỉ văn thư mới cấp số và phát hành.",
                            "Only the clerk numbers and issues documents.")
        agency = self.neighbours.agency()
        for attempt in range(NUMBER_ATTEMPTS):
            doc = self.load(caller, doc_id)
            ensure_status(doc["status"], (OutStatus.SIGNED,), "phát hành", "issue")
            today = self._today()
            series = numbering.series_of(doc["type_code"], bool(doc.get("do_mat")))
            current = self.store.counter(today.year, series)
            number = (current or 0) + 1
            text = numbering.format_number(
                number, type_code=doc["type_code"], agency_code=agency["code"],
                unit_code=self.unit_abbreviation(doc["drafting_unit"]))
            after = {**doc, "status": OutStatus.ISSUING.value, "number": number,
                     "number_text": text, "series": series, "year": today.year,
                     "issued_on": today.isoformat(), "issued_by": caller.username,
                     "date_line": numbering.date_line(agency["place"], today)}
            uow = self.store.unit_of_work()
            self.store.save_numbered(uow, doc, after, counter=current)
            self._audit(uow, doc_id, caller, "outgoing.number",
                        summary=f"Cấp số {text}, ngày {today:%d/%m/%Y}")
            uow.emit(DomainEvent("outgoing.issue_requested", chain_of(doc_id),
                                 {"id": doc_id, "request": uuid.uuid4().hex}))
            try:
                uow.commit()
            except Conflict:
                # Another issuance took the number (or this document changed): read again.
                time.sleep(random.uniform(0, 0.02 * min(attempt + 1, 10)))
                continue
            return self.view(caller, doc_id)
        raise Conflict("Sổ văn bản đi đang bận, vui lòng thử lại.",
                       "The outgoing register is busy; retry.", "register_busy")

    def recall(self, caller: Caller, doc_id: str, reason: str) -> dict[str, Any]:
        """Decree 30 Art. 18: the sender freezes the document and tells its recipients."""
        doc = self.load(caller, doc_id)
        if not caller.roles & {Role.CLERK, Role.LEADER}:
            raise Forbidden()
        ensure_status(doc["status"], (OutStatus.ISSUED,), "thu hồi", "recall")
        after = {**doc, "status": OutStatus.RECALLED.value, "recalled_at": iso(self.clock()),
                 "recalled_by": caller.username, "recall_reason": reason}
        uow = self.store.unit_of_work()
        self.store.save(uow, doc, after)
        self._audit(uow, doc_id, caller, "outgoing.recall", summary=f"Thu hồi: {reason}")
        self.actions.cancelled(uow, doc_id, by=caller.username)
        uow.emit(DomainEvent("outgoing.recalled", chain_of(doc_id),
                             {"id": doc_id, "reason": reason}))
        uow.commit()
        return self.view(caller, doc_id)

    def start_replacement(self, caller: Caller, doc_id: str, reason: str) -> dict[str, Any]:
        """A content error is fixed by a replacing document: a new draft that, once
        issued, marks this one replaced."""
        doc = self.load(caller, doc_id)
        ensure_status(doc["status"], (OutStatus.ISSUED, OutStatus.RECALLED), "thay thế",
                      "replace")
        draft = self.create(caller, type_code=doc["type_code"], subject=doc["subject"],
                            signer=doc["signer"], authority=doc["authority"],
                            recipients_internal=doc["recipients_internal"],
                            recipients_external=doc["recipients_external"],
                            do_khan=doc["do_khan"], do_mat=doc.get("do_mat") or "",
                            answers=None, body=doc.get("body") or "",
                            extra_recipients=doc.get("extra_recipients"), replaces=doc_id)
        self._note(draft["id"], caller, f"Thay thế văn bản {doc.get('number_text')}: {reason}",
                   "replace")
        self._record(doc_id, caller, "outgoing.replacement",
                     summary=f"Bắt đầu văn bản thay thế: {reason}")
        return draft

    # ------------------------------------------------------------ reading

    def _actions(self, caller: Caller, doc: dict[str, Any]) -> list[str]:
        status = doc["status"]
        out = []
        if status == OutStatus.DRAFT.value and caller.username == doc["created_by"]:
            out += ["upload", "compose", "submit"]
        if status == OutStatus.IN_REVIEW.value and self._may_act(caller, doc):
            out += ["approve", "return", "upload"]
        if status == OutStatus.APPROVED.value and (
                caller.username == doc["signer"] or self._delegation(caller.username,
                                                                     doc["signer"])):
            out.append("sign")
        if (status in (OutStatus.SIGNING_FAILED.value, OutStatus.ISSUE_FAILED.value)
                or stuck(doc, self.clock())) and (
                Role.CLERK in caller.roles or caller.username == doc["signer"]):
            out.append("retry")
        if status == OutStatus.SIGNED.value and Role.CLERK in caller.roles:
            out.append("issue")
        if status == OutStatus.ISSUED.value and caller.roles & {Role.CLERK, Role.LEADER}:
            out += ["recall", "replace"]
        return out

    def view(self, caller: Caller, doc_id: str) -> dict[str, Any]:
        doc = self.load(caller, doc_id)
        stored_versions, stored_notes = self.store.versions_and_notes(doc_id)
        versions = [{k: v.get(k) for k in ("number", "content_type", "size", "sha256", "pages",
                                           "comment", "by", "at", "composed")}
                    for v in stored_versions]
        notes = [{k: n.get(k) for k in ("note_kind", "text", "by", "by_name", "at")}
                 for n in stored_notes]
        out = {**public_view(doc), "versions": json_ready(versions), "notes": notes,
               "actions": self._actions(caller, doc)}
        if stuck(doc, self.clock()):
            # Said in the page beside the retry button: why it is offered.
            out["stuck"] = True
            out["stuck_message"] = ("Bước " + ("ký số" if doc["status"] == OutStatus.SIGNING.value
                                               else "phát hành")
                                    + " bị gián đoạn (quá 5 phút chưa xong); hãy thử lại.")
        return out

    def list_visible(self, caller: Caller, *, cursor: str | None = None, limit: int = 20,
                     status: str | None = None, q: str | None = None) -> dict[str, Any]:
        """``q``: words of the subject, number, type or signer, diacritics ignored."""
        words = filter_words(q)

        def accept(i: dict[str, Any]) -> bool:
            return (not status or i.get("status") == status) and matches(
                words, i.get("subject"), i.get("number_text"), i.get("type_name"),
                i.get("signer"))

        page = self.store.page(scopes_for(caller, Kind.OUTGOING), cursor, limit,
                               accept if status or words else None)
        items = [{k: i.get(k) for k in SUMMARY} | {
            "status_label": STATUS_LABELS[OutStatus(i["status"])]} for i in page.items]
        return {"items": items, "cursor": page.cursor}

    def download_url(self, caller: Caller, doc_id: str, *, which: str, s3: Any, bucket: str
                     ) -> dict[str, Any]:
        doc = self.load(caller, doc_id)
        if which.startswith("v") and which[1:].isdigit():
            version = self.store.version(doc_id, int(which[1:]))
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
            "Bucket": bucket, "Key": key,
            "ResponseContentDisposition": f'inline; filename="{name}"',
            "ResponseContentType": kind}, ExpiresIn=300)
        # A reading: beside the chain, so concurrent downloads never conflict.
        self.trail.note(chain_of(doc_id), caller, "outgoing.download",
                        summary=f"Tải tệp ({which})")
        return {"url": url, "expires_in": 300}


def outgoing_for(table: Table) -> Outgoing:
    """The use cases over the real table, trail and neighbours."""
    from chalicelib.audit.trail import Trail

    return Outgoing(store=OutgoingStore(table), trail=Trail(table),
                    neighbours=TableNeighbours(table), pending=Pending.over(table))


# ---------------------------------------------------------------- the module's use cases
# The signatures routes, workflow steps, other capabilities, the seed and the
# benches call; each runs the use case over the table it is given.

def load(caller: Caller, doc_id: str, table: Table, *, consistent: bool = True
         ) -> dict[str, Any]:
    return outgoing_for(table).load(caller, doc_id, consistent=consistent)


def set_review_chains(caller: Caller, chains: dict[str, list[str]],
                      table: Table) -> dict[str, list[str]]:
    return outgoing_for(table).set_review_chains(caller, chains)


def create(caller: Caller, *, type_code: str, subject: str, signer: str, authority: str,
           recipients_internal: list[str], recipients_external: list[dict[str, str]],
           do_khan: str, do_mat: str, answers: str | None, body: str = "",
           extra_recipients: list[str] | None = None, replaces: str | None = None,
           table: Table) -> dict[str, Any]:
    return outgoing_for(table).create(
        caller, type_code=type_code, subject=subject, signer=signer, authority=authority,
        recipients_internal=recipients_internal, recipients_external=recipients_external,
        do_khan=do_khan, do_mat=do_mat, answers=answers, body=body,
        extra_recipients=extra_recipients, replaces=replaces)


def add_version(caller: Caller, doc_id: str, data: bytes, *, content_type: str, comment: str,
                s3: Any, bucket: str, composed: dict[str, Any] | None = None,
                table: Table) -> dict[str, Any]:
    return outgoing_for(table).add_version(caller, doc_id, data, content_type=content_type,
                                           comment=comment, s3=s3, bucket=bucket,
                                           composed=composed)


def compose_version(caller: Caller, doc_id: str, *, body: str, recipients: list[str],
                    s3: Any, bucket: str, table: Table) -> dict[str, Any]:
    return outgoing_for(table).compose_version(caller, doc_id, body=body,
                                               recipients=recipients, s3=s3, bucket=bucket)


def composed_draft(doc: dict[str, Any], *, body: str, recipients: list[str], table: Table,
                   signer: str | None = None, authority: str | None = None) -> dict[str, Any]:
    return outgoing_for(table).composed_draft(doc, body=body, recipients=recipients,
                                              signer=signer, authority=authority)


def submit(caller: Caller, doc_id: str, comment: str = "", *, table: Table
           ) -> dict[str, Any]:
    return outgoing_for(table).submit(caller, doc_id, comment)


def decide(caller: Caller, doc_id: str, *, approve: bool, comment: str,
           table: Table) -> dict[str, Any]:
    return outgoing_for(table).decide(caller, doc_id, approve=approve, comment=comment)


def request_signing(caller: Caller, doc_id: str, table: Table) -> dict[str, Any]:
    return outgoing_for(table).request_signing(caller, doc_id)


def retry(caller: Caller, doc_id: str, table: Table) -> dict[str, Any]:
    return outgoing_for(table).retry(caller, doc_id)


def mark(doc_id: str, status: OutStatus, *, expect: OutStatus, action: str, summary: str,
         table: Table, events: list[DomainEvent] | None = None,
         **fields: Any) -> dict[str, Any] | None:
    return outgoing_for(table).mark(doc_id, status, expect=expect, action=action,
                                    summary=summary, events=events, **fields)


def issue(caller: Caller, doc_id: str, table: Table) -> dict[str, Any]:
    return outgoing_for(table).issue(caller, doc_id)


def recall(caller: Caller, doc_id: str, reason: str, table: Table
           ) -> dict[str, Any]:
    return outgoing_for(table).recall(caller, doc_id, reason)


def start_replacement(caller: Caller, doc_id: str, reason: str, table: Table
                      ) -> dict[str, Any]:
    return outgoing_for(table).start_replacement(caller, doc_id, reason)


def view(caller: Caller, doc_id: str, table: Table) -> dict[str, Any]:
    return outgoing_for(table).view(caller, doc_id)


def list_visible(caller: Caller, *, cursor: str | None = None, limit: int = 20,
                 status: str | None = None, q: str | None = None,
                 table: Table) -> dict[str, Any]:
    return outgoing_for(table).list_visible(caller, cursor=cursor, limit=limit, status=status,
                                            q=q)


def register_entries(year: int, table: Table, *, unit: str | None = None
                     ) -> list[dict[str, Any]]:
    """The year's register; with ``unit``, the documents that unit drafted."""
    entries = OutgoingStore(table).register(year)
    return [e for e in entries if unit is None or e.get("drafting_unit") == unit]


def document(doc_id: str, table: Table) -> dict[str, Any] | None:
    """The document as stored, for the workflow steps of other capabilities
    (no access check: a step acts for the system)."""
    return OutgoingStore(table).get(doc_id)


def set_origin(doc_id: str, origin: dict[str, str], *, new_version: bool = False,
               table: Table) -> None:
    """Note on a draft what it was drafted for (``complaint_id``, ``meeting_id``,
    ``dossier_id``),
    so that its issue reaches back there."""
    OutgoingStore(table).link(doc_id, bump=new_version, **origin)


def _is_storage_line(line: str) -> bool:
    """A "Lưu: ..." line the drafter typed (with or without its dash)."""
    return line.strip().lstrip("-– ").casefold().startswith("lưu")

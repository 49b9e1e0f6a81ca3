"""Inter-agency exchange, the department's side: the agency directory, the
agencies an outgoing document goes to over the platform, the state of each
packet we send and the statuses the recipients answer with.

Sending is a workflow step (``steps.py``): the clerk's choice and the issuance
write the recipient records and an ``exchange.send_requested`` event in one
transaction; the step builds, signs (KMS) and hands the packet to the
transport, with retries, and records ``sent`` or ``failed``. A failed packet
asks the clerks to resend it (a pending action in their inbox) until one does.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.audit.trail import Trail
from chalicelib.exchange.rules import (
    ORGAN_ID,
    STATUS_LABELS,
    Channel,
    SendState,
    Status,
    clean_text,
)
from chalicelib.exchange.store import ExchangeStore
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.work import items
from chalicelib.work.pending import Pending
from chalicelib.work.rules import Action

PARENT = "EXOUT"  # a failed packet's pending action waits under its recipient record
ISSUED = ("issued",)
CSV_LIMIT = 2000
MANAGERS = frozenset({Role.ADMIN, Role.CLERK})
RECALL_CONFIRMED = "Đã thu hồi (cơ quan nhận xác nhận)"


def _chain(doc_id: str) -> str:
    from chalicelib.outgoing.service import chain_of

    return chain_of(doc_id)


@dataclass
class Exchange:
    store: ExchangeStore
    trail: Trail
    pending: Pending

    # ------------------------------------------------------------ the directory

    def agencies(self, channel: str | None = None) -> list[dict[str, Any]]:
        found = [self._public_agency(a) for a in self.store.agencies()]
        return [a for a in found if not channel or a["channel"] == channel]

    @staticmethod
    def _public_agency(item: dict[str, Any]) -> dict[str, Any]:
        return {k: item.get(k) for k in ("organ_id", "name", "channel", "email", "version")} | {
            "has_certificate": bool(item.get("certificate"))}

    def _check_agency(self, row: dict[str, str], where: str) -> tuple[dict[str, Any],
                                                                     list[FieldProblem]]:
        problems: list[FieldProblem] = []
        organ_id = clean_text(row.get("organ_id", ""), 30).upper()
        name = clean_text(row.get("name", ""), 300)
        channel = clean_text(row.get("channel", ""), 20).lower() or Channel.PLATFORM.value
        email = clean_text(row.get("email", ""), 254)
        if not ORGAN_ID.match(organ_id):
            problems.append(FieldProblem(f"{where}organ_id", "Mã định danh không hợp lệ "
                                         "(dạng 000.00.12.H26).",
                                         "Not an OrganId like 000.00.12.H26."))
        if not name:
            problems.append(FieldProblem(f"{where}name", "Thiếu tên cơ quan.", "Name missing."))
        if channel not in {c.value for c in Channel}:
            problems.append(FieldProblem(f"{where}channel", "Chỉ nhận platform hoặc email.",
                                         "Must be platform or email."))
        if channel == Channel.EMAIL and "@" not in email:
            problems.append(FieldProblem(f"{where}email", "Cơ quan nhận qua thư điện tử cần "
                                         "địa chỉ thư.", "An e-mail agency needs an address."))
        return {"organ_id": organ_id, "name": name, "channel": channel, "email": email}, problems

    def _need_manager(self, caller: Caller) -> None:
        if not caller.has_any(MANAGERS):
            raise Forbidden()

    def save_agency(self, caller: Caller, row: dict[str, str], *,
                    certificate: bytes | None = None) -> dict[str, Any]:
        self._need_manager(caller)
        agency, problems = self._check_agency(row, "")
        InvalidInput.unless_none(problems, "Thông tin cơ quan chưa hợp lệ.", "Invalid agency.",
                                 "validation_error")
        return self._write_agencies(caller, [(agency, certificate)])[0]

    def import_csv(self, caller: Caller, text: str) -> dict[str, Any]:
        """Columns organ_id, name, channel, email (a header row). Every row is
        checked before any is written; cells are neutralised text."""
        self._need_manager(caller)
        reader = csv.DictReader(io.StringIO(unicodedata.normalize("NFC", text.lstrip("\ufeff"))))
        fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
        if not {"organ_id", "name"} <= fields:
            raise InvalidInput("Tệp CSV cần các cột organ_id, name (và channel, email).",
                               "The CSV needs columns organ_id, name (and channel, email).",
                               "validation_error", [FieldProblem("csv", "Thiếu cột.",
                                                                 "Columns missing.")])
        rows: list[tuple[dict[str, Any], bytes | None]] = []
        problems: list[FieldProblem] = []
        seen: set[str] = set()
        for i, raw in enumerate(reader, start=2):
            if i - 1 > CSV_LIMIT:
                problems.append(FieldProblem("csv", f"Tối đa {CSV_LIMIT} dòng.",
                                             f"At most {CSV_LIMIT} rows."))
                break
            row = {(k or "").strip().lower(): v or "" for k, v in raw.items()
                   if isinstance(v, str)}
            agency, found = self._check_agency(row, f"csv.{i}.")
            if agency["organ_id"] in seen:
                found.append(FieldProblem(f"csv.{i}.organ_id", "Trùng mã trong tệp.",
                                          "Duplicate OrganId in the file."))
            seen.add(agency["organ_id"])
            problems.extend(found)
            rows.append((agency, None))
        if problems:
            raise InvalidInput("Tệp CSV có dòng chưa hợp lệ.", "The CSV has invalid rows.",
                               "validation_error", problems[:50])
        written = self._write_agencies(caller, rows)
        return {"imported": len(written)}

    def _write_agencies(self, caller: Caller | None,
                        rows: list[tuple[dict[str, Any], bytes | None]]) -> list[dict[str, Any]]:
        out = []
        for agency, certificate in rows:
            before = self.store.agency(agency["organ_id"])
            after = {**(before or {}), **agency,
                     "version": int((before or {}).get("version") or 0) + 1,
                     "updated_at": iso(utcnow())}
            if certificate is not None:
                import base64

                after["certificate"] = base64.b64encode(certificate).decode("ascii")
            uow = self.store.unit_of_work()
            self.store.save_agency(uow, before, after)
            uow.commit()
            out.append(self._public_agency(after))
        return out

    def seed_agency(self, row: dict[str, str], *, certificate: bytes | None = None) -> None:
        """An agency the seed or the local peer puts in the directory (no caller)."""
        agency, problems = self._check_agency(row, "")
        if problems:
            raise ValueError(problems)
        self._write_agencies(None, [(agency, certificate)])

    def certificate_of(self, organ_id: str) -> bytes | None:
        import base64

        agency = self.store.agency(organ_id) or {}
        return base64.b64decode(agency["certificate"]) if agency.get("certificate") else None

    # ------------------------------------------------------------ sending

    def _document(self, caller: Caller, doc_id: str) -> dict[str, Any]:
        from chalicelib.outgoing import service as outgoing

        return outgoing.load(caller, doc_id, self.store.table)

    def choose(self, caller: Caller, doc_id: str, organ_ids: list[str]) -> dict[str, Any]:
        """The clerk (or the drafter before issuance) names the agencies on the
        platform that receive the document; once issued, new ones are sent at once."""
        doc = self._document(caller, doc_id)
        if not (caller.has_any(frozenset({Role.CLERK}))
                or caller.username == doc.get("created_by")):
            raise Forbidden()
        if doc.get("do_mat"):
            raise InvalidInput("Văn bản mật không gửi qua trục liên thông.",
                               "Secret documents do not travel over the platform.",
                               "secret_document")
        if doc["status"] in ("recalled", "replaced", "cancelled"):
            raise InvalidInput("Văn bản đã thu hồi hoặc thay thế.",
                               "The document was recalled or replaced.", "not_sendable")
        problems, chosen = [], []
        existing = {r["organ_id"] for r in self.store.recipients(doc_id)}
        for i, organ_id in enumerate(organ_ids):
            agency = self.store.agency(organ_id)
            if agency is None:
                problems.append(FieldProblem(f"organ_ids.{i}", "Không có trong danh bạ.",
                                             "Not in the directory."))
            elif agency["channel"] != Channel.PLATFORM:
                problems.append(FieldProblem(f"organ_ids.{i}", "Cơ quan này nhận qua thư điện "
                                             "tử: thêm vào nơi nhận ngoài bằng thư.",
                                             "This agency receives by e-mail."))
            elif organ_id not in existing and organ_id not in {a["organ_id"] for a in chosen}:
                chosen.append(agency)
        InvalidInput.unless_none(problems, "Có cơ quan nhận chưa hợp lệ.", "Invalid recipients.",
                                 "validation_error")
        issued = doc["status"] in ISSUED
        uow = self.store.unit_of_work()
        for agency in chosen:
            self.store.add_recipient(uow, self._recipient(doc_id, agency, issued))
        if chosen:
            self.trail.append(uow, self.trail.head(_chain(doc_id)), caller, "exchange.choose",
                              summary="Gửi liên thông: " + ", ".join(a["name"] for a in chosen))
            if issued:
                uow.emit(self._send_event(doc_id, [a["organ_id"] for a in chosen]))
        uow.commit()
        return self.view(caller, doc_id)

    @staticmethod
    def _recipient(doc_id: str, agency: dict[str, Any], queued: bool) -> dict[str, Any]:
        return {"doc_id": doc_id, "organ_id": agency["organ_id"], "name": agency["name"],
                "state": SendState.QUEUED.value if queued else "chosen", "status": None,
                "status_at": None, "history": [], "attempts": 0, "failure": None,
                "version": 1, "created_at": iso(utcnow())}

    @staticmethod
    def _send_event(doc_id: str, organs: list[str], business: str = "0",
                    reason: str = "", update_id: str = "") -> DomainEvent:
        return DomainEvent("exchange.send_requested", _chain(doc_id),
                           {"id": doc_id, "organs": organs, "business": business,
                            "reason": reason, "update_id": update_id})

    def issued(self, doc_id: str) -> None:
        """The document was issued: its chosen agencies are queued for sending. A
        replacement also goes to every agency the replaced document reached (as
        business type 3, which withdraws the old one there), chosen or not."""
        recipients = self.store.recipients(doc_id)
        chosen = [r for r in recipients if r["state"] == "chosen"]
        inherited = self._replaced_recipients(doc_id, {r["organ_id"] for r in recipients})
        if not chosen and not inherited:
            return
        uow = self.store.unit_of_work()
        for r in chosen:
            self.store.save_recipient(uow, r, {**r, "state": SendState.QUEUED.value,
                                               "version": int(r["version"]) + 1})
        for r in inherited:
            self.store.add_recipient(uow, r)
        if inherited:
            self.trail.append(uow, self.trail.head(_chain(doc_id)), None, "exchange.choose",
                              summary="Gửi văn bản thay thế tới: "
                              + ", ".join(r["name"] for r in inherited))
        # False when a redelivered event queued them already: nothing more to do.
        uow.commit_unless_done(events=[
            self._send_event(doc_id, [r["organ_id"] for r in [*chosen, *inherited]])])

    def _outgoing(self, doc_id: str) -> dict[str, Any] | None:
        from chalicelib.outgoing.store import OutgoingStore

        return OutgoingStore(self.store.table).get(doc_id)

    def _replaced_recipients(self, doc_id: str, have: set[str]) -> list[dict[str, Any]]:
        doc = self._outgoing(doc_id) or {}
        if not doc.get("replaces") or doc.get("do_mat"):
            return []
        out = []
        for old in self.store.recipients(doc["replaces"]):
            if old["state"] == SendState.SENT and old["organ_id"] not in have:
                agency = self.store.agency(old["organ_id"]) or old
                out.append(self._recipient(doc_id, agency, True))
        return out

    def recalled(self, doc_id: str, reason: str) -> None:
        """Decree 30 Art. 18: the agencies that got the document get a recall packet,
        unless a replacement withdraws it there (its type 3 packet names this one)."""
        doc = self._outgoing(doc_id) or {}
        if doc.get("status") == "replaced" and doc.get("replaced_by"):
            replacement = self._outgoing(doc["replaced_by"]) or {}
            if not replacement.get("do_mat"):
                return
        sent = [r["organ_id"] for r in self.store.recipients(doc_id)
                if r["state"] == SendState.SENT]
        if sent:
            uow = self.store.unit_of_work()
            uow.emit(self._send_event(doc_id, sent, business="1", reason=reason))
            uow.commit()

    def update(self, caller: Caller, doc_id: str, reason: str) -> dict[str, Any]:
        """Business type 2: the agencies that got the issued document receive it
        again as an update, with the metadata it holds now and the reason."""
        if not caller.has_any(frozenset({Role.CLERK})):
            raise Forbidden()
        doc = self._document(caller, doc_id)
        reason = clean_text(reason, 500)
        if not reason:
            raise InvalidInput("Cần nêu nội dung cập nhật.", "A reason is required.",
                               "validation_error", [FieldProblem("reason", "Bắt buộc.",
                                                                 "Required.")])
        if doc["status"] not in ISSUED:
            raise InvalidInput("Chỉ gửi cập nhật cho văn bản đang có hiệu lực.",
                               "Only an issued document can be updated.", "not_issued")
        sent = [r for r in self.store.recipients(doc_id) if r["state"] == SendState.SENT]
        if not sent:
            raise InvalidInput("Văn bản chưa được gửi tới cơ quan nào qua trục liên thông.",
                               "The document reached no agency over the platform.",
                               "nothing_sent")
        import uuid

        uow = self.store.unit_of_work()
        self.trail.append(uow, self.trail.head(_chain(doc_id)), caller, "exchange.update",
                          summary=f"Gửi cập nhật tới {', '.join(r['name'] for r in sent)}: "
                          f"{reason}"[:300])
        uow.emit(self._send_event(doc_id, [r["organ_id"] for r in sent], business="2",
                                  reason=reason, update_id=uuid.uuid4().hex))
        uow.commit()
        return self.view(caller, doc_id)

    def record_sent(self, doc_id: str, organ_id: str, *, document_id: str,
                    business: str, update_id: str = "") -> None:
        r = self.store.recipient(doc_id, organ_id)
        if r is None:
            return
        uow = self.store.unit_of_work()
        after = {**r, "state": SendState.SENT.value, "failure": None,
                 "attempts": int(r.get("attempts") or 0) + 1, "sent_at": iso(utcnow()),
                 "document_id": document_id, "version": int(r["version"]) + 1}
        if business == "1":
            after["recall_sent_at"] = after["sent_at"]
        if business == "2":
            after["update_sent"], after["update_sent_at"] = update_id, after["sent_at"]
        self.store.save_recipient(uow, r, after)
        self.store.name_sent_document(uow, document_id, doc_id)
        if r["state"] == SendState.FAILED:
            self.pending.close(uow, PARENT, f"{doc_id}.{organ_id}", Action.ISSUE, by="system")
        self.trail.append(uow, self.trail.head(_chain(doc_id)), None, "exchange.sent",
                          summary=f"Đã gửi liên thông tới {r['name']}")
        uow.commit()

    def record_failed(self, doc_id: str, organ_id: str, *, message: str, message_en: str,
                      subject: str) -> None:
        r = self.store.recipient(doc_id, organ_id)
        if r is None or r["state"] == SendState.FAILED:
            return
        uow = self.store.unit_of_work()
        self.store.save_recipient(uow, r, {
            **r, "state": SendState.FAILED.value, "attempts": int(r.get("attempts") or 0) + 1,
            "failure": {"message": message, "message_en": message_en, "at": iso(utcnow())},
            "version": int(r["version"]) + 1})
        self.pending.open(uow, PARENT, f"{doc_id}.{organ_id}", Action.ISSUE,
                          items.role("clerk"), subject=f"Gửi lại liên thông tới {r['name']}: "
                          f"{subject}", link=f"/app/outgoing-doc?id={doc_id}", by="system",
                          note=message)
        self.trail.append(uow, self.trail.head(_chain(doc_id)), None, "exchange.failed",
                          summary=f"Gửi liên thông tới {r['name']} không thành công: {message}")
        uow.commit()

    def retry(self, caller: Caller, doc_id: str, organ_id: str) -> dict[str, Any]:
        if not caller.has_any(frozenset({Role.CLERK})):
            raise Forbidden()
        self._document(caller, doc_id)
        r = self.store.recipient(doc_id, organ_id)
        if r is None:
            raise NotFound()
        if r["state"] != SendState.FAILED:
            raise InvalidInput("Chỉ gửi lại được gói tin bị lỗi.",
                               "Only a failed packet can be resent.", "not_retryable")
        uow = self.store.unit_of_work()
        self.store.save_recipient(uow, r, {**r, "state": SendState.QUEUED.value,
                                           "version": int(r["version"]) + 1})
        self.pending.close(uow, PARENT, f"{doc_id}.{organ_id}", Action.ISSUE, by=caller.username)
        self.trail.append(uow, self.trail.head(_chain(doc_id)), caller, "exchange.retry",
                          summary=f"Gửi lại liên thông tới {r['name']}")
        uow.emit(self._send_event(doc_id, [organ_id]))
        uow.commit()
        return self.view(caller, doc_id)

    # ------------------------------------------------------------ statuses

    def record_status(self, document_id: str, sender: str, status: Status, *, at: str,
                      description: str) -> bool:
        """A recipient's status packet; False when it names nothing we sent it."""
        named = self.store.sent_document(document_id)
        r = self.store.recipient(named["doc_id"], sender) if named else None
        if r is None:
            return False
        entry = {"status": status.value, "at": at, "description": description}
        history = [*(r.get("history") or []), entry]
        history.sort(key=lambda e: (e["at"], e["status"]))
        latest = history[-1]
        uow = self.store.unit_of_work()
        self.store.save_recipient(uow, r, {**r, "history": history, "status": latest["status"],
                                           "status_at": latest["at"],
                                           "version": int(r["version"]) + 1})
        self.trail.append(uow, self.trail.head(_chain(r["doc_id"])), None, "exchange.status",
                          summary=f"{r['name']}: {STATUS_LABELS[status]}"
                          + (f" ({description})" if description else ""))
        uow.commit()
        return True

    def view(self, caller: Caller, doc_id: str) -> dict[str, Any]:
        self._document(caller, doc_id)
        out = []
        for r in sorted(self.store.recipients(doc_id), key=lambda r: r["name"]):
            label = STATUS_LABELS.get(r.get("status") or "", "")
            if r.get("recall_sent_at") and r.get("status") == Status.REFUSED:
                # edXML has no "recalled" status: a 02 after our recall confirms it.
                label = RECALL_CONFIRMED
            out.append({
                "organ_id": r["organ_id"], "name": r["name"], "state": r["state"],
                "status": r.get("status"), "status_label": label,
                "status_at": r.get("status_at"), "failure": r.get("failure"),
                "history": [{**h, "label": STATUS_LABELS.get(h["status"], "")}
                            for h in r.get("history") or []],
                "recall_sent_at": r.get("recall_sent_at"),
                "update_sent_at": r.get("update_sent_at")})
        return {"id": doc_id, "recipients": out}


def exchange_for(table: Table | None = None) -> Exchange:
    table = given(table)
    return Exchange(ExchangeStore(table), Trail(table), Pending.over(table))

"""Complaints, denunciations and petitions: public and desk intake, classification
and acceptance (thụ lý), transfer, refusal, merging, assignment as work with the
legal deadline, verification notes, extensions and pauses, the answer as an
outgoing document, notices to the person, the public lookup and the dashboard.

The cases, their filers, notes, work and the dashboard counters are kept by
``complaints.store.CaseStore``. The use cases are methods of ``Complaints``,
which receives its collaborators (the store, the audit trail, the directory,
the calendar, the clock), so that they run against fakes
(``tests/unit/test_complaints_use_cases.py``); the module functions keep the
signatures the routes, steps, the seed and the tests call, and build the real
collaborators from the table they are given.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table, json_ready
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.adapters.public_uploads import UploadArea, take_upload
from chalicelib.adapters.public_uploads import upload_form as public_upload_form
from chalicelib.calendar.service import agency_calendar
from chalicelib.complaints import clocks as clocks
from chalicelib.complaints.rules import (
    FINISHED,
    PROTECTED_MASK,
    STATUS_LABELS,
    CaseStatus,
    new_code,
)
from chalicelib.complaints.store import (
    KEY_ATTRIBUTES,
    KIND,
    SUMMARY,
    WORK_PARENT,
    CaseStore,
    access_of,
)
from chalicelib.kernel.access import Kind, can_view, scopes_for
from chalicelib.kernel.attempts import checked
from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.folding import filter_words, matches
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail, CalendarSource, Clock, Directory
from chalicelib.notifications.service import mail_event
from chalicelib.work import items
from chalicelib.work.items import closed, reindexed, work_item
from chalicelib.work.pending import Pending, announce
from chalicelib.work.rules import Action, Part, WorkStatus

__all__ = [
    "KIND", "SUMMARY", "Complaints", "access_of", "accept", "add_note", "assign",
    "chain_of", "classify", "close", "dashboard", "dashboard_rows", "dialogue",
    "draft_answer", "extend", "identity", "list_visible", "load_case", "lookup",
    "may_see_identity", "merge", "pause", "refuse", "resume", "settle_from_answer",
    "submit", "transfer", "upload_form", "use_cases", "view",
]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PETITION_DAYS = 15  # the agency's own handling time for petitions (no statutory one)
UPLOADS = UploadArea("complaints/uploads", 10 * 1024 * 1024, expires_in=900)
INTAKE_ROLES = frozenset({Role.CLERK, Role.LEADER})
# The trail names a filing from the public page "public", not "system".
PUBLIC = Caller("public", frozenset())
# Who classifies and accepts a received case: the clerks (the leaders may too,
# but the desk is the clerks'), chased in the office's name when there is one.
DESK_QUEUE = items.role("clerk")
ASSIGN_QUEUE = items.role("leader")


# Tries of one filing when its transaction loses to another (a busy counter).
FILING_ATTEMPTS = 3


def case_id_for(caller: Caller | None, idempotency_key: str) -> str:
    """The id of the case a filing with this key makes: the same for every retry
    by the same filer (the desk person, or the public)."""
    who = caller.username if caller else "public"
    return hashlib.sha256(f"complaint|{who}|{idempotency_key}".encode()).hexdigest()[:32]


def page_of(case_id: str) -> str:
    """Where the case's actions are taken."""
    return f"/app/complaint?id={case_id}"


def _desk_due(case: dict[str, Any]) -> str | None:
    """The legal deadline of the desk's decision on a received case."""
    c = case.get("clocks") or {}
    return c.get("accept_by") or c.get("transfer_by")


def _title(case: dict[str, Any]) -> str:
    return f"{case['code']}: {case['summary'][:120]}"


def chain_of(case_id: str) -> str:
    return f"complaint:{case_id}"


def may_see_identity(caller: Caller, case: dict[str, Any]) -> bool:
    """A protected denouncer: only the leaders and the officer handling it."""
    if not case.get("protected"):
        return True
    return Role.LEADER in caller.roles or caller.username == case.get("officer")


def _clean_person(person: dict[str, Any], kind: clocks.CaseKind) -> dict[str, Any]:
    protected = bool(person.get("protected")) and kind == clocks.CaseKind.DENUNCIATION
    return {"name": person["name"], "id_number": person.get("id_number") or "",
            "address": person.get("address") or "", "phone": person["phone"],
            "email": person.get("email") or "", "protected": protected}


def _files(upload_ids: list[str], case_id: str, s3: Any, intake_bucket: str,
           documents_bucket: str) -> list[dict[str, Any]]:
    """The person's uploads, checked and kept with the case."""
    return [take_upload(UPLOADS, upload_id, path=f"files.{i}",
                        dest_key=f"complaints/{case_id}/{i + 1}", s3=s3,
                        intake_bucket=intake_bucket, documents_bucket=documents_bucket)
            for i, upload_id in enumerate(upload_ids)]


def _facts(case: dict[str, Any]) -> clocks.CaseFacts:
    decision = case.get("decision_date")
    return clocks.CaseFacts(
        kind=clocks.CaseKind(case["kind"]), received_at=instant(case["received_at"]),
        decision_date=date.fromisoformat(decision) if decision else None,
        second=bool(case.get("second")), remote=bool(case.get("remote")),
        complexity=clocks.Complexity(case.get("complexity") or "normal"),
        multi_site=bool(case.get("multi_site")), rule_version=case.get("rule_version"))


def _deadline(case: dict[str, Any]) -> str | None:
    """The one date that matters now: acceptance while received, then settlement."""
    c = case.get("clocks") or {}
    if case["status"] == CaseStatus.RECEIVED.value:
        return c.get("accept_by") or c.get("transfer_by")
    if case["status"] in (CaseStatus.ACCEPTED.value, CaseStatus.IN_PROGRESS.value):
        return c.get("settle_by") or case.get("handling_deadline")
    return None


def _month(value: str) -> str:
    """The local month (``YYYY-MM``) of a stored instant: what the dashboard's
    period counts it in."""
    moment = instant(value)
    assert moment is not None
    return moment.astimezone(TZ).strftime("%Y-%m")


def _local_day(value: str | None) -> str:
    moment = instant(value)
    return moment.astimezone(TZ).strftime("%d/%m/%Y") if moment else ""


def public_base_url() -> str:
    from chalicelib.kernel.config import get_settings

    return get_settings().public_base_url


def _mail(case: dict[str, Any], person: dict[str, Any], template: str, base_url: str,
          **extra: Any) -> DomainEvent:
    context = {"name": person["name"], "code": case["code"],
               "kind_label": clocks.CaseKind(case["kind"]).label_vi,
               "status_label": STATUS_LABELS[CaseStatus(case["status"])],
               "received": _local_day(case["received_at"]),
               "deadline": _local_day(case.get("deadline")),
               "lookup": f"{base_url}/tra-cuu-don?code={case['code']}", **extra}
    return mail_event(chain_of(case["id"]), [person["email"]], template, context)


def _actions(caller: Caller, case: dict[str, Any]) -> list[str]:
    status = CaseStatus(case["status"])
    out: list[str] = []
    if caller.roles & INTAKE_ROLES and status == CaseStatus.RECEIVED:
        out += ["classify", "accept", "transfer", "refuse", "merge"]
    if Role.LEADER in caller.roles and status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS):
        out.append("assign")
    if Role.UNIT_HEAD in caller.roles and caller.unit == case.get("unit") and status in (
            CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS):
        out.append("assign")
    handler = caller.username == case.get("officer") or (
        Role.UNIT_HEAD in caller.roles and caller.unit == case.get("unit")) or (
        Role.LEADER in caller.roles)
    if handler and status == CaseStatus.IN_PROGRESS:
        out += ["note", "answer", "dialogue"]
        if case["kind"] == "denunciation":
            out += ["extend", "pause", "resume"]
    if handler and status == CaseStatus.SETTLED:
        out.append("close")
    return sorted(set(out))


def _handler(caller: Caller, case: dict[str, Any]) -> None:
    if caller.username == case.get("officer") or Role.LEADER in caller.roles or (
            Role.UNIT_HEAD in caller.roles and caller.unit == case.get("unit")):
        return
    raise Forbidden("Chỉ người được giao giải quyết (hoặc lãnh đạo) mới thực hiện được.",
                    "Only the assigned officer or a leader can do this.")


def _intake(caller: Caller) -> None:
    if not caller.roles & INTAKE_ROLES:
        raise Forbidden()


def _leader(caller: Caller, message: tuple[str, str] | None = None) -> None:
    if Role.LEADER not in caller.roles:
        raise Forbidden(*message) if message else Forbidden()


@dataclass
class Complaints:
    store: CaseStore
    trail: AuditTrail
    directory: Directory
    calendar: CalendarSource
    clock: Clock = utcnow
    # The unit that receives citizens' letters (the office), if the agency has one.
    office: Callable[[], str | None] = lambda: None
    # Where the public pages are: the person's notices link to the lookup.
    public_url: Callable[[], str] = public_base_url
    # The case's pending actions (classify, assign), opened and closed in the
    # case's own transactions; built over the store's table unless handed in.
    pending: Pending | None = None

    def _desk_phone(self) -> str:
        from chalicelib.organisation.service import desk_phone

        return desk_phone(getattr(self.store, "table", None))

    def _pending(self) -> Pending:
        if self.pending is None:
            self.pending = Pending.over(self.store.table, self.calendar, self.clock)
        return self.pending

    # ------------------------------------------------------------ clocks

    def _clocks(self, case: dict[str, Any]) -> dict[str, Any]:
        """The deadlines under the case's own rule version, stored on the case."""
        try:
            d = clocks.deadlines(
                _facts(case), accepted_at=instant(case.get("accepted_at")),
                extensions=[int(e["days"]) for e in case.get("extensions") or []],
                pauses=[clocks.Pause(instant(p["start"]), instant(p.get("end")))
                        for p in case.get("pauses") or []],
                calendar=self.calendar())
        except ValueError as exc:
            raise InvalidInput(str(exc), "The case's facts do not fit the legal clocks.",
                               "invalid_case") from exc
        return {"rule_version": d.rule_version,
                "accept_by": iso(d.accept_by) if d.accept_by else None,
                "transfer_by": iso(d.transfer_by) if d.transfer_by else None,
                "notify_by": iso(d.notify_by) if d.notify_by else None,
                "settle_by": iso(d.settle_by) if d.settle_by else None,
                "extensions_allowed": d.extensions_allowed, "paused": d.paused}

    def _refresh(self, case: dict[str, Any]) -> dict[str, Any]:
        case = {**case, "clocks": self._clocks(case)}
        case["deadline"] = _deadline(case)
        return case

    # ------------------------------------------------------------ intake

    def submit(self, caller: Caller | None, *, kind: str, person: dict[str, Any], content: str,
               decision: str, decision_date: date | None, channel: str,
               attach: Callable[[str], list[dict[str, Any]]] | None = None,
               idempotency_key: str | None = None) -> dict[str, Any]:
        """A case from the public page (``caller`` None) or the desk. ``attach``
        takes the person's uploads into the new case's id.

        With an ``idempotency_key`` the case's id is derived from it (and from who
        files), so a retried filing finds the case its first try stored, however
        the first answer was lost, and two racing tries store one case (the id's
        write is conditional). A lost race or a busy table is retried here; the
        case is read back after each failure, so a 409 only ever means nothing was
        stored."""
        case_id = case_id_for(caller, idempotency_key) if idempotency_key else uuid.uuid4().hex
        if idempotency_key:
            earlier = self.store.get(case_id)
            if earlier is not None:
                return earlier
        for _attempt in range(FILING_ATTEMPTS):
            try:
                return self._file(caller, case_id, kind=kind, person=person, content=content,
                                  decision=decision, decision_date=decision_date,
                                  channel=channel, attach=attach)
            except Conflict:
                stored = self.store.get(case_id)
                if stored is not None:  # this try, or a racing one with the same key, won
                    return stored
        raise Conflict("Hệ thống đang bận, đơn chưa được lưu; vui lòng gửi lại.",
                       "Busy: the filing was not stored; send it again.", "busy")

    def _file(self, caller: Caller | None, case_id: str, *, kind: str, person: dict[str, Any],
              content: str, decision: str, decision_date: date | None, channel: str,
              attach: Callable[[str], list[dict[str, Any]]] | None) -> dict[str, Any]:
        case_kind = clocks.CaseKind(kind)
        now = self.clock()
        if decision_date and decision_date > now.astimezone(TZ).date():
            raise InvalidInput("Ngày quyết định không thể ở tương lai.",
                               "The decision date cannot be in the future.", "invalid_date",
                               [FieldProblem("decision_date", "Ngày ở tương lai.",
                                             "A future date.")])
        attached = attach(case_id) if attach else []
        code = new_code(case_kind, now.astimezone(TZ))
        clean = _clean_person(person, case_kind)
        case: dict[str, Any] = {
            "kind": case_kind.value, "id": case_id,
            "code": code, "status": CaseStatus.RECEIVED.value, "channel": channel,
            "received_at": iso(now), "content": content, "summary": content[:160],
            "decision": decision, "decision_date": decision_date.isoformat() if decision_date
            else None, "second": False, "remote": False, "complexity": "normal",
            "multi_site": False, "extensions": [], "pauses": [], "files": attached,
            "protected": clean["protected"], "phone_last4": clean["phone"][-4:],
            "received_by": caller.username if caller else "public", "units": [],
            "people": [caller.username] if caller else [], "version": 1,
            "created_at": iso(now), "updated_at": iso(now),
        }
        desk = self.office()
        if desk:
            # The office receives citizens' letters: it sees the case and is chased
            # for the acceptance deadline until the case is accepted or passed on.
            case["units"] = [desk]
            case["desk_unit"] = desk
        case = self._refresh(case)
        uow = self.store.unit_of_work()
        case = self.store.add(uow, case, clean)
        # The desk must classify and accept (or pass on) by the legal deadline.
        self._open_desk(uow, case, by=caller.username if caller else "public")
        self.store.count(uow, case_kind.value, _month(case["received_at"]), received=1, open=1)
        # A new case has a new chain: nothing to read.
        self.trail.append(uow, ChainHead(chain_of(case_id)), caller or PUBLIC,
                          "complaint.receive",
                          summary=f"Nhận đơn {code} ({case_kind.label_vi}, {channel})")
        if clean["email"]:
            uow.emit(_mail(case, clean, "complaint_receipt", self.public_url()))
        uow.commit()
        return case

    # ------------------------------------------------------------ reading

    def load_case(self, caller: Caller, case_id: str) -> dict[str, Any]:
        case = self.store.get(case_id)
        if case is None or not can_view(caller, access_of(case)):
            raise NotFound()
        return case

    def _public(self, case: dict[str, Any]) -> dict[str, Any]:
        hidden = KEY_ATTRIBUTES | {"phone_last4"}
        out = json_ready({k: v for k, v in case.items() if k not in hidden})
        out["status_label"] = STATUS_LABELS[CaseStatus(case["status"])]
        out["kind_label"] = clocks.CaseKind(case["kind"]).label_vi
        if case.get("deadline"):
            left = clocks.time_left(instant(case["deadline"]), self.clock(), self.calendar())
            out["deadline_label"] = left.label_vi
            out["overdue"] = left.overdue
        return out

    def view(self, caller: Caller, case_id: str) -> dict[str, Any]:
        case = self.load_case(caller, case_id)
        notes = self.store.notes(case_id)
        person = self.store.person(case_id) or {}
        if case.get("protected"):
            person_view: dict[str, Any] = {"protected": True, "name": PROTECTED_MASK,
                                           "visible": False}
        else:
            person_view = {k: person.get(k) for k in ("name", "id_number", "address", "phone",
                                                      "email")} | {"protected": False,
                                                                   "visible": True}
        return {**self._public(case), "person": person_view,
                "notes": [{k: n.get(k) for k in ("note_kind", "text", "by", "at")}
                          for n in notes],
                "actions": _actions(caller, case),
                "may_see_identity": may_see_identity(caller, case)}

    def identity(self, caller: Caller, case_id: str) -> dict[str, Any]:
        """The filer's identity; for a protected denouncer, audited at each reading."""
        case = self.load_case(caller, case_id)
        if not may_see_identity(caller, case):
            raise Forbidden("Danh tính người tố cáo được giữ bí mật.",
                            "The denouncer's identity is protected.")
        person = self.store.person(case_id) or {}
        if case.get("protected"):
            self.trail.note(chain_of(case_id), caller, "complaint.identity_view",
                            summary="Xem danh tính người tố cáo (được bảo vệ)")
        return {k: person.get(k) for k in ("name", "id_number", "address", "phone", "email",
                                           "protected")}

    def list_visible(self, caller: Caller, *, cursor: str | None = None, limit: int = 20,
                     status: str | None = None, q: str | None = None) -> dict[str, Any]:
        """``q``: words of the code, the kind or the summary, diacritics ignored.
        Never who filed it: the list entries do not hold the filer; and a
        protected denunciation is matched by its code and kind only, since its
        content may name the denouncer, who must not be findable by name."""
        words = filter_words(q)

        def accept(i: dict[str, Any]) -> bool:
            return (not status or i.get("status") == status) and matches(
                words, i.get("code"), clocks.CaseKind(i["kind"]).label_vi,
                None if i.get("protected") else i.get("summary"))

        page = self.store.page(scopes_for(caller, Kind.COMPLAINT), cursor, limit,
                               accept if status or words else None)
        found = [json_ready({k: i.get(k) for k in SUMMARY}) | {
            "status_label": STATUS_LABELS[CaseStatus(i["status"])],
            "kind_label": clocks.CaseKind(i["kind"]).label_vi} for i in page.items]
        return {"items": found, "cursor": page.cursor}

    def lookup(self, code: str, phone_last4: str) -> dict[str, Any]:
        """Public: status and dates only. A wrong phone answers like an unknown code
        and spends an attempt of the code's budget (``kernel.attempts``)."""
        def check() -> dict[str, Any]:
            case = self.store.by_code(code.strip().upper())
            expected = str(case.get("phone_last4") or "") if case else ""
            # Compared in constant time so that the answer's timing says nothing either.
            if case is None or not hashlib.sha256(expected.encode()).digest() == hashlib.sha256(
                    phone_last4.encode()).digest() or len(phone_last4) != 4:
                raise NotFound("Không tìm thấy đơn với mã và số điện thoại này.",
                               "No case with this code and phone number.")
            return case

        case = checked(self.store, code, self.clock(), self._desk_phone, check)
        return {"code": case["code"], "kind_label": clocks.CaseKind(case["kind"]).label_vi,
                "status": case["status"],
                "status_label": STATUS_LABELS[CaseStatus(case["status"])],
                "received": _local_day(case["received_at"]),
                "deadline": _local_day(case.get("deadline")),
                "settled": _local_day(case.get("settled_at"))}

    # ------------------------------------------------------------ decisions

    def _changing(self, caller: Caller, case_id: str, allowed: set[CaseStatus],
                  action_vi: str) -> dict[str, Any]:
        case = self.load_case(caller, case_id)
        if CaseStatus(case["status"]) not in allowed:
            raise Conflict(f"Không thể {action_vi}: đơn đang ở trạng thái "
                           f"“{STATUS_LABELS[CaseStatus(case['status'])]}”.",
                           f"Cannot {action_vi} in state {case['status']}.", "invalid_state")
        return case

    def _open_desk(self, uow: UnitOfWork, case: dict[str, Any], *, by: str) -> None:
        """The clerks' action on a received case, due at the legal acceptance (or
        transfer) deadline of its clock; the office (if any) is chased for it.
        Opened again (a new deadline) when a classification changes the clock."""
        due = _desk_due(case)
        self._pending().open(uow, WORK_PARENT, case["id"], Action.CLASSIFY, DESK_QUEUE,
                             subject=_title(case), link=page_of(case["id"]), by=by,
                             unit=case.get("desk_unit"), due=instant(due) if due else None)

    def _desk_decided(self, caller: Caller, case: dict[str, Any], *, accepted: bool = False
                      ) -> Callable[[UnitOfWork], None]:
        """The desk's decision ends its action (counted on time or late), the only
        one a received case has; accepted, the leaders must assign the case;
        passed on, refused or merged, nothing is left to do on it."""
        def write(uow: UnitOfWork) -> None:
            pending = self._pending()
            pending.close(uow, WORK_PARENT, case["id"], Action.CLASSIFY, by=caller.username)
            if accepted:
                pending.open(uow, WORK_PARENT, case["id"], Action.ASSIGN_CASE, ASSIGN_QUEUE,
                             subject=_title(case), link=page_of(case["id"]),
                             by=caller.username)
        return write

    def _commit(self, caller: Caller, before: dict[str, Any], after: dict[str, Any],
                action: str, summary: str, *, notify: str | None = None,
                counters: dict[str, int] | None = None,
                work: list[dict[str, Any]] | tuple[()] = (),
                also: Callable[[UnitOfWork], None] | None = None,
                **mail_extra: Any) -> dict[str, Any]:
        """The case saved with its clocks refreshed, the work it moves, its counters,
        its audit entry and the notice to the person: one transaction."""
        uow = self.store.unit_of_work()
        saved = self.store.save(uow, before, self._refresh(after))
        for part in work:
            self.store.put_work(uow, part)
        if also:
            also(uow)
        if counters:
            self.store.count(uow, before["kind"], _month(iso(self.clock())), **counters)
        self.trail.append(uow, self.trail.head(chain_of(before["id"])), caller, action,
                          summary=summary)
        if notify:
            person = self.store.person(before["id"]) or {}
            if person.get("email"):
                uow.emit(_mail(saved, person, notify, self.public_url(), **mail_extra))
        uow.commit()
        return saved

    def classify(self, caller: Caller, case_id: str, *, kind: str, complexity: str,
                 remote: bool, multi_site: bool, second_of: str | None,
                 decision_date: date | None) -> dict[str, Any]:
        _intake(caller)
        case = self._changing(caller, case_id, {CaseStatus.RECEIVED}, "phân loại đơn")
        second = False
        if second_of:
            first = self.load_case(caller, second_of)
            if first["kind"] != "complaint" or kind != "complaint":
                raise InvalidInput("Chỉ khiếu nại mới có lần hai.", "Only complaints have a "
                                   "second round.", "invalid_case",
                                   [FieldProblem("second_of", "Không phải khiếu nại.",
                                                 "Not a complaint.")])
            second = True
        was = case["kind"]
        after = {**case, "kind": kind, "complexity": complexity, "remote": remote,
                 "multi_site": multi_site, "second": second, "second_of": second_of,
                 "decision_date": decision_date.isoformat() if decision_date
                 else case.get("decision_date")}
        _facts(after)  # refuses facts that do not fit the kind, with a Vietnamese message

        def move_counters(uow: UnitOfWork) -> None:
            # The counters follow the case into its new kind, in the same transaction.
            if was != kind:
                month = _month(case["received_at"])
                self.store.count(uow, was, month, received=-1, open=-1)
                self.store.count(uow, kind, month, received=1, open=1)
            # The kind sets the acceptance clock: the desk's deadline follows it.
            moved = self._refresh(after)
            if _desk_due(moved) != _desk_due(case):
                self._open_desk(uow, moved, by=caller.username)

        return self._commit(caller, case, after, "complaint.classify",
                            f"Phân loại: {clocks.CaseKind(kind).label_vi}, "
                            f"{clocks.Complexity(complexity).label_vi}"
                            + (", vùng sâu vùng xa" if remote else ""), also=move_counters)

    def accept(self, caller: Caller, case_id: str) -> dict[str, Any]:
        _intake(caller)
        case = self._changing(caller, case_id, {CaseStatus.RECEIVED}, "thụ lý")
        if case["kind"] == "complaint":
            if not case.get("decision_date"):
                raise InvalidInput("Cần ngày nhận được quyết định bị khiếu nại để kiểm tra "
                                   "thời hiệu.",
                                   "The decision date is needed to check the time limit.",
                                   "decision_date_required",
                                   [FieldProblem("decision_date", "Chưa có.", "Missing.")])
            in_time, last = clocks.lodged_in_time(_facts(case), calendar=self.calendar())
            if not in_time:
                raise InvalidInput(
                    f"Khiếu nại đã quá thời hiệu (hạn cuối {last:%d/%m/%Y}); không thụ lý, "
                    "hãy trả lời không thụ lý kèm lý do.",
                    "The complaint is out of time; refuse it with the reason.", "out_of_time",
                    [FieldProblem("decision_date", "Quá thời hiệu khiếu nại.",
                                  "Out of time.")])
        after = {**case, "status": CaseStatus.ACCEPTED.value, "accepted_at": iso(self.clock()),
                 "accepted_by": caller.username,
                 "people": sorted(set(case["people"]) | {caller.username})}
        return self._commit(caller, case, after, "complaint.accept", "Thụ lý đơn",
                            also=self._desk_decided(caller, case, accepted=True),
                            notify="complaint_notice",
                            message="Đơn của ông/bà đã được thụ lý giải quyết.")

    def transfer(self, caller: Caller, case_id: str, *, to: str, reason: str
                 ) -> dict[str, Any]:
        _intake(caller)
        case = self._changing(caller, case_id, {CaseStatus.RECEIVED}, "chuyển đơn")
        now = iso(self.clock())
        late = bool(case.get("clocks", {}).get("transfer_by")) and now > \
            case["clocks"]["transfer_by"]
        after = {**case, "status": CaseStatus.TRANSFERRED.value, "transferred_to": to,
                 "transfer_reason": reason, "finished_at": now, "late": late}
        return self._commit(caller, case, after, "complaint.transfer",
                            f"Chuyển đơn đến {to}: {reason}", notify="complaint_notice",
                            also=self._desk_decided(caller, case),
                            counters={"open": -1, "transferred": 1},
                            message=f"Đơn không thuộc thẩm quyền giải quyết của Sở và đã được "
                                    f"chuyển đến {to}. Lý do: {reason}")

    def refuse(self, caller: Caller, case_id: str, *, reason: str) -> dict[str, Any]:
        _intake(caller)
        case = self._changing(caller, case_id, {CaseStatus.RECEIVED}, "từ chối thụ lý")
        after = {**case, "status": CaseStatus.REFUSED.value, "refuse_reason": reason,
                 "finished_at": iso(self.clock())}
        return self._commit(caller, case, after, "complaint.refuse", f"Không thụ lý: {reason}",
                            notify="complaint_notice", counters={"open": -1, "refused": 1},
                            also=self._desk_decided(caller, case),
                            message=f"Đơn không được thụ lý. Lý do: {reason}")

    def merge(self, caller: Caller, case_id: str, *, into: str) -> dict[str, Any]:
        _intake(caller)
        if into == case_id:
            raise InvalidInput("Không gộp đơn vào chính nó.",
                               "A case cannot merge into itself.", "invalid_merge",
                               [FieldProblem("into", "Trùng đơn.", "Same case.")])
        case = self._changing(caller, case_id, {CaseStatus.RECEIVED}, "gộp đơn")
        target = self.load_case(caller, into)
        if CaseStatus(target["status"]) in FINISHED:
            raise Conflict("Đơn được gộp vào đã kết thúc.", "The target case is finished.",
                           "invalid_state")
        after = {**case, "status": CaseStatus.MERGED.value, "merged_into": into,
                 "merged_into_code": target["code"], "finished_at": iso(self.clock())}
        return self._commit(caller, case, after, "complaint.merge",
                            f"Gộp vào đơn {target['code']}", counters={"open": -1, "merged": 1},
                            also=self._desk_decided(caller, case),
                            notify="complaint_notice",
                            message=f"Đơn trùng nội dung với đơn {target['code']} và được "
                                    "giải quyết cùng đơn đó.")

    def assign(self, caller: Caller, case_id: str, *, unit: str, officer: str | None
               ) -> dict[str, Any]:
        """A leader gives the case to a unit (and officer); the head of that unit names
        the officer. The work item carries the legal deadline into "my work"."""
        case = self._changing(caller, case_id, {CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS},
                              "giao giải quyết")
        if Role.LEADER not in caller.roles and not (
                Role.UNIT_HEAD in caller.roles and caller.unit == case.get("unit") == unit):
            raise Forbidden()
        if self.directory.unit(unit) is None:
            raise InvalidInput("Không có đơn vị này.", "No such unit.", "invalid_unit",
                               [FieldProblem("unit", "Không tồn tại.", "Does not exist.")])
        if officer:
            profile = self.directory.user(officer)
            if profile is None or profile.get("status") != "active" or \
                    profile.get("unit") != unit:
                raise InvalidInput("Cán bộ không thuộc đơn vị đã chọn.",
                                   "The officer is not in the chosen unit.", "invalid_officer",
                                   [FieldProblem("officer", "Không thuộc đơn vị.",
                                                 "Not in the unit.")])
        now = self.clock()
        deadline = self._refresh(case)["clocks"].get("settle_by")
        handling = case.get("handling_deadline")
        if not deadline:
            if not handling:
                handling = iso(self.calendar().add_working_days(now, PETITION_DAYS))
            deadline = handling
        subject = {"id": case_id, "trich_yeu": f"{case['code']}: {case['summary'][:120]}"}
        assignee = items.person(officer) if officer else items.unit(unit)
        # The assignee's part is their pending action: answer the case by the
        # legal settlement deadline.
        work = work_item(subject, assignee, Part.LEAD, "Giải quyết đơn", instant(deadline),
                         caller.username, unit, parent=WORK_PARENT,
                         action=Action.ANSWER_CASE, link=page_of(case_id))
        # Open work of an earlier assignment ends; the same assignee's is replaced.
        replaced = [w for w in self.store.work(case_id)
                    if w["status"] == WorkStatus.OPEN.value and w["assignee"] != assignee]

        def drop_replaced(uow: UnitOfWork) -> None:
            for old in replaced:
                self.store.drop_work(uow, old)
            announce(uow, work)  # the unit's heads or the officer are told
            # The leaders' action ends with the first assignment (by anyone entitled).
            self._pending().close(uow, WORK_PARENT, case_id, Action.ASSIGN_CASE,
                                  by=caller.username)

        people = set(case["people"]) | ({officer} if officer else set())
        after = {**case, "status": CaseStatus.IN_PROGRESS.value, "unit": unit,
                 "officer": officer,
                 "units": sorted({unit} | ({case["desk_unit"]} if case.get("desk_unit")
                                           else set())),
                 "people": sorted(people), "assigned_at": iso(now),
                 "assigned_by": caller.username, "handling_deadline": handling}
        return self._commit(caller, case, after, "complaint.assign",
                            f"Giao {unit}" + (f", cán bộ {officer}" if officer else ""),
                            work=[work], also=drop_replaced)

    def add_note(self, caller: Caller, case_id: str, *, text: str,
                 note_kind: str = "verification") -> dict[str, Any]:
        case = self._changing(caller, case_id, {CaseStatus.IN_PROGRESS}, "ghi nhận")
        _handler(caller, case)
        self.note(caller, case_id, {"note_kind": note_kind, "text": text},
                  "complaint.note", text[:200])
        return self.view(caller, case_id)

    def note(self, caller: Caller, case_id: str, note: dict[str, Any], action: str,
             summary: str) -> None:
        """A note on the case with its audit entry."""
        now = iso(self.clock())
        uow = self.store.unit_of_work()
        self.store.add_note(uow, case_id, {**note, "by": caller.username, "at": now})
        self.trail.append(uow, self.trail.head(chain_of(case_id)), caller, action,
                          summary=summary)
        uow.commit()

    def extend(self, caller: Caller, case_id: str, *, days: int, decision: str
               ) -> dict[str, Any]:
        """A denunciation's settlement extended, decided in writing (the decision's
        number and date are recorded)."""
        case = self._changing(caller, case_id, {CaseStatus.IN_PROGRESS}, "gia hạn")
        _leader(caller, ("Chỉ lãnh đạo quyết định gia hạn.", "Only a leader extends."))
        after = {**case, "extensions": [*case.get("extensions", []),
                                        {"days": days, "decision": decision,
                                         "by": caller.username, "at": iso(self.clock())}]}
        return self._rework(caller, case, after, "complaint.extend",
                            f"Gia hạn {days} ngày ({decision})")

    def pause(self, caller: Caller, case_id: str, *, reason: str) -> dict[str, Any]:
        case = self._changing(caller, case_id, {CaseStatus.IN_PROGRESS}, "tạm đình chỉ")
        _leader(caller)
        if any(not p.get("end") for p in case.get("pauses") or []):
            raise Conflict("Đơn đang tạm đình chỉ.", "The case is already paused.",
                           "invalid_state")
        after = {**case, "pauses": [*case.get("pauses", []),
                                    {"start": iso(self.clock()), "end": None,
                                     "reason": reason}]}
        return self._rework(caller, case, after, "complaint.pause", f"Tạm đình chỉ: {reason}")

    def resume(self, caller: Caller, case_id: str) -> dict[str, Any]:
        case = self._changing(caller, case_id, {CaseStatus.IN_PROGRESS},
                              "tiếp tục giải quyết")
        _leader(caller)
        pauses = [dict(p) for p in case.get("pauses") or []]
        if not pauses or pauses[-1].get("end"):
            raise Conflict("Đơn không tạm đình chỉ.", "The case is not paused.",
                           "invalid_state")
        pauses[-1]["end"] = iso(self.clock())
        return self._rework(caller, case, {**case, "pauses": pauses}, "complaint.resume",
                            "Tiếp tục giải quyết")

    def _rework(self, caller: Caller, case: dict[str, Any], after: dict[str, Any],
                action: str, summary: str) -> dict[str, Any]:
        """A change of the clock moves the open work's deadline with it."""
        settle = self._refresh(after)["clocks"].get("settle_by")
        moved = [reindexed(w, instant(settle)) for w in self.store.work(case["id"])
                 if w["status"] == WorkStatus.OPEN.value] if settle else []
        saved = self._commit(caller, case, after, action, summary, work=moved)
        return {**self._public(saved), "actions": _actions(caller, saved)}

    def answer_drafted(self, caller: Caller, case_id: str, answer_id: str, type_code: str
                       ) -> None:
        """The answer's draft is noted on the case (read again: drafting took a while)."""
        case = self.store.get(case_id)
        assert case is not None
        uow = self.store.unit_of_work()
        self.store.save(uow, case, {**case, "answer_id": answer_id})
        self.trail.append(uow, self.trail.head(chain_of(case_id)), caller,
                          "complaint.answer_draft",
                          summary=f"Soạn văn bản giải quyết ({type_code})")
        uow.commit()

    def close(self, caller: Caller, case_id: str) -> dict[str, Any]:
        case = self._changing(caller, case_id, {CaseStatus.SETTLED}, "kết thúc")
        _handler(caller, case)
        after = {**case, "status": CaseStatus.CLOSED.value, "closed_at": iso(self.clock())}
        return self._commit(caller, case, after, "complaint.close", "Kết thúc hồ sơ đơn")

    def settle_from_answer(self, case_id: str, outgoing_doc: dict[str, Any]) -> bool:
        """The answer was issued: the case is settled, on time or late, and counted."""
        case = self.store.get(case_id)
        if case is None or case["status"] != CaseStatus.IN_PROGRESS.value:
            return False
        now = iso(self.clock())
        deadline = case.get("deadline")
        on_time = not deadline or now <= deadline
        after = {**case, "status": CaseStatus.SETTLED.value, "settled_at": now,
                 "on_time": on_time, "answer_number": outgoing_doc.get("number_text"),
                 "answer_issued_key": outgoing_doc.get("issued_key")}
        uow = self.store.unit_of_work()
        self.store.save(uow, case, after)
        for work in self.store.work(case_id):
            if work["status"] == WorkStatus.OPEN.value:
                self.store.put_work(uow, closed(work, WorkStatus.DONE, completed_at=now))
        # Nothing is left to do on a settled case (normally nothing else is open).
        self._pending().close_all(uow, WORK_PARENT, case_id, by="system",
                                  outcome=WorkStatus.CANCELLED)
        self.store.count(uow, case["kind"], _month(now), open=-1,
                         **({"settled_on_time": 1} if on_time else {"settled_late": 1}))
        self.trail.append(uow, self.trail.head(chain_of(case_id)), None, "complaint.settled",
                          summary="Đã ban hành văn bản giải quyết "
                                  f"{outgoing_doc.get('number_text')}")
        uow.commit()
        return True

    # ------------------------------------------------------------ dashboard

    def dashboard(self, caller: Caller) -> dict[str, Any]:
        """Leaders: counts by kind from counters; open cases by unit, due soon and
        overdue from the open-work index (only cases' work), never a scan."""
        _leader(caller)
        kinds = []
        for kind in clocks.CaseKind:
            counted = self.store.counters(kind.value)
            kinds.append({"kind": kind.value, "label": kind.label_vi,
                          **{k: int(counted.get(k) or 0) for k in (
                              "received", "open", "settled_on_time", "settled_late",
                              "transferred", "refused", "merged")}})
        now = self.clock()
        soon = self.calendar().add_working_days(now, 3)
        by_unit: dict[str, dict[str, int]] = {}
        due_soon = overdue = 0
        # "~" sorts after "#": work due exactly at the end of the window is in.
        for work in self.store.open_work_due_before(f"{iso(soon)}~"):
            late = work["deadline"] < iso(now)
            overdue += late
            due_soon += not late
            if not work.get("unit"):
                continue  # the leaders' own action (assigning): counted, no unit's row
            row = by_unit.setdefault(str(work["unit"]), {"due_soon": 0, "overdue": 0})
            row["overdue" if late else "due_soon"] += 1
        return {"kinds": kinds, "due_soon": due_soon, "overdue": overdue,
                "units": [{"unit": u, **v} for u, v in sorted(by_unit.items())]}


def use_cases(table: Table | None = None) -> Complaints:
    """The use cases over the caller's table (the module functions' collaborators)."""
    from chalicelib.audit.trail import Trail
    from chalicelib.organisation.service import office_unit
    from chalicelib.organisation.store import Directory as OrgDirectory

    t = given(table)
    return Complaints(store=CaseStore(t), trail=Trail(t), directory=OrgDirectory(t),
                      calendar=agency_calendar, office=lambda: office_unit(t))


# ---------------------------------------------------------------- the module's functions


def submit(caller: Caller | None, *, kind: str, person: dict[str, Any], content: str,
           decision: str, decision_date: date | None, channel: str,
           files: list[str] | None = None, storage: dict[str, Any] | None = None,
           table: Table | None = None, cases: Complaints | None = None,
           idempotency_key: str | None = None) -> dict[str, Any]:
    """A case from the public page (``caller`` None) or the desk. Returns the case
    with its code; the receipt goes by e-mail after the commit. ``cases``: the
    use cases handed in (by the composition root), else built over ``table``."""
    def attach(case_id: str) -> list[dict[str, Any]]:
        assert storage is not None
        return _files(files or [], case_id, **storage)

    return (cases or use_cases(table)).submit(
        caller, kind=kind, person=person, content=content, decision=decision,
        decision_date=decision_date, channel=channel, attach=attach if files else None,
        idempotency_key=idempotency_key)


def upload_form(s3: Any, bucket: str) -> dict[str, Any]:
    """A presigned POST for one attachment of a public filing (10 MiB, PDF/JPEG/PNG)."""
    return public_upload_form(UPLOADS, s3, bucket)


def load_case(caller: Caller, case_id: str, table: Table) -> dict[str, Any]:
    return use_cases(table).load_case(caller, case_id)


def view(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).view(caller, case_id)


def identity(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).identity(caller, case_id)


def list_visible(caller: Caller, *, cursor: str | None = None, limit: int = 20,
                 status: str | None = None, q: str | None = None,
                 table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).list_visible(caller, cursor=cursor, limit=limit, status=status, q=q)


def lookup(code: str, phone_last4: str, table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).lookup(code, phone_last4)


def classify(caller: Caller, case_id: str, *, kind: str, complexity: str, remote: bool,
             multi_site: bool, second_of: str | None, decision_date: date | None,
             table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).classify(caller, case_id, kind=kind, complexity=complexity,
                                     remote=remote, multi_site=multi_site, second_of=second_of,
                                     decision_date=decision_date)


def accept(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).accept(caller, case_id)


def transfer(caller: Caller, case_id: str, *, to: str, reason: str,
             table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).transfer(caller, case_id, to=to, reason=reason)


def refuse(caller: Caller, case_id: str, *, reason: str, table: Table | None = None
           ) -> dict[str, Any]:
    return use_cases(table).refuse(caller, case_id, reason=reason)


def merge(caller: Caller, case_id: str, *, into: str, table: Table | None = None
          ) -> dict[str, Any]:
    return use_cases(table).merge(caller, case_id, into=into)


def assign(caller: Caller, case_id: str, *, unit: str, officer: str | None,
           table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).assign(caller, case_id, unit=unit, officer=officer)


def add_note(caller: Caller, case_id: str, *, text: str, note_kind: str = "verification",
             table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).add_note(caller, case_id, text=text, note_kind=note_kind)


def extend(caller: Caller, case_id: str, *, days: int, decision: str,
           table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).extend(caller, case_id, days=days, decision=decision)


def pause(caller: Caller, case_id: str, *, reason: str, table: Table | None = None
          ) -> dict[str, Any]:
    return use_cases(table).pause(caller, case_id, reason=reason)


def resume(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).resume(caller, case_id)


def close(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).close(caller, case_id)


def settle_from_answer(case_id: str, outgoing_doc: dict[str, Any], table: Table) -> bool:
    return use_cases(table).settle_from_answer(case_id, outgoing_doc)


def dashboard(caller: Caller, table: Table | None = None) -> dict[str, Any]:
    return use_cases(table).dashboard(caller)


def dashboard_rows(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = ["Loại đơn", "Đã nhận", "Đang giải quyết", "Giải quyết đúng hạn",
              "Giải quyết quá hạn", "Đã chuyển", "Không thụ lý", "Đã gộp"]
    rows = [[k["label"], *(str(k[c]) for c in ("received", "open", "settled_on_time",
                                               "settled_late", "transferred", "refused",
                                               "merged"))] for k in data["kinds"]]
    return header, rows


def draft_answer(caller: Caller, case_id: str, *, signer: str, authority: str, body: str,
                 s3: Any, bucket: str, table: Table | None = None) -> dict[str, Any]:
    """The settlement decision or answer as an outgoing document: once issued, the
    person gets it by e-mail and the case is settled (complaints/steps.py).
    The person's address stays on the case: it never enters the outgoing record."""
    from chalicelib.outgoing import service as outgoing

    table = given(table)
    cases = use_cases(table)
    case = cases._changing(caller, case_id, {CaseStatus.IN_PROGRESS},
                           "soạn văn bản giải quyết")
    _handler(caller, case)
    type_code, subject = {
        "complaint": ("QĐ", f"Quyết định giải quyết khiếu nại (đơn {case['code']})"),
        "denunciation": ("TB", f"Thông báo kết luận nội dung tố cáo (đơn {case['code']})"),
        "petition": ("CV", f"Trả lời phản ánh, kiến nghị (đơn {case['code']})"),
    }[case["kind"]]
    draft = outgoing.create(caller, type_code=type_code, subject=subject, signer=signer,
                            authority=authority, recipients_internal=[],
                            recipients_external=[], do_khan="Thường", do_mat="",
                            answers=None, table=table)
    outgoing.set_origin(draft["id"], {"complaint_id": case_id}, new_version=True, table=table)
    composed = outgoing.compose_version(
        caller, draft["id"], body=body, recipients=["Người gửi đơn;", "Lưu: VT, hồ sơ đơn."],
        s3=s3, bucket=bucket, table=table)
    cases.answer_drafted(caller, case_id, draft["id"], type_code)
    return composed


def dialogue(caller: Caller, case_id: str, *, start: datetime, end: datetime, place: str,
             table: Table | None = None) -> dict[str, Any]:
    """A dialogue meeting (đối thoại) with the complainant: a meeting of the
    calendar, the person invited by e-mail as a guest, noted on the case."""
    from chalicelib.meetings import service as meetings

    table = given(table)
    cases = use_cases(table)
    case = cases._changing(caller, case_id, {CaseStatus.IN_PROGRESS}, "tổ chức đối thoại")
    _handler(caller, case)
    if case["kind"] != "complaint":
        raise InvalidInput("Đối thoại chỉ áp dụng khi giải quyết khiếu nại.",
                           "Dialogue applies to complaints only.", "invalid_case")
    person = cases.store.person(case_id) or {}
    guests = [meetings.Guest(email=person["email"], name=person["name"])] \
        if person.get("email") else []
    participants = [case["officer"]] if case.get("officer") and \
        case["officer"] != caller.username else []
    meeting = meetings.create(caller, meetings.MeetingInput(
        title=f"Đối thoại giải quyết khiếu nại (đơn {case['code']})", start=start, end=end,
        place=place, participants=participants, guests=guests), table)
    cases.note(caller, case_id, {"note_kind": "dialogue",
                                 "text": f"Lịch đối thoại: {meeting['when']}, {place}",
                                 "meeting_id": meeting["id"]},
               "complaint.dialogue", f"Lên lịch đối thoại {meeting['when']}")
    return view(caller, case_id, table)

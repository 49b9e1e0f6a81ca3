"""Complaints, denunciations and petitions: public and desk intake, classification
and acceptance (thụ lý), transfer, refusal, merging, assignment as work with the
legal deadline, verification notes, extensions and pauses, the answer as an
outgoing document, notices to the person, the public lookup and the dashboard.

Items (docs/data-model.md):
- ``CASE#{id}/CASE`` the case (no identity); ``gsi1`` ``CASECODE#{code}``;
- ``CASE#{id}/PERSON`` who filed it; a protected denouncer's record is read only
  by leaders and the assigned officer, each reading audited;
- ``CASE#{id}/NOTE#…`` notes, ``CASE#{id}/SCOPE#…`` list entries,
  ``CASE#{id}/WORK#…`` the assignment (deadline = the settlement deadline, so
  the work-tracking reminders chase it);
- ``STATS#complaint#{kind}`` counters for the dashboard.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table, json_ready, put_op, update_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.adapters.public_uploads import UploadArea, take_upload
from chalicelib.adapters.public_uploads import upload_form as public_upload_form
from chalicelib.adapters.scoped_lists import list_scoped, partition, save_with_entries
from chalicelib.audit import trail as audit
from chalicelib.calendar.service import agency_calendar
from chalicelib.complaints import clocks as clocks
from chalicelib.complaints.rules import (
    FINISHED,
    PROTECTED_MASK,
    STATUS_LABELS,
    CaseStatus,
    new_code,
)
from chalicelib.kernel.access import ItemAccess, Kind, can_view, item_scopes, scopes_for
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.notifications.service import mail_event
from chalicelib.work.rules import Part, WorkStatus

KIND = Kind.COMPLAINT.value
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SUMMARY = ("id", "code", "kind", "status", "received_at", "summary", "unit", "officer",
           "deadline", "channel", "protected")
PETITION_DAYS = 15  # the agency's own handling time for petitions (no statutory one)
UPLOADS = UploadArea("complaints/uploads", 10 * 1024 * 1024, expires_in=900)
INTAKE_ROLES = frozenset({Role.CLERK, Role.LEADER})


def chain_of(case_id: str) -> str:
    return f"complaint:{case_id}"



def access_of(case: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.COMPLAINT, units=frozenset(case.get("units") or []),
                      people=frozenset(case.get("people") or []))


def _entries(case: dict[str, Any]) -> list[dict[str, Any]]:
    summary = {k: case.get(k) for k in SUMMARY}
    return [{"pk": f"CASE#{case['id']}", "sk": f"SCOPE#{scope}", "kind": "scope_entry",
             "gsi1pk": partition(scope, KIND), "gsi1sk": f"{case['received_at']}#{case['id']}",
             **summary} for scope in sorted(item_scopes(access_of(case)))]


def _save(uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return save_with_entries(uow, before, after, _entries)


def _count(uow: UnitOfWork, kind: str, **deltas: int) -> None:
    """Dashboard counters move in the same transaction as the change they count."""
    names = {f"#{k}": k for k in deltas}
    values = {f":{k}": v for k, v in deltas.items()}
    uow.add(update_op(f"STATS#complaint#{kind}", "TOTAL",
                      "ADD " + ", ".join(f"#{k} :{k}" for k in deltas),
                      names=names, values=values))


# ---------------------------------------------------------------- clocks

def _facts(case: dict[str, Any]) -> clocks.CaseFacts:
    decision = case.get("decision_date")
    return clocks.CaseFacts(
        kind=clocks.CaseKind(case["kind"]), received_at=instant(case["received_at"]),
        decision_date=date.fromisoformat(decision) if decision else None,
        second=bool(case.get("second")), remote=bool(case.get("remote")),
        complexity=clocks.Complexity(case.get("complexity") or "normal"),
        multi_site=bool(case.get("multi_site")), rule_version=case.get("rule_version"))


def _clocks(case: dict[str, Any]) -> dict[str, Any]:
    """The deadlines under the case's own rule version, stored on the case."""
    try:
        d = clocks.deadlines(
            _facts(case), accepted_at=instant(case.get("accepted_at")),
            extensions=[int(e["days"]) for e in case.get("extensions") or []],
            pauses=[clocks.Pause(instant(p["start"]), instant(p.get("end")))
                    for p in case.get("pauses") or []],
            calendar=agency_calendar())
    except ValueError as exc:
        raise InvalidInput(str(exc), "The case's facts do not fit the legal clocks.",
                           "invalid_case") from exc
    out = {"rule_version": d.rule_version,
           "accept_by": iso(d.accept_by) if d.accept_by else None,
           "transfer_by": iso(d.transfer_by) if d.transfer_by else None,
           "notify_by": iso(d.notify_by) if d.notify_by else None,
           "settle_by": iso(d.settle_by) if d.settle_by else None,
           "extensions_allowed": d.extensions_allowed, "paused": d.paused}
    return out


def _deadline(case: dict[str, Any]) -> str | None:
    """The one date that matters now: acceptance while received, then settlement."""
    c = case.get("clocks") or {}
    if case["status"] == CaseStatus.RECEIVED.value:
        return c.get("accept_by") or c.get("transfer_by")
    if case["status"] in (CaseStatus.ACCEPTED.value, CaseStatus.IN_PROGRESS.value):
        return c.get("settle_by") or case.get("handling_deadline")
    return None


def _refresh(case: dict[str, Any]) -> dict[str, Any]:
    case = {**case, "clocks": _clocks(case)}
    case["deadline"] = _deadline(case)
    return case


# ---------------------------------------------------------------- intake

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


def submit(caller: Caller | None, *, kind: str, person: dict[str, Any], content: str,
           decision: str, decision_date: date | None, channel: str,
           files: list[str] | None = None, storage: dict[str, Any] | None = None,
           table: Table | None = None) -> dict[str, Any]:
    """A case from the public page (``caller`` None) or the desk. Returns the case
    with its code; the receipt goes by e-mail after the commit."""
    table = table or Table()
    case_kind = clocks.CaseKind(kind)
    now = utcnow()
    if decision_date and decision_date > now.astimezone(TZ).date():
        raise InvalidInput("Ngày quyết định không thể ở tương lai.",
                           "The decision date cannot be in the future.", "invalid_date",
                           [FieldProblem("decision_date", "Ngày ở tương lai.",
                                         "A future date.")])
    case_id = uuid.uuid4().hex
    attached = []
    if files:
        assert storage is not None
        attached = _files(files, case_id, **storage)
    code = new_code(case_kind, now.astimezone(TZ))
    clean = _clean_person(person, case_kind)
    case: dict[str, Any] = {
        "pk": f"CASE#{case_id}", "sk": "CASE", "kind": case_kind.value, "id": case_id,
        "code": code, "status": CaseStatus.RECEIVED.value, "channel": channel,
        "received_at": iso(now), "content": content, "summary": content[:160],
        "decision": decision, "decision_date": decision_date.isoformat() if decision_date
        else None, "second": False, "remote": False, "complexity": "normal",
        "multi_site": False, "extensions": [], "pauses": [], "files": attached,
        "protected": clean["protected"], "phone_last4": clean["phone"][-4:],
        "received_by": caller.username if caller else "public", "units": [],
        "people": [caller.username] if caller else [], "version": 1,
        "created_at": iso(now), "updated_at": iso(now),
        "gsi1pk": f"CASECODE#{code}", "gsi1sk": case_id,
    }
    from chalicelib.organisation.service import office_unit

    desk = office_unit(table)
    if desk:
        # The office receives citizens' letters: it sees the case and is chased
        # for the acceptance deadline until the case is accepted or passed on.
        case["units"] = [desk]
        case["desk_unit"] = desk
    case = _refresh(case)
    person_item = {"pk": f"CASE#{case_id}", "sk": "PERSON", "kind": "case_person", **clean}
    uow = UnitOfWork(table)
    uow.add(put_op(case, condition="attribute_not_exists(pk)"))
    uow.add(put_op(person_item))
    first_deadline = case["clocks"].get("accept_by") or case["clocks"].get("transfer_by")
    if desk and first_deadline:
        from chalicelib.work.items import work_item

        uow.add(put_op(work_item({"id": case_id, "trich_yeu": f"{code}: {content[:120]}"},
                                  f"UNIT#{desk}", Part.LEAD, "Xem xét, thụ lý đơn",
                                  instant(first_deadline), "system", desk, parent="CASE")))
    for entry in _entries(case):
        uow.add(put_op(entry))
    _count(uow, case_kind.value, received=1, open=1)
    audit.append(uow, audit.ChainHead(chain_of(case_id)), caller, "complaint.receive",
                 summary=f"Nhận đơn {code} ({case_kind.label_vi}, {channel})",
                 actor=None if caller else "public")
    if clean["email"]:
        uow.emit(_mail(case, clean, "complaint_receipt"))
    uow.commit()
    return case


def _mail(case: dict[str, Any], person: dict[str, Any], template: str,
          **extra: Any) -> DomainEvent:
    from chalicelib.kernel.config import get_settings

    context = {"name": person["name"], "code": case["code"],
               "kind_label": clocks.CaseKind(case["kind"]).label_vi,
               "status_label": STATUS_LABELS[CaseStatus(case["status"])],
               "received": _local_day(case["received_at"]),
               "deadline": _local_day(case.get("deadline")),
               "lookup": f"{get_settings().public_base_url}/tra-cuu-don?code={case['code']}",
               **extra}
    return mail_event(chain_of(case["id"]), [person["email"]], template, context)


def _local_day(value: str | None) -> str:
    moment = instant(value)
    return moment.astimezone(TZ).strftime("%d/%m/%Y") if moment else ""


def upload_form(s3: Any, bucket: str) -> dict[str, Any]:
    """A presigned POST for one attachment of a public filing (10 MiB, PDF/JPEG/PNG)."""
    return public_upload_form(UPLOADS, s3, bucket)


# ---------------------------------------------------------------- reading

def load_case(caller: Caller, case_id: str, table: Table) -> dict[str, Any]:
    case = table.get(f"CASE#{case_id}", "CASE", consistent=True)
    if case is None or not can_view(caller, access_of(case)):
        raise NotFound()
    return case


def may_see_identity(caller: Caller, case: dict[str, Any]) -> bool:
    """A protected denouncer: only the leaders and the officer handling it."""
    if not case.get("protected"):
        return True
    return Role.LEADER in caller.roles or caller.username == case.get("officer")


def _public(case: dict[str, Any]) -> dict[str, Any]:
    hidden = {"pk", "sk", "gsi1pk", "gsi1sk", "phone_last4"}
    out = json_ready({k: v for k, v in case.items() if k not in hidden})
    out["status_label"] = STATUS_LABELS[CaseStatus(case["status"])]
    out["kind_label"] = clocks.CaseKind(case["kind"]).label_vi
    if case.get("deadline"):
        left = clocks.time_left(instant(case["deadline"]), utcnow(), agency_calendar())
        out["deadline_label"] = left.label_vi
        out["overdue"] = left.overdue
    return out


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


def view(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    case = load_case(caller, case_id, table)
    rest = table.query(f"CASE#{case_id}", sk_prefix="NOTE#", limit=500).items
    person = table.get(f"CASE#{case_id}", "PERSON") or {}
    if case.get("protected"):
        person_view: dict[str, Any] = {"protected": True, "name": PROTECTED_MASK,
                                       "visible": False}
    else:
        person_view = {k: person.get(k) for k in ("name", "id_number", "address", "phone",
                                                  "email")} | {"protected": False,
                                                               "visible": True}
    return {**_public(case), "person": person_view,
            "notes": [{k: n.get(k) for k in ("note_kind", "text", "by", "at")} for n in rest],
            "actions": _actions(caller, case),
            "may_see_identity": may_see_identity(caller, case)}


def identity(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    """The filer's identity; for a protected denouncer, audited at each reading."""
    table = table or Table()
    case = load_case(caller, case_id, table)
    if not may_see_identity(caller, case):
        raise Forbidden("Danh tính người tố cáo được giữ bí mật.",
                        "The denouncer's identity is protected.")
    person = table.get(f"CASE#{case_id}", "PERSON") or {}
    if case.get("protected"):
        audit.record(chain_of(case_id), caller, "complaint.identity_view",
                     summary="Xem danh tính người tố cáo (được bảo vệ)", table=table)
    return {k: person.get(k) for k in ("name", "id_number", "address", "phone", "email",
                                       "protected")}


def list_visible(caller: Caller, *, cursor: str | None = None, limit: int = 20,
                 status: str | None = None, table: Table | None = None) -> dict[str, Any]:
    page = list_scoped(KIND, scopes_for(caller, Kind.COMPLAINT), cursor=cursor, limit=limit,
                       accept=(lambda i: i.get("status") == status) if status else None,
                       table=table)
    items = [json_ready({k: i.get(k) for k in SUMMARY}) | {
        "status_label": STATUS_LABELS[CaseStatus(i["status"])],
        "kind_label": clocks.CaseKind(i["kind"]).label_vi} for i in page.items]
    return {"items": items, "cursor": page.cursor}


def lookup(code: str, phone_last4: str, table: Table | None = None) -> dict[str, Any]:
    """Public: status and dates only. A wrong phone answers like an unknown code."""
    table = table or Table()
    page = table.query(f"CASECODE#{code.strip().upper()}", index="gsi1", limit=1)
    case = page.items[0] if page.items else None
    expected = str(case.get("phone_last4") or "") if case else ""
    # Compared in constant time so that the answer's timing says nothing either.
    if case is None or not hashlib.sha256(expected.encode()).digest() == hashlib.sha256(
            phone_last4.encode()).digest() or len(phone_last4) != 4:
        raise NotFound("Không tìm thấy đơn với mã và số điện thoại này.",
                       "No case with this code and phone number.")
    return {"code": case["code"], "kind_label": clocks.CaseKind(case["kind"]).label_vi,
            "status": case["status"], "status_label": STATUS_LABELS[CaseStatus(case["status"])],
            "received": _local_day(case["received_at"]),
            "deadline": _local_day(case.get("deadline")),
            "settled": _local_day(case.get("settled_at"))}


# ---------------------------------------------------------------- decisions

def _changing(caller: Caller, case_id: str, table: Table, allowed: set[CaseStatus],
              action_vi: str) -> dict[str, Any]:
    case = load_case(caller, case_id, table)
    if CaseStatus(case["status"]) not in allowed:
        raise Conflict(f"Không thể {action_vi}: đơn đang ở trạng thái "
                       f"“{STATUS_LABELS[CaseStatus(case['status'])]}”.",
                       f"Cannot {action_vi} in state {case['status']}.", "invalid_state")
    return case


def _close_desk_work(case: dict[str, Any], table: Table) -> list[dict[str, Any]]:
    """The desk's acceptance work ends with its decision."""
    from chalicelib.work.items import closed

    desk = case.get("desk_unit")
    work = table.get(f"CASE#{case['id']}", f"WORK#UNIT#{desk}") if desk else None
    if work is None or work["status"] != WorkStatus.OPEN.value or work.get("instruction") != \
            "Xem xét, thụ lý đơn":
        return []
    return [put_op(closed(work, WorkStatus.DONE, completed_at=iso(utcnow())))]


def _commit(caller: Caller, before: dict[str, Any], after: dict[str, Any], table: Table,
            action: str, summary: str, *, notify: str | None = None,
            counters: dict[str, int] | None = None,
            extra_ops: list[dict[str, Any]] | tuple[()] = (),
            **mail_extra: Any) -> dict[str, Any]:
    uow = UnitOfWork(table)
    saved = _save(uow, before, _refresh(after))
    for op in extra_ops:
        uow.add(op)
    if counters:
        _count(uow, before["kind"], **counters)
    audit.append(uow, audit.head_of(chain_of(before["id"]), table), caller, action,
                 summary=summary)
    if notify:
        person = table.get(f"CASE#{before['id']}", "PERSON") or {}
        if person.get("email"):
            uow.emit(_mail(saved, person, notify, **mail_extra))
    uow.commit()
    return saved


def classify(caller: Caller, case_id: str, *, kind: str, complexity: str, remote: bool,
             multi_site: bool, second_of: str | None, decision_date: date | None,
             table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    if not caller.roles & INTAKE_ROLES:
        raise Forbidden()
    case = _changing(caller, case_id, table, {CaseStatus.RECEIVED}, "phân loại đơn")
    second = False
    if second_of:
        first = load_case(caller, second_of, table)
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
    ops: list[dict[str, Any]] = []
    if was != kind:
        # The counters follow the case into its new kind, in the same transaction.
        ops = [update_op(f"STATS#complaint#{was}", "TOTAL", "ADD #r :m, #o :m",
                         names={"#r": "received", "#o": "open"}, values={":m": -1}),
               update_op(f"STATS#complaint#{kind}", "TOTAL", "ADD #r :p, #o :p",
                         names={"#r": "received", "#o": "open"}, values={":p": 1})]
    return _commit(caller, case, after, table, "complaint.classify",
                   f"Phân loại: {clocks.CaseKind(kind).label_vi}, "
                   f"{clocks.Complexity(complexity).label_vi}"
                   + (", vùng sâu vùng xa" if remote else ""), extra_ops=ops)


def accept(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    if not caller.roles & INTAKE_ROLES:
        raise Forbidden()
    case = _changing(caller, case_id, table, {CaseStatus.RECEIVED}, "thụ lý")
    if case["kind"] == "complaint":
        if not case.get("decision_date"):
            raise InvalidInput("Cần ngày nhận được quyết định bị khiếu nại để kiểm tra thời "
                               "hiệu.", "The decision date is needed to check the time limit.",
                               "decision_date_required",
                               [FieldProblem("decision_date", "Chưa có.", "Missing.")])
        in_time, last = clocks.lodged_in_time(_facts(case), calendar=agency_calendar())
        if not in_time:
            raise InvalidInput(
                f"Khiếu nại đã quá thời hiệu (hạn cuối {last:%d/%m/%Y}); không thụ lý, "
                "hãy trả lời không thụ lý kèm lý do.",
                "The complaint is out of time; refuse it with the reason.", "out_of_time",
                [FieldProblem("decision_date", "Quá thời hiệu khiếu nại.", "Out of time.")])
    after = {**case, "status": CaseStatus.ACCEPTED.value, "accepted_at": iso(utcnow()),
             "accepted_by": caller.username,
             "people": sorted(set(case["people"]) | {caller.username})}
    return _commit(caller, case, after, table, "complaint.accept", "Thụ lý đơn",
                   extra_ops=_close_desk_work(case, table), notify="complaint_notice",
                   message="Đơn của ông/bà đã được thụ lý giải quyết.")


def transfer(caller: Caller, case_id: str, *, to: str, reason: str,
             table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    if not caller.roles & INTAKE_ROLES:
        raise Forbidden()
    case = _changing(caller, case_id, table, {CaseStatus.RECEIVED}, "chuyển đơn")
    late = bool(case.get("clocks", {}).get("transfer_by")) and iso(utcnow()) > \
        case["clocks"]["transfer_by"]
    after = {**case, "status": CaseStatus.TRANSFERRED.value, "transferred_to": to,
             "transfer_reason": reason, "finished_at": iso(utcnow()), "late": late}
    return _commit(caller, case, after, table, "complaint.transfer",
                   f"Chuyển đơn đến {to}: {reason}", notify="complaint_notice",
                   extra_ops=_close_desk_work(case, table),
                   counters={"open": -1, "transferred": 1},
                   message=f"Đơn không thuộc thẩm quyền giải quyết của Sở và đã được chuyển "
                           f"đến {to}. Lý do: {reason}")


def refuse(caller: Caller, case_id: str, *, reason: str, table: Table | None = None
           ) -> dict[str, Any]:
    table = table or Table()
    if not caller.roles & INTAKE_ROLES:
        raise Forbidden()
    case = _changing(caller, case_id, table, {CaseStatus.RECEIVED}, "từ chối thụ lý")
    after = {**case, "status": CaseStatus.REFUSED.value, "refuse_reason": reason,
             "finished_at": iso(utcnow())}
    return _commit(caller, case, after, table, "complaint.refuse", f"Không thụ lý: {reason}",
                   notify="complaint_notice", counters={"open": -1, "refused": 1},
                   extra_ops=_close_desk_work(case, table),
                   message=f"Đơn không được thụ lý. Lý do: {reason}")


def merge(caller: Caller, case_id: str, *, into: str, table: Table | None = None
          ) -> dict[str, Any]:
    table = table or Table()
    if not caller.roles & INTAKE_ROLES:
        raise Forbidden()
    if into == case_id:
        raise InvalidInput("Không gộp đơn vào chính nó.", "A case cannot merge into itself.",
                           "invalid_merge", [FieldProblem("into", "Trùng đơn.", "Same case.")])
    case = _changing(caller, case_id, table, {CaseStatus.RECEIVED}, "gộp đơn")
    target = load_case(caller, into, table)
    if CaseStatus(target["status"]) in FINISHED:
        raise Conflict("Đơn được gộp vào đã kết thúc.", "The target case is finished.",
                       "invalid_state")
    after = {**case, "status": CaseStatus.MERGED.value, "merged_into": into,
             "merged_into_code": target["code"], "finished_at": iso(utcnow())}
    return _commit(caller, case, after, table, "complaint.merge",
                   f"Gộp vào đơn {target['code']}", counters={"open": -1, "merged": 1},
                   extra_ops=_close_desk_work(case, table),
                   notify="complaint_notice",
                   message=f"Đơn trùng nội dung với đơn {target['code']} và được giải quyết "
                           "cùng đơn đó.")


def assign(caller: Caller, case_id: str, *, unit: str, officer: str | None,
           table: Table | None = None) -> dict[str, Any]:
    """A leader gives the case to a unit (and officer); the head of that unit names
    the officer. The work item carries the legal deadline into "my work"."""
    from chalicelib.work.items import work_item

    table = table or Table()
    case = _changing(caller, case_id, table, {CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS},
                     "giao giải quyết")
    if Role.LEADER not in caller.roles and not (
            Role.UNIT_HEAD in caller.roles and caller.unit == case.get("unit") == unit):
        raise Forbidden()
    if table.get(f"UNIT#{unit}", "UNIT") is None:
        raise InvalidInput("Không có đơn vị này.", "No such unit.", "invalid_unit",
                           [FieldProblem("unit", "Không tồn tại.", "Does not exist.")])
    if officer:
        profile = table.get(f"USER#{officer}", "PROFILE")
        if profile is None or profile.get("status") != "active" or profile.get("unit") != unit:
            raise InvalidInput("Cán bộ không thuộc đơn vị đã chọn.",
                               "The officer is not in the chosen unit.", "invalid_officer",
                               [FieldProblem("officer", "Không thuộc đơn vị.",
                                             "Not in the unit.")])
    now = utcnow()
    refreshed = _refresh(case)
    deadline = refreshed["clocks"].get("settle_by")
    handling = case.get("handling_deadline")
    if not deadline:
        if not handling:
            handling = iso(agency_calendar().add_working_days(now, PETITION_DAYS))
        deadline = handling
    ops: list[dict[str, Any]] = []
    for old in table.query(f"CASE#{case_id}", sk_prefix="WORK#", limit=50).items:
        if old["status"] == WorkStatus.OPEN.value:
            ops.append({"Delete": {"Key": {"pk": old["pk"], "sk": old["sk"]}}})
    subject = {"id": case_id, "trich_yeu": f"{case['code']}: {case['summary'][:120]}"}
    assignee = f"U#{officer}" if officer else f"UNIT#{unit}"
    work = work_item(subject, assignee, Part.LEAD, "Giải quyết đơn", instant(deadline),
                      caller.username, unit, parent="CASE")
    ops = [o for o in ops if o["Delete"]["Key"]["sk"] != work["sk"]] + [put_op(work)]
    people = set(case["people"]) | ({officer} if officer else set())
    after = {**case, "status": CaseStatus.IN_PROGRESS.value, "unit": unit, "officer": officer,
             "units": sorted({unit} | ({case["desk_unit"]} if case.get("desk_unit") else set())),
             "people": sorted(people), "assigned_at": iso(now),
             "assigned_by": caller.username, "handling_deadline": handling}
    return _commit(caller, case, after, table, "complaint.assign",
                   f"Giao {unit}" + (f", cán bộ {officer}" if officer else ""), extra_ops=ops)


def _handler(caller: Caller, case: dict[str, Any]) -> None:
    if caller.username == case.get("officer") or Role.LEADER in caller.roles or (
            Role.UNIT_HEAD in caller.roles and caller.unit == case.get("unit")):
        return
    raise Forbidden("Chỉ người được giao giải quyết (hoặc lãnh đạo) mới thực hiện được.",
                    "Only the assigned officer or a leader can do this.")


def add_note(caller: Caller, case_id: str, *, text: str, note_kind: str = "verification",
             table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    case = _changing(caller, case_id, table, {CaseStatus.IN_PROGRESS}, "ghi nhận")
    _handler(caller, case)
    table.put({"pk": f"CASE#{case_id}", "sk": f"NOTE#{iso(utcnow())}#{uuid.uuid4().hex[:6]}",
               "kind": "case_note", "note_kind": note_kind, "text": text,
               "by": caller.username, "at": iso(utcnow())})
    audit.record(chain_of(case_id), caller, "complaint.note", summary=text[:200], table=table)
    return view(caller, case_id, table)


def extend(caller: Caller, case_id: str, *, days: int, decision: str,
           table: Table | None = None) -> dict[str, Any]:
    """A denunciation's settlement extended, decided in writing (the decision's
    number and date are recorded)."""
    table = table or Table()
    case = _changing(caller, case_id, table, {CaseStatus.IN_PROGRESS}, "gia hạn")
    if Role.LEADER not in caller.roles:
        raise Forbidden("Chỉ lãnh đạo quyết định gia hạn.", "Only a leader extends.")
    after = {**case, "extensions": [*case.get("extensions", []),
                                    {"days": days, "decision": decision, "by": caller.username,
                                     "at": iso(utcnow())}]}
    return _rework(caller, case, after, table, "complaint.extend",
                   f"Gia hạn {days} ngày ({decision})")


def pause(caller: Caller, case_id: str, *, reason: str, table: Table | None = None
          ) -> dict[str, Any]:
    table = table or Table()
    case = _changing(caller, case_id, table, {CaseStatus.IN_PROGRESS}, "tạm đình chỉ")
    if Role.LEADER not in caller.roles:
        raise Forbidden()
    if any(not p.get("end") for p in case.get("pauses") or []):
        raise Conflict("Đơn đang tạm đình chỉ.", "The case is already paused.", "invalid_state")
    after = {**case, "pauses": [*case.get("pauses", []),
                                {"start": iso(utcnow()), "end": None, "reason": reason}]}
    return _rework(caller, case, after, table, "complaint.pause", f"Tạm đình chỉ: {reason}")


def resume(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    case = _changing(caller, case_id, table, {CaseStatus.IN_PROGRESS}, "tiếp tục giải quyết")
    if Role.LEADER not in caller.roles:
        raise Forbidden()
    pauses = [dict(p) for p in case.get("pauses") or []]
    if not pauses or pauses[-1].get("end"):
        raise Conflict("Đơn không tạm đình chỉ.", "The case is not paused.", "invalid_state")
    pauses[-1]["end"] = iso(utcnow())
    return _rework(caller, case, {**case, "pauses": pauses}, table, "complaint.resume",
                   "Tiếp tục giải quyết")


def _rework(caller: Caller, case: dict[str, Any], after: dict[str, Any], table: Table,
            action: str, summary: str) -> dict[str, Any]:
    """A change of the clock moves the open work's deadline with it."""
    from chalicelib.work.items import reindexed

    refreshed = _refresh(after)
    settle = refreshed["clocks"].get("settle_by")
    ops = []
    if settle:
        for work in table.query(f"CASE#{case['id']}", sk_prefix="WORK#", limit=50).items:
            if work["status"] == WorkStatus.OPEN.value:
                ops.append(put_op(reindexed(work, instant(settle))))
    saved = _commit(caller, case, after, table, action, summary, extra_ops=ops)
    return {**_public(saved), "actions": _actions(caller, saved)}


def draft_answer(caller: Caller, case_id: str, *, signer: str, authority: str, body: str,
                 s3: Any, bucket: str, table: Table | None = None) -> dict[str, Any]:
    """The settlement decision or answer as an outgoing document: once issued, the
    person gets it by e-mail and the case is settled (services/complaint_steps.py).
    The person's address stays on the case: it never enters the outgoing record."""
    from chalicelib.outgoing import service as outgoing

    table = table or Table()
    case = _changing(caller, case_id, table, {CaseStatus.IN_PROGRESS}, "soạn văn bản giải quyết")
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
    table.update(f"OUT#{draft['id']}", "OUT", "SET complaint_id = :c, version = version + :o",
                 values={":c": case_id, ":o": 1})
    composed = outgoing.compose_version(
        caller, draft["id"], body=body, recipients=["Người gửi đơn;", "Lưu: VT, hồ sơ đơn."],
        s3=s3, bucket=bucket, table=table)
    fresh = table.get(f"CASE#{case_id}", "CASE", consistent=True) or case
    uow = UnitOfWork(table)
    _save(uow, fresh, {**fresh, "answer_id": draft["id"]})
    audit.append(uow, audit.head_of(chain_of(case_id), table), caller, "complaint.answer_draft",
                 summary=f"Soạn văn bản giải quyết ({type_code})")
    uow.commit()
    return composed


def close(caller: Caller, case_id: str, table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    case = _changing(caller, case_id, table, {CaseStatus.SETTLED}, "kết thúc")
    _handler(caller, case)
    after = {**case, "status": CaseStatus.CLOSED.value, "closed_at": iso(utcnow())}
    return _commit(caller, case, after, table, "complaint.close", "Kết thúc hồ sơ đơn")


def settle_from_answer(case_id: str, outgoing_doc: dict[str, Any], table: Table) -> bool:
    """The answer was issued: the case is settled, on time or late, and counted."""
    case = table.get(f"CASE#{case_id}", "CASE", consistent=True)
    if case is None or case["status"] != CaseStatus.IN_PROGRESS.value:
        return False
    now = utcnow()
    deadline = case.get("deadline")
    on_time = not deadline or iso(now) <= deadline
    after = {**case, "status": CaseStatus.SETTLED.value, "settled_at": iso(now),
             "on_time": on_time, "answer_number": outgoing_doc.get("number_text"),
             "answer_issued_key": outgoing_doc.get("issued_key")}
    from chalicelib.work.items import closed

    ops = [put_op(closed(w, WorkStatus.DONE, completed_at=iso(now)))
           for w in table.query(f"CASE#{case_id}", sk_prefix="WORK#", limit=50).items
           if w["status"] == WorkStatus.OPEN.value]
    uow = UnitOfWork(table)
    _save(uow, case, after)
    for op in ops:
        uow.add(op)
    _count(uow, case["kind"], open=-1, **({"settled_on_time": 1} if on_time
                                          else {"settled_late": 1}))
    audit.append(uow, audit.head_of(chain_of(case_id), table), None, "complaint.settled",
                 summary=f"Đã ban hành văn bản giải quyết {outgoing_doc.get('number_text')}",
                 actor="system")
    uow.commit()
    return True


# ---------------------------------------------------------------- dashboard

def dashboard(caller: Caller, table: Table | None = None) -> dict[str, Any]:
    """Leaders: counts by kind from counters; open cases by unit, due soon and
    overdue from the open-work index (only cases' work), never a scan."""
    if Role.LEADER not in caller.roles:
        raise Forbidden()
    table = table or Table()
    kinds = []
    for kind in clocks.CaseKind:
        item = table.get(f"STATS#complaint#{kind.value}", "TOTAL") or {}
        kinds.append({"kind": kind.value, "label": kind.label_vi,
                      **{k: int(item.get(k) or 0) for k in (
                          "received", "open", "settled_on_time", "settled_late",
                          "transferred", "refused", "merged")}})
    cal, now = agency_calendar(), utcnow()
    soon = cal.add_working_days(now, 3)
    by_unit: dict[str, dict[str, int]] = {}
    due_soon = overdue = 0
    start: dict[str, Any] | None = None
    while True:
        # Open work due before the end of the due-soon window, in deadline order;
        # the cases' work is picked out of the shared index.
        items, start = table.query_range("OPENWORK", index="gsi3", low=None,
                                         below=f"{iso(soon)}~", start=start, limit=500)
        for work in items:
            if not work["pk"].startswith("CASE#"):
                continue
            unit = str(work.get("unit") or "")
            row = by_unit.setdefault(unit, {"due_soon": 0, "overdue": 0})
            if work["deadline"] < iso(now):
                row["overdue"] += 1
                overdue += 1
            else:
                row["due_soon"] += 1
                due_soon += 1
        if not start:
            break
    return {"kinds": kinds, "due_soon": due_soon, "overdue": overdue,
            "units": [{"unit": u, **v} for u, v in sorted(by_unit.items())]}


def dashboard_rows(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = ["Loại đơn", "Đã nhận", "Đang giải quyết", "Giải quyết đúng hạn",
              "Giải quyết quá hạn", "Đã chuyển", "Không thụ lý", "Đã gộp"]
    rows = [[k["label"], *(str(k[c]) for c in ("received", "open", "settled_on_time",
                                               "settled_late", "transferred", "refused",
                                               "merged"))] for k in data["kinds"]]
    return header, rows


def dialogue(caller: Caller, case_id: str, *, start: datetime, end: datetime, place: str,
             table: Table | None = None) -> dict[str, Any]:
    """A dialogue meeting (đối thoại) with the complainant: a meeting of the
    calendar, the person invited by e-mail as a guest, noted on the case."""
    from chalicelib.meetings import service as meetings

    table = table or Table()
    case = _changing(caller, case_id, table, {CaseStatus.IN_PROGRESS}, "tổ chức đối thoại")
    _handler(caller, case)
    if case["kind"] != "complaint":
        raise InvalidInput("Đối thoại chỉ áp dụng khi giải quyết khiếu nại.",
                           "Dialogue applies to complaints only.", "invalid_case")
    person = table.get(f"CASE#{case_id}", "PERSON") or {}
    guests = [meetings.Guest(email=person["email"], name=person["name"])] \
        if person.get("email") else []
    participants = [case["officer"]] if case.get("officer") and \
        case["officer"] != caller.username else []
    meeting = meetings.create(caller, meetings.MeetingInput(
        title=f"Đối thoại giải quyết khiếu nại (đơn {case['code']})", start=start, end=end,
        place=place, participants=participants, guests=guests), table)
    table.put({"pk": f"CASE#{case_id}", "sk": f"NOTE#{iso(utcnow())}#{uuid.uuid4().hex[:6]}",
               "kind": "case_note", "note_kind": "dialogue",
               "text": f"Lịch đối thoại: {meeting['when']}, {place}",
               "meeting_id": meeting["id"], "by": caller.username, "at": iso(utcnow())})
    audit.record(chain_of(case_id), caller, "complaint.dialogue",
                 summary=f"Lên lịch đối thoại {meeting['when']}", table=table)
    return view(caller, case_id, table)

"""Distribution and handling of an incoming document.

Work on a document is one item per assignee under the document:
``DOC#{id}/WORK#UNIT#{code}`` for a unit, ``DOC#{id}/WORK#U#{username}`` for an
officer. Open work is also in two sparse indexes, written and removed with it:
gsi2 ``WORK#{assignee}`` (what one unit or person has to do, by deadline) and
gsi3 ``OPENWORK`` (all open work by deadline, which the reminder jobs read
without touching finished work). Every step is one transaction with its audit
entry; the document's version guards against two people acting at once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from chalicelib.adapters.dynamo import Table, put_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.audit import trail as audit
from chalicelib.calendar.service import agency_calendar
from chalicelib.incoming.rules import DocStatus
from chalicelib.incoming.service import chain_of, load_visible, public_view, replace_entries
from chalicelib.kernel.access import Secrecy
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.organisation.service import heads_of
from chalicelib.work.items import closed, work_item
from chalicelib.work.rules import Part, WorkStatus, check_deadline, timeliness


def _save_doc(uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
    version = int(before.get("version", 1))
    after["version"] = version + 1
    after["updated_at"] = iso(utcnow())
    uow.add(put_op(after, condition="#v = :v", names={"#v": "version"}, values={":v": version}))
    replace_entries(uow, before, after)


def work_of(doc_id: str, table: Table | None = None) -> list[dict[str, Any]]:
    return (table or Table()).query(f"DOC#{doc_id}", sk_prefix="WORK#", limit=200).items


def _units(table: Table) -> dict[str, dict[str, Any]]:
    from chalicelib.organisation.service import list_units

    return {u["code"]: u for u in list_units(table)}


def distribute(caller: Caller, doc_id: str, *, lead_unit: str, lead_deadline: datetime | date,
               supporting: list[tuple[str, datetime | date]], instruction: str,
               version: int, table: Table | None = None) -> dict[str, Any]:
    """The leader's direction: lead unit, supporting units, instruction, deadlines."""
    table = table or Table()
    before = load_visible(caller, doc_id, table)
    if int(before.get("version", 1)) != version:
        raise Conflict()
    if before.get("status") != DocStatus.REGISTERED.value:
        raise Conflict("Văn bản đã được phân phối.", "The document was already distributed.",
                       "already_distributed")
    units = _units(table)
    problems = [FieldProblem(f"supporting.{i}.unit", "Không tồn tại.", "Does not exist.")
                for i, (code, _) in enumerate(supporting) if code not in units]
    if lead_unit not in units:
        problems.insert(0, FieldProblem("lead_unit", "Không tồn tại.", "Does not exist."))
    if any(code == lead_unit for code, _ in supporting):
        problems.append(FieldProblem("supporting", "Đơn vị chủ trì không đồng thời phối hợp.",
                                     "The lead unit cannot also support."))
    if problems:
        raise InvalidInput("Phân phối không hợp lệ.", "Invalid distribution.",
                           "invalid_distribution", problems)
    cal = agency_calendar()
    now = utcnow()
    lead_due = check_deadline(cal, now, lead_deadline, "lead_deadline")
    support_due = [(code, check_deadline(cal, now, due, f"supporting.{i}.deadline"))
                   for i, (code, due) in enumerate(supporting)]
    after = {**before, "status": DocStatus.DISTRIBUTED.value, "instruction": instruction,
             "lead_unit": lead_unit, "deadline": iso(lead_due),
             "units": sorted({lead_unit, *(c for c, _ in supporting)}),
             "distributed_by": caller.username, "distributed_at": iso(now)}
    if before.get("do_mat"):
        # A secret document reaches the units' heads by name, never through the unit lists.
        heads = heads_of(table, [lead_unit, *(c for c, _ in supporting)])
        after["people"] = sorted({*(before.get("people") or []), *heads})
    uow = UnitOfWork(table)
    _save_doc(uow, before, after)
    uow.add(put_op(work_item(after, f"UNIT#{lead_unit}", Part.LEAD, instruction, lead_due,
                              caller.username, lead_unit)))
    for code, due in support_due:
        uow.add(put_op(work_item(after, f"UNIT#{code}", Part.SUPPORT, instruction, due,
                                  caller.username, code)))
    for code in after["units"]:
        # The unit's own incoming register (by year, in số đến order).
        uow.add(put_op({
            "pk": f"DOC#{doc_id}", "sk": f"UNITREG#{code}", "kind": "unit_register",
            "doc_id": doc_id, "gsi3pk": f"REGISTER#incoming#{after['year']}#UNIT#{code}",
            "gsi3sk": f"{int(after['so_den']):08d}"}))
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "incoming.distribute",
                 summary=f"Giao {units[lead_unit]['name']} chủ trì",
                 after={"lead_unit": lead_unit, "deadline": iso(lead_due),
                        "supporting": [{"unit": c, "deadline": iso(d)} for c, d in support_due],
                        "instruction": instruction})
    uow.emit(DomainEvent("incoming.distributed", chain_of(doc_id),
                         {"id": doc_id, "units": after["units"]}))
    uow.commit()
    return public_view(after)


def assign(caller: Caller, doc_id: str, *, officers: list[tuple[str, Part]],
           deadline: datetime | date | None, instruction: str, version: int,
           table: Table | None = None) -> dict[str, Any]:
    """The head of unit hands the unit's part to officers of the unit."""
    table = table or Table()
    before = load_visible(caller, doc_id, table)
    if int(before.get("version", 1)) != version:
        raise Conflict()
    if Role.UNIT_HEAD not in caller.roles or not caller.unit:
        raise Forbidden()
    unit_work = table.get(f"DOC#{doc_id}", f"WORK#UNIT#{caller.unit}", consistent=True)
    if unit_work is None or unit_work["status"] != WorkStatus.OPEN.value:
        raise InvalidInput("Đơn vị của bạn không có phần việc đang mở trên văn bản này.",
                           "Your unit has no open part in this document.", "no_unit_work")
    from chalicelib.organisation.service import list_users

    members = {u["username"] for u in list_users(caller.unit, table) if u["status"] == "active"}
    outside = [FieldProblem(f"officers.{i}.username", "Không thuộc đơn vị của bạn.",
                            "Not a member of your unit.")
               for i, (name, _) in enumerate(officers) if name not in members]
    if outside:
        raise InvalidInput("Chỉ giao việc cho cán bộ trong đơn vị.",
                           "Assign work to members of your unit only.", "assignee_out_of_scope",
                           outside)
    unit_due = instant(unit_work["deadline"])
    assert unit_due is not None
    due = unit_due if deadline is None else check_deadline(agency_calendar(), utcnow(), deadline,
                                                           "deadline")
    if due > unit_due:
        raise InvalidInput("Hạn giao cán bộ không được sau hạn của đơn vị.",
                           "An officer's deadline cannot be later than the unit's.",
                           "invalid_deadline",
                           [FieldProblem("deadline", "Sau hạn của đơn vị.",
                                         "Later than the unit's deadline.")])
    after = {**before, "status": DocStatus.IN_PROGRESS.value,
             "people": sorted({*(before.get("people") or []), *(n for n, _ in officers)})}
    uow = UnitOfWork(table)
    _save_doc(uow, before, after)
    for name, part in officers:
        uow.add(put_op(work_item(after, f"U#{name}", part, instruction, due, caller.username,
                                  caller.unit)))
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "incoming.assign",
                 summary="Giao cán bộ xử lý",
                 after={"officers": [{"username": n, "part": p.value} for n, p in officers],
                        "deadline": iso(due), "instruction": instruction})
    uow.emit(DomainEvent("incoming.assigned", chain_of(doc_id),
                         {"id": doc_id, "officers": [n for n, _ in officers]}))
    uow.commit()
    return public_view(after)


def _my_open_work(caller: Caller, doc_id: str, table: Table) -> dict[str, Any]:
    work = table.get(f"DOC#{doc_id}", f"WORK#U#{caller.username}", consistent=True)
    if work is None or work["status"] != WorkStatus.OPEN.value:
        # Seeing a document is not being assigned to it: acting on it is forbidden.
        err = Forbidden("Bạn không có phần việc đang mở trên văn bản này.",
                        "You have no open work on this document.")
        err.code = "no_open_work"
        raise err
    return work


def add_note(caller: Caller, doc_id: str, kind: str, text: str, *,
             progress: int | None = None, table: Table | None = None) -> dict[str, Any]:
    """An opinion (anyone who sees the document) or a progress report (its officers)."""
    table = table or Table()
    load_visible(caller, doc_id, table)
    uow = UnitOfWork(table)
    if kind == "progress":
        work = _my_open_work(caller, doc_id, table)
        assert progress is not None
        uow.add(put_op({**work, "progress": progress, "version": int(work["version"]) + 1},
                       condition="#v = :v", names={"#v": "version"},
                       values={":v": int(work["version"])}))
    now = iso(utcnow())
    note = {"pk": f"DOC#{doc_id}", "sk": f"NOTE#{now}#{uuid.uuid4().hex[:8]}", "kind": "note",
            "note_kind": kind, "author": caller.username, "author_name": caller.full_name,
            "text": text, "progress": progress, "at": now}
    uow.add(put_op(note))
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, f"incoming.{kind}",
                 summary=text[:200], after={"progress": progress} if progress is not None
                 else None)
    uow.commit()
    return {k: note[k] for k in ("note_kind", "author", "author_name", "text", "progress", "at")}


def send_back(caller: Caller, doc_id: str, reason: str, *, to: str | None = None,
              table: Table | None = None) -> dict[str, Any]:
    """Return the work to the head of unit (``to`` None) or pass it to a colleague."""
    table = table or Table()
    doc = load_visible(caller, doc_id, table)
    work = _my_open_work(caller, doc_id, table)
    uow = UnitOfWork(table)
    uow.add(put_op(closed(work, WorkStatus.RETURNED, result=reason, completed_at=iso(utcnow())),
                   condition="#v = :v", names={"#v": "version"},
                   values={":v": int(work["version"])}))
    action = "incoming.return"
    if to is not None:
        from chalicelib.organisation.service import list_users

        members = {u["username"] for u in list_users(work["unit"], table)
                   if u["status"] == "active"}
        if to not in members or to == caller.username:
            raise InvalidInput("Chỉ chuyển cho cán bộ khác trong cùng đơn vị.",
                               "Pass the work to another member of the same unit.",
                               "assignee_out_of_scope",
                               [FieldProblem("to", "Không hợp lệ.", "Not allowed.")])
        due = instant(work["deadline"])
        assert due is not None
        moved = work_item(doc, f"U#{to}", Part(work["part"]), work["instruction"], due,
                           caller.username, work["unit"])
        uow.add(put_op(moved, condition="attribute_not_exists(pk) OR #s <> :open",
                       names={"#s": "status"}, values={":open": WorkStatus.OPEN.value}))
        after = {**doc, "people": sorted({*(doc.get("people") or []), to})}
        _save_doc(uow, doc, after)
        action = "incoming.transfer"
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, action,
                 summary=reason[:200], after={"to": to})
    uow.emit(DomainEvent(action, chain_of(doc_id), {"id": doc_id, "to": to}))
    uow.commit()
    return {"ok": True}


def complete(caller: Caller, doc_id: str, result: str, *, answer: str | None = None,
             table: Table | None = None) -> dict[str, Any]:
    """An officer completes their part. The lead officer's completion completes the
    unit's part, and the lead unit's completes the document."""
    table = table or Table()
    doc = load_visible(caller, doc_id, table)
    work = _my_open_work(caller, doc_id, table)
    now = iso(utcnow())
    uow = UnitOfWork(table)
    uow.add(put_op(closed(work, WorkStatus.DONE, result=result, answer=answer, completed_at=now,
                           progress=100),
                   condition="#v = :v", names={"#v": "version"},
                   values={":v": int(work["version"])}))
    deadline = instant(work.get("deadline"))
    if deadline is not None and work.get("unit"):
        from chalicelib.work.service import count_completion

        state = timeliness(agency_calendar(), deadline, utcnow(), utcnow())
        uow.add(count_completion(work["unit"], state.code,
                                 utcnow().astimezone(agency_calendar().tz).date()))
    finished_doc = False
    if work["part"] == Part.LEAD.value:
        unit_work = table.get(f"DOC#{doc_id}", f"WORK#UNIT#{work['unit']}", consistent=True)
        if unit_work is not None and unit_work["status"] == WorkStatus.OPEN.value:
            uow.add(put_op(closed(unit_work, WorkStatus.DONE, result=result, answer=answer,
                                   completed_at=now, progress=100),
                           condition="#v = :v", names={"#v": "version"},
                           values={":v": int(unit_work["version"])}))
            if unit_work["part"] == Part.LEAD.value:
                finished_doc = True
    if finished_doc:
        after = {**doc, "status": DocStatus.COMPLETED.value, "completed_at": now,
                 "result": result, "answer": answer}
        _save_doc(uow, doc, after)
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "incoming.complete",
                 summary=result[:200], after={"answer": answer, "document_completed":
                                              finished_doc})
    uow.emit(DomainEvent("incoming.completed" if finished_doc else "incoming.part_completed",
                         chain_of(doc_id), {"id": doc_id}))
    uow.commit()
    return {"document_completed": finished_doc}


def handling_view(caller: Caller, doc_id: str, table: Table | None = None) -> dict[str, Any]:
    """Who has which part, with its deadline status, and the opinions given."""
    table = table or Table()
    doc = load_visible(caller, doc_id, table)
    cal = agency_calendar()
    now = utcnow()
    parts = []
    for work in work_of(doc_id, table):
        deadline = instant(work.get("deadline"))
        state = timeliness(cal, deadline, now, instant(work.get("completed_at")))
        parts.append({
            "assignee": work["assignee"], "unit": work["unit"], "part": work["part"],
            "instruction": work.get("instruction", ""), "deadline": work.get("deadline"),
            "status": work["status"], "progress": int(work.get("progress") or 0),
            "result": work.get("result"), "answer": work.get("answer"),
            "completed_at": work.get("completed_at"), "assigned_by": work.get("assigned_by"),
            "timeliness": state.code, "timeliness_label": state.label,
        })
    notes = table.query(f"DOC#{doc_id}", sk_prefix="NOTE#", limit=500).items
    return {
        "document": public_view(doc),
        "instruction": doc.get("instruction"), "lead_unit": doc.get("lead_unit"),
        "deadline": doc.get("deadline"), "parts": parts,
        "notes": [{k: n.get(k) for k in ("note_kind", "author", "author_name", "text",
                                         "progress", "at")} for n in notes],
        "secret": doc.get("do_mat") != Secrecy.NONE.value and bool(doc.get("do_mat")),
    }

"""Tasks (công việc) a leader or a head of unit gives directly: lead and
supporting assignees, a deadline on working days, priority, progress, extension
requests the assigner approves or refuses, completion with a result, reopening.

A task is ``TASK#{id}/TASK`` with list entries per scope (partition
``{scope}#task``) and one work item per assignee of the same shape as a
document's, so that my-work lists, the digest and escalation see them too.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamo import Table, put_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.adapters.scoped_lists import list_scoped, partition
from chalicelib.audit import trail as audit
from chalicelib.calendar.service import agency_calendar
from chalicelib.kernel.access import ItemAccess, Kind, can_view, item_scopes, scopes_for
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.work.items import closed, reindexed, work_item
from chalicelib.work.rules import Part, WorkStatus, check_deadline, timeliness

KIND = Kind.TASK.value
# Policy: an extension adds at most this many working days to the current deadline.
MAX_EXTENSION_DAYS = Decimal(10)
PRIORITIES = ("normal", "high", "urgent")
SUMMARY = ("id", "title", "priority", "status", "deadline", "created_by", "created_at")


def chain_of(task_id: str) -> str:
    return f"task:{task_id}"


def _access(task: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.TASK, units=frozenset(task.get("units") or []),
                      people=frozenset(task.get("people") or []))


def _entries(task: dict[str, Any]) -> list[dict[str, Any]]:
    summary = {k: task.get(k) for k in SUMMARY}
    return [{"pk": f"TASK#{task['id']}", "sk": f"SCOPE#{scope}", "kind": "scope_entry",
             "gsi1pk": partition(scope, KIND), "gsi1sk": f"{task['created_at']}#{task['id']}",
             **summary} for scope in sorted(item_scopes(_access(task)))]


def _assignee(name: str, table: Table) -> tuple[str, str]:
    """("U#name" | "UNIT#code", unit) for a username or a unit code."""
    profile = table.get(f"USER#{name}", "PROFILE")
    if profile is not None and profile.get("status") == "active":
        return f"U#{name}", str(profile.get("unit") or "")
    if table.get(f"UNIT#{name}", "UNIT") is not None:
        return f"UNIT#{name}", name
    raise ValueError(name)


def create(caller: Caller, *, title: str, description: str, lead: str, supporting: list[str],
           deadline: date | datetime, priority: str, table: Table | None = None
           ) -> dict[str, Any]:
    table = table or Table()
    if not caller.roles & {Role.LEADER, Role.UNIT_HEAD}:
        raise Forbidden()
    problems: list[FieldProblem] = []
    assignees: list[tuple[str, str, Part]] = []
    named = [lead, *supporting]
    for i, name in enumerate(supporting):
        if name in named[: i + 1]:
            problems.append(FieldProblem(f"supporting.{i}", "Đã có trong danh sách.",
                                         "Listed twice."))
    for path, name, part in [("lead", lead, Part.LEAD)] + [
            (f"supporting.{i}", n, Part.SUPPORT) for i, n in enumerate(supporting)]:
        try:
            who, unit = _assignee(name, table)
        except ValueError:
            problems.append(FieldProblem(path, "Không có người hoặc đơn vị này.",
                                         "No such person or unit."))
            continue
        # A head of unit directs their own unit only; leaders direct anyone.
        if Role.LEADER not in caller.roles and unit != caller.unit:
            problems.append(FieldProblem(path, "Ngoài phạm vi đơn vị của bạn.",
                                         "Outside your unit."))
            continue
        if all(w != who for w, _, _ in assignees):
            assignees.append((who, unit, part))
    if problems:
        raise InvalidInput("Không giao được việc cho người hoặc đơn vị đã chọn.",
                           "The work cannot be assigned as chosen.", "assignee_out_of_scope",
                           problems)
    due = check_deadline(agency_calendar(), utcnow(), deadline, "deadline")
    task_id = uuid.uuid4().hex
    now = iso(utcnow())
    task = {
        "pk": f"TASK#{task_id}", "sk": "TASK", "kind": "task", "id": task_id, "title": title,
        "description": description, "priority": priority, "status": "open",
        "deadline": iso(due), "created_by": caller.username, "created_at": now,
        "units": sorted({u for w, u, _ in assignees if w.startswith("UNIT#")}),
        "people": sorted({caller.username, *(w[2:] for w, _, _ in assignees
                                            if w.startswith("U#"))}),
        "version": 1,
    }
    uow = UnitOfWork(table)
    uow.add(put_op(task, condition="attribute_not_exists(pk)"))
    for entry in _entries(task):
        uow.add(put_op(entry))
    subject = {"id": task_id, "trich_yeu": title}
    for who, unit, part in assignees:
        uow.add(put_op(work_item(subject, who, part, description, due, caller.username, unit,
                                  parent="TASK")))
    audit.append(uow, audit.ChainHead(chain_of(task_id)), caller, "task.create", summary=title,
                 after={"lead": lead, "supporting": supporting, "deadline": iso(due),
                        "priority": priority})
    uow.emit(DomainEvent("task.created", chain_of(task_id), {"id": task_id}))
    uow.commit()
    return view(caller, task_id, table)


def load_visible(caller: Caller, task_id: str, table: Table) -> dict[str, Any]:
    task = table.get(f"TASK#{task_id}", "TASK", consistent=True)
    if task is None or not can_view(caller, _access(task)):
        raise NotFound()
    return task


def _work(table: Table, task_id: str) -> list[dict[str, Any]]:
    return table.query(f"TASK#{task_id}", sk_prefix="WORK#", limit=200).items


def view(caller: Caller, task_id: str, table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    task = load_visible(caller, task_id, table)
    cal, now = agency_calendar(), utcnow()
    parts = []
    for w in _work(table, task_id):
        deadline = datetime.fromisoformat(w["deadline"].replace("Z", "+00:00"))
        done = w.get("completed_at")
        state = timeliness(cal, deadline, now,
                           datetime.fromisoformat(done.replace("Z", "+00:00")) if done else None)
        parts.append({k: w.get(k) for k in ("assignee", "unit", "part", "deadline", "status",
                                            "progress", "result", "extension")}
                     | {"progress": int(w.get("progress") or 0), "timeliness": state.code,
                        "timeliness_label": state.label})
    return {**{k: task.get(k) for k in (*SUMMARY, "description", "units", "people")},
            "version": int(task["version"]), "parts": parts}


def list_visible(caller: Caller, cursor: str | None = None, limit: int = 20,
                 table: Table | None = None) -> dict[str, Any]:
    page = list_scoped(KIND, scopes_for(caller, Kind.TASK), cursor=cursor, limit=limit,
                       table=table)
    return {"items": [{k: i.get(k) for k in SUMMARY} for i in page.items], "cursor": page.cursor}


def _my_work(caller: Caller, task_id: str, table: Table, status: WorkStatus = WorkStatus.OPEN
             ) -> dict[str, Any]:
    """The caller's own part, or, for a head of unit, the unit's part."""
    work = table.get(f"TASK#{task_id}", f"WORK#U#{caller.username}", consistent=True)
    if (work is None or work["status"] != status.value) and Role.UNIT_HEAD in caller.roles \
            and caller.unit:
        work = table.get(f"TASK#{task_id}", f"WORK#UNIT#{caller.unit}", consistent=True)
    if work is None or work["status"] != status.value:
        err = Forbidden("Bạn không có phần việc đang mở trong công việc này.",
                        "You have no open part in this task.")
        err.code = "no_open_work"
        raise err
    return work


def _versioned(item: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return put_op(new, condition="#v = :v", names={"#v": "version"},
                  values={":v": int(item["version"])})


def report(caller: Caller, task_id: str, *, progress: int, note: str,
           table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    load_visible(caller, task_id, table)
    work = _my_work(caller, task_id, table)
    uow = UnitOfWork(table)
    uow.add(_versioned(work, {**work, "progress": progress, "version": int(work["version"]) + 1}))
    audit.append(uow, audit.head_of(chain_of(task_id), table), caller, "task.progress",
                 summary=note[:200], after={"progress": progress})
    uow.commit()
    return view(caller, task_id, table)


def complete(caller: Caller, task_id: str, result: str, table: Table | None = None
             ) -> dict[str, Any]:
    table = table or Table()
    task = load_visible(caller, task_id, table)
    work = _my_work(caller, task_id, table)
    now = iso(utcnow())
    uow = UnitOfWork(table)
    uow.add(_versioned(work, closed(work, WorkStatus.DONE, result=result, completed_at=now,
                                     progress=100)))
    if work["part"] == Part.LEAD.value:
        uow.add(_versioned(task, {**task, "status": "done", "result": result,
                                  "completed_at": now, "version": int(task["version"]) + 1}))
    audit.append(uow, audit.head_of(chain_of(task_id), table), caller, "task.complete",
                 summary=result[:200])
    uow.emit(DomainEvent("task.completed", chain_of(task_id), {"id": task_id}))
    uow.commit()
    return view(caller, task_id, table)


def request_extension(caller: Caller, task_id: str, *, until: date | datetime, reason: str,
                      table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    load_visible(caller, task_id, table)
    work = _my_work(caller, task_id, table)
    cal = agency_calendar()
    current = datetime.fromisoformat(work["deadline"].replace("Z", "+00:00"))
    wanted = check_deadline(cal, utcnow(), until, "until")
    if wanted <= current:
        raise InvalidInput("Hạn mới phải sau hạn hiện tại.", "The new deadline must be later.",
                           "invalid_deadline", [FieldProblem("until", "Không sau hạn hiện tại.",
                                                             "Not after the current deadline.")])
    if cal.working_days_between(current, wanted) > MAX_EXTENSION_DAYS:
        raise InvalidInput(
            f"Gia hạn tối đa {MAX_EXTENSION_DAYS} ngày làm việc so với hạn hiện tại.",
            f"An extension adds at most {MAX_EXTENSION_DAYS} working days.",
            "extension_too_long",
            [FieldProblem("until", f"Quá {MAX_EXTENSION_DAYS} ngày làm việc.",
                          f"More than {MAX_EXTENSION_DAYS} working days.")])
    extension = {"until": iso(wanted), "reason": reason, "requested_at": iso(utcnow()),
                 "status": "pending"}
    uow = UnitOfWork(table)
    uow.add(_versioned(work, {**work, "extension": extension,
                              "version": int(work["version"]) + 1}))
    audit.append(uow, audit.head_of(chain_of(task_id), table), caller, "task.extension_request",
                 summary=reason[:200], after=extension)
    uow.emit(DomainEvent("task.extension_requested", chain_of(task_id), {"id": task_id}))
    uow.commit()
    return view(caller, task_id, table)


def decide_extension(caller: Caller, task_id: str, *, assignee: str, approve: bool, note: str,
                     table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    task = load_visible(caller, task_id, table)
    if task["created_by"] != caller.username:
        raise Forbidden("Chỉ người giao việc quyết định gia hạn.",
                        "Only the assigner decides an extension.")
    work = table.get(f"TASK#{task_id}", f"WORK#U#{assignee}", consistent=True) or table.get(
        f"TASK#{task_id}", f"WORK#UNIT#{assignee}", consistent=True)  # a person or a unit
    pending = (work or {}).get("extension") or {}
    if work is None or pending.get("status") != "pending":
        raise Conflict("Không có đề nghị gia hạn đang chờ.", "No pending extension request.",
                       "no_pending_extension")
    decided = {**pending, "status": "approved" if approve else "refused", "note": note,
               "decided_by": caller.username, "decided_at": iso(utcnow())}
    if approve:
        new = reindexed(work, datetime.fromisoformat(pending["until"].replace("Z", "+00:00")))
        new["extension"] = decided
    else:
        new = {**work, "extension": decided, "version": int(work["version"]) + 1}
    uow = UnitOfWork(table)
    uow.add(_versioned(work, new))
    audit.append(uow, audit.head_of(chain_of(task_id), table), caller,
                 "task.extension_" + ("approve" if approve else "refuse"), summary=note[:200],
                 before={"deadline": work["deadline"]}, after={"deadline": new["deadline"]})
    uow.commit()
    return view(caller, task_id, table)


def reopen(caller: Caller, task_id: str, reason: str, table: Table | None = None
           ) -> dict[str, Any]:
    table = table or Table()
    task = load_visible(caller, task_id, table)
    if task["created_by"] != caller.username:
        raise Forbidden("Chỉ người giao việc mở lại công việc.",
                        "Only the assigner reopens a task.")
    if task["status"] != "done":
        raise Conflict("Công việc chưa hoàn thành.", "The task is not done.", "not_done")
    lead = next((w for w in _work(table, task_id) if w["part"] == Part.LEAD.value), None)
    if lead is None:
        raise Conflict()
    due = datetime.fromisoformat(task["deadline"].replace("Z", "+00:00"))
    subject = {"id": task_id, "trich_yeu": task["title"]}
    reopened = work_item(subject, lead["assignee"], Part.LEAD, lead.get("instruction", ""),
                          max(due, utcnow()), caller.username, lead["unit"], parent="TASK")
    reopened["version"] = int(lead["version"]) + 1
    uow = UnitOfWork(table)
    uow.add(_versioned(lead, reopened))
    uow.add(_versioned(task, {**task, "status": "open", "version": int(task["version"]) + 1}))
    audit.append(uow, audit.head_of(chain_of(task_id), table), caller, "task.reopen",
                 summary=reason[:200])
    uow.emit(DomainEvent("task.reopened", chain_of(task_id), {"id": task_id}))
    uow.commit()
    return view(caller, task_id, table)

"""Tasks (công việc) a leader or a head of unit gives directly: lead and
supporting assignees, a deadline on working days, priority, progress, extension
requests the assigner approves or refuses, completion with a result, reopening.

Each assignee's part is a work item of the same shape as a document's
(``work.items``), so that my-work lists, the digest and escalation see them too.
The use cases receive their collaborators (the task store, the audit trail, the
directory, the calendar and the clock) from the composition root, so that they
can run against fakes (``tests/unit/test_tasks_use_cases.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.kernel.access import Kind, can_view, scopes_for
from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.folding import filter_words, matches
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail, CalendarSource, Clock, Directory
from chalicelib.work import items
from chalicelib.work.items import closed, reindexed, work_item
from chalicelib.work.pending import Pending, announce
from chalicelib.work.rules import Action, Part, WorkStatus, check_deadline, timeliness
from chalicelib.work.store import count_measure
from chalicelib.work.task_store import SUMMARY, TaskStore, access_of

# Policy: an extension adds at most this many working days to the current deadline.
MAX_EXTENSION_DAYS = Decimal(10)
PRIORITIES = ("normal", "high", "urgent")
PARENT = "TASK"
NOTICE_REQUESTED = "notice.requested"  # the notifications capability tells the person


def link(task_id: str) -> str:
    return f"/app/task?id={task_id}"


def chain_of(task_id: str) -> str:
    return f"task:{task_id}"


@dataclass
class Tasks:
    store: TaskStore
    trail: AuditTrail
    directory: Directory
    calendar: CalendarSource
    pending: Pending
    clock: Clock = utcnow

    def _assignee(self, name: str) -> tuple[str, str]:
        """("U#name" | "UNIT#code", unit) for a username or a unit code."""
        profile = self.directory.user(name)
        if profile is not None and profile.get("status") == "active":
            return items.person(name), str(profile.get("unit") or "")
        if self.directory.unit(name) is not None:
            return items.unit(name), name
        raise ValueError(name)

    def create(self, caller: Caller, *, title: str, description: str, lead: str,
               supporting: list[str], deadline: date | datetime, priority: str
               ) -> dict[str, Any]:
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
                who, unit = self._assignee(name)
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
        InvalidInput.unless_none(problems, "Không giao được việc cho người hoặc đơn vị đã chọn.",
                                 "The work cannot be assigned as chosen.", "assignee_out_of_scope")
        due = check_deadline(self.calendar(), self.clock(), deadline, "deadline")
        task_id = uuid.uuid4().hex
        task = {
            "id": task_id, "title": title, "description": description, "priority": priority,
            "status": "open", "deadline": iso(due), "created_by": caller.username,
            "created_at": iso(self.clock()),
            "units": sorted({u for w, u, _ in assignees if items.is_unit(w)}),
            "people": sorted({caller.username, *(items.name_of(w) for w, _, _ in assignees
                                                if items.is_person(w))}),
            "version": 1,
        }
        subject = {"id": task_id, "trich_yeu": title}
        parts = [work_item(subject, who, part, description, due, caller.username, unit,
                           parent="TASK") for who, unit, part in assignees]
        uow = self.store.unit_of_work()
        self.store.add(uow, task, parts)
        for part in parts:  # each assignee is told (the form promises a mail)
            announce(uow, part)
        # A new task has a new chain: nothing to read.
        self.trail.append(uow, ChainHead(chain_of(task_id)), caller, "task.create",
                          summary=title, after={"lead": lead, "supporting": supporting,
                                                "deadline": iso(due), "priority": priority})
        uow.emit(DomainEvent("task.created", chain_of(task_id), {"id": task_id}))
        uow.commit()
        return self.view(caller, task_id)

    def load_visible(self, caller: Caller, task_id: str) -> dict[str, Any]:
        """The task if the caller may see it; 404 otherwise, so ids cannot be probed."""
        task = self.store.get(task_id)
        if task is None or not can_view(caller, access_of(task)):
            raise NotFound()
        return task

    def view(self, caller: Caller, task_id: str) -> dict[str, Any]:
        task = self.load_visible(caller, task_id)
        cal, now = self.calendar(), self.clock()
        parts = []
        for w in self.store.parts(task_id):
            state = timeliness(cal, instant(w["deadline"]), now, instant(w.get("completed_at")))
            parts.append({k: w.get(k) for k in ("assignee", "unit", "part", "deadline", "status",
                                                "progress", "result", "extension")}
                         | {"progress": int(w.get("progress") or 0), "timeliness": state.code,
                            "timeliness_label": state.label})
        out = {**{k: task.get(k) for k in (*SUMMARY, "description", "units", "people")},
               "version": int(task["version"]), "parts": parts}
        # An approved extension moves a part's deadline: the task is done when its
        # last part is, so its header shows the latest, and what was first given.
        latest = max((instant(p["deadline"]) for p in parts if p.get("deadline")),
                     default=None)
        given = instant(task.get("deadline"))
        if latest is not None and given is not None and latest > given:
            out |= {"deadline": iso(latest), "deadline_given": task["deadline"]}
        return out

    def list_visible(self, caller: Caller, cursor: str | None = None, limit: int = 20,
                     q: str | None = None) -> dict[str, Any]:
        """``q``: words of the title, diacritics ignored."""
        words = filter_words(q)
        page = self.store.page(scopes_for(caller, Kind.TASK), cursor, limit,
                               (lambda i: matches(words, i.get("title"))) if words else None)
        return {"items": [{k: i.get(k) for k in SUMMARY} for i in page.items],
                "cursor": page.cursor}

    def _my_work(self, caller: Caller, task_id: str) -> dict[str, Any]:
        """The caller's own open part, or, for a head of unit, the unit's."""
        work = self.store.part(task_id, items.person(caller.username))
        if (work is None or work["status"] != WorkStatus.OPEN.value) \
                and Role.UNIT_HEAD in caller.roles and caller.unit:
            work = self.store.part(task_id, items.unit(caller.unit))
        if work is None or work["status"] != WorkStatus.OPEN.value:
            raise Forbidden("Bạn không có phần việc đang mở trong công việc này.",
                            "You have no open part in this task.", "no_open_work")
        return work

    def report(self, caller: Caller, task_id: str, *, progress: int, note: str
               ) -> dict[str, Any]:
        self.load_visible(caller, task_id)
        work = self._my_work(caller, task_id)
        uow = self.store.unit_of_work()
        self.store.save_part(uow, work, {**work, "progress": progress,
                                         "version": int(work["version"]) + 1})
        self.trail.append(uow, self.trail.head(chain_of(task_id)), caller, "task.progress",
                          summary=note[:200], after={"progress": progress})
        uow.commit()
        return self.view(caller, task_id)

    def complete(self, caller: Caller, task_id: str, result: str) -> dict[str, Any]:
        task = self.load_visible(caller, task_id)
        work = self._my_work(caller, task_id)
        now = iso(self.clock())
        uow = self.store.unit_of_work()
        self.store.save_part(uow, work, closed(work, WorkStatus.DONE, result=result,
                                               completed_at=now, progress=100))
        if work["part"] == Part.LEAD.value:
            self.store.save(uow, task, {**task, "status": "done", "result": result,
                                        "completed_at": now, "version": int(task["version"]) + 1})
        self.trail.append(uow, self.trail.head(chain_of(task_id)), caller, "task.complete",
                          summary=result[:200])
        uow.emit(DomainEvent("task.completed", chain_of(task_id), {"id": task_id}))
        uow.commit()
        return self.view(caller, task_id)

    def _local_day(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.calendar().tz):%d/%m/%Y}"

    def request_extension(self, caller: Caller, task_id: str, *, until: date | datetime,
                          reason: str) -> dict[str, Any]:
        task = self.load_visible(caller, task_id)
        work = self._my_work(caller, task_id)
        cal = self.calendar()
        current = instant(work["deadline"])
        assert current is not None
        wanted = check_deadline(cal, self.clock(), until, "until")
        if wanted <= current:
            raise InvalidInput("Hạn mới phải sau hạn hiện tại.",
                               "The new deadline must be later.", "invalid_deadline",
                               [FieldProblem("until", "Không sau hạn hiện tại.",
                                             "Not after the current deadline.")])
        if cal.working_days_between(current, wanted) > MAX_EXTENSION_DAYS:
            raise InvalidInput(
                f"Gia hạn tối đa {MAX_EXTENSION_DAYS} ngày làm việc so với hạn hiện tại.",
                f"An extension adds at most {MAX_EXTENSION_DAYS} working days.",
                "extension_too_long",
                [FieldProblem("until", f"Quá {MAX_EXTENSION_DAYS} ngày làm việc.",
                              f"More than {MAX_EXTENSION_DAYS} working days.")])
        extension = {"until": iso(wanted), "reason": reason, "requested_at": iso(self.clock()),
                     "requested_by": caller.username, "status": "pending"}
        uow = self.store.unit_of_work()
        self.store.save_part(uow, work, {**work, "extension": extension,
                                         "version": int(work["version"]) + 1})
        self._count_extension(uow, caller.username, work, extensions_asked=1)
        # One item per task for the assigner, whoever asks: asked again, it is due anew.
        assigner = task["created_by"]
        self.pending.open(uow, PARENT, task_id, Action.DECIDE_EXTENSION, items.person(assigner),
                          subject=task["title"], link=link(task_id), by=caller.username,
                          unit=str((self.directory.user(assigner) or {}).get("unit") or "")
                          or None,
                          note=f"{caller.full_name or caller.username} đề nghị gia hạn đến "
                               f"{self._local_day(wanted)}: {reason}"[:500])
        self.trail.append(uow, self.trail.head(chain_of(task_id)), caller,
                          "task.extension_request", summary=reason[:200], after=extension)
        uow.emit(DomainEvent("task.extension_requested", chain_of(task_id), {"id": task_id}))
        uow.commit()
        return self.view(caller, task_id)

    def decide_extension(self, caller: Caller, task_id: str, *, assignee: str, approve: bool,
                         note: str) -> dict[str, Any]:
        task = self.load_visible(caller, task_id)
        if task["created_by"] != caller.username:
            raise Forbidden("Chỉ người giao việc quyết định gia hạn.",
                            "Only the assigner decides an extension.")
        # ``assignee`` names a person or a unit.
        work = self.store.part(task_id, items.person(assignee)) or self.store.part(
            task_id, items.unit(assignee))
        pending = (work or {}).get("extension") or {}
        if work is None or pending.get("status") != "pending":
            raise Conflict("Không có đề nghị gia hạn đang chờ.", "No pending extension request.",
                           "no_pending_extension")
        decided = {**pending, "status": "approved" if approve else "refused", "note": note,
                   "decided_by": caller.username, "decided_at": iso(self.clock())}
        if approve:
            until = instant(pending["until"])
            assert until is not None
            new = reindexed(work, until)
            new["extension"] = decided
        else:
            new = {**work, "extension": decided, "version": int(work["version"]) + 1}
        uow = self.store.unit_of_work()
        self.store.save_part(uow, work, new)
        if approve and pending.get("requested_by"):
            self._count_extension(uow, str(pending["requested_by"]), work, extensions_granted=1)
        self.trail.append(uow, self.trail.head(chain_of(task_id)), caller,
                          "task.extension_" + ("approve" if approve else "refuse"),
                          summary=note[:200], before={"deadline": work["deadline"]},
                          after={"deadline": new["deadline"]})
        # Another part's request still waiting keeps the assigner's item open.
        waiting = [p for p in self.store.parts(task_id) if p["assignee"] != work["assignee"]
                   and (p.get("extension") or {}).get("status") == "pending"]
        if not waiting:
            self.pending.close(uow, PARENT, task_id, Action.DECIDE_EXTENSION,
                               by=caller.username)
        self._tell_decision(uow, task, work, decided)
        uow.commit()
        return self.view(caller, task_id)

    def _count_extension(self, uow: Any, requester: str, work: dict[str, Any],
                         **fields: int) -> None:
        """Staff evaluation's measures: an extension asked (or granted) counts for the
        person who asked and their unit, in the month of the deadline it was asked
        against (the part's deadline before any approval moves it), so that a
        month's granted never exceeds its asked."""
        deadline = instant(work["deadline"])
        assert deadline is not None
        month = f"{deadline.astimezone(self.calendar().tz):%Y-%m}"
        count_measure(uow, items.person(requester), month, **fields)
        unit = str((self.directory.user(requester) or {}).get("unit") or work.get("unit") or "")
        if unit:
            count_measure(uow, items.unit(unit), month, **fields)

    def _tell_decision(self, uow: Any, task: dict[str, Any], work: dict[str, Any],
                       decided: dict[str, Any]) -> None:
        """Ask the notifications capability to tell the requester the decision."""
        requester = decided.get("requested_by") or (
            items.name_of(work["assignee"]) if items.is_person(work["assignee"]) else None)
        if not requester:
            return  # a unit's request from before requesters were recorded
        title = f"Đề nghị gia hạn nhiệm vụ “{task['title']}”"
        if decided["status"] == "approved":
            until = instant(decided["until"])
            assert until is not None
            title += f" đã được chấp thuận đến {self._local_day(until)}"
        else:
            title += " không được chấp thuận"
            if decided.get("note"):
                title += f": {decided['note']}"
        # The subject names the task as its pending actions do (``work.pending``).
        uow.emit(DomainEvent(NOTICE_REQUESTED, f"{PARENT}#{task['id']}", {
            "to": [requester], "kind": "task.extension_decided", "title": title,
            "link": link(task["id"])}))

    def reopen(self, caller: Caller, task_id: str, reason: str) -> dict[str, Any]:
        task = self.load_visible(caller, task_id)
        if task["created_by"] != caller.username:
            raise Forbidden("Chỉ người giao việc mở lại công việc.",
                            "Only the assigner reopens a task.")
        if task["status"] != "done":
            raise Conflict("Công việc chưa hoàn thành.", "The task is not done.", "not_done")
        lead = next((w for w in self.store.parts(task_id) if w["part"] == Part.LEAD.value),
                    None)
        if lead is None:
            raise Conflict()
        due = instant(task["deadline"])
        assert due is not None
        subject = {"id": task_id, "trich_yeu": task["title"]}
        reopened = items.reopened(lead, work_item(
            subject, lead["assignee"], Part.LEAD, lead.get("instruction", ""),
            max(due, self.clock()), caller.username, lead["unit"], parent="TASK"))
        uow = self.store.unit_of_work()
        self.store.save_part(uow, lead, reopened)
        announce(uow, reopened)
        self.store.save(uow, task, {**task, "status": "open",
                                    "version": int(task["version"]) + 1})
        self.trail.append(uow, self.trail.head(chain_of(task_id)), caller, "task.reopen",
                          summary=reason[:200])
        uow.emit(DomainEvent("task.reopened", chain_of(task_id), {"id": task_id}))
        uow.commit()
        return self.view(caller, task_id)

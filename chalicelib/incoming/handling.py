"""Distribution and handling of an incoming document.

Work on a document is one item per assignee under the document (a unit's part,
an officer's part: the shape of ``work.items``). Open work is also in two
sparse indexes, written and removed with it: what one unit or person has to
do, by deadline, and all open work by deadline, which the reminder jobs read
without touching finished work (``incoming.store`` holds the keys). Every step
is one transaction with its audit entry; the document's version guards against
two people acting at once.

The use cases take ``table`` as before; a unit test hands them their store, the
audit trail, the directory, the calendar and the clock instead
(``tests/fakes.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.adapters.dynamo import Table
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.calendar.service import agency_calendar
from chalicelib.incoming import inbox
from chalicelib.incoming.rules import DocStatus
from chalicelib.incoming.service import (
    chain_of,
    load_at_version,
    load_visible,
    public_view,
    refuse_if_recalled,
    store_of,
    trail_of,
)
from chalicelib.incoming.store import IncomingStore
from chalicelib.kernel.access import Secrecy
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail, CalendarSource, Clock
from chalicelib.work import items
from chalicelib.work.items import closed, work_item
from chalicelib.work.pending import Pending, announce
from chalicelib.work.rules import Action, Part, WorkStatus, check_deadline, timeliness


class People(Protocol):
    """What handling asks of the organisation (``organisation.store.Directory``)."""

    def unit(self, code: str) -> Mapping[str, Any] | None: ...
    def members(self, unit: str) -> list[dict[str, Any]]: ...


def people_of(table: Table | None, directory: People | None = None) -> People:
    if directory is not None:
        return directory
    from chalicelib.organisation.store import Directory

    return Directory(given(table))


def active_members(directory: People, unit: str) -> set[str]:
    return {u["username"] for u in directory.members(unit)
            if u.get("status", "active") == "active"}


def active_heads(directory: People, units: list[str]) -> list[str]:
    """The active heads of these units, by username."""
    return [u["username"] for code in units for u in directory.members(code)
            if Role.UNIT_HEAD.value in (u.get("roles") or [])
            and u.get("status", "active") == "active"]


def _save_doc(store: IncomingStore, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any],
              now: datetime) -> None:
    version = int(before.get("version", 1))
    after["version"] = version + 1
    after["updated_at"] = iso(now)
    store.save(uow, before, after)


def work_of(doc_id: str, table: Table | None = None) -> list[dict[str, Any]]:
    return store_of(table).parts(doc_id)


def distribute(caller: Caller, doc_id: str, *, lead_unit: str, lead_deadline: datetime | date,
               supporting: list[tuple[str, datetime | date]], instruction: str,
               version: int, lead_officer: str | None = None, table: Table | None = None,
               store: IncomingStore | None = None, trail: AuditTrail | None = None,
               directory: People | None = None, pending: Pending | None = None,
               calendar: CalendarSource = agency_calendar, clock: Clock = utcnow
               ) -> dict[str, Any]:
    """The leader's direction: lead unit, supporting units, instruction, deadlines,
    and (Decree 30 Art. 23) optionally the officer of the lead unit who leads:
    then the officer handles it at once and the head has nobody to assign."""
    store, trail = store_of(table, store), trail_of(table, trail)
    directory = people_of(table, directory)
    pending = inbox.pending_of(table, pending, calendar=calendar, clock=clock)
    before = load_at_version(caller, doc_id, version, store=store)
    if before.get("status") != DocStatus.REGISTERED.value:
        raise Conflict("Văn bản đã được phân phối.", "The document was already distributed.",
                       "already_distributed")
    units = {code: unit for code in dict.fromkeys([lead_unit, *(c for c, _ in supporting)])
             if (unit := directory.unit(code)) is not None}
    problems = [FieldProblem(f"supporting.{i}.unit", "Không tồn tại.", "Does not exist.")
                for i, (code, _) in enumerate(supporting) if code not in units]
    if lead_unit not in units:
        problems.insert(0, FieldProblem("lead_unit", "Không tồn tại.", "Does not exist."))
    if any(code == lead_unit for code, _ in supporting):
        problems.append(FieldProblem("supporting", "Đơn vị chủ trì không đồng thời phối hợp.",
                                     "The lead unit cannot also support."))
    if lead_officer is not None and lead_unit in units \
            and lead_officer not in active_members(directory, lead_unit):
        problems.append(FieldProblem("lead_officer",
                                     "Không phải cán bộ đang công tác tại đơn vị chủ trì.",
                                     "Not an active member of the lead unit."))
    InvalidInput.unless_none(problems, "Phân phối không hợp lệ.", "Invalid distribution.",
                             "invalid_distribution")
    cal = calendar()
    now = clock()
    lead_due = check_deadline(cal, now, lead_deadline, "lead_deadline")
    support_due = [(code, check_deadline(cal, now, due, f"supporting.{i}.deadline"))
                   for i, (code, due) in enumerate(supporting)]
    status = DocStatus.IN_PROGRESS if lead_officer else DocStatus.DISTRIBUTED
    after = {**before, "status": status.value, "instruction": instruction,
             "lead_unit": lead_unit, "lead_officer": lead_officer, "deadline": iso(lead_due),
             "units": sorted({lead_unit, *(c for c, _ in supporting)}),
             "distributed_by": caller.username, "distributed_at": iso(now)}
    people = set(before.get("people") or [])
    if before.get("do_mat"):
        # A secret document reaches the units' heads by name, never through the unit lists.
        people.update(active_heads(directory, [lead_unit, *(c for c, _ in supporting)]))
    if lead_officer:
        people.add(lead_officer)
    after["people"] = sorted(people)
    link = inbox.doc_link(doc_id)
    lead_part = work_item(after, items.unit(lead_unit), Part.LEAD, instruction, lead_due,
                          caller.username, lead_unit, action=Action.ASSIGN, link=link)
    parts = [lead_part]
    if lead_officer:
        # The unit's share stays open for its evaluation, but its head has nothing to do.
        lead_part["waiting"] = False
        parts.append(work_item(after, items.person(lead_officer), Part.LEAD, instruction,
                               lead_due, caller.username, lead_unit, action=Action.HANDLE,
                               link=link))
    parts += [work_item(after, items.unit(code), Part.SUPPORT, instruction, due,
                        caller.username, code, action=Action.OPINION, link=link)
              for code, due in support_due]
    uow = store.unit_of_work()
    _save_doc(store, uow, before, after, clock())
    pending.close(uow, inbox.PARENT, doc_id, Action.DISTRIBUTE, by=caller.username)
    for part in parts:
        store.add_part(uow, part)
        if part.get("waiting") is not False:
            announce(uow, part)
    for code in after["units"]:
        store.add_unit_register(uow, after, code)
    trail.append(uow, trail.head(chain_of(doc_id)), caller, "incoming.distribute",
                 summary=f"Giao {units[lead_unit]['name']} chủ trì",
                 after={"lead_unit": lead_unit, "lead_officer": lead_officer,
                        "deadline": iso(lead_due),
                        "supporting": [{"unit": c, "deadline": iso(d)} for c, d in support_due],
                        "instruction": instruction})
    uow.emit(DomainEvent("incoming.distributed", chain_of(doc_id),
                         {"id": doc_id, "units": after["units"], "lead_officer": lead_officer}))
    uow.commit()
    return public_view(after)


def assign(caller: Caller, doc_id: str, *, officers: list[tuple[str, Part]],
           deadline: datetime | date | None, instruction: str, version: int,
           table: Table | None = None, store: IncomingStore | None = None,
           trail: AuditTrail | None = None, directory: People | None = None,
           calendar: CalendarSource = agency_calendar, clock: Clock = utcnow
           ) -> dict[str, Any]:
    """The head of unit hands the unit's part to officers of the unit. The unit's
    part stays open (its share, counted for the unit) but leaves the heads' inbox."""
    store, trail = store_of(table, store), trail_of(table, trail)
    directory = people_of(table, directory)
    before = load_at_version(caller, doc_id, version, store=store)
    if Role.UNIT_HEAD not in caller.roles or not caller.unit:
        raise Forbidden()
    unit_work = store.part(doc_id, items.unit(caller.unit))
    if unit_work is None or unit_work["status"] != WorkStatus.OPEN.value:
        raise InvalidInput("Đơn vị của bạn không có phần việc đang mở trên văn bản này.",
                           "Your unit has no open part in this document.", "no_unit_work")
    members = active_members(directory, caller.unit)
    outside = [FieldProblem(f"officers.{i}.username", "Không thuộc đơn vị của bạn.",
                            "Not a member of your unit.")
               for i, (name, _) in enumerate(officers) if name not in members]
    if outside:
        raise InvalidInput("Chỉ giao việc cho cán bộ trong đơn vị.",
                           "Assign work to members of your unit only.", "assignee_out_of_scope",
                           outside)
    unit_due = instant(unit_work["deadline"])
    assert unit_due is not None
    due = unit_due if deadline is None else check_deadline(calendar(), clock(), deadline,
                                                           "deadline")
    if due > unit_due:
        raise InvalidInput("Hạn giao cán bộ không được sau hạn của đơn vị.",
                           "An officer's deadline cannot be later than the unit's.",
                           "invalid_deadline",
                           [FieldProblem("deadline", "Sau hạn của đơn vị.",
                                         "Later than the unit's deadline.")])
    after = {**before, "status": DocStatus.IN_PROGRESS.value,
             "people": sorted({*(before.get("people") or []), *(n for n, _ in officers)})}
    uow = store.unit_of_work()
    _save_doc(store, uow, before, after, clock())
    store.save_part(uow, unit_work, _handed_on(unit_work, waiting=False))
    for name, part in officers:
        officer_part = work_item(after, items.person(name), part, instruction, due,
                                 caller.username, caller.unit,
                                 action=inbox.officer_action(part, unit_work["part"]),
                                 link=inbox.doc_link(doc_id))
        store.add_part(uow, officer_part)
        announce(uow, officer_part)
    trail.append(uow, trail.head(chain_of(doc_id)), caller, "incoming.assign",
                 summary="Giao cán bộ xử lý",
                 after={"officers": [{"username": n, "part": p.value} for n, p in officers],
                        "deadline": iso(due), "instruction": instruction})
    uow.emit(DomainEvent("incoming.assigned", chain_of(doc_id),
                         {"id": doc_id, "officers": [n for n, _ in officers]}))
    uow.commit()
    return public_view(after)


def _handed_on(unit_work: dict[str, Any], *, waiting: bool) -> dict[str, Any]:
    """The unit's part with its officers acting (``waiting`` False: out of the
    heads' inbox) or back with its heads (an officer returned it)."""
    after = {k: v for k, v in unit_work.items() if k != "waiting"}
    if not waiting:
        after["waiting"] = False
    return {**after, "version": int(unit_work["version"]) + 1}


def _my_open_work(caller: Caller, doc_id: str, store: IncomingStore) -> dict[str, Any]:
    work = store.part(doc_id, items.person(caller.username))
    if work is None or work["status"] != WorkStatus.OPEN.value:
        # Seeing a document is not being assigned to it: acting on it is forbidden.
        raise Forbidden("Bạn không có phần việc đang mở trên văn bản này.",
                        "You have no open work on this document.", "no_open_work")
    return work


def add_note(caller: Caller, doc_id: str, kind: str, text: str, *,
             progress: int | None = None, table: Table | None = None,
             store: IncomingStore | None = None, trail: AuditTrail | None = None,
             clock: Clock = utcnow) -> dict[str, Any]:
    """An opinion (anyone who sees the document) or a progress report (its officers)."""
    store, trail = store_of(table, store), trail_of(table, trail)
    refuse_if_recalled(load_visible(caller, doc_id, store=store))
    uow = store.unit_of_work()
    if kind == "progress":
        work = _my_open_work(caller, doc_id, store)
        assert progress is not None
        store.save_part(uow, work, {**work, "progress": progress,
                                    "version": int(work["version"]) + 1})
    now = iso(clock())
    note = store.add_note(uow, doc_id, {
        "note_kind": kind, "author": caller.username, "author_name": caller.full_name,
        "text": text, "progress": progress, "at": now}, uuid.uuid4().hex[:8])
    trail.append(uow, trail.head(chain_of(doc_id)), caller, f"incoming.{kind}",
                 summary=text[:200], after={"progress": progress} if progress is not None
                 else None)
    uow.commit()
    return {k: note[k] for k in ("note_kind", "author", "author_name", "text", "progress", "at")}


def send_back(caller: Caller, doc_id: str, reason: str, *, to: str | None = None,
              table: Table | None = None, store: IncomingStore | None = None,
              trail: AuditTrail | None = None, directory: People | None = None,
              clock: Clock = utcnow) -> dict[str, Any]:
    """Return the work to the head of unit (``to`` None) or pass it to a colleague."""
    store, trail = store_of(table, store), trail_of(table, trail)
    doc = load_visible(caller, doc_id, store=store)
    refuse_if_recalled(doc)
    work = _my_open_work(caller, doc_id, store)
    uow = store.unit_of_work()
    store.save_part(uow, work, closed(work, WorkStatus.RETURNED, result=reason,
                                      completed_at=iso(clock())))
    action = "incoming.return"
    if to is None and work["part"] == Part.LEAD.value:
        # The head must assign someone again: the unit's part is back in their inbox.
        unit_work = store.part(doc_id, items.unit(work["unit"]))
        if unit_work is not None and unit_work["status"] == WorkStatus.OPEN.value \
                and unit_work.get("waiting") is False:
            store.save_part(uow, unit_work, _handed_on(unit_work, waiting=True))
    if to is not None:
        members = active_members(people_of(table, directory), work["unit"])
        if to not in members or to == caller.username:
            raise InvalidInput("Chỉ chuyển cho cán bộ khác trong cùng đơn vị.",
                               "Pass the work to another member of the same unit.",
                               "assignee_out_of_scope",
                               [FieldProblem("to", "Không hợp lệ.", "Not allowed.")])
        due = instant(work["deadline"])
        assert due is not None
        moved = work_item(doc, items.person(to), Part(work["part"]), work["instruction"], due,
                          caller.username, work["unit"], action=items.action_of(work),
                          link=inbox.doc_link(doc_id))
        store.add_part(uow, moved, unless_open=True)
        announce(uow, moved)
        after = {**doc, "people": sorted({*(doc.get("people") or []), to})}
        _save_doc(store, uow, doc, after, clock())
        action = "incoming.transfer"
    trail.append(uow, trail.head(chain_of(doc_id)), caller, action,
                 summary=reason[:200], after={"to": to})
    uow.emit(DomainEvent(action, chain_of(doc_id), {"id": doc_id, "to": to}))
    uow.commit()
    return {"ok": True}


def complete(caller: Caller, doc_id: str, result: str, *, answer: str | None = None,
             table: Table | None = None, store: IncomingStore | None = None,
             trail: AuditTrail | None = None, directory: People | None = None,
             pending: Pending | None = None, calendar: CalendarSource = agency_calendar,
             clock: Clock = utcnow,
             count: Callable[[Any, str, str, date], None] | None = None) -> dict[str, Any]:
    """An officer completes their part. The lead officer's completion completes the
    unit's part, and the lead unit's completes the document; where the unit's rule
    says so (``review_completion``) its heads review the result first. ``count``:
    how the unit's weekly completion counters are moved
    (``work.service.count_completion``)."""
    store, trail = store_of(table, store), trail_of(table, trail)
    doc = load_visible(caller, doc_id, store=store)
    refuse_if_recalled(doc)
    work = _my_open_work(caller, doc_id, store)
    now = iso(clock())
    uow = store.unit_of_work()
    store.save_part(uow, work, closed(work, WorkStatus.DONE, result=result, answer=answer,
                                      completed_at=now, progress=100))
    deadline = instant(work.get("deadline"))
    if deadline is not None and work.get("unit"):
        if count is None:
            from chalicelib.work.service import count_completion as count
        cal = calendar()
        state = timeliness(cal, deadline, clock(), clock())
        count(uow, work["unit"], state.code, clock().astimezone(cal.tz).date())
    finished_doc = to_review = False
    if work["part"] == Part.LEAD.value:
        unit_work = store.part(doc_id, items.unit(work["unit"]))
        if unit_work is not None and unit_work["status"] == WorkStatus.OPEN.value:
            unit = people_of(table, directory).unit(work["unit"]) or {}
            if unit.get("review_completion"):
                to_review = True
                _submit_for_review(uow, store, inbox.pending_of(table, pending, clock=clock,
                                                                calendar=calendar),
                                   doc, unit_work, caller, result=result, answer=answer,
                                   at=now)
            else:
                finished_doc = finish_unit_part(store, uow, doc, unit_work, result=result,
                                                answer=answer, at=now, clock=clock)
    trail.append(uow, trail.head(chain_of(doc_id)), caller, "incoming.complete",
                 summary=result[:200], after={"answer": answer, "document_completed":
                                              finished_doc, "awaiting_review": to_review})
    event = ("incoming.completed" if finished_doc else "incoming.completion_submitted"
             if to_review else "incoming.part_completed")
    uow.emit(DomainEvent(event, chain_of(doc_id), {"id": doc_id, "by": caller.username}))
    uow.commit()
    if to_review:
        return {"document_completed": False, "awaiting_review": True}
    return {"document_completed": finished_doc}


def finish_unit_part(store: IncomingStore, uow: UnitOfWork, doc: dict[str, Any],
                     unit_work: dict[str, Any], *, result: str, answer: str | None, at: str,
                     clock: Clock, **extra: Any) -> bool:
    """The unit's part done with the officer's result; the lead unit's completes
    the document. Whether the document is completed."""
    done = {k: v for k, v in unit_work.items() if k != "submitted"}
    store.save_part(uow, unit_work, closed(done, WorkStatus.DONE, result=result, answer=answer,
                                           completed_at=at, progress=100, **extra))
    if unit_work["part"] != Part.LEAD.value:
        return False
    after = {**doc, "status": DocStatus.COMPLETED.value, "completed_at": at,
             "result": result, "answer": answer}
    _save_doc(store, uow, doc, after, clock())
    return True


def _submit_for_review(uow: UnitOfWork, store: IncomingStore, pending: Pending,
                       doc: dict[str, Any], unit_work: dict[str, Any], caller: Caller, *,
                       result: str, answer: str | None, at: str) -> None:
    """The officer's result waits on the unit's part for its heads to approve or
    return it (``incoming.review``)."""
    submitted = {"by": caller.username, "by_name": caller.full_name, "result": result,
                 "answer": answer, "at": at}
    store.save_part(uow, unit_work, {**unit_work, "submitted": submitted,
                                     "version": int(unit_work["version"]) + 1})
    pending.open(uow, inbox.PARENT, doc["id"], Action.REVIEW_COMPLETION,
                 items.unit(unit_work["unit"]), subject=inbox.subject_of(doc),
                 link=inbox.doc_link(doc["id"]), by=caller.username, unit=unit_work["unit"],
                 secret=inbox.is_secret(doc), note=result[:500])


def handling_view(caller: Caller, doc_id: str, table: Table | None = None, *,
                  store: IncomingStore | None = None,
                  calendar: CalendarSource = agency_calendar, clock: Clock = utcnow
                  ) -> dict[str, Any]:
    """Who has which part, with its deadline status, and the opinions given."""
    store = store_of(table, store)
    doc = load_visible(caller, doc_id, store=store)
    cal = calendar()
    now = clock()
    parts = []
    for work in store.parts(doc_id):
        deadline = instant(work.get("deadline"))
        state = timeliness(cal, deadline, now, instant(work.get("completed_at")))
        parts.append({
            "assignee": work["assignee"], "unit": work["unit"], "part": work["part"],
            "instruction": work.get("instruction", ""), "deadline": work.get("deadline"),
            "status": work["status"], "progress": int(work.get("progress") or 0),
            "result": work.get("result"), "answer": work.get("answer"),
            "completed_at": work.get("completed_at"), "assigned_by": work.get("assigned_by"),
            "timeliness": state.code, "timeliness_label": state.label,
            "action": items.action_of(work).value, "waiting": work.get("waiting") is not False,
            "submitted": work.get("submitted"), "returned_reason": work.get("returned_reason"),
        })
    notes = store.notes(doc_id)
    return {
        "document": public_view(doc),
        "instruction": doc.get("instruction"), "lead_unit": doc.get("lead_unit"),
        "lead_officer": doc.get("lead_officer"),
        "deadline": doc.get("deadline"), "parts": parts,
        "notes": [{k: n.get(k) for k in ("note_kind", "author", "author_name", "text",
                                         "progress", "at")} for n in notes],
        "secret": doc.get("do_mat") != Secrecy.NONE.value and bool(doc.get("do_mat")),
    }

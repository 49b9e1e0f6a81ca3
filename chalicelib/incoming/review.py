"""The head of unit reviews an officer's completion (where the unit's rule says
so, ``review_completion`` on the unit): the officer's result waits on the unit's
part, and the unit's heads have a pending action to approve it (the unit's part,
and for the lead unit the document, are completed as without review) or to
return it to the officer with a reason (the officer's part is open again).
Either closes the pending review, whichever head acts."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.calendar.service import agency_calendar
from chalicelib.incoming import inbox
from chalicelib.incoming.handling import finish_unit_part
from chalicelib.incoming.service import (
    chain_of,
    load_visible,
    refuse_if_recalled,
    store_of,
    trail_of,
)
from chalicelib.incoming.store import IncomingStore
from chalicelib.kernel.errors import Conflict, Forbidden
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail, CalendarSource, Clock
from chalicelib.work import items
from chalicelib.work.items import work_item
from chalicelib.work.pending import Pending, announce
from chalicelib.work.rules import Action, Part, WorkStatus


def _awaiting(caller: Caller, doc_id: str, store: IncomingStore
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document and the caller's unit part holding a result to review."""
    if Role.UNIT_HEAD not in caller.roles or not caller.unit:
        raise Forbidden()
    doc = load_visible(caller, doc_id, store=store)
    refuse_if_recalled(doc)
    unit_work = store.part(doc_id, items.unit(caller.unit))
    if unit_work is None or unit_work["status"] != WorkStatus.OPEN.value \
            or not unit_work.get("submitted"):
        raise Conflict("Không có kết quả xử lý nào đang chờ đơn vị của bạn duyệt.",
                       "No completion awaits your unit's review.", "nothing_to_review")
    return doc, unit_work


def approve(caller: Caller, doc_id: str, note: str = "", *, table: Table | None = None,
            store: IncomingStore | None = None, trail: AuditTrail | None = None,
            pending: Pending | None = None, calendar: CalendarSource = agency_calendar,
            clock: Clock = utcnow) -> dict[str, Any]:
    """A head of the unit approves the officer's result."""
    store, trail = store_of(table, store), trail_of(table, trail)
    pending = inbox.pending_of(table, pending, calendar=calendar, clock=clock)
    doc, unit_work = _awaiting(caller, doc_id, store)
    submitted = unit_work["submitted"]
    uow = store.unit_of_work()
    finished = finish_unit_part(store, uow, doc, unit_work, result=submitted["result"],
                                answer=submitted.get("answer"), at=iso(clock()), clock=clock,
                                approved_by=caller.username, approval_note=note)
    pending.close(uow, inbox.PARENT, doc_id, Action.REVIEW_COMPLETION, by=caller.username,
                  assignee=items.unit(caller.unit or ""))
    trail.append(uow, trail.head(chain_of(doc_id)), caller, "incoming.approve_completion",
                 summary=note[:200] or "Duyệt kết quả xử lý",
                 after={"officer": submitted["by"], "document_completed": finished})
    uow.emit(DomainEvent("incoming.completed" if finished else "incoming.part_completed",
                         chain_of(doc_id), {"id": doc_id, "by": caller.username}))
    uow.commit()
    return {"document_completed": finished}


def send_back_to_officer(caller: Caller, doc_id: str, reason: str, *,
                         table: Table | None = None, store: IncomingStore | None = None,
                         trail: AuditTrail | None = None, pending: Pending | None = None,
                         calendar: CalendarSource = agency_calendar, clock: Clock = utcnow
                         ) -> dict[str, Any]:
    """A head of the unit returns the result to the officer, who handles it again
    under the same deadline."""
    store, trail = store_of(table, store), trail_of(table, trail)
    pending = inbox.pending_of(table, pending, calendar=calendar, clock=clock)
    doc, unit_work = _awaiting(caller, doc_id, store)
    officer = unit_work["submitted"]["by"]
    before = store.part(doc_id, items.person(officer))
    if before is None or before["status"] == WorkStatus.OPEN.value:
        raise Conflict()  # changed meanwhile: read again
    deadline = instant(before["deadline"])
    assert deadline is not None
    reopened = {**items.reopened(before, work_item(
        doc, items.person(officer), Part(before["part"]), before.get("instruction", ""),
        deadline, caller.username, before["unit"],
        action=inbox.officer_action(Part.LEAD, unit_work["part"]), link=inbox.doc_link(doc_id))),
        "returned_reason": reason, "returned_at": iso(clock())}
    uow = store.unit_of_work()
    store.save_part(uow, before, reopened)
    waiting = {k: v for k, v in unit_work.items() if k != "submitted"}
    store.save_part(uow, unit_work, {**waiting, "version": int(unit_work["version"]) + 1})
    pending.close(uow, inbox.PARENT, doc_id, Action.REVIEW_COMPLETION, by=caller.username,
                  outcome=WorkStatus.RETURNED, assignee=items.unit(caller.unit or ""))
    announce(uow, reopened)
    trail.append(uow, trail.head(chain_of(doc_id)), caller, "incoming.return_completion",
                 summary=reason[:200], after={"officer": officer})
    uow.emit(DomainEvent("incoming.completion_returned", chain_of(doc_id),
                         {"id": doc_id, "to": officer, "reason": reason}))
    uow.commit()
    return {"ok": True, "officer": officer}

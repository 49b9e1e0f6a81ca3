"""What every one-stop use case shares: the collaborators they run with (the
store, the audit trail, the calendar, the clock, the organisation's units), a
dossier as the caller may see it, who acts on its current step, a save over
the version read, the timeline, and the mail to the applicant.

The use cases take ``table`` as before and build their collaborators from it;
a unit test hands in ``deps`` with fakes instead (``tests/fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel import composition
from chalicelib.kernel.access import ItemAccess, Kind, can_view
from chalicelib.kernel.errors import Conflict, NotFound
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail, CalendarSource, Clock, UnitOfWork
from chalicelib.notifications.service import mail_event
from chalicelib.onestop import rules
from chalicelib.onestop.store import WORK_PARENT, OneStopStore
from chalicelib.work import items
from chalicelib.work.pending import Pending
from chalicelib.work.rules import Action

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
S = rules.DossierStatus
# The unit whose code starts every dossier code (the province's code of the
# department's one-stop desk in the national catalogue; a setting in production).
DEFAULT_RECEIVING_CODE = "000.00.12.H26"
RECEIVING_UNIT = "MC"  # Bộ phận Một cửa: where dossiers are received and returned
LEADERS_UNIT = "BGD"  # where the catalogue's "Lãnh đạo Sở" steps land (reception.unit_code)
DESK_QUEUE = items.role("one_stop")


def chain_of(dossier_id: str) -> str:
    return f"dossier:{dossier_id}"



def _calendar() -> Any:
    from chalicelib.calendar.service import agency_calendar

    return agency_calendar()


@dataclass
class Deps:
    store: OneStopStore
    trail: AuditTrail
    # The organisation's units (code, name): the catalogue names a step's
    # performer by its published name.
    units: Callable[[], list[dict[str, Any]]]
    calendar: CalendarSource = field(default=_calendar)
    clock: Clock = utcnow
    # The dossiers' pending actions (sign the result, return it), opened and
    # closed in the dossier's transactions; built over the store's table unless
    # handed in.
    pending: Pending | None = None
    # The ISO procedure version in force for a one-stop procedure code on a day
    # (``iso.service.in_force_for``): its steps and time shares drive a new
    # dossier. None: the catalogue's own steps (as for the fakes of unit tests).
    procedures: Callable[[str, date], dict[str, Any] | None] | None = None


def desk_phone(deps: Deps) -> str:
    """Whom a citizen whose code is locked should call."""
    from chalicelib.organisation.service import desk_phone as agency_desk_phone

    return agency_desk_phone(getattr(deps.store, "table", None))


def pending_of(deps: Deps) -> Pending:
    if deps.pending is None:
        deps.pending = Pending.over(deps.store.table, deps.calendar, deps.clock)
    return deps.pending


def page_of(dossier_id: str) -> str:
    """Where the dossier's actions are taken."""
    return f"/app/dossier?id={dossier_id}"


def title_of(d: dict[str, Any]) -> str:
    return f"{d['code']}: {d['procedure']['name']}"[:300]


def step_assignee(step: dict[str, Any]) -> str:
    """The desk's steps (receiving, handing back) are any one-stop officer's to
    take; another unit's step is its heads' to share out."""
    return DESK_QUEUE if step["unit"] == RECEIVING_UNIT else items.unit(step["unit"])


def step_work(deps: Deps, d: dict[str, Any], index: int, *, by: str) -> dict[str, Any]:
    """The work item of the dossier's step ``index``, for whoever acts on it."""
    return deps.store.step_work(d, index, by=by, assignee=step_assignee(d["steps"][index]),
                                link=page_of(d["id"]))


def signer_queue(step: dict[str, Any]) -> str:
    """Who signs the result at a signing step: the leaders when the step is
    theirs, else the heads of the step's unit."""
    if rules.signed_by_leaders(step) or step["unit"] == LEADERS_UNIT:
        return items.role("leader")
    return items.unit(step["unit"])


def ask_signature(deps: Deps, uow: UnitOfWork, d: dict[str, Any], index: int, *,
                  by: str) -> bool:
    """At a signing step, the signer is asked to sign the result (unless it is
    signed or being signed already), by the step's deadline at the latest."""
    step = d["steps"][index]
    if not rules.signs_result(step) or d.get("result_status") in ("signing", "signed"):
        return False
    pending_of(deps).open(uow, WORK_PARENT, d["id"], Action.SIGN_RESULT, signer_queue(step),
                          subject=title_of(d), link=page_of(d["id"]), by=by,
                          unit=step["unit"], due=instant(step["deadline"]))
    return True


def ask_return(deps: Deps, uow: UnitOfWork, d: dict[str, Any], *, by: str) -> None:
    """A resolved dossier: the desk hands the result back by the appointment."""
    pending_of(deps).open(uow, WORK_PARENT, d["id"], Action.RETURN_RESULT, DESK_QUEUE,
                          subject=title_of(d), link=page_of(d["id"]), by=by,
                          unit=RECEIVING_UNIT, due=instant(d["appointment_at"]))


def deps_for(table: Table | None, given: Deps | None = None) -> Deps:
    """The collaborators handed in, or the real ones over the caller's ``table``."""
    if given is not None:
        return given
    from chalicelib.audit.trail import Trail
    from chalicelib.organisation.service import list_units

    t = composition.given(table)
    return Deps(store=OneStopStore(t), trail=Trail(t), units=lambda: list_units(t),
                procedures=iso_procedures(t))


def iso_procedures(table: Table) -> Callable[[str, date], dict[str, Any] | None]:
    """The ISO library's answer for a one-stop procedure on a day, over ``table``."""
    def in_force(code: str, day: date) -> dict[str, Any] | None:
        from chalicelib.iso.rules import Kind
        from chalicelib.iso.service import in_force_for

        return in_force_for(table, Kind.ONESTOP, code, day)
    return in_force


def access_of(d: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.DOSSIER, units=frozenset(d.get("units") or []),
                      people=frozenset(d.get("people") or []))


def load_dossier(caller: Caller, dossier_id: str, table: Table | None = None, *,
                 deps: Deps | None = None) -> dict[str, Any]:
    d = deps_for(table, deps).store.get(dossier_id)
    if d is None or not can_view(caller, access_of(d)):
        raise NotFound()
    return d


def opened(caller: Caller, dossier_id: str, *, table: Table | None, deps: Deps | None,
           now: datetime | None) -> tuple[Deps, datetime, dict[str, Any]]:
    """How a use case on one dossier opens: its dependencies, the time it runs
    at, and the dossier as the caller may see it (NotFound otherwise)."""
    deps = deps_for(table, deps)
    return deps, now or deps.clock(), load_dossier(caller, dossier_id, deps=deps)


def record(deps: Deps, uow: UnitOfWork, caller: Caller | None, dossier_id: str, action: str,
           summary: str, *, actor: str | None = None) -> None:
    """The change on the dossier's audit chain, in the same unit of work."""
    deps.trail.append(uow, deps.trail.head(chain_of(dossier_id)), caller, action,
                      summary=summary, actor=actor)


def current_unit(d: dict[str, Any]) -> str | None:
    steps = d["steps"]
    index = int(d["step_index"])
    return steps[index]["unit"] if index < len(steps) else None


def acts(caller: Caller, d: dict[str, Any]) -> bool:
    """The current step's unit (its head or officers), or the leaders."""
    unit = current_unit(d)
    return Role.LEADER in caller.roles or (unit is not None and caller.unit == unit)


def transition(d: dict[str, Any], new: rules.DossierStatus) -> None:
    try:
        rules.check_transition(S(int(d["status"])), new)
    except ValueError as exc:
        raise Conflict(str(exc), f"Cannot move from status {d['status']} to {int(new)}.",
                       "invalid_state") from exc


def save(deps: Deps, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]
         ) -> dict[str, Any]:
    """``after`` as the next version of ``before``; returns what is saved."""
    after = {**after, "version": int(before["version"]) + 1, "updated_at": iso(deps.clock())}
    deps.store.save(uow, before, after)
    return after


def timeline(d: dict[str, Any], label: str, at: datetime) -> list[dict[str, Any]]:
    return [*(d.get("timeline") or []), {"at": iso(at), "label": label}]


def scheduled_overdue(d: dict[str, Any]) -> date | None:
    """The first day the open dossier counts as overdue in form 06, if any."""
    return date.fromisoformat(d["overdue_from"]) if d.get("overdue_from") else None


def lookup_url(base_url: str, dossier: dict[str, Any]) -> str:
    """The public lookup of the dossier, with the access key when it has one:
    mailed to the applicant only, it lets the page withdraw or say "supplied"
    without typing the key from the receipt."""
    from urllib.parse import urlencode

    query = {"code": dossier["code"]}
    if dossier.get("access_key"):
        query["key"] = dossier["access_key"]
    return f"{base_url}/tra-cuu?{urlencode(query)}"


def mail(dossier: dict[str, Any], template: str, **extra: Any) -> DomainEvent:
    from chalicelib.kernel.config import get_settings

    appointment = instant(dossier.get("appointment_at"))
    context = {"name": dossier["applicant"]["name"], "code": dossier["code"],
               "procedure": dossier["procedure"]["name"],
               "status_label": S(int(dossier["status"])).label_vi,
               "received": _local(dossier["received_at"]),
               "appointment": appointment.astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y")
               if appointment else "",
               "lookup": lookup_url(get_settings().public_base_url, dossier),
               "access_key": dossier.get("access_key") or "", **extra}
    return mail_event(chain_of(dossier["id"]), [dossier["applicant"]["email"]], template,
                      context)


def _local(value: str | None) -> str:
    moment = instant(value)
    return moment.astimezone(TZ).strftime("%d/%m/%Y") if moment else ""


def finished_work(deps: Deps, d: dict[str, Any], at: datetime) -> list[dict[str, Any]]:
    """The dossier's open work, done at ``at`` (to save with the change)."""
    from chalicelib.work.items import closed
    from chalicelib.work.rules import WorkStatus

    return [closed(w, WorkStatus.DONE, completed_at=iso(at)) for w in deps.store.work(d["id"])
            if w["status"] == WorkStatus.OPEN.value]

"""Additional papers (bổ sung hồ sơ): the step asks for them and the clock
stops; when they come (at the desk or said online) the clock runs again and
the appointment and the remaining steps move by the time it stood still."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound
from chalicelib.kernel.events import instant, iso
from chalicelib.kernel.identity import Caller
from chalicelib.onestop import rules
from chalicelib.onestop.dossiers import (
    TZ,
    Deps,
    S,
    acts,
    deps_for,
    load_dossier,
    mail,
    opened,
    record,
    save,
    scheduled_overdue,
    timeline,
    transition,
)
from chalicelib.onestop.reading import find_by_code, public_view
from chalicelib.work.rules import WorkStatus


def request_supplement(caller: Caller, dossier_id: str, *, papers: list[str], note: str,
                       now: datetime | None = None, table: Table | None = None,
                       deps: Deps | None = None) -> dict[str, Any]:
    """Additional papers (status 5): the clock stops and the applicant is told."""
    deps, now, d = opened(caller, dossier_id, table=table, deps=deps, now=now)
    if not acts(caller, d):
        raise Forbidden()
    transition(d, S.SUPPLEMENT_REQUESTED)
    deltas, new_scheduled = rules.paused_deltas(d["owner_unit"], now, scheduled_overdue(d))
    after = {**d, "status": int(S.SUPPLEMENT_REQUESTED),
             "pauses": [*d["pauses"], {"from": iso(now), "to": None, "papers": papers,
                                       "note": note, "by": caller.username}],
             "overdue_from": new_scheduled.isoformat() if new_scheduled else None,
             "timeline": timeline(d, "Yêu cầu bổ sung hồ sơ", now)}
    uow = deps.store.unit_of_work()
    saved = save(deps, uow, d, after)
    deps.store.count(uow, deltas)
    record(deps, uow, caller, dossier_id, "dossier.supplement",
           summary=f"Yêu cầu bổ sung: {', '.join(papers)}. {note}")
    if d["applicant"].get("email"):
        uow.emit(mail(saved, "dossier_status", message=f"Đề nghị bổ sung: "
                      f"{', '.join(papers)}. {note} Thời hạn giải quyết tạm dừng cho đến "
                      "khi nhận đủ hồ sơ bổ sung."))
    uow.commit()
    return saved


def supplied(caller: Caller | None, dossier_id: str, *, now: datetime | None = None,
             table: Table | None = None, dossier: dict[str, Any] | None = None,
             deps: Deps | None = None) -> dict[str, Any]:
    """The papers came: the clock runs again and the appointment moves by the
    time that was left when it stopped."""
    deps = deps_for(table, deps)
    now = now or deps.clock()
    d = dossier or (load_dossier(caller, dossier_id, deps=deps) if caller else None)
    if d is None:
        raise NotFound()
    pauses = [dict(p) for p in d["pauses"]]
    if int(d["status"]) != int(S.SUPPLEMENT_REQUESTED) or not pauses or pauses[-1].get("to"):
        raise Conflict("Hồ sơ không ở trạng thái chờ bổ sung.",
                       "The dossier is not waiting for additional papers.", "invalid_state")
    transition(d, S.IN_PROGRESS)
    paused_from = instant(pauses[-1]["from"])
    pauses[-1]["to"] = iso(now)
    cal = deps.calendar()
    new_appointment = rules.appointment_after_pause(instant(d["appointment_at"]), paused_from,
                                                    now, cal)
    shift = cal.working_time_between(paused_from, now)
    steps = [dict(s) for s in d["steps"]]
    for i in range(int(d["step_index"]), len(steps)):
        # The remaining steps move by the working time the clock stood still, to
        # the close of a half-day as at reception (rules.step_deadlines); the last
        # one is the new appointment.
        moved = _add_working(cal, instant(steps[i]["deadline"]), shift)
        steps[i]["deadline"] = iso(new_appointment if i == len(steps) - 1 else
                                   min(rules.end_of_half_day(moved, cal), new_appointment))
    deltas, new_scheduled = rules.resumed_deltas(d["owner_unit"], now, new_appointment,
                                                 scheduled_overdue(d))
    after = {**d, "status": int(S.IN_PROGRESS), "pauses": pauses, "steps": steps,
             "appointment_at": iso(new_appointment),
             "overdue_from": new_scheduled.isoformat() if new_scheduled else None,
             "timeline": timeline(d, "Đã nhận hồ sơ bổ sung; hẹn trả mới "
                                  f"{new_appointment.astimezone(TZ):%H:%M %d/%m/%Y}", now)}
    moved = [_reworked(w, steps) for w in deps.store.work(d["id"])
             if w["status"] == WorkStatus.OPEN.value]
    uow = deps.store.unit_of_work()
    saved = save(deps, uow, d, after)
    for w in moved:
        deps.store.put_work(uow, w)
    deps.store.count(uow, deltas)
    record(deps, uow, caller, d["id"], "dossier.supplied",
           summary="Nhận hồ sơ bổ sung; hẹn trả mới "
                   f"{new_appointment.astimezone(TZ):%H:%M %d/%m/%Y}",
           actor=None if caller else "online")
    if d["applicant"].get("email"):
        uow.emit(mail(saved, "dossier_status", message="Đã nhận đủ hồ sơ bổ sung. Ngày hẹn "
                      "trả kết quả đã được điều chỉnh."))
    uow.commit()
    return saved


def _add_working(cal: Any, start: datetime, amount: timedelta) -> datetime:
    day = Decimal(amount / cal.working_day_length)
    return cal.add_working_days(start, day) if amount > timedelta(0) else start


def _reworked(work: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    from chalicelib.work.items import reindexed

    index = int(work.get("step_index") or 0)
    return {**work, **reindexed(work, instant(steps[index]["deadline"]))}


def supply_online(code: str, phone_last4: str, *, access_key: str,
                  table: Table | None = None, deps: Deps | None = None) -> dict[str, Any]:
    """Public: the applicant says the requested papers are supplied (the phone
    and the receipt's access key checked under the code's attempt budget)."""
    deps = deps_for(table, deps)
    found = find_by_code(code, phone_last4, deps, access_key=access_key)
    d = deps.store.get(found["id"])
    return public_view(supplied(None, found["id"], deps=deps, dossier=d))

"""A dossier that ends without a result: the applicant asks to withdraw it
(online, by code and phone), and the desk or the step's unit stops it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.errors import Forbidden
from chalicelib.kernel.events import iso
from chalicelib.kernel.identity import Caller, Role
from chalicelib.onestop import rules
from chalicelib.onestop.dossiers import (
    Deps,
    S,
    acts,
    deps_for,
    finished_work,
    mail,
    opened,
    pending_of,
    record,
    save,
    scheduled_overdue,
    timeline,
    transition,
)
from chalicelib.onestop.reading import find_by_code, public_view
from chalicelib.onestop.store import WORK_PARENT
from chalicelib.work.rules import WorkStatus


def stop(caller: Caller, dossier_id: str, *, reason: str, now: datetime | None = None,
         table: Table | None = None, deps: Deps | None = None) -> dict[str, Any]:
    """Stop processing (status 8), also how a withdrawal is completed; the
    applicant is told."""
    deps, now, d = opened(caller, dossier_id, table=table, deps=deps, now=now)
    if not (acts(caller, d) or caller.roles & {Role.ONE_STOP, Role.LEADER}):
        raise Forbidden()
    transition(d, S.STOPPED)
    done = finished_work(deps, d, now)
    after = {**d, "status": int(S.STOPPED), "stopped_at": iso(now), "stop_reason": reason,
             "overdue_from": None, "timeline": timeline(d, f"Dừng xử lý: {reason}", now)}
    uow = deps.store.unit_of_work()
    saved = save(deps, uow, d, after)
    for w in done:
        deps.store.put_work(uow, w)
    # Nobody must sign or hand back a result any more.
    pending_of(deps).close_all(uow, WORK_PARENT, dossier_id, by=caller.username,
                               outcome=WorkStatus.CANCELLED)
    deps.store.count(uow, rules.stopped_deltas(d["owner_unit"], now, scheduled_overdue(d)))
    record(deps, uow, caller, dossier_id, "dossier.stop", f"Dừng xử lý: {reason}")
    if d["applicant"].get("email"):
        uow.emit(mail(saved, "dossier_status", message=f"Hồ sơ dừng xử lý. Lý do: {reason}"))
    uow.commit()
    return saved


def withdraw(code: str, phone_last4: str, reason: str, table: Table | None = None, *,
             access_key: str, deps: Deps | None = None) -> dict[str, Any]:
    """Public: the applicant asks to withdraw (status 7); the desk completes it.
    The phone and the receipt's access key are both checked, under the code's
    attempt budget; a wrong one answers like no dossier."""
    deps = deps_for(table, deps)
    found = find_by_code(code, phone_last4, deps, access_key=access_key)
    d = deps.store.get(found["id"])
    if d is None:
        raise RuntimeError(f"dossier {found['id']} is indexed but not stored")
    transition(d, S.WITHDRAWAL_REQUESTED)
    now = deps.clock()
    uow = deps.store.unit_of_work()
    saved = save(deps, uow, d, {**d, "status": int(S.WITHDRAWAL_REQUESTED),
                                "withdraw_reason": reason,
                                "timeline": timeline(d, "Công dân yêu cầu rút hồ sơ", now)})
    record(deps, uow, None, d["id"], "dossier.withdraw", f"Yêu cầu rút hồ sơ: {reason}",
           actor="online")
    uow.commit()
    return public_view(saved)

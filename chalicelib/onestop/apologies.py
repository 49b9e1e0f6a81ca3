"""Late dossiers: each open dossier that will miss its appointment gets an
apology and new-appointment letter (Decree 118/2025), drafted as an outgoing
document for the responsible unit to approve, sign and send to the applicant."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.events import instant, iso
from chalicelib.kernel.identity import Caller, Role
from chalicelib.onestop import rules
from chalicelib.onestop.dossiers import (
    RECEIVING_UNIT,
    TZ,
    Deps,
    S,
    current_unit,
    deps_for,
    record,
    save,
    timeline,
)

# How far ahead the job looks: work due within this many working days.
HORIZON_DAYS = 3


def remaining(d: dict[str, Any]) -> Decimal:
    """Working days the steps still to do were planned to take."""
    p = d["procedure"]
    shares = sum((Decimal(s["share"]) for s in d["steps"][int(d["step_index"]):]), Decimal(0))
    return (Decimal(p["time_limit"]) * shares).quantize(Decimal("0.01"))


def draft_apologies(now: datetime | None = None, table: Table | None = None, *,
                    deps: Deps | None = None) -> dict[str, int]:
    """For each open dossier that will miss its appointment, draft the apology and
    new-appointment letter (Decree 118/2025) for the responsible unit to approve,
    sign and send: an outgoing document addressed to the applicant by e-mail. The
    dossier remembers its letter, so the job drafts one per dossier."""
    from chalicelib.work.items import open_due_before

    deps = deps_for(table, deps)
    now = now or deps.clock()
    cal = deps.calendar()
    horizon = cal.add_working_days(now, HORIZON_DAYS)
    drafted = checked = 0
    seen: set[str] = set()
    for work in open_due_before(deps.store.table, f"{iso(horizon)}~"):
        if not deps.store.is_dossier_work(work) or work["doc_id"] in seen:
            continue
        seen.add(work["doc_id"])
        d = deps.store.get(work["doc_id"])
        if d is None or d.get("apology_id") or int(d["status"]) not in (
                int(S.RECEIVED), int(S.IN_PROGRESS)):
            continue
        checked += 1
        if rules.will_miss(instant(d["appointment_at"]), now, remaining(d), cal):
            _draft_apology(d, now, deps)
            drafted += 1
    return {"checked": checked, "drafted": drafted}


def _draft_apology(d: dict[str, Any], now: datetime, deps: Deps) -> None:
    from chalicelib.organisation.service import list_users
    from chalicelib.outgoing import service as outgoing

    table = deps.store.table
    cal = deps.calendar()
    unit = current_unit(d) or RECEIVING_UNIT
    heads = [u for u in list_users(unit, table)
             if "unit_head" in u["roles"] and u["status"] == "active"]
    leaders = [u for u in list_users(table=table)
               if "leader" in u["roles"] and u["status"] == "active"]
    drafter = heads[0] if heads else (leaders[0] if leaders else None)
    if drafter is None:
        return
    new_appointment = cal.add_working_days(cal.start_of_counting(now), remaining(d))
    caller = Caller(drafter["username"], frozenset(Role(r) for r in drafter["roles"]),
                    unit=drafter.get("unit"), full_name=drafter.get("full_name") or "")
    email = d["applicant"].get("email")
    old = instant(d["appointment_at"]).astimezone(TZ)
    new = new_appointment.astimezone(TZ)
    draft = outgoing.create(
        caller, type_code="CV",
        subject=f"Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {d['code']}"[:500],
        signer=drafter["username"], authority="", recipients_internal=[],
        recipients_external=[{"name": d["applicant"]["name"], "email": email}] if email
        else [], do_khan="Thường", do_mat="", answers=None,
        body=(f"Sở Kế hoạch và Đầu tư tiếp nhận hồ sơ {d['code']} "
              f"({d['procedure']['name']}) của ông/bà, hẹn trả kết quả lúc "
              f"{old:%H:%M ngày %d/%m/%Y}.\n\nDo hồ sơ cần thêm thời gian xem xét, việc giải "
              "quyết chưa bảo đảm thời hạn đã hẹn. Sở Kế hoạch và Đầu tư thành thật xin lỗi "
              f"ông/bà và hẹn lại thời gian trả kết quả: {new:%H:%M ngày %d/%m/%Y}.\n\n"
              "Rất mong nhận được sự thông cảm của ông/bà."), table=table)
    outgoing.set_origin(draft["id"], {"dossier_id": d["id"]}, new_version=True, table=table)
    fresh = deps.store.get(d["id"]) or d
    uow = deps.store.unit_of_work()
    save(deps, uow, fresh, {**fresh, "apology_id": draft["id"], "late": True,
                            "proposed_appointment_at": iso(new_appointment),
                            "timeline": timeline(fresh, "Dự thảo thư xin lỗi, hẹn lại ngày trả",
                                                 now)})
    record(deps, uow, None, d["id"], "dossier.apology",
           f"Dự thảo thư xin lỗi, hẹn lại {new:%d/%m/%Y}", actor="system")
    uow.commit()

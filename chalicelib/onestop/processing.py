"""Processing step by step: the current step's unit hands the dossier on, the
hand-off goes on the control slip (phiếu kiểm soát), the next step's unit gets
the work, and after the last step the dossier is resolved and counted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.errors import Conflict, Forbidden
from chalicelib.kernel.events import instant, iso
from chalicelib.kernel.faults import pause_point
from chalicelib.kernel.identity import Caller
from chalicelib.kernel.ports import UnitOfWork
from chalicelib.onestop import rules
from chalicelib.onestop.dossiers import (
    Deps,
    S,
    acts,
    ask_return,
    ask_signature,
    finished_work,
    mail,
    opened,
    pending_of,
    record,
    save,
    scheduled_overdue,
    step_work,
    timeline,
    transition,
)
from chalicelib.onestop.reading import view
from chalicelib.onestop.store import WORK_PARENT
from chalicelib.work.pending import announce
from chalicelib.work.rules import Action, WorkStatus


def advance(caller: Caller, dossier_id: str, *, note: str = "",
            now: datetime | None = None, table: Table | None = None,
            deps: Deps | None = None) -> dict[str, Any]:
    """The current step is done: the hand-off goes on the control slip (giver,
    receiver, time, early / on time / late for that step) and the next step's
    unit gets the work; after the last step the dossier is resolved (status 9)."""
    deps, now, d = opened(caller, dossier_id, table=table, deps=deps, now=now)
    if not acts(caller, d):
        raise Forbidden("Bước hiện tại không thuộc đơn vị của bạn.",
                        "The current step is not your unit's.")
    status = S(int(d["status"]))
    if status not in (S.RECEIVED, S.IN_PROGRESS):
        raise Conflict(f"Hồ sơ đang ở trạng thái “{status.label_vi}”.",
                       f"The dossier is in status {int(status)}.", "invalid_state")
    index = int(d["step_index"])
    step = d["steps"][index]
    if rules.signs_result(step) and d.get("result_status") != "signed":
        # The signing step is done when the result is signed, not when someone
        # says so: otherwise a dossier is resolved, counted and returned with none.
        raise Conflict(f"Chưa ký số kết quả: bước “{step['name']}” chỉ hoàn thành khi "
                       "kết quả đã được ký.",
                       f"The result is not signed: the step \"{step['name']}\" is done "
                       "only once it is.", "result_not_signed")
    verdict = rules.timeliness(now, instant(step["deadline"]))
    last = index + 1 >= len(d["steps"])
    receiver = "Trả kết quả" if last else d["steps"][index + 1]["name"]
    slip = [*d["slip"], {"step": step["name"], "giver": caller.username,
                         "giver_name": caller.full_name or caller.username,
                         "giver_unit": step["unit"], "receiver": receiver,
                         "receiver_unit": None if last else d["steps"][index + 1]["unit"],
                         "at": iso(now), "deadline": step["deadline"],
                         "timeliness": verdict.value, "timeliness_label": verdict.label_vi,
                         "note": note}]
    done = finished_work(deps, d, now)
    new_status = S.RESOLVED if last else S.IN_PROGRESS
    after = {**d, "slip": slip, "step_index": index + 1, "status": int(new_status),
             "people": sorted(set(d["people"]) | {caller.username}),
             "timeline": timeline(d, "Đã xử lý xong" if last else f"Chuyển: {receiver}", now)}
    if int(d["status"]) == int(S.RECEIVED):
        transition(d, S.IN_PROGRESS)
    deltas: list[rules.CounterDelta] = []
    if last:
        after["resolved_at"] = iso(now)
        deltas = list(rules.resolved_deltas(d["owner_unit"], now, instant(d["appointment_at"]),
                                            scheduled_overdue(d)))
        after["result_timeliness"] = rules.timeliness(now, instant(d["appointment_at"])).value
    else:
        next_unit = d["steps"][index + 1]["unit"]
        after["units"] = sorted(set(d["units"]) | {next_unit})
        work = step_work(deps, after, index + 1, by=caller.username)
        # The same unit's next step replaces its finished one (one item per unit).
        done = [w for w in done if w["assignee"] != work["assignee"]] + [work]
    uow = deps.store.unit_of_work()
    saved = save(deps, uow, d, after)
    for w in done:
        deps.store.put_work(uow, w)
        if w["status"] == WorkStatus.OPEN.value:
            announce(uow, w)  # the next step's holders are told
    _hand_on_actions(deps, uow, caller, d, after, index, last)
    deps.store.count(uow, deltas)
    record(deps, uow, caller, dossier_id, "dossier.advance",
           summary=f"{step['name']} → {receiver} ({verdict.label_vi})")
    if last and d["applicant"].get("email"):
        uow.emit(mail(saved, "dossier_status", message="Hồ sơ đã được giải quyết xong; "
                      "kết quả sẵn sàng để trả."))
    pause_point("onestop.advance")  # crash tests: the hand-off built, not yet committed
    uow.commit()
    return view(caller, dossier_id, deps=deps)


def _hand_on_actions(deps: Deps, uow: UnitOfWork, caller: Caller, d: dict[str, Any],
                     after: dict[str, Any], index: int, last: bool) -> None:
    """The pending actions the hand-off moves: the result is to be signed at the
    signing step (no longer once the dossier has left it unsigned: its signer
    cannot act any more), and handed back once the dossier is resolved."""
    pending = pending_of(deps)
    leaving = rules.signs_result(d["steps"][index])
    entering = not last and rules.signs_result(d["steps"][index + 1])
    if leaving and not entering:
        pending.close(uow, WORK_PARENT, d["id"], Action.SIGN_RESULT, by=caller.username,
                      outcome=WorkStatus.CANCELLED)
    if entering and not leaving:
        ask_signature(deps, uow, after, index + 1, by=caller.username)
    if last:
        ask_return(deps, uow, after, by=caller.username)

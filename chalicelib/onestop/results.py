"""Results: the head of the unit holding the dossier asks for the signed
result (a workflow step composes, signs and seals it, ``onestop/steps.py``),
the step records how it went, the signed PDF is fetched by a short-lived link,
and the desk returns the result in person or online (status 10)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound
from chalicelib.kernel.events import DomainEvent, iso
from chalicelib.kernel.identity import Caller, Role
from chalicelib.onestop.dossiers import (
    Deps,
    S,
    acts,
    ask_signature,
    chain_of,
    deps_for,
    load_dossier,
    mail,
    opened,
    pending_of,
    record,
    save,
    timeline,
    transition,
)
from chalicelib.onestop.reading import view
from chalicelib.onestop.rules import RESULT_REQUESTED, signs_result
from chalicelib.onestop.store import WORK_PARENT
from chalicelib.work.rules import Action


def request_result(caller: Caller, dossier_id: str, table: Table | None = None, *,
                   deps: Deps | None = None) -> dict[str, Any]:
    """The signer of the unit confirms (a sign-in under five minutes old); the
    workflow step composes, signs and seals the result (onestop/steps.py)."""
    from chalicelib.kernel.reauth import require_fresh_auth

    deps = deps_for(table, deps)
    d = load_dossier(caller, dossier_id, deps=deps)
    if not (caller.roles & {Role.UNIT_HEAD, Role.LEADER}) or not acts(caller, d):
        raise Forbidden("Chỉ lãnh đạo đơn vị đang giữ hồ sơ mới ký kết quả.",
                        "Only the head of the unit holding the dossier signs the result.")
    if int(d["status"]) not in (int(S.RECEIVED), int(S.IN_PROGRESS)) or d.get(
            "result_status") in ("signing", "signed"):
        raise Conflict("Hồ sơ không ở bước ký kết quả.", "The dossier is not at the "
                       "result-signing step.", "invalid_state")
    step = d["steps"][int(d["step_index"])]
    if not signs_result(step):
        # The unit holds the dossier at other steps too (the examination): the
        # result is signed only at its own step, after the examination is done.
        raise Conflict(f"Hồ sơ đang ở bước “{step['name']}”, chưa đến bước ký kết quả.",
                       f"The dossier is at the step \"{step['name']}\", not at the "
                       "result-signing step.", "wrong_step")
    require_fresh_auth(caller, deps.clock())
    uow = deps.store.unit_of_work()
    save(deps, uow, d, {**d, "result_status": "signing", "result_failure": None})
    # Signed by whoever is entitled: the signer's action ends.
    pending_of(deps).close(uow, WORK_PARENT, dossier_id, Action.SIGN_RESULT,
                           by=caller.username)
    record(deps, uow, caller, dossier_id, "dossier.result", "Ký số kết quả giải quyết")
    uow.emit(DomainEvent(RESULT_REQUESTED, chain_of(dossier_id),
                         {"id": dossier_id, "signer": caller.username,
                          "request": uuid.uuid4().hex}))
    uow.commit()
    return view(caller, dossier_id, deps=deps)


def record_result(dossier_id: str, *, table: Table | None = None, deps: Deps | None = None,
                  **fields: Any) -> None:
    """What the signing step made of the result (signed, or failed and why)."""
    deps = deps_for(table, deps)
    d = deps.store.get(dossier_id)
    if d is None or d.get("result_status") != "signing":
        return
    uow = deps.store.unit_of_work()
    after = save(deps, uow, d, {**d, **fields})
    index = int(d["step_index"])
    if fields.get("result_status") != "signed" and index < len(d["steps"]) and \
            int(d["status"]) in (int(S.RECEIVED), int(S.IN_PROGRESS)):
        # The signing failed: the signer is asked again while the step is theirs.
        ask_signature(deps, uow, after, index, by="system")
    record(deps, uow, None, dossier_id, "dossier.result",
           "Kết quả đã ký số" if fields.get("result_status") == "signed"
           else "Ký số kết quả không thành công", actor="system")
    uow.commit()


def result_url(caller: Caller, dossier_id: str, *, s3: Any, bucket: str,
               table: Table | None = None) -> dict[str, Any]:
    d = load_dossier(caller, dossier_id, table)
    if not d.get("result_key"):
        raise NotFound("Chưa có kết quả đã ký.", "No signed result yet.")
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": d["result_key"], "ResponseContentType": "application/pdf",
        "ResponseContentDisposition": f'inline; filename="ket-qua-{d["code"]}.pdf"'},
        ExpiresIn=300)
    return {"url": url, "expires_in": 300}


def public_result_url(code: str, phone_last4: str, *, s3: Any, bucket: str,
                      table: Table | None = None, deps: Deps | None = None) -> dict[str, Any]:
    """The applicant's own download of the signed result, once returned: behind
    the same check as the public lookup (the code and the phone's last 4 digits,
    a wrong phone answering like an unknown code)."""
    from chalicelib.onestop.reading import find_by_code

    d = find_by_code(code, phone_last4, deps_for(table, deps))
    if int(d["status"]) != int(S.RETURNED) or not d.get("result_key"):
        raise NotFound("Hồ sơ chưa có kết quả đã ký để tải về.",
                       "The dossier has no signed result to download yet.")
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": d["result_key"], "ResponseContentType": "application/pdf",
        "ResponseContentDisposition": f'attachment; filename="ket-qua-{d["code"]}.pdf"'},
        ExpiresIn=300)
    return {"url": url, "expires_in": 300}


def return_result(caller: Caller, dossier_id: str, *, how: str, now: datetime | None = None,
                  table: Table | None = None, deps: Deps | None = None) -> dict[str, Any]:
    """The result handed over in person or sent online (status 10): the dossier
    closes with its history."""
    deps, now, d = opened(caller, dossier_id, table=table, deps=deps, now=now)
    if not caller.roles & {Role.ONE_STOP, Role.LEADER}:
        raise Forbidden()
    if any(signs_result(s) for s in d["steps"]) and d.get("result_status") != "signed":
        raise Conflict("Hồ sơ chưa có kết quả đã ký số để trả.",
                       "The dossier has no signed result to return.", "result_not_signed")
    transition(d, S.RETURNED)
    after = {**d, "status": int(S.RETURNED), "returned_at": iso(now), "returned_how": how,
             "timeline": timeline(d, "Đã trả kết quả" + (" trực tuyến" if how == "online"
                                                          else " trực tiếp"), now)}
    uow = deps.store.unit_of_work()
    saved = save(deps, uow, d, after)
    pending_of(deps).close(uow, WORK_PARENT, dossier_id, Action.RETURN_RESULT,
                           by=caller.username)
    record(deps, uow, caller, dossier_id, "dossier.return",
           "Trả kết quả " + ("trực tuyến" if how == "online" else "trực tiếp"))
    if how == "online" and d.get("result_key") and d["applicant"].get("email"):
        # The signed result travels with the mail (onestop/steps.py).
        uow.emit(DomainEvent("dossier.returned_online", chain_of(dossier_id),
                             {"id": dossier_id}))
    elif d["applicant"].get("email"):
        uow.emit(mail(saved, "dossier_status", message="Kết quả giải quyết đã được trả"
                      + (" trực tuyến." if how == "online" else ".")))
    uow.commit()
    return view(caller, dossier_id, deps=deps)

"""Reception (tiếp nhận): a dossier received online or at the desk, checked
against the procedure in force that day, given its code, its appointment and
its first step's work; its receipt; and the refusal slip of a dossier the desk
does not receive."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamo import Table, json_ready
from chalicelib.adapters.public_uploads import UploadArea, take_upload
from chalicelib.adapters.public_uploads import upload_form as public_upload_form
from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, iso
from chalicelib.kernel.identity import Caller, Role
from chalicelib.onestop import rules
from chalicelib.onestop.dossiers import (
    DEFAULT_RECEIVING_CODE,
    LEADERS_UNIT,
    RECEIVING_UNIT,
    TZ,
    Deps,
    S,
    ask_signature,
    chain_of,
    deps_for,
    load_dossier,
    step_work,
)
from chalicelib.onestop.procedures import in_force, procedure_view
from chalicelib.work.pending import announce

UPLOADS = UploadArea("dossiers/uploads", 20 * 1024 * 1024, expires_in=1800)
# Attempts at a code before the desk answers "busy": each lost race re-reads
# the day's sequence.
ATTEMPTS = 20


def upload_form(s3: Any, bucket: str) -> dict[str, Any]:
    return public_upload_form(UPLOADS, s3, bucket)


def unit_code(name: str | None, units: list[dict[str, Any]]) -> str:
    """Steps name their performer as the catalogue publishes it ("Phòng Đăng ký
    kinh doanh"); the dossier's work goes to the unit of that name."""
    if not name:
        return RECEIVING_UNIT
    folded = name.casefold()
    for unit in units:
        if unit["name"].casefold() == folded or unit["code"].casefold() == folded:
            return str(unit["code"])
    if "một cửa" in folded:
        return RECEIVING_UNIT
    if "lãnh đạo" in folded or "giám đốc" in folded:
        return LEADERS_UNIT
    return RECEIVING_UNIT


def with_iso_steps(procedure: rules.Procedure, governing: dict[str, Any]) -> rules.Procedure:
    """The catalogue's procedure (papers, fee, legal time limit) with the steps
    of the ISO procedure version governing it, their shares from their days."""
    from dataclasses import replace

    from chalicelib.iso.rules import shares

    steps = governing["steps"]
    return replace(procedure, steps=tuple(
        rules.ProcedureStep(s["name"], s.get("who") or None, s.get("role") or None, share)
        for s, share in zip(steps, shares(steps), strict=True)))


def check_papers(procedure: rules.Procedure, papers: dict[str, list[str]]) -> None:
    missing = [p for p in procedure.papers if p.required and not papers.get(p.code)]
    unknown = [code for code in papers if code not in {p.code for p in procedure.papers}]
    problems = [FieldProblem(f"papers.{p.code}", f"Thiếu: {p.name}.", f"Missing: {p.code}.")
                for p in missing]
    problems += [FieldProblem(f"papers.{c}", "Không thuộc thành phần hồ sơ của thủ tục.",
                              "Not a paper of this procedure.") for c in unknown]
    if problems:
        raise InvalidInput("Hồ sơ chưa đủ thành phần theo quy định: "
                           + "; ".join(p.name for p in missing) if missing
                           else "Hồ sơ có thành phần không thuộc thủ tục.",
                           "The dossier lacks required papers.", "papers_missing", problems)


def _attach(uploads: dict[str, list[str]], dossier_id: str, s3: Any, intake_bucket: str,
            documents_bucket: str) -> dict[str, list[dict[str, Any]]]:
    """The applicant's uploads, by paper, checked and kept with the dossier."""
    out: dict[str, list[dict[str, Any]]] = {}
    n = 0
    for paper, ids in uploads.items():
        for upload_id in ids:
            n += 1
            out.setdefault(paper, []).append(take_upload(
                UPLOADS, upload_id, path=f"papers.{paper}", dest_key=f"dossiers/{dossier_id}/"
                f"{n:02d}", s3=s3, intake_bucket=intake_bucket,
                documents_bucket=documents_bucket))
    return out


def _submitted(deps: Deps, key: str) -> dict[str, Any] | None:
    """The dossier an earlier submission with this key made, if any."""
    done = deps.store.submission(key)
    return deps.store.get(done["dossier_id"]) if done is not None else None


def receive(caller: Caller | None, *, procedure_code: str, applicant: dict[str, Any],
            papers: dict[str, list[str]], channel: str, seen: list[str] | tuple[()] = (),
            idempotency_key: str | None = None,
            storage: dict[str, Any] | None = None, now: datetime | None = None,
            table: Table | None = None, deps: Deps | None = None) -> dict[str, Any]:
    """A dossier received online (``caller`` None) or at the desk: checked
    against the procedure in force that day, given its code and appointment.
    An online submission repeated with the same key returns the first dossier."""
    deps = deps_for(table, deps)
    store = deps.store
    now = now or deps.clock()
    if idempotency_key:
        existing = _submitted(deps, idempotency_key)
        if existing is not None:
            return existing
    local = now.astimezone(TZ)
    procedure = in_force(procedure_code, local.date(), store,
                         problem="The procedure is not in force on the receipt date.")
    # The ISO procedure in force on the agency calendar date of reception sets
    # the steps and their time shares; the dossier keeps that version.
    governing = deps.procedures(procedure.code, local.date()) if deps.procedures else None
    if governing is not None:
        procedure = with_iso_steps(procedure, governing)
    # Online every paper is a file; at the desk the officer ticks the originals seen.
    check_papers(procedure, {**{code: ["seen"] for code in seen},
                             **{k: v for k, v in papers.items() if v}})
    dossier_id = uuid.uuid4().hex
    uploads = {k: v for k, v in papers.items() if v}
    files = _attach(uploads, dossier_id, **storage) if storage and uploads else {}
    cal = deps.calendar()
    appointment = rules.appointment(procedure, now, cal)
    target = rules.appointment(procedure, now, cal, target=True)
    start = cal.start_of_counting(now)
    units = deps.units()
    # The performer's role is kept: it tells the step where the result is signed.
    steps = [{"name": s.name, "unit": unit_code(s.performer_unit, units),
              "role": s.performer_role or "", "share": str(s.share), "deadline": iso(deadline)}
             for s, deadline in rules.step_deadlines(procedure, start, cal)]
    if governing is not None:
        # What the officer reads on the step page: how, and the form it produces.
        forms = {f["code"]: f for f in governing.get("forms") or []}
        for step, planned in zip(steps, governing["steps"], strict=True):
            step["how"] = planned.get("how") or ""
            if planned.get("record"):
                step["form"] = forms.get(planned["record"]) or {"code": planned["record"],
                                                                "name": planned["record"]}
    online = caller is None
    # Form 06 counts a dossier under the unit that settles it: the unit of the
    # step with the largest share of the time (the examination), not the desk.
    owner = max(steps, key=lambda s: Decimal(s["share"]))["unit"]
    for _attempt in range(ATTEMPTS):
        uow = store.unit_of_work()
        sequence = store.next_sequence(uow, DEFAULT_RECEIVING_CODE, local)
        code = rules.dossier_code(DEFAULT_RECEIVING_CODE, local, sequence)
        dossier = store.add(uow, {
            "id": dossier_id, "code": code, "procedure": procedure_view(procedure),
            "procedure_code": procedure.code, "procedure_version": procedure.version,
            "iso_procedure": {k: governing[k] for k in ("id", "code", "number", "title",
                                                        "effective_from")}
            if governing else None,
            "applicant": applicant, "phone_last4": str(applicant["phone"])[-4:],
            "access_key": rules.new_access_key(),
            "channel": "online" if online else "in_person", "status": int(S.RECEIVED),
            "received_at": iso(now), "appointment_at": iso(appointment),
            "first_appointment_at": iso(appointment), "target_at": iso(target),
            "overdue_from": rules.overdue_from(appointment).isoformat(),
            "steps": steps, "step_index": 0, "slip": [], "pauses": [], "files": files,
            "papers_seen": list(seen),
            "units": sorted({RECEIVING_UNIT, steps[0]["unit"]}), "owner_unit": owner,
            "people": [caller.username] if caller else [],
            "received_by": caller.username if caller else "online",
            "version": 1, "created_at": iso(now), "updated_at": iso(now),
        }, month=f"{local:%Y-%m}")
        if idempotency_key:
            store.add_submission(uow, idempotency_key, dossier_id,
                                 int((now + timedelta(days=7)).timestamp()))
        # The first step's holder must act (the desk, for a dossier received online).
        # Whoever received it at the desk is not told of their own dossier.
        first = step_work(deps, dossier, 0, by=caller.username if caller else "system")
        store.put_work(uow, first)
        announce(uow, first)
        ask_signature(deps, uow, dossier, 0, by="system")
        store.count(uow, rules.received_deltas(owner, now, appointment, online=online))
        deps.trail.append(uow, ChainHead(chain_of(dossier_id)), caller, "dossier.receive",
                          summary=f"Tiếp nhận hồ sơ {code}: {procedure.name}",
                          actor=None if caller else "online")
        # The receipt (a printable PDF) is mailed by a step: PDF libraries stay
        # out of the request path.
        uow.emit(DomainEvent("dossier.received", chain_of(dossier_id), {"id": dossier_id}))
        try:
            uow.commit()
        except Conflict:
            if idempotency_key:
                found = _submitted(deps, idempotency_key)
                if found is not None:  # the same submission won a race with itself
                    return found
            continue  # another dossier took this sequence number: read it again
        return dossier
    raise Conflict("Bộ phận một cửa đang bận, vui lòng thử lại.",
                   "The desk is busy; retry.", "busy")


def receipt_pdf(caller: Caller, dossier_id: str, table: Table) -> bytes:
    from chalicelib.onestop.printables import compose_receipt
    from chalicelib.organisation.service import agency_profile

    d = load_dossier(caller, dossier_id, table)
    return compose_receipt(d, agency_profile(table))


# ---------------------------------------------------------------- refusal at the desk

def refuse_at_desk(caller: Caller, *, procedure_code: str, applicant: dict[str, Any],
                   missing: list[str], reason: str, table: Table | None = None,
                   deps: Deps | None = None) -> dict[str, Any]:
    """A dossier not received (status 3): the desk hands the applicant a refusal
    slip listing the missing papers (also e-mailed). It never enters the counts."""
    deps = deps_for(table, deps)
    if not caller.roles & {Role.ONE_STOP, Role.LEADER}:
        raise Forbidden()
    now = deps.clock()
    procedure = in_force(procedure_code, now.astimezone(TZ).date(), deps.store,
                         problem="The procedure is not in force.")
    names = {p.code: p.name for p in procedure.papers}
    unknown = [code for code in missing if code not in names]
    if unknown or not (missing or reason.strip()):
        raise InvalidInput("Cần chọn giấy tờ còn thiếu (thuộc thủ tục) hoặc ghi lý do.",
                           "Name the missing papers of this procedure or give a reason.",
                           "invalid_refusal",
                           [FieldProblem("missing", "Không thuộc thủ tục hoặc để trống.",
                                         "Not of this procedure, or empty.")])
    refusal_id = uuid.uuid4().hex
    refusal = {"id": refusal_id, "status": int(S.REFUSED),
               "procedure": procedure_view(procedure), "applicant": applicant,
               "missing": [{"code": c, "name": names[c]} for c in missing],
               "reason": reason, "refused_by": caller.username,
               "refused_by_name": caller.full_name or caller.username, "at": iso(now)}
    uow = deps.store.unit_of_work()
    deps.store.add_refusal(uow, refusal)
    deps.trail.append(uow, ChainHead(chain_of(refusal_id)), caller, "dossier.refuse",
                      summary=f"Từ chối tiếp nhận ({procedure.name}): thiếu "
                              + ", ".join(names[c] for c in missing) if missing else reason)
    if applicant.get("email"):
        uow.emit(DomainEvent("dossier.refused", chain_of(refusal_id), {"id": refusal_id}))
    uow.commit()
    return json_ready({"kind": "dossier_refusal", **refusal})


def refusal_slip(caller: Caller, refusal_id: str, table: Table) -> bytes:
    from chalicelib.onestop.printables import compose_refusal
    from chalicelib.onestop.store import OneStopStore
    from chalicelib.organisation.service import agency_profile

    if not caller.roles & {Role.ONE_STOP, Role.LEADER}:
        raise NotFound()
    item = OneStopStore(table).refusal(refusal_id)
    if item is None:
        raise NotFound()
    return compose_refusal(item, agency_profile(table))

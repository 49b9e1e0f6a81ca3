"""The one-stop shop (một cửa): the procedure catalogue, dossiers received online
or at the desk, their code and appointment, processing step by step with the
control slip, requests for additional papers that stop the clock, withdrawal,
results, the public lookup, and the counters behind report form 06.

Items (docs/data-model.md):
- ``PROC#{code}/V#{version}`` one version of a procedure (the catalogue);
- ``DOSSIER#{id}/DOSSIER`` a dossier: the procedure version it was received
  under (a snapshot), the applicant, status 1–10, appointment, steps and the
  control slip; ``gsi1`` ``DOSSIERCODE#{code}``;
- ``DOSSIER#{id}/WORK#{assignee}`` the current step's work (its share of the
  deadline), so my-work lists and reminders see it;
- ``DOSSIERKEY#{key}`` the idempotency key of an online submission;
- ``COUNTER#dossier#{unit}#{yymmdd}`` the daily sequence of codes;
- ``STATS#onestop#{unit}/{yyyy-mm-dd}`` form 06 counters (ADD, in the same
  transaction as the change they count).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table, json_ready, put_op, update_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.adapters.public_uploads import UploadArea, take_upload
from chalicelib.adapters.public_uploads import upload_form as public_upload_form
from chalicelib.audit import trail as audit
from chalicelib.calendar.service import agency_calendar
from chalicelib.kernel.access import ItemAccess, Kind, can_view
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.notifications.service import mail_event
from chalicelib.onestop import rules as rules
from chalicelib.organisation.service import agency_profile
from chalicelib.work.rules import Part, WorkStatus

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
S = rules.DossierStatus
UPLOADS = UploadArea("dossiers/uploads", 20 * 1024 * 1024, expires_in=1800)
# The unit whose code starts every dossier code (the province's code of the
# department's one-stop desk in the national catalogue; a setting in production).
DEFAULT_RECEIVING_CODE = "000.00.12.H26"
RECEIVING_UNIT = "MC"  # Bộ phận Một cửa: where dossiers are received and returned


def chain_of(dossier_id: str) -> str:
    return f"dossier:{dossier_id}"



# ---------------------------------------------------------------- catalogue

def _procedure_item(p: rules.Procedure) -> dict[str, Any]:
    data = asdict(p)
    data["effective_from"] = p.effective_from.isoformat()
    data["effective_to"] = p.effective_to.isoformat() if p.effective_to else None
    return {"pk": f"PROC#{p.code}", "sk": f"V#{p.effective_from.isoformat()}#{p.version}",
            "kind": "procedure", "gsi1pk": "PROCEDURES", "gsi1sk": f"{p.code}#{p.version}",
            **json_ready(_decimals_to_str(data))}


def _decimals_to_str(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _decimals_to_str(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals_to_str(v) for v in value]
    return value


def _procedure(item: dict[str, Any]) -> rules.Procedure:
    return rules.Procedure(
        code=item["code"], version=item["version"],
        effective_from=date.fromisoformat(item["effective_from"]),
        effective_to=date.fromisoformat(item["effective_to"]) if item.get("effective_to")
        else None, name=item["name"], field=item["field"],
        time_limit=Decimal(item["time_limit"]), day_count=rules.DayCount(item["day_count"]),
        steps=tuple(rules.ProcedureStep(s["name"], s.get("performer_unit"),
                                        s.get("performer_role"), Decimal(s["share"]))
                    for s in item["steps"]),
        fee=int(item["fee"]), papers=tuple(rules.Paper(p["code"], p["name"],
                                                       bool(p["required"]))
                                           for p in item["papers"]),
        result=item["result"],
        target_days=Decimal(item["target_days"]) if item.get("target_days") else None)


def ensure_catalogue(table: Table | None = None) -> int:
    """Seed the catalogue with the procedures of ``domain/onestop.py`` (idempotent:
    a stored version is never rewritten, since dossiers refer to it)."""
    table = table or Table()
    added = 0
    from chalicelib.onestop.catalogue import SEED_PROCEDURES

    for p in SEED_PROCEDURES:
        item = _procedure_item(p)
        if table.get(item["pk"], item["sk"]) is None:
            table.put(item)
            added += 1
    return added


def _versions(code: str, table: Table) -> list[rules.Procedure]:
    return [_procedure(i) for i in table.query(f"PROC#{code}", sk_prefix="V#", limit=100).items]


def catalogue(on: date | None = None, table: Table | None = None) -> list[dict[str, Any]]:
    """Procedures in force on ``on`` (today by default), for the public form."""
    table = table or Table()
    on = on or utcnow().astimezone(TZ).date()
    codes = sorted({i["code"] for i in table.query("PROCEDURES", index="gsi1", limit=500).items})
    out = []
    for code in codes:
        try:
            p = rules.procedure_in_force(_versions(code, table), code, on)
        except ValueError:
            continue
        out.append(_procedure_view(p))
    return out


def _procedure_view(p: rules.Procedure) -> dict[str, Any]:
    return {"code": p.code, "version": p.version, "name": p.name, "field": p.field,
            "time_limit": str(p.time_limit), "day_count": p.day_count.value,
            "target_days": str(p.target_days) if p.target_days else None, "fee": p.fee,
            "result": p.result, "papers": [asdict(x) for x in p.papers],
            "steps": [{"name": s.name, "unit": s.performer_unit, "share": str(s.share)}
                      for s in p.steps]}


# ---------------------------------------------------------------- units of the steps

def _unit_code(name: str | None, table: Table) -> str:
    """Steps name their performer as the catalogue publishes it ("Phòng Đăng ký
    kinh doanh"); the dossier's work goes to the unit of that name."""
    from chalicelib.organisation.service import list_units

    if not name:
        return RECEIVING_UNIT
    folded = name.casefold()
    for unit in list_units(table):
        if unit["name"].casefold() == folded or unit["code"].casefold() == folded:
            return str(unit["code"])
    if "một cửa" in folded:
        return RECEIVING_UNIT
    if "lãnh đạo" in folded or "giám đốc" in folded:
        return "BGD"
    return RECEIVING_UNIT


# ---------------------------------------------------------------- counters

def _count_ops(deltas: Any) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, int]] = {}
    for d in deltas:
        row = merged.setdefault((d.unit, d.day.isoformat()), {})
        row[d.counter] = row.get(d.counter, 0) + d.delta
    ops = []
    for (unit, day), counters in merged.items():
        names = {f"#{k}": k for k in counters}
        values = {f":{k}": v for k, v in counters.items()}
        ops.append(update_op(f"STATS#onestop#{unit}", day,
                             "ADD " + ", ".join(f"#{k} :{k}" for k in counters),
                             names=names, values=values))
    return ops


# ---------------------------------------------------------------- intake

def _access(d: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.DOSSIER, units=frozenset(d.get("units") or []),
                      people=frozenset(d.get("people") or []))


def _next_sequence(table: Table, unit_code: str, day: datetime) -> tuple[int, dict[str, Any]]:
    pk = f"COUNTER#dossier#{unit_code}#{day:%y%m%d}"
    current = table.get(pk, "COUNTER", consistent=True)
    value = int(current["value"]) if current else 0
    counter = {"pk": pk, "sk": "COUNTER", "kind": "counter", "value": value + 1}
    op = put_op(counter, condition="attribute_not_exists(pk)") if current is None else put_op(
        counter, condition="#v = :v", names={"#v": "value"}, values={":v": value})
    return value + 1, op


def _check_papers(procedure: rules.Procedure, papers: dict[str, list[str]]) -> None:
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


def upload_form(s3: Any, bucket: str) -> dict[str, Any]:
    return public_upload_form(UPLOADS, s3, bucket)


def receive(caller: Caller | None, *, procedure_code: str, applicant: dict[str, Any],
            papers: dict[str, list[str]], channel: str, seen: list[str] | tuple[()] = (),
            idempotency_key: str | None = None,
            storage: dict[str, Any] | None = None, now: datetime | None = None,
            table: Table | None = None) -> dict[str, Any]:
    """A dossier received online (``caller`` None) or at the desk: checked
    against the procedure in force that day, given its code and appointment.
    An online submission repeated with the same key returns the first dossier."""
    table = table or Table()
    now = now or utcnow()
    if idempotency_key:
        done = table.get(f"DOSSIERKEY#{idempotency_key}", "KEY", consistent=True)
        if done is not None:
            existing = table.get(f"DOSSIER#{done['dossier_id']}", "DOSSIER", consistent=True)
            if existing is not None:
                return existing
    local = now.astimezone(TZ)
    try:
        procedure = rules.procedure_in_force(_versions(procedure_code, table), procedure_code,
                                             local.date())
    except ValueError as exc:
        raise InvalidInput(str(exc), "The procedure is not in force on the receipt date.",
                           "procedure_not_in_force",
                           [FieldProblem("procedure", str(exc), "Not in force.")]) from exc
    # Online every paper is a file; at the desk the officer ticks the originals seen.
    _check_papers(procedure, {**{code: ["seen"] for code in seen},
                              **{k: v for k, v in papers.items() if v}})
    dossier_id = uuid.uuid4().hex
    uploads = {k: v for k, v in papers.items() if v}
    files = _attach(uploads, dossier_id, **storage) if storage and uploads else {}
    cal = agency_calendar()
    appointment = rules.appointment(procedure, now, cal)
    target = rules.appointment(procedure, now, cal, target=True)
    start = cal.start_of_counting(now)
    steps = [{"name": s.name, "unit": _unit_code(s.performer_unit, table),
              "share": str(s.share), "deadline": iso(deadline)}
             for s, deadline in rules.step_deadlines(procedure, start, cal)]
    online = caller is None
    # Form 06 counts a dossier under the unit that settles it: the unit of the
    # step with the largest share of the time (the examination), not the desk.
    owner = max(steps, key=lambda s: Decimal(s["share"]))["unit"]
    for _attempt in range(20):
        sequence, counter_op = _next_sequence(table, DEFAULT_RECEIVING_CODE, local)
        code = rules.dossier_code(DEFAULT_RECEIVING_CODE, local, sequence)
        dossier: dict[str, Any] = {
            "pk": f"DOSSIER#{dossier_id}", "sk": "DOSSIER", "kind": "dossier",
            "id": dossier_id, "code": code, "procedure": _procedure_view(procedure),
            "procedure_code": procedure.code, "procedure_version": procedure.version,
            "applicant": applicant, "phone_last4": str(applicant["phone"])[-4:],
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
            "gsi1pk": f"DOSSIERCODE#{code}", "gsi1sk": dossier_id,
            "gsi3pk": f"DOSSIERS#{local:%Y-%m}", "gsi3sk": f"{iso(now)}#{dossier_id}",
        }
        uow = UnitOfWork(table)
        uow.add(counter_op)
        uow.add(put_op(dossier, condition="attribute_not_exists(pk)"))
        if idempotency_key:
            uow.add(put_op({"pk": f"DOSSIERKEY#{idempotency_key}", "sk": "KEY",
                            "kind": "idempotency", "dossier_id": dossier_id,
                            "expires_at": int((now + timedelta(days=7)).timestamp())},
                           condition="attribute_not_exists(pk)"))
        uow.add(put_op(_step_work(dossier, 0, by="system")))
        for op in _count_ops(rules.received_deltas(owner, now, appointment,
                                                   online=online)):
            uow.add(op)
        audit.append(uow, audit.ChainHead(chain_of(dossier_id)), caller, "dossier.receive",
                     summary=f"Tiếp nhận hồ sơ {code}: {procedure.name}",
                     actor=None if caller else "online")
        # The receipt (a printable PDF) is mailed by a step: PDF libraries stay
        # out of the request path.
        from chalicelib.kernel.events import DomainEvent

        uow.emit(DomainEvent("dossier.received", chain_of(dossier_id), {"id": dossier_id}))
        try:
            uow.commit()
        except Conflict:
            if idempotency_key:
                done = table.get(f"DOSSIERKEY#{idempotency_key}", "KEY", consistent=True)
                if done is not None:  # the same submission won a race with itself
                    found = table.get(f"DOSSIER#{done['dossier_id']}", "DOSSIER",
                                      consistent=True)
                    if found is not None:
                        return found
            continue  # another dossier took this sequence number: read it again
        return dossier
    raise Conflict("Bộ phận một cửa đang bận, vui lòng thử lại.",
                   "The desk is busy; retry.", "busy")


def _step_work(dossier: dict[str, Any], index: int, *, by: str) -> dict[str, Any]:
    from chalicelib.work.items import work_item

    step = dossier["steps"][index]
    subject = {"id": dossier["id"], "trich_yeu": f"{dossier['code']}: "
               f"{dossier['procedure']['name']}"[:300]}
    work = work_item(subject, f"UNIT#{step['unit']}", Part.LEAD, step["name"],
                      instant(step["deadline"]), by, step["unit"], parent="DOSSIER")
    work["step_index"] = index
    return work


def _mail(dossier: dict[str, Any], template: str, **extra: Any) -> Any:
    from chalicelib.kernel.config import get_settings

    appointment = instant(dossier.get("appointment_at"))
    context = {"name": dossier["applicant"]["name"], "code": dossier["code"],
               "procedure": dossier["procedure"]["name"],
               "status_label": S(int(dossier["status"])).label_vi,
               "received": _local(dossier["received_at"]),
               "appointment": appointment.astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y")
               if appointment else "",
               "lookup": f"{get_settings().public_base_url}/tra-cuu?code={dossier['code']}",
               **extra}
    return mail_event(chain_of(dossier["id"]), [dossier["applicant"]["email"]], template,
                      context)


def _local(value: str | None) -> str:
    moment = instant(value)
    return moment.astimezone(TZ).strftime("%d/%m/%Y") if moment else ""


# ---------------------------------------------------------------- reading

def load_dossier(caller: Caller, dossier_id: str, table: Table) -> dict[str, Any]:
    d = table.get(f"DOSSIER#{dossier_id}", "DOSSIER", consistent=True)
    if d is None or not can_view(caller, _access(d)):
        raise NotFound()
    return d


def view(caller: Caller, dossier_id: str, table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    d = load_dossier(caller, dossier_id, table)
    out = json_ready({k: v for k, v in d.items() if k not in (
        "pk", "sk", "gsi1pk", "gsi1sk", "gsi3pk", "gsi3sk", "phone_last4")})
    out["status_label"] = S(int(d["status"])).label_vi
    out["actions"] = _actions(caller, d)
    return out


def _current_unit(d: dict[str, Any]) -> str | None:
    steps = d["steps"]
    index = int(d["step_index"])
    return steps[index]["unit"] if index < len(steps) else None


def _acts(caller: Caller, d: dict[str, Any]) -> bool:
    """The current step's unit (its head or officers), or the leaders."""
    unit = _current_unit(d)
    return Role.LEADER in caller.roles or (unit is not None and caller.unit == unit)


def _actions(caller: Caller, d: dict[str, Any]) -> list[str]:
    status = S(int(d["status"]))
    out = []
    if status in (S.RECEIVED, S.IN_PROGRESS) and _acts(caller, d):
        out += ["advance", "supplement", "stop"]
        if caller.roles & {Role.UNIT_HEAD, Role.LEADER} and d.get("result_status") not in (
                "signing", "signed"):
            out.append("sign_result")
    if status == S.SUPPLEMENT_REQUESTED and caller.roles & {Role.ONE_STOP, Role.LEADER}:
        out.append("resume")
    if status == S.RESOLVED and caller.roles & {Role.ONE_STOP, Role.LEADER}:
        out.append("return")
    if status == S.WITHDRAWAL_REQUESTED and caller.roles & {Role.ONE_STOP, Role.LEADER}:
        out.append("stop")
    return out


def list_visible(caller: Caller, *, month: str | None = None, table: Table | None = None
                 ) -> dict[str, Any]:
    """Dossiers received in a month (YYYY-MM) that the caller may see: the desk and
    leaders see all; a unit sees those that pass through it."""
    table = table or Table()
    month = month or utcnow().astimezone(TZ).strftime("%Y-%m")
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = table.query(f"DOSSIERS#{month}", index="gsi3", limit=500, cursor=cursor,
                           forward=False)
        items.extend(i for i in page.items if can_view(caller, _access(i)))
        cursor = page.cursor
        if not cursor:
            break
    return {"month": month, "items": [{
        "id": i["id"], "code": i["code"], "procedure": i["procedure"]["name"],
        "applicant": i["applicant"]["name"], "status": int(i["status"]),
        "status_label": S(int(i["status"])).label_vi, "received_at": i["received_at"],
        "appointment_at": i["appointment_at"], "channel": i["channel"]} for i in items]}


def lookup(code: str, phone_last4: str, table: Table | None = None) -> dict[str, Any]:
    """Public: the status, the timeline and the appointment; nothing about anyone.
    A wrong phone answers like an unknown code."""
    table = table or Table()
    page = table.query(f"DOSSIERCODE#{code.strip().upper()}", index="gsi1", limit=1)
    d = page.items[0] if page.items else None
    expected = str(d.get("phone_last4") or "") if d else ""
    if d is None or len(phone_last4) != 4 or hashlib.sha256(expected.encode()).digest() != \
            hashlib.sha256(phone_last4.encode()).digest():
        raise NotFound("Không tìm thấy hồ sơ với mã và số điện thoại này.",
                       "No dossier with this code and phone number.")
    timeline = [{"at": e["at"], "label": e["label"]} for e in d.get("timeline") or []]
    return {"code": d["code"], "procedure": d["procedure"]["name"],
            "status": int(d["status"]), "status_label": S(int(d["status"])).label_vi,
            "received_at": d["received_at"], "appointment_at": d["appointment_at"],
            "timeline": [{"at": d["received_at"], "label": "Tiếp nhận hồ sơ"}, *timeline]}


# ---------------------------------------------------------------- processing

def _transition(d: dict[str, Any], new: rules.DossierStatus) -> None:
    try:
        rules.check_transition(S(int(d["status"])), new)
    except ValueError as exc:
        raise Conflict(str(exc), f"Cannot move from status {d['status']} to {int(new)}.",
                       "invalid_state") from exc


def _save(uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    version = int(before["version"])
    after = {**after, "version": version + 1, "updated_at": iso(utcnow())}
    uow.add(put_op(after, condition="#v = :v", names={"#v": "version"}, values={":v": version}))
    return after


def _timeline(d: dict[str, Any], label: str, at: datetime) -> list[dict[str, Any]]:
    return [*(d.get("timeline") or []), {"at": iso(at), "label": label}]


def _close_work(d: dict[str, Any], table: Table, at: datetime) -> list[dict[str, Any]]:
    from chalicelib.work.items import closed

    return [put_op(closed(w, WorkStatus.DONE, completed_at=iso(at)))
            for w in table.query(f"DOSSIER#{d['id']}", sk_prefix="WORK#", limit=50).items
            if w["status"] == WorkStatus.OPEN.value]


def advance(caller: Caller, dossier_id: str, *, note: str = "",
            now: datetime | None = None, table: Table | None = None) -> dict[str, Any]:
    """The current step is done: the hand-off goes on the control slip (giver,
    receiver, time, early / on time / late for that step) and the next step's
    unit gets the work; after the last step the dossier is resolved (status 9)."""
    table = table or Table()
    now = now or utcnow()
    d = load_dossier(caller, dossier_id, table)
    if not _acts(caller, d):
        raise Forbidden("Bước hiện tại không thuộc đơn vị của bạn.",
                        "The current step is not your unit's.")
    status = S(int(d["status"]))
    if status not in (S.RECEIVED, S.IN_PROGRESS):
        raise Conflict(f"Hồ sơ đang ở trạng thái “{status.label_vi}”.",
                       f"The dossier is in status {int(status)}.", "invalid_state")
    index = int(d["step_index"])
    step = d["steps"][index]
    deadline = instant(step["deadline"])
    verdict = rules.timeliness(now, deadline)
    last = index + 1 >= len(d["steps"])
    receiver = "Trả kết quả" if last else d["steps"][index + 1]["name"]
    slip = [*d["slip"], {"step": step["name"], "giver": caller.username,
                         "giver_name": caller.full_name or caller.username,
                         "giver_unit": step["unit"], "receiver": receiver,
                         "receiver_unit": None if last else d["steps"][index + 1]["unit"],
                         "at": iso(now), "deadline": step["deadline"],
                         "timeliness": verdict.value, "timeliness_label": verdict.label_vi,
                         "note": note}]
    ops = _close_work(d, table, now)
    new_status = S.RESOLVED if last else S.IN_PROGRESS
    after = {**d, "slip": slip, "step_index": index + 1, "status": int(new_status),
             "people": sorted(set(d["people"]) | {caller.username}),
             "timeline": _timeline(d, "Đã xử lý xong" if last else f"Chuyển: {receiver}", now)}
    if int(d["status"]) == int(S.RECEIVED):
        _transition(d, S.IN_PROGRESS)
    if last:
        after["resolved_at"] = iso(now)
        scheduled = date.fromisoformat(d["overdue_from"]) if d.get("overdue_from") else None
        ops += _count_ops(rules.resolved_deltas(d["owner_unit"], now,
                                                instant(d["appointment_at"]), scheduled))
        after["result_timeliness"] = rules.timeliness(now, instant(d["appointment_at"])).value
    else:
        next_unit = d["steps"][index + 1]["unit"]
        after["units"] = sorted(set(d["units"]) | {next_unit})
        work = _step_work(after, index + 1, by=caller.username)
        # The same unit's next step replaces its finished one (one item per unit).
        ops = [op for op in ops if op["Put"]["Item"]["sk"] != work["sk"]] + [put_op(work)]
    uow = UnitOfWork(table)
    saved = _save(uow, d, after)
    for op in ops:
        uow.add(op)
    audit.append(uow, audit.head_of(chain_of(dossier_id), table), caller, "dossier.advance",
                 summary=f"{step['name']} → {receiver} ({verdict.label_vi})")
    if last and d["applicant"].get("email"):
        uow.emit(_mail(saved, "dossier_status", message="Hồ sơ đã được giải quyết xong; "
                       "kết quả sẵn sàng để trả."))
    uow.commit()
    return view(caller, dossier_id, table)


def request_supplement(caller: Caller, dossier_id: str, *, papers: list[str], note: str,
                       now: datetime | None = None, table: Table | None = None
                       ) -> dict[str, Any]:
    """Additional papers (status 5): the clock stops and the applicant is told."""
    table = table or Table()
    now = now or utcnow()
    d = load_dossier(caller, dossier_id, table)
    if not _acts(caller, d):
        raise Forbidden()
    _transition(d, S.SUPPLEMENT_REQUESTED)
    scheduled = date.fromisoformat(d["overdue_from"]) if d.get("overdue_from") else None
    deltas, new_scheduled = rules.paused_deltas(d["owner_unit"], now, scheduled)
    after = {**d, "status": int(S.SUPPLEMENT_REQUESTED),
             "pauses": [*d["pauses"], {"from": iso(now), "to": None, "papers": papers,
                                       "note": note, "by": caller.username}],
             "overdue_from": new_scheduled.isoformat() if new_scheduled else None,
             "timeline": _timeline(d, "Yêu cầu bổ sung hồ sơ", now)}
    uow = UnitOfWork(table)
    saved = _save(uow, d, after)
    for op in _count_ops(deltas):
        uow.add(op)
    audit.append(uow, audit.head_of(chain_of(dossier_id), table), caller,
                 "dossier.supplement", summary=f"Yêu cầu bổ sung: {', '.join(papers)}. {note}")
    if d["applicant"].get("email"):
        uow.emit(_mail(saved, "dossier_status", message=f"Đề nghị bổ sung: "
                       f"{', '.join(papers)}. {note} Thời hạn giải quyết tạm dừng cho đến "
                       "khi nhận đủ hồ sơ bổ sung."))
    uow.commit()
    return saved


def supplied(caller: Caller | None, dossier_id: str, *, now: datetime | None = None,
             table: Table | None = None, dossier: dict[str, Any] | None = None
             ) -> dict[str, Any]:
    """The papers came: the clock runs again and the appointment moves by the
    time that was left when it stopped."""
    table = table or Table()
    now = now or utcnow()
    d = dossier or (load_dossier(caller, dossier_id, table) if caller else None)
    if d is None:
        raise NotFound()
    pauses = [dict(p) for p in d["pauses"]]
    if int(d["status"]) != int(S.SUPPLEMENT_REQUESTED) or not pauses or pauses[-1].get("to"):
        raise Conflict("Hồ sơ không ở trạng thái chờ bổ sung.",
                       "The dossier is not waiting for additional papers.", "invalid_state")
    _transition(d, S.IN_PROGRESS)
    paused_from = instant(pauses[-1]["from"])
    pauses[-1]["to"] = iso(now)
    cal = agency_calendar()
    new_appointment = rules.appointment_after_pause(instant(d["appointment_at"]), paused_from,
                                                    now, cal)
    shift = cal.working_time_between(paused_from, now)
    steps = [dict(s) for s in d["steps"]]
    for i in range(int(d["step_index"]), len(steps)):
        # The remaining steps move by the working time the clock stood still.
        steps[i]["deadline"] = iso(_add_working(cal, instant(steps[i]["deadline"]), shift))
    scheduled = date.fromisoformat(d["overdue_from"]) if d.get("overdue_from") else None
    deltas, new_scheduled = rules.resumed_deltas(d["owner_unit"], now, new_appointment,
                                                 scheduled)
    after = {**d, "status": int(S.IN_PROGRESS), "pauses": pauses, "steps": steps,
             "appointment_at": iso(new_appointment),
             "overdue_from": new_scheduled.isoformat() if new_scheduled else None,
             "timeline": _timeline(d, "Đã nhận hồ sơ bổ sung; hẹn trả mới "
                                   f"{new_appointment.astimezone(TZ):%H:%M %d/%m/%Y}", now)}
    ops = [put_op({**w, **_reworked(w, steps)}) for w in table.query(
        f"DOSSIER#{d['id']}", sk_prefix="WORK#", limit=50).items
        if w["status"] == WorkStatus.OPEN.value]
    uow = UnitOfWork(table)
    saved = _save(uow, d, after)
    for op in [*ops, *_count_ops(deltas)]:
        uow.add(op)
    audit.append(uow, audit.head_of(chain_of(d["id"]), table), caller, "dossier.supplied",
                 summary="Nhận hồ sơ bổ sung; hẹn trả mới "
                         f"{new_appointment.astimezone(TZ):%H:%M %d/%m/%Y}",
                 actor=None if caller else "online")
    if d["applicant"].get("email"):
        uow.emit(_mail(saved, "dossier_status", message="Đã nhận đủ hồ sơ bổ sung. Ngày hẹn "
                       "trả kết quả đã được điều chỉnh."))
    uow.commit()
    return saved


def _add_working(cal: Any, start: datetime, amount: timedelta) -> datetime:
    day = Decimal(amount / cal.working_day_length)
    return cal.add_working_days(start, day) if amount > timedelta(0) else start


def _reworked(work: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    from chalicelib.work.items import reindexed

    index = int(work.get("step_index") or 0)
    return reindexed(work, instant(steps[index]["deadline"]))


def stop(caller: Caller, dossier_id: str, *, reason: str, now: datetime | None = None,
         table: Table | None = None) -> dict[str, Any]:
    """Stop processing (status 8), also how a withdrawal is completed; the
    applicant is told."""
    table = table or Table()
    now = now or utcnow()
    d = load_dossier(caller, dossier_id, table)
    if not (_acts(caller, d) or caller.roles & {Role.ONE_STOP, Role.LEADER}):
        raise Forbidden()
    _transition(d, S.STOPPED)
    scheduled = date.fromisoformat(d["overdue_from"]) if d.get("overdue_from") else None
    ops = _close_work(d, table, now) + _count_ops(rules.stopped_deltas(d["owner_unit"], now,
                                                                       scheduled))
    after = {**d, "status": int(S.STOPPED), "stopped_at": iso(now), "stop_reason": reason,
             "overdue_from": None, "timeline": _timeline(d, f"Dừng xử lý: {reason}", now)}
    uow = UnitOfWork(table)
    saved = _save(uow, d, after)
    for op in ops:
        uow.add(op)
    audit.append(uow, audit.head_of(chain_of(dossier_id), table), caller, "dossier.stop",
                 summary=f"Dừng xử lý: {reason}")
    if d["applicant"].get("email"):
        uow.emit(_mail(saved, "dossier_status", message=f"Hồ sơ dừng xử lý. Lý do: {reason}"))
    uow.commit()
    return saved


def withdraw(code: str, phone_last4: str, reason: str, table: Table | None = None
             ) -> dict[str, Any]:
    """Public: the applicant asks to withdraw (status 7); the desk completes it."""
    table = table or Table()
    lookup(code, phone_last4, table)  # same answer for a wrong phone as for no dossier
    d = table.query(f"DOSSIERCODE#{code.strip().upper()}", index="gsi1", limit=1).items[0]
    d = table.get(d["pk"], "DOSSIER", consistent=True)
    _transition(d, S.WITHDRAWAL_REQUESTED)
    now = utcnow()
    uow = UnitOfWork(table)
    _save(uow, d, {**d, "status": int(S.WITHDRAWAL_REQUESTED), "withdraw_reason": reason,
                   "timeline": _timeline(d, "Công dân yêu cầu rút hồ sơ", now)})
    audit.append(uow, audit.head_of(chain_of(d["id"]), table), None, "dossier.withdraw",
                 summary=f"Yêu cầu rút hồ sơ: {reason}", actor="online")
    uow.commit()
    return lookup(code, phone_last4, table)


def supply_online(code: str, phone_last4: str, *, table: Table | None = None
                  ) -> dict[str, Any]:
    """Public: the applicant says the requested papers are supplied."""
    table = table or Table()
    lookup(code, phone_last4, table)
    d = table.query(f"DOSSIERCODE#{code.strip().upper()}", index="gsi1", limit=1).items[0]
    d = table.get(d["pk"], "DOSSIER", consistent=True)
    supplied(None, d["id"], table=table, dossier=d)
    return lookup(code, phone_last4, table)


def return_result(caller: Caller, dossier_id: str, *, how: str, now: datetime | None = None,
                  table: Table | None = None) -> dict[str, Any]:
    """The result handed over in person or sent online (status 10): the dossier
    closes with its history."""
    table = table or Table()
    now = now or utcnow()
    d = load_dossier(caller, dossier_id, table)
    if not caller.roles & {Role.ONE_STOP, Role.LEADER}:
        raise Forbidden()
    _transition(d, S.RETURNED)
    after = {**d, "status": int(S.RETURNED), "returned_at": iso(now), "returned_how": how,
             "timeline": _timeline(d, "Đã trả kết quả" + (" trực tuyến" if how == "online"
                                                           else " trực tiếp"), now)}
    uow = UnitOfWork(table)
    saved = _save(uow, d, after)
    audit.append(uow, audit.head_of(chain_of(dossier_id), table), caller, "dossier.return",
                 summary="Trả kết quả " + ("trực tuyến" if how == "online" else "trực tiếp"))
    if how == "online" and d.get("result_key") and d["applicant"].get("email"):
        from chalicelib.kernel.events import DomainEvent

        # The signed result travels with the mail (onestop/steps.py).
        uow.emit(DomainEvent("dossier.returned_online", chain_of(dossier_id),
                             {"id": dossier_id}))
    elif d["applicant"].get("email"):
        uow.emit(_mail(saved, "dossier_status", message="Kết quả giải quyết đã được trả"
                       + (" trực tuyến." if how == "online" else ".")))
    uow.commit()
    return view(caller, dossier_id, table)


# ---------------------------------------------------------------- form 06

def form06(caller: Caller, *, frm: date, to: date, unit: str | None = None,
           table: Table | None = None) -> dict[str, Any]:
    """Report form 06 from the daily counters: one Query per unit over its days,
    never the dossiers themselves."""
    if not caller.roles & {Role.LEADER, Role.ONE_STOP}:
        raise Forbidden()
    if to < frm:
        raise InvalidInput("Khoảng thời gian không hợp lệ.", "Invalid period.", "invalid_period",
                           [FieldProblem("to", "Trước ngày bắt đầu.", "Before the start.")])
    table = table or Table()
    if unit:
        units = [unit]
    else:
        from chalicelib.organisation.service import list_units

        units = sorted(str(u["code"]) for u in list_units(table))
    counters: dict[tuple[str, date], dict[str, int]] = {}
    reads = 0
    for u in units:
        start: dict[str, Any] | None = None
        while True:
            items, start = table.query_range(f"STATS#onestop#{u}", index=None, low=None,
                                             below=(to + timedelta(days=1)).isoformat(),
                                             start=start, limit=1000)
            reads += len(items)
            for item in items:
                counters[(u, date.fromisoformat(item["sk"]))] = {
                    k: int(v) for k, v in item.items() if k in rules.COUNTERS}
            if not start:
                break
    rows = rules.form06(counters, {u: 0 for u in units}, frm, to)
    total = rules.form06_total(rows)
    return {"from": frm.isoformat(), "to": to.isoformat(), "columns": FORM06_COLUMNS,
            "rows": [_form06_row(r) for r in rows], "total": _form06_row(total),
            "counter_items_read": reads}


FORM06_COLUMNS = [
    ("unit", "Đơn vị"), ("received_total", "Tổng số hồ sơ tiếp nhận"),
    ("received_carried_over", "Kỳ trước chuyển qua"), ("received_online", "Tiếp nhận trực tuyến"),
    ("received_in_person", "Tiếp nhận trực tiếp, bưu chính"),
    ("resolved_total", "Tổng số đã giải quyết"), ("resolved_early", "Trước hạn"),
    ("resolved_on_time", "Đúng hạn"), ("resolved_late", "Quá hạn"),
    ("in_progress_total", "Tổng số đang giải quyết"),
    ("in_progress_within_time", "Trong hạn"), ("in_progress_overdue", "Quá hạn"),
    ("progress_score", "Điểm tiến độ (766)"),
]


def _form06_row(row: rules.Form06Row) -> dict[str, Any]:
    data = {k: getattr(row, k) for k, _ in FORM06_COLUMNS if k not in ("progress_score",)
            and hasattr(row, k)}
    score = rules.progress_score(row)
    data["progress_score"] = float(score) if score is not None else None
    return json_ready(data)


# ---------------------------------------------------------------- late dossiers

def _remaining(d: dict[str, Any]) -> Decimal:
    """Working days the steps still to do were planned to take."""
    p = d["procedure"]
    shares = sum((Decimal(s["share"]) for s in d["steps"][int(d["step_index"]):]), Decimal(0))
    return (Decimal(p["time_limit"]) * shares).quantize(Decimal("0.01"))


def draft_apologies(now: datetime | None = None, table: Table | None = None) -> dict[str, int]:
    """For each open dossier that will miss its appointment, draft the apology and
    new-appointment letter (Decree 118/2025) for the responsible unit to approve,
    sign and send: an outgoing document addressed to the applicant by e-mail. The
    dossier remembers its letter, so the job drafts one per dossier."""
    table = table or Table()
    now = now or utcnow()
    cal = agency_calendar()
    horizon = cal.add_working_days(now, 3)
    start: dict[str, Any] | None = None
    drafted = checked = 0
    seen: set[str] = set()
    while True:
        items, start = table.query_range("OPENWORK", index="gsi3", low=None,
                                         below=f"{iso(horizon)}~", start=start, limit=500)
        for work in items:
            if not work["pk"].startswith("DOSSIER#") or work["pk"] in seen:
                continue
            seen.add(work["pk"])
            d = table.get(work["pk"], "DOSSIER", consistent=True)
            if d is None or d.get("apology_id") or int(d["status"]) not in (
                    int(S.RECEIVED), int(S.IN_PROGRESS)):
                continue
            checked += 1
            if rules.will_miss(instant(d["appointment_at"]), now, _remaining(d), cal):
                _draft_apology(d, now, table)
                drafted += 1
        if not start:
            break
    return {"checked": checked, "drafted": drafted}


def _draft_apology(d: dict[str, Any], now: datetime, table: Table) -> None:
    from chalicelib.organisation.service import list_users
    from chalicelib.outgoing import service as outgoing

    cal = agency_calendar()
    unit = _current_unit(d) or RECEIVING_UNIT
    heads = [u for u in list_users(unit, table)
             if "unit_head" in u["roles"] and u["status"] == "active"]
    leaders = [u for u in list_users(table=table)
               if "leader" in u["roles"] and u["status"] == "active"]
    drafter = heads[0] if heads else (leaders[0] if leaders else None)
    if drafter is None:
        return
    new_appointment = cal.add_working_days(cal.start_of_counting(now), _remaining(d))
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
    table.update(f"OUT#{draft['id']}", "OUT", "SET dossier_id = :d, version = version + :o",
                 values={":d": d["id"], ":o": 1})
    fresh = table.get(d["pk"], "DOSSIER", consistent=True) or d
    uow = UnitOfWork(table)
    _save(uow, fresh, {**fresh, "apology_id": draft["id"], "late": True,
                       "proposed_appointment_at": iso(new_appointment),
                       "timeline": _timeline(fresh, "Dự thảo thư xin lỗi, hẹn lại ngày trả", now)})
    audit.append(uow, audit.head_of(chain_of(d["id"]), table), None, "dossier.apology",
                 summary=f"Dự thảo thư xin lỗi, hẹn lại {new:%d/%m/%Y}", actor="system")
    uow.commit()


# ---------------------------------------------------------------- the signed result

def request_result(caller: Caller, dossier_id: str, table: Table | None = None
                   ) -> dict[str, Any]:
    """The signer of the unit confirms (a sign-in under five minutes old); the
    workflow step composes, signs and seals the result (onestop/steps.py)."""
    from chalicelib.kernel.events import DomainEvent
    from chalicelib.onestop.rules import RESULT_REQUESTED
    from chalicelib.outgoing.rules import require_fresh_auth

    table = table or Table()
    d = load_dossier(caller, dossier_id, table)
    if not (caller.roles & {Role.UNIT_HEAD, Role.LEADER}) or not _acts(caller, d):
        raise Forbidden("Chỉ lãnh đạo đơn vị đang giữ hồ sơ mới ký kết quả.",
                        "Only the head of the unit holding the dossier signs the result.")
    if int(d["status"]) not in (int(S.RECEIVED), int(S.IN_PROGRESS)) or d.get(
            "result_status") in ("signing", "signed"):
        raise Conflict("Hồ sơ không ở bước ký kết quả.", "The dossier is not at the "
                       "result-signing step.", "invalid_state")
    require_fresh_auth(caller, utcnow())
    uow = UnitOfWork(table)
    _save(uow, d, {**d, "result_status": "signing", "result_failure": None})
    audit.append(uow, audit.head_of(chain_of(dossier_id), table), caller, "dossier.result",
                 summary="Ký số kết quả giải quyết")
    uow.emit(DomainEvent(RESULT_REQUESTED, chain_of(dossier_id),
                         {"id": dossier_id, "signer": caller.username,
                          "request": uuid.uuid4().hex}))
    uow.commit()
    return view(caller, dossier_id, table)


def record_result(dossier_id: str, *, table: Table, **fields: Any) -> None:
    d = table.get(f"DOSSIER#{dossier_id}", "DOSSIER", consistent=True)
    if d is None or d.get("result_status") != "signing":
        return
    uow = UnitOfWork(table)
    _save(uow, d, {**d, **fields})
    audit.append(uow, audit.head_of(chain_of(dossier_id), table), None, "dossier.result",
                 summary="Kết quả đã ký số" if fields.get("result_status") == "signed"
                 else "Ký số kết quả không thành công", actor="system")
    uow.commit()


def result_url(caller: Caller, dossier_id: str, *, s3: Any, bucket: str,
               table: Table | None = None) -> dict[str, Any]:
    table = table or Table()
    d = load_dossier(caller, dossier_id, table)
    if not d.get("result_key"):
        raise NotFound("Chưa có kết quả đã ký.", "No signed result yet.")
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": d["result_key"], "ResponseContentType": "application/pdf",
        "ResponseContentDisposition": f'inline; filename="ket-qua-{d["code"]}.pdf"'},
        ExpiresIn=300)
    return {"url": url, "expires_in": 300}



def receipt_pdf(caller: Caller, dossier_id: str, table: Table | None = None) -> bytes:
    from chalicelib.onestop.printables import compose_receipt

    table = table or Table()
    d = load_dossier(caller, dossier_id, table)
    return compose_receipt(d, agency_profile(table))


# ---------------------------------------------------------------- refusal at the desk

def refuse_at_desk(caller: Caller, *, procedure_code: str, applicant: dict[str, Any],
                   missing: list[str], reason: str, table: Table | None = None
                   ) -> dict[str, Any]:
    """A dossier not received (status 3): the desk hands the applicant a refusal
    slip listing the missing papers (also e-mailed). It never enters the counts."""
    from chalicelib.kernel.events import DomainEvent

    table = table or Table()
    if not caller.roles & {Role.ONE_STOP, Role.LEADER}:
        raise Forbidden()
    now = utcnow()
    try:
        procedure = rules.procedure_in_force(_versions(procedure_code, table), procedure_code,
                                             now.astimezone(TZ).date())
    except ValueError as exc:
        raise InvalidInput(str(exc), "The procedure is not in force.", "procedure_not_in_force",
                           [FieldProblem("procedure", str(exc), "Not in force.")]) from exc
    names = {p.code: p.name for p in procedure.papers}
    unknown = [code for code in missing if code not in names]
    if unknown or not (missing or reason.strip()):
        raise InvalidInput("Cần chọn giấy tờ còn thiếu (thuộc thủ tục) hoặc ghi lý do.",
                           "Name the missing papers of this procedure or give a reason.",
                           "invalid_refusal",
                           [FieldProblem("missing", "Không thuộc thủ tục hoặc để trống.",
                                         "Not of this procedure, or empty.")])
    refusal_id = uuid.uuid4().hex
    item = {"pk": f"REFUSAL#{refusal_id}", "sk": "REFUSAL", "kind": "dossier_refusal",
            "id": refusal_id, "status": int(S.REFUSED), "procedure": _procedure_view(procedure),
            "applicant": applicant, "missing": [{"code": c, "name": names[c]} for c in missing],
            "reason": reason, "refused_by": caller.username,
            "refused_by_name": caller.full_name or caller.username, "at": iso(now)}
    uow = UnitOfWork(table)
    uow.add(put_op(item, condition="attribute_not_exists(pk)"))
    audit.append(uow, audit.ChainHead(f"dossier:{refusal_id}"), caller, "dossier.refuse",
                 summary=f"Từ chối tiếp nhận ({procedure.name}): thiếu "
                         + ", ".join(names[c] for c in missing) if missing else reason)
    if applicant.get("email"):
        uow.emit(DomainEvent("dossier.refused", f"dossier:{refusal_id}", {"id": refusal_id}))
    uow.commit()
    return json_ready({k: v for k, v in item.items() if k not in ("pk", "sk")})


def refusal_slip(caller: Caller, refusal_id: str, table: Table | None = None) -> bytes:
    from chalicelib.onestop.printables import compose_refusal

    table = table or Table()
    if not caller.roles & {Role.ONE_STOP, Role.LEADER}:
        raise NotFound()
    item = table.get(f"REFUSAL#{refusal_id}", "REFUSAL")
    if item is None:
        raise NotFound()
    return compose_refusal(item, agency_profile(table))

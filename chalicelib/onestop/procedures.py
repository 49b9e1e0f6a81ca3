"""The procedure catalogue as the desk and the public form read it: seeding the
stored versions, the procedures in force on a day, and a procedure as the
dossier keeps a snapshot of it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamo import Table, json_ready
from chalicelib.kernel.errors import FieldProblem, InvalidInput
from chalicelib.onestop import rules
from chalicelib.onestop.dossiers import TZ, Deps, deps_for
from chalicelib.onestop.store import OneStopStore


def stored_form(p: rules.Procedure) -> dict[str, Any]:
    """A version as the catalogue stores it (numbers as strings, dates ISO)."""
    data = asdict(p)
    data["effective_from"] = p.effective_from.isoformat()
    data["effective_to"] = p.effective_to.isoformat() if p.effective_to else None
    return json_ready(_decimals_to_str(data))


def _decimals_to_str(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _decimals_to_str(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals_to_str(v) for v in value]
    return value


def from_stored(item: dict[str, Any]) -> rules.Procedure:
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


def ensure_catalogue(table: Table) -> int:
    """Seed the catalogue with the procedures of ``onestop/catalogue.py``
    (idempotent: a stored version is never rewritten, since dossiers refer to it)."""
    from chalicelib.onestop.catalogue import SEED_PROCEDURES

    store = OneStopStore(table)
    return sum(1 for p in SEED_PROCEDURES if store.add_procedure(stored_form(p)))


def versions(code: str, store: OneStopStore) -> list[rules.Procedure]:
    return [from_stored(i) for i in store.procedure_versions(code)]


def in_force(code: str, on: date, store: OneStopStore, *, problem: str) -> rules.Procedure:
    """The version of ``code`` in force on ``on``, or a 400 naming the procedure
    (``problem`` says in English what the refusal is about)."""
    try:
        return rules.procedure_in_force(versions(code, store), code, on)
    except ValueError as exc:
        raise InvalidInput(str(exc), problem, "procedure_not_in_force",
                           [FieldProblem("procedure", str(exc), "Not in force.")]) from exc


def catalogue(on: date | None = None, table: Table | None = None, *,
              deps: Deps | None = None) -> list[dict[str, Any]]:
    """Procedures in force on ``on`` (today by default), for the public form."""
    deps = deps_for(table, deps)
    on = on or deps.clock().astimezone(TZ).date()
    out = []
    for code in deps.store.procedure_codes():
        try:
            p = rules.procedure_in_force(versions(code, deps.store), code, on)
        except ValueError:
            continue
        out.append(procedure_view(p))
    return out


def procedure_view(p: rules.Procedure) -> dict[str, Any]:
    return {"code": p.code, "version": p.version, "name": p.name, "field": p.field,
            "time_limit": str(p.time_limit), "day_count": p.day_count.value,
            "target_days": str(p.target_days) if p.target_days else None, "fee": p.fee,
            "result": p.result, "papers": [asdict(x) for x in p.papers],
            "steps": [{"name": s.name, "unit": s.performer_unit, "share": str(s.share)}
                      for s in p.steps]}

"""The leaders' dashboard: the figures of a period, for the agency or one unit,
each with the link to the list behind it. Read from counters only
(``dashboard.sources``): O(units × months) items whatever the history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from chalicelib.dashboard import rules
from chalicelib.dashboard.snapshot import NO_UNIT
from chalicelib.dashboard.sources import Sources, sources_for
from chalicelib.kernel.events import utcnow
from chalicelib.kernel.identity import Caller
from chalicelib.work import items


def _link(path: str, **query: str | None) -> str:
    q = {k: v for k, v in query.items() if v}
    return path + ("?" + urlencode(q) if q else "")


def _unit_work(code: str) -> str:
    return _link("/app/work", scope="unit", unit=code)


@dataclass
class Dashboard:
    sources: Sources
    clock: Callable[[], datetime] = field(default=utcnow)

    def figures(self, caller: Caller, frm: date, to: date, unit: str | None = None
                ) -> dict[str, Any]:
        scope = rules.scope_of(caller, unit)
        months = rules.period(frm, to).months
        every = self.sources.units()
        known = [u for u in every if u.get("kind") != "leadership"]
        names = {str(u["code"]): str(u["name"]) for u in every}
        if scope.unit is not None:
            codes = [scope.unit]
        else:
            codes = sorted(str(u["code"]) for u in known)
        span = {"from": frm.isoformat(), "to": to.isoformat()}
        return {
            **span, "months": months, "unit": scope.unit, "agency": scope.agency and
            scope.unit is None, "units": [{"code": c, "name": names.get(c, c)} for c in codes],
            # The incoming list filters by arrival dates (since/until) and unit.
            "incoming": self._volumes(self.sources.incoming, codes, months, scope.unit,
                                      names, "/app/incoming",
                                      {"since": frm.isoformat(), "until": to.isoformat()}),
            "outgoing": self._volumes(self.sources.outgoing, codes, months, scope.unit,
                                      names, "/app/outgoing-register", {"year": str(to.year)}),
            "on_time": self._on_time(codes, months, names),
            "overdue": self._overdue(codes, scope.unit, names),
            "dossiers": self._dossiers(codes, frm, to, names, leader=scope.agency),
            "complaints": self._complaints(codes, scope, names, months),
            "bands": self._bands(codes, months, names),
        }

    # ---- the figures

    @staticmethod
    def _volumes(read: Callable[..., dict[tuple[str | None, str], int]], codes: list[str],
                 months: list[str], unit: str | None, names: dict[str, str], page: str,
                 query: dict[str, str]) -> dict[str, Any]:
        holders: list[str | None] = list(codes) if unit else [None, *codes]
        found = read(holders, months)
        by_month = [{"month": m, "count": found.get((unit, m), 0)} for m in months]
        by_unit = [{"unit": c, "name": names.get(c, c),
                    "count": sum(found.get((c, m), 0) for m in months),
                    "link": _link(page, unit=c, **query)} for c in codes]
        total = sum(r["count"] for r in by_month)
        return {"total": total, "link": _link(page, unit=unit, **query),
                "by_month": by_month, "by_unit": by_unit}

    def _on_time(self, codes: list[str], months: list[str], names: dict[str, str]
                 ) -> dict[str, Any]:
        found = self.sources.measures([items.unit(c) for c in codes], months)
        rows = []
        for c in codes:
            sums = rules.summed(found, items.unit(c), months)
            rows.append({"unit": c, "name": names.get(c, c), **sums,
                         "rate": rules.on_time_rate(sums["early"], sums["on_time"],
                                                    sums["late"]),
                         "link": _unit_work(c)})
        total = {f: sum(r[f] for r in rows) for f in rules.MEASURE_FIELDS}
        total["rate"] = rules.on_time_rate(total["early"], total["on_time"], total["late"])
        return {"rows": rows, "total": total}

    def _overdue(self, codes: list[str], unit: str | None, names: dict[str, str]
                 ) -> dict[str, Any]:
        state = self.sources.overdue_now() or {}
        units = state.get("units") or {}
        people = state.get("people") or {}
        by_unit = [{"unit": c, "name": names.get(c, c), "count": int(units.get(c, 0)),
                    "link": _unit_work(c)} for c in codes]
        by_person = sorted(
            ({"username": who, "unit": c, "name": names.get(c, c), "count": int(n),
              "link": _unit_work(c)}
             for c in codes for who, n in (people.get(c) or {}).items() if int(n)),
            key=lambda r: (-r["count"], r["username"]))
        outside = int(units.get(NO_UNIT, 0)) if unit is None else 0
        return {"at": state.get("at"), "total": sum(r["count"] for r in by_unit) + outside,
                "without_unit": outside,
                "link": _link("/app/work", scope="agency") if unit is None else _unit_work(unit),
                "by_unit": by_unit, "by_person": by_person}

    def _dossiers(self, codes: list[str], frm: date, to: date, names: dict[str, str], *,
                  leader: bool) -> dict[str, Any]:
        found = self.sources.dossiers(codes, frm, to)
        rows, total = found["rows"], found["total"]
        span = {"from": frm.isoformat(), "to": to.isoformat()}
        for r in rows:
            r["name"] = names.get(r["unit"], r["unit"])
            r["link"] = (_link("/app/onestop-report", unit=r["unit"], **span) if leader
                         else _link("/app/dossiers", unit=r["unit"]))
        return {"rows": rows, "total": total,
                "link": _link("/app/onestop-report", **span) if leader else "/app/dossiers"}

    def _complaints(self, codes: list[str], scope: rules.Scope, names: dict[str, str],
                    months: list[str]) -> dict[str, Any]:
        state = self.sources.overdue_now() or {}
        kinds = state.get("kinds") or {}
        link = "/app/complaints-dashboard" if scope.agency else "/app/complaints"
        by_unit = [{"unit": c, "name": names.get(c, c),
                    "overdue": int((kinds.get(c) or {}).get("CASE", 0)), "link": link}
                   for c in codes]
        return {"kinds": self.sources.complaints(months) if scope.agency else [],
                "by_unit": by_unit, "at": state.get("at"), "link": link}

    def _bands(self, codes: list[str], months: list[str], names: dict[str, str]
               ) -> dict[str, Any]:
        found = self.sources.bands(codes, months)
        if found is None:
            return {"published": False, "label": rules.NO_ROUND, "by_unit": []}
        return {"published": True, "label": "", "by_unit": [
            {"unit": c, "name": names.get(c, c), "bands": dict(found.get(c) or {})}
            for c in codes]}


def dashboard_for(table: Any = None) -> Dashboard:
    return Dashboard(sources=sources_for(table))


def figures(caller: Caller, frm: date, to: date, unit: str | None = None, *,
            dashboard: Dashboard | None = None) -> dict[str, Any]:
    return (dashboard or dashboard_for()).figures(caller, frm, to, unit)

"""Where the dashboard's figures come from: one port per source, and the real
sources over the table. Each reads counters kept by the capability that owns
them, in the transaction of the change they count; none reads work items.

- incoming volumes: ``IncomingStore.volumes``, (units + 1) × months items;
- outgoing volumes: ``OutgoingStore.volumes``, (units + 1) × months;
- on-time rate, overdue of the period: ``WorkStore.months`` of the units,
  units × months;
- overdue now by unit and person: ``WorkStore.overdue_state``, 1 item;
- one-stop dossiers and the 766 score: ``OneStopStore.daily_counters`` and
  ``onestop.rules.form06``, units × days (form 06 carries over the days before);
- complaints by kind: ``CaseStore.monthly`` and ``counters``, kinds × (months + 1) items;
- evaluation bands: the ``Bands`` port (published rounds of ``evaluation``),
  nothing until a round is published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.composition import given


class Bands(Protocol):
    """The evaluation capability's published rounds, per unit: ``{unit: {band:
    count}}`` for the months asked, or None when no round of those months is
    published ("công khai"). Unpublished proposals are never shown here."""

    def __call__(self, units: list[str], months: list[str]) -> dict[str, dict[str, int]] | None:
        ...


def no_published_round(units: list[str], months: list[str]) -> dict[str, dict[str, int]] | None:
    """The evaluation capability exposes no published round yet."""
    return None


@dataclass
class Sources:
    """The dashboard's collaborators (fakes in unit tests)."""

    units: Callable[[], list[dict[str, Any]]]
    measures: Callable[[list[str], list[str]], dict[tuple[str, str], dict[str, Any]]]
    overdue_now: Callable[[], dict[str, Any] | None]
    incoming: Callable[[list[str | None], list[str]], dict[tuple[str | None, str], int]]
    outgoing: Callable[[list[str | None], list[str]], dict[tuple[str | None, str], int]]
    dossiers: Callable[[list[str], date, date], dict[str, Any]]  # {"rows", "total"}
    complaints: Callable[[list[str]], list[dict[str, Any]]]
    bands: Bands = no_published_round


def _form06_line(row: Any) -> dict[str, Any]:
    from chalicelib.onestop import rules

    score = rules.progress_score(row)
    return {"unit": row.unit, "received_total": row.received_total,
            "resolved_early": row.resolved_early, "resolved_on_time": row.resolved_on_time,
            "resolved_late": row.resolved_late,
            "in_progress_within_time": row.in_progress_within_time,
            "in_progress_overdue": row.in_progress_overdue,
            "score": float(score) if score is not None else None}


def form06_rows(table: Table, units: list[str], frm: date, to: date) -> dict[str, Any]:
    """Form 06 lines (and their total) of the units for the period, with the 766 progress score,
    from the one-stop daily counters (as ``onestop.reports.form06`` reads them,
    without its leaders-only check: the dashboard checks its own scope)."""
    from chalicelib.onestop import rules
    from chalicelib.onestop.store import OneStopStore

    store = OneStopStore(table)
    counters: dict[tuple[str, date], dict[str, int]] = {}
    for u in units:
        for day, item in store.daily_counters(u, to + timedelta(days=1)):
            counters[(u, day)] = {k: int(v) for k, v in item.items() if k in rules.COUNTERS}
    rows = rules.form06(counters, dict.fromkeys(units, 0), frm, to)
    total = _form06_line(rules.form06_total(rows))
    total.pop("unit")
    return {"rows": [_form06_line(r) for r in rows], "total": total}


def complaint_kinds(table: Table, months: list[str]) -> list[dict[str, Any]]:
    """Complaints by kind for the period's months: received, settled on time and
    late (the months' counters, ``STATS#complaint#{kind}`` / ``YYYY-MM``), and
    what is open now (the running total's ``open``): kinds × (months + 1) items."""
    from chalicelib.complaints.clocks import CaseKind
    from chalicelib.complaints.store import CaseStore

    store = CaseStore(table)
    found = store.monthly([k.value for k in CaseKind], months)
    out = []
    for kind in CaseKind:
        flows = [found.get((kind.value, m)) or {} for m in months]
        out.append({"kind": kind.value, "label": kind.label_vi,
                    "open": int(store.counters(kind.value).get("open") or 0),
                    **{k: sum(int(f.get(k) or 0) for f in flows) for k in (
                        "received", "settled_on_time", "settled_late")}})
    return out


def sources_for(table: Table | None = None, *, bands: Bands | None = None) -> Sources:
    """The real sources over the caller's ``table``."""
    from chalicelib.incoming.store import IncomingStore
    from chalicelib.organisation.service import list_units
    from chalicelib.outgoing.store import OutgoingStore
    from chalicelib.work.store import WorkStore

    t = given(table)
    work = WorkStore(t)
    return Sources(units=lambda: list_units(t), measures=work.months,
                   overdue_now=work.overdue_state, incoming=IncomingStore(t).volumes,
                   outgoing=OutgoingStore(t).volumes,
                   dossiers=lambda units, frm, to: form06_rows(t, units, frm, to),
                   complaints=lambda months: complaint_kinds(t, months),
                   bands=bands or no_published_round)

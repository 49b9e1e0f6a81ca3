"""Report form 06 (Thông tư 01/2020/TT-VPCP) from the daily counters the changes
keep: one read per unit over its days, never the dossiers themselves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalicelib.adapters.dynamo import Table, json_ready
from chalicelib.kernel.errors import FieldProblem, Forbidden, InvalidInput
from chalicelib.kernel.identity import Caller, Role
from chalicelib.onestop import rules
from chalicelib.onestop.dossiers import Deps, deps_for

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


def form06(caller: Caller, *, frm: date, to: date, unit: str | None = None,
           table: Table | None = None, deps: Deps | None = None) -> dict[str, Any]:
    """Report form 06 from the daily counters: one Query per unit over its days,
    never the dossiers themselves."""
    if not caller.roles & {Role.LEADER, Role.ONE_STOP}:
        raise Forbidden()
    if to < frm:
        raise InvalidInput("Khoảng thời gian không hợp lệ.", "Invalid period.", "invalid_period",
                           [FieldProblem("to", "Trước ngày bắt đầu.", "Before the start.")])
    deps = deps_for(table, deps)
    units = [unit] if unit else sorted(str(u["code"]) for u in deps.units())
    counters: dict[tuple[str, date], dict[str, int]] = {}
    reads = 0
    for u in units:
        days = deps.store.daily_counters(u, to + timedelta(days=1))
        reads += len(days)
        for day, item in days:
            counters[(u, day)] = {k: int(v) for k, v in item.items() if k in rules.COUNTERS}
    rows = rules.form06(counters, {u: 0 for u in units}, frm, to)
    total = rules.form06_total(rows)
    return {"from": frm.isoformat(), "to": to.isoformat(), "columns": FORM06_COLUMNS,
            "rows": [_row(r) for r in rows], "total": _row(total),
            "counter_items_read": reads}


def _row(row: rules.Form06Row) -> dict[str, Any]:
    data = {k: getattr(row, k) for k, _ in FORM06_COLUMNS if k not in ("progress_score",)
            and hasattr(row, k)}
    score = rules.progress_score(row)
    data["progress_score"] = float(score) if score is not None else None
    return json_ready(data)

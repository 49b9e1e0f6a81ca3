"""The incoming and handling-tracking registers, on screen and as XLSX or PDF."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module
from chalicelib.outputs.pdf import table_document
from chalicelib.outputs.sheets import XLSX, to_xlsx

registers = lazy_module("chalicelib.incoming.registers")

registers_bp = Blueprint(__name__)
POLICY = Policy.only(Role.CLERK, Role.LEADER, Role.UNIT_HEAD)


def _answer(call: Call, kind: str) -> Any:
    q = call.query
    registers.check_access(call.user, q.unit)
    docs = registers.entries(q.year, q.unit)
    if kind == "incoming":
        title, header, widths = ("Sổ đăng ký văn bản đến", registers.INCOMING_COLUMNS,
                                 registers.INCOMING_WIDTHS)
        rows = registers.incoming_rows(docs)
    else:
        title, header, widths = ("Sổ theo dõi giải quyết văn bản đến",
                                 registers.TRACKING_COLUMNS, registers.TRACKING_WIDTHS)
        rows = registers.tracking_rows(docs)
    subtitle = f"Năm {q.year}" + (f" — Đơn vị {q.unit}" if q.unit else "")
    stem = f"{'so-van-ban-den' if kind == 'incoming' else 'so-theo-doi'}-{q.year}" + (
        f"-{q.unit}" if q.unit else "")
    if q.format == "xlsx":
        return Response(body=to_xlsx(title, header, rows, widths), status_code=200, headers={
            "Content-Type": XLSX, "Content-Disposition": f'attachment; filename="{stem}.xlsx"'})
    if q.format == "pdf":
        total = sum(widths)
        scaled = [w * 277 / total for w in widths]  # A4 landscape, 10 mm margins
        return Response(body=table_document(title, subtitle, header, rows, scaled), status_code=200,
                        headers={"Content-Type": "application/pdf",
                                 "Content-Disposition": f'attachment; filename="{stem}.pdf"'})
    return {"title": title, "subtitle": subtitle, "columns": list(header), "rows": rows}


@route(registers_bp, "/api/registers/incoming", query="chalicelib.incoming.schemas:"
       "RegisterQuery", policy=POLICY, tags=("registers",),
       summary="The incoming register (Decree 30 App. IV) by year, optionally one unit's")
def incoming_register(call: Call) -> Any:
    return _answer(call, "incoming")


@route(registers_bp, "/api/registers/tracking", query="chalicelib.incoming.schemas:"
       "RegisterQuery", policy=POLICY, tags=("registers",),
       summary="The handling-tracking register by year, optionally one unit's")
def tracking_register(call: Call) -> Any:
    return _answer(call, "tracking")

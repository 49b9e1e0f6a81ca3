"""The incoming and handling-tracking registers, on screen and as XLSX or PDF."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.downloads import register_answer
from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import table
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module

registers = lazy_module("chalicelib.incoming.registers")

registers_bp = Blueprint(__name__)
POLICY = Policy.only(Role.CLERK, Role.LEADER, Role.UNIT_HEAD)


def _answer(call: Call, kind: str) -> Any:
    q = call.query
    registers.check_access(call.user, q.unit)
    docs = registers.entries(q.year, q.unit, table=table())
    if kind == "incoming":
        title, header, widths = ("Sổ đăng ký văn bản đến", registers.INCOMING_COLUMNS,
                                 registers.INCOMING_WIDTHS)
        rows = registers.incoming_rows(docs, table=table())
    else:
        title, header, widths = ("Sổ theo dõi giải quyết văn bản đến",
                                 registers.TRACKING_COLUMNS, registers.TRACKING_WIDTHS)
        rows = registers.tracking_rows(docs, table=table())
    subtitle = f"Năm {q.year}" + (f" — Đơn vị {q.unit}" if q.unit else "")
    stem = f"{'so-van-ban-den' if kind == 'incoming' else 'so-theo-doi'}-{q.year}" + (
        f"-{q.unit}" if q.unit else "")
    return register_answer(q.format, title=title, subtitle=subtitle, header=header, rows=rows,
                           widths=widths, stem=stem)


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

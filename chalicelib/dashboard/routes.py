"""The leaders' dashboard: ``GET /api/dashboard?from=&to=[&unit=]``."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.identity import Role

dashboard_bp = Blueprint(__name__)
S = "chalicelib.dashboard.schemas:"


@route(dashboard_bp, "/api/dashboard", query=S + "DashboardQuery",
       policy=Policy.only(Role.LEADER, Role.UNIT_HEAD), tags=("dashboard",),
       summary="Leaders' dashboard for a period (a head of unit: their unit), from counters")
def dashboard(call: Call) -> dict[str, Any]:
    from chalicelib.bootstrap import dashboard as build

    q = call.query
    return build().figures(call.user, q.from_, q.to, q.unit)

"""My work, my unit's, the agency's; reminder preferences."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import table
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module

work = lazy_module("chalicelib.work.service")

work_bp = Blueprint(__name__)
S = "chalicelib.work.schemas:"


@route(work_bp, "/api/work/mine", policy=Policy.signed_in(), tags=("work",),
       summary="Everything assigned to me, overdue and due soon first")
def mine(call: Call) -> dict[str, Any]:
    return work.my_work(call.user, table())


@route(work_bp, "/api/work/unit", query=S + "UnitQuery",
       policy=Policy.only(Role.UNIT_HEAD, Role.LEADER), tags=("work",),
       summary="A unit's open work and its people's, overdue first")
def unit(call: Call) -> dict[str, Any]:
    return work.unit_work(call.user, call.query.unit, table())


@route(work_bp, "/api/work/agency", policy=Policy.only(Role.LEADER), tags=("work",),
       summary="All open work by deadline, the overdue first")
def agency(call: Call) -> dict[str, Any]:
    return work.agency_work(call.user, table=table())


@route(work_bp, "/api/me/preferences", policy=Policy.signed_in(), tags=("work",),
       summary="My reminder preferences")
def get_prefs(call: Call) -> dict[str, Any]:
    return work.preferences(call.user.username, table())


@route(work_bp, "/api/me/preferences", methods=("PUT",), body=S + "PreferencesIn",
       policy=Policy.signed_in(), tags=("work",), summary="Change my reminder preferences")
def put_prefs(call: Call) -> dict[str, Any]:
    b = call.body
    return work.set_preferences(call.user.username, b.digest, b.instant, b.due_soon_days,
                                table(), mail=b.mail_choices())

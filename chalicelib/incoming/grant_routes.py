"""Per-item shares: grant a named person access to one item, or revoke it."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import incoming as use_cases
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.identity import Role

grants_bp = Blueprint(__name__)
# Those who route work may share it; anyone else sees 404 for items they cannot see
# and 403 for the action.
SHARERS = Policy.only(Role.CLERK, Role.LEADER, Role.UNIT_HEAD)


def _split(item_id: str) -> tuple[str, str]:
    kind, _, ident = item_id.partition(":")
    if kind != "incoming" or not ident:
        raise NotFound()
    return kind, ident


@route(grants_bp, "/api/items/{item_id}/grants", methods=("POST",),
       body="chalicelib.incoming.schemas:GrantIn", policy=SHARERS, tags=("permissions",),
       summary="Share an item with a named person")
def grant(call: Call) -> dict[str, Any]:
    _, ident = _split(call.params["item_id"])
    return use_cases().change_people(call.user, ident, grant=call.body.username)


@route(grants_bp, "/api/items/{item_id}/grants/{username}", methods=("DELETE",),
       policy=SHARERS, tags=("permissions",), summary="Take a share back")
def revoke(call: Call) -> dict[str, Any]:
    _, ident = _split(call.params["item_id"])
    return use_cases().change_people(call.user, ident, revoke=call.params["username"])

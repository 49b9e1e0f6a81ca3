"""Administering units, accounts and delegations; the directory everyone reads."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.identity import ROLE_LABELS, Role
from chalicelib.kernel.lazy import lazy_module
from chalicelib.organisation.rules import POSITIONS, UNIT_KIND_LABELS

org = lazy_module("chalicelib.organisation.service")

org_bp = Blueprint(__name__)
S = "chalicelib.organisation.schemas:"
ADMIN = Policy.only(Role.ADMIN)


@route(org_bp, "/api/org/units", policy=Policy.signed_in(), tags=("organisation",),
       summary="The unit tree (directory)")
def units(call: Call) -> dict[str, Any]:
    return {"units": org.list_units()}


@route(org_bp, "/api/org/units", methods=("POST",), body=S + "UnitIn", policy=ADMIN,
       tags=("organisation",), summary="Create a unit")
def create_unit(call: Call) -> dict[str, Any]:
    b = call.body
    return org.save_unit(call.user, b.code, b.name, b.kind, b.parent, None,
                         review_completion=b.review_completion, abbreviation=b.abbreviation)


@route(org_bp, "/api/org/units/{code}", methods=("PUT",), body=S + "UnitUpdate", policy=ADMIN,
       tags=("organisation",), summary="Rename, move or retype a unit")
def update_unit(call: Call) -> dict[str, Any]:
    b = call.body
    return org.save_unit(call.user, call.params["code"], b.name, b.kind, b.parent, b.version,
                         review_completion=b.review_completion, abbreviation=b.abbreviation)


@route(org_bp, "/api/org/options", policy=Policy.signed_in(), tags=("organisation",),
       summary="Positions, unit kinds and roles with their Vietnamese labels")
def options(call: Call) -> dict[str, Any]:
    return {
        "positions": list(POSITIONS),
        "unit_kinds": [{"value": k.value, "label": v} for k, v in UNIT_KIND_LABELS.items()],
        "roles": [{"value": r.value, "label": vi, "label_en": en}
                  for r, (vi, en) in ROLE_LABELS.items()],
    }


@route(org_bp, "/api/org/users", query=S + "UsersQuery", policy=Policy.signed_in(),
       tags=("organisation",), summary="The staff directory, optionally for one unit")
def users(call: Call) -> dict[str, Any]:
    return {"users": org.list_users(call.query.unit)}


@route(org_bp, "/api/org/users/{username}", policy=Policy.signed_in(), tags=("organisation",),
       summary="One member of staff")
def user(call: Call) -> dict[str, Any]:
    return org.get_user(call.params["username"])


@route(org_bp, "/api/org/users", methods=("POST",), body=S + "UserIn", policy=ADMIN,
       tags=("organisation",), summary="Create an account (returns its initial password once)")
def create_user(call: Call) -> dict[str, Any]:
    b = call.body
    profile, password = org.create_user(call.user, username=b.username, full_name=b.full_name,
                                        email=str(b.email), unit=b.unit, roles=b.roles,
                                        title=b.title, category=b.category)
    return {"user": profile, "initial_password": password}


@route(org_bp, "/api/org/users/{username}", methods=("PUT",), body=S + "UserUpdate",
       policy=ADMIN, tags=("organisation",), summary="Edit an account: name, unit, roles")
def update_user(call: Call) -> dict[str, Any]:
    b = call.body
    return org.update_user(call.user, call.params["username"], version=b.version,
                           full_name=b.full_name, email=str(b.email), unit=b.unit,
                           roles=b.roles, title=b.title, category=b.category)


@route(org_bp, "/api/org/users/{username}/disable", methods=("POST",), policy=ADMIN,
       tags=("organisation",), summary="Disable an account (refused at its next request)")
def disable_user(call: Call) -> dict[str, Any]:
    return org.set_enabled(call.user, call.params["username"], False)


@route(org_bp, "/api/org/users/{username}/enable", methods=("POST",), policy=ADMIN,
       tags=("organisation",), summary="Enable an account again")
def enable_user(call: Call) -> dict[str, Any]:
    return org.set_enabled(call.user, call.params["username"], True)


@route(org_bp, "/api/org/users/{username}/reset-password", methods=("POST",), policy=ADMIN,
       tags=("organisation",), summary="Set a new password (returned once) and sign out")
def reset_password(call: Call) -> dict[str, Any]:
    return {"password": org.reset_password(call.user, call.params["username"])}


@route(org_bp, "/api/org/users/{username}/signature", methods=("PUT",), body=S + "SignatureIn",
       policy=Policy.signed_in(), tags=("organisation",),
       summary="Upload the handwritten-signature image (PNG): administrator or the user")
def signature(call: Call) -> dict[str, Any]:
    username = call.params["username"]
    if username != call.user.username and Role.ADMIN not in call.user.roles:
        raise Forbidden()
    try:
        png = base64.b64decode(call.body.image_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("Ảnh không đúng mã base64.", "The image is not valid base64.",
                           "invalid_image", [FieldProblem("image_base64", "Sai mã base64.",
                                                          "Invalid base64.")]) from exc
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    return org.set_signature(call.user, username, png, s3=client("s3"),
                             bucket=get_settings().documents_bucket)


@route(org_bp, "/api/org/delegations", query=S + "DelegationQuery",
       policy=Policy.only(Role.LEADER, Role.ADMIN), tags=("organisation",),
       summary="Delegations of signing authority granted by a leader")
def delegations(call: Call) -> dict[str, Any]:
    grantor = call.query.grantor or call.user.username
    if grantor != call.user.username and Role.ADMIN not in call.user.roles:
        raise Forbidden()
    return {"delegations": org.list_delegations(grantor),
            "received": org.delegations_to(call.user.username)}


@route(org_bp, "/api/org/delegations", methods=("POST",), body=S + "DelegationIn",
       policy=Policy.only(Role.LEADER, Role.ADMIN), tags=("organisation",),
       summary="Delegate approval and signing (KT. or TL.) for a period")
def create_delegation(call: Call) -> dict[str, Any]:
    b = call.body
    grantor = b.grantor or call.user.username
    if grantor != call.user.username and Role.ADMIN not in call.user.roles:
        raise Forbidden()
    return org.create_delegation(call.user, grantor=grantor, delegate=b.delegate, kind=b.kind,
                                 start=b.start, end=b.end, note=b.note)


@route(org_bp, "/api/org/delegations/{grantor}/{delegation_id}", methods=("DELETE",),
       policy=Policy.only(Role.LEADER, Role.ADMIN), tags=("organisation",),
       summary="Revoke a delegation")
def revoke_delegation(call: Call) -> dict[str, Any]:
    grantor = call.params["grantor"]
    if grantor != call.user.username and Role.ADMIN not in call.user.roles:
        raise NotFound()
    return org.revoke_delegation(call.user, grantor, call.params["delegation_id"])

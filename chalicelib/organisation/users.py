"""Users and units as the rest of the system sees them: a profile item in the
table mirrors what Cognito knows (groups = roles, custom:unit), so that pages
can show names and units without calling Cognito on every request."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.adapters.cognito import CognitoIdentity
from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.config import get_settings
from chalicelib.kernel.errors import Unauthenticated
from chalicelib.kernel.events import iso, utcnow
from chalicelib.kernel.identity import Role
from chalicelib.organisation.store import Directory, directory_over, known_user


def identity() -> CognitoIdentity:
    return CognitoIdentity()


def known_roles(values: Iterable[str]) -> list[Role]:
    known = {r.value for r in Role}
    return [Role(v) for v in values if v in known]



def session_over() -> Unauthenticated:
    return Unauthenticated("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
                           "The session has expired; sign in again.")


def profile(username: str, table: Table | None = None, *,
            store: Directory | None = None) -> dict[str, Any]:
    return _shown(known_user(directory_over(table, store), username))


def resumable_profile(username: str, auth_time: float, table: Table | None = None, *,
                      store: Directory | None = None) -> dict[str, Any]:
    """The profile of a user whose sign-in at ``auth_time`` (epoch seconds) may
    go on: refused as a session that is over when the account is unknown or
    disabled, or was signed out everywhere (or had its password reset) after that
    sign-in. The authorizer applies the same rules to each ID token, so a session
    renewed here is never one the next API call refuses."""
    item = directory_over(table, store).user(username)
    if item is None or item.get("status") != "active":
        raise session_over()
    if auth_time < float(item.get("tokens_valid_after", 0)):
        raise session_over()
    return _shown(item)


def _shown(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "username": item["username"],
        "full_name": item.get("full_name", ""),
        "email": item.get("email"),
        "unit": item.get("unit"),
        "unit_name": item.get("unit_name"),
        "roles": sorted(item.get("roles") or []),
    }


def revoke_sessions(username: str, table: Table | None = None, *,
                    store: Directory | None = None) -> None:
    """Tokens issued before now stop working at their next request. Cognito's
    sign-out revokes refresh tokens only; ID tokens cannot be revoked, so the
    authorizer compares their issue time with this mark."""
    import time

    directory_over(table, store).invalidate_tokens(username, Decimal(str(round(time.time(), 3))))


def ensure_unit(code: str, name: str, kind: str, parent: str | None = None,
                table: Table | None = None, abbreviation: str | None = None) -> bool:
    """Create the unit unless it exists (the seed runs on every start and must not
    undo what an administrator changed since). Returns whether it was created."""
    unit = {"code": code, "name": name, "unit_kind": kind, "parent": parent, "version": 1}
    if abbreviation:
        unit["abbreviation"] = abbreviation
    return directory_over(table, None).add_unit_once(unit)


def ensure_user(username: str, password: str, full_name: str, email: str, roles: list[Role],
                unit: str, unit_name: str, title: str = "", table: Table | None = None) -> bool:
    """Create the account and its profile unless the profile exists. Returns whether
    it was created."""
    store = directory_over(table, None)
    if store.user(username) is not None:
        return False
    settings = get_settings()
    idp = client("cognito-idp")
    attributes = [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": full_name},
        {"Name": "custom:unit", "Value": unit},
    ]
    try:
        idp.admin_create_user(
            UserPoolId=settings.user_pool_id, Username=username,
            UserAttributes=attributes, MessageAction="SUPPRESS",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "UsernameExistsException":
            raise
    idp.admin_set_user_password(
        UserPoolId=settings.user_pool_id, Username=username, Password=password, Permanent=True
    )
    for role in roles:
        idp.admin_add_user_to_group(
            UserPoolId=settings.user_pool_id, Username=username, GroupName=role.value
        )
    now = iso(utcnow())
    store.put_user({
        "username": username, "full_name": full_name, "email": email, "unit": unit,
        "unit_name": unit_name, "title": title, "roles": [r.value for r in roles],
        "status": "active", "version": 1, "created_at": now, "updated_at": now,
    })
    return True

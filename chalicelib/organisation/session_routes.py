"""Sign-in, refresh, sign-out and the caller's profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.identity import ROLE_LABELS
from chalicelib.kernel.lazy import lazy_module

users = lazy_module("chalicelib.organisation.users")

if TYPE_CHECKING:
    from chalicelib.organisation.session_schemas import LoginResponse, Profile, Tokens

auth_bp = Blueprint(__name__)
S = "chalicelib.organisation.session_schemas:"


def _profile(username: str) -> Profile:
    from chalicelib.organisation.session_schemas import Profile

    data = users.profile(username)
    return Profile(
        **data,
        role_labels=[ROLE_LABELS[r][0] for r in users.known_roles(data["roles"])],
    )


@route(auth_bp, "/api/auth/login", methods=("POST",), body=S + "LoginRequest",
       response=S + "LoginResponse", policy=Policy.anyone("sign in", rate_limit=(20, 60)),
       summary="Sign in", tags=("auth",))
def login(call: Call) -> LoginResponse:
    from chalicelib.organisation.session_schemas import LoginResponse

    tokens = users.identity().login(call.body.username, call.body.password)
    profile = _profile(call.body.username)
    _audit_session(call, profile.username, "auth.login", "Đăng nhập")
    return LoginResponse(**tokens, user=profile)


def _audit_session(call: Call, username: str, action: str, summary: str) -> None:
    from chalicelib.audit import trail as audit
    from chalicelib.kernel.identity import Caller

    who = Caller(username=username, roles=frozenset(), source_ip=call.source_ip,
                 user_agent=call.headers.get("user-agent", ""))
    audit.record(f"user:{username}", who, action, summary=summary)


@route(auth_bp, "/api/auth/refresh", methods=("POST",), body=S + "RefreshRequest",
       response=S + "Tokens", policy=Policy.anyone("refresh a session", rate_limit=(60, 60)),
       summary="Refresh the session tokens", tags=("auth",))
def refresh(call: Call) -> Tokens:
    from chalicelib.organisation.session_schemas import Tokens

    return Tokens(**users.identity().refresh(call.body.refresh_token))


@route(auth_bp, "/api/auth/logout", methods=("POST",), policy=Policy.signed_in(),
       summary="Sign out everywhere (revokes refresh tokens)", tags=("auth",))
def logout(call: Call) -> dict[str, bool]:
    users.identity().sign_out(call.user.username)
    users.revoke_sessions(call.user.username)
    _audit_session(call, call.user.username, "auth.logout", "Đăng xuất")
    return {"ok": True}


@route(auth_bp, "/api/auth/me", policy=Policy.signed_in(), response=S + "Profile",
       summary="The signed-in user's profile", tags=("auth",))
def me(call: Call) -> Profile:
    return _profile(call.user.username)

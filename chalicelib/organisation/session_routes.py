"""Sign-in, refresh, sign-out and the caller's profile.

A browser session is two halves: the short-lived ID token each tab keeps and
sends as a bearer token, and the refresh token the browser keeps for all tabs
in an HttpOnly cookie (organisation.session_cookie). A tab without a token
asks ``/api/auth/refresh`` for one; that route and sign-out act on the cookie,
so they take calls from the site's own pages only (Policy ``same_origin``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.api.routing import JSON_HEADERS, Call, Policy, error_response, route
from chalicelib.kernel.errors import Unauthenticated
from chalicelib.kernel.identity import ROLE_LABELS
from chalicelib.kernel.lazy import lazy_module
from chalicelib.organisation import session_cookie

users = lazy_module("chalicelib.organisation.users")

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.organisation.session_schemas import Profile

auth_bp = Blueprint(__name__)
S = "chalicelib.organisation.session_schemas:"


def _profile(username: str) -> Profile:
    return _shown(users.profile(username))


def _shown(data: dict[str, Any]) -> Profile:
    from chalicelib.organisation.session_schemas import Profile

    return Profile(
        **data,
        role_labels=[ROLE_LABELS[r][0] for r in users.known_roles(data["roles"])],
    )


def _answer(model: BaseModel, cookie: str | None) -> Response:
    headers = dict(JSON_HEADERS)
    if cookie:
        headers["Set-Cookie"] = cookie
    return Response(body=model.model_dump_json(), status_code=200, headers=headers)


@route(auth_bp, "/api/auth/login", methods=("POST",), body=S + "LoginRequest",
       response=S + "LoginResponse", policy=Policy.anyone("sign in", rate_limit=(20, 60)),
       summary="Sign in (the refresh token is set as an HttpOnly cookie)", tags=("auth",))
def login(call: Call) -> Response:
    from chalicelib.organisation.session_schemas import LoginResponse

    tokens = users.identity().login(call.body.username, call.body.password,
                                    call.body.new_password)
    profile = _profile(call.body.username)
    if call.body.new_password:
        _audit_session(call, profile.username, "auth.first_password",
                       "Đổi mật khẩu được cấp ở lần đăng nhập đầu")
    _audit_session(call, profile.username, "auth.login", "Đăng nhập")
    out = LoginResponse(id_token=tokens["id_token"], access_token=tokens["access_token"],
                        expires_in=tokens["expires_in"], user=profile)
    refresh_token = tokens.get("refresh_token")
    return _answer(out, session_cookie.set_cookie(refresh_token) if refresh_token else None)


def _audit_session(call: Call, username: str, action: str, summary: str) -> None:
    from chalicelib.audit import trail as audit
    from chalicelib.bootstrap import table
    from chalicelib.kernel.identity import Caller

    who = Caller(username=username, roles=frozenset(), source_ip=call.source_ip,
                 user_agent=call.headers.get("user-agent", ""))
    audit.record(f"user:{username}", who, action, summary=summary, table=table())


# Every new tab (and every tab once an hour) comes here, so the limit is wider
# than sign-in's; an office behind one address shares it.
@route(auth_bp, "/api/auth/refresh", methods=("POST",), response=S + "LoginResponse",
       policy=Policy.anyone("resume the session of the refresh cookie", rate_limit=(120, 60),
                            same_origin=True),
       summary="New tokens for a tab, from the session cookie", tags=("auth",))
def refresh(call: Call) -> Response:
    from chalicelib.organisation.session_schemas import LoginResponse

    refresh_token = session_cookie.read_cookie(call.headers.get("cookie", ""))
    if refresh_token is None:
        raise users.session_over()
    try:
        tokens = users.identity().refresh(refresh_token)
        claims = _claims(tokens["id_token"])
        profile = users.resumable_profile(
            claims["cognito:username"], float(claims.get("auth_time") or claims.get("iat") or 0))
    except Unauthenticated as exc:
        # Expired, revoked, or the account disabled: the browser forgets the token.
        return error_response(401, exc.code, exc.message, exc.message_en, call.request_id,
                              headers={"Set-Cookie": session_cookie.clear_cookie()})
    _audit_session(call, profile["username"], "auth.refresh", "Tiếp tục phiên đăng nhập")
    out = LoginResponse(id_token=tokens["id_token"], access_token=tokens["access_token"],
                        expires_in=tokens["expires_in"], user=_shown(profile))
    # Cognito answers a new refresh token only when it rotates them.
    rotated = tokens.get("refresh_token")
    return _answer(out, session_cookie.set_cookie(rotated) if rotated else None)


def _claims(id_token: str) -> dict[str, Any]:
    # Not verified again: the token is Cognito's own answer to our call just now,
    # not something the client sent.
    import jwt

    return dict(jwt.decode(id_token, options={"verify_signature": False}))


@route(auth_bp, "/api/auth/logout", methods=("POST",), policy=Policy.signed_in(same_origin=True),
       summary="Sign out everywhere (revokes refresh tokens, clears the cookie)",
       tags=("auth",))
def logout(call: Call) -> Response:
    users.identity().sign_out(call.user.username)
    users.revoke_sessions(call.user.username)
    _audit_session(call, call.user.username, "auth.logout", "Đăng xuất")
    return Response(body='{"ok": true}', status_code=200,
                    headers={**JSON_HEADERS, "Set-Cookie": session_cookie.clear_cookie()})


@route(auth_bp, "/api/auth/me", policy=Policy.signed_in(), response=S + "Profile",
       summary="The signed-in user's profile", tags=("auth",))
def me(call: Call) -> Profile:
    return _profile(call.user.username)

"""Sign-in, refresh, sign-out and the caller's profile."""

from __future__ import annotations

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib.api.routing import Call, Policy, route
from chalicelib.domain.identity import ROLE_LABELS
from chalicelib.services import users

auth_bp = Blueprint(__name__)


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


class Profile(BaseModel):
    username: str
    full_name: str
    email: str | None = None
    unit: str | None = None
    unit_name: str | None = None
    roles: list[str]
    role_labels: list[str]


class Tokens(BaseModel):
    id_token: str
    access_token: str
    refresh_token: str | None = None
    expires_in: int


class LoginResponse(Tokens):
    user: Profile


def _profile(username: str) -> Profile:
    data = users.profile(username)
    return Profile(
        **data,
        role_labels=[ROLE_LABELS[r][0] for r in users.known_roles(data["roles"])],
    )


@route(auth_bp, "/api/auth/login", methods=("POST",), body=LoginRequest, response=LoginResponse,
       policy=Policy.anyone("sign in", rate_limit=(20, 60)), summary="Sign in", tags=("auth",))
def login(call: Call) -> LoginResponse:
    tokens = users.identity().login(call.body.username, call.body.password)
    return LoginResponse(**tokens, user=_profile(call.body.username))


@route(auth_bp, "/api/auth/refresh", methods=("POST",), body=RefreshRequest, response=Tokens,
       policy=Policy.anyone("refresh a session", rate_limit=(60, 60)),
       summary="Refresh the session tokens", tags=("auth",))
def refresh(call: Call) -> Tokens:
    return Tokens(**users.identity().refresh(call.body.refresh_token))


@route(auth_bp, "/api/auth/logout", methods=("POST",), policy=Policy.signed_in(),
       summary="Sign out everywhere (revokes refresh tokens)", tags=("auth",))
def logout(call: Call) -> dict[str, bool]:
    users.identity().sign_out(call.user.username)
    return {"ok": True}


@route(auth_bp, "/api/auth/me", policy=Policy.signed_in(), response=Profile,
       summary="The signed-in user's profile", tags=("auth",))
def me(call: Call) -> Profile:
    return _profile(call.user.username)

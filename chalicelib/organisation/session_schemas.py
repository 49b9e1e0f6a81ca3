"""Request and response models of the sign-in routes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)
    # Only with a password an administrator issued: the user's own, which
    # replaces it (the first answer without it is a 400 password_change_required).
    new_password: str | None = Field(default=None, min_length=1, max_length=256)


class Profile(BaseModel):
    username: str
    full_name: str
    email: str | None = None
    unit: str | None = None
    unit_name: str | None = None
    roles: list[str]
    role_labels: list[str]


class Tokens(BaseModel):
    """The tokens a tab holds. The refresh token is never in a body: it goes to
    the browser as an HttpOnly cookie (organisation.session_cookie)."""

    id_token: str
    access_token: str
    expires_in: int


class LoginResponse(Tokens):
    user: Profile

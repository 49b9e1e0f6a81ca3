"""The refresh-token cookie: one browser session shared by every tab.

The Cognito refresh token lives only in this cookie: HttpOnly (no page script
can read it, so an injected script cannot carry it away), SameSite=Strict (no
other site's page makes the browser send it), scoped to ``/api/auth`` (it rides
only on the sign-in routes, never on pages, files or other API calls). The ID
token that authorises API calls stays in each tab (see static/session.js).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chalicelib.kernel.config import get_settings

COOKIE_NAME = "eoffice_refresh"
COOKIE_PATH = "/api/auth"
# The refresh token's own validity (RefreshTokenValidity in infra/template.yaml,
# 12 hours: a working day); the cookie need not outlive what it carries.
MAX_AGE_SECONDS = 12 * 3600
# Browsers count loopback as a secure context and keep Secure cookies it sets
# over plain http (Chromium, Firefox), so the local runtime keeps the flag too.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def secure() -> bool:
    """Secure unless the site is served over plain http from a non-loopback host
    (a developer's machine reached over the LAN), where a browser would drop a
    Secure cookie and no session could survive a tab."""
    url = urlsplit(get_settings().public_base_url)
    return url.scheme == "https" or (url.hostname or "") in LOOPBACK


def _attributes(max_age: int) -> str:
    flags = f"Path={COOKIE_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Strict"
    return flags + ("; Secure" if secure() else "")


def set_cookie(refresh_token: str) -> str:
    """The Set-Cookie value that keeps ``refresh_token`` for the browser."""
    return f"{COOKIE_NAME}={refresh_token}; {_attributes(MAX_AGE_SECONDS)}"


def clear_cookie() -> str:
    """The Set-Cookie value that makes the browser forget the token."""
    return f"{COOKIE_NAME}=; {_attributes(0)}"


def read_cookie(header: str) -> str | None:
    """The refresh token in a Cookie header, if any. Parsed by hand: the standard
    library's parser gives up on the whole header when some other cookie of the
    host is malformed."""
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name == COOKIE_NAME and value.strip():
            return value.strip()
    return None

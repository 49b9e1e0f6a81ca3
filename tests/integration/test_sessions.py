"""One browser session for every tab: the refresh token in an HttpOnly,
SameSite=Strict cookie on /api/auth, traded for a tab's tokens by
``POST /api/auth/refresh``, which (like sign-out) takes calls from the site's
own pages only."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import login

JSON = {"Content-Type": "application/json"}
OWN = {"X-Requested-With": "eoffice"}
ROOT = Path(__file__).resolve().parents[2]


def _sign_in(client: Any, account: dict[str, str]) -> Any:
    resp = client.http.post("/api/auth/login", headers=JSON, body=json.dumps(
        {"username": account["username"], "password": account["password"]}).encode())
    assert resp.status_code == 200, resp.body
    return resp


def _cookie_of(resp: Any) -> tuple[str, dict[str, str]]:
    """The refresh cookie a response sets: its value and its attributes."""
    header = resp.headers["Set-Cookie"]
    first, *attrs = [p.strip() for p in header.split(";")]
    name, _, value = first.partition("=")
    assert name == "eoffice_refresh"
    flags = {}
    for attr in attrs:
        key, _, val = attr.partition("=")
        flags[key.lower()] = val
    return value, flags


def _refresh(client: Any, cookie: str | None, **headers: str) -> Any:
    sent = dict(OWN)
    if cookie is not None:
        sent["Cookie"] = f"other=1; eoffice_refresh={cookie}; theme=dark"
    sent.update(headers)
    return client.http.post("/api/auth/refresh", headers=sent, body=b"")


def _error_code(resp: Any) -> str:
    return str(json.loads(resp.body)["error"]["code"])


def test_sign_in_keeps_the_refresh_token_in_an_httponly_strict_cookie_only(client, accounts):
    resp = _sign_in(client, accounts["vanthu"])
    body = json.loads(resp.body)
    assert "refresh_token" not in body  # never where a page script could read it
    assert body["id_token"] and body["user"]["username"] == "vanthu"
    value, flags = _cookie_of(resp)
    assert value
    assert "httponly" in flags
    assert flags["samesite"] == "Strict"
    assert flags["path"] == "/api/auth"
    assert flags["max-age"] == str(12 * 3600)
    assert "secure" not in flags  # http://testserver: see the next test


@pytest.mark.parametrize("base,secure", [
    ("https://eoffice.skhdt.example", True),
    ("http://127.0.0.1:8000", True),  # loopback: browsers keep Secure cookies there
    ("http://localhost:8000", True),
    ("http://192.168.1.20:8000", False),  # plain http on the LAN: a Secure cookie would be lost
])
def test_the_cookie_is_secure_unless_served_over_plain_http_off_loopback(
        monkeypatch, base, secure):
    from types import SimpleNamespace

    from chalicelib.organisation import session_cookie

    settings = SimpleNamespace(public_base_url=base)
    monkeypatch.setattr(session_cookie, "get_settings", lambda: settings)
    assert session_cookie.set_cookie("tok").endswith("; Secure") is secure
    assert session_cookie.clear_cookie().endswith("; Secure") is secure


def test_the_cookie_lives_as_long_as_the_refresh_token():
    from chalicelib.organisation.session_cookie import MAX_AGE_SECONDS

    template = (ROOT / "infra" / "template.yaml").read_text("utf-8")
    hours = int(re.search(r"RefreshTokenValidity:\s*(\d+)", template).group(1))
    assert re.search(r"RefreshToken:\s*hours", template)
    assert MAX_AGE_SECONDS == hours * 3600


def test_a_tab_without_tokens_gets_them_from_the_cookie(client, accounts):
    signed_in = _sign_in(client, accounts["chuyenvien"])
    cookie, _ = _cookie_of(signed_in)

    resp = _refresh(client, cookie)
    assert resp.status_code == 200, resp.body
    body = json.loads(resp.body)
    assert "refresh_token" not in body
    assert body["user"]["username"] == "chuyenvien"
    assert body["user"]["role_labels"] == ["Chuyên viên"]
    me = client.http.get("/api/auth/me", headers={"Authorization": f"Bearer {body['id_token']}"})
    assert me.status_code == 200
    assert json.loads(me.body)["username"] == "chuyenvien"
    assert "Set-Cookie" not in resp.headers  # the same token goes on (no rotation)
    # As the sign-in is, the session resumed is on the user's audit trail.
    from chalicelib.adapters.dynamo import Table
    from chalicelib.audit import trail

    actions = [e["action"] for e in trail.entries("user:chuyenvien", Table())]
    assert actions[-2:] == ["auth.login", "auth.refresh"]


def test_refresh_takes_calls_from_the_sites_own_pages_only(client, accounts):
    cookie, _ = _cookie_of(_sign_in(client, accounts["chuyenvien"]))
    no_header = client.http.post("/api/auth/refresh",
                                 headers={"Cookie": f"eoffice_refresh={cookie}"}, body=b"")
    assert no_header.status_code == 403
    assert _error_code(no_header) == "cross_site_request"
    assert "trang của hệ thống" in json.loads(no_header.body)["error"]["message"]
    assert _refresh(client, cookie, **{"X-Requested-With": "other"}).status_code == 403
    assert _refresh(client, cookie, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert _refresh(client, cookie, **{"Sec-Fetch-Site": "same-site"}).status_code == 403
    assert _refresh(client, cookie, Origin="https://evil.example").status_code == 403
    assert _refresh(client, cookie, Origin="null").status_code == 403
    # The site's own pages: under its public address, or the name the browser used.
    assert _refresh(client, cookie, Origin="http://testserver",
                    **{"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert _refresh(client, cookie, Origin="http://localhost:8000",
                    Host="localhost:8000").status_code == 200


def test_refresh_without_the_cookie_is_401(client, accounts):
    resp = _refresh(client, None)
    assert resp.status_code == 401
    assert _error_code(resp) == "unauthorized"
    assert "đăng nhập lại" in json.loads(resp.body)["error"]["message"]


def test_after_sign_out_the_cookie_is_cleared_and_no_longer_resumes(client, accounts):
    signed_in = _sign_in(client, accounts["chuyenvien"])
    cookie, _ = _cookie_of(signed_in)
    token = json.loads(signed_in.body)["id_token"]

    no_header = client.http.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert no_header.status_code == 403  # sign-out acts on the cookie too
    out = client.http.post("/api/auth/logout",
                           headers={"Authorization": f"Bearer {token}", **OWN})
    assert out.status_code == 200
    value, flags = _cookie_of(out)
    assert value == "" and flags["max-age"] == "0" and flags["path"] == "/api/auth"

    again = _refresh(client, cookie)
    assert again.status_code == 401
    value, flags = _cookie_of(again)  # a dead token: the browser forgets it
    assert value == "" and flags["max-age"] == "0"


def test_a_disabled_account_cannot_resume_its_session(client, accounts, as_role):
    cookie, _ = _cookie_of(_sign_in(client, accounts["chuyenvien"]))
    admin = as_role("admin")
    assert admin.send("POST", "/api/org/users/chuyenvien/disable", {}).status_code == 200
    resp = _refresh(client, cookie)
    assert resp.status_code == 401
    assert _cookie_of(resp)[0] == ""


def test_the_profile_decides_even_when_cognito_would_still_refresh(client, accounts):
    """Disabled, or signed out everywhere after the sign-in, in the table only:
    the refresh is refused like the authorizer refuses the ID token."""
    from chalicelib.adapters.dynamo import Table
    from chalicelib.organisation.store import Directory

    cookie, _ = _cookie_of(_sign_in(client, accounts["chuyenvien"]))
    store = Directory(Table())
    profile = store.user("chuyenvien")
    assert _refresh(client, cookie).status_code == 200

    store.table.put({**profile, "status": "disabled"})
    assert _refresh(client, cookie).status_code == 401

    cookie, _ = _cookie_of(_sign_in(client, accounts["truongphong"]))
    later = json.loads(_refresh(client, cookie).body)["id_token"]
    import jwt

    auth_time = jwt.decode(later, options={"verify_signature": False})["auth_time"]
    # Signed out everywhere after that sign-in. Cognito keeps a session's
    # auth_time on refresh, but moto stamps each refreshed token with its own
    # clock, so the mark lies an hour on: a refresh a second later under load
    # must still be refused, whatever time the machine's clock says.
    store.invalidate_tokens("truongphong", Decimal(auth_time) + 3600)
    assert _refresh(client, cookie).status_code == 401


def test_refresh_is_rate_limited_per_source(client, aws_env):
    statuses = [_refresh(client, None).status_code for _ in range(122)]
    assert statuses[:120] == [401] * 120
    assert statuses[120:] == [429, 429]


def test_the_sign_in_helpers_session_sends_the_same_origin_header(client, accounts):
    session = login(client, "vanthu", accounts["vanthu"]["password"])
    assert session.send("POST", "/api/auth/logout").status_code == 200

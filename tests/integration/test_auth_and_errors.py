"""Sign-in, the authorizer, route policies and the one error shape, through
chalice's test client (the same LocalGateway that runs the authorizer)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import login

JSON = {"Content-Type": "application/json"}


def _error(resp: Any) -> dict[str, Any]:
    body = json.loads(resp.body)
    assert set(body) == {"error"}
    err = body["error"]
    assert {"code", "message", "message_en", "fields", "request_id"} <= set(err)
    assert err["request_id"]
    return err


def test_demo_user_signs_in_and_sees_profile(client, accounts):
    a = accounts["giamdoc"]
    session = login(client, a["username"], a["password"])
    assert session.user["roles"] == ["leader"]
    assert session.user["unit"] == "BGD"
    assert session.user["role_labels"] == ["Lãnh đạo Sở"]
    me = session.get("/api/auth/me")
    assert me.status_code == 200
    assert json.loads(me.body)["full_name"] == "Phạm Quốc Hùng"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, accounts):
    wrong = client.http.post("/api/auth/login", headers=JSON, body=json.dumps(
        {"username": "vanthu", "password": "not-it-1A!"}).encode())
    unknown = client.http.post("/api/auth/login", headers=JSON, body=json.dumps(
        {"username": "nobody", "password": "not-it-1A!"}).encode())
    assert wrong.status_code == unknown.status_code == 401
    assert _error(wrong)["message"] == _error(unknown)["message"]
    assert "không đúng" in _error(wrong)["message"]


def test_missing_fields_are_named_by_their_labels_in_vietnamese(client, aws_env):
    resp = client.http.post("/api/auth/login", headers=JSON, body=b'{"username": ""}')
    assert resp.status_code == 400
    err = _error(resp)
    assert err["code"] == "validation_error"
    paths = {f["path"]: f for f in err["fields"]}
    assert set(paths) == {"username", "password"}
    assert paths["username"]["message"] == "Chưa nhập tên đăng nhập."
    assert paths["password"]["message"] == "Chưa nhập mật khẩu."
    assert paths["password"]["message_en"]


def test_body_that_is_not_json_is_a_400_not_a_500(client, aws_env):
    resp = client.http.post("/api/auth/login", headers=JSON, body=b"{not json")
    assert resp.status_code == 400
    assert _error(resp)["code"] == "invalid_json"


def test_no_token_and_bad_token_are_401(client, aws_env):
    assert client.http.get("/api/auth/me").status_code == 401
    resp = client.http.get("/api/auth/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert resp.status_code == 401
    assert _error(resp)["code"] == "unauthorized"


def test_token_signed_by_someone_else_is_refused(client, accounts):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    session = login(client, "vanthu", accounts["vanthu"]["password"])
    claims = jwt.decode(session.token, options={"verify_signature": False})
    claims["cognito:groups"] = ["admin"]
    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, forged_key, algorithm="RS256", headers={"kid": "dummy"})
    resp = client.http.get("/api/calendar/overrides", headers={"Authorization": f"Bearer {forged}"})
    assert resp.status_code == 401


def test_role_outside_policy_is_403(as_role):
    clerk = as_role("clerk")
    resp = clerk.send("PUT", "/api/calendar/overrides",
                      {"date": "2026-12-26", "working": True, "note": "làm bù"})
    assert resp.status_code == 403
    assert _error(resp)["code"] == "forbidden"


def test_logout_revokes_the_refresh_token(client, accounts):
    a = accounts["chuyenvien"]
    resp = client.http.post("/api/auth/login", headers=JSON, body=json.dumps(
        {"username": a["username"], "password": a["password"]}).encode())
    tokens = json.loads(resp.body)
    # The refresh token is the browser's cookie (tests/integration/test_sessions.py).
    cookie = resp.headers["Set-Cookie"].split(";")[0]
    own = {"Cookie": cookie, "X-Requested-With": "eoffice"}
    refreshed = client.http.post("/api/auth/refresh", headers=own, body=b"")
    assert refreshed.status_code == 200
    assert json.loads(refreshed.body)["id_token"]
    out = client.http.post("/api/auth/logout", headers={
        "Authorization": f"Bearer {tokens['id_token']}", "X-Requested-With": "eoffice"})
    assert out.status_code == 200
    again = client.http.post("/api/auth/refresh", headers=own, body=b"")
    assert again.status_code == 401
    # The ID token itself cannot be revoked at Cognito; the app refuses it anyway.
    stale = client.http.get("/api/auth/me",
                            headers={"Authorization": f"Bearer {tokens['id_token']}"})
    assert stale.status_code == 401


def test_login_is_rate_limited_per_source(client, aws_env):
    statuses = []
    for _ in range(22):
        resp = client.http.post("/api/auth/login", headers=JSON, body=json.dumps(
            {"username": "x", "password": "y"}).encode())
        statuses.append(resp.status_code)
    assert statuses[:20] == [401] * 20
    assert statuses[20:] == [429, 429]
    assert int(client.http.post("/api/auth/login", headers=JSON, body=b"{}").headers[
        "Retry-After"]) > 0


def test_every_route_declares_a_policy():
    import app as app_module
    from chalicelib.api.routing import ROUTES

    declared = {(r.path, r.method) for r in ROUTES}
    registered = {(path, method) for path, methods in app_module.app.routes.items()
                  for method in methods}
    assert registered, "no routes registered"
    assert registered - declared == set(), "routes without a policy"


def test_unexpected_error_is_500_with_request_id_and_no_trace(client, aws_env, monkeypatch):
    from chalicelib.organisation import users

    def boom(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(users, "identity", boom)
    resp = client.http.post("/api/auth/login", headers=JSON, body=json.dumps(
        {"username": "a", "password": "b"}).encode())
    assert resp.status_code == 500
    err = _error(resp)
    assert err["code"] == "internal_error"
    assert "secret internals" not in resp.body.decode()
    assert "Traceback" not in resp.body.decode()


def test_oversized_body_is_413(client, aws_env):
    big = json.dumps({"username": "a" * (1024 * 1024 + 10), "password": "x"}).encode()
    resp = client.http.post("/api/auth/login", headers=JSON, body=big)
    assert resp.status_code == 413
    assert _error(resp)["code"] == "too_large"


def test_list_and_email_errors_are_explained_in_vietnamese(as_role):
    resp = as_role("admin").send("POST", "/api/org/users", {
        "username": "nguoimoi", "full_name": "A", "email": "khong-phai-thu",
        "unit": "PTH", "roles": []})
    fields = {f["path"]: f["message"] for f in json.loads(resp.body)["error"]["fields"]}
    assert fields["roles"] == "Chọn ít nhất một vai trò."
    assert fields["email"] == "Địa chỉ thư điện tử không hợp lệ."

"""A password an administrator issues (a new account, a reset) signs in only
once, to set the user's own (#21 item 12)."""

from __future__ import annotations

import json
from typing import Any

NEW = "Mat-khau-rieng-2026!"


def _login(client: Any, **body: str) -> Any:
    return client.http.post("/api/auth/login", headers={"Content-Type": "application/json"},
                            body=json.dumps(body).encode())


def _error(resp: Any) -> dict[str, Any]:
    return json.loads(resp.body)["error"]  # type: ignore[no-any-return]


def test_an_issued_password_must_be_replaced_at_the_first_sign_in(client, as_role):
    admin = as_role("admin")
    created = json.loads(admin.send("POST", "/api/org/users", {
        "username": "tranthib", "full_name": "Trần Thị B", "email": "b@skhdt.example",
        "unit": "PTH", "roles": ["officer"], "title": "Chuyên viên"}).body)
    issued = created["initial_password"]

    first = _login(client, username="tranthib", password=issued)
    assert first.status_code == 400 and "id_token" not in first.body.decode()
    err = _error(first)
    assert err["code"] == "password_change_required"
    assert [f["path"] for f in err["fields"]] == ["new_password"]
    assert "mật khẩu mới" in err["message"] and err["message_en"]

    # A wrong password learns nothing, new password or not.
    wrong = _login(client, username="tranthib", password="Sai-mat-khau-1", new_password=NEW)
    assert wrong.status_code == 401
    weak = _login(client, username="tranthib", password=issued, new_password="abc")
    assert weak.status_code == 400 and _error(weak)["code"] == "weak_password"
    assert [f["path"] for f in _error(weak)["fields"]] == ["new_password"]
    same = _login(client, username="tranthib", password=issued, new_password=issued)
    assert same.status_code == 400 and _error(same)["fields"][0]["path"] == "new_password"

    done = _login(client, username="tranthib", password=issued, new_password=NEW)
    assert done.status_code == 200, done.body
    assert json.loads(done.body)["user"]["username"] == "tranthib"
    assert _login(client, username="tranthib", password=issued).status_code == 401
    assert _login(client, username="tranthib", password=NEW).status_code == 200


def test_a_reset_password_is_issued_for_one_sign_in_too(client, as_role):
    admin = as_role("admin")
    issued = json.loads(admin.send("POST", "/api/org/users/motcua/reset-password").body)[
        "password"]
    asked = _login(client, username="motcua", password=issued)
    assert asked.status_code == 400 and _error(asked)["code"] == "password_change_required"
    assert _login(client, username="motcua", password=issued,
                  new_password=NEW).status_code == 200

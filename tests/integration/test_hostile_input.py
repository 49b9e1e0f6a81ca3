"""Hostile input answered in our error shape, never a 500 (#21 items 9 and 12):
JSON nested past what the decoder follows, in a body or in a cursor."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

JSON = {"Content-Type": "application/json"}
DEEP = b"[" * 50_000


def _error(resp: Any) -> dict[str, Any]:
    body = json.loads(resp.body)
    assert set(body) == {"error"}
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/public/complaints",
                                  "/api/public/dossiers"])
def test_fifty_thousand_brackets_on_a_public_json_route_are_a_400(client, aws_env, path):
    resp = client.http.post(path, headers=JSON, body=DEEP)
    assert resp.status_code == 400, resp.body
    err = _error(resp)
    assert err["code"] == "invalid_json" and err["message_en"] == (
        "The request body is nested too deeply.")
    assert [f["path"] for f in err["fields"]] == ["body"]


def test_deep_json_on_a_signed_in_route_and_in_a_cursor_are_a_400(as_role):
    officer = as_role("officer")
    resp = officer.client.http.request("PUT", "/api/me/preferences", headers={
        **officer.headers, **JSON}, body=b'{"a":' * 20_000 + b"1" + b"}" * 20_000)
    assert resp.status_code == 400, resp.body
    assert _error(resp)["code"] == "invalid_json"

    # Deeper than the decoder follows, short enough for every list's cursor field.
    cursor = base64.urlsafe_b64encode(b"[" * 1_500).decode().rstrip("=")
    for path in ("/api/incoming", "/api/complaints"):
        listed = officer.get(f"{path}?cursor={cursor}")
        assert listed.status_code == 400, (path, listed.body)
        assert _error(listed)["code"] == "invalid_cursor"


def test_unknown_preference_fields_are_refused_each_named(as_role):
    officer = as_role("officer")
    before = json.loads(officer.get("/api/me/preferences").body)
    resp = officer.send("PUT", "/api/me/preferences", {
        "digest": not before["digest"], "instant": True, "due_soon_days": 2,
        "digets": False, "admin": True})
    assert resp.status_code == 400, resp.body
    err = _error(resp)
    assert sorted(f["path"] for f in err["fields"]) == ["admin", "digets"]
    assert {f["message"] for f in err["fields"]} == {
        "Trường “admin” không thuộc biểu mẫu này.", "Trường “digets” không thuộc biểu mẫu này."}
    assert json.loads(officer.get("/api/me/preferences").body) == before  # nothing saved

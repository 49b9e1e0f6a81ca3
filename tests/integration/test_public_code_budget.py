"""The issue's attack on a desk dossier (#21 item 1), over the API: guesses of the
phone's last four digits spread over the three public routes of one dossier
(lookup, "supplied", withdraw) lock the code after five failures, and a change
to the dossier needs the receipt's access key besides the phone."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import login

# One instant for every public check: the attempts all fall in one hour however
# long the test runs (the hour is 10:00-11:00 in Hanoi).
FROZEN = datetime(2026, 12, 2, 3, 10, tzinfo=UTC)
PHONE = "0987650042"


def _body(resp: Any) -> Any:
    return json.loads(resp.body)


@pytest.fixture
def dossier(aws_env: dict[str, str], accounts: dict[str, Any], client: Any,
            monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamo import Table
    from chalicelib.onestop import routes
    from chalicelib.onestop.service import ensure_catalogue

    ensure_catalogue(Table())
    desk = login(client, "motcua", accounts["motcua"]["password"])
    procs = _body(client.http.get("/api/public/procedures"))["procedures"]
    seen = [p["code"] for p in next(p for p in procs if p["code"] == "DKDN-DNTN")["papers"]
            if p["required"]]
    resp = desk.send("POST", "/api/dossiers", {
        "procedure": "DKDN-DNTN", "papers": {}, "papers_seen": seen,
        "applicant": {"name": "Nguyễn Văn Bị Hại", "phone": PHONE}})
    assert resp.status_code == 200, resp.body
    view = _body(resp)
    monkeypatch.setattr(routes, "use_cases",
                        lambda: dataclasses.replace(bootstrap.onestop(), clock=lambda: FROZEN))
    stored = Table().get(f"DOSSIER#{view['id']}", "DOSSIER", consistent=True)
    return {"id": view["id"], "code": view["code"], "access_key": stored["access_key"],
            "status": view["status"], "desk": desk}


def _guess(client: Any, code: str, route: int, phone: str, key: str) -> Any:
    if route == 0:
        return client.http.get(f"/api/public/dossiers/{code}?phone_last4={phone}")
    what = "supplied" if route == 1 else "withdraw"
    return client.http.post(f"/api/public/dossiers/{code}/{what}",
                            headers={"Content-Type": "application/json"},
                            body=json.dumps({"phone_last4": phone, "access_key": key,
                                             "reason": "Rút"}).encode())


def test_43_guesses_across_the_three_routes_do_not_withdraw_the_dossier(dossier, client):
    code = dossier["code"]
    # The attacker walks the phone's last digits 0000..0042 round the three routes,
    # the last guess (the right phone) on withdraw; the access key is a guess too.
    answers = [_guess(client, code, i % 3, f"{i:04d}", "AAAA-AAAA") for i in range(42)]
    answers.append(_guess(client, code, 2, PHONE[-4:], "AAAA-AAAA"))

    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429] * 38, statuses
    locked = _body(answers[-1])["error"]
    assert locked["code"] == "code_locked"
    assert "024 3825 6637" in locked["message"] and "11:00 ngày 02/12/2026" in locked["message"]
    assert locked["message_en"].startswith("This code is locked")
    assert int(answers[-1].headers["Retry-After"]) == 50 * 60
    # Even the right phone and the right key wait for the hour to end.
    assert _guess(client, code, 2, PHONE[-4:], dossier["access_key"]).status_code == 429
    view = _body(dossier["desk"].get(f"/api/dossiers/{dossier['id']}"))
    assert view["status"] == dossier["status"] != 7 and "access_key" not in view


def test_the_phone_alone_does_not_withdraw_but_phone_and_key_do(dossier, client):
    code = dossier["code"]
    assert _guess(client, code, 2, PHONE[-4:], "AAAA-AAAA").status_code == 404
    missing = client.http.post(f"/api/public/dossiers/{code}/withdraw",
                               headers={"Content-Type": "application/json"},
                               body=json.dumps({"phone_last4": PHONE[-4:]}).encode())
    assert missing.status_code == 400
    assert [f["path"] for f in _body(missing)["error"]["fields"]] == ["access_key"]

    resp = _guess(client, code, 2, PHONE[-4:], dossier["access_key"].lower())
    assert resp.status_code == 200, resp.body
    assert _body(resp)["status"] == 7


def test_a_complaint_code_is_locked_after_five_failed_lookups(aws_env, client):
    filed = client.http.post("/api/public/complaints", headers={
        "Content-Type": "application/json"}, body=json.dumps({
            "kind": "petition", "name": "Lê Thị Kiến Nghị", "phone": "0912005678",
            "address": "Hà Nội", "content": "Kiến nghị về thời gian tiếp công dân."}).encode())
    assert filed.status_code == 200, filed.body
    code = _body(filed)["code"]
    statuses = [client.http.get(f"/api/public/complaints/{code}?phone_last4={n:04d}").status_code
                for n in range(6)]
    right = client.http.get(f"/api/public/complaints/{code}?phone_last4=5678")
    assert statuses == [404] * 5 + [429]
    assert right.status_code == 429 and _body(right)["error"]["code"] == "code_locked"

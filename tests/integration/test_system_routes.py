"""Health, OpenAPI, the calendar endpoint and its overrides, the pages."""

from __future__ import annotations

import json


def test_health_checks_the_table(client, aws_env):
    resp = client.http.get("/api/health")
    assert resp.status_code == 200
    body = json.loads(resp.body)
    assert body == {"status": "ok", "stage": "local", "checks": {"table": "ok"}}


def test_health_reports_a_missing_table(client, aws_env, monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    from chalicelib.adapters.aws import reset_clients

    reset_clients()
    resp = client.http.get("/api/health")
    assert resp.status_code == 503
    assert json.loads(resp.body)["checks"]["table"].startswith("error")


def test_openapi_lists_every_route_with_models_and_errors(client, aws_env):
    import app as app_module

    spec = json.loads(client.http.get("/api/openapi.json").body)
    assert spec["openapi"] == "3.1.0"
    for path, methods in app_module.app.routes.items():
        for method in methods:
            assert method.lower() in spec["paths"][path], (path, method)
    login = spec["paths"]["/api/auth/login"]["post"]
    assert login["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "LoginRequest")
    assert {"400", "429", "500"} <= set(login["responses"])
    me = spec["paths"]["/api/auth/me"]["get"]
    assert {"401", "403", "404"} <= set(me["responses"])
    assert me["security"] == [{"bearer": []}]
    assert "LoginRequest" in spec["components"]["schemas"]


def test_docs_page_is_html(client, aws_env):
    resp = client.http.get("/api/docs")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "Tài liệu API" in resp.body.decode()


def test_add_working_days_skips_tet(as_role):
    officer = as_role("officer")
    # Friday 13 Feb 2026, 16:00 in Hanoi; Tết runs 16–20 Feb.
    resp = officer.get("/api/calendar/add-working-days?start=2026-02-13T16:00:00%2B07:00&days=1")
    assert resp.status_code == 200, resp.body
    due = json.loads(resp.body)["due"]
    # 1h on Friday, then 4.5h + 2.5h on Monday 23 Feb (lunch 11:30–13:30 skipped).
    assert due == "2026-02-23T16:00:00+07:00"


def test_add_working_days_rejects_bad_input(as_role):
    officer = as_role("officer")
    naive = officer.get("/api/calendar/add-working-days?start=2026-02-13T16:00:00&days=1")
    assert naive.status_code == 400
    fields = json.loads(naive.body)["error"]["fields"]
    assert fields[0]["path"] == "start"
    negative = officer.get("/api/calendar/add-working-days?start=2026-02-13T16:00:00Z&days=-1")
    assert negative.status_code == 400
    assert json.loads(negative.body)["error"]["fields"][0]["path"] == "days"


def test_admin_override_changes_deadlines(as_role):
    admin = as_role("admin")
    # Make Saturday 28 Nov 2026 a make-up working day.
    resp = admin.send("PUT", "/api/calendar/overrides",
                      {"date": "2026-11-28", "working": True, "note": "Làm bù"})
    assert resp.status_code == 200, resp.body
    due = json.loads(admin.get(
        "/api/calendar/add-working-days?start=2026-11-27T16:00:00%2B07:00&days=0.5").body)["due"]
    assert due.startswith("2026-11-28T10:00:00")
    listed = json.loads(admin.get("/api/calendar/overrides").body)["overrides"]
    assert listed == [{"date": "2026-11-28", "working": True, "note": "Làm bù",
                       "updated_by": "quantri", "updated_at": listed[0]["updated_at"]}]
    assert admin.send("DELETE", "/api/calendar/overrides/2026-11-28").status_code == 200
    due = json.loads(admin.get(
        "/api/calendar/add-working-days?start=2026-11-27T16:00:00%2B07:00&days=0.5").body)["due"]
    assert due.startswith("2026-11-30T10:00:00")


def test_pages_are_vietnamese_and_safe(client, aws_env):
    for path in ("/", "/login", "/app/calendar", "/app/outbox"):
        resp = client.http.get(path)
        assert resp.status_code == 200, path
        html = resp.body.decode()
        assert '<html lang="vi">' in html
        assert "Content-Security-Policy" in resp.headers
    assert client.http.get("/app/nope").status_code == 404
    assert client.http.get("/static/app.js").status_code == 200
    assert client.http.get("/static/..%2F..%2Fconfig.py").status_code == 404


def test_page_policy_names_the_storage_the_pages_use(client, aws_env):
    csp = client.http.get("/app/intake").headers["Content-Security-Policy"]
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src"))
    frame = next(d for d in csp.split(";") if d.strip().startswith("frame-src"))
    assert aws_env["INTAKE_BUCKET"] in connect and "'self'" in connect
    assert aws_env["DOCUMENTS_BUCKET"] in frame
    assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp

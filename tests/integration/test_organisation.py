"""Administering accounts against Cognito, delegations, and the audit trail."""

from __future__ import annotations

import base64
import json

import boto3

from tests.conftest import login

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def _body(resp):
    return json.loads(resp.body)


def test_admin_creates_a_user_who_can_sign_in_at_once(client, as_role):
    admin = as_role("admin")
    resp = admin.send("POST", "/api/org/users", {
        "username": "nguyenvana", "full_name": "Nguyễn Văn A", "email": "a@skhdt.example",
        "unit": "PTH", "roles": ["officer"], "title": "Chuyên viên"})
    assert resp.status_code == 200, resp.body
    created = _body(resp)
    assert created["user"]["roles"] == ["officer"]
    session = login(client, "nguyenvana", created["initial_password"])
    assert session.user["unit"] == "PTH" and session.user["full_name"] == "Nguyễn Văn A"


def test_role_change_applies_at_the_next_request_without_new_sign_in(client, accounts, as_role):
    officer = login(client, "chuyenvien", accounts["chuyenvien"]["password"])
    assert officer.send("PUT", "/api/calendar/overrides",
                        {"date": "2026-12-26", "working": True}).status_code == 403
    admin = as_role("admin")
    current = _body(admin.get("/api/org/users/chuyenvien"))
    resp = admin.send("PUT", "/api/org/users/chuyenvien", {
        "full_name": current["full_name"], "email": current["email"], "unit": "PDKKD",
        "roles": ["officer", "admin"], "title": "Chuyên viên", "version": current["version"]})
    assert resp.status_code == 200, resp.body
    assert officer.send("PUT", "/api/calendar/overrides",
                        {"date": "2026-12-26", "working": True}).status_code == 200
    groups = boto3.client("cognito-idp").admin_list_groups_for_user(
        UserPoolId=__import__("os").environ["USER_POOL_ID"], Username="chuyenvien")["Groups"]
    assert {g["GroupName"] for g in groups} == {"officer", "admin"}


def test_stale_version_is_a_409(as_role):
    admin = as_role("admin")
    current = _body(admin.get("/api/org/users/motcua"))
    body = {"full_name": "Đỗ Thu Trang", "email": current["email"], "unit": "MC",
            "roles": ["one_stop"], "title": "", "version": current["version"]}
    assert admin.send("PUT", "/api/org/users/motcua", body).status_code == 200
    stale = admin.send("PUT", "/api/org/users/motcua", body)
    assert stale.status_code == 409
    assert _body(stale)["error"]["code"] == "conflict"


def test_disabled_user_is_refused_at_the_next_request_and_cannot_sign_in(client, accounts,
                                                                         as_role):
    clerk = login(client, "vanthu", accounts["vanthu"]["password"])
    assert clerk.get("/api/auth/me").status_code == 200
    admin = as_role("admin")
    assert admin.send("POST", "/api/org/users/vanthu/disable").status_code == 200
    assert clerk.get("/api/auth/me").status_code == 401
    refused = client.http.post("/api/auth/login", headers={"Content-Type": "application/json"},
                               body=json.dumps({"username": "vanthu",
                                                "password": accounts["vanthu"]["password"]}))
    unknown = client.http.post("/api/auth/login", headers={"Content-Type": "application/json"},
                               body=json.dumps({"username": "khongco", "password": "x"}))
    assert refused.status_code == unknown.status_code == 401
    assert _body(refused)["error"]["message"] == _body(unknown)["error"]["message"]
    assert admin.send("POST", "/api/org/users/vanthu/enable").status_code == 200
    assert login(client, "vanthu", accounts["vanthu"]["password"]).user["username"] == "vanthu"


def test_admin_cannot_disable_themselves(as_role):
    admin = as_role("admin")
    assert admin.send("POST", "/api/org/users/quantri/disable").status_code == 400


def test_password_reset_returns_a_new_password_that_works(client, accounts, as_role):
    admin = as_role("admin")
    new = _body(admin.send("POST", "/api/org/users/motcua/reset-password"))["password"]
    assert new != accounts["motcua"]["password"]
    assert login(client, "motcua", new).user["username"] == "motcua"


def test_bad_user_input_names_the_field(as_role):
    admin = as_role("admin")
    resp = admin.send("POST", "/api/org/users", {
        "username": "Bad Name!", "full_name": "X", "email": "not-an-email", "unit": "NOPE",
        "roles": ["wizard"]})
    assert resp.status_code == 400
    paths = {f["path"] for f in _body(resp)["error"]["fields"]}
    assert {"email", "roles.0"} <= paths
    resp = admin.send("POST", "/api/org/users", {
        "username": "Bad Name!", "full_name": "X", "email": "x@skhdt.example", "unit": "PTH",
        "roles": ["officer"]})
    assert resp.status_code == 400
    assert _body(resp)["error"]["fields"][0]["path"] == "username"
    resp = admin.send("POST", "/api/org/users", {
        "username": "tenhople", "full_name": "X", "email": "x@skhdt.example", "unit": "NOPE",
        "roles": ["officer"]})
    assert resp.status_code == 400
    assert _body(resp)["error"]["fields"][0]["path"] == "unit"


def test_units_tree_refuses_cycles(as_role):
    admin = as_role("admin")
    assert admin.send("POST", "/api/org/units", {
        "code": "PKT", "name": "Phòng Kinh tế", "kind": "specialised",
        "parent": "BGD"}).status_code == 200
    units = {u["code"]: u for u in _body(admin.get("/api/org/units"))["units"]}
    assert units["PKT"]["parent"] == "BGD"
    loop = admin.send("PUT", "/api/org/units/BGD", {
        "name": "Ban Giám đốc Sở", "kind": "leadership", "parent": "PKT",
        "version": units["BGD"]["version"]})
    assert loop.status_code == 400
    assert _body(loop)["error"]["fields"][0]["path"] == "parent"
    assert as_role("officer").send("POST", "/api/org/units", {
        "code": "X", "name": "X", "kind": "office"}).status_code == 403


def test_signature_image_is_stored_content_addressed(as_role):
    officer = as_role("officer")
    resp = officer.send("PUT", "/api/org/users/chuyenvien/signature",
                        {"image_base64": base64.b64encode(PNG).decode()})
    assert resp.status_code == 200, resp.body
    assert _body(resp)["has_signature"]
    other = officer.send("PUT", "/api/org/users/giamdoc/signature",
                         {"image_base64": base64.b64encode(PNG).decode()})
    assert other.status_code == 403
    not_png = officer.send("PUT", "/api/org/users/chuyenvien/signature",
                           {"image_base64": base64.b64encode(b"GIF89a....").decode()})
    assert not_png.status_code == 400


def test_delegations_refuse_self_overlap_and_the_wrong_delegate(as_role):
    leader = as_role("leader")
    ok = leader.send("POST", "/api/org/delegations", {
        "delegate": "phogiamdoc", "kind": "KT", "start": "2026-12-01", "end": "2026-12-10",
        "note": "Đi công tác"})
    assert ok.status_code == 200, ok.body
    self_ = leader.send("POST", "/api/org/delegations", {
        "delegate": "giamdoc", "kind": "KT", "start": "2027-01-01", "end": "2027-01-02"})
    assert self_.status_code == 400
    assert _body(self_)["error"]["fields"][0]["path"] == "delegate"
    overlap = leader.send("POST", "/api/org/delegations", {
        "delegate": "chanhvanphong", "kind": "TL", "start": "2026-12-10", "end": "2026-12-20"})
    assert overlap.status_code == 400
    assert _body(overlap)["error"]["code"] == "delegation_overlap"
    wrong = leader.send("POST", "/api/org/delegations", {
        "delegate": "chuyenvien", "kind": "KT", "start": "2027-02-01", "end": "2027-02-02"})
    assert wrong.status_code == 400
    tl = leader.send("POST", "/api/org/delegations", {
        "delegate": "chanhvanphong", "kind": "TL", "start": "2026-12-11", "end": "2026-12-20"})
    assert tl.status_code == 200, tl.body
    listed = _body(leader.get("/api/org/delegations"))["delegations"]
    assert {d["delegate"] for d in listed} == {"phogiamdoc", "chanhvanphong"}
    d_id = _body(ok)["id"]
    assert as_role("officer").send(
        "DELETE", f"/api/org/delegations/giamdoc/{d_id}").status_code == 403
    assert leader.send("DELETE", f"/api/org/delegations/giamdoc/{d_id}").status_code == 200
    from datetime import date

    from chalicelib.organisation.service import active_delegation_for

    assert active_delegation_for("phogiamdoc", date(2026, 12, 5)) is None
    assert active_delegation_for("chanhvanphong", date(2026, 12, 15))["kind"] == "TL"


def test_audit_trail_records_changes_and_sign_ins_and_verifies(client, accounts, as_role):
    admin = as_role("admin")
    login(client, "truongphong", accounts["truongphong"]["password"])
    current = _body(admin.get("/api/org/users/truongphong"))
    admin.send("PUT", "/api/org/users/truongphong", {
        "full_name": current["full_name"], "email": current["email"], "unit": "PTH",
        "roles": ["unit_head"], "title": "Trưởng phòng", "version": current["version"]})
    trail = _body(admin.get("/api/audit/user:truongphong"))["entries"]
    actions = [e["action"] for e in trail]
    assert actions == ["auth.login", "user.update"]
    update = trail[1]
    assert update["actor"] == "quantri"
    assert update["before"]["unit"] == "PDKKD" and update["after"]["unit"] == "PTH"
    verdict = _body(admin.get("/api/audit/user:truongphong/verify"))
    assert verdict == {"item_id": "user:truongphong", "intact": True, "entries": 2,
                       "broken_at": None, "reason": "", "reason_en": "", "anchored_seq": 0}


def test_tampering_with_a_stored_audit_entry_is_detected(as_role, aws_env):
    admin = as_role("admin")  # its sign-in starts the chain user:quantri
    admin.send("POST", "/api/org/users/motcua/disable")
    admin.send("POST", "/api/org/users/motcua/enable")
    ddb = boto3.client("dynamodb")
    ddb.update_item(TableName=aws_env["TABLE_NAME"],
                    Key={"pk": {"S": "AUDIT#user:motcua"}, "sk": {"S": "E#000000000001"}},
                    UpdateExpression="SET actor = :a", ExpressionAttributeValues={
                        ":a": {"S": "someone-else"}})
    verdict = _body(admin.get("/api/audit/user:motcua/verify"))
    assert verdict["intact"] is False and verdict["broken_at"] == 1
    assert "bị sửa" in verdict["reason"]


def test_audit_is_visible_only_to_those_entitled(as_role):
    officer = as_role("officer")
    assert officer.get("/api/audit/user:chuyenvien").status_code == 200
    for chain in ("user:giamdoc", "unit:PDKKD", "incoming:whatever"):
        resp = officer.get(f"/api/audit/{chain}")
        assert resp.status_code == 404, chain
        assert "entries" not in resp.body.decode()


def test_audit_export_csv_and_xlsx(as_role):
    admin = as_role("admin")
    admin.send("POST", "/api/org/users/motcua/disable")
    csv_resp = admin.get("/api/audit/user:motcua/export?format=csv")
    assert csv_resp.status_code == 200
    text = csv_resp.body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("STT,Thời điểm,Người thực hiện")
    assert ",Khoá tài khoản," in text and "user.disable" not in text  # its name, not its code
    # Binary answers need an Accept that names them, as API Gateway requires;
    # browsers send */* when following a download link.
    xlsx = admin.get("/api/audit/user:motcua/export?format=xlsx", accept="*/*")
    assert xlsx.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.body)).active
    assert sheet.cell(1, 3).value == "Người thực hiện"
    assert sheet.cell(2, 4).value == "Khoá tài khoản"


def test_audit_export_of_a_hostile_user_agent_opens_without_formulas(as_role):
    """The user agent is whatever the browser (or a script) sends: in the export
    it stays text, never a formula, with no control character."""
    import csv
    import io

    from openpyxl import load_workbook

    admin = as_role("admin")
    agent = '=HYPERLINK("http://evil.example","Bấm")\x1b[31m\u202e@SUM(A1)'
    resp = admin.client.http.request(
        "POST", "/api/org/users/motcua/disable",
        headers={**admin.headers, "Content-Type": "application/json", "User-Agent": agent},
        body=b"")
    assert resp.status_code == 200, resp.body
    xlsx = admin.get("/api/audit/user:motcua/export?format=xlsx", accept="*/*")
    sheet = load_workbook(io.BytesIO(xlsx.body)).active
    column = [c.value for c in sheet[1]].index("Trình duyệt") + 1
    agents = [sheet.cell(r, column) for r in range(2, sheet.max_row + 1)]
    stored = [c for c in agents if "HYPERLINK" in str(c.value)]
    assert stored, [c.value for c in agents]
    for c in stored:
        assert c.data_type == "s" and c.value.startswith("=HYPERLINK(")
        assert not any(ch in c.value for ch in "\x1b\u202e")
    for row in sheet.iter_rows():
        assert all(c.data_type != "f" for c in row)
    text = admin.get("/api/audit/user:motcua/export?format=csv").body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    values = [row[column - 1] for row in rows[1:] if "HYPERLINK" in row[column - 1]]
    assert values and all(v.startswith("'=HYPERLINK(") for v in values)
    assert not any(ch in text for ch in "\x1b\u202e")

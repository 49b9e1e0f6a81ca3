"""The one-stop shop over the API: an online business registration from
submission to its result, a dossier that waits for additional papers, a late
one that gets its apology letter, the public lookup, and form 06 counting the
three; with bad input and a double submit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest

from tests.aws import drain_workflow, sent_messages
from tests.conftest import login

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PROCEDURE = "DKDN-DNTN"


def _body(resp: Any) -> Any:
    return json.loads(resp.body)


@pytest.fixture
def desk(aws_env: dict[str, str], accounts: dict[str, Any], client: Any) -> dict[str, Any]:
    from chalicelib.adapters.dynamo import Table
    from chalicelib.onestop.service import ensure_catalogue

    ensure_catalogue(Table())
    return {name: login(client, name, a["password"]) for name, a in accounts.items()}


def _upload(client: Any, content_type: str = "application/pdf", size: int = 2000) -> str:
    """What the browser does: a presigned POST, then the file to S3."""
    from chalicelib.kernel.config import get_settings

    form = _body(client.http.post("/api/public/dossiers/uploads"))
    boto3.client("s3").put_object(Bucket=get_settings().intake_bucket,
                                  Key=form["fields"]["key"], Body=b"%PDF-1.4 " + b"x" * size,
                                  ContentType=content_type,
                                  Metadata={"filename": "giay-de-nghi.pdf"})
    return str(form["upload_id"])


def _required_papers(client: Any) -> list[str]:
    procs = _body(client.http.get("/api/public/procedures"))["procedures"]
    proc = next(p for p in procs if p["code"] == PROCEDURE)
    return [p["code"] for p in proc["papers"] if p["required"]]


def _submit(client: Any, key: str | None = None, **applicant: Any) -> Any:
    papers = {code: [_upload(client)] for code in _required_papers(client)}
    body = {"procedure": PROCEDURE, "papers": papers,
            "applicant": {"name": "Trần Thị Doanh", "phone": "0987654321",
                          "email": "doanh@example.vn",
                          "organisation": "Doanh nghiệp tư nhân Hoa Sen", **applicant}}
    if key:
        body["idempotency_key"] = key
    return client.http.post("/api/public/dossiers", headers={
        "Content-Type": "application/json"}, body=json.dumps(body).encode())


def _advance_all(desk: dict[str, Any], dossier_id: str) -> dict[str, Any]:
    by_unit = {"MC": "motcua", "PDKKD": "chuyenvien"}
    view: dict[str, Any] = {}
    for _ in range(4):
        view = _body(desk["motcua"].get(f"/api/dossiers/{dossier_id}"))
        if view["status"] == 9:
            break
        step = view["steps"][view["step_index"]]
        unit = step["unit"]
        if step["name"] == "Ký duyệt kết quả" and view.get("result_status") != "signed":
            # Handed on only once signed: the head signs, the workflow step makes it.
            refused = desk[by_unit[unit]].send("POST", f"/api/dossiers/{dossier_id}/advance", {})
            assert refused.status_code == 409, refused.body
            assert _body(refused)["error"]["code"] == "result_not_signed"
            signing = desk["truongphong"].send("POST", f"/api/dossiers/{dossier_id}/result")
            assert signing.status_code == 200, signing.body
            drain_workflow()
        resp = desk[by_unit[unit]].send("POST", f"/api/dossiers/{dossier_id}/advance",
                                        {"note": "Đã xong bước"})
        assert resp.status_code == 200, resp.body
        view = _body(resp)
    return view


def test_an_online_business_registration_goes_from_submission_to_its_result(desk, client):
    resp = _submit(client, key="first-attempt-0001")
    assert resp.status_code == 200, resp.body
    answer = _body(resp)
    code = answer["code"]
    assert code.startswith("000.00.12.H26-") and code.endswith("-0001")
    # The appointment: three working days of office hours from the receipt.
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.onestop import rules as rules
    from chalicelib.onestop.catalogue import SEED_PROCEDURES

    received = datetime.fromisoformat(answer["received_at"].replace("Z", "+00:00"))
    versions = [p for p in SEED_PROCEDURES if p.code == PROCEDURE]
    proc = rules.procedure_in_force(versions, PROCEDURE, received.astimezone(HANOI).date())
    expected = rules.appointment(proc, received, agency_calendar())
    assert answer["appointment_at"][:16] == expected.astimezone(UTC).isoformat()[:16]
    # A double submit (same key) makes one dossier.
    again = _body(_submit(client, key="first-attempt-0001"))
    assert again["code"] == code
    drain_workflow()
    receipts = [m for m in sent_messages() if str(m["To"]) == "doanh@example.vn"]
    assert len(receipts) == 1 and code in str(receipts[0]["Subject"])
    (receipt,) = [p.get_payload(decode=True) for p in receipts[0].iter_attachments()]
    import subprocess

    text = subprocess.run(["pdftotext", "-", "-"], input=receipt, capture_output=True,
                          check=False).stdout.decode()
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and code in text

    from chalicelib.adapters.dynamo import Table

    dossier_id = Table().query(f"DOSSIERCODE#{code}", index="gsi1", limit=1).items[0]["id"]
    # The step's unit has it in its work, with the step's share of the time.
    def in_unit_work(session: Any) -> list[dict[str, Any]]:
        return [i for i in _body(session.get("/api/work/unit"))["items"]
                if i["link"] == f"/app/dossier?id={dossier_id}"]

    assert in_unit_work(desk["truongphong"]) == []  # the first step is the desk's
    desk["motcua"].send("POST", f"/api/dossiers/{dossier_id}/advance", {})
    # Now the registration office has it, with its step's share of the time.
    (work,) = in_unit_work(desk["truongphong"])
    step = _body(desk["chuyenvien"].get(f"/api/dossiers/{dossier_id}"))["steps"][1]
    assert work["deadline"][:16] == step["deadline"][:16]
    # The head of the registration office signs the certificate at its step.
    from chalicelib.adapters.dynamo import Table
    from chalicelib.signing.keys import ensure_dev_pki

    ensure_dev_pki(table=Table())
    # Not during the examination, although the unit is the head's: 409 naming the step.
    early = desk["truongphong"].send("POST", f"/api/dossiers/{dossier_id}/result")
    assert early.status_code == 409, early.body
    assert _body(early)["error"]["code"] == "wrong_step"
    assert "Thẩm định hồ sơ" in _body(early)["error"]["message"]
    desk["chuyenvien"].send("POST", f"/api/dossiers/{dossier_id}/advance", {})
    assert desk["chuyenvien"].send("POST", f"/api/dossiers/{dossier_id}/result"
                                   ).status_code == 403
    resp = desk["truongphong"].send("POST", f"/api/dossiers/{dossier_id}/result")
    assert resp.status_code == 200, resp.body
    assert _body(resp)["result_status"] == "signing"
    drain_workflow()
    signed = _body(desk["truongphong"].get(f"/api/dossiers/{dossier_id}"))
    assert signed["result_status"] == "signed", signed.get("result_failure")
    from chalicelib.kernel.config import get_settings

    certificate = boto3.client("s3").get_object(Bucket=get_settings().documents_bucket,
                                                Key=signed["result_key"])["Body"].read()
    report = _body(client.http.post("/api/verify", headers={"Content-Type": "application/pdf"},
                                    body=certificate))
    assert report["ok"] and report["verdict"]["level"] == "good", report["verdict"]
    assert len(report["signatures"]) == 2
    view = _advance_all(desk, dossier_id)
    assert view["status"] == 9
    # Not yet returned: nothing to download on the public lookup.
    early = client.http.get(f"/api/public/dossiers/{code}/result?phone_last4=4321")
    assert early.status_code == 404
    assert _body(client.http.get(
        f"/api/public/dossiers/{code}?phone_last4=4321"))["result_available"] is False
    assert all(s["timeliness"] in ("early", "on_time") for s in view["slip"])
    assert [s["giver"] for s in view["slip"]] == ["motcua", "chuyenvien", "chuyenvien",
                                                   "motcua"]
    resp = desk["motcua"].send("POST", f"/api/dossiers/{dossier_id}/return", {"how": "online"})
    assert resp.status_code == 200 and _body(resp)["status"] == 10
    drain_workflow()
    (result_mail,) = [m for m in sent_messages() if str(m["To"]) == "doanh@example.vn"
                      and str(m["Subject"]).startswith("Kết quả hồ sơ")]
    attached = [p.get_payload(decode=True) for p in result_mail.iter_attachments()]
    assert attached == [certificate]
    found = _body(client.http.get(f"/api/public/dossiers/{code}?phone_last4=4321"))
    assert found["status"] == 10 and found["timeline"][0]["label"] == "Tiếp nhận hồ sơ"
    # Returned: the applicant downloads the signed result from the public lookup,
    # behind the same check (a wrong phone answers like an unknown code).
    assert found["result_available"] is True
    link = _body(client.http.get(f"/api/public/dossiers/{code}/result?phone_last4=4321"))
    from urllib.parse import parse_qs, urlsplit

    params = parse_qs(urlsplit(link["url"]).query)
    assert params["response-content-disposition"] == [
        f'attachment; filename="ket-qua-{code}.pdf"']
    assert signed["result_key"] in urlsplit(link["url"]).path
    refused = client.http.get(f"/api/public/dossiers/{code}/result?phone_last4=0000")
    assert refused.status_code == 404
    assert "Trần Thị Doanh" not in json.dumps(found, ensure_ascii=False)
    wrong = client.http.get(f"/api/public/dossiers/{code}?phone_last4=0000")
    unknown = client.http.get("/api/public/dossiers/000.00.12.H26-000000-0001?phone_last4=4321")
    assert wrong.status_code == unknown.status_code == 404
    assert _body(wrong)["error"]["message"] == _body(unknown)["error"]["message"]


def test_additional_papers_stop_the_clock_and_move_the_appointment(desk, client):
    from chalicelib.adapters.dynamo import Table
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.onestop import service as onestop

    code = _body(_submit(client))["code"]
    dossier_id = Table().query(f"DOSSIERCODE#{code}", index="gsi1", limit=1).items[0]["id"]
    desk["motcua"].send("POST", f"/api/dossiers/{dossier_id}/advance", {})
    before = _body(desk["chuyenvien"].get(f"/api/dossiers/{dossier_id}"))["appointment_at"]
    resp = desk["chuyenvien"].send("POST", f"/api/dossiers/{dossier_id}/supplement", {
        "papers": ["Điều lệ doanh nghiệp có chữ ký"], "note": "Thiếu chữ ký chủ doanh nghiệp."})
    assert resp.status_code == 200 and _body(resp)["status"] == 5
    # The applicant supplies the papers two working days later (the clock stood still).
    from chalicelib.calendar.service import agency_calendar

    later = agency_calendar().add_working_days(datetime.now(UTC), 2)
    d = Table().get(f"DOSSIER#{dossier_id}", "DOSSIER", consistent=True)
    onestop.supplied(Caller("motcua", frozenset({Role.ONE_STOP}), unit="MC"), dossier_id,
                     now=later, dossier=d, table=Table())
    after = _body(desk["chuyenvien"].get(f"/api/dossiers/{dossier_id}"))
    assert after["status"] == 4 and after["appointment_at"] > before
    found = _body(client.http.get(f"/api/public/dossiers/{code}?phone_last4=4321"))
    assert found["appointment_at"] == after["appointment_at"]
    assert any("bổ sung" in e["label"] for e in found["timeline"])


def test_a_late_dossier_gets_its_apology_letter_and_form06_counts_all_three(desk, client):
    from chalicelib.adapters.dynamo import Table
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.onestop import service as onestop
    from chalicelib.signing.keys import ensure_dev_pki

    ensure_dev_pki(table=Table())
    now = datetime.now(UTC)
    # 1. on time; 2. waiting for papers; 3. received at the desk eight days ago.
    first = _body(_submit(client))["code"]
    second = _body(_submit(client, phone="0911112222"))["code"]
    long_ago = now - timedelta(days=8)
    late = onestop.receive(
        Caller("motcua", frozenset({Role.ONE_STOP}), unit="MC"), procedure_code=PROCEDURE,
        applicant={"name": "Lê Văn Muộn", "phone": "0933334444", "email": "muon@example.vn"},
        papers={}, seen=_required_papers(client), channel="in_person", now=long_ago,
        table=Table())
    ids = {c: Table().query(f"DOSSIERCODE#{c}", index="gsi1", limit=1).items[0]["id"]
           for c in (first, second)}
    _advance_all(desk, ids[first])
    desk["motcua"].send("POST", f"/api/dossiers/{ids[second]}/advance", {})
    desk["chuyenvien"].send("POST", f"/api/dossiers/{ids[second]}/supplement",
                            {"papers": ["Điều lệ"], "note": ""})

    # The late one: the job drafts the apology for the unit whose step it is.
    result = onestop.draft_apologies(table=Table())
    assert result["drafted"] == 1
    late_view = _body(desk["giamdoc"].get(f"/api/dossiers/{late['id']}"))
    assert late_view["late"] is True and late_view["apology_id"]
    letter = _body(desk["giamdoc"].get(f"/api/outgoing/{late_view['apology_id']}"))
    assert letter["recipients_external"] == [{"name": "Lê Văn Muộn",
                                              "email": "muon@example.vn"}]
    assert late["code"] in letter["subject"]
    assert onestop.draft_apologies(table=Table())["drafted"] == 0  # one letter per dossier
    from chalicelib.handlers.schedule import onestop_late_check
    from chalicelib.local.scheduler import scheduled_event

    # The scheduled entry runs the same job, with its Deps from the composition root.
    assert onestop_late_check(scheduled_event("onestop_late_check"), None)["drafted"] == 0
    # The unit approves, signs and sends it: the applicant's mail is in the outbox.
    head = desk["motcua"] if letter["created_by"] == "motcua" else desk[letter["created_by"]]
    head.send("POST", f"/api/outgoing/{letter['id']}/compose",
              {"body": letter["body"], "recipients": ["Như trên;", "Lưu: VT, MC."]})
    submitted = _body(head.send("POST", f"/api/outgoing/{letter['id']}/submit", {}))
    for step in submitted["review"]:
        if step["decision"]:
            continue
        reviewer = {"office": "chanhvanphong", "signer": letter["signer"],
                    "unit_head": letter["created_by"]}[step["step"]]
        assert desk[reviewer].send("POST", f"/api/outgoing/{letter['id']}/review",
                                   {"approve": True}).status_code == 200
    assert desk[letter["signer"]].send("POST", f"/api/outgoing/{letter['id']}/sign"
                                       ).status_code == 200
    drain_workflow()
    assert desk["vanthu"].send("POST", f"/api/outgoing/{letter['id']}/issue").status_code == 200
    drain_workflow()
    letters = [m for m in sent_messages() if str(m["To"]) == "muon@example.vn"
               and str(m["Subject"]).startswith("Công văn số")]
    assert len(letters) == 1
    assert late["code"] in letters[0].get_body(preferencelist=("plain",)).get_content()
    _advance_all(desk, late["id"])

    today = now.astimezone(HANOI).date()
    report = _body(desk["giamdoc"].get(
        f"/api/reports/form06?from={(today - timedelta(days=30)).isoformat()}"
        f"&to={today.isoformat()}"))
    total = report["total"]
    assert total["received_total"] == 3
    assert total["received_online"] == 2 and total["received_in_person"] == 1
    assert total["resolved_total"] == 2 and total["resolved_late"] == 1
    assert total["resolved_early"] + total["resolved_on_time"] == 1
    assert total["in_progress_total"] == 1 and total["in_progress_within_time"] == 1
    # From counters: a handful of items, not the dossiers.
    assert report["counter_items_read"] <= 31


def test_bad_input_is_refused_and_nothing_accepted_is_lost(desk, client):
    # Missing a required paper: the field of that paper is named.
    resp = client.http.post("/api/public/dossiers", headers={"Content-Type":
                                                             "application/json"},
                            body=json.dumps({"procedure": PROCEDURE, "papers": {},
                                             "applicant": {"name": "A", "phone": "0912345678"}
                                             }).encode())
    assert resp.status_code == 400 and _body(resp)["error"]["code"] == "papers_missing"
    assert all(f["path"].startswith("papers.") for f in _body(resp)["error"]["fields"])
    # A procedure not in force.
    resp = client.http.post("/api/public/dossiers", headers={"Content-Type":
                                                             "application/json"},
                            body=json.dumps({"procedure": "KHONG-CO", "papers": {},
                                             "applicant": {"name": "A", "phone": "0912345678"}
                                             }).encode())
    assert resp.status_code == 400 and _body(resp)["error"]["code"] == "procedure_not_in_force"
    # A forbidden file type.
    papers = {code: [_upload(client)] for code in _required_papers(client)}
    first = next(iter(papers))
    papers[first] = [_upload(client, content_type="application/x-msdownload")]
    resp = client.http.post("/api/public/dossiers", headers={"Content-Type":
                                                             "application/json"},
                            body=json.dumps({"procedure": PROCEDURE, "papers": papers,
                                             "applicant": {"name": "A", "phone": "0912345678"}
                                             }).encode())
    assert resp.status_code == 400 and _body(resp)["error"]["fields"][0]["path"] == \
        f"papers.{first}"
    from chalicelib.adapters.dynamo import Table

    assert Table().query("DOSSIERS#" + datetime.now(HANOI).strftime("%Y-%m"), index="gsi3",
                         limit=10).items == []


def test_the_desk_refuses_an_incomplete_dossier_with_the_missing_papers_listed(desk, client):
    import subprocess

    papers = _required_papers(client)
    resp = desk["motcua"].send("POST", "/api/dossier-refusals", {
        "procedure": PROCEDURE, "missing": papers[:1], "reason": "",
        "applicant": {"name": "Phạm Văn Thiếu", "phone": "0944445555",
                      "email": "thieu@example.vn"}})
    assert resp.status_code == 200, resp.body
    refusal = _body(resp)
    assert refusal["status"] == 3 and refusal["missing"][0]["code"] == papers[0]
    drain_workflow()
    (mail,) = [m for m in sent_messages() if str(m["To"]) == "thieu@example.vn"]
    (slip,) = [p.get_payload(decode=True) for p in mail.iter_attachments()]
    text = subprocess.run(["pdftotext", "-", "-"], input=slip, capture_output=True,
                          check=False).stdout.decode()
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ" in text
    assert refusal["missing"][0]["name"][:30] in " ".join(text.split())
    printed = desk["motcua"].get(f"/api/dossier-refusals/{refusal['id']}/slip", accept="*/*")
    assert printed.status_code == 200 and printed.body.startswith(b"%PDF")
    # A refusal never enters the counts, and a paper not of the procedure is refused.
    bad = desk["motcua"].send("POST", "/api/dossier-refusals", {
        "procedure": PROCEDURE, "missing": ["KHONG-CO"],
        "applicant": {"name": "A", "phone": "0944445555"}})
    assert bad.status_code == 400 and _body(bad)["error"]["fields"][0]["path"] == "missing"
    assert desk["chuyenvien"].send("POST", "/api/dossier-refusals", {
        "procedure": PROCEDURE, "missing": papers[:1],
        "applicant": {"name": "A", "phone": "0944445555"}}).status_code == 403


def test_the_month_is_listed_a_page_at_a_time_with_the_rows_fields(desk, client):
    """The list reads a page (and one more) of slim rows: the projection keeps
    what a row shows and who may see it; the cursor goes on where it stopped."""
    received = []
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"):
        resp = desk["motcua"].send("POST", "/api/dossiers", {
            "procedure": PROCEDURE, "applicant": {"name": name, "phone": "0987654321"},
            "papers": {}, "papers_seen": _required_papers(client)})
        assert resp.status_code == 200, resp.body
        received.append(_body(resp))

    first = _body(desk["motcua"].get("/api/dossiers?limit=2"))
    assert len(first["items"]) == 2 and first["cursor"]
    rest = _body(desk["motcua"].get(f"/api/dossiers?limit=2&cursor={first['cursor']}"))
    assert len(rest["items"]) == 1 and rest["cursor"] is None
    rows = first["items"] + rest["items"]
    assert [r["received_at"] for r in rows] == sorted((r["received_at"] for r in rows),
                                                      reverse=True)
    by_id = {d["id"]: d for d in received}
    assert set(by_id) == {r["id"] for r in rows}
    for row in rows:
        d = by_id[row["id"]]
        assert (row["code"], row["applicant"], row["procedure"], row["status"]) == (
            d["code"], d["applicant"]["name"], d["procedure"]["name"], d["status"])
    # Someone whose unit no step passes through sees none of them.
    assert _body(desk["luutru"].get("/api/dossiers?limit=2"))["items"] == []

    bad = desk["motcua"].get("/api/dossiers?limit=0&cursor=abc")
    assert bad.status_code == 400
    assert {f["path"] for f in _body(bad)["error"]["fields"]} >= {"limit"}

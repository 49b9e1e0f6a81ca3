"""The ISO process library over moto: a new version of the business
registration procedure drafted, reviewed and approved by a leader with a future
date; new dossiers follow the version in force on the day they are received
and keep it; an obsolete version cannot be chosen; approval needs the leader;
each person it applies to confirms reading it; the evidence export lists the
work under each version; the review reminder; outgoing drafts take their review
chain from the internal procedure. The clock is the tests' own, never the
machine's."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.kernel.errors import Conflict, Forbidden, InvalidInput
from chalicelib.kernel.identity import Caller, Role
from tests.conftest import login

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PID = "QT-DKKD-01"
ADMIN = Caller("quantri", frozenset({Role.ADMIN}), unit="VP")
HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), unit="PDKKD")
LEADER = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD")
OFFICER = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PDKKD")
DESK = Caller("motcua", frozenset({Role.ONE_STOP}), unit="MC")
# Monday 1 March 2027, 09:00 in Hà Nội: the library's "today"; the new version
# comes into force on Wednesday 3 March.
MONDAY = datetime(2027, 3, 1, 9, 0, tzinfo=HANOI)
EFFECTIVE = date(2027, 3, 3)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One moto for the module: the demo department, the one-stop catalogue and
    the library, and version 2 of QT-ĐKKD-01 approved from ``EFFECTIVE``."""
    from chalice.test import Client

    import app as app_module
    from chalicelib.adapters.dynamo import Table
    from chalicelib.iso.seed import ensure_library
    from chalicelib.iso.service import library_for
    from chalicelib.local.seed import seed
    from chalicelib.onestop.service import ensure_catalogue
    from tests.conftest import moto_environment

    with pytest.MonkeyPatch.context() as mp, \
            moto_environment(mp, tmp_path_factory.mktemp("iso")):
        accounts = {a["username"]: a for a in seed({})}
        ensure_catalogue(Table())
        assert ensure_library(Table()) == 2
        assert ensure_library(Table()) == 0  # stored once
        clock = Clock(MONDAY)
        library = library_for(Table())
        library.clock = clock
        with Client(app_module.app, stage_name="local") as client:
            yield {"library": library, "clock": clock, "client": client,
                   "accounts": accounts, "table": Table()}


def _new_content(library: Any) -> dict[str, Any]:
    """Version 1's content with the examination shortened and the signing
    lengthened: 0.3 + 1.2 + 1.2 + 0.3 working days."""
    v1 = library.store.version(PID, 1)
    steps = [dict(s) for s in v1["steps"]]
    steps[1]["days"], steps[2]["days"] = "1.2", "1.2"
    return {**{k: v1[k] for k in ("purpose", "scope", "legal_bases", "forms", "records",
                                  "units")}, "steps": steps}


@pytest.fixture(scope="module")
def approved(world: dict[str, Any]) -> dict[str, Any]:
    lib = world["library"]
    lib.draft(ADMIN, PID, _new_content(lib), reason="Rút ngắn thời gian thẩm định",
              change_summary="Thẩm định 1,2 ngày; ký duyệt 1,2 ngày")
    v2 = lib.store.version(PID, 2)
    lib.review(HEAD, PID, 2, expected=v2["version"])
    v2 = lib.store.version(PID, 2)
    return lib.approve(LEADER, PID, 2, effective_from=EFFECTIVE, expected=v2["version"])


def _receive(world: dict[str, Any], at: datetime) -> dict[str, Any]:
    from chalicelib.onestop import service as onestop
    from chalicelib.onestop.procedures import in_force
    from chalicelib.onestop.store import OneStopStore

    papers = [p.code for p in in_force("DKDN-DNTN", at.date(), OneStopStore(world["table"]),
                                       problem="").papers if p.required]
    return onestop.receive(DESK, procedure_code="DKDN-DNTN", papers={}, seen=papers,
                           applicant={"name": "Lê Văn Thử", "phone": "0912345678"},
                           channel="in_person", now=at, table=world["table"])


def _shares(d: dict[str, Any]) -> list[Decimal]:
    return [Decimal(s["share"]) for s in d["steps"]]


def test_only_the_version_in_force_is_used_for_new_work_and_work_keeps_its_version(
        world, approved):
    from chalicelib.onestop import service as onestop

    versions = {v["number"]: v for v in approved["versions"]}
    assert versions[2]["state"] == "approved" and versions[1]["state"] == "in_force"
    # Received the day before the date: the old steps (0.1, 0.6, 0.2, 0.1 of 3 days).
    before = _receive(world, MONDAY + timedelta(days=1))
    assert before["iso_procedure"]["number"] == 1
    assert _shares(before) == [Decimal("0.1"), Decimal("0.6"), Decimal("0.2"), Decimal("0.1")]
    assert before["steps"][0]["form"]["code"] == "BM-01"
    # Received on the date: the new ones.
    after = _receive(world, datetime(2027, 3, 3, 9, 0, tzinfo=HANOI))
    assert after["iso_procedure"]["number"] == 2
    assert _shares(after) == [Decimal("0.1"), Decimal("0.4"), Decimal("0.4"), Decimal("0.1")]
    # The first dossier, worked on after the date, keeps its version and its steps.
    moved = onestop.advance(DESK, before["id"], now=datetime(2027, 3, 4, 9, 0, tzinfo=HANOI),
                            table=world["table"])
    assert moved["iso_procedure"]["number"] == 1 and moved["step_index"] == 1
    assert _shares(moved) == _shares(before)
    # On the date the old version reads "hết hiệu lực" and is not offered any more.
    world["clock"].at = datetime(2027, 3, 3, 8, 0, tzinfo=HANOI)
    try:
        shown = {v["number"]: v for v in world["library"].view(OFFICER, PID)["versions"]}
    finally:
        world["clock"].at = MONDAY
    assert shown[1]["state_label"] == "Hết hiệu lực" and not shown[1]["offered_for_new_work"]
    assert shown[2]["state"] == "in_force" and shown[2]["offered_for_new_work"]
    assert shown[2]["reason"] == "Rút ngắn thời gian thẩm định"


def test_an_obsolete_version_cannot_be_chosen(world, approved):
    lib = world["library"]
    assert lib.choose(PID, 1, date(2027, 3, 2))["number"] == 1
    with pytest.raises(Conflict) as obsolete:
        lib.choose(PID, 1, EFFECTIVE)
    assert "hết hiệu lực" in obsolete.value.message
    with pytest.raises(Conflict) as early:
        lib.choose(PID, 2, date(2027, 3, 2))
    assert "chưa có hiệu lực" in early.value.message
    assert lib.choose(PID, 2, EFFECTIVE)["number"] == 2


def test_approval_needs_the_leader_and_review_someone_other_than_the_drafter(world, approved):
    lib = world["library"]
    content = _new_content(lib)
    lib.draft(HEAD, PID, content, reason="Thử", change_summary="Thử quyền")
    with pytest.raises(Forbidden):
        lib.review(HEAD, PID, 3, expected=1)  # the drafter
    lib.review(ADMIN, PID, 3, expected=1)
    for caller in (ADMIN, HEAD, OFFICER):
        with pytest.raises(Forbidden):
            lib.approve(caller, PID, 3, effective_from=date(2027, 4, 1), expected=2)
    # Over HTTP the route refuses the unit head as well, with nothing but the error.
    accounts = world["accounts"]
    head = login(world["client"], "truongphong", accounts["truongphong"]["password"])
    resp = head.send("POST", f"/api/iso/{PID}/versions/3/approve",
                     {"version": 2, "effective_from": "2027-04-01"})
    assert resp.status_code == 403 and set(json.loads(resp.body)) == {"error"}
    # Not before a version already approved, and never in the past.
    with pytest.raises(InvalidInput) as bad:
        lib.approve(LEADER, PID, 3, effective_from=date(2027, 3, 2), expected=2)
    assert {p.path for p in bad.value.fields} == {"effective_from"}
    assert lib.store.version(PID, 3)["status"] == "reviewed"


def test_each_person_confirms_reading_and_the_head_sees_who_has_not(world, approved):
    from chalicelib.work.store import WorkStore

    lib = world["library"]
    seen = lib.acknowledgements(HEAD, PID, 2)
    waiting = {a["username"] for a in seen["not_confirmed"]}
    assert waiting == {"chuyenvien", "truongphong"}  # the head sees their unit only
    everyone = {a["username"] for a in lib.acknowledgements(LEADER, PID, 2)["not_confirmed"]}
    assert everyone == {"chuyenvien", "truongphong", "motcua"}
    todo = WorkStore(world["table"]).todos(f"ISO#{PID}@2", "TODO#iso.acknowledge#U#chuyenvien")
    assert [t["status"] for t in todo] == ["open"]
    lib.acknowledge(OFFICER, PID, 2)
    seen = lib.acknowledgements(HEAD, PID, 2)
    assert [a["username"] for a in seen["confirmed"]] == ["chuyenvien"]
    assert [a["username"] for a in seen["not_confirmed"]] == ["truongphong"]
    todo = WorkStore(world["table"]).todos(f"ISO#{PID}@2", "TODO#iso.acknowledge#U#chuyenvien")
    assert [t["status"] for t in todo] == ["done"]
    with pytest.raises(Forbidden):
        lib.acknowledgements(OFFICER, PID, 2)
    assert lib.distribute(PID, 2, by="giamdoc") == 0  # run again: nobody twice


def test_the_evidence_export_lists_the_work_under_each_version(world, approved):
    from openpyxl import load_workbook

    _receive(world, MONDAY + timedelta(days=1))
    _receive(world, datetime(2027, 3, 4, 10, 0, tzinfo=HANOI))
    accounts = world["accounts"]
    leader = login(world["client"], "giamdoc", accounts["giamdoc"]["password"])
    resp = leader.get(f"/api/iso/{PID}/evidence?start=2027-03-01&end=2027-03-31",
                      accept="*/*")
    assert resp.status_code == 200, resp.body
    sheet = load_workbook(io.BytesIO(resp.body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Phiên bản" and rows[0][-1] == "Không phù hợp"
    versions = {r[0] for r in rows[1:]}
    assert versions == {1, 2}
    assert all(r[1] in ("01/07/2025", "03/03/2027") for r in rows[1:])
    officer = login(world["client"], "chuyenvien", accounts["chuyenvien"]["password"])
    refused = officer.get(f"/api/iso/{PID}/evidence?start=2027-03-01&end=2027-03-31",
                          accept="*/*")
    assert refused.status_code == 403
    backwards = leader.get(f"/api/iso/{PID}/evidence?start=2027-03-31&end=2027-03-01"
                           "&format=json")
    assert backwards.status_code == 400
    assert [p["path"] for p in json.loads(backwards.body)["error"]["fields"]] == ["end"]


def test_the_owner_is_reminded_when_a_review_is_due_or_a_basis_is_replaced(world, approved):
    from chalicelib.work.store import WorkStore

    lib = world["library"]
    # QT-VBĐI-01 has been in force since 1 July 2025: 12 months ran long ago.
    first = lib.remind_reviews()
    assert first["reminded"] >= 1
    assert lib.remind_reviews() == {"reminded": 0}  # once
    todos = WorkStore(world["table"]).todos("ISO#QT-VBDI-01@1", "TODO#iso.review#")
    assert [t["assignee"] for t in todos] == ["U#chanhvanphong"]
    lib.flag_basis(ADMIN, "QT-VBDI-01", "Nghị định 30/2020/NĐ-CP", replaced=True,
                   note="Dự kiến thay thế")
    assert lib.remind_reviews() == {"reminded": 1}
    with pytest.raises(InvalidInput):
        lib.flag_basis(ADMIN, "QT-VBDI-01", "Luật không có", replaced=True)


def test_an_outgoing_draft_takes_its_review_chain_from_the_procedure_in_force(world):
    from chalicelib.outgoing.service import outgoing_for

    out = outgoing_for(world["table"])
    drafter = Caller("chuyenvien", frozenset({Role.OFFICER}), unit="PDKKD")
    doc = out.create(drafter, type_code="KH", subject="Kế hoạch kiểm tra sau đăng ký",
                     signer="giamdoc", authority="", recipients_internal=[],
                     recipients_external=[], do_khan="Thường", do_mat="", answers=None)
    assert doc["review_procedure"]["code"] == "QT-VBĐI-01"
    assert doc["review_procedure"]["chain"] == ["unit_head", "office", "signer"]
    other = out.create(drafter, type_code="GM", subject="Giấy mời họp",
                       signer="giamdoc", authority="", recipients_internal=[],
                       recipients_external=[], do_khan="Thường", do_mat="", answers=None)
    assert "review_procedure" not in other  # no procedure governs it: the settings do


def _uploaded(client: Any, session: Any, body: bytes, content_type: str) -> str:
    """What the page does: a presigned POST from the API, then the file to S3."""
    import boto3

    from chalicelib.kernel.config import get_settings

    resp = session.send("POST", "/api/iso/uploads")
    assert resp.status_code == 200, resp.body
    form = json.loads(resp.body)
    boto3.client("s3").put_object(Bucket=get_settings().intake_bucket, Key=form["fields"]["key"],
                                  Body=body, ContentType=content_type,
                                  Metadata={"filename": "phieu-trinh.pdf"})
    return str(form["upload_id"])


def test_a_form_is_a_file_checked_by_its_bytes_and_kept_by_later_versions(world):
    accounts, client = world["accounts"], world["client"]
    admin = login(client, "quantri", accounts["quantri"]["password"])
    v1 = world["library"].store.version("QT-VBDI-01", 1)
    steps = [{"name": s["name"], "who": s["who"], "role": s["role"], "method": s["how"],
              "days": s["days"], "review_step": s["review_step"]} for s in v1["steps"]]
    body = {"steps": steps, "units": v1["units"], "legal_bases": v1["legal_bases"],
            "records": v1["records"], "reason": "Thêm phiếu trình",
            "change_summary": "Thêm biểu mẫu phiếu trình"}
    # An HTML page declared as a PDF is refused, the field named.
    fake = _uploaded(client, admin, b"<html>not a pdf</html>", "application/pdf")
    refused = admin.send("POST", "/api/iso/QT-VBDI-01/versions", {
        **body, "forms": [{"code": "BM-VB-01", "name": "Phiếu trình", "upload_id": fake}]})
    assert refused.status_code == 400, refused.body
    assert [p["path"] for p in json.loads(refused.body)["error"]["fields"]] == [
        "forms.0.upload_id"]
    pdf = b"%PDF-1.4\n% phieu trinh\n%%EOF\n"
    real = _uploaded(client, admin, pdf, "application/pdf")
    made = admin.send("POST", "/api/iso/QT-VBDI-01/versions", {
        **body, "forms": [{"code": "BM-VB-01", "name": "Phiếu trình", "upload_id": real}]})
    assert made.status_code == 200, made.body
    officer = login(client, "chuyenvien", accounts["chuyenvien"]["password"])
    got = officer.get("/api/iso/QT-VBDI-01/versions/2/forms/BM-VB-01", accept="*/*")
    assert got.status_code == 200 and got.body == pdf
    # The draft edited without a new file keeps the one it has.
    edited = admin.send("PUT", "/api/iso/QT-VBDI-01/versions/2", {
        **body, "reason": "Sửa tên", "version": 1,
        "forms": [{"code": "BM-VB-01", "name": "Phiếu trình ký"}]})
    assert edited.status_code == 200, edited.body
    again = officer.get("/api/iso/QT-VBDI-01/versions/2/forms/BM-VB-01", accept="*/*")
    assert again.status_code == 200 and again.body == pdf
    missing = officer.get("/api/iso/QT-VBDI-01/versions/1/forms/BM-VB-01", accept="*/*")
    assert missing.status_code == 404
    # The SHA-256 of the bytes as kept is recorded, shown with the version and
    # sent with the file; a file changed in storage since is refused, not served.
    import hashlib

    import boto3

    from chalicelib.kernel.config import get_settings

    digest = hashlib.sha256(pdf).hexdigest()
    shown = json.loads(officer.get("/api/iso/QT-VBDI-01").body)
    draft = next(v for v in shown["versions"] if v["number"] == 2)
    assert draft["forms"][0]["file"]["sha256"] == digest
    assert again.headers["X-Content-SHA256"] == digest
    key = world["library"].store.version("QT-VBDI-01", 2)["forms"][0]["file"]["key"]
    boto3.client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key,
                                  Body=b"%PDF-1.4\n% altered\n%%EOF\n",
                                  ContentType="application/pdf")
    altered = officer.get("/api/iso/QT-VBDI-01/versions/2/forms/BM-VB-01", accept="*/*")
    assert altered.status_code == 409
    assert json.loads(altered.body)["error"]["code"] == "file_altered"


# ---- evidence of the internal review procedure, reviews with no change, the
# review interval: after the tests above, on the same moto.

VBDI = "QT-VBDI-01"
OFFICE_HEAD = Caller("chanhvanphong", frozenset({Role.UNIT_HEAD}), unit="VP")


def _draft_reviewed(world: dict[str, Any], out: Any, clock: Clock, type_code: str,
                    decisions: list[tuple[Caller, datetime]]) -> dict[str, Any]:
    """An outgoing draft created and submitted at ``clock``'s time by the
    officer, then approved at each step by whom and when ``decisions`` say."""
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings
    from tests.pdfs import make_pdf

    doc = out.create(OFFICER, type_code=type_code, subject="Kế hoạch kiểm tra năm 2027",
                     signer="giamdoc", authority="", recipients_internal=[],
                     recipients_external=[], do_khan="Thường", do_mat="", answers=None)
    out.add_version(OFFICER, doc["id"], make_pdf(["Ke hoach kiem tra"]),
                    content_type="application/pdf", comment="", s3=client("s3"),
                    bucket=get_settings().documents_bucket)
    out.submit(OFFICER, doc["id"])
    for caller, at in decisions:
        clock.at = at
        out.decide(caller, doc["id"], approve=True, comment="")
    return dict(doc)


def test_the_evidence_of_the_review_procedure_lists_each_draft_its_late_steps_and_issue(
        world):
    from openpyxl import load_workbook

    from chalicelib.outgoing.rules import OutStatus
    from chalicelib.outgoing.service import outgoing_for

    out = outgoing_for(world["table"])
    clock = Clock(datetime(2027, 3, 2, 9, 0, tzinfo=HANOI))  # Tuesday
    out.clock = clock
    # The head of unit approves on Friday: 3 working days for the procedure's 2.
    late = _draft_reviewed(world, out, clock, "KH", [
        (HEAD, datetime(2027, 3, 5, 10, 0, tzinfo=HANOI)),
        (OFFICE_HEAD, datetime(2027, 3, 5, 11, 0, tzinfo=HANOI)),
        (LEADER, datetime(2027, 3, 5, 14, 0, tzinfo=HANOI))])
    assert out.mark(late["id"], OutStatus.SIGNED, expect=OutStatus.APPROVED,
                    action="outgoing.signed", summary="Đã ký số", signed_by="giamdoc")
    assert out.mark(late["id"], OutStatus.ISSUED, expect=OutStatus.SIGNED,
                    action="outgoing.issued", summary="Đã phát hành",
                    number_text="15/KH-SKHĐT", issued_on="2027-03-08")
    clock.at = datetime(2027, 3, 9, 9, 0, tzinfo=HANOI)
    prompt = _draft_reviewed(world, out, clock, "BC", [
        (HEAD, datetime(2027, 3, 9, 15, 0, tzinfo=HANOI))])
    clock.at = datetime(2027, 3, 10, 9, 0, tzinfo=HANOI)
    invitation = out.create(OFFICER, type_code="GM", subject="Giấy mời họp", signer="giamdoc",
                            authority="", recipients_internal=[], recipients_external=[],
                            do_khan="Thường", do_mat="", answers=None)
    assert "review_procedure" not in invitation  # no procedure governs it
    clock.at = datetime(2027, 4, 1, 9, 0, tzinfo=HANOI)
    _draft_reviewed(world, out, clock, "KH", [])  # after the period

    accounts = world["accounts"]
    leader = login(world["client"], "giamdoc", accounts["giamdoc"]["password"])
    resp = leader.get(f"/api/iso/{VBDI}/evidence?start=2027-03-01&end=2027-03-31&format=json")
    assert resp.status_code == 200, resp.body
    found = json.loads(resp.body)
    rows = {r[3]: r for r in found["rows"]}
    assert set(rows) == {"02/03/2027", "09/03/2027"} and found["by_version"]["1"] == 2
    assert rows["02/03/2027"] == [
        1, "01/07/2025", "15/KH-SKHĐT", "02/03/2027",
        "Kiểm tra nội dung, Kiểm tra thể thức, Duyệt ký",
        "Văn bản số 15/KH-SKHĐT ngày 08/03/2027", "Kiểm tra nội dung", "", "Có"]
    assert rows["09/03/2027"][2] == prompt["code"]
    assert rows["09/03/2027"][4:] == ["Kiểm tra nội dung", "", "", "", "Không"]
    sheet = load_workbook(io.BytesIO(leader.get(
        f"/api/iso/{VBDI}/evidence?start=2027-03-01&end=2027-03-31", accept="*/*").body)).active
    exported = list(sheet.iter_rows(values_only=True))[1:]
    assert sorted(r[2] for r in exported) == sorted(["15/KH-SKHĐT", prompt["code"]])


def test_the_owner_records_a_review_with_no_change_and_sets_the_review_interval(world):
    from chalicelib.audit.trail import entries
    from chalicelib.iso.rules import Kind
    from chalicelib.work.store import WorkStore

    lib, clock = world["library"], world["clock"]
    clock.at = MONDAY
    pid = lib.create(ADMIN, code="QT-KT-01", title="Quy trình kiểm tra nội bộ",
                     kind=Kind.REVIEW, owner="truongphong", owner_unit="PDKKD",
                     applies_to=["ZZ"])["id"]
    content = {"steps": [{"name": "Duyệt ký", "days": "1", "review_step": "signer"}],
               "units": ["PDKKD"], "legal_bases": ["Luật Kiểm toán nội bộ"]}
    # Only the owner (or the ISO secretary) sets the interval: not another editor.
    with pytest.raises(Forbidden):
        lib.draft(LEADER, pid, content, reason="Ban hành", change_summary="Lần đầu",
                  review_months=6)
    lib.draft(HEAD, pid, content, reason="Ban hành", change_summary="Lần đầu", review_months=6)
    lib.review(ADMIN, pid, 1, expected=1)
    shown = lib.approve(LEADER, pid, 1, effective_from=MONDAY.date(), expected=2)
    assert shown["review_schedule"] == {"months": 6, "last_review": None, "due": "2027-09-01"}

    lib.remind_reviews()  # whatever the other procedures are owed, sent
    lib.flag_basis(ADMIN, pid, "Luật Kiểm toán nội bộ", replaced=True, note="Sắp thay thế")
    assert lib.remind_reviews() == {"reminded": 1}  # the basis; the interval has not run
    parent = f"ISO#{pid}@1"
    todos = WorkStore(world["table"]).todos(parent, "TODO#iso.review#")
    assert [(t["assignee"], t["status"]) for t in todos] == [("U#truongphong", "open")]
    # Over HTTP: someone else is refused; a basis not flagged is named.
    accounts = world["accounts"]
    other = login(world["client"], "giamdoc", accounts["giamdoc"]["password"])
    refused = other.send("POST", f"/api/iso/{pid}/reviews", {"note": "Không thay đổi"})
    assert refused.status_code == 403 and set(json.loads(refused.body)) == {"error"}
    owner = login(world["client"], "truongphong", accounts["truongphong"]["password"])
    bad = owner.send("POST", f"/api/iso/{pid}/reviews", {"clear_bases": ["Luật không có"]})
    assert bad.status_code == 400, bad.body
    assert [p["path"] for p in json.loads(bad.body)["error"]["fields"]] == ["clear_bases.0"]

    clock.at = datetime(2027, 9, 1, 9, 0, tzinfo=HANOI)
    assert lib.remind_reviews()["reminded"] >= 1  # the interval ran: reminded again
    done = lib.record_review(HEAD, pid, note="Vẫn phù hợp",
                             clear_bases=["Luật Kiểm toán nội bộ"])
    assert done["replaced_bases"] == []
    assert done["last_review"]["on"] == "2027-09-01" and done["last_review"]["number"] == 1
    assert done["review_schedule"]["due"] == "2028-03-01"  # six months from the review
    todos = WorkStore(world["table"]).todos(parent, "TODO#iso.review#")
    assert todos and {t["status"] for t in todos} == {"done"}
    assert lib.remind_reviews() == {"reminded": 0}
    trail = entries(f"iso:{pid}", world["table"])
    assert any(e["action"] == "iso.review_no_change" and "Vẫn phù hợp" in e["summary"]
               for e in trail)
    clock.at = MONDAY

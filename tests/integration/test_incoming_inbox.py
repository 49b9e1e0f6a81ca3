"""Every pending action on an incoming document reaches exactly its people's
inbox (``GET /api/work/mine``), with its kind, title and link, and leaves it when
anyone entitled acts: register (clerks), distribute (leaders), assign (heads of
the lead unit), handle (officers), opinion (supporting units), review of an
officer's completion (heads of a unit that reviews), and the leader's directed
distribution to a named officer."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.kernel.identity import Role
from tests.conftest import Session, login
from tests.pdfs import make_pdf

PASSWORD = "Mat-khau-thu-nghiem-2026!"
# More people than the seed's one per role, so that "another entitled person" acts.
TEAM = [
    ("vanthu2", "Phan Thị Hoa", Role.CLERK, "VP"),
    ("phophong", "Đặng Văn Nam", Role.UNIT_HEAD, "PDKKD"),
    ("chuyenvien2", "Bùi Thị Mai", Role.OFFICER, "PDKKD"),
    ("truongphongth", "Lý Quốc Việt", Role.UNIT_HEAD, "PTH"),
    ("chuyenvienth", "Trịnh Thu Hà", Role.OFFICER, "PTH"),
]
EVERYONE = ["vanthu", "vanthu2", "giamdoc", "phogiamdoc", "truongphong", "phophong",
            "chuyenvien", "chuyenvien2", "truongphongth", "chuyenvienth", "motcua"]
SUBJECT = "V/v kế hoạch tổ chức Tết Nguyên Đán 2027"


@pytest.fixture
def people(client, accounts) -> dict[str, Session]:
    from chalicelib.organisation.users import ensure_user

    names = {"VP": "Văn phòng Sở", "PDKKD": "Phòng Đăng ký kinh doanh",
             "PTH": "Phòng Tổng hợp, Quy hoạch"}
    for username, full_name, role, unit in TEAM:
        ensure_user(username, PASSWORD, full_name, f"{username}@skhdt.example", [role], unit,
                    names[unit])
    passwords = {a["username"]: a["password"] for a in accounts.values()}
    passwords.update({t[0]: PASSWORD for t in TEAM})
    return {name: login(client, name, passwords[name]) for name in [*EVERYONE, "quantri"]}


def _body(resp: Any) -> Any:
    assert resp.status_code == 200, resp.body
    return json.loads(resp.body)


def _inbox(session: Session, doc_id: str) -> list[tuple[str, str, str]]:
    """The caller's open items about one document: (kind, title, link)."""
    items = _body(session.get("/api/work/mine"))["items"]
    return sorted((i["kind"], i["title"], i["link"]) for i in items
                  if doc_id in i["link"] or doc_id in i["item_id"])


def _holders(people: dict[str, Session], doc_id: str, kind: str) -> set[str]:
    """Who, of everyone, sees an item of ``kind`` about the document."""
    return {name for name in EVERYONE
            if any(k == kind for k, _, _ in _inbox(people[name], doc_id))}


def _working_day(days_ahead: int = 10) -> str:
    from chalicelib.calendar.service import agency_calendar

    cal = agency_calendar()
    return cal.working_day_on_or_after(date.today() + timedelta(days=days_ahead)).isoformat()


def _register(people: dict[str, Session], urgency: str = "Thường") -> dict[str, Any]:
    return _body(people["vanthu"].send("POST", "/api/incoming", {
        "so_ky_hieu": "215/UBND-VX", "co_quan_ban_hanh": "UBND thành phố Hà Nội",
        "ngay_ban_hanh": (date.today() - timedelta(days=2)).isoformat(),
        "loai_van_ban": "Công văn", "trich_yeu": SUBJECT, "do_khan": urgency}))


def _version(session: Session, doc_id: str) -> int:
    return int(_body(session.get(f"/api/incoming/{doc_id}"))["version"])


def _distribute(people: dict[str, Session], doc_id: str, **extra: Any) -> Any:
    leader = people["phogiamdoc"]
    return leader.send("POST", f"/api/incoming/{doc_id}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": _working_day(), "version":
        _version(leader, doc_id), "instruction": "Phòng ĐKKD chủ trì", **extra})


def _assign(head: Session, doc_id: str, officer: str) -> None:
    _body(head.send("POST", f"/api/incoming/{doc_id}/assign", {
        "officers": [{"username": officer, "part": "lead"}],
        "version": _version(head, doc_id)}))


def _part(session: Session, doc_id: str, assignee: str) -> dict[str, Any]:
    parts = _body(session.get(f"/api/incoming/{doc_id}/handling"))["parts"]
    return next(p for p in parts if p["assignee"] == assignee)


def _link(doc_id: str) -> str:
    return f"/app/document?id={doc_id}"


# ---- register --------------------------------------------------------------------


def _pump() -> Any:
    import app as app_module
    from chalicelib.local.pump import pollers_for

    pollers = pollers_for(app_module.app, boto3.client("sqs"), "ap-southeast-1")
    return next(p for p in pollers if p.name == "on_intake_notification")


def _drop(aws_env: dict[str, str], name: str, data: bytes) -> None:
    boto3.client("s3").put_object(Bucket=aws_env["INTAKE_BUCKET"], Key=f"incoming/{name}",
                                  Body=data)
    _pump().drain()


def test_a_file_the_intake_could_not_read_whole_waits_for_any_clerk(aws_env, people):
    # Text enough to be read (a shorter one is a scan, sent to OCR), fields missing.
    _drop(aws_env, "thong-bao.pdf", make_pdf(["THONG BAO", "Noi dung can bo sung them thong tin"]))
    records = _body(people["vanthu"].get("/api/intake"))["items"]
    record = next(r for r in records if r["file_name"] == "thong-bao.pdf")
    assert record["status"] == "needs_review" and record["document_id"]
    doc_id = record["document_id"]
    doc = _body(people["vanthu"].get(f"/api/incoming/{doc_id}"))
    title = doc["trich_yeu"] or doc["so_ky_hieu"] or "Văn bản đến chưa đủ thông tin"

    assert _inbox(people["vanthu"], doc_id) == [("incoming.register", title, _link(doc_id))]
    assert _holders(people, doc_id, "incoming.register") == {"vanthu", "vanthu2"}
    # Registered all the same: the leaders may distribute it meanwhile.
    assert _holders(people, doc_id, "incoming.distribute") == {"giamdoc", "phogiamdoc"}

    # The other clerk completes the metadata: the wait ends for both clerks.
    resp = people["vanthu2"].send("PUT", f"/api/incoming/{doc_id}", {
        "so_ky_hieu": "09/TB-UBND", "co_quan_ban_hanh": "UBND quận Ba Đình",
        "ngay_ban_hanh": (date.today() - timedelta(days=1)).isoformat(),
        "loai_van_ban": "Thông báo", "trich_yeu": SUBJECT, "version": doc["version"]})
    assert resp.status_code == 200, resp.body
    assert _holders(people, doc_id, "incoming.register") == set()
    assert _holders(people, doc_id, "incoming.distribute") == {"giamdoc", "phogiamdoc"}


def test_a_file_parked_before_registration_waits_until_a_clerk_sets_it_aside(aws_env, people):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["So: 3/TB-X", "V/v mat"]))))
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    _drop(aws_env, "co-mat-khau.pdf", out.getvalue())
    record = next(r for r in _body(people["vanthu"].get("/api/intake"))["items"]
                  if r["file_name"] == "co-mat-khau.pdf")
    assert record["status"] == "needs_review" and not record["document_id"]

    mine = _body(people["vanthu"].get("/api/work/mine"))["items"]
    parked = [i for i in mine if i["kind"] == "incoming.register"]
    assert [(i["title"], i["link"], i["for_role"]) for i in parked] == [
        ("co-mat-khau.pdf", "/app/intake?status=needs_review", "clerk")]
    others = {n for n in EVERYONE if any(i["kind"] == "incoming.register" for i in
                                         _body(people[n].get("/api/work/mine"))["items"])}
    assert others == {"vanthu", "vanthu2"}

    # A reason is required, and named.
    empty = people["vanthu2"].send("POST", f"/api/intake/{record['id']}/reject", {"reason": ""})
    assert empty.status_code == 400
    assert [f["path"] for f in json.loads(empty.body)["error"]["fields"]] == ["reason"]
    assert people["giamdoc"].send("POST", f"/api/intake/{record['id']}/reject",
                                  {"reason": "x"}).status_code == 403
    done = _body(people["vanthu2"].send("POST", f"/api/intake/{record['id']}/reject",
                                        {"reason": "Đã vào sổ bản giấy"}))
    assert done["status"] == "rejected" and "Đã vào sổ bản giấy" in done["reason"]
    for name in ("vanthu", "vanthu2"):
        assert not any(i["kind"] == "incoming.register"
                       for i in _body(people[name].get("/api/work/mine"))["items"])


# ---- distribute --------------------------------------------------------------------


def test_a_registered_document_waits_for_any_leader_to_distribute_it(people):
    doc = _register(people, urgency="Khẩn")
    doc_id = doc["id"]
    assert _inbox(people["giamdoc"], doc_id) == [
        ("incoming.distribute", SUBJECT, _link(doc_id))]
    assert _holders(people, doc_id, "incoming.distribute") == {"giamdoc", "phogiamdoc"}
    item = next(i for i in _body(people["giamdoc"].get("/api/work/mine"))["items"]
                if i["kind"] == "incoming.distribute" and doc_id in i["link"])
    assert item["for_role"] == "leader"
    # Urgent: due at once (two working hours), well before the end of the next working day.
    plain = _register(people)
    plain_item = next(i for i in _body(people["giamdoc"].get("/api/work/mine"))["items"]
                      if i["kind"] == "incoming.distribute" and plain["id"] in i["link"])
    assert item["deadline"] < plain_item["deadline"]

    # The deputy distributes: the director's item is gone too.
    assert _distribute(people, doc_id).status_code == 200
    assert _holders(people, doc_id, "incoming.distribute") == set()
    assert _holders(people, plain["id"], "incoming.distribute") == {"giamdoc", "phogiamdoc"}


# ---- assign ------------------------------------------------------------------------


def test_the_lead_units_heads_assign_and_the_unit_part_leaves_their_inbox(people):
    doc_id = _register(people)["id"]
    _body(_distribute(people, doc_id))
    assert _inbox(people["truongphong"], doc_id) == [
        ("incoming.assign", SUBJECT, _link(doc_id))]
    assert _holders(people, doc_id, "incoming.assign") == {"truongphong", "phophong"}
    unit_item = next(i for i in _body(people["truongphong"].get("/api/work/mine"))["items"]
                     if doc_id in i["link"])
    assert unit_item["for_unit"] == "PDKKD"

    _assign(people["phophong"], doc_id, "chuyenvien")
    assert _holders(people, doc_id, "incoming.assign") == set()
    # Still the unit's open share, counted for the unit, only out of the inbox.
    part = _part(people["truongphong"], doc_id, "UNIT#PDKKD")
    assert (part["status"], part["waiting"]) == ("open", False)

    # The officer returns it: the heads must assign again.
    _body(people["chuyenvien"].send("POST", f"/api/incoming/{doc_id}/send-back",
                                    {"reason": "Không thuộc lĩnh vực phụ trách"}))
    assert _holders(people, doc_id, "incoming.assign") == {"truongphong", "phophong"}


# ---- handle ------------------------------------------------------------------------


def test_an_assigned_officer_handles_passes_on_and_completes(people):
    doc_id = _register(people)["id"]
    _body(_distribute(people, doc_id))
    _assign(people["truongphong"], doc_id, "chuyenvien")
    assert _inbox(people["chuyenvien"], doc_id) == [
        ("incoming.handle", SUBJECT, _link(doc_id))]
    assert _holders(people, doc_id, "incoming.handle") == {"chuyenvien"}

    _body(people["chuyenvien"].send("POST", f"/api/incoming/{doc_id}/send-back",
                                    {"reason": "Chuyển đồng chí Mai", "to": "chuyenvien2"}))
    assert _holders(people, doc_id, "incoming.handle") == {"chuyenvien2"}

    done = _body(people["chuyenvien2"].send("POST", f"/api/incoming/{doc_id}/complete",
                                            {"result": "Đã tham mưu văn bản trả lời"}))
    assert done == {"document_completed": True}
    assert _holders(people, doc_id, "incoming.handle") == set()
    assert all(_inbox(people[name], doc_id) == [] for name in EVERYONE)


# ---- opinion -----------------------------------------------------------------------


def test_a_supporting_unit_is_asked_for_its_opinion(people):
    doc_id = _register(people)["id"]
    _body(_distribute(people, doc_id, supporting=[{"unit": "PTH",
                                                   "deadline": _working_day(5)}]))
    assert _inbox(people["truongphongth"], doc_id) == [
        ("incoming.opinion", SUBJECT, _link(doc_id))]
    assert _holders(people, doc_id, "incoming.opinion") == {"truongphongth"}
    assert _holders(people, doc_id, "incoming.assign") == {"truongphong", "phophong"}

    _assign(people["truongphongth"], doc_id, "chuyenvienth")
    assert _holders(people, doc_id, "incoming.opinion") == {"chuyenvienth"}
    done = _body(people["chuyenvienth"].send("POST", f"/api/incoming/{doc_id}/complete",
                                             {"result": "Phòng Tổng hợp thống nhất"}))
    assert done == {"document_completed": False}
    assert _holders(people, doc_id, "incoming.opinion") == set()
    assert _part(people["truongphongth"], doc_id, "UNIT#PTH")["status"] == "done"


# ---- review of completion -------------------------------------------------------------


def test_a_unit_that_reviews_completions_holds_the_result_for_its_heads(people):
    admin = people["quantri"]
    unit = next(u for u in _body(admin.get("/api/org/units"))["units"] if u["code"] == "PDKKD")
    assert unit["review_completion"] is False
    saved = _body(admin.send("PUT", "/api/org/units/PDKKD", {
        "name": unit["name"], "kind": unit["kind"], "parent": unit["parent"],
        "review_completion": True, "version": unit["version"]}))
    assert saved["review_completion"] is True
    # An update that leaves the rule out keeps it.
    kept = _body(admin.send("PUT", "/api/org/units/PDKKD", {
        "name": unit["name"], "kind": unit["kind"], "parent": unit["parent"],
        "version": saved["version"]}))
    assert kept["review_completion"] is True

    doc_id = _register(people)["id"]
    _body(_distribute(people, doc_id))
    _assign(people["truongphong"], doc_id, "chuyenvien")
    first = _body(people["chuyenvien"].send("POST", f"/api/incoming/{doc_id}/complete",
                                            {"result": "Dự thảo công văn trả lời"}))
    assert first == {"document_completed": False, "awaiting_review": True}
    assert _inbox(people["phophong"], doc_id) == [
        ("incoming.review_completion", SUBJECT, _link(doc_id))]
    assert _holders(people, doc_id, "incoming.review_completion") == {"truongphong",
                                                                       "phophong"}
    assert _holders(people, doc_id, "incoming.handle") == set()
    # Only a head of the unit reviews.
    assert people["truongphongth"].send("POST", f"/api/incoming/{doc_id}/completion/approve",
                                        {}).status_code in (404, 409)
    assert people["chuyenvien"].send("POST", f"/api/incoming/{doc_id}/completion/approve",
                                     {}).status_code == 403

    # The deputy head returns it with a reason: the officer handles it again.
    _body(people["phophong"].send("POST", f"/api/incoming/{doc_id}/completion/return",
                                  {"reason": "Bổ sung số liệu quý IV"}))
    assert _holders(people, doc_id, "incoming.review_completion") == set()
    assert _holders(people, doc_id, "incoming.handle") == {"chuyenvien"}
    assert _part(people["chuyenvien"], doc_id, "U#chuyenvien")["returned_reason"] == \
        "Bổ sung số liệu quý IV"

    _body(people["chuyenvien"].send("POST", f"/api/incoming/{doc_id}/complete",
                                    {"result": "Đã bổ sung số liệu", "answer": "12/SKHĐT"}))
    assert _holders(people, doc_id, "incoming.review_completion") == {"truongphong",
                                                                       "phophong"}
    done = _body(people["truongphong"].send("POST",
                                            f"/api/incoming/{doc_id}/completion/approve", {}))
    assert done == {"document_completed": True}
    assert all(_inbox(people[name], doc_id) == [] for name in EVERYONE)
    document = _body(people["giamdoc"].get(f"/api/incoming/{doc_id}"))
    assert document["status"] == "completed"


# ---- directed distribution -----------------------------------------------------------


def test_the_leader_may_name_the_lead_officer(people):
    doc_id = _register(people)["id"]
    for wrong in ("chuyenvienth", "khongco"):
        resp = _distribute(people, doc_id, lead_officer=wrong)
        assert resp.status_code == 400, resp.body
        assert [f["path"] for f in json.loads(resp.body)["error"]["fields"]] == [
            "lead_officer"]

    after = _body(_distribute(people, doc_id, lead_officer="chuyenvien2"))
    assert after["status"] == "in_progress"
    assert _inbox(people["chuyenvien2"], doc_id) == [
        ("incoming.handle", SUBJECT, _link(doc_id))]
    assert _holders(people, doc_id, "incoming.handle") == {"chuyenvien2"}
    # The heads have nobody to assign; the unit's share is open all the same.
    assert _holders(people, doc_id, "incoming.assign") == set()
    view = _body(people["truongphong"].get(f"/api/incoming/{doc_id}/handling"))
    assert view["lead_officer"] == "chuyenvien2"
    unit_part = next(p for p in view["parts"] if p["assignee"] == "UNIT#PDKKD")
    assert (unit_part["status"], unit_part["waiting"]) == ("open", False)

    done = _body(people["chuyenvien2"].send("POST", f"/api/incoming/{doc_id}/complete",
                                            {"result": "Đã xử lý"}))
    assert done == {"document_completed": True}
    assert all(_inbox(people[name], doc_id) == [] for name in EVERYONE)

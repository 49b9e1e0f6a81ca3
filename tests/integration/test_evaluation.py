"""Staff evaluation end to end over the API: a month of real work for a unit
(tasks given, done early, on time and late, sent back, extended, marked) gives
the expected scores, bands and quota adjustments; each point opens to the
work items behind it; who may read what; the round from self-assessment to
publication, and its exports.

The work is made through the tasks' use cases with a frozen clock (March 2026),
and the evaluation is read on 6 April 2026: no wall clock anywhere."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

import pytest

from chalicelib.kernel.identity import Caller, Role
from tests.aws import drain_workflow
from tests.conftest import login, pdfsig_text

PASSWORD = "Danh-gia-2026!Thu"
UNIT = "PDKKD"
PERIOD = "2026-03"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _local(day: int, hour: int = 9, month: int = 3) -> datetime:
    from chalicelib.kernel.calendar import DEFAULT_TZ

    return datetime.combine(date(2026, month, day), time(hour), DEFAULT_TZ)


def _body(resp: Any) -> Any:
    assert 200 <= resp.status_code < 300, (resp.status_code, resp.body)
    return json.loads(resp.body)


def _error(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, (resp.status_code, resp.body)
    return json.loads(resp.body)["error"]


@pytest.fixture
def month(aws_env, accounts, client, monkeypatch) -> dict[str, Any]:
    """Unit PDKKD in March 2026: the head (truongphong), chuyenvien and four more
    officers, all public employees (Decree 233/2026, points)."""
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamo import Table
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.evaluation import routes as evaluation_routes
    from chalicelib.organisation.store import Directory
    from chalicelib.organisation.users import ensure_user
    from chalicelib.work.pending import Pending

    for name, full in (("cv2", "Bùi Thị Hà"), ("cv3", "Đặng Văn Cường"),
                       ("cv4", "Lý Thị Dung"), ("cv5", "Mai Văn Em")):
        ensure_user(name, PASSWORD, full, f"{name}@skhdt.example", [Role.OFFICER], UNIT,
                    "Phòng Đăng ký kinh doanh", "Chuyên viên")
    directory = Directory(Table())
    for name in ("chuyenvien", "truongphong", "cv2", "cv3", "cv4", "cv5"):
        profile = directory.user(name)
        assert profile is not None
        directory.put_user({**profile, "category": "vien_chuc"})

    clock = Clock(_local(2, 8))
    tasks = replace(bootstrap.tasks(), clock=clock,
                    pending=Pending.over(Table(), agency_calendar, clock=clock))
    head = Caller("truongphong", frozenset({Role.UNIT_HEAD}), unit=UNIT, full_name="Lê Thị Hương")
    leader = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD")

    def person(name: str) -> Caller:
        return Caller(name, frozenset({Role.OFFICER}), unit=UNIT)

    def give(by: Caller, lead: str, title: str, due_day: int) -> str:
        clock.at = _local(2, 8)
        return str(tasks.create(by, title=title, description="", lead=lead, supporting=[],
                                deadline=date(2026, 3, due_day), priority="normal")["id"])

    def done(name: str, task_id: str, at: datetime) -> None:
        clock.at = at
        tasks.complete(person(name) if name != "truongphong" else head, task_id, "Xong")

    ids: dict[str, list[str]] = {}
    # chuyenvien: 2 early, 1 on time, 1 late, 1 extended then done a day before it.
    a = [give(head, "chuyenvien", f"Việc A{i}", 13) for i in range(5)]
    done("chuyenvien", a[0], _local(10))
    done("chuyenvien", a[1], _local(11))
    done("chuyenvien", a[2], _local(13, 15))
    done("chuyenvien", a[3], _local(16))  # late
    clock.at = _local(9)
    tasks.request_extension(person("chuyenvien"), a[4], until=date(2026, 3, 18),
                            reason="Chờ số liệu của Cục Thống kê")
    clock.at = _local(10)
    tasks.decide_extension(head, a[4], assignee="chuyenvien", approve=True, note="Đồng ý")
    done("chuyenvien", a[4], _local(17))  # before the extended deadline: early
    ids["chuyenvien"] = a
    # cv2: 4 on time or early.
    b = [give(head, "cv2", f"Việc B{i}", 20) for i in range(4)]
    for i, t in enumerate(b):
        done("cv2", t, _local(18 + i % 2, 10))
    ids["cv2"] = b
    # cv3: one done, sent back, done again; one never done (overdue at the month's end).
    c = [give(head, "cv3", f"Việc C{i}", 20) for i in range(2)]
    done("cv3", c[0], _local(12))
    clock.at = _local(13)
    tasks.reopen(head, c[0], "Bổ sung số liệu quý")
    done("cv3", c[0], _local(19))
    ids["cv3"] = c
    # cv4: 3 on time, one to be marked "chưa đạt".
    d = [give(head, "cv4", f"Việc D{i}", 20) for i in range(3)]
    for t in d:
        done("cv4", t, _local(20, 10))
    ids["cv4"] = d
    # cv5: 2 on time.
    e = [give(head, "cv5", f"Việc E{i}", 20) for i in range(2)]
    for t in e:
        done("cv5", t, _local(20, 11))
    ids["cv5"] = e
    # The head: 2 tasks from the leader, done early.
    h = [give(leader, "truongphong", f"Việc H{i}", 27) for i in range(2)]
    for t in h:
        done("truongphong", t, _local(23))
    ids["truongphong"] = h

    # The evaluation is read after the month, on 6 April 2026.
    later = Clock(_local(6, 9, month=4))
    monkeypatch.setattr(evaluation_routes, "use_cases",
                        lambda: replace(bootstrap.evaluations(), clock=later))

    def session(name: str) -> Any:
        password = accounts[name]["password"] if name in accounts else PASSWORD
        return login(client, name, password)

    return {"ids": ids, "session": session}


def _items(s: Any, who: str, field: str, period: str = PERIOD) -> list[dict[str, Any]]:
    return _body(s.get(f"/api/evaluation/{who}/items?period={period}&field={field}"))["items"]


def _part(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in body["parts"] if p["name"] == name)


def _pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


def test_a_month_of_work_gives_the_scores_bands_quota_and_the_items_behind_them(
        month, pki, tmp_path):
    head, leader = month["session"]("truongphong"), month["session"]("giamdoc")
    ids = month["ids"]

    # Marks by the head, on items named as the drill-down names them.
    done_a = _items(head, "chuyenvien", "early")
    assert len(done_a) == 3  # two before the deadline, one before the extended deadline
    first, second, _ = done_a
    assert {i["item_id"] for i in done_a} == {
        f"TASK#{ids['chuyenvien'][n]}/WORK#U#chuyenvien" for n in (0, 1, 4)}
    _body(head.send("POST", "/api/evaluation/marks",
                    {"item_id": first["item_id"], "mark": "tot", "reason": "Số liệu đầy đủ"}))
    # Marked again: the count moves from "tốt" to "xuất sắc".
    _body(head.send("POST", "/api/evaluation/marks", {
        "item_id": first["item_id"], "mark": "xuat_sac", "reason": "Vượt yêu cầu"}))
    b_item = _items(head, "cv2", "completed")[0]["item_id"]
    _body(head.send("POST", "/api/evaluation/marks",
                    {"item_id": b_item, "mark": "xuat_sac", "reason": "Xuất sắc"}))
    d_item = f"TASK#{ids['cv4'][0]}/WORK#U#cv4"
    marked = _body(head.send("POST", "/api/evaluation/marks", {
        "item_id": d_item, "mark": "chua_dat", "reason": "Sai mẫu biểu"}))
    assert marked["month"] == PERIOD and marked["mark_label"] == "Chưa đạt"
    # Who may mark what.
    officer = month["session"]("chuyenvien")
    assert officer.send("POST", "/api/evaluation/marks", {
        "item_id": second["item_id"], "mark": "tot", "reason": "x"}).status_code == 403
    assert head.send("POST", "/api/evaluation/marks", {
        "item_id": f"TASK#{ids['truongphong'][0]}/WORK#U#truongphong", "mark": "tot",
        "reason": "Tự chấm"}).status_code == 403  # one's own work
    assert month["session"]("chanhvanphong").send("POST", "/api/evaluation/marks", {
        "item_id": second["item_id"], "mark": "tot", "reason": "x"}).status_code == 404
    assert head.send("POST", "/api/evaluation/marks", {
        "item_id": "../../etc/passwd", "mark": "tot", "reason": "x"}).status_code == 404

    # The head's general points for the period.
    for who, points in (("chuyenvien", 30), ("cv2", 30), ("cv3", 25), ("cv4", 30), ("cv5", 15),
                        ("truongphong", 30)):
        _body(head.send("PUT", f"/api/evaluation/rounds/{UNIT}/{PERIOD}/people/{who}",
                        {"general_points": points, "note": "Chấp hành tốt kỷ luật"}))

    # chuyenvien: 5 assigned, 5 done (3 early, 1 on time, 1 late), 1 extension granted.
    a = _body(officer.get(f"/api/evaluation/chuyenvien?period={PERIOD}"))
    assert a["rule_set_code"] == "decree-233-2026" and a["general_entered"] is True
    m = a["measures"]
    assert (m["assigned"], m["completed"], m["early"], m["on_time"], m["late"]) == (5, 5, 3, 1, 1)
    assert (m["extensions_asked"], m["extensions_granted"]) == (1, 1)
    assert m["marks"] == {"chua_dat": 0, "dat": 0, "tot": 0, "xuat_sac": 1}
    assert [(p["name"], p["points"]) for p in a["parts"]] == [
        ("general", "30.00"), ("quantity", "23.33"), ("quality", "23.33"),
        ("timeliness", "22.17")]
    assert (a["score"], a["band"]) == ("98.83", "HTXS")
    # Each point opens to its items.
    timeliness = _part(a, "timeliness")
    late_link = next(i for i in timeliness["items"] if i["field"] == "late")
    assert late_link["count"] == 1
    late = _body(officer.get(late_link["href"]))["items"]
    assert [i["item_id"] for i in late] == [f"TASK#{ids['chuyenvien'][3]}/WORK#U#chuyenvien"]
    assert len(_items(officer, "chuyenvien", "assigned")) == 5
    assert [i["item_id"] for i in _items(officer, "chuyenvien", "marks.xuat_sac")] == \
        [first["item_id"]]
    assert _items(officer, "chuyenvien", "marks.tot") == []
    granted = _items(officer, "chuyenvien", "extensions_granted")
    assert [i["item_id"] for i in granted] == [f"TASK#{ids['chuyenvien'][4]}/WORK#U#chuyenvien"]

    # cv3: one done after being sent back, one never done.
    c = _body(head.get(f"/api/evaluation/cv3?period={PERIOD}"))
    mc = c["measures"]
    assert (mc["assigned"], mc["completed"], mc["returned"], mc["overdue_open"]) == (2, 1, 1, 1)
    assert (c["score"], c["band"]) == ("57.08", "HT")
    assert [i["item_id"] for i in _items(head, "cv3", "returned")] == \
        [f"TASK#{ids['cv3'][0]}/WORK#U#cv3"]
    assert [i["item_id"] for i in _items(head, "cv3", "overdue_open")] == \
        [f"TASK#{ids['cv3'][1]}/WORK#U#cv3"]
    # cv4: one item "chưa đạt" loses its quality points.
    d = _body(head.get(f"/api/evaluation/cv4?period={PERIOD}"))
    assert (_part(d, "quality")["points"], d["score"], d["band"]) == ("15.56", "92.22", "HTXS")
    assert [i["item_id"] for i in _items(head, "cv4", "marks.chua_dat")] == [d_item]
    # A quarter and the year roll up from the month; their general points are the
    # head's entry for that period (none yet: 0, and said so).
    for period in ("2026-Q1", "2026"):
        q = _body(officer.get(f"/api/evaluation/chuyenvien?period={period}"))
        assert q["measures"] == a["measures"] and q["general_entered"] is False
        assert q["score"] == "68.83" and q["band"] == "HT"

    # The round: the head's cap and the quota, as the leader sees them.
    view = _body(leader.get(f"/api/evaluation/rounds/{UNIT}/{PERIOD}"))
    rows = {p["username"]: p for p in view["people"]}
    assert {n: (r["score"], r["band"]) for n, r in rows.items()} == {
        "chuyenvien": ("98.83", "HTXS"), "cv2": ("100.00", "HTXS"), "cv3": ("57.08", "HT"),
        "cv4": ("92.22", "HTXS"), "cv5": ("85.00", "HTT"), "truongphong": ("100.00", "HTXS")}
    # 5 people rated HTT or above in a unit rated HTT: 20 % → 1 HTXS; the head no
    # higher than the unit.
    assert view["quota"]["eligible"] == 5 and view["quota"]["allowed_htxs"] == 1
    assert {n: r["suggested"] for n, r in rows.items()} == {
        "chuyenvien": "HTT", "cv2": "HTXS", "cv3": "HT", "cv4": "HTT", "cv5": "HTT",
        "truongphong": "HTT"}
    assert "tỷ lệ" in rows["chuyenvien"]["suggested_reasons"][0]
    assert "cao hơn đơn vị" in rows["truongphong"]["suggested_reasons"][0]

    # An officer assesses themself; the leader decides with an override and publishes.
    _body(officer.send("PUT", f"/api/evaluation/rounds/{UNIT}/{PERIOD}/self",
                       {"text": "Hoàn thành mọi việc được giao", "band": "HTXS"}))
    url = f"/api/evaluation/rounds/{UNIT}/{PERIOD}"
    no_reason = _error(leader.send("POST", url + "/decision", {
        "unit_band": "HTT", "version": 0,
        "decisions": [{"username": "cv3", "band": "HTT"}]}), 400)
    assert [f["path"] for f in no_reason["fields"]] == ["decisions.0.reason"]
    over = _error(leader.send("POST", url + "/decision", {
        "unit_band": "HTT", "version": 0,
        "decisions": [{"username": "chuyenvien", "band": "HTXS", "reason": "Đề án trọng điểm"}]}),
        400)
    assert [f["path"] for f in over["fields"]] == ["decisions.0.band"]
    head_over = _error(leader.send("POST", url + "/decision", {
        "unit_band": "HTT", "version": 0,
        "decisions": [{"username": "truongphong", "band": "HTXS", "reason": "x"}]}), 400)
    assert "decisions.0.band" in [f["path"] for f in head_over["fields"]]
    # Officers see nothing of the round before it is published.
    assert officer.get(url).status_code == 403
    decided = _body(leader.send("POST", url + "/decision", {
        "unit_band": "HTT", "version": 0, "decisions": [
            {"username": "chuyenvien", "band": "HTXS", "reason": "Đề án trọng điểm của Sở"},
            {"username": "cv2", "band": "HTT", "reason": "Nhường chỉ tiêu"}]}))
    final = {p["username"]: p["decision"] for p in decided["people"]}
    assert final["chuyenvien"]["band"] == "HTXS" and final["chuyenvien"]["override"] is True
    assert final["cv2"]["reason"] == "Nhường chỉ tiêu" and final["cv4"]["band"] == "HTT"
    assert decided["status"] == "decided"
    # Decided: the head's proposals are closed.
    assert head.send("PUT", f"{url}/people/cv5", {"general_points": 20}).status_code == 409
    # Publishing signs every form: the leader's sign-in must be fresh.
    from chalicelib.evaluation import routes as evaluation_routes
    from chalicelib.kernel.errors import Unauthenticated

    stale = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD")  # no sign-in time
    with pytest.raises(Unauthenticated) as refused:
        evaluation_routes.use_cases().publish(stale, UNIT, PERIOD, decided["version"])
    assert refused.value.code == "reauthentication_required"
    before = officer.get(f"/api/evaluation/chuyenvien/form?period={PERIOD}", accept="*/*")
    assert "Signature" not in pdfsig_text(before.body, tmp_path)  # decided, not yet signed
    publishing = _body(leader.send("POST", url + "/publish", {"version": decided["version"]}))
    assert publishing["forms_status"] == "signing"
    drain_workflow()
    assert _body(leader.get(url))["forms_status"] == "signed"
    published = _body(officer.get(url))
    assert {p["username"]: p["band"] for p in published["people"]} == {
        "chuyenvien": "HTXS", "cv2": "HTT", "cv3": "HT", "cv4": "HTT", "cv5": "HTT",
        "truongphong": "HTT"}
    assert "score" not in published["people"][0]  # the unit reads the bands only
    own = _body(officer.get(f"/api/evaluation/chuyenvien?period={PERIOD}"))
    assert own["round"]["decision"]["band"] == "HTXS" and own["round"]["status"] == "published"
    # Published, the bands reach the leaders' dashboard for that month.
    board = _body(leader.get(f"/api/dashboard?from={PERIOD}-01&to={PERIOD}-31&unit={UNIT}"))
    assert board["bands"]["published"] is True
    assert board["bands"]["by_unit"][0]["bands"] == {"HTXS": 1, "HTT": 4, "HT": 1}

    # Exports: the unit's round as XLSX, the person's form as PDF.
    sheet = head.get(url + "/export", accept="*/*")
    assert sheet.status_code == 200 and sheet.body[:2] == b"PK"
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [[c.value for c in row] for row in load_workbook(BytesIO(sheet.body)).active.rows]
    assert cells[0][1] == "Họ và tên" and len(cells) == 7
    form = officer.get(f"/api/evaluation/chuyenvien/form?period={PERIOD}", accept="*/*")
    assert form.status_code == 200 and form.body[:5] == b"%PDF-"
    verdict = pdfsig_text(form.body, tmp_path)
    assert verdict.count("Signature is Valid.") == 1, verdict
    assert "Phạm Quốc Hùng" in verdict  # the publishing leader's certificate
    words = _pdf_text(form.body)
    assert "Hoàn thành xuất sắc" in words and "Trần Văn Minh" in words
    # The stored form does not move when the figures do: it is what was signed.
    assert officer.get(f"/api/evaluation/chuyenvien/form?period={PERIOD}",
                       accept="*/*").body == form.body
    assert officer.get(f"/api/evaluation/cv2/form?period={PERIOD}",
                       accept="*/*").status_code == 403

    # Everything audited on the round's trail, read by its head and the leaders.
    trail = _body(head.get(f"/api/audit/evaluation:{UNIT}:{PERIOD}"))["entries"]
    actions = [e["action"] for e in trail]
    assert actions.count("evaluation.propose") == 6
    assert actions[-4:] == ["evaluation.self", "evaluation.decide", "evaluation.publish",
                            "evaluation.forms_signed"]
    assert _body(leader.get("/api/audit/evaluation:chuyenvien"))["entries"][0]["action"] == \
        "evaluation.mark"
    assert officer.get(f"/api/audit/evaluation:{UNIT}:{PERIOD}").status_code == 404
    assert officer.get("/api/audit/evaluation:cv2").status_code == 404
    marks = _body(officer.get("/api/audit/evaluation:chuyenvien"))["entries"]
    assert [e["action"] for e in marks] == ["evaluation.mark"] * 2


def test_who_may_read_a_persons_evaluation(month):
    s = month["session"]
    path = f"/api/evaluation/chuyenvien?period={PERIOD}"
    assert s("chuyenvien").get(path).status_code == 200  # the person
    assert s("truongphong").get(path).status_code == 200  # the head of their unit
    assert s("giamdoc").get(path).status_code == 200  # a leader
    assert s("cv2").get(path).status_code == 403  # another officer
    assert s("chanhvanphong").get(path).status_code == 403  # the head of another unit
    assert s("cv2").get(f"/api/evaluation/chuyenvien/items?period={PERIOD}&field=late"
                        ).status_code == 403
    assert s("giamdoc").get(f"/api/evaluation/nobody?period={PERIOD}").status_code == 404
    # Without the head's entry the general part counts 0, and the page says so.
    body = _body(s("chuyenvien").get(path))
    assert body["general_entered"] is False and _part(body, "general")["points"] == "0.00"
    assert any("chưa nhập điểm tiêu chí chung" in n for n in body["notes"])


@pytest.mark.parametrize("period", ["2026-13", "26-03", "2026-Q5", "", "2026-3"])
def test_a_bad_period_is_400_naming_period(as_role, period):
    err = _error(as_role("officer").get(
        f"/api/evaluation/chuyenvien?period={period}"), 400)
    assert [f["path"] for f in err["fields"]] == ["period"]


def test_a_bad_field_is_400_naming_field(as_role):
    err = _error(as_role("officer").get(
        f"/api/evaluation/chuyenvien/items?period={PERIOD}&field=secret"), 400)
    assert [f["path"] for f in err["fields"]] == ["field"]

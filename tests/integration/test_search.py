"""Search over everything a user may see, and nothing else."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table


def _register(subject: str, agency: str, hours: int, **kw):
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    return incoming.register(None, Metadata(
        so_ky_hieu=f"{hours}/TB-X", co_quan_ban_hanh=agency, ngay_ban_hanh=date(2026, 11, 2),
        trich_yeu=subject), arrival=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=hours),
        source="paper", table=Table(), **kw)


def _index(aws_env):
    from tests.aws import drain_workflow_and_index

    drain_workflow_and_index()


def _ids(resp) -> list[str]:
    assert resp.status_code == 200, resp.body
    return [i["id"] for i in json.loads(resp.body)["items"]]


def test_diacritics_case_and_unicode_form_do_not_matter(aws_env, as_role):
    hanoi = _register("V/v giao ban tại Hà Nội", "Sở Xây dựng", 1)
    _register("V/v giao ban tại Hải Phòng", "Sở Xây dựng", 2)
    _index(aws_env)
    clerk = as_role("clerk")
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    for q in ("ha noi", "HÀ NỘI", nfd, "giao ban ha noi"):
        assert _ids(clerk.get(f"/api/incoming?q={q}")) == [hanoi["id"]], q
    both = _ids(clerk.get("/api/incoming?q=giao ban"))
    assert len(both) == 2 and both[0] != hanoi["id"]  # newest first


def test_search_never_reaches_what_the_caller_may_not_see(aws_env, as_role):
    from chalicelib.kernel.access import Secrecy

    open_doc = _register("Kế hoạch kiểm tra doanh nghiệp", "Sở Công Thương", 1)
    secret = _register("Kế hoạch kiểm tra doanh nghiệp mật", "Công an", 2,
                       secrecy=Secrecy.MAT, people=["vanthu"])
    _index(aws_env)
    assert _ids(as_role("clerk").get("/api/incoming?q=kiem tra")) == [secret["id"],
                                                                      open_doc["id"]]
    assert _ids(as_role("leader").get("/api/incoming?q=kiem tra")) == [open_doc["id"]]
    assert _ids(as_role("officer").get("/api/incoming?q=kiem tra")) == []
    assert _ids(as_role("admin").get("/api/incoming?q=doanh nghiep")) == []


def test_pages_follow_the_cursor_without_repeats(aws_env, as_role):
    docs = [_register(f"Báo cáo tháng {i}", "Sở Nội vụ", i) for i in range(1, 8)]
    _index(aws_env)
    clerk = as_role("clerk")
    seen, cursor = [], None
    while True:
        url = "/api/incoming?q=bao cao&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = json.loads(clerk.get(url).body)
        seen += [i["id"] for i in page["items"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert seen == [d["id"] for d in reversed(docs)]


def test_a_share_and_its_revocation_reach_search(aws_env, as_role):
    doc = _register("Thông báo lịch tiếp công dân", "UBND quận Ba Đình", 1)
    _index(aws_env)
    officer = as_role("officer")
    assert _ids(officer.get("/api/incoming?q=tiep cong dan")) == []
    as_role("clerk").send("POST", f"/api/items/incoming:{doc['id']}/grants",
                          {"username": "chuyenvien"})
    _index(aws_env)
    assert _ids(officer.get("/api/incoming?q=tiep cong dan")) == [doc["id"]]
    as_role("clerk").send("DELETE", f"/api/items/incoming:{doc['id']}/grants/chuyenvien")
    # Before the index catches up, the list entry is already gone: nothing shows.
    assert _ids(officer.get("/api/incoming?q=tiep cong dan")) == []
    _index(aws_env)
    assert _ids(officer.get("/api/incoming?q=tiep cong dan")) == []


def test_bad_queries_are_400(aws_env, as_role):
    clerk = as_role("clerk")
    resp = clerk.get("/api/incoming?q=a")
    assert resp.status_code == 400
    assert json.loads(resp.body)["error"]["fields"][0]["path"] == "q"
    assert clerk.get("/api/incoming?q=ha noi&cursor=rubbish").status_code == 400


def test_metadata_filters_on_lists_and_searches(aws_env, as_role):
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata, Urgency

    def reg(day: int, urgency: Urgency, subject: str) -> str:
        return incoming.register(None, Metadata(
            so_ky_hieu=f"{day}/CV-X", co_quan_ban_hanh="Sở Y tế", ngay_ban_hanh=date(2026, 10, 1),
            trich_yeu=subject, do_khan=urgency),
            arrival=datetime(2026, 10, day, 3, 0, tzinfo=UTC), source="paper", table=Table())["id"]

    a = reg(5, Urgency.THUONG, "Phòng chống dịch bệnh mùa đông")
    b = reg(12, Urgency.KHAN, "Phòng chống dịch bệnh khẩn cấp")
    c = reg(20, Urgency.THUONG, "Phòng chống dịch bệnh cuối tháng")
    _index(aws_env)
    clerk = as_role("clerk")
    assert _ids(clerk.get("/api/incoming?since=2026-10-10&until=2026-10-20")) == [c, b]
    assert _ids(clerk.get("/api/incoming?do_khan=Khẩn")) == [b]
    assert _ids(clerk.get("/api/incoming?q=dich benh&until=2026-10-12")) == [b, a]
    assert _ids(clerk.get("/api/incoming?q=dich benh&do_khan=Thường")) == [c, a]
    assert _ids(clerk.get("/api/incoming?q=dich benh&since=2026-10-13")) == [c]
    assert clerk.get("/api/incoming?do_khan=Gấp").status_code == 400


def test_a_rare_term_with_a_common_one_does_not_walk_the_common_list(aws_env, as_role):
    from chalicelib.adapters.aws import client

    rare = _register("Thông báo chung về đề án đặc biệt", "Sở Nội vụ", 1)
    for i in range(2, 25):
        _register(f"Thông báo chung số {i}", "Sở Nội vụ", i)
    _index(aws_env)
    clerk = as_role("clerk")
    clerk.get("/api/incoming?q=dac biet")  # warm the session's caches
    calls: list[str] = []
    events = client("dynamodb").meta.events
    events.register("before-call.dynamodb.*",
                    lambda model, **_: calls.append(model.name), unique_id="count-search")
    try:
        found = _ids(clerk.get("/api/incoming?q=dac biet thong bao chung"))
    finally:
        events.unregister("before-call.dynamodb.*", unique_id="count-search")
    assert found == [rare["id"]]
    # The engine answers from its copy in /tmp: no posting list is read at all; the
    # page's list entries in one request, besides the session's own read.
    assert calls.count("Query") == 0 and calls.count("BatchGetItem") == 1, calls
    assert calls.count("GetItem") <= 2, calls


# ---- GET /api/search: every kind, each through its own capability's visibility

TET = "Tết Nguyên Đán"


def _people(client, accounts):
    from tests.conftest import login

    return {name: login(client, name, a["password"]) for name, a in accounts.items()}


def _ok(resp):
    assert 200 <= resp.status_code < 300, resp.body
    return json.loads(resp.body)


def _found(session, q: str = "tet nguyen dan") -> dict[str, list[str]]:
    """The ids found per kind; every result carries kind, title and link."""
    body = _ok(session.get(f"/api/search?q={q}"))
    out: dict[str, list[str]] = {}
    for item in body["items"]:
        assert item["title"] and item["link"].startswith("/app/") and item["kind_label"]
        out.setdefault(item["kind"], []).append(item["id"])
    return out


def _everything_about_tet(client, people) -> dict[str, str]:
    """One item of each kind whose words include "Tết Nguyên Đán"."""
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.onestop.service import ensure_catalogue

    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    ids = {"incoming": _register(f"V/v nghỉ {TET} năm 2027", "UBND Thành phố", 1,
                                 units=["PDKKD"])["id"]}
    ids["outgoing"] = _ok(people["chuyenvien"].send("POST", "/api/outgoing", {
        "type_code": "CV", "subject": f"Kế hoạch trực {TET}", "signer": "giamdoc",
        "recipients_internal": ["VP"]}))["id"]
    due = agency_calendar().working_day_on_or_after(
        datetime.now(zone).date() + timedelta(days=7)).isoformat()
    ids["task"] = _ok(people["truongphong"].send("POST", "/api/tasks", {
        "title": f"Chuẩn bị quà {TET} cho doanh nghiệp", "lead": "chuyenvien",
        "deadline": due}))["id"]
    day = (datetime.now(zone) + timedelta(days=3)).date()
    start = datetime(day.year, day.month, day.day, 9, tzinfo=zone)
    ids["meeting"] = _ok(people["giamdoc"].send("POST", "/api/meetings", {
        "title": f"Họp chuẩn bị {TET}", "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(), "place": "Phòng họp số 1",
        "participants": ["chuyenvien"]}))["id"]
    filed = _ok(client.http.post("/api/public/complaints", headers={
        "Content-Type": "application/json"}, body=json.dumps({
            "kind": "petition", "name": "Lê Thị Kiến", "phone": "0912345678",
            "address": "5 Hàng Bài, Hà Nội",
            "content": f"Kiến nghị công bố sớm lịch nghỉ {TET} cho doanh nghiệp."}).encode()))
    ids["complaint"] = _case_id(filed["code"])
    ensure_catalogue(Table())
    ids["dossier"] = _ok(people["motcua"].send("POST", "/api/dossiers", {
        "procedure": "DKDN-DNTN", "papers": {}, "papers_seen": _required(client),
        "applicant": {"name": f"Hộ kinh doanh {TET}", "phone": "0987654321"}}))["id"]
    return ids


def _case_id(code: str) -> str:
    return str(Table().query(f"CASECODE#{code}", index="gsi1", limit=1).items[0]["id"])


def _required(client) -> list[str]:
    procs = json.loads(client.http.get("/api/public/procedures").body)["procedures"]
    proc = next(p for p in procs if p["code"] == "DKDN-DNTN")
    return [p["code"] for p in proc["papers"] if p["required"]]


def test_one_search_finds_every_kind_each_person_may_see(aws_env, client, accounts):
    people = _people(client, accounts)
    ids = _everything_about_tet(client, people)
    _index(aws_env)
    # The leader sees the whole agency: every kind, diacritics and case folded.
    leader = _found(people["giamdoc"], "TET nguyên dan")
    for kind in ("incoming", "complaint", "dossier", "task", "meeting"):
        assert leader.get(kind) == [ids[kind]], (kind, leader)
    # The officer: their draft, their task, their invitation; not the incoming
    # document nobody gave them, not the complaint, not the dossier.
    officer = _found(people["chuyenvien"])
    assert officer == {"outgoing": [ids["outgoing"]], "task": [ids["task"]],
                       "meeting": [ids["meeting"]]}, officer
    # The head of the document's unit finds it; the head of another unit does not.
    assert _found(people["truongphong"])["incoming"] == [ids["incoming"]]
    other_head = _found(people["chanhvanphong"])
    assert "incoming" not in other_head and "task" not in other_head, other_head
    # The one-stop desk: its dossier, nothing of the documents or the officer's work.
    assert _found(people["motcua"]) == {"dossier": [ids["dossier"]]}
    # Each kind's group says where the full list is, with the same words.
    body = _ok(people["giamdoc"].get("/api/search?q=tet nguyen dan&kind=task"))
    assert [g["kind"] for g in body["groups"]] == ["task"]
    assert body["groups"][0]["link"] == "/app/tasks?q=tet+nguyen+dan"
    assert body["items"][0]["link"] == f"/app/task?id={ids['task']}"


def test_each_list_takes_the_same_words(aws_env, client, accounts):
    people = _people(client, accounts)
    ids = _everything_about_tet(client, people)
    _index(aws_env)
    leader, officer, desk = people["giamdoc"], people["chuyenvien"], people["motcua"]

    def listed(session, path: str) -> list[str]:
        return [i["id"] for i in _ok(session.get(path))["items"]]

    assert listed(officer, "/api/outgoing?q=tet nguyen dan") == [ids["outgoing"]]
    assert listed(officer, "/api/outgoing?q=tet nguyen dan&status=issued") == []
    assert listed(officer, "/api/outgoing?q=ha noi") == []
    assert listed(officer, "/api/tasks?q=TẾT") == [ids["task"]]
    assert listed(officer, "/api/meetings?q=chuan bi tet") == [ids["meeting"]]
    assert listed(leader, "/api/meetings?scope=scheduled&q=chuan bi tet") == [ids["meeting"]]
    assert listed(leader, "/api/meetings?scope=scheduled&q=hop giao ban") == []
    assert listed(leader, "/api/complaints?q=nguyen dan") == [ids["complaint"]]
    assert listed(desk, "/api/dossiers?q=ho kinh doanh tet") == [ids["dossier"]]
    assert listed(desk, "/api/dossiers?q=cong ty") == []
    # A filter without a word is refused, naming q, like the incoming search.
    for path in ("/api/outgoing?q=a", "/api/tasks?q=%2C", "/api/dossiers?q=b"):
        resp = desk.get(path)
        assert resp.status_code == 400, path
        assert [f["path"] for f in json.loads(resp.body)["error"]["fields"]] == ["q"]


def test_a_protected_denouncer_cannot_be_found_by_name(aws_env, client, accounts):
    people = _people(client, accounts)
    body = {"kind": "denunciation", "name": "Phan Văn Tố", "phone": "0912000111",
            "address": "1 Tràng Tiền, Hà Nội", "protect_identity": True,
            "content": "Tôi là Phan Văn Tố, tố cáo việc nhận quà dịp Tết Nguyên Đán."}
    code = _ok(client.http.post("/api/public/complaints", headers={
        "Content-Type": "application/json"}, body=json.dumps(body).encode()))["code"]
    leader = people["giamdoc"]
    # By its code (or kind), yes; by any word of its content, which names the
    # denouncer, no: neither in the list nor in the global search.
    assert _found(leader, code) == {"complaint": [_case_id(code)]}
    assert _found(leader, "phan van to") == {}
    assert _ok(leader.get("/api/complaints?q=phan van to"))["items"] == []
    found = _ok(leader.get(f"/api/search?q={code}"))["items"][0]
    assert found["subtitle"] == "" and "Phan" not in json.dumps(found, ensure_ascii=False)


def test_bad_global_queries_are_400_naming_q(aws_env, as_role):
    leader = as_role("leader")
    for q in ("", "%20%20", "a", "x" * 201):
        resp = leader.get(f"/api/search?q={q}")
        assert resp.status_code == 400, q
        error = json.loads(resp.body)["error"]
        assert [f["path"] for f in error["fields"]] == ["q"], (q, error)
        assert error["message"] and error["message_en"]
    assert leader.get("/api/search").status_code == 400
    assert leader.get("/api/search?q=tet&kind=nothing").status_code == 400


def test_a_unit_filter_narrows_lists_and_searches_to_what_the_unit_was_given(aws_env, as_role):
    """The leaders' dashboard links a unit's incoming figure to the list filtered
    by it: the unit's partition only, for those who may see all of it."""
    ours = _register("Báo cáo đăng ký doanh nghiệp", "Sở Tài chính", 1, units=["PDKKD"])
    _register("Báo cáo quy hoạch tổng hợp", "Sở Tài chính", 2, units=["PTH"])
    _register("Báo cáo chung của Sở", "Sở Tài chính", 3)
    _index(aws_env)
    leader, clerk, head = as_role("leader"), as_role("clerk"), as_role("unit_head")
    assert len(_ids(leader.get("/api/incoming"))) == 3
    assert _ids(leader.get("/api/incoming?unit=PDKKD")) == [ours["id"]]
    assert _ids(clerk.get("/api/incoming?unit=PDKKD&q=bao cao")) == [ours["id"]]
    assert _ids(head.get("/api/incoming?unit=PDKKD")) == [ours["id"]]  # their own unit
    # A head asking for another unit, an officer for the whole of theirs: 403.
    for caller, unit in ((head, "PTH"), (as_role("officer"), "PDKKD")):
        for path in (f"/api/incoming?unit={unit}", f"/api/incoming?unit={unit}&q=bao cao"):
            resp = caller.get(path)
            assert resp.status_code == 403, (path, resp.body)
    bad = leader.get("/api/incoming?unit=../x")
    assert bad.status_code == 400
    assert json.loads(bad.body)["error"]["fields"][0]["path"] == "unit"

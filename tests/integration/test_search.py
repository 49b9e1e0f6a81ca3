"""Search over everything a user may see, and nothing else."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime, timedelta

import boto3


def _register(subject: str, agency: str, hours: int, **kw):
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    return incoming.register(None, Metadata(
        so_ky_hieu=f"{hours}/TB-X", co_quan_ban_hanh=agency, ngay_ban_hanh=date(2026, 11, 2),
        trich_yeu=subject), arrival=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=hours),
        source="paper", **kw)


def _index(aws_env):
    import app as app_module
    from chalicelib.local.pump import pollers_for

    pumps = {p.name: p for p in pollers_for(app_module.app, boto3.client("sqs"),
                                          "ap-southeast-1")}
    pumps["on_workflow_message"].drain()


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
            arrival=datetime(2026, 10, day, 3, 0, tzinfo=UTC), source="paper")["id"]

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
    for i in range(2, 80):
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
    # One query per term and scope (5 x 2), then one seek per common term: the
    # common lists are not paged through.
    assert calls.count("Query") <= 13, calls
    assert calls.count("GetItem") <= 2 and calls.count("BatchGetItem") <= 1, calls

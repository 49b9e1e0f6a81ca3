"""Tasks given directly: scope of the assigner, extensions within policy,
completion and reopening, and their place in my work and the digest."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any


def _due(days: int) -> str:
    from chalicelib.calendar.service import agency_calendar

    return agency_calendar().working_day_on_or_after(date.today() + timedelta(days=days)
                                                     ).isoformat()


def _body(resp: Any) -> Any:
    assert 200 <= resp.status_code < 300, resp.body
    return json.loads(resp.body)


def test_a_head_gives_a_task_within_the_unit_and_follows_it(aws_env, as_role):
    head, officer = as_role("unit_head"), as_role("officer")
    task = _body(head.send("POST", "/api/tasks", {
        "title": "Rà soát hồ sơ đăng ký doanh nghiệp tháng 11", "lead": "chuyenvien",
        "deadline": _due(7), "priority": "high"}))
    assert [p["assignee"] for p in task["parts"]] == ["U#chuyenvien"]
    mine = _body(officer.get("/api/work/mine"))["items"]
    assert [w["source"] for w in mine] == [f"task:{task['id']}"]
    assert mine[0]["link"] == f"/app/task?id={task['id']}"
    listed = _body(officer.get("/api/tasks"))["items"]
    assert [t["id"] for t in listed] == [task["id"]]
    outside = head.send("POST", "/api/tasks", {"title": "X", "lead": "motcua",
                                               "deadline": _due(7)})
    assert outside.status_code == 400
    assert json.loads(outside.body)["error"]["fields"][0]["path"] == "lead"
    assert as_role("officer").send("POST", "/api/tasks", {
        "title": "X", "lead": "chuyenvien", "deadline": _due(7)}).status_code == 403
    assert as_role("one_stop").get(f"/api/tasks/{task['id']}").status_code == 404


def test_extension_within_policy_approved_by_the_assigner(aws_env, as_role):
    head, officer = as_role("unit_head"), as_role("officer")
    task = _body(head.send("POST", "/api/tasks", {"title": "Báo cáo quý", "lead": "chuyenvien",
                                                  "deadline": _due(3)}))
    too_long = officer.send("POST", f"/api/tasks/{task['id']}/extension",
                            {"until": _due(40), "reason": "Chờ số liệu"})
    assert too_long.status_code == 400
    assert json.loads(too_long.body)["error"]["code"] == "extension_too_long"
    _body(officer.send("POST", f"/api/tasks/{task['id']}/extension",
                       {"until": _due(8), "reason": "Chờ số liệu của Sở Tài chính"}))
    assert as_role("leader").send("POST", f"/api/tasks/{task['id']}/extension/decision", {
        "assignee": "chuyenvien", "approve": True}).status_code in (403, 404)
    decided = _body(head.send("POST", f"/api/tasks/{task['id']}/extension/decision", {
        "assignee": "chuyenvien", "approve": True, "note": "Đồng ý"}))
    part = decided["parts"][0]
    # A bare date means the end of that working day: 17:00 in Hanoi, 10:00 UTC.
    assert part["deadline"] == f"{_due(8)}T10:00:00.000Z"
    assert part["extension"]["status"] == "approved"
    again = head.send("POST", f"/api/tasks/{task['id']}/extension/decision",
                      {"assignee": "chuyenvien", "approve": False})
    assert again.status_code == 409


def test_complete_and_reopen(aws_env, as_role):
    head, officer = as_role("unit_head"), as_role("officer")
    task = _body(head.send("POST", "/api/tasks", {"title": "Tổng hợp ý kiến", "lead": "PDKKD",
                                                  "supporting": ["chuyenvien"],
                                                  "deadline": _due(5)}))
    assert {p["assignee"] for p in task["parts"]} == {"UNIT#PDKKD", "U#chuyenvien"}
    _body(officer.send("POST", f"/api/tasks/{task['id']}/progress",
                       {"progress": 40, "note": "Đã gửi xin ý kiến"}))
    done = _body(officer.send("POST", f"/api/tasks/{task['id']}/complete",
                              {"result": "Đã tổng hợp"}))
    support = [p for p in done["parts"] if p["assignee"] == "U#chuyenvien"][0]
    assert support["status"] == "done" and done["status"] == "open"  # the lead is the unit
    officer2 = _body(head.send("POST", "/api/tasks", {"title": "Soạn công văn",
                                                      "lead": "chuyenvien",
                                                      "deadline": _due(5)}))
    finished = _body(officer.send("POST", f"/api/tasks/{officer2['id']}/complete",
                                  {"result": "Xong"}))
    assert finished["status"] == "done"
    assert _body(officer.get("/api/work/mine"))["items"] == []
    reopened = _body(head.send("POST", f"/api/tasks/{officer2['id']}/reopen",
                               {"reason": "Cần bổ sung số liệu"}))
    assert reopened["status"] == "open"
    assert [w["source"] for w in _body(officer.get("/api/work/mine"))["items"]] == [
        f"task:{officer2['id']}"]
    trail = _body(head.get(f"/api/audit/task:{officer2['id']}"))["entries"]
    assert [e["action"] for e in trail] == ["task.create", "task.complete", "task.reopen"]


def test_a_units_part_is_the_heads_to_act_on_and_duplicates_are_refused(aws_env, as_role):
    leader, head = as_role("leader"), as_role("unit_head")
    twice = leader.send("POST", "/api/tasks", {"title": "X", "lead": "chuyenvien",
                                               "supporting": ["chuyenvien"], "deadline": _due(5)})
    assert twice.status_code == 400
    assert json.loads(twice.body)["error"]["fields"][0]["path"] == "supporting.0"
    task = _body(leader.send("POST", "/api/tasks", {"title": "Báo cáo chuyên đề",
                                                    "lead": "PDKKD", "deadline": _due(5)}))
    _body(head.send("POST", f"/api/tasks/{task['id']}/extension",
                    {"until": _due(8), "reason": "Chờ ý kiến các phòng"}))
    decided = _body(leader.send("POST", f"/api/tasks/{task['id']}/extension/decision",
                                {"assignee": "PDKKD", "approve": False, "note": "Giữ hạn"}))
    assert decided["parts"][0]["extension"]["status"] == "refused"
    done = _body(head.send("POST", f"/api/tasks/{task['id']}/complete", {"result": "Đã gửi"}))
    assert done["status"] == "done"
    assert as_role("officer").send("POST", f"/api/tasks/{task['id']}/complete",
                                   {"result": "x"}).status_code == 403


def test_the_due_soon_window_follows_the_preference(aws_env, as_role):
    head, officer = as_role("unit_head"), as_role("officer")
    _body(head.send("POST", "/api/tasks", {"title": "Việc 4 ngày", "lead": "chuyenvien",
                                           "deadline": _due(6)}))
    from chalicelib.calendar.service import agency_calendar

    cal = agency_calendar()
    item = _body(officer.get("/api/work/mine"))["items"][0]
    from datetime import UTC, datetime

    left = cal.working_days_between(datetime.now(UTC),
                                    datetime.fromisoformat(item["deadline"].replace("Z", "+00:00")))
    officer.send("PUT", "/api/me/preferences", {"digest": True, "instant": True,
                                                "due_soon_days": 5})
    wide = _body(officer.get("/api/work/mine"))["items"][0]["timeliness"]
    assert wide == ("due_soon" if left <= 5 else "on_time")
    officer.send("PUT", "/api/me/preferences", {"digest": True, "instant": True,
                                                "due_soon_days": 1})
    narrow = _body(officer.get("/api/work/mine"))["items"][0]["timeliness"]
    assert narrow == ("due_soon" if left <= 1 else "on_time")
    assert (wide, narrow) != ("on_time", "on_time") or left > 5

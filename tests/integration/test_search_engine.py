"""The search engine on moto: events reach the index through the FIFO queue
and the one writer, a change of who may see a document changes the results
once the writer ran, the rebuild job recreates the index (deleting the old
engine's posting items), after which a search in the steady state makes no S3
call and one DynamoDB call."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamo import Table
from tests.aws import drain_workflow_and_index


def _register(subject: str, hours: int, **kw: Any) -> dict[str, Any]:
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    return incoming.register(None, Metadata(
        so_ky_hieu=f"{hours}/KH-X", co_quan_ban_hanh="Sở Tài chính",
        ngay_ban_hanh=date(2026, 11, 2), trich_yeu=subject),
        arrival=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=hours), source="paper",
        table=Table(), **kw)


def _page(session: Any, q: str) -> dict[str, Any]:
    resp = session.get(f"/api/incoming?q={q}")
    assert resp.status_code == 200, resp.body
    return json.loads(resp.body)


def _ids(session: Any, q: str) -> list[str]:
    return [i["id"] for i in _page(session, q)["items"]]


def test_distribution_grant_and_secrecy_change_results_after_the_writer_runs(
        aws_env: dict[str, str], as_role: Any) -> None:
    from chalicelib.calendar.service import agency_calendar

    doc = _register("Kế hoạch kiểm tra quỹ đất công", 1)
    head, officer, leader = as_role("unit_head"), as_role("officer"), as_role("leader")
    assert _ids(leader, "quy dat") == []  # nothing indexed before the writer ran
    drain_workflow_and_index()
    assert _ids(leader, "quy dat") == [doc["id"]]
    assert _ids(head, "quy dat") == [] and _page(head, "quy dat")["total"] == 0

    # Distribution to the head's unit.
    due = agency_calendar().working_day_on_or_after(
        datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    resp = leader.send("POST", f"/api/incoming/{doc['id']}/distribute", {
        "lead_unit": "PDKKD", "lead_deadline": due, "version": 1})
    assert resp.status_code == 200, resp.body
    drain_workflow_and_index()
    assert _ids(head, "quy dat") == [doc["id"]]

    # A grant to an officer.
    assert _ids(officer, "quy dat") == []
    as_role("clerk").send("POST", f"/api/items/incoming:{doc['id']}/grants",
                          {"username": "chuyenvien"})
    drain_workflow_and_index()
    assert _ids(officer, "quy dat") == [doc["id"]]

    # Made secret: only the people named on it keep it (the officer it was granted
    # to). The others' list entries go at once, the engine's match when the writer ran.
    current = json.loads(leader.get(f"/api/incoming/{doc['id']}").body)
    clerk = as_role("clerk")
    fields = ("so_ky_hieu", "co_quan_ban_hanh", "ngay_ban_hanh", "loai_van_ban", "trich_yeu",
              "do_khan", "nguoi_ky")
    resp = clerk.send("PUT", f"/api/incoming/{doc['id']}", {
        **{f: current[f] for f in fields if current.get(f) is not None}, "do_mat": "mat",
        "version": current["version"]})
    assert resp.status_code == 200, resp.body
    assert _ids(head, "quy dat") == [] and _page(head, "quy dat")["total"] == 1
    drain_workflow_and_index()
    assert _page(head, "quy dat")["total"] == 0 and _page(leader, "quy dat")["total"] == 0
    assert _ids(officer, "quy dat") == [doc["id"]]


def test_the_rebuild_job_recreates_the_index_and_deletes_the_old_postings(
        aws_env: dict[str, str], as_role: Any) -> None:
    from chalicelib.adapters.aws import client
    from chalicelib.local.scheduler import scheduled_event
    from chalicelib.search.jobs import rebuild_search_index

    # The writer's queue: FIFO (one writer at a time), with its dead-letter queue.
    url = aws_env["SEARCH_QUEUE_URL"]
    assert url.endswith("/eoffice-local-search-index.fifo")
    attrs = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
        "Attributes"]
    assert attrs["FifoQueue"] == "true" and int(attrs["VisibilityTimeout"]) == 1800
    assert json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"].endswith(
        "search-index-dlq.fifo")
    assert aws_env["SEARCH_INDEX_BUCKET"].startswith("eoffice-local-search-")

    docs = [_register(f"Thông báo tuyển dụng đợt {i}", i) for i in range(1, 4)]
    table = Table()
    old = {"pk": f"DOC#{docs[0]['id']}", "sk": "TERM#A#agency#tuyen", "kind": "posting",
           "gsi1pk": "T#A#agency#incoming#tuyen", "gsi1sk": "x"}
    table.put(old)
    clerk = as_role("clerk")
    assert _ids(clerk, "tuyen dung") == []  # the events were never delivered
    done = rebuild_search_index(scheduled_event("rebuild_search_index"), None)
    assert done == {"deleted": 1, "indexed": 3}
    assert table.get(old["pk"], old["sk"]) is None
    assert _ids(clerk, "tuyen dung") == [d["id"] for d in reversed(docs)]
    # The next batch of the writer builds on the rebuilt index.
    drain_workflow_and_index()
    assert len(_ids(clerk, "tuyen dung")) == 3
    _search_in_the_steady_state_reads_no_s3_and_makes_one_dynamodb_call(clerk)


def _search_in_the_steady_state_reads_no_s3_and_makes_one_dynamodb_call(session: Any) -> None:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.identity import Caller, Role
    from chalicelib.search.service import search

    clerk = Caller("vanthu", frozenset({Role.CLERK}), unit="VP")
    table = Table()
    calls: list[str] = []
    hooks = [(client(name).meta.events, name) for name in ("s3", "dynamodb")]
    for events, name in hooks:
        events.register(f"before-call.{name}.*",
                        lambda model, name=name, **_: calls.append(f"{name}:{model.name}"),
                        unique_id=f"count-{name}")
    try:
        page = search(clerk, "thong bao tuyen dung", limit=2, sort="relevance", table=table)
        by_search = list(calls)
        assert _ids(session, "tuyen dung dot")  # the route: the session's reads besides
    finally:
        for events, name in hooks:
            events.unregister(f"before-call.{name}.*", unique_id=f"count-{name}")
    assert len(page["items"]) == 2 and page["total"] == 3 and page["cursor"]
    # The caller's list entries of the page, in one request; the index is in /tmp.
    assert by_search == ["dynamodb:BatchGetItem"], by_search
    assert not any(c.startswith("s3:") for c in calls), calls

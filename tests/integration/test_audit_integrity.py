"""The audit trail under attack and load, in moto (#21): readers never conflict,
a rewritten or truncated chain is caught by its signed checkpoints."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.kernel.identity import Caller, Role

# Monday 7 December 2026, 09:00 in Hà Nội.
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
HEAD = Caller("truongphong", frozenset({Role.UNIT_HEAD}), unit="PDKKD",
              source_ip="10.0.0.8", user_agent="Firefox")
READERS = 8


def _register(trich_yeu: str = "V/v hướng dẫn dự toán 2027") -> dict[str, Any]:
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    meta = Metadata(so_ky_hieu="1234/STC-QLNS", co_quan_ban_hanh="Sở Tài chính",
                    ngay_ban_hanh=date(2026, 11, 5), loai_van_ban="Công văn",
                    trich_yeu=trich_yeu, nguoi_ky="Nguyễn Văn A")
    return incoming.register(None, meta, arrival=MONDAY, source="paper", units=["PDKKD"],
                             clock=lambda: MONDAY)


def _atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each AWS request indivisible, as on DynamoDB (moto in-process is not
    thread-safe); requests of different threads interleave freely."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    real_call = BotocoreStubber.__call__

    def atomic(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        with lock:
            return real_call(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", atomic)


def test_eight_heads_opening_one_document_at_once_all_succeed(aws_env, accounts,
                                                              monkeypatch):
    """#21 item 3: each view used to append to the chain from the head it read, so
    of 8 simultaneous readers 6 got 409. A barrier before every transaction makes
    the race certain: all readers have read whatever they read before any writes."""
    from chalicelib.adapters.dynamo import Table
    from chalicelib.audit import trail
    from chalicelib.incoming import service as incoming

    doc = _register()
    _atomic_requests(monkeypatch)
    barrier = threading.Barrier(READERS, timeout=10)
    real_transact = Table.transact

    def transact_together(self: Table, operations: Any) -> None:
        barrier.wait()
        real_transact(self, operations)

    monkeypatch.setattr(Table, "transact", transact_together)
    results: list[str] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            results.append(incoming.view(HEAD, doc["id"])["id"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == [doc["id"]] * READERS
    chain = f"incoming:{doc['id']}"
    views = [e for e in trail.timeline(chain) if e["action"] == "incoming.view"]
    assert len(views) == READERS and {e["actor"] for e in views} == {"truongphong"}
    assert {e["ip"] for e in views} == {"10.0.0.8"}
    assert trail.verify_chain(chain).intact


def test_views_show_on_the_trail_page_and_in_the_export(aws_env, as_role):
    """The readings are beside the chain, yet the page and the export show them in
    time order with the chained entries."""
    import csv
    import io
    import json

    doc = _register()
    head = as_role("unit_head")
    assert head.get(f"/api/incoming/{doc['id']}").status_code == 200
    clerk = as_role("clerk")
    shown = json.loads(clerk.get(f"/api/audit/incoming:{doc['id']}").body)["entries"]
    assert [(e["action"], e["seq"]) for e in shown][:2] == [
        ("incoming.register", 1), ("incoming.view", None)]
    assert shown[1]["hash"] is None and shown[1]["actor"] == head.user["username"]
    resp = clerk.get(f"/api/audit/incoming:{doc['id']}/export?format=csv")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.body.decode("utf-8").removeprefix("\ufeff"))))
    assert [r[3] for r in rows[1:3]] == ["incoming.register", "incoming.view"]
    assert rows[2][0] == ""  # a reading has no number in the chain
    assert json.loads(clerk.get(f"/api/audit/incoming:{doc['id']}/verify").body)["intact"]

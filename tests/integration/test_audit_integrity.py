"""The audit trail under attack and load, in moto (#21): readers never conflict,
a rewritten or truncated chain is caught by its signed checkpoints."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.identity import Caller, Role
from tests.aws import all_at_once, atomic_aws_requests

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
                             clock=lambda: MONDAY, table=Table())


def test_eight_heads_opening_one_document_at_once_all_succeed(aws_env, accounts,
                                                              monkeypatch):
    """#21 item 3: each view used to append to the chain from the head it read, so
    of 8 simultaneous readers 6 got 409. A barrier before every transaction makes
    the race certain: all readers have read whatever they read before any writes."""
    from chalicelib.audit import trail
    from chalicelib.incoming import service as incoming

    doc = _register()
    atomic_aws_requests(monkeypatch)
    barrier = threading.Barrier(READERS, timeout=10)
    real_transact = Table.transact

    def transact_together(self: Table, operations: Any) -> None:
        barrier.wait()
        real_transact(self, operations)

    monkeypatch.setattr(Table, "transact", transact_together)
    results: list[str] = []

    def read(_: int) -> None:
        results.append(incoming.view(HEAD, doc["id"], table=Table())["id"])

    errors = all_at_once(read, range(READERS))
    assert not errors, errors
    assert results == [doc["id"]] * READERS
    chain = f"incoming:{doc['id']}"
    views = [e for e in trail.timeline(chain, Table()) if e["action"] == "incoming.view"]
    assert len(views) == READERS and {e["actor"] for e in views} == {"truongphong"}
    assert {e["ip"] for e in views} == {"10.0.0.8"}
    assert trail.verify_chain(chain, Table()).intact


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
    assert [r[3] for r in rows[1:3]] == ["Vào sổ văn bản đến", "Xem văn bản"]
    assert rows[2][0] == ""  # a reading has no number in the chain
    assert json.loads(clerk.get(f"/api/audit/incoming:{doc['id']}/verify").body)["intact"]


# ---------------------------------------------------------------- anchoring (#21 item 6)

CHAIN = "unit:PKT"


def _chain_of_three() -> None:
    from chalicelib.audit import trail

    for action in ("unit.create", "unit.update", "unit.update"):
        trail.record(CHAIN, HEAD, action, summary=action, after={"name": action},
                     table=Table())


def _anchor(minute: int = 0) -> dict[str, int]:
    from chalicelib.audit.anchor import anchor_heads

    return anchor_heads(Table(), clock=lambda: datetime(2026, 12, 7, 3, minute, tzinfo=UTC))


def _rewrite_entry_two_and_rehash() -> None:
    """What someone with write access to the table can do: change entry 2, re-hash
    it and every entry after it, and move the head onto the new last hash."""
    from chalicelib.kernel.audit_chain import entry_hash

    table = Table()
    entries = table.query(f"AUDIT#{CHAIN}", sk_prefix="E#", limit=50).items
    prev = entries[0]["hash"]
    for entry in entries[1:]:
        if int(entry["seq"]) == 2:
            entry["actor"] = "ke_gian"
        entry["prev_hash"] = prev
        entry["hash"] = prev = entry_hash(entry)
        table.put(entry)
    head = table.get(f"AUDIT#{CHAIN}", "HEAD")
    table.put({**head, "hash": prev})


def _drop_last_entry() -> None:
    table = Table()
    entries = table.query(f"AUDIT#{CHAIN}", sk_prefix="E#", limit=50).items
    table.delete(f"AUDIT#{CHAIN}", entries[-1]["sk"])
    head = table.get(f"AUDIT#{CHAIN}", "HEAD")
    table.put({**head, "seq": entries[-2]["seq"], "hash": entries[-2]["hash"]})


def test_a_chain_rewritten_and_rehashed_fails_verify_behind_a_signed_checkpoint(aws_env):
    from chalicelib.audit import trail
    from chalicelib.kernel.audit_chain import verify

    _chain_of_three()
    assert _anchor() == {"heads": 1, "anchored": 1}
    before = trail.verify_chain(CHAIN, Table())
    assert before.intact and before.anchored_seq == 3
    _rewrite_entry_two_and_rehash()
    # The hash chain alone is fooled: this is the attack of #21.
    store = trail.AuditStore(Table())
    assert verify(store.entries(CHAIN), store.head(CHAIN)).intact
    verdict = trail.verify_chain(CHAIN, Table())
    assert not verdict.intact and verdict.broken_at == 1
    assert "viết lại" in verdict.reason and "rewritten" in verdict.reason_en


def test_a_tail_dropped_behind_a_checkpoint_fails_verify(aws_env):
    from chalicelib.audit import trail

    _chain_of_three()
    _anchor()
    _drop_last_entry()
    verdict = trail.verify_chain(CHAIN, Table())
    assert not verdict.intact and verdict.entries == 2 and verdict.broken_at == 3
    assert "cắt bớt" in verdict.reason


def test_a_forged_or_moved_checkpoint_is_refused(aws_env):
    """Checkpoints are writable by the anchor's role only, and even so a forged one
    (a signature not of the key, or another seq's signature) is named."""
    import base64

    from chalicelib.audit import trail

    _chain_of_three()
    _anchor()
    table = Table()
    cp = table.get(f"AUDITCP#{CHAIN}", f"CP#{3:012d}")
    forged = {**cp, "sk": f"CP#{2:012d}", "seq": 2,
              "hash": trail.AuditStore(table).entries(CHAIN)[1]["hash"]}
    table.put(forged)  # seq 3's signature over seq 2's statement
    verdict = trail.verify_chain(CHAIN, Table())
    assert not verdict.intact and verdict.broken_at == 2 and "chữ ký" in verdict.reason
    table.put({**forged, "signature": base64.b64encode(b"x" * 256).decode()})
    assert not trail.verify_chain(CHAIN, Table()).intact


def test_the_job_anchors_each_moved_head_once_and_the_route_reports_it(aws_env, as_role,
                                                                       monkeypatch):
    """Run after run: only heads that moved get a new checkpoint; the verify route
    says up to where the trail is anchored, and that a rewrite is detected."""
    import json

    import app as app_module
    from chalicelib.audit import trail
    from chalicelib.local.scheduler import jobs_of

    assert "anchor_audit" in jobs_of(app_module.app)
    doc = _register()
    chain = f"incoming:{doc['id']}"
    first = _anchor(0)
    assert first["anchored"] >= 1
    assert _anchor(15)["anchored"] == 0  # nothing moved
    clerk = as_role("clerk")
    verified = json.loads(clerk.get(f"/api/audit/{chain}/verify").body)
    assert verified["intact"] and verified["anchored_seq"] == 1
    monkeypatch.setattr(trail, "utcnow", lambda: datetime(2026, 12, 7, 3, 20, tzinfo=UTC))
    trail.record(chain, HEAD, "incoming.progress", summary="Tiến độ", table=Table())
    assert _anchor(30)["anchored"] == 1
    assert json.loads(clerk.get(f"/api/audit/{chain}/verify").body)["anchored_seq"] == 2

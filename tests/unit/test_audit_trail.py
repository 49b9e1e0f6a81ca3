"""The audit trail's use cases against a fake of its store: entries chain per
item, a tampered entry is found, a writer that read a stale head loses, and
the export inspectors receive. The hashing itself is the kernel's
(test_audit_chain.py); here it runs through the trail as the routes use it."""

from __future__ import annotations

import pytest

from chalicelib.audit import trail
from chalicelib.kernel.errors import Conflict
from chalicelib.kernel.identity import Caller, Role
from tests.fakes import FakeAuditStore

CLERK = Caller("vanthu", frozenset({Role.CLERK}), unit="VP", source_ip="10.0.0.7",
               user_agent="Firefox")


@pytest.fixture()
def store() -> FakeAuditStore:
    return FakeAuditStore()


def test_entries_chain_in_order_and_verify(store) -> None:
    trail.record("doc:1", CLERK, "doc.view", summary="Xem văn bản", store=store)
    trail.record("doc:1", None, "doc.remind", after={"to": "chuyenvien"}, store=store)
    trail.record("doc:2", CLERK, "doc.view", store=store)

    shown = [trail.for_display(e) for e in trail.entries("doc:1", store=store)]
    assert [(e["seq"], e["actor"], e["action"], e["ip"]) for e in shown] == [
        (1, "vanthu", "doc.view", "10.0.0.7"), (2, "system", "doc.remind", "")]
    assert shown[1]["after"] == {"to": "chuyenvien"}
    verdict = trail.verify_chain("doc:1", store=store)
    assert verdict.intact and verdict.entries == 2
    assert trail.verify_chain("doc:9", store=store).intact  # never written: nothing to break


def test_an_entry_altered_after_it_was_written_is_named(store) -> None:
    for action in ("doc.view", "doc.download", "doc.view"):
        trail.record("doc:1", CLERK, action, store=store)
    store.chains["doc:1"][1]["actor"] = "ai_do"

    verdict = trail.verify_chain("doc:1", store=store)
    assert not verdict.intact and verdict.broken_at == 2
    assert "bị sửa" in verdict.reason


def test_two_writers_from_the_same_head_cannot_fork_the_chain(store) -> None:
    port = trail.Trail(store=store)
    head = port.head("task:1")
    first, second = store.unit_of_work(), store.unit_of_work()
    port.append(first, head, CLERK, "task.progress")
    port.append(second, head, CLERK, "task.progress")
    first.commit()
    with pytest.raises(Conflict):
        second.commit()
    assert [e["seq"] for e in trail.entries("task:1", store=store)] == [1]


def test_the_export_has_vietnamese_headers_and_one_row_an_entry(store) -> None:
    trail.record("user:an", CLERK, "user.login", summary="Đăng nhập", store=store)
    rows = trail.export_rows("user:an", store=store)
    assert rows[0][:3] == ["STT", "Thời điểm", "Người thực hiện"]
    assert rows[1][0] == 1 and rows[1][2] == "vanthu" and rows[1][4] == "Đăng nhập"
    # People read Hanoi's time, not the stored UTC instant.
    import re

    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", str(rows[1][1])), rows[1][1]


def test_a_reading_is_shown_in_time_order_but_never_moves_the_chain(store) -> None:
    """#21 item 3: readings sit beside the chain (no seq, no hash), so a reader
    never races a reader or a writer for the head."""
    port = trail.Trail(store=store)
    trail.record("doc:1", CLERK, "doc.register", store=store)
    head = port.head("doc:1")
    port.note("doc:1", CLERK, "doc.view", summary="Xem văn bản")
    port.note("doc:1", CLERK, "doc.view", summary="Xem văn bản")
    assert port.head("doc:1") == head  # the head did not move
    uow = store.unit_of_work()
    port.append(uow, head, CLERK, "doc.correct")
    uow.commit()  # a writer that read the head before the readings still wins
    shown = [trail.for_display(e) for e in trail.timeline("doc:1", store=store)]
    assert sorted((e["action"], e["seq"]) for e in shown) == [
        ("doc.correct", 2), ("doc.register", 1), ("doc.view", None), ("doc.view", None)]
    assert all(e["hash"] is None for e in shown if e["seq"] is None)
    assert trail.verify_chain("doc:1", store=store).intact
    rows = trail.export_rows("doc:1", store=store)
    assert len(rows) == 5 and sorted(r[0] for r in rows[1:] if r[0] is not None) == [1, 2]

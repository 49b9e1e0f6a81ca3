"""The audit hash chain detects every kind of tampering."""

from __future__ import annotations

import copy

from chalicelib.kernel.audit_chain import GENESIS, ChainHead, next_entry, verify


def build(n: int) -> tuple[list[dict], ChainHead]:
    head = ChainHead("user:lan")
    entries = []
    for i in range(n):
        e = next_entry(head, at=f"2026-11-27T01:0{i}:00Z", actor="quantri", action="user.update",
                       ip="10.0.0.1", user_agent="UA", summary=f"đổi {i}",
                       before={"unit": "VP"}, after={"unit": "PTH"})
        entries.append(e)
        head = ChainHead(head.chain, e["seq"], e["hash"])
    return entries, head


def test_intact_chain_verifies():
    entries, head = build(5)
    assert verify(entries, head).intact
    assert verify([], None).intact
    assert entries[0]["prev_hash"] == GENESIS


def test_altered_field_is_detected_at_its_entry():
    entries, head = build(5)
    forged = copy.deepcopy(entries)
    forged[2]["after"] = {"unit": "BGD"}
    v = verify(forged, head)
    assert not v.intact and v.broken_at == 3
    assert "bị sửa" in v.reason


def test_removed_or_reordered_entries_are_detected():
    entries, head = build(4)
    assert not verify(entries[:2] + entries[3:], head).intact
    assert not verify([entries[1], entries[0]] + entries[2:], head).intact
    assert not verify(entries[:-1], head).intact  # last one dropped


def test_rehashed_forgery_breaks_the_link_or_the_head():
    entries, head = build(3)
    forged = copy.deepcopy(entries)
    forged[1]["summary"] = "giả mạo"
    from chalicelib.kernel.audit_chain import entry_hash

    forged[1]["hash"] = entry_hash(forged[1])
    assert not verify(forged, head).intact

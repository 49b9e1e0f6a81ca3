"""The audit trail as a hash chain per item.

Each entry carries the hash of the one before it, and its own hash covers
every field that matters, so changing, removing or reordering a stored entry
breaks the chain at that point. ``verify`` recomputes the chain and says
where it breaks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The fields an entry's hash covers, in a fixed order; a new field must be added
# here (old entries keep verifying because absent fields hash as null).
HASHED_FIELDS = (
    "chain", "seq", "at", "actor", "action", "ip", "user_agent", "summary",
    "before", "after", "prev_hash",
)


def canonical(entry: Mapping[str, Any]) -> bytes:
    data = {name: entry.get(name) for name in HASHED_FIELDS}
    # Stores hand numbers back as other types (DynamoDB: Decimal); the hash must not care.
    data["seq"] = int(data["seq"]) if data["seq"] is not None else None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")


def entry_hash(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    chain: str
    seq: int = 0
    hash: str = GENESIS


def as_json(value: Any) -> str | None:
    """Before/after travel as canonical JSON text, so that what is read back from
    any store hashes exactly as what was written."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def next_entry(head: ChainHead, *, at: str, actor: str, action: str, ip: str = "",
               user_agent: str = "", summary: str = "", before: Any = None,
               after: Any = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "chain": head.chain, "seq": head.seq + 1, "at": at, "actor": actor,
        "action": action, "ip": ip, "user_agent": user_agent[:300], "summary": summary,
        "before": as_json(before), "after": as_json(after), "prev_hash": head.hash,
    }
    entry["hash"] = entry_hash(entry)
    return entry


@dataclass(frozen=True)
class Verdict:
    intact: bool
    entries: int
    broken_at: int | None = None
    reason: str = ""
    reason_en: str = ""
    # The last entry a signed checkpoint vouches for (0: none yet); see audit.anchor.
    anchored_seq: int = 0


def verify(entries: Iterable[Mapping[str, Any]], head: ChainHead | None) -> Verdict:
    """``entries`` in sequence order; ``head`` as the item records it (None if the
    chain was never started)."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for entry in entries:
        seq = int(entry.get("seq", -1))
        if seq != expected_seq:
            return Verdict(False, count, seq, f"Thiếu hoặc sai thứ tự mục nhật ký (số {seq}).",
                           f"Missing or out-of-order entry (seq {seq}).")
        if entry.get("prev_hash") != prev:
            return Verdict(False, count, seq, f"Mục {seq} không nối với mục trước.",
                           f"Entry {seq} does not link to the previous one.")
        if entry_hash(entry) != entry.get("hash"):
            return Verdict(False, count, seq, f"Mục {seq} đã bị sửa sau khi ghi.",
                           f"Entry {seq} was altered after it was written.")
        prev = str(entry["hash"])
        expected_seq += 1
        count += 1
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS
    if head_seq != count or head_hash != prev:
        return Verdict(False, count, count + 1 if head_seq > count else count,
                       "Nhật ký bị thiếu mục cuối hoặc đầu chuỗi không khớp.",
                       "Entries are missing at the end, or the head does not match.")
    return Verdict(True, count)

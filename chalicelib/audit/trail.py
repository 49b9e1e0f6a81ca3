"""The audit trail: who did and saw what, when, from where.

Entries are written in the same DynamoDB transaction as the change they record
(callers pass their UnitOfWork), are never updated or deleted (every write is
conditional on the entry not existing), and chain per item: the chain's head
moves only from the sequence number the writer read, so two concurrent writers
cannot fork a chain — one of them gets a 409 and retries. Where the entries
live is ``audit.store``'s business.

A reading (a view, a download) changes nothing, so it is not a link of the
chain: ``note`` writes it beside the chain, where no two readers can collide
(#21: eight heads opening one document at once got six 409s). The trail shown
and exported is both, in time order; ``verify`` checks the chain.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamo import Table
from chalicelib.audit.labels import action_label

if TYPE_CHECKING:
    from chalicelib.audit.anchor import AnchorKey
from chalicelib.audit.store import AuditStore
from chalicelib.kernel.audit_chain import ChainHead, Verdict, next_entry, verify
from chalicelib.kernel.composition import given
from chalicelib.kernel.events import iso, utcnow
from chalicelib.kernel.identity import Caller
from chalicelib.kernel.ports import UnitOfWork as UnitOfWorkPort


def _store(table: Table | None, store: AuditStore | None) -> AuditStore:
    return store or AuditStore(given(table))


def head_of(chain: str, table: Table | None = None, *,
            store: AuditStore | None = None) -> ChainHead:
    return _store(table, store).head(chain) or ChainHead(chain)


def append(uow: UnitOfWorkPort, head: ChainHead, caller: Caller | None, action: str, *,
           summary: str = "", before: Any = None, after: Any = None,
           actor: str | None = None, store: AuditStore | None = None) -> dict[str, Any]:
    entry = next_entry(
        head, at=iso(utcnow()), actor=actor or (caller.username if caller else "system"),
        action=action, ip=caller.source_ip if caller else "",
        user_agent=caller.user_agent if caller else "", summary=summary,
        before=before, after=after,
    )
    (store.add if store is not None else AuditStore.add)(uow, head, entry)
    return entry


def record(chain: str, caller: Caller | None, action: str, *, summary: str = "",
           before: Any = None, after: Any = None, actor: str | None = None,
           table: Table | None = None, store: AuditStore | None = None) -> dict[str, Any]:
    """An entry on its own (a view, a download, a sign-in): its own transaction."""
    store = _store(table, store)
    uow = store.unit_of_work()
    entry = append(uow, head_of(chain, store=store), caller, action, summary=summary,
                   before=before, after=after, actor=actor, store=store)
    uow.commit()
    return entry


def note(chain: str, caller: Caller | None, action: str, *, summary: str = "",
         actor: str | None = None, table: Table | None = None,
         store: AuditStore | None = None) -> dict[str, Any]:
    """A reading: recorded at once, outside the chain, never in conflict."""
    entry = {
        "id": uuid.uuid4().hex, "chain": chain, "at": iso(utcnow()),
        "actor": actor or (caller.username if caller else "system"), "action": action,
        "ip": caller.source_ip if caller else "",
        "user_agent": (caller.user_agent if caller else "")[:300], "summary": summary,
    }
    _store(table, store).add_reading(chain, entry)
    return entry


def timeline(chain: str, table: Table | None = None, *,
             store: AuditStore | None = None) -> list[dict[str, Any]]:
    """The chain's entries and the readings, oldest first (a reading and an entry
    of the same instant: the entry first)."""
    store = _store(table, store)
    both = [*store.entries(chain), *store.readings(chain)]
    return sorted(both, key=lambda e: (str(e["at"]), e.get("seq") is None,
                                       int(e.get("seq") or 0)))


def entries(chain: str, table: Table | None = None, *,
            store: AuditStore | None = None) -> list[dict[str, Any]]:
    return _store(table, store).entries(chain)


def verify_chain(chain: str, table: Table | None = None, *,
                 store: AuditStore | None = None, key: AnchorKey | None = None) -> Verdict:
    """The hash chain, then the chain held to its signed checkpoints: a rewrite
    re-hashed to the head, or a dropped tail, is caught behind the last one."""
    from chalicelib.audit.anchor import check

    store = _store(table, store)
    chained = store.entries(chain)
    return check(chain, chained, verify(chained, store.head(chain)),
                 store.checkpoints(chain), key)


def for_display(entry: dict[str, Any]) -> dict[str, Any]:
    """One line of the trail; a reading has no ``seq`` nor ``hash`` (None)."""
    chained = entry.get("seq") is not None
    return {
        "seq": int(entry["seq"]) if chained else None, "at": entry["at"], "actor": entry["actor"],
        "action": entry["action"], "action_label": action_label(entry["action"]),
        "ip": entry.get("ip", ""),
        "user_agent": entry.get("user_agent", ""), "summary": entry.get("summary", ""),
        "before": json.loads(entry["before"]) if entry.get("before") else None,
        "after": json.loads(entry["after"]) if entry.get("after") else None,
        "hash": entry["hash"] if chained else None,
    }


EXPORT_COLUMNS = (
    ("seq", "STT"), ("at", "Thời điểm"), ("actor", "Người thực hiện"),
    ("action", "Hành động"), ("summary", "Tóm tắt"), ("ip", "Địa chỉ IP"),
    ("user_agent", "Trình duyệt"), ("before", "Trước"), ("after", "Sau"), ("hash", "Mã băm"),
)


def export_rows(chain: str, table: Table | None = None, *,
                store: AuditStore | None = None) -> list[list[object]]:
    """Header, then one row per entry or reading; the number stays a number (a
    reading has none), the time is Hanoi's, the action its Vietnamese name,
    everything else is text."""
    rows: list[list[object]] = [[label for _, label in EXPORT_COLUMNS]]
    for entry in timeline(chain, table, store=store):
        seq = entry.get("seq")
        view = {**entry, "action": action_label(entry["action"]), "at": _local(entry["at"])}
        rows.append([(int(seq) if seq is not None else None) if name == "seq"
                     else ("" if view.get(name) is None else str(view.get(name)))
                     for name, _ in EXPORT_COLUMNS])
    return rows


def _local(at: str) -> str:
    """A stored UTC instant as people read it: Hanoi time, to the second."""
    from zoneinfo import ZoneInfo

    from chalicelib.kernel.events import instant

    moment = instant(at)
    return f"{moment.astimezone(ZoneInfo('Asia/Ho_Chi_Minh')):%d/%m/%Y %H:%M:%S}" if moment \
        else at


class Trail:
    """The trail as a port (``kernel.ports.AuditTrail``) over the table, for use
    cases that receive their collaborators from the composition root."""

    def __init__(self, table: Table | None = None, store: AuditStore | None = None) -> None:
        self.table = table
        self.store = _store(table, store)

    def head(self, chain: str) -> ChainHead:
        return head_of(chain, store=self.store)

    def append(self, uow: UnitOfWorkPort, head: ChainHead, caller: Caller | None, action: str,
               *, summary: str = "", before: Any = None, after: Any = None,
               actor: str | None = None) -> dict[str, Any]:
        return append(uow, head, caller, action, summary=summary, before=before, after=after,
                      actor=actor, store=self.store)

    def note(self, chain: str, caller: Caller | None, action: str, *, summary: str = "",
             actor: str | None = None) -> dict[str, Any]:
        return note(chain, caller, action, summary=summary, actor=actor, store=self.store)

"""The audit trail: who did and saw what, when, from where.

Entries are written in the same DynamoDB transaction as the change they record
(callers pass their UnitOfWork), are never updated or deleted (every write is
conditional on the entry not existing), and chain per item: the chain's head
moves only from the sequence number the writer read, so two concurrent writers
cannot fork a chain — one of them gets a 409 and retries. Where the entries
live is ``audit.store``'s business.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.audit.labels import action_label
from chalicelib.audit.store import AuditStore
from chalicelib.kernel.audit_chain import ChainHead, Verdict, next_entry, verify
from chalicelib.kernel.events import iso, utcnow
from chalicelib.kernel.identity import Caller
from chalicelib.kernel.ports import UnitOfWork as UnitOfWorkPort


def _store(table: Table | None, store: AuditStore | None) -> AuditStore:
    return store or AuditStore(table or Table())


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


def entries(chain: str, table: Table | None = None, *,
            store: AuditStore | None = None) -> list[dict[str, Any]]:
    return _store(table, store).entries(chain)


def verify_chain(chain: str, table: Table | None = None, *,
                 store: AuditStore | None = None) -> Verdict:
    store = _store(table, store)
    return verify(store.entries(chain), store.head(chain))


def for_display(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": int(entry["seq"]), "at": entry["at"], "actor": entry["actor"],
        "action": entry["action"], "action_label": action_label(entry["action"]),
        "ip": entry.get("ip", ""),
        "user_agent": entry.get("user_agent", ""), "summary": entry.get("summary", ""),
        "before": json.loads(entry["before"]) if entry.get("before") else None,
        "after": json.loads(entry["after"]) if entry.get("after") else None,
        "hash": entry["hash"],
    }


EXPORT_COLUMNS = (
    ("seq", "STT"), ("at", "Thời điểm (UTC)"), ("actor", "Người thực hiện"),
    ("action", "Hành động"), ("summary", "Tóm tắt"), ("ip", "Địa chỉ IP"),
    ("user_agent", "Trình duyệt"), ("before", "Trước"), ("after", "Sau"), ("hash", "Mã băm"),
)


def export_rows(chain: str, table: Table | None = None, *,
                store: AuditStore | None = None) -> list[list[str]]:
    rows = [[label for _, label in EXPORT_COLUMNS]]
    for entry in entries(chain, table, store=store):
        view = {**entry, "seq": int(entry["seq"]), "action": action_label(entry["action"])}
        rows.append(["" if view.get(name) is None else str(view.get(name))
                     for name, _ in EXPORT_COLUMNS])
    return rows


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

"""The audit trail: who did and saw what, when, from where.

Entries are written in the same DynamoDB transaction as the change they record
(callers pass their UnitOfWork), are never updated or deleted (every write is
conditional on the entry not existing), and chain per item: the head item
``AUDIT#{chain}/HEAD`` moves only from the sequence number the writer read, so
two concurrent writers cannot fork a chain — one of them gets a 409 and retries.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.dynamo import Table, put_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.kernel.audit_chain import ChainHead, Verdict, next_entry, verify
from chalicelib.kernel.events import iso, utcnow
from chalicelib.kernel.identity import Caller


def _pk(chain: str) -> str:
    return f"AUDIT#{chain}"


def head_of(chain: str, table: Table | None = None) -> ChainHead:
    item = (table or Table()).get(_pk(chain), "HEAD", consistent=True)
    if item is None:
        return ChainHead(chain)
    return ChainHead(chain, int(item["seq"]), str(item["hash"]))


def append(uow: UnitOfWork, head: ChainHead, caller: Caller | None, action: str, *,
           summary: str = "", before: Any = None, after: Any = None,
           actor: str | None = None) -> dict[str, Any]:
    entry = next_entry(
        head, at=iso(utcnow()), actor=actor or (caller.username if caller else "system"),
        action=action, ip=caller.source_ip if caller else "",
        user_agent=caller.user_agent if caller else "", summary=summary,
        before=before, after=after,
    )
    item = {"pk": _pk(head.chain), "sk": f"E#{entry['seq']:012d}", "kind": "audit", **entry}
    uow.add(put_op(item, condition="attribute_not_exists(pk)"))
    head_item = {"pk": _pk(head.chain), "sk": "HEAD", "kind": "audit_head",
                 "seq": entry["seq"], "hash": entry["hash"], "updated_at": entry["at"]}
    if head.seq == 0:
        uow.add(put_op(head_item, condition="attribute_not_exists(pk)"))
    else:
        uow.add(put_op(head_item, condition="#seq = :prev", names={"#seq": "seq"},
                       values={":prev": head.seq}))
    return entry


def record(chain: str, caller: Caller | None, action: str, *, summary: str = "",
           before: Any = None, after: Any = None, actor: str | None = None,
           table: Table | None = None) -> dict[str, Any]:
    """An entry on its own (a view, a download, a sign-in): its own transaction."""
    table = table or Table()
    uow = UnitOfWork(table)
    entry = append(uow, head_of(chain, table), caller, action, summary=summary, before=before,
                   after=after, actor=actor)
    uow.commit()
    return entry


def entries(chain: str, table: Table | None = None) -> list[dict[str, Any]]:
    table = table or Table()
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = table.query(_pk(chain), sk_prefix="E#", limit=500, cursor=cursor)
        out.extend(page.items)
        cursor = page.cursor
        if not cursor:
            return out


def verify_chain(chain: str, table: Table | None = None) -> Verdict:
    table = table or Table()
    head_item = table.get(_pk(chain), "HEAD", consistent=True)
    head = ChainHead(chain, int(head_item["seq"]), str(head_item["hash"])) if head_item else None
    return verify(entries(chain, table), head)


def for_display(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": int(entry["seq"]), "at": entry["at"], "actor": entry["actor"],
        "action": entry["action"], "ip": entry.get("ip", ""),
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


def export_rows(chain: str, table: Table | None = None) -> list[list[str]]:
    rows = [[label for _, label in EXPORT_COLUMNS]]
    for entry in entries(chain, table):
        view = {**entry, "seq": int(entry["seq"])}
        rows.append(["" if view.get(name) is None else str(view.get(name))
                     for name, _ in EXPORT_COLUMNS])
    return rows


class Trail:
    """The trail as a port (``kernel.ports.AuditTrail``) over the table, for use
    cases that receive their collaborators from the composition root."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def head(self, chain: str) -> ChainHead:
        return head_of(chain, self.table)

    def append(self, uow: UnitOfWork, head: ChainHead, caller: Caller | None, action: str, *,
               summary: str = "", before: Any = None, after: Any = None,
               actor: str | None = None) -> dict[str, Any]:
        return append(uow, head, caller, action, summary=summary, before=before, after=after,
                      actor=actor)

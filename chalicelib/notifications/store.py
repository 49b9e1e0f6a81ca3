"""Where a person's notifications live, and the only code that knows their keys.

- a notice: ``NOTE#{username}`` / ``{id}``, where the id starts with the UTC
  instant of the event (``20261127T003000123Z-…``), so that the partition read
  backwards is the newest first (kind, title, link, created_at, read_at,
  expires_at 90 days after it was made);
- unread notices are also in the sparse gsi1 partition ``NOTE_UNREAD#{username}``
  (sort key the id): marking read removes them from it, and "mark all read"
  reads only what is unread;
- the unread counter: ``NOTE#{username}`` / ``~UNREAD`` (``unread``), which sorts
  after every id, so that the first page of the list read backwards starts
  with it: the list and its count are one request. A notice and the counter
  change in one transaction; the counter expires with the newest notice;
- mail claims: ``NOTE_MAIL#{event id}`` / ``{username}``, a conditional put
  before a mail is sent (one mail per event per person, however often the step
  runs), expiring after 40 days.
"""

from __future__ import annotations

import time
from typing import Any

from chalicelib.adapters.dynamo import (
    Table,
    decode_cursor,
    encode_cursor,
    from_dynamo,
    put_op,
    to_dynamo,
    update_op,
)
from chalicelib.kernel.errors import Conflict, InvalidInput

KEEP_DAYS = 90
CLAIM_DAYS = 40
COUNTER_SORT = "~UNREAD"  # after every id: the first item of a backward read
BATCH = 99  # notices marked per transaction, with the counter's update (100 at most)


def _pk(username: str) -> str:
    return f"NOTE#{username}"


def _unread_pk(username: str) -> str:
    return f"NOTE_UNREAD#{username}"


def _counter_add(username: str, by: int, expires_at: int | None = None) -> dict[str, Any]:
    expression = "ADD unread :n SET kind = :k"
    values: dict[str, Any] = {":n": by, ":k": "notice_counter"}
    if expires_at is not None:
        expression += ", expires_at = :e"
        values[":e"] = expires_at
    return update_op(_pk(username), COUNTER_SORT, expression, values=values)


def _read_op(username: str, note_id: str, at: str) -> dict[str, Any]:
    """Mark one notice read, only if it is still unread (it leaves the unread index)."""
    return update_op(_pk(username), note_id, "SET read_at = :at REMOVE gsi1pk, gsi1sk",
                     condition="attribute_exists(gsi1pk)", values={":at": at})


class NoticeStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- writing

    def add(self, username: str, note: dict[str, Any]) -> bool:
        """A new unread notice (``note`` carries its ``id``, created_at and the
        rest) and the counter up by one, together; False when that id is
        already there (a step run again), and then nothing changes."""
        expires_at = int(time.time()) + KEEP_DAYS * 86400
        item = {**note, "pk": _pk(username), "sk": note["id"], "kind": "notice",
                "username": username, "expires_at": expires_at,
                "gsi1pk": _unread_pk(username), "gsi1sk": note["id"]}
        try:
            self.table.transact([put_op(item, condition="attribute_not_exists(pk)"),
                                 _counter_add(username, 1, expires_at)])
        except Conflict:
            return False
        return True

    def mark_read(self, username: str, note_id: str, at: str) -> bool:
        """Read now; False when it was read already (the counter is left alone)."""
        try:
            self.table.transact([_read_op(username, note_id, at), _counter_add(username, -1)])
        except Conflict:
            return False
        return True

    def mark_all_read(self, username: str, at: str) -> int:
        """Every unread notice read: the sparse unread index a page at a time (a
        cursor, so that the index's lag never shows a page twice), each page in
        one transaction with the counter's update; a page that lost a race with
        another reader is marked one by one. Finally the counter is set to
        nothing unread (it may have drifted when unread notices expired)."""
        marked = 0
        cursor = None
        while True:
            page = self.table.query(_unread_pk(username), index="gsi1", limit=BATCH,
                                    cursor=cursor)
            ids = [i["sk"] for i in page.items]
            if ids:
                try:
                    self.table.transact([*(_read_op(username, i, at) for i in ids),
                                         _counter_add(username, -len(ids))])
                    marked += len(ids)
                except Conflict:
                    marked += sum(self.mark_read(username, i, at) for i in ids)
            cursor = page.cursor
            if not cursor:
                break
        self.table.update(_pk(username), COUNTER_SORT, "SET unread = :zero, kind = :k",
                          values={":zero": 0, ":k": "notice_counter"})
        return marked

    # ---- reading

    def get(self, username: str, note_id: str) -> dict[str, Any] | None:
        if note_id == COUNTER_SORT:
            return None
        return self.table.get(_pk(username), note_id)

    def page(self, username: str, limit: int, cursor: str | None
             ) -> tuple[list[dict[str, Any]], int | None, str | None]:
        """One request: the newest ``limit`` notices from ``cursor``, the unread
        count (on the first page, where the counter comes first; None after),
        and the cursor of the next page."""
        pk = _pk(username)
        start = decode_cursor(cursor)
        if start is not None and from_dynamo(start).get("pk") != pk:
            raise InvalidInput("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.",
                               "invalid_cursor")
        first = start is None
        page = self.table.query(pk, limit=limit + 1 if first else limit, cursor=cursor,
                                forward=False)
        found = page.items
        unread: int | None = None
        if first:
            unread = 0
            if found and found[0]["sk"] == COUNTER_SORT:
                unread = max(0, int(found.pop(0).get("unread") or 0))
            if len(found) > limit:  # no counter yet: one notice too many was read
                found = found[:limit]
                last = found[-1]
                return found, unread, encode_cursor(to_dynamo({"pk": pk, "sk": last["sk"]}))
        return found, unread, page.cursor

    def unread(self, username: str) -> int:
        item = self.table.get(_pk(username), COUNTER_SORT)
        return max(0, int((item or {}).get("unread") or 0))

    # ---- one mail per event per person

    def claim_mail(self, event_id: str, username: str) -> bool:
        return self.table.put_new({"pk": f"NOTE_MAIL#{event_id}", "sk": username,
                                   "kind": "claim",
                                   "expires_at": int(time.time()) + CLAIM_DAYS * 86400})

    def release_mail(self, event_id: str, username: str) -> None:
        self.table.delete(f"NOTE_MAIL#{event_id}", username)

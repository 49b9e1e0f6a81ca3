"""Where outgoing documents live in the table, and the only code that knows their keys.

- ``OUT#{id}/OUT`` the document (kind ``outgoing``); ``gsi1`` ``VERIFY#{code}`` /
  ``{id}`` (the code printed under the QR); once numbered, ``gsi3``
  ``REGISTER#outgoing#{year}`` / ``{series}#{number:08}`` (the register of the year);
- ``OUT#{id}/V#{n:04}`` its versions, ``OUT#{id}/NOTE#{at}#{rand}`` its comments;
- ``OUT#{id}/SCOPE#{scope}`` one list entry per scope that may see it
  (``{scope}#outgoing`` / ``{created_at}#{id}``, newest first);
- ``COUNTER#outgoing#{year}#{series}/COUNTER`` the number counter of a series;
- ``DELIVERY#{token}/DELIVERY`` an e-mailed delivery link (doc_id, recipient,
  expires_at, ttl);
- ``CONFIG#review_chains/CHAINS`` the review chain of each document type;
- ``STATS#volume#outgoing`` / ``{YYYY-MM}`` and
  ``STATS#volume#outgoing#UNIT#{drafting unit}`` / ``{YYYY-MM}`` documents
  numbered (issued) that month, field ``n``, added in the numbering transaction
  (the dashboard's volumes).

Every save of a document is conditional on the version it was read at (a lost
race is a 409, never an overwrite) and rewrites its list entries for its scopes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from chalicelib.adapters.dynamo import put_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork
from chalicelib.adapters.scoped_lists import (
    ScopedPage,
    list_scoped,
    partition,
    save_with_entries,
)
from chalicelib.kernel.access import AGENCY, ItemAccess, Kind, Secrecy, item_scopes

KIND = Kind.OUTGOING.value
VOLUME = "STATS#volume#outgoing"
# What a list shows of a document, copied into each of its list entries.
SUMMARY = ("id", "type_code", "type_name", "subject", "status", "do_khan", "do_mat",
           "number_text", "issued_on", "signer", "created_by", "created_at", "updated_at")
# Attributes of the stored document that are about where it is kept, not what it says.
STORAGE_ATTRIBUTES = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk",
                                "gsi3sk", "kind"})


def access_of(doc: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.OUTGOING, units=frozenset(doc.get("units") or []),
                      people=frozenset(doc.get("people") or []),
                      secrecy=Secrecy(doc.get("do_mat") or ""))


class OutgoingStore(TableStore):
    # ------------------------------------------------------------ reading

    def get(self, doc_id: str, *, consistent: bool = True) -> dict[str, Any] | None:
        return self.table.get(f"OUT#{doc_id}", "OUT", consistent=consistent)

    def versions_and_notes(self, doc_id: str
                           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The document's versions and comments, oldest first (one query)."""
        rest = self.table.query(f"OUT#{doc_id}", limit=500).items
        return ([v for v in rest if v["sk"].startswith("V#")],
                [n for n in rest if n["sk"].startswith("NOTE#")])

    def version(self, doc_id: str, number: int) -> dict[str, Any] | None:
        return self.table.get(f"OUT#{doc_id}", f"V#{int(number):04d}")

    def page(self, scopes: Iterable[str], cursor: str | None, limit: int,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        return list_scoped(KIND, scopes, cursor=cursor, limit=limit, accept=accept,
                           table=self.table)

    def by_code(self, code: str) -> dict[str, Any] | None:
        """The item behind a printed code: an outgoing document, or any other item
        filed under the same code (a one-stop result)."""
        page = self.table.query(f"VERIFY#{code}", index="gsi1", limit=1)
        return page.items[0] if page.items else None

    def register(self, year: int) -> list[dict[str, Any]]:
        """The documents numbered in ``year``, by series then number."""
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(f"REGISTER#outgoing#{year}", index="gsi3", limit=500,
                                    cursor=cursor)
            out.extend(i for i in page.items if i.get("kind") == "outgoing")
            cursor = page.cursor
            if not cursor:
                return out

    def counter(self, year: int, series: str) -> int | None:
        """The last number taken in the series this year; None before the first."""
        item = self.table.get(*self._counter_key(year, series), consistent=True)
        return int(item["value"]) if item else None

    def volumes(self, units: Iterable[str | None], months: Iterable[str]
                ) -> dict[tuple[str | None, str], int]:
        """Documents numbered per month, of the agency (unit None) or drafted by a
        unit: one counter item per (unit, month), read in batches of 100."""
        keys = {(VOLUME + (f"#UNIT#{u}" if u else ""), m): (u, m) for u in units for m in months}
        found = self.table.batch_get(list(keys))
        return {keys[k]: int(item.get("n", 0)) for k, item in found.items() if k in keys}

    def created_between(self, since: str, until: str, *, types: set[str] | None = None
                        ) -> list[dict[str, Any]]:
        """Every document not secret created in ``[since, until)`` (ISO instants),
        of ``types`` (None: any), whole, oldest first: the agency's list
        partition read by its sort key, then the documents in batches. A secret
        document is listed under its people only, so it is not among them."""
        keys: list[tuple[str, str]] = []
        start: dict[str, Any] | None = None
        while True:
            items, start = self.table.query_range(partition(AGENCY, KIND), index="gsi1",
                                                  low=since, below=until, start=start,
                                                  limit=500)
            keys.extend((f"OUT#{i['id']}", "OUT") for i in items
                        if types is None or i.get("type_code") in types)
            if start is None:
                break
        found = self.table.batch_get(keys)
        return [found[k] for k in keys if k in found]

    def review_chains(self) -> dict[str, list[str]]:
        """The chains an administrator set, by document type (the others default)."""
        stored = self.table.get("CONFIG#review_chains", "CHAINS") or {}
        return dict(stored.get("chains") or {})

    def delivery(self, token: str) -> dict[str, Any] | None:
        return self.table.get(f"DELIVERY#{token}", "DELIVERY")

    # ------------------------------------------------------------ writing

    def add(self, uow: UnitOfWork, doc: dict[str, Any]) -> dict[str, Any]:
        """A new document (refused if its id exists), findable by its code, with its
        list entries. Returns it as stored."""
        stored = {"pk": f"OUT#{doc['id']}", "sk": "OUT", "kind": "outgoing", **doc,
                  "gsi1pk": f"VERIFY#{doc['code']}", "gsi1sk": doc["id"]}
        uow.add(put_op(stored, condition="attribute_not_exists(pk)"))
        for entry in self._entries(stored):
            uow.add(put_op(entry))
        return stored

    def save(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]
             ) -> dict[str, Any]:
        """The document over the version it was read at, its list entries rewritten
        for its scopes now. Returns it as written (version and updated_at moved on)."""
        return save_with_entries(uow, before, after, self._entries)

    def save_numbered(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any],
                      *, counter: int | None) -> dict[str, Any]:
        """The document with the number it took (``after``'s year, series, number):
        the series counter moves on from the value read (``counter``, None when
        the series has none yet) in the same change, and the document enters the
        register of the year. A concurrent numbering makes the change a 409."""
        year, series, number = int(after["year"]), str(after["series"]), int(after["number"])
        pk, sk = self._counter_key(year, series)
        item = {"pk": pk, "sk": sk, "kind": "counter", "value": number}
        if counter is None:
            uow.add(put_op(item, condition="attribute_not_exists(pk)"))
        else:
            uow.add(put_op(item, condition="#v = :v", names={"#v": "value"},
                           values={":v": counter}))
        month = str(after.get("issued_on") or "")[:7] or f"{year}-01"
        uow.count(VOLUME, month, n=1)
        if after.get("drafting_unit"):
            uow.count(f"{VOLUME}#UNIT#{after['drafting_unit']}", month, n=1)
        after = {**after, "gsi3pk": f"REGISTER#outgoing#{year}",
                 "gsi3sk": f"{series}#{number:08d}"}
        return self.save(uow, before, after)

    def add_version(self, uow: UnitOfWork, doc_id: str, version: dict[str, Any]) -> None:
        uow.add(put_op({"pk": f"OUT#{doc_id}", "sk": f"V#{int(version['number']):04d}",
                        "kind": "outgoing_version", **version},
                       condition="attribute_not_exists(pk)"))

    def add_note(self, uow: UnitOfWork | None, doc_id: str, note: dict[str, Any]) -> None:
        """A comment (``note["at"]`` orders it); on its own when no change is given."""
        item = {"pk": f"OUT#{doc_id}", "sk": f"NOTE#{note['at']}#{uuid.uuid4().hex[:6]}",
                "kind": "outgoing_note", **note}
        if uow is None:
            self.table.put(item)
        else:
            uow.add(put_op(item))

    def save_review_chains(self, uow: UnitOfWork, chains: dict[str, list[str]]) -> None:
        uow.add(put_op({"pk": "CONFIG#review_chains", "sk": "CHAINS", "kind": "config",
                        "chains": chains}))

    def add_delivery(self, token: str, *, doc_id: str, recipient: str, expires_at: str,
                     ttl: int) -> None:
        self.table.put({"pk": f"DELIVERY#{token}", "sk": "DELIVERY", "kind": "delivery",
                        "doc_id": doc_id, "recipient": recipient, "expires_at": expires_at,
                        "ttl": ttl})

    def note_delivered_incoming(self, doc_id: str, incoming_ids: list[str]) -> None:
        # The version moves on so that a stale full write of the document fails.
        self.table.update(f"OUT#{doc_id}", "OUT",
                          "SET delivered_incoming = :d, version = version + :one",
                          values={":d": incoming_ids, ":one": 1})

    def link(self, doc_id: str, *, bump: bool = True, **fields: Any) -> None:
        """Name what the document was drafted for (``meeting_id``, ``dossier_id``,
        ``complaint_id``); with ``bump`` the version moves on so that a stale full
        write fails."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values: dict[str, Any] = {f":f{i}": value for i, value in enumerate(fields.values())}
        sets = ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
        if bump:
            sets += ", version = version + :one"
            values[":one"] = 1
        self.table.update(f"OUT#{doc_id}", "OUT", f"SET {sets}", names=names, values=values)

    # ------------------------------------------------------------ keys

    @staticmethod
    def _counter_key(year: int, series: str) -> tuple[str, str]:
        return f"COUNTER#outgoing#{year}#{series}", "COUNTER"

    @staticmethod
    def _entries(doc: dict[str, Any]) -> list[dict[str, Any]]:
        summary = {k: doc.get(k) for k in SUMMARY}
        return [{"pk": f"OUT#{doc['id']}", "sk": f"SCOPE#{scope}", "kind": "scope_entry",
                 "gsi1pk": partition(scope, KIND), "gsi1sk": f"{doc['created_at']}#{doc['id']}",
                 **summary} for scope in sorted(item_scopes(access_of(doc)))]

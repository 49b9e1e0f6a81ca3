"""Where incoming documents live in the table, and the only code that knows their keys.

- the document: ``DOC#{id}/DOC``; the same file is found by gsi1
  ``SHA#{sha256}`` / ``DOC#{id}``, a possible duplicate by gsi2
  ``DUPKEY#{year}#{số ký hiệu}#{agency folded}`` / ``{id}``, and the agency's
  incoming register is gsi3 ``REGISTER#incoming#{year}`` / ``{so_den:08}``;
- one list entry per scope that may see it: ``DOC#{id}/SCOPE#{scope}`` in the
  gsi1 partition ``{scope}#incoming`` / ``{arrival_at}#{id}``, newest first,
  carrying the summary lists show;
- the incoming number (số đến) counter ``COUNTER#incoming#{year}/COUNTER``,
  moved in the registering transaction from the value read;
- pointers, so that the intake's duplicate checks are key reads (one
  BatchGetItem with the counter) instead of index queries:
  ``PTR#sha256#{hash}/PTR`` and ``PTR#dupkey#{duplicate key}/PTR``, each a
  string set ``docs`` of ``{id}|{so_den_text}|{year}`` for every document with
  that file or that number + symbol + agency. Added to in the registering
  transaction (conditional on ``attribute_not_exists(docs)`` when the caller
  read it absent and relied on that: a lost race is a Conflict), moved when a
  correction changes the duplicate key. ``PTR#complete/PTR`` says every
  document has its pointers (``backfill_pointers``); until it exists an absent
  pointer proves nothing and the index queries answer instead;
- work on the document, one item per assignee (``DOC#{id}/WORK#{assignee}``,
  the shape of ``work.items``), opinions and progress notes
  (``DOC#{id}/NOTE#{at}#{rand}``), and a unit's register entry
  (``DOC#{id}/UNITREG#{code}``, gsi3 ``REGISTER#incoming#{year}#UNIT#{code}`` /
  ``{so_den:08}``);
- monthly volumes for the dashboard: ``STATS#volume#incoming`` / ``{YYYY-MM}``
  (documents registered that month, by local arrival date) and
  ``STATS#volume#incoming#UNIT#{code}`` / ``{YYYY-MM}`` (documents given to the
  unit at distribution, by the same date), field ``n``, added in the
  registering and distributing transactions.

Every save of the document or of a part is conditional on the version it was
read at, so a lost race is a 409, never an overwrite.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamo import from_dynamo, put_op, update_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork
from chalicelib.adapters.scoped_lists import ScopedPage, list_scoped, partition
from chalicelib.kernel.access import ItemAccess, Kind, Secrecy, item_scopes
from chalicelib.work.rules import WorkStatus
from chalicelib.work.store import measured

KIND = Kind.INCOMING.value
# What a list shows of a document, copied into each of its list entries.
SUMMARY_FIELDS = ("id", "so_den", "so_den_text", "year", "arrival_at", "so_ky_hieu",
                  "co_quan_ban_hanh", "ngay_ban_hanh", "loai_van_ban", "trich_yeu", "do_khan",
                  "do_mat", "status", "metadata_complete")


def access_of(doc: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.INCOMING, units=frozenset(doc.get("units") or []),
                      people=frozenset(doc.get("people") or []),
                      secrecy=Secrecy(doc.get("do_mat") or ""))


def scope_entries(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's list entries, one per scope that may see it."""
    summary = {k: doc.get(k) for k in SUMMARY_FIELDS}
    return [
        {"pk": f"DOC#{doc['id']}", "sk": f"SCOPE#{scope}", "kind": "scope_entry",
         "gsi1pk": partition(scope, KIND), "gsi1sk": f"{doc['arrival_at']}#{doc['id']}",
         **summary}
        for scope in sorted(item_scopes(access_of(doc)))
    ]


def register_partition(year: int, unit: str | None = None) -> str:
    """The gsi3 partition of the agency's (or one unit's) incoming register."""
    return f"REGISTER#incoming#{year}" + (f"#UNIT#{unit}" if unit else "")


VOLUME = "STATS#volume#incoming"


def _volume_key(doc: dict[str, Any], unit: str | None = None) -> tuple[str, str]:
    """The month counter a document counts in (its local arrival month)."""
    month = str(doc.get("arrival_date") or doc["arrival_at"])[:7]
    return VOLUME + (f"#UNIT#{unit}" if unit else ""), month


def _counter_key(year: int) -> tuple[str, str]:
    return f"COUNTER#incoming#{year}", "COUNTER"


def _versioned(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return put_op(after, condition="#v = :v", names={"#v": "version"},
                  values={":v": int(before.get("version", 1))})


HASH_POINTER, DUPKEY_POINTER = "sha256", "dupkey"
POINTERS_COMPLETE = ("PTR#complete", "PTR")


def _pointer_key(kind: str, value: str) -> tuple[str, str]:
    return f"PTR#{kind}#{value}", "PTR"


def _pointer_entry(doc: dict[str, Any]) -> str:
    return f"{doc['id']}|{doc.get('so_den_text') or ''}|{doc.get('year') or ''}"


def _pointed(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """The document a pointer names (the smallest id, as the index query's first
    hit): id, so_den_text and year, all the intake's reasons need."""
    entries = sorted((item or {}).get("docs") or ())
    if not entries:
        return None
    doc_id, so_den_text, year = entries[0].split("|")
    return {"id": doc_id, "so_den_text": so_den_text, "year": int(year) if year else None}


def _pointer_ops(doc: dict[str, Any], duplicate_key: str | None,
                 new_pointers: Collection[str]) -> list[dict[str, Any]]:
    ops = []
    for kind, value in ((HASH_POINTER, doc.get("sha256")), (DUPKEY_POINTER, duplicate_key)):
        if not value:
            continue
        ops.append(update_op(
            *_pointer_key(kind, str(value)), "ADD docs :d SET kind = :k",
            condition="attribute_not_exists(docs)" if kind in new_pointers else None,
            values={":d": {_pointer_entry(doc)}, ":k": "pointer"}))
    return ops


def _key_of(doc: dict[str, Any]) -> str | None:
    gsi2pk = str(doc.get("gsi2pk") or "")
    return gsi2pk.removeprefix("DUPKEY#") if gsi2pk.startswith("DUPKEY#") else None


def fresh_table_marker() -> dict[str, Any]:
    """The marker item, for a table created empty (nothing to backfill)."""
    return {"pk": POINTERS_COMPLETE[0], "sk": POINTERS_COMPLETE[1], "kind": "pointer_marker",
            "documents": 0}


@dataclass(frozen=True)
class Lookup:
    """What the intake must know before it registers a file, read at once: the
    registered document with the same file, one with the same number + symbol +
    agency, the year's counter, and which pointers existed (their absence is
    what a registration conditions on)."""

    same_file: dict[str, Any] | None
    possible: dict[str, Any] | None
    counter: int | None
    pointers_seen: frozenset[str]


class IncomingStore(TableStore):
    # ---- the document -------------------------------------------------------

    def get(self, doc_id: str, *, consistent: bool = True) -> dict[str, Any] | None:
        return self.table.get(f"DOC#{doc_id}", "DOC", consistent=consistent)

    def counter(self, year: int) -> int | None:
        """The last số đến given in ``year``; None before the first."""
        item = self.table.get(*_counter_key(year), consistent=True)
        return int(item["value"]) if item else None

    @staticmethod
    def new_document(fields: dict[str, Any], *, duplicate_key: str | None) -> dict[str, Any]:
        """The document item with its keys: ``fields`` must hold id, year, so_den,
        and sha256 when it has a file."""
        doc_id = fields["id"]
        doc: dict[str, Any] = {
            "pk": f"DOC#{doc_id}", "sk": "DOC", "kind": "incoming", **fields,
            "gsi3pk": register_partition(int(fields["year"])),
            "gsi3sk": f"{int(fields['so_den']):08d}",
        }
        if fields.get("sha256"):
            doc.update({"gsi1pk": f"SHA#{fields['sha256']}", "gsi1sk": f"DOC#{doc_id}"})
        if duplicate_key:
            doc.update({"gsi2pk": f"DUPKEY#{duplicate_key}", "gsi2sk": doc_id})
        return doc

    def add(self, uow: UnitOfWork, doc: dict[str, Any], *, counter_read: int | None,
            new_pointers: Collection[str] = ()) -> None:
        """A new document (refused if its id exists) with its list entries, its
        pointers, and the year's counter moved to its number from the value read
        (``None``: absent). ``new_pointers``: the pointer kinds the caller read
        absent and decided on (refused if another document added itself since)."""
        pk, sk = _counter_key(int(doc["year"]))
        counter = {"pk": pk, "sk": sk, "kind": "counter", "value": int(doc["so_den"])}
        if counter_read is None:
            uow.add(put_op(counter, condition="attribute_not_exists(pk)"))
        else:
            uow.add(put_op(counter, condition="#v = :v", names={"#v": "value"},
                           values={":v": counter_read}))
        uow.add(put_op(doc, condition="attribute_not_exists(pk)"))
        for op in _pointer_ops(doc, _key_of(doc), new_pointers):
            uow.add(op)
        for entry in scope_entries(doc):
            uow.add(put_op(entry))
        uow.count(*_volume_key(doc), n=1)

    def save(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any], *,
             duplicate_key: str | None = None) -> None:
        """The document over the version it was read at (``after`` carries the new
        version), its list entries rewritten for its scopes now."""
        if duplicate_key:
            after = {**after, "gsi2pk": f"DUPKEY#{duplicate_key}", "gsi2sk": after["id"]}
            old = _key_of(before)
            if old != duplicate_key:
                # Unconditional set updates: a correction never fails on a pointer.
                entry = {_pointer_entry(before)}
                if old:
                    uow.add(update_op(*_pointer_key(DUPKEY_POINTER, old), "DELETE docs :d",
                                      values={":d": entry}))
                uow.add(update_op(*_pointer_key(DUPKEY_POINTER, duplicate_key),
                                  "ADD docs :d SET kind = :k",
                                  values={":d": entry, ":k": "pointer"}))
        uow.add(_versioned(before, after))
        self.replace_entries(uow, before, after)

    @staticmethod
    def replace_entries(uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]
                        ) -> None:
        """List entries for the scopes ``after`` has; those it left are deleted."""
        old = {e["sk"]: e for e in scope_entries(before)}
        new = {e["sk"]: e for e in scope_entries(after)}
        for sk in old.keys() - new.keys():
            uow.add({"Delete": {"Key": {"pk": f"DOC#{after['id']}", "sk": sk}}})
        for entry in new.values():
            uow.add(put_op(entry))

    def find_by_hash(self, sha256: str) -> dict[str, Any] | None:
        page = self.table.query(f"SHA#{sha256}", index="gsi1", limit=1)
        return page.items[0] if page.items else None

    def find_by_duplicate_key(self, key: str) -> dict[str, Any] | None:
        page = self.table.query(f"DUPKEY#{key}", index="gsi2", limit=1)
        return page.items[0] if page.items else None

    def lookup_many(self, wants: Iterable[tuple[str, str | None, int | None]]
                    ) -> dict[tuple[str, str | None, int | None], Lookup]:
        """For each file (hash, duplicate key, year), in one BatchGetItem: the
        pointers of the file and of its number, the year's counter, and the
        backfill marker. Without the marker (documents registered before pointers
        existed may have none) the index queries answer for an absent pointer."""
        wants = list(dict.fromkeys(wants))
        keys = [POINTERS_COMPLETE]
        for sha256, duplicate_key, year in wants:
            keys.append(_pointer_key(HASH_POINTER, sha256))
            if duplicate_key:
                keys.append(_pointer_key(DUPKEY_POINTER, duplicate_key))
            if year is not None:
                keys.append(_counter_key(year))
        found = self.table.batch_get(keys)
        complete = POINTERS_COMPLETE in found
        answers = {}
        for sha256, duplicate_key, year in wants:
            same = _pointed(found.get(_pointer_key(HASH_POINTER, sha256)))
            possible = _pointed(found.get(_pointer_key(DUPKEY_POINTER, duplicate_key))) \
                if duplicate_key else None
            seen = frozenset(k for k, hit in ((HASH_POINTER, same), (DUPKEY_POINTER, possible))
                             if hit)
            if not complete:
                same = same or self.find_by_hash(sha256)
                if duplicate_key and possible is None:
                    possible = self.find_by_duplicate_key(duplicate_key)
            counter = found.get(_counter_key(year)) if year is not None else None
            answers[(sha256, duplicate_key, year)] = Lookup(
                same_file=same, possible=possible,
                counter=int(counter["value"]) if counter else None,
                pointers_seen=seen)
        return answers

    def backfill_pointers(self) -> int:
        """Pointers for every document registered before they existed, then the
        marker that lets an absent pointer mean "no such document". Idempotent
        (set additions); returns the number of documents seen. One pass over
        the table: run once after deploying the change (a fresh stage too)."""
        from chalicelib.adapters.aws import client

        seen = 0
        pages = client("dynamodb").get_paginator("scan").paginate(
            TableName=self.table.name, FilterExpression="kind = :k",
            ExpressionAttributeValues={":k": {"S": KIND}})
        for page in pages:
            for raw in page.get("Items", []):
                doc = from_dynamo(raw)
                if doc.get("sk") != "DOC":
                    continue
                seen += 1
                for op in _pointer_ops(doc, _key_of(doc), ()):
                    self.table.transact([op])  # one operation: a plain UpdateItem
        self.table.put({**fresh_table_marker(), "documents": seen})
        return seen

    # ---- lists ----------------------------------------------------------------

    def page(self, scopes: Iterable[str], *, cursor: str | None, limit: int,
             since: str | None = None, until: str | None = None,
             accept: Callable[[dict[str, Any]], bool] | None = None) -> ScopedPage:
        return list_scoped(KIND, scopes, limit=limit, cursor=cursor, since=since, until=until,
                           accept=accept, table=self.table)

    def entries(self, pairs: Iterable[tuple[str, str]]
                ) -> dict[tuple[str, str], dict[str, Any]]:
        """List entries by (document id, scope), in one request; absent ones are
        missing from the answer."""
        wanted = [(doc_id, scope) for doc_id, scope in pairs]
        found = self.table.batch_get([(f"DOC#{d}", f"SCOPE#{s}") for d, s in wanted])
        return {(d, s): found[(f"DOC#{d}", f"SCOPE#{s}")] for d, s in wanted
                if (f"DOC#{d}", f"SCOPE#{s}") in found}

    def register(self, year: int, unit: str | None = None) -> list[dict[str, Any]]:
        """The documents of a year's incoming register (the agency's or one unit's),
        in số đến order."""
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(register_partition(year, unit), index="gsi3", limit=500,
                                    cursor=cursor)
            out.extend(page.items)
            cursor = page.cursor
            if not cursor:
                break
        docs = []
        for item in out:
            # Unit entries point at the document; the agency's are the documents.
            doc = item if item.get("kind") == "incoming" else self.get(item["doc_id"],
                                                                       consistent=False)
            if doc is not None:
                docs.append(doc)
        return docs

    def add_unit_register(self, uow: UnitOfWork, doc: dict[str, Any], unit: str) -> None:
        """The document in the unit's own incoming register (by year, in số đến order)."""
        uow.add(put_op({
            "pk": f"DOC#{doc['id']}", "sk": f"UNITREG#{unit}", "kind": "unit_register",
            "doc_id": doc["id"], "gsi3pk": register_partition(int(doc["year"]), unit),
            "gsi3sk": f"{int(doc['so_den']):08d}"}))
        uow.count(*_volume_key(doc, unit), n=1)

    def volumes(self, units: Iterable[str | None], months: Iterable[str]
                ) -> dict[tuple[str | None, str], int]:
        """Documents registered (unit None) or given to a unit, per month: one
        counter item per (unit, month), read in batches of 100."""
        keys = {(VOLUME + (f"#UNIT#{u}" if u else ""), m): (u, m) for u in units for m in months}
        found = self.table.batch_get(list(keys))
        return {keys[k]: int(item.get("n", 0)) for k, item in found.items() if k in keys}

    # ---- work and notes --------------------------------------------------------

    def parts(self, doc_id: str) -> list[dict[str, Any]]:
        return self.table.query(f"DOC#{doc_id}", sk_prefix="WORK#", limit=200).items

    def part(self, doc_id: str, assignee: str) -> dict[str, Any] | None:
        """``assignee`` as work items name it (``work.items.person/unit``)."""
        return self.table.get(f"DOC#{doc_id}", f"WORK#{assignee}", consistent=True)

    def add_part(self, uow: UnitOfWork, work: dict[str, Any], *, unless_open: bool = False
                 ) -> None:
        """A new part (``work.items.work_item``). ``unless_open``: refused while the
        assignee already has an open part (a transfer to a colleague)."""
        work = measured(uow, work)
        if unless_open:
            uow.add(put_op(work, condition="attribute_not_exists(pk) OR #s <> :open",
                           names={"#s": "status"}, values={":open": WorkStatus.OPEN.value}))
        else:
            uow.add(put_op(work))

    def note_answer(self, doc_id: str, *, number_text: str, answer_id: str) -> None:
        """The answer's number on the document, outside any change of its own; the
        version moves on so a stale full write fails."""
        self.table.update(f"DOC#{doc_id}", "DOC",
                          "SET answer = :n, answer_id = :i, version = version + :one",
                          condition="attribute_exists(pk)",
                          values={":n": number_text, ":i": answer_id, ":one": 1})

    def mark_recalled(self, uow: UnitOfWork, doc_id: str, *, reason: str, at: str) -> None:
        """The sender recalled this document. Only once: a redelivered recall
        (or a replacement after a recall) fails the condition and changes nothing;
        the version moves on so a stale full write fails."""
        uow.add(update_op(f"DOC#{doc_id}", "DOC",
                          "SET recalled = :t, recall_reason = :r, recalled_at = :a, "
                          "version = version + :one",
                          condition="attribute_exists(pk) AND attribute_not_exists(recalled)",
                          values={":t": True, ":r": reason, ":a": at, ":one": 1}))

    def save_part(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]
                  ) -> None:
        uow.add(_versioned(before, measured(uow, after)))

    def notes(self, doc_id: str) -> list[dict[str, Any]]:
        return self.table.query(f"DOC#{doc_id}", sk_prefix="NOTE#", limit=500).items

    def add_note(self, uow: UnitOfWork, doc_id: str, note: dict[str, Any], suffix: str
                 ) -> dict[str, Any]:
        """An opinion or progress note, after the others (``suffix`` tells apart two
        notes of the same instant). Returns the item written."""
        item = {"pk": f"DOC#{doc_id}", "sk": f"NOTE#{note['at']}#{suffix}", "kind": "note",
                **note}
        uow.add(put_op(item))
        return item

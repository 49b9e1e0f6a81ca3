"""Registering incoming documents and reading them within routed permissions.

A registered document and one list entry per scope that may see it are written
in the same transaction (``incoming.store`` holds the keys). The incoming
number (số đến) comes from the year's counter, moved in that same transaction
from the value read: no gap, no duplicate, a new sequence each 1 January
(Asia/Ho_Chi_Minh).

The module's functions take ``table`` (the intake pipeline, other capabilities'
steps and the seed call them so), or their ports; ``Incoming`` holds the use
cases the routes call over the ports ``bootstrap.incoming`` builds, and a unit
test hands it fakes instead (``tests/fakes.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.adapters.scoped_lists import ScopedPage
from chalicelib.incoming import inbox
from chalicelib.incoming.intake_store import IntakeStore
from chalicelib.incoming.rules import URGENT, DocStatus, Metadata, Urgency, format_so_den
from chalicelib.incoming.store import (
    DUPKEY_POINTER,
    HASH_POINTER,
    SUMMARY_FIELDS,
    IncomingStore,
    Lookup,
    access_of,
)
from chalicelib.kernel.access import Kind, Secrecy, can_view, scopes_for, unit_scopes
from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.identity import Caller
from chalicelib.kernel.ports import AuditTrail, Clock, Directory
from chalicelib.work.items import closed
from chalicelib.work.pending import Pending
from chalicelib.work.rules import Action, WorkStatus

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
KIND = Kind.INCOMING.value
REGISTER_ATTEMPTS = 8


def chain_of(doc_id: str) -> str:
    return f"incoming:{doc_id}"


def store_of(table: Table | None, store: IncomingStore | None = None) -> IncomingStore:
    return store or IncomingStore(given(table))


def trail_of(table: Table | None, trail: AuditTrail | None = None) -> AuditTrail:
    if trail is not None:
        return trail
    from chalicelib.audit.trail import Trail

    return Trail(given(table))


def audit_reading(trail: AuditTrail, store: IncomingStore, doc_id: str, caller: Caller,
                  action: str, summary: str) -> None:
    """A reading (a view, a download): beside the chain, so readers never conflict."""
    trail.note(chain_of(doc_id), caller, action, summary=summary)


def register(caller: Caller | None, meta: Metadata, *, arrival: datetime, source: str,
             file: dict[str, Any] | None = None, secrecy: Secrecy = Secrecy.NONE,
             people: list[str] | None = None, units: list[str] | None = None,
             intake_id: str | None = None,
             extra_ops: list[dict[str, Any]] | None = None, duplicate_of: str | None = None,
             doc_id: str | None = None, sender_email: str | None = None,
             review: bool = False,
             table: Table | None = None, store: IncomingStore | None = None,
             trail: AuditTrail | None = None, pending: Pending | None = None,
             clock: Clock = utcnow, read: Lookup | None = None) -> dict[str, Any]:
    """Give the document the next số đến of its arrival year and enter it in the
    register, with whatever else the caller's change writes (``extra_ops``).
    ``sender_email``: where the same-day receipt goes (Decree 30 Art. 20).
    The leaders must now distribute it; with ``review`` (an intake that read
    too little, or a possible duplicate) the clerks must first complete it.
    ``read``: the intake's one read of counter and pointers; the registration
    is then tried once on it, and a lost race is the caller's Conflict (it
    reads again and decides again: the file may now be a duplicate)."""
    store, trail = store_of(table, store), trail_of(table, trail)
    pending = inbox.pending_of(table, pending, clock=clock)
    meta = meta.normalised()
    meta.check_lengths()
    arrival_local = arrival.astimezone(TZ)
    year = arrival_local.year
    doc_id = doc_id or uuid.uuid4().hex
    for _attempt in range(1 if read else REGISTER_ATTEMPTS):
        current = read.counter if read else store.counter(year)
        number = (current or 0) + 1
        now = iso(clock())
        fields: dict[str, Any] = {
            "id": doc_id,
            "so_den": number, "so_den_text": format_so_den(number), "year": year,
            "arrival_at": iso(arrival), "arrival_date": arrival_local.date().isoformat(),
            "so_ky_hieu": meta.so_ky_hieu, "co_quan_ban_hanh": meta.co_quan_ban_hanh,
            "ngay_ban_hanh": meta.ngay_ban_hanh.isoformat() if meta.ngay_ban_hanh else None,
            "loai_van_ban": meta.loai_van_ban, "trich_yeu": meta.trich_yeu,
            "do_khan": meta.do_khan.value, "nguoi_ky": meta.nguoi_ky, "do_mat": secrecy.value,
            "status": DocStatus.REGISTERED.value, "metadata_complete": not meta.missing(),
            "missing": meta.missing(), "source": source, "intake_id": intake_id,
            "units": sorted(set(units or [])), "people": sorted(set(people or [])),
            "possible_duplicate_of":
            duplicate_of, "registered_by": caller.username if caller else "system",
            "created_at": now, "updated_at": now, "version": 1, "sender_email": sender_email,
        }
        if file:
            fields.update({"file_key": file["key"], "sha256": file["sha256"],
                           "pages": file.get("pages"), "text_key": file.get("text_key"),
                           "file_name": file.get("name"), "text_z": file.get("text_z")})
            if file.get("ocr"):
                fields["ocr"] = file["ocr"]
        doc = store.new_document(fields, duplicate_key=meta.duplicate_key())
        uow = store.unit_of_work()
        absent = {p for p in (HASH_POINTER, DUPKEY_POINTER) if p not in read.pointers_seen} \
            if read else set()
        store.add(uow, doc, counter_read=current, new_pointers=absent)
        for op in extra_ops or []:
            uow.add(op)
        _ask_to_act(uow, pending, doc, by=caller.username if caller else "system",
                    review=review)
        # A new document has a new chain: nothing to read.
        trail.append(uow, ChainHead(chain_of(doc_id)), caller, "incoming.register",
                     summary=f"Số đến {format_so_den(number)}/{year}: {meta.so_ky_hieu}",
                     after=public_view(doc))
        uow.emit(DomainEvent("incoming.registered", chain_of(doc_id),
                             {"id": doc_id, "urgent": meta.do_khan in URGENT,
                              "do_khan": meta.do_khan.value,
                              "receipt_to": sender_email if not secrecy.value else None}))
        try:
            uow.commit()
        except Conflict:
            if read:
                raise
            continue  # another registration took this number: read again and retry
        return doc
    raise register_busy()


def register_busy() -> Conflict:
    """Every attempt lost its race on the register (here, or in the intake's
    own loop of reads and registrations)."""
    return Conflict("Sổ văn bản đến đang bận, vui lòng thử lại.",
                    "The incoming register is busy; retry.", "register_busy")


def _ask_to_act(uow: UnitOfWork, pending: Pending, doc: dict[str, Any], *, by: str,
                review: bool) -> None:
    """A registered document waits for the leaders' distribution (Decree 30 Art.
    23: the same working day or the next; urgent ones at once), and, when the
    intake could not read it whole, for a clerk to complete its metadata."""
    urgent = doc.get("do_khan", Urgency.THUONG) != Urgency.THUONG
    subject, link = inbox.subject_of(doc), inbox.doc_link(doc["id"])
    secret = inbox.is_secret(doc)
    if review:
        pending.open(uow, inbox.PARENT, doc["id"], Action.REGISTER, inbox.CLERKS,
                     subject=subject or "Văn bản đến chưa đủ thông tin", link=link, by=by,
                     urgent=urgent, secret=secret,
                     note="Bổ sung, đối chiếu thông tin văn bản để hoàn tất vào sổ")
    pending.open(uow, inbox.PARENT, doc["id"], Action.DISTRIBUTE, inbox.LEADERS,
                 subject=subject, link=link, by=by, urgent=urgent, secret=secret)


Want = tuple[str, str | None, int | None]


def intake_want(sha256: str, meta: Metadata | None, arrival_at: str) -> Want:
    """What the intake must read for a file: its hash, the duplicate key of its
    metadata and the arrival's year (``meta`` None: the file goes to OCR
    first, only its hash is checked now)."""
    if meta is None:
        return sha256, None, None
    arrival = datetime.fromisoformat(arrival_at.replace("Z", "+00:00")).astimezone(TZ)
    return sha256, meta.normalised().duplicate_key(), arrival.year


def read_for_intake(wants: Sequence[Want], table: Table) -> dict[Want, Lookup]:
    """The same file's document, the same number's and the year's counter, for
    each want, in one call."""
    return store_of(table).lookup_many(wants)


def public_view(doc: dict[str, Any]) -> dict[str, Any]:
    """The document under the DOMAIN.md names; nothing internal."""
    return {
        "id": doc["id"], "so_den": int(doc["so_den"]), "so_den_text": doc.get("so_den_text"),
        "year": int(doc["year"]), "arrival_at": doc["arrival_at"],
        "so_ky_hieu": doc.get("so_ky_hieu", ""), "co_quan_ban_hanh": doc.get("co_quan_ban_hanh",
                                                                             ""),
        "ngay_ban_hanh": doc.get("ngay_ban_hanh"), "loai_van_ban": doc.get("loai_van_ban", ""),
        "trich_yeu": doc.get("trich_yeu", ""), "do_khan": doc.get("do_khan", Urgency.THUONG),
        "nguoi_ky": doc.get("nguoi_ky", ""), "do_mat": doc.get("do_mat", ""),
        "status": doc.get("status"), "metadata_complete": bool(doc.get("metadata_complete")),
        "missing": list(doc.get("missing") or []), "source": doc.get("source"),
        "file_name": doc.get("file_name"), "pages": doc.get("pages"),
        "has_file": bool(doc.get("file_key")), "sha256": doc.get("sha256"),
        "possible_duplicate_of": doc.get("possible_duplicate_of"),
        "units": list(doc.get("units") or []), "people": list(doc.get("people") or []),
        "version": int(doc.get("version", 1)),
        # Decree 30 Art. 18: shown as "Đã bị thu hồi" with its time and reason.
        "recalled": bool(doc.get("recalled")), "recalled_at": doc.get("recalled_at"),
        "recall_reason": doc.get("recall_reason"),
        # Fields read by OCR, with the confidence, for a clerk to confirm.
        "ocr": ocr_view(doc.get("ocr")),
    }


def ocr_view(ocr: dict[str, Any] | None) -> dict[str, Any] | None:
    """The OCR outcome with plain numbers (the table keeps them as Decimals)."""
    if not ocr:
        return None
    view = {k: v for k, v in ocr.items() if k not in ("confidence", "fields", "pages")}
    if "confidence" in ocr:
        view["confidence"] = float(ocr["confidence"])
    if "pages" in ocr:
        view["pages"] = int(ocr["pages"])
    view["fields"] = {k: float(v) for k, v in (ocr.get("fields") or {}).items()}
    return view


def load_visible(caller: Caller, doc_id: str, table: Table | None = None, *,
                 store: IncomingStore | None = None) -> dict[str, Any]:
    """The document, or NotFound when it does not exist *or* the caller may not see it."""
    doc = store_of(table, store).get(doc_id)
    if doc is None or doc.get("kind") != "incoming" or not can_view(caller, access_of(doc)):
        raise NotFound()
    return doc


def load_at_version(caller: Caller, doc_id: str, version: int, *, store: IncomingStore
                    ) -> dict[str, Any]:
    """The document as ``load_visible`` finds it, still at the version the client
    read (a Conflict otherwise)."""
    before = load_visible(caller, doc_id, store=store)
    refuse_if_recalled(before)
    if int(before.get("version", 1)) != version:
        raise Conflict()
    return before


def view(caller: Caller, doc_id: str, table: Table | None = None, *,
         store: IncomingStore | None = None, trail: AuditTrail | None = None
         ) -> dict[str, Any]:
    """Read a document; the reading is itself audited (Decree 30 App. VI: view history)."""
    store, trail = store_of(table, store), trail_of(table, trail)
    doc = load_visible(caller, doc_id, store=store)
    audit_reading(trail, store, doc_id, caller, "incoming.view", "Xem văn bản")
    return public_view(doc)


def visible_scopes(caller: Caller, unit: str | None = None) -> frozenset[str]:
    """The partitions a list or a search of the caller reads: all they may see,
    or only what was given to ``unit`` (403 when they may not see all of it)."""
    if unit is None:
        return scopes_for(caller, Kind.INCOMING)
    scopes = unit_scopes(caller, Kind.INCOMING, unit)
    if scopes is None:
        raise Forbidden("Bạn không được xem toàn bộ văn bản của đơn vị này.",
                        "You may not see all of this unit's documents.")
    return scopes


def list_visible(caller: Caller, *, limit: int = 20, cursor: str | None = None,
                 since: date | None = None, until: date | None = None,
                 urgency: str | None = None, status: str | None = None,
                 unit: str | None = None,
                 table: Table | None = None, store: IncomingStore | None = None
                 ) -> ScopedPage:
    """``since``/``until``: arrival dates (inclusive) in the agency's time zone;
    ``unit``: only the documents given to that unit."""
    def accept(entry: dict[str, Any]) -> bool:
        return ((urgency is None or entry.get("do_khan") == urgency)
                and (status is None or entry.get("status") == status))

    page = store_of(table, store).page(
        visible_scopes(caller, unit), limit=limit, cursor=cursor,
        since=day_bound(since), until=day_bound(until, next_day=True),
        accept=accept if (urgency or status) else None)
    items = [{k: i.get(k) for k in SUMMARY_FIELDS} for i in page.items]
    for item in items:
        item["so_den"] = int(item["so_den"])
        item["year"] = int(item["year"])
    return ScopedPage(items, page.cursor)


def day_bound(day_: date | None, next_day: bool = False) -> str | None:
    """The first instant of a day in Hanoi, as the UTC key prefix lists sort by."""
    if day_ is None:
        return None
    from datetime import timedelta

    start = datetime.combine(day_ + timedelta(days=1 if next_day else 0), datetime.min.time(),
                             TZ)
    return iso(start)


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def correct(caller: Caller, doc_id: str, meta: Metadata, secrecy: Secrecy, version: int,
            table: Table | None = None, *, store: IncomingStore | None = None,
            trail: AuditTrail | None = None, intakes: IntakeStore | None = None,
            pending: Pending | None = None, clock: Clock = utcnow) -> dict[str, Any]:
    """The clerk's review: fix the detected metadata, mark secrecy. Who changed
    what is in the audit entry's before/after. Complete metadata ends the wait
    for a clerk (whoever of them corrected it)."""
    store, trail = store_of(table, store), trail_of(table, trail)
    before = load_at_version(caller, doc_id, version, store=store)
    meta = meta.normalised()
    meta.check_lengths()
    meta.check_not_erased(before)
    people = set(before.get("people") or [])
    if secrecy != Secrecy.NONE:
        # A secret document is seen only by the people named on it: the clerk who
        # marks it keeps access, and nobody else reaches it through a list.
        people.add(caller.username)
    after = {
        **before,
        "so_ky_hieu": meta.so_ky_hieu, "co_quan_ban_hanh": meta.co_quan_ban_hanh,
        "ngay_ban_hanh": meta.ngay_ban_hanh.isoformat() if meta.ngay_ban_hanh else None,
        "loai_van_ban": meta.loai_van_ban, "trich_yeu": meta.trich_yeu,
        "do_khan": meta.do_khan.value, "nguoi_ky": meta.nguoi_ky, "do_mat": secrecy.value,
        "people": sorted(people), "metadata_complete": not meta.missing(),
        "missing": meta.missing(), "version": version + 1, "updated_at": iso(clock()),
    }
    if (before.get("ocr") or {}).get("fields"):
        # The clerk checked the form against the scan: what OCR read is confirmed
        # (or corrected) now, and no longer marked as the machine's reading.
        after["ocr"] = {**before["ocr"], "fields": {}, "confirmed_by": caller.username,
                        "confirmed_at": iso(clock())}
    uow = store.unit_of_work()
    store.save(uow, before, after, duplicate_key=meta.duplicate_key())
    if after["metadata_complete"]:
        if before.get("intake_id"):
            _complete_intake(uow, before["intake_id"], intakes or IntakeStore(given(table)),
                             clock)
        inbox.pending_of(table, pending, clock=clock).close(
            uow, inbox.PARENT, doc_id, Action.REGISTER, by=caller.username)
    changed = {k: after[k] for k in public_view(after) if public_view(before).get(k)
               != public_view(after).get(k) and k != "version"}
    trail.append(uow, trail.head(chain_of(doc_id)), caller, "incoming.correct",
                 summary="Sửa thông tin văn bản",
                 before={k: public_view(before).get(k) for k in changed}, after=changed)
    uow.emit(DomainEvent("incoming.corrected", chain_of(doc_id), {"id": doc_id}))
    uow.commit()
    return public_view(after)


def _complete_intake(uow: UnitOfWork, intake_id: str, intakes: IntakeStore, clock: Clock
                     ) -> None:
    """The file's intake record waited for this review: it is registered now."""
    intake = intakes.get(intake_id)
    if intake is not None and intake.get("status") == "needs_review":
        intakes.save(uow, intake, {**intake, "status": "registered", "reason": "",
                                   "reason_en": "", "updated_at": iso(clock()),
                                   "version": int(intake.get("version", 1)) + 1})


def replace_entries(uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
    IncomingStore.replace_entries(uow, before, after)


def download_url(caller: Caller, doc_id: str, *, s3: Any, bucket: str,
                 table: Table | None = None, store: IncomingStore | None = None,
                 trail: AuditTrail | None = None) -> dict[str, Any]:
    """A short-lived link to the file; the download is audited."""
    store, trail = store_of(table, store), trail_of(table, trail)
    doc = load_visible(caller, doc_id, store=store)
    if not doc.get("file_key"):
        raise NotFound("Văn bản chưa có tệp đính kèm.", "The document has no file yet.")
    name = f"van-ban-den-{doc['so_den_text']}-{doc['year']}.pdf"
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": doc["file_key"],
        "ResponseContentDisposition": f'inline; filename="{name}"',
        "ResponseContentType": "application/pdf"}, ExpiresIn=300)
    audit_reading(trail, store, doc_id, caller, "incoming.download", "Tải tệp văn bản")
    return {"url": url, "expires_in": 300, "file_name": name}


def change_people(caller: Caller, doc_id: str, *, grant: str | None = None,
                  revoke: str | None = None, table: Table | None = None,
                  store: IncomingStore | None = None, trail: AuditTrail | None = None,
                  directory: Directory | None = None, clock: Clock = utcnow
                  ) -> dict[str, Any]:
    """Share a document with one named person, or take the share back. The change
    itself is audited; the person's list gains or loses the document at once."""
    from chalicelib.kernel.errors import FieldProblem, InvalidInput

    store, trail = store_of(table, store), trail_of(table, trail)
    if directory is None:
        from chalicelib.organisation.store import Directory as TableDirectory

        directory = TableDirectory(given(table))
    before = load_visible(caller, doc_id, store=store)
    people = set(before.get("people") or [])
    if grant:
        if directory.user(grant) is None:
            raise InvalidInput("Người được chia sẻ không tồn tại.", "No such user.",
                               "invalid_user", [FieldProblem("username", "Không tồn tại.",
                                                             "Does not exist.")])
        if grant in people:
            return public_view(before)
        people.add(grant)
    if revoke:
        if revoke not in people:
            raise NotFound()
        if revoke == caller.username and before.get("do_mat"):
            raise InvalidInput("Không thể tự bỏ quyền xem văn bản mật của mình.",
                               "You cannot remove your own access to a secret document.",
                               "self_revoke")
        people.discard(revoke)
    version = int(before.get("version", 1))
    after = {**before, "people": sorted(people), "version": version + 1,
             "updated_at": iso(clock())}
    uow = store.unit_of_work()
    store.save(uow, before, after)
    action = "incoming.grant" if grant else "incoming.revoke"
    who = grant or revoke
    trail.append(uow, trail.head(chain_of(doc_id)), caller, action,
                 summary=("Chia sẻ cho " if grant else "Thu hồi chia sẻ của ") + str(who),
                 before={"people": before.get("people") or []},
                 after={"people": after["people"]})
    uow.emit(DomainEvent(action, chain_of(doc_id), {"id": doc_id, "username": who}))
    uow.commit()
    return public_view(after)


def note_answer(doc_id: str, *, number_text: str, answer_id: str, table: Table) -> None:
    """The outgoing document answering this one was issued: the handling-tracking
    register shows its number."""
    IncomingStore(table).note_answer(doc_id, number_text=number_text, answer_id=answer_id)


def refuse_if_recalled(doc: dict[str, Any]) -> None:
    """Decree 30 Art. 18: a recalled document is handled no further."""
    if doc.get("recalled"):
        raise Conflict("Văn bản đã bị thu hồi, không thể tiếp tục xử lý.",
                       "The document was recalled; it can no longer be handled.", "recalled")


def note_recalled(doc_id: str, *, reason: str, at: str, table: Table,
                  by: str = "system", extra_ops: Sequence[dict[str, Any]] = (),
                  events: Sequence[DomainEvent] = ()) -> bool:
    """The sender recalled this document (an internal delivery, or a packet from
    the platform). The mark, the end of every open action on it (pending actions
    and the units' and officers' parts, cancelled) and the caller's ``extra_ops``
    and ``events`` are one transaction. False when it was recalled already (or
    a concurrent change won): nothing written."""
    store = IncomingStore(table)
    doc = store.get(doc_id)
    if doc is None or doc.get("recalled"):
        return False
    trail = trail_of(table)
    uow = store.unit_of_work()
    store.mark_recalled(uow, doc_id, reason=reason, at=at)
    inbox.pending_of(table).close_all(uow, inbox.PARENT, doc_id, by=by,
                                      outcome=WorkStatus.CANCELLED)
    for part in store.parts(doc_id):
        if part.get("status") == WorkStatus.OPEN.value:
            store.save_part(uow, part, closed(part, WorkStatus.CANCELLED, completed_at=at,
                                              completed_by=by))
    trail.append(uow, trail.head(chain_of(doc_id)), None, "incoming.recalled",
                 summary=f"Đã bị thu hồi: {reason}"[:300], actor=by)
    return uow.commit_unless_done(extra_ops, events)


@dataclass
class Incoming:
    """The incoming-document use cases the routes call, over their ports."""

    store: IncomingStore
    trail: AuditTrail
    intakes: IntakeStore
    directory: Directory
    pending: Pending
    clock: Clock = utcnow

    def register(self, caller: Caller, meta: Metadata, *, arrival: datetime, source: str,
                 secrecy: Secrecy = Secrecy.NONE, people: list[str] | None = None,
                 sender_email: str | None = None) -> dict[str, Any]:
        return register(caller, meta, arrival=arrival, source=source, secrecy=secrecy,
                        people=people, sender_email=sender_email, store=self.store,
                        trail=self.trail, pending=self.pending, clock=self.clock)

    def load_visible(self, caller: Caller, doc_id: str) -> dict[str, Any]:
        return load_visible(caller, doc_id, store=self.store)

    def view(self, caller: Caller, doc_id: str) -> dict[str, Any]:
        return view(caller, doc_id, store=self.store, trail=self.trail)

    def list_visible(self, caller: Caller, *, limit: int = 20, cursor: str | None = None,
                     since: date | None = None, until: date | None = None,
                     urgency: str | None = None, status: str | None = None,
                     unit: str | None = None) -> ScopedPage:
        return list_visible(caller, limit=limit, cursor=cursor, since=since, until=until,
                            urgency=urgency, status=status, unit=unit, store=self.store)

    def correct(self, caller: Caller, doc_id: str, meta: Metadata, secrecy: Secrecy,
                version: int) -> dict[str, Any]:
        return correct(caller, doc_id, meta, secrecy, version, store=self.store,
                       trail=self.trail, intakes=self.intakes, pending=self.pending,
                       clock=self.clock)

    def download_url(self, caller: Caller, doc_id: str, *, s3: Any, bucket: str
                     ) -> dict[str, Any]:
        return download_url(caller, doc_id, s3=s3, bucket=bucket, store=self.store,
                            trail=self.trail)

    def change_people(self, caller: Caller, doc_id: str, *, grant: str | None = None,
                      revoke: str | None = None) -> dict[str, Any]:
        return change_people(caller, doc_id, grant=grant, revoke=revoke, store=self.store,
                             trail=self.trail, directory=self.directory, clock=self.clock)

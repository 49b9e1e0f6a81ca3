"""Registering incoming documents and reading them within routed permissions.

A registered document is the item ``DOC#{id}/DOC`` plus one list entry per
scope that may see it (``DOC#{id}/SCOPE#{scope}``, in partition
``{scope}#incoming`` of gsi1, newest first), written in the same transaction.
The incoming number (số đến) comes from the counter ``COUNTER#incoming#{year}``,
moved in that same transaction from the value read: no gap, no duplicate,
a new sequence each 1 January (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table, put_op
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.adapters.scoped_lists import ScopedPage, list_scoped, partition
from chalicelib.audit import trail as audit
from chalicelib.incoming.rules import URGENT, DocStatus, Metadata, Urgency, format_so_den
from chalicelib.kernel.access import ItemAccess, Kind, Secrecy, can_view, item_scopes, scopes_for
from chalicelib.kernel.errors import Conflict, NotFound
from chalicelib.kernel.events import DomainEvent, iso, utcnow
from chalicelib.kernel.identity import Caller

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
KIND = Kind.INCOMING.value
SUMMARY_FIELDS = ("id", "so_den", "so_den_text", "year", "arrival_at", "so_ky_hieu",
                  "co_quan_ban_hanh", "ngay_ban_hanh", "loai_van_ban", "trich_yeu", "do_khan",
                  "do_mat", "status", "metadata_complete")
REGISTER_ATTEMPTS = 8


def chain_of(doc_id: str) -> str:
    return f"incoming:{doc_id}"


def access_of(doc: dict[str, Any]) -> ItemAccess:
    return ItemAccess(Kind.INCOMING, units=frozenset(doc.get("units") or []),
                      people=frozenset(doc.get("people") or []),
                      secrecy=Secrecy(doc.get("do_mat") or ""))


def _scope_entries(doc: dict[str, Any]) -> list[dict[str, Any]]:
    summary = {k: doc.get(k) for k in SUMMARY_FIELDS}
    return [
        {"pk": f"DOC#{doc['id']}", "sk": f"SCOPE#{scope}", "kind": "scope_entry",
         "gsi1pk": partition(scope, KIND), "gsi1sk": f"{doc['arrival_at']}#{doc['id']}",
         **summary}
        for scope in sorted(item_scopes(access_of(doc)))
    ]


def _counter_key(year: int) -> tuple[str, str]:
    return f"COUNTER#incoming#{year}", "COUNTER"


def register(caller: Caller | None, meta: Metadata, *, arrival: datetime, source: str,
             file: dict[str, Any] | None = None, secrecy: Secrecy = Secrecy.NONE,
             people: list[str] | None = None, units: list[str] | None = None,
             intake_id: str | None = None,
             extra_ops: list[dict[str, Any]] | None = None, duplicate_of: str | None = None,
             doc_id: str | None = None, sender_email: str | None = None,
             table: Table | None = None) -> dict[str, Any]:
    """Give the document the next số đến of its arrival year and enter it in the
    register, with whatever else the caller's change writes (``extra_ops``).
    ``sender_email``: where the same-day receipt goes (Decree 30 Art. 20)."""
    table = table or Table()
    meta = meta.normalised()
    meta.check_lengths()
    arrival_local = arrival.astimezone(TZ)
    year = arrival_local.year
    doc_id = doc_id or uuid.uuid4().hex
    for _attempt in range(REGISTER_ATTEMPTS):
        pk, sk = _counter_key(year)
        current_item = table.get(pk, sk, consistent=True)
        current = int(current_item["value"]) if current_item else 0
        number = current + 1
        now = iso(utcnow())
        doc: dict[str, Any] = {
            "pk": f"DOC#{doc_id}", "sk": "DOC", "kind": "incoming", "id": doc_id,
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
            "gsi3pk": f"REGISTER#incoming#{year}", "gsi3sk": f"{number:08d}",
        }
        if file:
            doc.update({"file_key": file["key"], "sha256": file["sha256"],
                        "pages": file.get("pages"), "text_key": file.get("text_key"),
                        "file_name": file.get("name"),
                        "gsi1pk": f"SHA#{file['sha256']}", "gsi1sk": f"DOC#{doc_id}"})
        dup_key = meta.duplicate_key()
        if dup_key:
            doc.update({"gsi2pk": f"DUPKEY#{dup_key}", "gsi2sk": doc_id})
        uow = UnitOfWork(table)
        if current_item is None:
            uow.add(put_op({"pk": pk, "sk": sk, "kind": "counter", "value": number},
                           condition="attribute_not_exists(pk)"))
        else:
            uow.add(put_op({"pk": pk, "sk": sk, "kind": "counter", "value": number},
                           condition="#v = :v", names={"#v": "value"}, values={":v": current}))
        uow.add(put_op(doc, condition="attribute_not_exists(pk)"))
        for entry in _scope_entries(doc):
            uow.add(put_op(entry))
        for op in extra_ops or []:
            uow.add(op)
        audit.append(uow, audit.ChainHead(chain_of(doc_id)), caller, "incoming.register",
                     summary=f"Số đến {format_so_den(number)}/{year}: {meta.so_ky_hieu}",
                     after=public_view(doc), actor=None if caller else "system")
        uow.emit(DomainEvent("incoming.registered", chain_of(doc_id),
                             {"id": doc_id, "urgent": meta.do_khan in URGENT,
                              "do_khan": meta.do_khan.value,
                              "receipt_to": sender_email if not secrecy.value else None}))
        try:
            uow.commit()
        except Conflict:
            continue  # another registration took this number: read again and retry
        return doc
    raise Conflict("Sổ văn bản đến đang bận, vui lòng thử lại.",
                   "The incoming register is busy; retry.", "register_busy")


def find_by_hash(sha256: str, table: Table | None = None) -> dict[str, Any] | None:
    page = (table or Table()).query(f"SHA#{sha256}", index="gsi1", limit=1)
    return page.items[0] if page.items else None


def find_possible_duplicate(meta: Metadata, table: Table | None = None) -> dict[str, Any] | None:
    key = meta.normalised().duplicate_key()
    if not key:
        return None
    page = (table or Table()).query(f"DUPKEY#{key}", index="gsi2", limit=1)
    return page.items[0] if page.items else None


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
    }


def load_visible(caller: Caller, doc_id: str, table: Table | None = None) -> dict[str, Any]:
    """The document, or NotFound when it does not exist *or* the caller may not see it."""
    doc = (table or Table()).get(f"DOC#{doc_id}", "DOC", consistent=True)
    if doc is None or doc.get("kind") != "incoming" or not can_view(caller, access_of(doc)):
        raise NotFound()
    return doc


def view(caller: Caller, doc_id: str, table: Table | None = None) -> dict[str, Any]:
    """Read a document; the reading is itself audited (Decree 30 App. VI: view history)."""
    table = table or Table()
    doc = load_visible(caller, doc_id, table)
    audit.record(chain_of(doc_id), caller, "incoming.view", summary="Xem văn bản", table=table)
    return public_view(doc)


def list_visible(caller: Caller, *, limit: int = 20, cursor: str | None = None,
                 since: date | None = None, until: date | None = None,
                 urgency: str | None = None, status: str | None = None,
                 table: Table | None = None) -> ScopedPage:
    """``since``/``until``: arrival dates (inclusive) in the agency's time zone."""
    def accept(entry: dict[str, Any]) -> bool:
        return ((urgency is None or entry.get("do_khan") == urgency)
                and (status is None or entry.get("status") == status))

    page = list_scoped(KIND, scopes_for(caller, Kind.INCOMING), limit=limit, cursor=cursor,
                       since=day_bound(since), until=day_bound(until, next_day=True),
                       accept=accept if (urgency or status) else None, table=table)
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
            table: Table | None = None) -> dict[str, Any]:
    """The clerk's review: fix the detected metadata, mark secrecy. Who changed
    what is in the audit entry's before/after."""
    table = table or Table()
    before = load_visible(caller, doc_id, table)
    if int(before.get("version", 1)) != version:
        raise Conflict()
    meta = meta.normalised()
    meta.check_lengths()
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
        "missing": meta.missing(), "version": version + 1, "updated_at": iso(utcnow()),
    }
    dup_key = meta.duplicate_key()
    if dup_key:
        after.update({"gsi2pk": f"DUPKEY#{dup_key}", "gsi2sk": doc_id})
    uow = UnitOfWork(table)
    uow.add(put_op(after, condition="#v = :v", names={"#v": "version"}, values={":v": version}))
    replace_entries(uow, before, after)
    if after["metadata_complete"] and before.get("intake_id"):
        intake = table.get(f"INTAKE#{before['intake_id']}", "INTAKE", consistent=True)
        if intake is not None and intake.get("status") == "needs_review":
            uow.add(put_op({**intake, "status": "registered", "reason": "", "reason_en": "",
                            "gsi2pk": "INTAKE#registered", "updated_at": iso(utcnow()),
                            "version": int(intake.get("version", 1)) + 1},
                           condition="#v = :v", names={"#v": "version"},
                           values={":v": int(intake.get("version", 1))}))
    changed = {k: after[k] for k in public_view(after) if public_view(before).get(k)
               != public_view(after).get(k) and k != "version"}
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, "incoming.correct",
                 summary="Sửa thông tin văn bản",
                 before={k: public_view(before).get(k) for k in changed}, after=changed)
    uow.emit(DomainEvent("incoming.corrected", chain_of(doc_id), {"id": doc_id}))
    uow.commit()
    return public_view(after)


def replace_entries(uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
    old = {e["sk"]: e for e in _scope_entries(before)}
    new = {e["sk"]: e for e in _scope_entries(after)}
    for sk in old.keys() - new.keys():
        uow.add({"Delete": {"Key": {"pk": f"DOC#{after['id']}", "sk": sk}}})
    for entry in new.values():
        uow.add(put_op(entry))


def download_url(caller: Caller, doc_id: str, *, s3: Any, bucket: str,
                 table: Table | None = None) -> dict[str, Any]:
    """A short-lived link to the file; the download is audited."""
    table = table or Table()
    doc = load_visible(caller, doc_id, table)
    if not doc.get("file_key"):
        raise NotFound("Văn bản chưa có tệp đính kèm.", "The document has no file yet.")
    name = f"van-ban-den-{doc['so_den_text']}-{doc['year']}.pdf"
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": doc["file_key"],
        "ResponseContentDisposition": f'inline; filename="{name}"',
        "ResponseContentType": "application/pdf"}, ExpiresIn=300)
    audit.record(chain_of(doc_id), caller, "incoming.download", summary="Tải tệp văn bản",
                 table=table)
    return {"url": url, "expires_in": 300, "file_name": name}


def change_people(caller: Caller, doc_id: str, *, grant: str | None = None,
                  revoke: str | None = None, table: Table | None = None) -> dict[str, Any]:
    """Share a document with one named person, or take the share back. The change
    itself is audited; the person's list gains or loses the document at once."""
    from chalicelib.kernel.errors import FieldProblem, InvalidInput

    table = table or Table()
    before = load_visible(caller, doc_id, table)
    people = set(before.get("people") or [])
    if grant:
        if table.get(f"USER#{grant}", "PROFILE") is None:
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
             "updated_at": iso(utcnow())}
    uow = UnitOfWork(table)
    uow.add(put_op(after, condition="#v = :v", names={"#v": "version"}, values={":v": version}))
    replace_entries(uow, before, after)
    action = "incoming.grant" if grant else "incoming.revoke"
    who = grant or revoke
    audit.append(uow, audit.head_of(chain_of(doc_id), table), caller, action,
                 summary=("Chia sẻ cho " if grant else "Thu hồi chia sẻ của ") + str(who),
                 before={"people": before.get("people") or []},
                 after={"people": after["people"]})
    uow.emit(DomainEvent(action, chain_of(doc_id), {"id": doc_id, "username": who}))
    uow.commit()
    return public_view(after)


def note_answer(doc_id: str, *, number_text: str, answer_id: str,
                table: Table | None = None) -> None:
    """The outgoing document answering this one was issued: the handling-tracking
    register shows its number. The version moves on so a stale full write fails."""
    (table or Table()).update(f"DOC#{doc_id}", "DOC",
                              "SET answer = :n, answer_id = :i, version = version + :one",
                              condition="attribute_exists(pk)",
                              values={":n": number_text, ":i": answer_id, ":one": 1})


def note_recalled(doc_id: str, *, reason: str, at: str, table: Table | None = None) -> None:
    """The sender recalled this (internally delivered) document. The version moves
    on so a stale full write fails."""
    (table or Table()).update(f"DOC#{doc_id}", "DOC",
                              "SET recalled = :t, recall_reason = :r, recalled_at = :a, "
                              "version = version + :one",
                              values={":t": True, ":r": reason, ":a": at, ":one": 1})

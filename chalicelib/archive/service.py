"""Case files and the archive: the yearly list of a unit, filing, closing and
the hand-over to the agency archive under S3 Object Lock.

The use cases receive their collaborators from ``bootstrap.archive()``: the
store, the audit trail, the directory, the calendar, the clock, the reader of
filed documents (``archive.sources.read``, which checks the caller may see
them) and the archive bucket.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from chalicelib.adapters.dynamo import json_ready
from chalicelib.archive import rules
from chalicelib.archive.rules import DisposalStatus, FileStatus, ItemKind, ListStatus
from chalicelib.archive.sources import Filed
from chalicelib.archive.store import ArchiveStore
from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail, CalendarSource, Clock, Directory

# Who reads every unit's list: they direct, register or keep the agency's records.
AGENCY_READERS = frozenset({Role.LEADER, Role.CLERK, Role.ARCHIVIST})
Reader = Callable[[Caller, ItemKind, str], Filed]


class Vault(Protocol):
    """The archive bucket (``adapters.archive_files.ArchiveFiles``)."""

    def lock_mode(self) -> str | None: ...
    def source(self, key: str) -> bytes: ...
    def archived(self, key: str, version_id: str | None) -> bytes: ...
    def discard(self, key: str, version_id: str | None) -> None: ...
    def keep(self, source_key: str, key: str, *, until: date | None, mode: str | None
             ) -> dict[str, Any]: ...


def list_chain(unit: str, year: int) -> str:
    return f"archive-list:{unit}:{year}"


def file_chain(file_id: str) -> str:
    return f"case-file:{file_id}"


def link(file_id: str) -> str:
    return f"/app/archive?file={file_id}"


def _no_file(message: str = "Không có hồ sơ này.", message_en: str = "No such case file."
             ) -> NotFound:
    return NotFound(message, message_en)


@dataclass
class Archive:
    store: ArchiveStore
    trail: AuditTrail
    directory: Directory
    calendar: CalendarSource
    reader: Reader
    vault: Vault
    clock: Clock = utcnow
    # The agency as printed on its documents (``organisation.service.agency_profile``).
    agency: Callable[[], dict[str, str]] = dict

    # ---------------------------------------------------------------- who may
    def _today(self) -> date:
        return self.clock().astimezone(self.calendar().tz).date()

    @staticmethod
    def may_see_unit(caller: Caller, unit: str) -> bool:
        if caller.roles & AGENCY_READERS:
            return True
        # An administrator manages the organisation, not its records.
        return caller.unit == unit and bool(caller.roles - {Role.ADMIN})

    def _see_unit(self, caller: Caller, unit: str) -> None:
        if self.directory.unit(unit) is None or not self.may_see_unit(caller, unit):
            raise NotFound("Không có đơn vị này.", "No such unit.")

    @staticmethod
    def _head_of(caller: Caller, unit: str) -> None:
        if Role.UNIT_HEAD not in caller.roles or caller.unit != unit:
            raise Forbidden("Chỉ trưởng đơn vị lập danh mục hồ sơ của đơn vị.",
                            "Only the head of the unit drafts its list of case files.")

    def _visible_file(self, caller: Caller, file_id: str) -> dict[str, Any]:
        """The case file if the caller may read it; 404 otherwise. Handed over, it
        belongs to the archive: only archivists read it."""
        f = self.store.get(file_id)
        if f is None or not self._may_read(caller, f):
            raise _no_file()
        return f

    def _archived_file(self, caller: Caller, file_id: str, not_archivist: Forbidden
                       ) -> dict[str, Any]:
        """A handed-over file for an archivist's act; ``not_archivist`` names the
        act refused to anyone else."""
        if Role.ARCHIVIST not in caller.roles:
            raise not_archivist
        f = self._visible_file(caller, file_id)
        if f["status"] != FileStatus.HANDED_OVER:
            raise Conflict("Hồ sơ chưa được nộp lưu.", "The case file is not handed over yet.",
                           "not_handed_over")
        return f

    def _may_read(self, caller: Caller, f: dict[str, Any]) -> bool:
        if f["status"] == FileStatus.HANDED_OVER:
            return Role.ARCHIVIST in caller.roles or self._granted(caller, f) is not None
        return self.may_see_unit(caller, f["unit"])

    def _granted(self, caller: Caller, f: dict[str, Any]) -> dict[str, Any] | None:
        """The caller's reading grant on a handed-over file, while it runs."""
        g = self.store.grant(str(f["id"]), caller.username)
        if g is None or g.get("revoked_at") or str(g["until"]) < self._today().isoformat():
            return None
        return g

    @staticmethod
    def _may_file(caller: Caller, f: dict[str, Any]) -> bool:
        """The person responsible and the people of the file's unit file into it."""
        return caller.username == f.get("responsible") or (
            caller.unit == f["unit"] and bool(caller.roles - {Role.ADMIN}))

    # ---------------------------------------------------------------- the catalogue
    @staticmethod
    def retention_catalogue(version: str = rules.CURRENT) -> dict[str, Any]:
        if version not in rules.CATALOGUES:
            raise NotFound("Không có phiên bản bảng thời hạn này.", "No such catalogue version.")
        cat = rules.catalogue(version)
        return {"version": cat.version, "current": cat.version == rules.CURRENT,
                "versions": sorted(rules.CATALOGUES),
                "groups": [{"code": g.code, "title": g.title, "years": g.years,
                            "permanent": g.permanent, "label": g.label, "source": g.source,
                            "kinds": sorted(k.value for k in g.kinds),
                            "hand_over": rules.must_hand_over(g.years)} for g in cat.groups]}

    # ---------------------------------------------------------------- the yearly list
    def year_list(self, caller: Caller, unit: str, year: int) -> dict[str, Any]:
        self._see_unit(caller, unit)
        head = self.store.year_list(unit, year)
        files = sorted(self.store.files_of(unit, year), key=lambda f: str(f["code"]))
        status = ListStatus(head["status"]) if head else ListStatus.DRAFT
        return json_ready({
            "unit": unit, "year": year, "status": status.value, "status_label": status.label,
            "version": int(head["version"]) if head else 0,
            "approved_by": (head or {}).get("approved_by"),
            "approved_at": (head or {}).get("approved_at"),
            "files": [self._summary(f) for f in files]})

    @staticmethod
    def _summary(f: dict[str, Any]) -> dict[str, Any]:
        return {k: f.get(k) for k in (
            "id", "code", "title", "unit", "year", "group", "retention_years", "retention_label",
            "retention_source", "catalogue_version", "responsible", "status", "opened_on",
            "closed_on", "handover_due", "item_count", "retain_until", "version")} | {
            "status_label": FileStatus(f["status"]).label}

    def add_file(self, caller: Caller, unit: str, year: int, *, code: str, title: str,
                 group: str, responsible: str) -> dict[str, Any]:
        self._see_unit(caller, unit)
        self._head_of(caller, unit)
        head = self.store.year_list(unit, year)
        if head and head["status"] == ListStatus.APPROVED:
            raise Conflict("Danh mục hồ sơ năm này đã được phê duyệt.",
                           "The year's list is already approved.", "list_approved")
        cat = rules.catalogue()
        taken = {str(f["code"]).upper() for f in self.store.files_of(unit, year)}
        try:
            found = rules.check_new_file(cat, code=code, group=group, taken=taken)
            problems: list[FieldProblem] = []
        except InvalidInput as exc:
            found, problems = None, list(exc.fields or [])
        person = self.directory.user(responsible)
        if person is None or person.get("status") != "active" or person.get("unit") != unit:
            problems.append(FieldProblem("responsible", "Không phải người đang làm việc ở đơn vị.",
                                         "Not an active person of the unit."))
        if problems or found is None:
            raise InvalidInput("Không thêm được hồ sơ vào danh mục.",
                               "The case file cannot be added to the list.",
                               "invalid_case_file", problems)
        f = self._new_file(unit, year, code=code, title=title, group=found,
                           catalogue_version=cat.version, responsible=responsible)
        uow = self.store.unit_of_work()
        self.store.add(uow, f)
        self._touch_list(uow, head, unit, year)
        self.trail.append(uow, ChainHead(file_chain(f["id"])), caller, "archive.file_add",
                          summary=f"{code} {title}"[:200], after=self._summary(f))
        uow.commit()
        return json_ready(self._summary(f))

    def _new_file(self, unit: str, year: int, *, code: str, title: str,
                  group: rules.RetentionGroup, catalogue_version: str, responsible: str
                  ) -> dict[str, Any]:
        return {"id": uuid.uuid4().hex, "unit": unit, "year": year, "code": code,
                "title": title, "group": group.code, "retention_years": group.years,
                "retention_label": group.label, "retention_source": group.source,
                "catalogue_version": catalogue_version, "responsible": responsible,
                "status": FileStatus.PLANNED.value, "opened_on": None, "closed_on": None,
                "handover_due": None, "item_count": 0, "created_at": iso(self.clock()),
                "version": 1}

    def _touch_list(self, uow: Any, head: dict[str, Any] | None, unit: str, year: int) -> None:
        """Every change of a list's entries moves its version, so that a leader
        approves the list they read, not one changed since."""
        after = {**(head or {"unit": unit, "year": year, "status": ListStatus.DRAFT.value,
                             "version": 0}), "version": int((head or {}).get("version", 0)) + 1}
        self.store.save_list(uow, head, after)

    def approve(self, caller: Caller, unit: str, year: int, version: int) -> dict[str, Any]:
        self._see_unit(caller, unit)
        if Role.LEADER not in caller.roles:
            raise Forbidden("Chỉ lãnh đạo phê duyệt danh mục hồ sơ.",
                            "Only a leader approves the list of case files.")
        head = self.store.year_list(unit, year)
        files = self.store.files_of(unit, year)
        if head is None or not files:
            raise Conflict("Danh mục hồ sơ chưa có hồ sơ nào.", "The list has no case file.",
                           "list_empty")
        if head["status"] == ListStatus.APPROVED:
            raise Conflict("Danh mục hồ sơ đã được phê duyệt.", "The list is already approved.",
                           "list_approved")
        if int(head["version"]) != version:
            raise Conflict()
        uow = self.store.unit_of_work()
        self.store.save_list(uow, head, {**head, "status": ListStatus.APPROVED.value,
                                         "approved_by": caller.username,
                                         "approved_at": iso(self.clock()),
                                         "version": version + 1})
        for f in files:  # approval opens every planned file for filing
            if f["status"] == FileStatus.PLANNED:
                self.store.save(uow, f, {**f, "status": FileStatus.OPEN.value,
                                         "version": int(f["version"]) + 1})
        self.trail.append(uow, self.trail.head(list_chain(unit, year)), caller,
                          "archive.list_approve", summary=f"{unit} {year}: {len(files)} hồ sơ")
        uow.commit()
        return self.year_list(caller, unit, year)

    def copy_forward(self, caller: Caller, unit: str, year: int) -> dict[str, Any]:
        """Next year's draft list from this year's entries: same codes, titles,
        groups (at the current catalogue's periods) and people responsible."""
        self._see_unit(caller, unit)
        self._head_of(caller, unit)
        source = self.store.files_of(unit, year)
        if not source:
            raise Conflict("Danh mục năm này chưa có hồ sơ để sao chép.",
                           "This year's list has nothing to copy.", "list_empty")
        target = year + 1
        if self.store.files_of(unit, target) or self.store.year_list(unit, target):
            raise Conflict(f"Danh mục hồ sơ năm {target} đã có.",
                           f"The {target} list already exists.", "list_exists")
        cat = rules.catalogue()
        uow = self.store.unit_of_work()
        copied = 0
        for f in sorted(source, key=lambda x: str(x["code"])):
            group = cat.group(str(f["group"])) or rules.catalogue(
                str(f["catalogue_version"])).group(str(f["group"]))
            person = self.directory.user(str(f["responsible"]))
            active = person is not None and person.get("status") == "active" \
                and person.get("unit") == unit
            assert group is not None
            self.store.add(uow, self._new_file(
                unit, target, code=str(f["code"]), title=str(f["title"]), group=group,
                catalogue_version=cat.version,
                # Someone who left the unit is replaced by the head, who reassigns.
                responsible=str(f["responsible"]) if active else caller.username))
            copied += 1
        self._touch_list(uow, None, unit, target)
        self.trail.append(uow, ChainHead(list_chain(unit, target)), caller, "archive.list_copy",
                          summary=f"Sao chép {copied} hồ sơ từ danh mục năm {year}")
        uow.commit()
        return self.year_list(caller, unit, target)

    # ---------------------------------------------------------------- one case file
    def view(self, caller: Caller, file_id: str) -> dict[str, Any]:
        f = self._visible_file(caller, file_id)
        entries = [{k: i.get(k) for k in ("seq", "item_kind", "ref", "number", "date", "title",
                                          "author", "pages", "sha256", "filed_by", "filed_at")}
                   | {"kind_label": ItemKind(i["item_kind"]).label,
                      "has_file": bool(i.get("file_key"))}
                   for i in sorted(self.store.items(file_id), key=lambda i: int(i["seq"]))]
        actions = []
        if f["status"] == FileStatus.OPEN and self._may_file(caller, f):
            actions += ["file", "close"]
        if f["status"] == FileStatus.CLOSED and Role.ARCHIVIST in caller.roles \
                and f.get("handover_due"):
            actions.append("hand_over")
        extra: dict[str, Any] = {}
        if f["status"] == FileStatus.HANDED_OVER:
            if Role.ARCHIVIST in caller.roles:
                actions.append("grant")
                extra["grants"] = self._grants_of(file_id)
            else:  # read through a grant: read-only, until its end
                extra["read_until"] = (self._granted(caller, f) or {}).get("until")
        return json_ready({**self._summary(f), "items": entries, "actions": actions,
                           "archived": f.get("archived") or []} | extra)

    def _grants_of(self, file_id: str) -> list[dict[str, Any]]:
        today = self._today().isoformat()
        return [g | {"active": not g.get("revoked_at") and str(g["until"]) >= today}
                for g in sorted(self.store.grants(file_id),
                                key=lambda g: str(g.get("granted_at")), reverse=True)]

    def suggest(self, caller: Caller, kind: ItemKind, ref: str) -> dict[str, Any]:
        """The caller's unit's open files of this year for that kind of document,
        those whose group holds that kind first; where it is filed already, if it is."""
        self.reader(caller, kind, ref)  # 404 if the caller may not see it
        if not caller.unit:
            return {"filed_in": None, "files": []}
        cat = rules.catalogue()
        files = [f for f in self.store.files_of(caller.unit, self._today().year)
                 if f["status"] == FileStatus.OPEN]

        def fits(f: dict[str, Any]) -> bool:
            group = cat.group(str(f["group"]))
            return group is not None and kind in group.kinds

        files.sort(key=lambda f: (not fits(f), str(f["code"])))
        filed = self.store.filed_in(kind.value, ref)
        return json_ready({"filed_in": filed, "filed": self._where(caller, filed),
                           "year": self._today().year, "files": [
            self._summary(f) | {"fits": fits(f)} for f in files]})

    def _where(self, caller: Caller, file_id: str | None) -> dict[str, Any] | None:
        """What a document's page says of the case file it is in: its code and
        title (the caller sees the document, so may know where it is kept), and
        whether the caller may open the file itself."""
        f = self.store.get(file_id) if file_id else None
        if f is None:
            return None
        return {"id": f["id"], "code": f["code"], "title": f["title"], "unit": f["unit"],
                "year": f["year"], "status": f["status"],
                "status_label": FileStatus(f["status"]).label,
                "readable": self._may_read(caller, f)}

    def file_item(self, caller: Caller, file_id: str, kind: ItemKind, ref: str,
                  version: int | None = None) -> dict[str, Any]:
        f = self._visible_file(caller, file_id)
        if not self._may_file(caller, f):
            raise Forbidden("Chỉ người của đơn vị lập hồ sơ mới đưa văn bản vào hồ sơ.",
                            "Only the people of the file's unit file into it.")
        rules.check_changeable(f["status"])
        if version is not None and int(f["version"]) != version:
            raise Conflict()
        filed = self.reader(caller, kind, ref)  # NotFound when the caller may not see it
        where = self.store.filed_in(kind.value, ref)
        if where is not None:
            raise Conflict("Văn bản đã được đưa vào một hồ sơ.",
                           "The document is already filed in a case file.", "already_filed")
        seq = int(f["item_count"]) + 1
        today = self._today().isoformat()
        uow = self.store.unit_of_work()
        self.store.add_item(uow, file_id, seq, filed.as_entry() | {
            "filed_by": caller.username, "filed_at": iso(self.clock())})
        self.store.save(uow, f, {**f, "item_count": seq, "opened_on": f.get("opened_on") or today,
                                 "version": int(f["version"]) + 1})
        self.trail.append(uow, self.trail.head(file_chain(file_id)), caller, "archive.file_item",
                          summary=f"{kind.label} {filed.number} {filed.title}"[:200],
                          after={"kind": kind.value, "ref": ref, "seq": seq})
        uow.commit()
        return self.view(caller, file_id)

    def close(self, caller: Caller, file_id: str, version: int) -> dict[str, Any]:
        f = self._visible_file(caller, file_id)
        if caller.username != f.get("responsible") and not (
                Role.UNIT_HEAD in caller.roles and caller.unit == f["unit"]):
            raise Forbidden("Chỉ người lập hồ sơ hoặc trưởng đơn vị kết thúc hồ sơ.",
                            "Only the person responsible or the head of unit closes it.")
        rules.check_changeable(f["status"])
        if int(f["version"]) != version:
            raise Conflict()
        if not int(f["item_count"]):
            raise Conflict("Hồ sơ chưa có văn bản nào.", "The case file holds no document.",
                           "case_file_empty")
        closed_on = self._today()
        years = f.get("retention_years")
        due = rules.handover_due(closed_on) if rules.must_hand_over(
            None if years is None else int(years)) else None
        # A file kept at the unit (under five years) ends its retention there.
        kept_until = rules.retain_until(closed_on, int(years)) \
            if due is None and years is not None else None
        uow = self.store.unit_of_work()
        self.store.save(uow, f, {**f, "status": FileStatus.CLOSED.value,
                                 "closed_on": closed_on.isoformat(),
                                 "handover_due": due.isoformat() if due else None,
                                 "retain_until": kept_until.isoformat() if kept_until else None,
                                 "closed_by": caller.username, "version": version + 1})
        self.trail.append(uow, self.trail.head(file_chain(file_id)), caller, "archive.close",
                          summary=f"Kết thúc hồ sơ {f['code']}")
        uow.emit(DomainEvent("archive.file_closed", file_chain(file_id),
                             {"id": file_id, "unit": f["unit"],
                              "handover_due": due.isoformat() if due else None}))
        uow.commit()
        return self.view(caller, file_id)

    # ---------------------------------------------------------------- hand-over
    def due_for_handover(self, caller: Caller, within_days: int = 366) -> dict[str, Any]:
        """Closed files to hand over, earliest due first: those due within the
        period asked (a year by default) and any already late."""
        if Role.ARCHIVIST not in caller.roles:
            raise Forbidden("Chỉ lưu trữ viên xem hồ sơ đến hạn nộp lưu.",
                            "Only archivists list the files due to the archive.")
        today = self._today()
        until = date.fromordinal(today.toordinal() + within_days).isoformat()
        out = []
        for f in self.store.due(until):
            due = date.fromisoformat(str(f["handover_due"]))
            out.append(self._summary(f) | {"late": due < today,
                                           "days_left": (due - today).days})
        return json_ready({"today": today.isoformat(), "source": rules.HANDOVER_SOURCE,
                           "files": out})

    def hand_over(self, caller: Caller, file_id: str, version: int) -> dict[str, Any]:
        """The archivist receives a closed file: each document's PDF is copied to
        the archive bucket under Object Lock (retained to the end of the file's
        period, or a legal hold when permanent), and the file becomes read-only."""
        if Role.ARCHIVIST not in caller.roles:
            raise Forbidden("Chỉ lưu trữ viên nhận hồ sơ nộp lưu.",
                            "Only archivists receive case files.")
        f = self._visible_file(caller, file_id)
        if f["status"] != FileStatus.CLOSED or not f.get("handover_due"):
            raise Conflict("Hồ sơ chưa kết thúc hoặc không thuộc diện nộp lưu.",
                           "The case file is not closed or not due to the archive.",
                           "not_due")
        if int(f["version"]) != version:
            raise Conflict()
        closed_on = date.fromisoformat(str(f["closed_on"]))
        years = f.get("retention_years")
        until = None if years is None else rules.retain_until(closed_on, int(years))
        mode = self.vault.lock_mode()
        archived = []
        for item in sorted(self.store.items(file_id), key=lambda i: int(i["seq"])):
            if not item.get("file_key"):
                continue  # a case or dossier record: its index entry is what is kept
            kept = self.vault.keep(str(item["file_key"]),
                                   f"casefiles/{file_id}/{int(item['seq']):05d}.pdf",
                                   until=until, mode=mode)
            archived.append({"seq": int(item["seq"]), "sha256": item.get("sha256"), **kept})
        uow = self.store.unit_of_work()
        self.store.save(uow, f, {**f, "status": FileStatus.HANDED_OVER.value,
                                 "handed_over_at": iso(self.clock()),
                                 "handed_over_by": caller.username, "archived": archived,
                                 "retain_until": until.isoformat() if until else None,
                                 "version": version + 1})
        self.trail.append(uow, self.trail.head(file_chain(file_id)), caller, "archive.hand_over",
                          summary=f"Nộp lưu hồ sơ {f['code']}: {len(archived)} tệp",
                          after={"archived": archived})
        uow.emit(DomainEvent("archive.handed_over", file_chain(file_id), {"id": file_id}))
        uow.commit()
        return self.view(caller, file_id)

    # ---------------------------------------------------------------- export
    def export_pdf(self, caller: Caller, file_id: str) -> tuple[str, bytes]:
        """The case file as one PDF: cover, mục lục, each document's PDF attached
        unchanged (handed over: the archived copy). Reading it is audited."""
        from chalicelib.outputs.case_file_pdf import case_file_pdf

        f = self._visible_file(caller, file_id)
        items = sorted(self.store.items(file_id), key=lambda i: int(i["seq"]))
        kept = {int(a["seq"]): a for a in f.get("archived") or []}
        attachments = []
        for i in items:
            seq = int(i["seq"])
            if seq in kept:
                data = self.vault.archived(str(kept[seq]["key"]), kept[seq].get("version_id"))
            elif i.get("file_key"):
                data = self.vault.source(str(i["file_key"]))
            else:
                continue
            attachments.append((f"{seq:03d}-{i['item_kind']}.pdf", data))
        unit = self.directory.unit(str(f["unit"])) or {}

        def day(value: Any) -> str:
            return f"{date.fromisoformat(str(value)[:10]):%d/%m/%Y}" if value else ""

        status = FileStatus(f["status"])
        cover = [("Số, ký hiệu hồ sơ", str(f["code"])), ("Năm", str(f["year"])),
                 ("Thời gian", f"{day(f.get('opened_on'))} – {day(f.get('closed_on'))}"),
                 ("Thời hạn bảo quản", f"{f['retention_label']} ({f['retention_source']})"),
                 ("Người lập hồ sơ", str((self.directory.user(str(f["responsible"])) or {})
                                          .get("full_name") or f["responsible"])),
                 ("Số văn bản", str(len(items))), ("Tình trạng", status.label)]
        rows = [(str(i["seq"]), i.get("number") or "", day(i.get("date")), i.get("title") or "",
                 i.get("author") or "",
                 "Đính kèm" if int(i["seq"]) in kept or i.get("file_key") else "")
                for i in items]
        data = case_file_pdf(
            agency=str(self.agency().get("name") or ""),
            unit=str(unit.get("name") or f["unit"]), title=str(f["title"]), cover=cover,
            header=("STT", "Số, ký hiệu", "Ngày tháng", "Trích yếu nội dung", "Tác giả",
                    "Ghi chú"), rows=rows, widths=(10, 28, 22, 72, 38, 20),
            attachments=attachments, made_at=self.clock())
        # A reading: recorded beside the chain, so exports never race a change.
        self.trail.note(file_chain(file_id), caller, "archive.export",
                        summary=f"Xuất hồ sơ {f['code']} ({len(attachments)} tệp)")
        return f"ho-so-{f['year']}-{f['code']}.pdf".replace("/", "-"), data

    def export_xml(self, caller: Caller, file_id: str) -> tuple[str, bytes]:
        """The case file's Decree 30 Appendix VI metadata as XML. The file code is
        the agency's code, the year and the file's number (số và ký hiệu hồ sơ)."""
        from chalicelib.outputs.case_file_xml import case_file_xml

        f = self._visible_file(caller, file_id)
        items = sorted(self.store.items(file_id), key=lambda i: int(i["seq"]))
        agency_code = str(self.agency().get("code") or "")
        data = case_file_xml({
            "file_code": f"{agency_code}.{f['year']}.{f['code']}",
            "title": f["title"], "retention": f["retention_label"],
            "access": "Hạn chế" if f["status"] == FileStatus.HANDED_OVER else "Thường",
            "language": "Tiếng Việt", "start": f.get("opened_on") or "",
            "end": f.get("closed_on") or "", "count": len(items), "note": ""}, [
            {"seq": i["seq"], "identifier": f"{i['item_kind']}:{i['ref']}",
             "number": i.get("number"), "date": str(i.get("date") or "")[:10],
             "type": ItemKind(i["item_kind"]).label, "subject": i.get("title"),
             "author": i.get("author"), "language": "Tiếng Việt", "pages": i.get("pages"),
             "sha256": i.get("sha256")} for i in items])
        self.trail.note(file_chain(file_id), caller, "archive.export",
                        summary=f"Xuất dữ liệu đặc tả hồ sơ {f['code']} (XML)")
        return f"ho-so-{f['year']}-{f['code']}.xml".replace("/", "-"), data

    def handover_record(self, caller: Caller, file_id: str) -> tuple[str, bytes]:
        """The biên bản giao nhận of a file handed over, with its mục lục hồ sơ."""
        f = self._archived_file(caller, file_id, Forbidden(
            "Chỉ lưu trữ viên in biên bản giao nhận.",
            "Only archivists print the hand-over record."))
        # The day of the hand-over, in the agency's time.
        at = instant(str(f["handed_over_at"])) or self.clock()
        data = self._record_pdf([f], at, str(f.get("handed_over_by") or caller.username),
                                f"Biên bản giao nhận hồ sơ {f['code']}")
        return f"bien-ban-giao-nhan-{f['year']}-{f['code']}.pdf".replace("/", "-"), data

    def _record_pdf(self, files: list[dict[str, Any]], at: Any, receiver: str, title: str
                    ) -> bytes:
        """The biên bản giao nhận over ``files`` (of one unit), with their mục lục
        hồ sơ, dated ``at`` (an instant) in the agency's time."""
        from chalicelib.outputs.case_file_pdf import handover_record_pdf

        agency = self.agency()
        day_of = at.astimezone(self.calendar().tz).date()
        unit = self.directory.unit(str(files[0]["unit"])) or {}

        def name_of(username: str) -> str:
            return str((self.directory.user(username) or {}).get("full_name") or username)

        def day(value: Any) -> str:
            return f"{date.fromisoformat(str(value)[:10]):%d/%m/%Y}" if value else ""

        givers = list(dict.fromkeys(str(f.get("closed_by") or f["responsible"]) for f in files))
        items = sum(int(f.get("item_count") or 0) for f in files)
        copies = sum(len(f.get("archived") or []) for f in files)
        rows = [(str(n), f["code"], f["title"],
                 f"{day(f.get('opened_on'))} – {day(f.get('closed_on'))}",
                 str(f.get("item_count") or 0), f["retention_label"], "")
                for n, f in enumerate(files, start=1)]
        place = agency.get("place") or ""
        return handover_record_pdf(
            agency=agency, title=title,
            place_date=f"{place}, ngày {day_of.day:02d} tháng {day_of.month:02d} "
                       f"năm {day_of.year}",
            giver=[f"Ông/bà: {', '.join(name_of(g) for g in givers)}",
                   f"Đơn vị: {unit.get('name') or files[0]['unit']}"],
            receiver=[f"Ông/bà: {name_of(receiver)}",
                      "Chức vụ: Lưu trữ viên, Lưu trữ cơ quan"],
            header=("STT", "Số, ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian", "Số văn bản",
                    "Thời hạn bảo quản", "Ghi chú"),
            rows=rows, widths=(10, 25, 55, 32, 18, 22, 13),
            totals=f"Tổng số: {len(files):02d} hồ sơ, {items} văn bản; "
                   f"{copies} tệp được lưu trong kho lưu trữ.")

    def make_handover_record(self, caller: Caller, file_ids: list[str]) -> dict[str, Any]:
        """One hand-over record over several files received from one unit (a batch
        of its closed files): kept, audited, printed by ``handover_record_batch``."""
        if Role.ARCHIVIST not in caller.roles:
            raise Forbidden("Chỉ lưu trữ viên lập biên bản giao nhận.",
                            "Only archivists make hand-over records.")
        problems = []
        files: list[dict[str, Any]] = []
        for n, file_id in enumerate(file_ids):
            f = self.store.get(file_id)
            if f is None or f["status"] != FileStatus.HANDED_OVER:
                problems.append(FieldProblem(f"file_ids.{n}", "Không phải hồ sơ đã nộp lưu.",
                                             "Not a case file handed over."))
            elif files and f["unit"] != files[0]["unit"]:
                problems.append(FieldProblem(f"file_ids.{n}",
                                             "Hồ sơ của đơn vị khác: mỗi biên bản một đơn vị.",
                                             "Another unit's file: one unit per record."))
            else:
                files.append(f)
        if len(set(file_ids)) != len(file_ids):
            problems.append(FieldProblem("file_ids", "Một hồ sơ có mặt hai lần.",
                                         "A file is listed twice."))
        InvalidInput.unless_none(problems, "Không lập được biên bản giao nhận.",
                                 "The hand-over record cannot be made.", "invalid_handover_record")
        files.sort(key=lambda f: (int(f["year"]), str(f["code"])))
        record = {"id": uuid.uuid4().hex, "unit": files[0]["unit"],
                  "file_ids": [f["id"] for f in files], "made_by": caller.username,
                  "made_at": iso(self.clock())}
        uow = self.store.unit_of_work()
        self.store.add_handover_record(uow, record)
        self.trail.append(uow, ChainHead(f"archive-handover:{record['id']}"), caller,
                          "archive.handover_record",
                          summary=f"Biên bản giao nhận {len(files)} hồ sơ của {record['unit']}",
                          after={"file_ids": record["file_ids"]})
        uow.commit()
        return self.handover_record_view(caller, record["id"], record)

    def handover_record_view(self, caller: Caller, record_id: str,
                             record: dict[str, Any] | None = None) -> dict[str, Any]:
        if Role.ARCHIVIST not in caller.roles:
            raise Forbidden("Chỉ lưu trữ viên xem biên bản giao nhận.",
                            "Only archivists read hand-over records.")
        record = record or self.store.handover_record(record_id)
        if record is None:
            raise NotFound("Không có biên bản giao nhận này.", "No such hand-over record.")
        files = [self.store.get(str(i)) or {"id": i} for i in record["file_ids"]]
        return json_ready({**record, "files": [self._summary(f) if "status" in f else f
                                               for f in files]})

    def handover_record_batch(self, caller: Caller, record_id: str) -> tuple[str, bytes]:
        """The kept record printed: the biên bản over its files, with the mục lục hồ sơ."""
        view = self.handover_record_view(caller, record_id)
        files = [self.store.get(str(i)) for i in view["file_ids"]]
        kept = [f for f in files if f is not None]
        at = instant(str(view["made_at"])) or self.clock()
        data = self._record_pdf(kept, at, str(view["made_by"]),
                                f"Biên bản giao nhận {len(kept)} hồ sơ")
        day_of = at.astimezone(self.calendar().tz).date()
        return f"bien-ban-giao-nhan-{view['unit']}-{day_of:%Y%m%d}.pdf", data

    # ---------------------------------------------------------------- reading grants
    def grant_reading(self, caller: Caller, file_id: str, username: str, until: date
                      ) -> dict[str, Any]:
        """The archivist lets a person read a handed-over file (read-only) until a
        day; granting again sets a new end. Audited; the person is told."""
        f = self._archived_file(caller, file_id, Forbidden(
            "Chỉ lưu trữ viên cấp quyền đọc hồ sơ lưu trữ.",
            "Only archivists grant reading of archived files."))
        today = self._today()
        problems = []
        person = self.directory.user(username)
        if person is None or person.get("status") != "active":
            problems.append(FieldProblem("username", "Không phải người đang làm việc.",
                                         "Not an active person."))
        elif username == caller.username:
            problems.append(FieldProblem("username", "Lưu trữ viên đã đọc được hồ sơ.",
                                         "Archivists read the file already."))
        if not today <= until <= today + timedelta(days=rules.GRANT_MAX_DAYS):
            problems.append(FieldProblem(
                "until", f"Từ hôm nay đến tối đa {rules.GRANT_MAX_DAYS} ngày sau.",
                f"From today to at most {rules.GRANT_MAX_DAYS} days ahead."))
        InvalidInput.unless_none(problems, "Không cấp được quyền đọc hồ sơ.",
                                 "The grant cannot be made.", "invalid_grant")
        grant = {"username": username, "until": until.isoformat(),
                 "granted_by": caller.username, "granted_at": iso(self.clock()),
                 "revoked_at": None, "revoked_by": None}
        uow = self.store.unit_of_work()
        self.store.save_grant(uow, file_id, grant)
        self.trail.append(uow, self.trail.head(file_chain(file_id)), caller, "archive.grant",
                          summary=f"Cho {username} đọc hồ sơ {f['code']} đến {until:%d/%m/%Y}",
                          after={"username": username, "until": until.isoformat()})
        uow.emit(DomainEvent("notice.requested", file_chain(file_id), {
            "to": [username], "kind": "archive.read_grant",
            "title": f"Bạn được đọc hồ sơ lưu trữ “{f['code']} {f['title']}” "
                     f"đến hết ngày {until:%d/%m/%Y}",
            "link": link(file_id)}))
        uow.commit()
        return self.view(caller, file_id)

    def revoke_reading(self, caller: Caller, file_id: str, username: str) -> dict[str, Any]:
        if Role.ARCHIVIST not in caller.roles:
            raise Forbidden("Chỉ lưu trữ viên thu hồi quyền đọc hồ sơ lưu trữ.",
                            "Only archivists revoke reading grants.")
        f = self._visible_file(caller, file_id)
        g = self.store.grant(file_id, username)
        if g is None or g.get("revoked_at"):
            raise NotFound("Người này không có quyền đọc hồ sơ.", "No such reading grant.")
        uow = self.store.unit_of_work()
        self.store.save_grant(uow, file_id, {**g, "revoked_at": iso(self.clock()),
                                             "revoked_by": caller.username})
        self.trail.append(uow, self.trail.head(file_chain(file_id)), caller,
                          "archive.grant_revoke",
                          summary=f"Thu hồi quyền đọc hồ sơ {f['code']} của {username}")
        uow.commit()
        return self.view(caller, file_id)

    # ---------------------------------------------------------------- disposal
    def _disposal_view(self, d: dict[str, Any]) -> dict[str, Any]:
        files = [self.store.get(str(i)) or {"id": i} for i in d["file_ids"]]
        return json_ready({**d, "status_label": DisposalStatus(d["status"]).label,
                           "files": [self._summary(f) if "status" in f else f for f in files]})

    def propose_disposal(self, caller: Caller, file_ids: list[str], reason: str
                         ) -> dict[str, Any]:
        """The archivist's list of files to destroy (đề nghị hủy): only files in the
        archive whose retention has run out; a leader decides."""
        if Role.ARCHIVIST not in caller.roles:
            raise Forbidden("Chỉ lưu trữ viên lập danh mục tài liệu hết giá trị.",
                            "Only archivists propose files for disposal.")
        today = self._today()
        problems = []
        for n, file_id in enumerate(file_ids):
            f = self.store.get(file_id)
            if f is None or not rules.disposable_state(f["status"], f.get("handover_due")):
                problems.append(FieldProblem(
                    f"file_ids.{n}", "Không phải hồ sơ trong kho lưu trữ hoặc hồ sơ đã kết "
                                     "thúc lưu tại đơn vị.",
                    "Not a case file in the archive or closed and kept at its unit."))
            elif not rules.expired(f.get("retain_until"), today):
                problems.append(FieldProblem(f"file_ids.{n}", "Hồ sơ chưa hết thời hạn bảo quản.",
                                             "The file's retention has not run out."))
        if len(set(file_ids)) != len(file_ids):
            problems.append(FieldProblem("file_ids", "Một hồ sơ có mặt hai lần.",
                                         "A file is listed twice."))
        InvalidInput.unless_none(problems, "Danh mục đề nghị hủy có hồ sơ không hủy được.",
                                 "Some files cannot be proposed for disposal.", "not_disposable")
        d = {"id": uuid.uuid4().hex, "file_ids": file_ids, "reason": reason,
             "status": DisposalStatus.PROPOSED.value, "proposed_by": caller.username,
             "proposed_at": iso(self.clock()), "version": 1}
        uow = self.store.unit_of_work()
        self.store.save_disposal(uow, None, d)
        self.trail.append(uow, ChainHead(f"archive-disposal:{d['id']}"), caller,
                          "archive.disposal_propose", summary=reason[:200],
                          after={"file_ids": file_ids})
        uow.commit()
        return self._disposal_view(d)

    def disposal(self, caller: Caller, disposal_id: str) -> dict[str, Any]:
        if not caller.roles & {Role.ARCHIVIST, Role.LEADER}:
            raise Forbidden()
        d = self.store.disposal(disposal_id)
        if d is None:
            raise NotFound("Không có danh mục đề nghị hủy này.", "No such disposal list.")
        return self._disposal_view(d)

    def decide_disposal(self, caller: Caller, disposal_id: str, *, approve: bool, note: str,
                        version: int) -> dict[str, Any]:
        """A leader's decision. Approved, each file's archived copies are deleted
        (S3 refuses while a lock holds: 409 and nothing recorded) and the file is
        marked disposed; its index and its audit trail stay for good."""
        if Role.LEADER not in caller.roles:
            raise Forbidden("Chỉ lãnh đạo quyết định hủy tài liệu.",
                            "Only a leader decides a disposal.")
        d = self.store.disposal(disposal_id)
        if d is None:
            raise NotFound("Không có danh mục đề nghị hủy này.", "No such disposal list.")
        if d["status"] != DisposalStatus.PROPOSED or int(d["version"]) != version:
            raise Conflict()
        today = self._today()
        files = [self.store.get(str(i)) for i in d["file_ids"]]
        if approve and any(f is None
                           or not rules.disposable_state(f["status"], f.get("handover_due"))
                           or not rules.expired(f.get("retain_until"), today) for f in files):
            raise Conflict("Có hồ sơ trong danh mục không còn hủy được.",
                           "A listed file can no longer be disposed of.", "not_disposable")
        now = iso(self.clock())
        if approve:
            for f in files:
                assert f is not None
                for a in f.get("archived") or []:
                    self.vault.discard(str(a["key"]), a.get("version_id"))
        uow = self.store.unit_of_work()
        status = DisposalStatus.APPROVED if approve else DisposalStatus.REFUSED
        after = {**d, "status": status.value, "decided_by": caller.username, "decided_at": now,
                 "note": note, "version": version + 1}
        self.store.save_disposal(uow, d, after)
        if approve:
            for f in files:
                assert f is not None
                self.store.save(uow, f, {**f, "status": FileStatus.DISPOSED.value,
                                         "disposed_at": now, "disposal_id": disposal_id,
                                         "archived": [{**a, "deleted": True}
                                                      for a in f.get("archived") or []],
                                         "version": int(f["version"]) + 1})
                self.trail.append(uow, self.trail.head(file_chain(str(f["id"]))), caller,
                                  "archive.dispose", summary=f"Hủy theo danh mục {disposal_id}")
                if f["status"] == FileStatus.CLOSED:
                    # Kept at the unit: its documents' copies belong to their owning
                    # capabilities, told here (no subscriber yet) to destroy them.
                    uow.emit(DomainEvent("archive.file_disposed", file_chain(str(f["id"])), {
                        "id": f["id"], "unit": f["unit"], "disposal_id": disposal_id,
                        "items": [{"kind": i["item_kind"], "ref": i["ref"]}
                                  for i in self.store.items(str(f["id"]))]}))
        self.trail.append(uow, self.trail.head(f"archive-disposal:{disposal_id}"), caller,
                          "archive.disposal_" + ("approve" if approve else "refuse"),
                          summary=note[:200])
        uow.commit()
        return self._disposal_view(after)

    # ---------------------------------------------------------------- the 30-day warning
    def warn_due(self) -> dict[str, Any]:
        """Tell each responsible person once that their closed file is due to the
        archive in 30 days. The job runs on working days: a warning day that falls
        on a day off is told on the last working day before it, and one missed
        (the job did not run) is told at the next run."""
        cal = self.calendar()
        today = self._today()
        if not cal.is_working_day(today):
            return {"warned": 0, "working_day": False}
        # Warning days up to the next working day, exclusive, are today's.
        horizon = cal.next_working_day(today) + timedelta(days=rules.WARN_DAYS - 1)
        warned = 0
        for f in self.store.due(horizon.isoformat()):  # due on or before the horizon
            if f.get("warned_on"):
                continue
            due = date.fromisoformat(str(f["handover_due"]))
            uow = self.store.unit_of_work()
            self.store.save(uow, f, {**f, "warned_on": today.isoformat(),
                                     "version": int(f["version"]) + 1})
            # The notifications capability turns it into a notice and a mail.
            uow.emit(DomainEvent("notice.requested", file_chain(f["id"]), {
                "to": [f["responsible"]], "kind": "archive.handover_due",
                "title": f"Hồ sơ “{f['code']} {f['title']}” đến hạn nộp lưu vào Lưu trữ cơ "
                         f"quan ngày {due:%d/%m/%Y}",
                "link": link(f["id"])}))
            # Not counted when changed meanwhile (handed over, or warned by another run).
            warned += uow.commit_unless_done()
        return {"warned": warned, "working_day": True}

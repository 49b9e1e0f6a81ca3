"""The process library's use cases: procedures and their versions (draft →
reviewed → approved by a leader → in force from a date → obsolete), the
distribution of an approved version to the people it applies to with their
acknowledgement, the version in force that new work follows, and the review
reminders.

Who may do what (docs/iso.md): the ISO secretary (the administrator), a head
of unit or a leader drafts and reviews (not their own draft); only a leader
approves; everybody reads every version, obsolete ones marked "hết hiệu lực".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.adapters.dynamo import Table, json_ready
from chalicelib.iso import rules
from chalicelib.iso.store import PARENT, IsoStore
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail
from chalicelib.work import items
from chalicelib.work.pending import Pending
from chalicelib.work.rules import Action

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EDITORS = frozenset({Role.ADMIN, Role.UNIT_HEAD, Role.LEADER})
# People written to in one transaction when a version is distributed: each is
# an acknowledgement record and a pending action (two writes), well under
# DynamoDB's 100 operations.
DISTRIBUTION_BATCH = 40
PAGE = "/app/iso"


def chain_of(pid: str) -> str:
    return f"iso:{pid}"


def page_of(pid: str, number: int | None = None) -> str:
    return f"{PAGE}?pid={pid}" + (f"&v={number}" if number else "")


def _calendar() -> AgencyCalendar:
    from chalicelib.calendar.service import agency_calendar

    return agency_calendar()


@dataclass
class Library:
    store: IsoStore
    trail: AuditTrail
    # The people of a unit (the organisation's directory): whom a version is sent to.
    members: Callable[[str], list[dict[str, Any]]]
    calendar: Callable[[], AgencyCalendar] = field(default=_calendar)
    clock: Callable[[], datetime] = utcnow
    pending: Pending | None = None
    review_months: int = rules.DEFAULT_REVIEW_MONTHS

    def _pending(self) -> Pending:
        if self.pending is None:
            self.pending = Pending.over(self.store.table, self.calendar, self.clock)
        return self.pending

    def today(self) -> date:
        return self.clock().astimezone(TZ).date()

    # ------------------------------------------------------------ reading

    def _head(self, pid: str) -> dict[str, Any]:
        head = self.store.procedure(pid)
        if head is None:
            raise NotFound("Không có quy trình này.", "No such procedure.")
        return head

    def _version(self, pid: str, number: int) -> dict[str, Any]:
        v = self.store.version(pid, number)
        if v is None:
            raise NotFound("Không có phiên bản này.", "No such version.")
        return v

    def _shown(self, v: dict[str, Any], versions: list[dict[str, Any]], on: date
               ) -> dict[str, Any]:
        st = rules.state(v, versions, on)
        return {**v, "state": st.value, "state_label": st.label,
                "offered_for_new_work": st is rules.State.IN_FORCE}

    def list(self, caller: Caller) -> list[dict[str, Any]]:
        """Every procedure with its version in force and its latest version."""
        on = self.today()
        out = []
        for head in self.store.procedures():
            versions = self.store.versions(head["id"])
            current = rules.in_force(versions, on)
            latest = max(versions, key=lambda v: int(v["number"])) if versions else None
            out.append(json_ready({
                **head, "kind_label": rules.Kind(head["kind"]).label,
                "in_force": self._shown(current, versions, on) if current else None,
                "latest": self._shown(latest, versions, on) if latest else None}))
        return sorted(out, key=lambda p: p["code"])

    def view(self, caller: Caller, pid: str) -> dict[str, Any]:
        """A procedure with every version (obsolete ones readable, marked) and its
        change log, newest first."""
        head = self._head(pid)
        on = self.today()
        versions = self.store.versions(pid)
        shown = [self._shown(v, versions, on)
                 for v in sorted(versions, key=lambda v: -int(v["number"]))]
        mine = {}
        for v in shown:
            if v["status"] == rules.Status.APPROVED:
                ack = self.store.acknowledgement(pid, int(v["number"]), caller.username)
                if ack is not None:
                    mine[str(v["number"])] = ack
        return json_ready({**head, "kind_label": rules.Kind(head["kind"]).label,
                           "versions": shown, "my_acknowledgements": mine,
                           "review_schedule": self._schedule(head, versions, on),
                           "change_log": [{"number": v["number"], "reason": v["reason"],
                                           "change_summary": v["change_summary"],
                                           "drafted_by": v["drafted_by"],
                                           "approved_by": v.get("approved_by"),
                                           "effective_from": v.get("effective_from")}
                                          for v in shown]})

    def _schedule(self, head: dict[str, Any], versions: list[dict[str, Any]], on: date
                  ) -> dict[str, Any]:
        """The review interval in use and when the version in force is due."""
        current = rules.in_force(versions, on)
        months = rules.review_months_of(current, head, self.review_months)
        last = (head.get("last_review") or {}).get("on")
        due = rules.review_due(current, months, last) if current else None
        return {"months": months, "last_review": head.get("last_review"),
                "due": due.isoformat() if due else None}

    # ------------------------------------------------------------ drafting

    def create(self, caller: Caller, *, code: str, title: str, kind: rules.Kind, owner: str,
               owner_unit: str, applies_to: list[str]) -> dict[str, Any]:
        """A new procedure of the library, with no version yet (its first is drafted next)."""
        if Role.ADMIN not in caller.roles and Role.LEADER not in caller.roles:
            raise Forbidden("Chỉ thư ký ISO hoặc lãnh đạo lập quy trình mới.",
                            "Only the ISO secretary or a leader adds a procedure.")
        if not applies_to:
            rules.raise_if([FieldProblem("applies_to", "Cần nêu thủ tục, loại văn bản áp dụng.",
                                         "Name what it governs.")],
                           "Quy trình chưa hợp lệ.", "The procedure is not valid.")
        pid = rules.ident(code)
        if self.store.procedure(pid) is not None:
            raise Conflict("Đã có quy trình mã này.", "The code is taken.", "code_taken")
        head = {"id": pid, "code": code, "title": title, "kind": kind.value, "owner": owner,
                "owner_unit": owner_unit, "applies_to": applies_to, "latest": 0,
                "replaced_bases": [], "version": 1}
        uow = self.store.unit_of_work()
        self.store.add_procedure(uow, head)
        self.trail.append(uow, self.trail.head(chain_of(pid)), caller, "iso.create",
                          summary=f"Lập quy trình {code}: {title}"[:300])
        uow.commit()
        return self.view(caller, pid)

    def _retention_check(self, content: dict[str, Any], groups: set[str] | None,
                         kind: rules.Kind) -> None:
        rules.raise_if(rules.check_content(kind, content, retention_groups=groups),
                       "Nội dung quy trình chưa hợp lệ.", "The procedure is not valid.")

    def draft(self, caller: Caller, pid: str, content: dict[str, Any], *, reason: str,
              change_summary: str, retention_groups: set[str] | None = None,
              review_months: int | None = None) -> dict[str, Any]:
        """A new draft version of the procedure (its content whole, as edited
        from the latest version)."""
        if not caller.roles & EDITORS:
            raise Forbidden("Chỉ thư ký ISO, trưởng đơn vị hoặc lãnh đạo soạn quy trình.",
                            "Only the ISO secretary, a head of unit or a leader drafts.")
        head = self._head(pid)
        problems = rules.check_change(reason, change_summary)
        problems += rules.check_content(rules.Kind(head["kind"]), content,
                                        retention_groups=retention_groups)
        problems += rules.check_review_months(review_months)
        rules.raise_if(problems, "Dự thảo quy trình chưa hợp lệ.", "The draft is not valid.")
        versions = self.store.versions(pid)
        latest = max(versions, key=lambda v: int(v["number"])) if versions else None
        months = self._months(caller, head, latest, review_months)
        if any(v["status"] != rules.Status.APPROVED for v in versions):
            raise Conflict("Quy trình đang có một dự thảo chưa phê duyệt; hãy sửa dự thảo đó.",
                           "An unapproved draft exists; edit it.", "draft_exists")
        number = int(head["latest"]) + 1
        content = with_files(content, latest)
        now = iso(self.clock())
        version = {"id": pid, "code": head["code"], "number": number, "title": head["title"],
                   "kind": head["kind"],
                   **content_of(content), "review_months": months,
                   "status": rules.Status.DRAFT.value, "reason": reason,
                   "change_summary": change_summary,
                   "drafted_by": caller.username, "drafted_at": now, "version": 1}
        uow = self.store.unit_of_work()
        self.store.add_version(uow, version)
        self.store.save_procedure(uow, head, {**head, "latest": number,
                                              "version": int(head["version"]) + 1})
        self.trail.append(uow, self.trail.head(chain_of(pid)), caller, "iso.draft",
                          summary=f"Dự thảo {head['code']} lần {number}: {change_summary}"[:300])
        uow.commit()
        return self.view(caller, pid)

    def edit(self, caller: Caller, pid: str, number: int, content: dict[str, Any], *,
             reason: str, change_summary: str, expected: int,
             retention_groups: set[str] | None = None,
             review_months: int | None = None) -> dict[str, Any]:
        """The draft changed (a reviewed version edited goes back to draft)."""
        if not caller.roles & EDITORS:
            raise Forbidden()
        head = self._head(pid)
        v = self._version(pid, number)
        if v["status"] == rules.Status.APPROVED:
            raise Conflict("Phiên bản đã phê duyệt không sửa được; hãy soạn phiên bản mới.",
                           "An approved version never changes; draft a new one.",
                           "version_approved")
        if int(v["version"]) != expected:
            raise Conflict("Dự thảo đã được người khác sửa; hãy tải lại.",
                           "The draft changed meanwhile; reload.", "stale")
        problems = rules.check_change(reason, change_summary)
        problems += rules.check_content(rules.Kind(head["kind"]), content,
                                        retention_groups=retention_groups)
        problems += rules.check_review_months(review_months)
        rules.raise_if(problems, "Dự thảo quy trình chưa hợp lệ.", "The draft is not valid.")
        months = self._months(caller, head, v, review_months)
        content = with_files(content, v)
        after = {**v, **content_of(content), "review_months": months,
                 "reason": reason, "change_summary": change_summary,
                 "status": rules.Status.DRAFT.value, "reviewed_by": None,
                 "version": int(v["version"]) + 1, "updated_at": iso(self.clock())}
        uow = self.store.unit_of_work()
        self.store.save_version(uow, v, after)
        self.trail.append(uow, self.trail.head(chain_of(pid)), caller, "iso.edit",
                          summary=f"Sửa dự thảo {v['code']} lần {number}")
        uow.commit()
        return self.view(caller, pid)

    def _months(self, caller: Caller, head: dict[str, Any], previous: dict[str, Any] | None,
                wanted: int | None) -> int | None:
        """The review interval the draft carries: the one asked, or the one it
        had (a new draft: its latest version's). Only the procedure's owner or
        the ISO secretary changes it."""
        kept = (previous or {}).get("review_months")
        if wanted is None or wanted == kept:
            return int(kept) if kept else None
        if caller.username != head.get("owner") and Role.ADMIN not in caller.roles:
            raise Forbidden("Chỉ người chủ trì quy trình hoặc thư ký ISO đặt chu kỳ xem xét.",
                            "Only the procedure's owner or the ISO secretary sets the "
                            "review interval.")
        return wanted

    def review(self, caller: Caller, pid: str, number: int, *, expected: int,
               comment: str = "") -> dict[str, Any]:
        """The draft checked by someone other than its drafter (xem xét)."""
        if not caller.roles & EDITORS:
            raise Forbidden("Chỉ trưởng đơn vị, lãnh đạo hoặc thư ký ISO xem xét quy trình.",
                            "Only a head of unit, a leader or the ISO secretary reviews.")
        v = self._version(pid, number)
        if v["status"] != rules.Status.DRAFT:
            raise Conflict("Chỉ xem xét được dự thảo.", "Only a draft is reviewed.",
                           "invalid_state")
        if v["drafted_by"] == caller.username:
            raise Forbidden("Người soạn không tự xem xét dự thảo của mình.",
                            "The drafter does not review their own draft.")
        if int(v["version"]) != expected:
            raise Conflict("Dự thảo đã thay đổi; hãy tải lại.", "The draft changed; reload.",
                           "stale")
        after = {**v, "status": rules.Status.REVIEWED.value, "reviewed_by": caller.username,
                 "reviewed_at": iso(self.clock()), "review_comment": comment,
                 "version": int(v["version"]) + 1}
        uow = self.store.unit_of_work()
        self.store.save_version(uow, v, after)
        self.trail.append(uow, self.trail.head(chain_of(pid)), caller, "iso.review",
                          summary=f"Xem xét {v['code']} lần {number}" + (f": {comment}"
                                                                     if comment else ""))
        uow.commit()
        return self.view(caller, pid)

    def approve(self, caller: Caller, pid: str, number: int, *, effective_from: date,
                expected: int) -> dict[str, Any]:
        """A leader approves the reviewed version, in force from ``effective_from``
        (today or later); the version it replaces becomes obsolete that day. The
        version is then sent to the people it applies to."""
        if Role.LEADER not in caller.roles:
            raise Forbidden("Chỉ lãnh đạo phê duyệt quy trình.", "Only a leader approves.")
        head = self._head(pid)
        v = self._version(pid, number)
        if v["status"] != rules.Status.REVIEWED:
            raise Conflict("Chỉ phê duyệt được phiên bản đã xem xét.",
                           "Only a reviewed version is approved.", "invalid_state")
        if int(v["version"]) != expected:
            raise Conflict("Phiên bản đã thay đổi; hãy tải lại.", "The version changed; reload.",
                           "stale")
        versions = self.store.versions(pid)
        rules.check_effective(effective_from, self.today(), versions)
        after = {**v, "status": rules.Status.APPROVED.value, "approved_by": caller.username,
                 "approved_at": iso(self.clock()), "effective_from": effective_from.isoformat(),
                 "version": int(v["version"]) + 1}
        uow = self.store.unit_of_work()
        self.store.save_version(uow, v, after)
        self.trail.append(uow, self.trail.head(chain_of(pid)), caller, "iso.approve",
                          summary=f"Phê duyệt {v['code']} lần {number}, hiệu lực từ "
                                  f"{effective_from:%d/%m/%Y}")
        uow.commit()
        self.distribute(pid, number, by=caller.username, head=head, version=after)
        return self.view(caller, pid)

    # ------------------------------------------------------------ distribution

    def distribute(self, pid: str, number: int, *, by: str,
                   head: dict[str, Any] | None = None,
                   version: dict[str, Any] | None = None) -> int:
        """Send the approved version to every active person of the units it
        applies to: each gets "đọc và xác nhận" in their inbox, written with the
        record of the sending in one transaction. Idempotent: a person already
        sent it is skipped, so a run cut short is finished by running it again."""
        head = head or self._head(pid)
        version = version or self._version(pid, number)
        if version["status"] != rules.Status.APPROVED:
            raise Conflict("Chỉ phân phối phiên bản đã phê duyệt.",
                           "Only an approved version is distributed.", "invalid_state")
        sent = {a["username"] for a in self.store.acknowledgements(pid, number)}
        people = []
        for unit in version.get("units") or []:
            for p in self.members(unit):
                if p.get("status", "active") == "active" and p["username"] not in sent:
                    sent.add(p["username"])
                    people.append((p, unit))
        pending = self._pending()
        subject = f"{version['code']} lần {number}: {version['title']}"[:300]
        for start in range(0, len(people), DISTRIBUTION_BATCH):
            uow = self.store.unit_of_work()
            for p, unit in people[start:start + DISTRIBUTION_BATCH]:
                self.store.add_acknowledgement(uow, {
                    "id": pid, "code": version["code"], "number": number, "username": p["username"],
                    "full_name": p.get("full_name") or p["username"], "unit": unit,
                    "sent_at": iso(self.clock()), "confirmed_at": None})
                pending.open(uow, PARENT, f"{pid}@{number}", Action.ACKNOWLEDGE_PROCEDURE,
                             items.person(p["username"]), subject=subject,
                             link=page_of(pid, number), by=by, unit=unit)
            uow.commit()
        return len(people)

    def acknowledge(self, caller: Caller, pid: str, number: int) -> dict[str, Any]:
        """The person confirms having read the version sent to them."""
        ack = self.store.acknowledgement(pid, number, caller.username)
        if ack is None:
            raise NotFound("Phiên bản này không được gửi cho bạn.",
                           "This version was not sent to you.")
        if ack.get("confirmed_at"):
            return json_ready(ack)
        after = {**ack, "confirmed_at": iso(self.clock())}
        uow = self.store.unit_of_work()
        self.store.confirm(uow, after)
        self._pending().close(uow, PARENT, f"{pid}@{number}", Action.ACKNOWLEDGE_PROCEDURE,
                              by=caller.username, assignee=items.person(caller.username))
        self.trail.append(uow, self.trail.head(chain_of(pid)), caller, "iso.acknowledge",
                          summary=f"Xác nhận đã đọc {ack['code']} lần {number}")
        uow.commit()
        return json_ready(after)

    def acknowledgements(self, caller: Caller, pid: str, number: int) -> dict[str, Any]:
        """Who has and who has not confirmed: a leader or the ISO secretary sees
        everyone, a head of unit the people of their unit."""
        self._version(pid, number)
        everyone = self.store.acknowledgements(pid, number)
        if caller.roles & {Role.LEADER, Role.ADMIN}:
            shown = everyone
        elif Role.UNIT_HEAD in caller.roles and caller.unit:
            shown = [a for a in everyone if a["unit"] == caller.unit]
        else:
            raise Forbidden("Chỉ trưởng đơn vị, lãnh đạo theo dõi việc xác nhận.",
                            "Only heads of unit and leaders follow acknowledgements.")
        return json_ready({
            "id": pid, "number": number,
            "confirmed": [a for a in shown if a.get("confirmed_at")],
            "not_confirmed": [a for a in shown if not a.get("confirmed_at")]})

    # ------------------------------------------------------------ legal bases

    def flag_basis(self, caller: Caller, pid: str, basis: str, *, replaced: bool,
                   note: str = "") -> dict[str, Any]:
        """A legal basis the procedure cites marked replaced (or no longer): the
        owner is reminded to review the procedure."""
        if not caller.roles & {Role.ADMIN, Role.LEADER}:
            raise Forbidden()
        head = self._head(pid)
        versions = self.store.versions(pid)
        current = rules.in_force(versions, self.today())
        cited = set((current or {}).get("legal_bases") or [])
        if basis not in cited:
            raise InvalidInput("Quy trình đang hiệu lực không viện dẫn căn cứ này.",
                               "The version in force does not cite this basis.",
                               "unknown_basis",
                               [FieldProblem("basis", "Không có trong căn cứ pháp lý.",
                                             "Not a cited basis.")])
        flags = {f["basis"]: f for f in head.get("replaced_bases") or []}
        if replaced:
            flags[basis] = {"basis": basis, "note": note, "by": caller.username,
                            "at": iso(self.clock())}
        else:
            flags.pop(basis, None)
        after = {**head, "replaced_bases": list(flags.values()),
                 "version": int(head["version"]) + 1}
        uow = self.store.unit_of_work()
        self.store.save_procedure(uow, head, after)
        self.trail.append(uow, self.trail.head(chain_of(pid)), caller, "iso.flag_basis",
                          summary=("Căn cứ bị thay thế: " if replaced else
                                   "Bỏ đánh dấu căn cứ: ") + basis)
        uow.commit()
        return self.view(caller, pid)

    def record_review(self, caller: Caller, pid: str, *, note: str = "",
                      clear_bases: list[str] | None = None) -> dict[str, Any]:
        """The owner reviewed the procedure and changes nothing ("đã xem xét,
        không thay đổi"): the review interval runs again from today, the legal
        bases the owner names are no longer flagged replaced, and the review
        reminders of the version in force are done, in one transaction."""
        head = self._head(pid)
        if caller.username != head.get("owner"):
            raise Forbidden("Chỉ người chủ trì quy trình ghi nhận việc xem xét.",
                            "Only the procedure's owner records a review.")
        flags = {f["basis"]: f for f in head.get("replaced_bases") or []}
        clear = list(dict.fromkeys(clear_bases or []))
        rules.raise_if([FieldProblem(f"clear_bases.{i}", "Căn cứ này không bị đánh dấu thay thế.",
                                     "This basis is not flagged replaced.")
                        for i, b in enumerate(clear) if b not in flags],
                       "Việc xem xét chưa hợp lệ.", "The review is not valid.")
        on = self.today()
        current = rules.in_force(self.store.versions(pid), on)
        record = {"on": on.isoformat(), "by": caller.username, "note": note,
                  "number": int(current["number"]) if current else None,
                  "cleared_bases": clear}
        after = {**head, "last_review": record,
                 "replaced_bases": [f for b, f in flags.items() if b not in clear],
                 "version": int(head["version"]) + 1}
        uow = self.store.unit_of_work()
        self.store.save_procedure(uow, head, after)
        if current is not None:
            self._pending().close(uow, PARENT, f"{pid}@{current['number']}",
                                  Action.REVIEW_PROCEDURE, by=caller.username)
        summary = f"Đã xem xét {head['code']}, không thay đổi"
        if clear:
            summary += "; bỏ đánh dấu căn cứ: " + "; ".join(clear)
        if note:
            summary += f": {note}"
        self.trail.append(uow, self.trail.head(chain_of(pid)), caller, "iso.review_no_change",
                          summary=summary[:300])
        uow.commit()
        return self.view(caller, pid)

    # ------------------------------------------------------------ reminders

    def remind_reviews(self) -> dict[str, int]:
        """The owner of each procedure is asked to review it when its review
        interval has run since the version in force took effect, and when a
        legal basis it cites is flagged replaced; each reminder once."""
        on = self.today()
        sent = 0
        for head in self.store.procedures():
            current = rules.in_force(self.store.versions(head["id"]), on)
            if current is None or not head.get("owner"):
                continue
            months = rules.review_months_of(current, head, self.review_months)
            due = rules.review_due(current, months, (head.get("last_review") or {}).get("on"))
            reasons = []
            if due <= on:
                reasons.append((f"{current['number']}#due#{due.isoformat()}",
                                f"đến hạn xem xét lại ({due:%d/%m/%Y})"))
            for flag in head.get("replaced_bases") or []:
                reasons.append((f"{current['number']}#basis#{flag['basis']}",
                                f"căn cứ “{flag['basis']}” đã bị thay thế"))
            for key, why in reasons:
                if not self.store.claim_reminder(head["id"], key):
                    continue
                uow = self.store.unit_of_work()
                self._pending().open(uow, PARENT, f"{head['id']}@{current['number']}",
                                     Action.REVIEW_PROCEDURE, items.person(head["owner"]),
                                     subject=f"{head['code']}: {head['title']} — {why}"[:300],
                                     link=page_of(head["id"]), by="system",
                                     unit=head.get("owner_unit"), note=why)
                uow.commit()
                sent += 1
        return {"reminded": sent}

    def form_file(self, pid: str, number: int, form: str) -> dict[str, Any]:
        """The file of a version's form (every version readable, obsolete ones too)."""
        v = self._version(pid, number)
        found = next((f for f in v.get("forms") or [] if f["code"] == form), None)
        if found is None or not found.get("file"):
            raise NotFound("Biểu mẫu này chưa có tệp.", "This form has no file.")
        return dict(found["file"])

    # ------------------------------------------------------------ evidence

    def evidence(self, caller: Caller, pid: str, start: date, end: date,
                 works: Callable[[rules.Kind, list[str]], list[dict[str, Any]]]
                 ) -> dict[str, Any]:
        """For the internal audit: the work started in the period under each
        version of the procedure, with the records produced and the steps done
        late or out of order. ``works(kind, applies_to)``, asked once the caller
        and the period passed the checks, with what the procedure governs (its
        kind of work; the one-stop procedure codes or outgoing types): every
        piece of work the caller's entry point finds for the period: for a
        one-stop procedure the dossiers
        (``iso_procedure``, ``code``, ``received_at``, ``steps``, ``slip``), for
        an internal review procedure the outgoing drafts (``review_procedure``,
        ``code``, ``created_at``, ``submitted_at``, ``review``, ``number_text``,
        ``issued_on``)."""
        if not caller.roles & {Role.LEADER, Role.ADMIN, Role.UNIT_HEAD}:
            raise Forbidden("Chỉ lãnh đạo, trưởng đơn vị, thư ký ISO xem bằng chứng.",
                            "Only leaders, heads of unit and the ISO secretary see evidence.")
        problems = []
        if end < start:
            problems.append(FieldProblem("end", "Đến ngày phải sau từ ngày.",
                                         "The end precedes the start."))
        elif (end - start).days > 366:
            problems.append(FieldProblem("end", "Mỗi lần xuất tối đa một năm.",
                                         "At most one year at a time."))
        rules.raise_if(problems, "Khoảng thời gian không hợp lệ.", "Invalid period.")
        head = self._head(pid)
        versions = {int(v["number"]): v for v in self.store.versions(pid)}
        review = head["kind"] == rules.Kind.REVIEW
        # A review step's days are working days of the agency's calendar.
        deadline = self.calendar().add_working_days if review else None
        rows = []
        for w in works(rules.Kind(head["kind"]), list(head.get("applies_to") or [])):
            kept = w.get("review_procedure" if review else "iso_procedure") or {}
            started = _local_day(w["created_at" if review else "received_at"])
            if kept.get("id") != pid or not start <= started <= end:
                continue
            version = versions.get(int(kept["number"]))
            if version is None:
                continue
            work = {**w, "started": f"{started:%d/%m/%Y}"}
            rows.append(rules.review_evidence_row(work, version, deadline) if deadline
                        else rules.evidence_row(work, version))
        rows.sort(key=lambda r: (r[0], r[3][6:] + r[3][3:5] + r[3][:2], r[2]))
        return json_ready({
            "id": pid, "code": head["code"], "title": head["title"], "kind": head["kind"],
            "start": start.isoformat(), "end": end.isoformat(),
            "header": list(rules.EVIDENCE_HEADER), "rows": [list(r) for r in rows],
            "by_version": {str(n): sum(1 for r in rows if r[0] == n) for n in versions}})

    # ------------------------------------------------------------ new work

    def in_force_for(self, kind: rules.Kind, key: str, on: date) -> dict[str, Any] | None:
        """The version in force on ``on`` of the procedure of ``kind`` that
        governs ``key`` (a one-stop procedure code, or an outgoing type code;
        ``*`` in a review procedure's ``applies_to`` governs every type), as the
        work keeps it; None when no procedure governs it."""
        for head in self.store.procedures():
            if head["kind"] != kind.value:
                continue
            applies = head.get("applies_to") or []
            if key in applies or (kind is rules.Kind.REVIEW and "*" in applies):
                current = rules.in_force(self.store.versions(head["id"]), on)
                if current is not None:
                    return rules.work_snapshot(current)
        return None

    def choose(self, pid: str, number: int, on: date) -> dict[str, Any]:
        """A version named for new work: only the one in force may be chosen."""
        v = self._version(pid, number)
        rules.check_choice(v, self.store.versions(pid), on)
        return rules.work_snapshot(v)


def with_files(content: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """A form given without a new file keeps the file it has (by its code) in
    ``previous``: a new version copies its forms unless one is replaced."""
    kept = {f["code"]: f["file"] for f in (previous or {}).get("forms") or [] if f.get("file")}
    forms = [{**f, "file": f.get("file") or kept.get(f["code"])}
             for f in content.get("forms") or []]
    return {**content, "forms": forms}


def content_of(content: dict[str, Any]) -> dict[str, Any]:
    """The parts of a version a person writes, normalised."""
    return {"purpose": content.get("purpose", ""), "scope": content.get("scope", ""),
            "legal_bases": list(content.get("legal_bases") or []),
            "steps": [{"name": s["name"], "who": s.get("who", ""), "role": s.get("role", ""),
                       "how": s.get("how") or s.get("method") or "", "days": str(s["days"]),
                       "record": s.get("record") or "", "review_step": s.get("review_step") or ""}
                      for s in content.get("steps") or []],
            "forms": [{"code": f["code"], "name": f["name"], **({"file": f["file"]}
                                                              if f.get("file") else {})}
                      for f in content.get("forms") or []],
            "records": [{"name": r["name"], "keeper": r.get("keeper", ""),
                         "retention_group": r.get("retention_group", "")}
                        for r in content.get("records") or []],
            "units": sorted(set(content.get("units") or []))}


def _local_day(instant_text: str) -> date:
    return datetime.fromisoformat(instant_text.replace("Z", "+00:00")).astimezone(TZ).date()


def library_for(table: Table | None = None) -> Library:
    """The library over ``table`` with its real collaborators."""
    from chalicelib.audit.trail import Trail
    from chalicelib.organisation.store import Directory

    t = given(table)
    directory = Directory(t)
    return Library(store=IsoStore(t), trail=Trail(t), members=directory.members)


def in_force_for(table: Table, kind: rules.Kind, key: str, on: date) -> dict[str, Any] | None:
    """For the capabilities the library drives (one-stop reception, outgoing
    drafting): the version in force that new work of ``key`` follows."""
    return Library(store=IsoStore(table), trail=None,  # type: ignore[arg-type]
                   members=lambda _u: []).in_force_for(kind, key, on)

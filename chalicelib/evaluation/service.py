"""Staff evaluation, the use cases: a person's score and band for a period (from
the monthly measures, never from the work items), the work items behind each
field (the drill-down), reviewers' quality marks, and the round of a unit
(self-assessment, the head's proposal, the leader's decision with the quota
checked, publication), its XLSX export and the person's evaluation form.

The use cases receive their collaborators from the composition root
(``bootstrap.evaluations()``). Who may read what:

- a person's evaluation and its items: the person, the heads of their unit and
  the leaders; anyone else 403 (a head asking for a person of another unit 403,
  an unknown person 404 for those who may read any);
- marks: the head of the item's unit or a leader, never on one's own work;
- a round: its heads and the leaders; after publication the unit's members
  read the decided bands (nothing else).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from chalicelib.evaluation.band_rules import Band, Category
from chalicelib.evaluation.measures_rules import Mark, Marks, Measures, rollup
from chalicelib.evaluation.period_rules import Period, parse_period
from chalicelib.evaluation.quota_rules import Quota, Rated, allowed_htxs, apply_quota, cap_head
from chalicelib.evaluation.rules import Method, RuleSet, rule_set_for
from chalicelib.evaluation.store import EvaluationStore
from chalicelib.kernel.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import AuditTrail, CalendarSource, Clock
from chalicelib.kernel.reauth import require_fresh_auth
from chalicelib.work import items as work_items
from chalicelib.work.rules import ACTION_RULES, COMPLETION_STATES, Measured
from chalicelib.work.store import WorkStore, count_measure

DEFAULT_CATEGORY = Category.CIVIL_SERVANT  # a department's staff are civil servants
# The drill-down's fields: the Measures counters a part lists.
FIELDS = ("assigned", "completed", "early", "on_time", "late", "overdue_open", "returned",
          "extensions_asked", "extensions_granted", "marks.chua_dat", "marks.dat", "marks.tot",
          "marks.xuat_sac")
FIELD_LABELS = {
    "assigned": "Được giao", "completed": "Đã hoàn thành", "early": "Hoàn thành trước hạn",
    "on_time": "Hoàn thành đúng hạn", "late": "Hoàn thành quá hạn",
    "overdue_open": "Quá hạn, chưa hoàn thành", "returned": "Bị trả lại để sửa",
    "extensions_asked": "Đề nghị gia hạn", "extensions_granted": "Được gia hạn",
    "marks.chua_dat": "Chấm “Chưa đạt”", "marks.dat": "Chấm “Đạt”", "marks.tot": "Chấm “Tốt”",
    "marks.xuat_sac": "Chấm “Xuất sắc”",
}
ITEMS_LIMIT = 500  # a drill-down lists at most this many items
ROUND_LIMIT = 90  # people a decision writes in one transaction (with the header and trail)
OPEN, DECIDED, PUBLISHED = "open", "decided", "published"
STATUS_LABELS = {OPEN: "Đang đánh giá", DECIDED: "Đã quyết định", PUBLISHED: "Đã công khai"}
NO_GENERAL = ("Người đứng đầu đơn vị chưa nhập điểm tiêu chí chung cho kỳ này: tạm tính "
              "0/30 điểm.")
NO_GENERAL_WELL = ("Người đứng đầu đơn vị chưa xác nhận thực hiện tốt các tiêu chí chung: "
                   "chưa xét mức Hoàn thành xuất sắc.")


# The forms of a published round: signed by the publishing leader in a workflow
# step (evaluation/steps.py), stored, and then what the form route answers.
FORMS_REQUESTED = "evaluation.forms_requested"
SIGNING, SIGNED, FAILED = "signing", "signed", "failed"
FORM_STATUS_LABELS = {SIGNING: "Đang ký số phiếu đánh giá", SIGNED: "Phiếu đánh giá đã ký số",
                      FAILED: "Ký số phiếu đánh giá không thành công"}
# (pdf, signature area, signer) → the signed pdf: the signing adapter, given by the step.
SignForm = Callable[[bytes, tuple[int, float, float, float, float], str], bytes]


class Files(Protocol):
    """Where signed forms are kept (the documents bucket)."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...


class People(Protocol):
    """What the evaluation needs of the organisation's directory."""

    def user(self, username: str) -> Mapping[str, Any] | None: ...
    def unit(self, code: str) -> Mapping[str, Any] | None: ...
    def members(self, unit: str) -> list[dict[str, Any]]: ...


def category_of(profile: Mapping[str, Any]) -> Category:
    """The profile's ``category`` (``vien_chuc`` | ``cong_chuc``); civil servant
    when absent or unknown."""
    try:
        return Category(str(profile.get("category") or DEFAULT_CATEGORY.value))
    except ValueError:
        return DEFAULT_CATEGORY


def is_head(profile: Mapping[str, Any]) -> bool:
    return Role.UNIT_HEAD.value in (profile.get("roles") or [])


def _n(item: Mapping[str, Any], name: str) -> int:
    return max(int(item.get(name) or 0), 0)


def measures_from(item: Mapping[str, Any], overdue_open: int = 0) -> Measures:
    """One month's counters as the rules see them, kept consistent: a counter can
    run ahead of another for a moment (a mark left on an item reopened since),
    and a read must not fail for it."""
    assigned = _n(item, "assigned")
    completed = min(_n(item, "completed"), assigned)
    late = min(_n(item, "late"), completed)
    on_time = min(_n(item, "on_time"), completed - late)
    early = min(_n(item, "early"), completed - late - on_time)
    room = completed
    marks: dict[str, int] = {}
    for mark in (Mark.CHUA_DAT, Mark.XUAT_SAC, Mark.TOT, Mark.DAT):
        marks[mark.value] = min(_n(item, f"mark_{mark.value}"), room)
        room -= marks[mark.value]
    asked = _n(item, "extensions_asked")
    return Measures(assigned=assigned, completed=completed, early=early, on_time=on_time,
                    late=late, overdue_open=min(max(overdue_open, 0), assigned - completed),
                    returned=_n(item, "returned"), extensions_asked=asked,
                    extensions_granted=min(_n(item, "extensions_granted"), asked),
                    marks=Marks(**marks))


def field_value(m: Measures, name: str) -> int:
    if name.startswith("marks."):
        return m.marks.of(Mark(name.split(".", 1)[1]))
    return int(getattr(m, name))


def measures_dict(m: Measures) -> dict[str, Any]:
    out: dict[str, Any] = {f: field_value(m, f) for f in FIELDS if not f.startswith("marks.")}
    out["marks"] = {mark.value: m.marks.of(mark) for mark in Mark}
    return out


@dataclass
class Evaluations:
    store: EvaluationStore
    work: WorkStore
    trail: AuditTrail
    directory: People
    calendar: CalendarSource
    clock: Clock = utcnow
    files: Files | None = None

    # ------------------------------------------------------------ who may read

    def readable_person(self, caller: Caller, username: str) -> Mapping[str, Any]:
        """The profile of a person whose evaluation the caller may read."""
        if caller.username != username and not caller.roles & {Role.LEADER, Role.UNIT_HEAD}:
            raise Forbidden("Bạn chỉ xem được kết quả đánh giá của mình.",
                            "You may read only your own evaluation.")
        profile = self.directory.user(username)
        if profile is None:
            raise NotFound()
        if caller.username == username or Role.LEADER in caller.roles:
            return profile
        if profile.get("unit") != caller.unit:
            raise Forbidden("Người này không thuộc đơn vị bạn phụ trách.",
                            "This person is not in the unit you head.")
        return profile

    def _unit_role(self, caller: Caller, unit: str) -> str:
        """leader | head | member of the unit; 404 for an unknown unit, 403 for others."""
        if self.directory.unit(unit) is None:
            raise NotFound()
        if Role.LEADER in caller.roles:
            return "leader"
        if caller.unit == unit:
            return "head" if Role.UNIT_HEAD in caller.roles else "member"
        raise Forbidden("Đơn vị này không phải đơn vị của bạn.", "Not your unit.")

    # ------------------------------------------------------------ measures

    def _month_keys(self, period: Period) -> list[str]:
        return [str(m) for m in period.months]

    def _now_month(self) -> str:
        return f"{self.clock().astimezone(self.calendar().tz):%Y-%m}"

    def measures(self, people: Sequence[str], period: Period
                 ) -> dict[str, tuple[Measures, dict[str, Measures]]]:
        """Each person's measures for the period (the sum of its months) and by
        month: one batch read of people × months counter items. Overdue open
        items: in a month that is over, what was assigned and not completed; in
        the month under way, the person's open items already past their deadline
        (their open work, one query each); none in a month to come."""
        months = self._month_keys(period)
        holders = [work_items.person(u) for u in people]
        found = self.work.months(holders, months)
        current = self._now_month()
        out: dict[str, tuple[Measures, dict[str, Measures]]] = {}
        for username, holder in zip(people, holders, strict=True):
            by_month: dict[str, Measures] = {}
            for month in months:
                item = found.get((holder, month)) or {}
                if month < current:
                    overdue = _n(item, "assigned") - _n(item, "completed")
                elif month == current:
                    overdue = self._overdue_now(holder, month)
                else:
                    overdue = 0
                by_month[month] = measures_from(item, overdue)
            out[username] = (rollup(by_month.values()), by_month)
        return out

    def _overdue_now(self, holder: str, month: str) -> int:
        now = self.clock()
        return sum(1 for w in self.work.open_of(holder)
                   if self._month_of(w) == month and (instant(w.get("deadline")) or now) < now)

    def _month_of(self, work: Mapping[str, Any]) -> str:
        measured = Measured.from_item(work.get("measured")) \
            or work_items.measured_state(dict(work), self.calendar().tz)
        return measured.month

    # ------------------------------------------------------------ one person's evaluation

    def evaluate(self, caller: Caller, username: str, period_text: str | None
                 ) -> dict[str, Any]:
        period = parse_period(period_text)
        profile = self.readable_person(caller, username)
        entry = self.store.entry(str(profile.get("unit") or ""), str(period), username)
        header = self.store.header(str(profile.get("unit") or ""), str(period))
        body = self._evaluation(profile, period, entry=entry)
        status = (header or {}).get("status") or OPEN
        decision = (entry or {}).get("decision")
        shown = decision and (status == PUBLISHED or caller.roles & {Role.LEADER, Role.UNIT_HEAD})
        body["round"] = {"status": status, "status_label": STATUS_LABELS[status],
                         "self": (entry or {}).get("self"),
                         "proposal": (entry or {}).get("proposal"),
                         "decision": decision if shown else None}
        return body

    def _rule_set(self, profile: Mapping[str, Any], period: Period) -> RuleSet:
        return rule_set_for(category_of(profile), period)

    def _evaluation(self, profile: Mapping[str, Any], period: Period, *,
                    entry: Mapping[str, Any] | None,
                    measured: tuple[Measures, dict[str, Measures]] | None = None
                    ) -> dict[str, Any]:
        username = str(profile["username"])
        rules = self._rule_set(profile, period)
        total, by_month = measured or self.measures([username], period)[username]
        proposal = (entry or {}).get("proposal") or {}
        notes: list[str] = []
        general = proposal.get("general_points")
        if rules.method is Method.POINTS and general is None:
            notes.append(NO_GENERAL)
        if rules.method is Method.CRITERIA and "general_well" not in proposal:
            notes.append(NO_GENERAL_WELL)
        result = rules.evaluate(
            total, general_points=Decimal(str(general if general is not None else 0)),
            general_well=bool(proposal.get("general_well", False)),
            violations=list(proposal.get("violations") or []), manager=is_head(profile))
        body = result.as_dict()
        if rules.method is Method.CRITERIA:
            body["parts"] = _criteria_parts(total)
        base = f"/api/evaluation/{username}/items?period={period}&field="
        for part in body["parts"]:
            part["items"] = [{"field": f, "label": FIELD_LABELS[f], "count": field_value(total, f),
                              "href": base + f} for f in part["fields"]]
        body["notes"] = list(body["notes"]) + notes
        body.update({
            "username": username, "full_name": profile.get("full_name", ""),
            "unit": profile.get("unit"), "unit_name": profile.get("unit_name"),
            "title": profile.get("title", ""),
            "period": str(period), "period_label": period.label,
            "category": category_of(profile).value,
            "category_label": category_of(profile).label,
            "rule_set_code": rules.code, "method": rules.method.value,
            "rule_set_confirmed": rules.confirmed,
            "general_entered": general is not None if rules.method is Method.POINTS
            else "general_well" in proposal,
            "measures": measures_dict(total),
            "months": {m: measures_dict(v) for m, v in by_month.items()},
        })
        return body

    # ------------------------------------------------------------ the items behind a field

    def items(self, caller: Caller, username: str, period_text: str | None, field: str
              ) -> dict[str, Any]:
        period = parse_period(period_text)
        if field not in FIELDS:
            raise InvalidInput("Chỉ tiêu không hợp lệ.", "Unknown field.", "invalid_field",
                               [FieldProblem("field", "Không có chỉ tiêu này.", "No such field.")])
        self.readable_person(caller, username)
        months = self._month_keys(period)
        person = work_items.person(username)
        closed = self.work.counted(person, months[0], months[-1], limit=2000)
        opened = [w for w in self.work.open_of(person) if self._month_of(w) in months]
        now = self.clock()
        current = self._now_month()

        def state(w: Mapping[str, Any]) -> str:
            m = Measured.from_item(w.get("measured"))
            return m.state if m else "open"

        chosen: list[Mapping[str, Any]]
        if field == "assigned":
            chosen = [*closed, *opened]
        elif field == "completed":
            chosen = [w for w in closed if state(w) in COMPLETION_STATES]
        elif field in COMPLETION_STATES:
            chosen = [w for w in closed if state(w) == field]
        elif field == "overdue_open":
            chosen = [w for w in opened if (instant(w.get("deadline")) or now) < now
                      or self._month_of(w) < current]
            chosen += [w for w in closed if state(w) == "handed_back"
                       and self._month_of(w) < current]
        elif field == "returned":
            chosen = [w for w in [*closed, *opened] if int(w.get("times_returned") or 0) > 0]
        elif field.startswith("marks."):
            level = field.split(".", 1)[1]
            chosen = [w for w in closed if w.get("mark") == level]
        else:
            wanted = "approved" if field == "extensions_granted" else None
            chosen = [w for w in [*closed, *opened]
                      if (w.get("extension") or {}).get("requested_by") == username
                      and (wanted is None or w["extension"].get("status") == wanted)]
        chosen = sorted(chosen, key=lambda w: (str(w.get("deadline") or ""), str(w["pk"])))
        return {"username": username, "period": str(period), "field": field,
                "label": FIELD_LABELS[field], "count": len(chosen),
                "items": [self._item_view(w) for w in chosen[:ITEMS_LIMIT]],
                "truncated": len(chosen) > ITEMS_LIMIT}

    def _item_view(self, w: Mapping[str, Any]) -> dict[str, Any]:
        action = work_items.action_of(dict(w))
        measured = Measured.from_item(w.get("measured"))
        subject = w.get("subject", "") if not w.get("do_mat") else "(Văn bản mật)"
        return {
            "item_id": work_items.item_id(dict(w)), "kind": action.value,
            "kind_label": ACTION_RULES[action].label,
            "title": subject or ACTION_RULES[action].label,
            "link": work_items.link_of(dict(w)), "assignee": w.get("assignee"),
            "unit": w.get("unit"), "deadline": w.get("deadline"),
            "completed_at": w.get("completed_at"), "status": w.get("status"),
            "state": measured.state if measured else None,
            "month": measured.month if measured else None,
            "times_returned": int(w.get("times_returned") or 0),
            "mark": w.get("mark"), "mark_label": Mark(w["mark"]).label if w.get("mark") else None,
            "mark_reason": w.get("mark_reason"),
        }

    # ------------------------------------------------------------ marks

    def mark(self, caller: Caller, item_id: str, mark: Mark, reason: str) -> dict[str, Any]:
        reason = reason.strip()
        if not reason:
            raise InvalidInput("Cần ghi lý do chấm.", "A reason is required.", "invalid_reason",
                               [FieldProblem("reason", "Bắt buộc.", "Required.")])
        work = self.store.work_item(item_id)
        if work is None:
            raise NotFound()
        unit = str(work.get("unit") or "")
        if not (Role.LEADER in caller.roles
                or (Role.UNIT_HEAD in caller.roles and caller.unit and caller.unit == unit)):
            raise NotFound()  # a head of another unit cannot probe its items
        if work.get("status") != "done":
            raise Conflict("Chỉ chấm công việc đã hoàn thành.", "Only completed work is marked.",
                           "not_done")
        counted = Measured.from_item(work.get("measured")) \
            or work_items.measured_state(work, self.calendar().tz)
        if counted.person == work_items.person(caller.username):
            raise Forbidden("Không tự chấm công việc của mình.", "You cannot mark your own work.")
        before = work.get("mark")
        now = iso(self.clock())
        uow = self.store.unit_of_work()
        after = self.store.mark(uow, work, mark=mark.value, reason=reason, by=caller.username,
                                at=now)
        if before != mark.value:
            change = {f"mark_{mark.value}": 1}
            if before:
                change[f"mark_{before}"] = -1
            for holder in (counted.person, counted.unit):
                if holder:
                    count_measure(uow, holder, counted.month, **change)
        whose = work_items.name_of(counted.person) if counted.person else unit
        self.trail.append(uow, self.trail.head(f"evaluation:{whose}"), caller, "evaluation.mark",
                          summary=reason[:200], before={"item_id": item_id, "mark": before},
                          after={"item_id": item_id, "mark": mark.value, "month": counted.month})
        uow.commit()
        return {"item_id": work_items.item_id(after), "mark": mark.value,
                "mark_label": mark.label, "reason": reason, "marked_by": caller.username,
                "marked_at": now, "month": counted.month, "version": int(after["version"])}

    # ------------------------------------------------------------ the round

    def _members(self, unit: str) -> list[dict[str, Any]]:
        """Who is rated in the unit's round: its active people, leaders of the
        agency excepted (their superior rates them)."""
        return sorted((p for p in self.directory.members(unit)
                       if p.get("status", "active") == "active"
                       and Role.LEADER.value not in (p.get("roles") or [])),
                      key=lambda p: str(p["username"]))

    def _round_state(self, unit: str, period: Period, *, consistent: bool = False
                     ) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]],
                                list[dict[str, Any]], dict[str, dict[str, Any]]]:
        header, entries = self.store.round(unit, str(period), consistent=consistent)
        members = self._members(unit)
        measured = self.measures([str(p["username"]) for p in members], period)
        evals = {str(p["username"]): self._evaluation(p, period,
                                                      entry=entries.get(str(p["username"])),
                                                      measured=measured[str(p["username"])])
                 for p in members}
        return header, entries, members, evals

    @staticmethod
    def _quota(rule_sets: Sequence[RuleSet]) -> Quota:
        """The unit's quota: the strictest of its people's rule sets (20 % unless
        every one of them allows 25 % for an outstanding unit)."""
        if not rule_sets:
            from chalicelib.evaluation.rules import DECREE_90_2020_CIVIL_SERVANTS

            return DECREE_90_2020_CIVIL_SERVANTS.quota
        return min((r.quota for r in rule_sets),
                   key=lambda q: (q.share_if_unit_htxs, q.share))

    def _suggest(self, members: Sequence[Mapping[str, Any]], entries: Mapping[str, Any],
                 evals: Mapping[str, dict[str, Any]], unit_band: Band, period: Period
                 ) -> tuple[dict[str, Band], dict[str, list[str]], Quota, int, int]:
        """The bands the quota and the head's cap leave of the proposals (the head's
        proposed band, else the computed one): by person, with the reasons."""
        rule_sets = [self._rule_set(p, period) for p in members]
        quota = self._quota(rule_sets)
        reasons: dict[str, list[str]] = {str(p["username"]): [] for p in members}
        rated = []
        for p in members:
            name = str(p["username"])
            proposal = (entries.get(name) or {}).get("proposal") or {}
            band = Band(proposal.get("band") or evals[name]["band"])
            if is_head(p):
                band, down = cap_head(band, unit_band, quota.head_cap_source, name)
                if down:
                    reasons[name].append(down.reason)
            score = evals[name].get("score")
            rated.append(Rated(name, band, Decimal(score) if score is not None else None,
                               merit=int(evals[name]["measures"]["marks"]["xuat_sac"])))
        result = apply_quota(rated, unit_band, quota)
        for down in result.downgrades:
            reasons[down.key].append(down.reason)
        return ({r.key: r.band for r in result.people}, reasons, quota, result.eligible,
                result.allowed)

    def round_view(self, caller: Caller, unit: str, period_text: str | None) -> dict[str, Any]:
        period = parse_period(period_text)
        role = self._unit_role(caller, unit)
        if role == "member":
            return self._published_view(unit, period)
        header, entries, members, evals = self._round_state(unit, period)
        unit_band = Band((header or {}).get("unit_band") or Band.HTT.value)
        suggested, reasons, quota, eligible, allowed = self._suggest(
            members, entries, evals, unit_band, period)
        status = (header or {}).get("status") or OPEN
        people = []
        for p in members:
            name = str(p["username"])
            e, entry = evals[name], entries.get(name) or {}
            people.append({
                "username": name, "full_name": p.get("full_name", ""),
                "title": p.get("title", ""), "head": is_head(p),
                "category": e["category"], "category_label": e["category_label"],
                "rule_set": e["rule_set"], "method": e["method"],
                "score": e["score"], "band": e["band"], "band_label": e["band_label"],
                "needs_review": e["needs_review"], "general_entered": e["general_entered"],
                "self": entry.get("self"), "proposal": entry.get("proposal"),
                "suggested": suggested[name].value, "suggested_label": suggested[name].label,
                "suggested_reasons": reasons[name], "decision": entry.get("decision"),
                "version": int(entry.get("version") or 0),
            })
        share = quota.share_if_unit_htxs if unit_band is Band.HTXS else quota.share
        return {"unit": unit, "unit_name": (self.directory.unit(unit) or {}).get("name", ""),
                "period": str(period), "period_label": period.label, "status": status,
                "status_label": STATUS_LABELS[status],
                "unit_band": (header or {}).get("unit_band"),
                "unit_band_assumed": header is None or not header.get("unit_band"),
                "quota": {"share_percent": format(float(share * 100), "g"), "eligible": eligible,
                          "allowed_htxs": allowed, "source": quota.source},
                "version": int((header or {}).get("version") or 0),
                "decided_by": (header or {}).get("decided_by"),
                "decided_at": (header or {}).get("decided_at"),
                "published_by": (header or {}).get("published_by"),
                "published_at": (header or {}).get("published_at"),
                **_forms_state(header),
                "people": people, "can_decide": role == "leader",
                "can_propose": role == "head" and status == OPEN}

    def _published_view(self, unit: str, period: Period) -> dict[str, Any]:
        header, entries = self.store.round(unit, str(period))
        if (header or {}).get("status") != PUBLISHED:
            raise Forbidden("Kết quả đánh giá của đơn vị chưa được công khai.",
                            "The unit's results are not published yet.")
        names = {str(p["username"]): p for p in self.directory.members(unit)}
        people = []
        for name, entry in sorted(entries.items()):
            band = Band(((entry.get("decision") or {}).get("band")) or Band.HT.value)
            people.append({"username": name,
                           "full_name": (names.get(name) or {}).get("full_name", ""),
                           "band": band.value, "band_label": band.label})
        return {"unit": unit, "period": str(period), "period_label": period.label,
                "status": PUBLISHED, "status_label": STATUS_LABELS[PUBLISHED],
                "unit_band": header.get("unit_band") if header else None,
                "published_at": (header or {}).get("published_at"), "people": people,
                **_forms_state(header), "can_decide": False, "can_propose": False}

    def _open_round(self, unit: str, period: Period) -> None:
        header = self.store.header(unit, str(period))
        if header is not None and header.get("status") != OPEN:
            raise Conflict("Kỳ đánh giá đã được quyết định; không sửa được nữa.",
                           "The round is decided; it cannot change.", "round_closed")

    def _chain(self, unit: str, period: Period) -> str:
        return f"evaluation:{unit}:{period}"

    def self_assess(self, caller: Caller, unit: str, period_text: str | None, *, text: str,
                    band: Band) -> dict[str, Any]:
        period = parse_period(period_text)
        profile = self.directory.user(caller.username)
        if profile is None or profile.get("unit") != unit or self.directory.unit(unit) is None:
            raise Forbidden("Bạn tự đánh giá trong đơn vị của mình.",
                            "You assess yourself in your own unit.")
        self._open_round(unit, period)
        before = self.store.entry(unit, str(period), caller.username)
        entry = {**(before or {"username": caller.username}),
                 "self": {"text": text.strip(), "band": band.value, "band_label": band.label,
                          "at": iso(self.clock())}}
        uow = self.store.unit_of_work()
        saved = self.store.save_entry(uow, unit, str(period), before, entry)
        self.trail.append(uow, self.trail.head(self._chain(unit, period)), caller,
                          "evaluation.self", summary=text[:200],
                          after={"username": caller.username, "band": band.value})
        uow.commit()
        return {"username": caller.username, "period": str(period), "self": saved["self"]}

    def propose(self, caller: Caller, unit: str, period_text: str | None, username: str, *,
                general_points: Decimal | None, general_well: bool, violations: list[str],
                band: Band | None, note: str) -> dict[str, Any]:
        period = parse_period(period_text)
        if self._unit_role(caller, unit) != "head":
            raise Forbidden("Chỉ người đứng đầu đơn vị đề xuất.", "Only the head proposes.")
        members = {str(p["username"]): p for p in self._members(unit)}
        if username not in members:
            raise NotFound()
        self._open_round(unit, period)
        if general_points is not None and not Decimal(0) <= general_points <= Decimal(30):
            raise InvalidInput("Điểm tiêu chí chung từ 0 đến 30.", "General points are 0–30.",
                               "invalid_general_points",
                               [FieldProblem("general_points", "Từ 0 đến 30.", "0 to 30.")])
        before = self.store.entry(unit, str(period), username)
        proposal: dict[str, Any] = {
            "general_well": general_well, "violations": [v.strip() for v in violations],
            "note": note.strip(), "by": caller.username, "at": iso(self.clock()),
            "band": band.value if band else None}
        if general_points is not None:
            proposal["general_points"] = str(general_points)
        entry = {**(before or {"username": username}), "proposal": proposal}
        # Refuse what the rules refuse (empty violation reasons, over two decimals).
        self._evaluation(members[username], period, entry=entry)
        uow = self.store.unit_of_work()
        saved = self.store.save_entry(uow, unit, str(period), before, entry)
        self.trail.append(uow, self.trail.head(self._chain(unit, period)), caller,
                          "evaluation.propose", summary=note[:200],
                          after={"username": username, **proposal})
        uow.commit()
        return {"username": username, "period": str(period), "proposal": saved["proposal"]}

    def decide(self, caller: Caller, unit: str, period_text: str | None, *, unit_band: Band,
               decisions: list[dict[str, Any]], version: int) -> dict[str, Any]:
        period = parse_period(period_text)
        if self._unit_role(caller, unit) != "leader":
            raise Forbidden("Chỉ lãnh đạo Sở quyết định xếp loại.", "Only a leader decides.")
        header, entries, members, evals = self._round_state(unit, period, consistent=True)
        status = (header or {}).get("status") or OPEN
        if status == PUBLISHED:
            raise Conflict("Kết quả đã công khai.", "The round is published.", "round_published")
        if int((header or {}).get("version") or 0) != version:
            raise Conflict()
        if len(members) > ROUND_LIMIT:
            raise InvalidInput("Đơn vị quá đông để quyết định một lần.", "Too many people.",
                               "round_too_large")
        suggested, reasons, quota, _, _ = self._suggest(members, entries, evals, unit_band,
                                                        period)
        heads = {str(p["username"]) for p in members if is_head(p)}
        problems: list[FieldProblem] = []
        given: dict[str, tuple[int, Band, str]] = {}
        for i, d in enumerate(decisions):
            name = str(d.get("username") or "")
            if name not in suggested:
                problems.append(FieldProblem(f"decisions.{i}.username",
                                             "Không có trong danh sách đánh giá của đơn vị.",
                                             "Not rated in this unit."))
            elif name in given:
                problems.append(FieldProblem(f"decisions.{i}.username", "Trùng người.",
                                             "Listed twice."))
            else:
                given[name] = (i, Band(d["band"]), str(d.get("reason") or "").strip())
        final = dict(suggested)
        for name, (i, band, reason) in given.items():
            if band is not suggested[name] and not reason:
                problems.append(FieldProblem(f"decisions.{i}.reason",
                                             "Điều chỉnh khác đề xuất phải ghi lý do.",
                                             "An override needs its reason."))
            if name in heads and band.rank > unit_band.rank:
                problems.append(FieldProblem(f"decisions.{i}.band",
                                             "Người đứng đầu không được xếp cao hơn đơn vị.",
                                             "A head cannot be rated above the unit."))
            final[name] = band
        eligible = sum(1 for b in final.values() if b.at_least(Band.HTT))
        allowed = allowed_htxs(eligible, unit_band, quota)
        htxs = sorted(n for n, b in final.items() if b is Band.HTXS)
        if len(htxs) > allowed:
            vi = f"Vượt tỷ lệ Hoàn thành xuất sắc: tối đa {allowed} người."
            en = f"Over the HTXS quota: at most {allowed}."
            problems += [FieldProblem(f"decisions.{given[n][0]}.band", vi, en)
                         for n in htxs if n in given] or [FieldProblem("decisions", vi, en)]
        InvalidInput.unless_none(problems, "Quyết định xếp loại chưa hợp lệ.",
                                 "The decision is not valid.", "invalid_decision")
        now = iso(self.clock())
        uow = self.store.unit_of_work()
        overrides = {}
        for p in members:
            name = str(p["username"])
            band = final[name]
            override = band is not suggested[name]
            reason = given[name][2] if name in given else ""
            if override:
                overrides[name] = {"from": suggested[name].value, "to": band.value,
                                   "reason": reason}
            before = entries.get(name)
            self.store.save_entry(uow, unit, str(period), before, {
                **(before or {"username": name}),
                "decision": {"band": band.value, "band_label": band.label,
                             "score": evals[name]["score"], "computed": evals[name]["band"],
                             "suggested": suggested[name].value, "reasons": reasons[name],
                             "override": override, "reason": reason, "by": caller.username,
                             "at": now}})
        self.store.save_header(uow, unit, str(period), header, {
            **(header or {}), "status": DECIDED, "unit_band": unit_band.value,
            "decided_by": caller.username, "decided_at": now})
        self.trail.append(uow, self.trail.head(self._chain(unit, period)), caller,
                          "evaluation.decide", summary=f"{unit} {period}",
                          after={"unit_band": unit_band.value,
                                 "bands": {n: b.value for n, b in final.items()},
                                 "overrides": overrides})
        uow.commit()
        return self.round_view(caller, unit, str(period))

    def publish(self, caller: Caller, unit: str, period_text: str | None, version: int
                ) -> dict[str, Any]:
        """Publication to the unit, and the signature of every person's form by the
        publishing leader: a signature is the signer's act, so the leader confirms
        with their password (a fresh sign-in); the forms are signed in a step."""
        period = parse_period(period_text)
        if self._unit_role(caller, unit) != "leader":
            raise Forbidden("Chỉ lãnh đạo Sở công khai kết quả.", "Only a leader publishes.")
        header = self.store.header(unit, str(period))
        if header is None or header.get("status") != DECIDED:
            raise Conflict("Chưa có quyết định xếp loại để công khai.", "Nothing decided yet.",
                           "not_decided")
        if int(header["version"]) != version:
            raise Conflict()
        require_fresh_auth(caller, self.clock())
        uow = self.store.unit_of_work()
        self.store.save_header(uow, unit, str(period), header, {
            **header, "status": PUBLISHED, "published_by": caller.username,
            "published_at": iso(self.clock()), "forms_status": SIGNING, "forms_failure": None})
        self.trail.append(uow, self.trail.head(self._chain(unit, period)), caller,
                          "evaluation.publish", summary=f"{unit} {period}")
        uow.emit(self._forms_requested(unit, period, caller.username))
        uow.commit()
        return self.round_view(caller, unit, str(period))

    def sign_forms_again(self, caller: Caller, unit: str, period_text: str | None
                         ) -> dict[str, Any]:
        """After a failed signing step, the leader confirms again."""
        period = parse_period(period_text)
        if self._unit_role(caller, unit) != "leader":
            raise Forbidden("Chỉ lãnh đạo Sở ký phiếu đánh giá.", "Only a leader signs.")
        header = self.store.header(unit, str(period))
        if (header or {}).get("status") != PUBLISHED or header.get("forms_status") != FAILED:
            raise Conflict("Không có phiếu đánh giá chờ ký lại.", "No forms to sign again.",
                           "nothing_to_sign")
        require_fresh_auth(caller, self.clock())
        uow = self.store.unit_of_work()
        self.store.save_header(uow, unit, str(period), header, {
            **header, "forms_status": SIGNING, "forms_failure": None})
        self.trail.append(uow, self.trail.head(self._chain(unit, period)), caller,
                          "evaluation.sign_again", summary=f"{unit} {period}")
        uow.emit(self._forms_requested(unit, period, caller.username))
        uow.commit()
        return self.round_view(caller, unit, str(period))

    def _forms_requested(self, unit: str, period: Period, signer: str) -> DomainEvent:
        return DomainEvent(FORMS_REQUESTED, self._chain(unit, period),
                           {"unit": unit, "period": str(period), "signer": signer,
                            "at": iso(self.clock())})

    def sign_forms(self, unit: str, period_text: str, signer: str, sign: SignForm) -> str:
        """The step: each decided person's form, with the figures of the round as
        published, signed with ``signer``'s key and kept. A form already signed is
        kept as it is, so a redelivered event signs only what is missing. Returns
        the forms' status; a failure is recorded for the leader to retry."""
        from chalicelib.evaluation.printables import evaluation_form_to_sign
        from chalicelib.kernel.logging import logger

        period = parse_period(period_text)
        # The unit's people and their measures in one batch, as the round reads them.
        header, entries, _, evals = self._round_state(unit, period, consistent=True)
        if (header or {}).get("status") != PUBLISHED or header.get("forms_status") != SIGNING:
            return str((header or {}).get("forms_status") or "")
        assert self.files is not None, "the composition root gives the files"
        agency = str((getattr(self.directory, "agency", lambda: None)() or {}).get("name")
                     or "Sở Kế hoạch và Đầu tư")
        leader = self.directory.user(signer) or {}
        status, failure = SIGNED, None
        for name, entry in sorted(entries.items()):
            if not entry.get("decision") or entry.get("form_key"):
                continue
            try:
                body = evals.get(name)
                if body is None:  # decided, then moved out of the unit
                    profile = self.directory.user(name)
                    if profile is None:
                        continue
                    body = self._evaluation(profile, period, entry=entry)
                body["round"] = {"status": PUBLISHED, "self": entry.get("self"),
                                 "proposal": entry.get("proposal"),
                                 "decision": entry.get("decision")}
                pdf, box = evaluation_form_to_sign(
                    body, agency=agency, signer_title=str(leader.get("title") or ""))
                signed = sign(pdf, box, signer)
                key = f"evaluation/{unit}/{period}/{name}.pdf"
                self.files.put(key, signed, "application/pdf")
                uow = self.store.unit_of_work()
                self.store.save_entry(uow, unit, str(period), entry, {
                    **entry, "form_key": key, "form_signed_by": signer,
                    "form_signed_at": iso(self.clock())})
                uow.commit()
            except Exception as exc:  # noqa: BLE001 - every failure ends in a visible state
                logger.exception("evaluation form not signed", extra={"unit": unit,
                                                                      "person": name})
                status = FAILED
                failure = str(getattr(exc, "message", "") or "Lỗi khi ký số.")[:300]
                break
        header = self.store.header(unit, str(period))
        if header is not None and header.get("forms_status") == SIGNING:
            uow = self.store.unit_of_work()
            self.store.save_header(uow, unit, str(period), header, {
                **header, "forms_status": status, "forms_failure": failure})
            self.trail.append(uow, self.trail.head(self._chain(unit, period)), None,
                              "evaluation.forms_signed" if status == SIGNED
                              else "evaluation.forms_failed",
                              summary=FORM_STATUS_LABELS[status], actor="system")
            uow.commit()
        return status

    # ------------------------------------------------------------ exports

    def round_sheet(self, caller: Caller, unit: str, period_text: str | None
                    ) -> tuple[str, bytes]:
        from chalicelib.outputs.sheets import to_xlsx

        view = self.round_view(caller, unit, period_text)
        if "quota" not in view:  # a member's view of a published round
            raise Forbidden("Chỉ người đứng đầu đơn vị và lãnh đạo Sở tải bảng tổng hợp.",
                            "Only heads and leaders export the round.")
        header = ["STT", "Họ và tên", "Tên đăng nhập", "Chức danh", "Quy định áp dụng",
                  "Điểm", "Mức theo số liệu", "Tự đánh giá", "Đề xuất của trưởng đơn vị",
                  "Điểm tiêu chí chung", "Mức sau hạn mức", "Quyết định", "Lý do điều chỉnh"]
        rows = []
        for i, p in enumerate(view["people"], start=1):
            proposal, decision = p.get("proposal") or {}, p.get("decision") or {}
            rows.append([
                i, p["full_name"], p["username"], p["title"], p["rule_set"], p["score"] or "",
                p["band_label"], (p.get("self") or {}).get("band_label", ""),
                Band(proposal["band"]).label if proposal.get("band") else "",
                proposal.get("general_points", ""), p["suggested_label"],
                decision.get("band_label", ""),
                "; ".join([*(decision.get("reasons") or []),
                           decision.get("reason") or ""]).strip("; "),
            ])
        title = f"Đánh giá {unit} {view['period']}"
        return (f"danh-gia-{unit}-{view['period']}.xlsx",
                to_xlsx(title, header, rows, (5, 24, 16, 18, 28, 8, 22, 18, 22, 10, 22, 22, 40)))

    def form_pdf(self, caller: Caller, username: str, period_text: str | None
                 ) -> tuple[str, bytes]:
        """The signed form once the round is published and signed; before, the form
        as it stands, printed unsigned."""
        from chalicelib.evaluation.printables import evaluation_form

        body = self.evaluate(caller, username, period_text)
        entry = self.store.entry(str(body.get("unit") or ""), body["period"], username) \
            if body["round"]["status"] == PUBLISHED else None
        if entry and entry.get("form_key") and self.files is not None:
            return (f"phieu-danh-gia-{username}-{body['period']}-da-ky.pdf",
                    self.files.get(str(entry["form_key"])))
        agency = getattr(self.directory, "agency", lambda: None)() or {}
        return (f"phieu-danh-gia-{username}-{body['period']}.pdf",
                evaluation_form(body, agency=str(agency.get("name") or "Sở Kế hoạch và Đầu tư"),
                                printed_at=self.clock(), tz=self.calendar().tz))


def _forms_state(header: Mapping[str, Any] | None) -> dict[str, Any]:
    status = (header or {}).get("forms_status")
    return {"forms_status": status, "forms_status_label": FORM_STATUS_LABELS.get(status or ""),
            "forms_failure": (header or {}).get("forms_failure")}


def _criteria_parts(m: Measures) -> list[dict[str, Any]]:
    """Under Decree 90/2020 there are no points: the lines a person opens are the
    counts the criteria read (tasks judged, short, exceeded)."""
    judged = m.completed + m.overdue_open
    short = min(m.late + m.overdue_open + m.marks.chua_dat, judged)
    return [
        {"name": "judged", "label": "Nhiệm vụ đến hạn trong kỳ", "points": None, "max": None,
         "fields": ["completed", "overdue_open"], "basis": {"judged": judged},
         "formula": "completed + overdue_open", "source": "", "notes": [], "items": []},
        {"name": "short", "label": "Nhiệm vụ chưa bảo đảm tiến độ, chất lượng", "points": None,
         "max": None, "fields": ["late", "overdue_open", "marks.chua_dat"],
         "basis": {"short": short}, "formula": "late + overdue_open + marks.chua_dat",
         "source": "", "notes": [], "items": []},
        {"name": "exceeded", "label": "Nhiệm vụ hoàn thành vượt mức (xuất sắc)", "points": None,
         "max": None, "fields": ["marks.xuat_sac"], "basis": {"exceeded": m.marks.xuat_sac},
         "formula": "marks.xuat_sac", "source": "", "notes": [], "items": []},
    ]


def local_day(moment: datetime, tz: Any) -> str:
    return f"{moment.astimezone(tz):%d/%m/%Y}"


def published_bands(store: EvaluationStore, units: list[str], months: list[str]
                    ) -> dict[str, dict[str, int]] | None:
    """The dashboard's evaluation block: for each unit, how many people each band
    holds in the rounds published ("công khai") for these months, or the quarters
    and years they make up; unpublished proposals and decisions are never shown.
    One query per unit and period: O(units × periods), never the work."""
    periods = list(dict.fromkeys(
        [*months, *(f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" for m in months),
         *(m[:4] for m in months)]))
    out: dict[str, dict[str, int]] = {}
    for unit in units:
        for period in periods:
            header, people = store.round(unit, period)
            if header is None or header.get("status") != PUBLISHED:
                continue
            row = out.setdefault(unit, {})
            for entry in people.values():
                band = (entry.get("decision") or {}).get("band")
                if band:
                    row[band] = row.get(band, 0) + 1
    return out or None

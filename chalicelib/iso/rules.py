"""The rules of the process library (hệ thống quản lý chất lượng theo TCVN ISO
9001:2015, Quyết định 19/2014/QĐ-TTg), pure.

- A procedure (quy trình, e.g. QT-ĐKKD-01) is kept as numbered versions. A
  version is written as a draft, reviewed, approved by a leader with the date
  it comes into force; an approved version is in force from that date until a
  later approved version comes into force, then obsolete ("hết hiệu lực").
  Which version is in force on a day is therefore derived from the approved
  versions and the day, never from a flag a job must flip on time.
- Every version carries the reason for the change and a summary of what
  changed (the change log an ISO audit asks for).
- A procedure governs work: an administrative procedure's dossiers (by their
  one-stop procedure codes) or the review chain of outgoing drafts. The work
  keeps the version it started under.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from chalicelib.kernel.errors import Conflict, FieldProblem, InvalidInput

CODE = re.compile(r"^QT-[0-9A-ZĐ]{1,12}-[0-9]{2}$")


def ident(code: str) -> str:
    """The procedure's code as URLs and keys carry it: ASCII ("QT-ĐKKD-01" →
    "QT-DKKD-01"), since a path with "Đ" is not safe through every proxy."""
    return code.replace("Đ", "D").replace("đ", "d")
# The review steps an internal review procedure may name, as outgoing documents
# know them (outgoing.rules.Step); kept as words here so that the library does
# not depend on the capability it drives.
REVIEW_STEPS = ("unit_head", "office", "signer")
# How long a procedure may stay unreviewed (months): the agency's setting,
# overridable per procedure.
DEFAULT_REVIEW_MONTHS = 12
MAX_REVIEW_MONTHS = 60
MAX_STEPS = 30


class Kind(StrEnum):
    ONESTOP = "onestop"  # quy trình giải quyết thủ tục hành chính
    REVIEW = "review"  # quy trình nội bộ: trình duyệt văn bản đi

    @property
    def label(self) -> str:
        return {"onestop": "Giải quyết thủ tục hành chính",
                "review": "Trình duyệt văn bản đi"}[self.value]


class Status(StrEnum):
    """What is stored; ``state`` derives what a reader sees on a day."""

    DRAFT = "draft"
    REVIEWED = "reviewed"
    APPROVED = "approved"


class State(StrEnum):
    DRAFT = "draft"
    REVIEWED = "reviewed"
    APPROVED = "approved"  # approved, not yet in force
    IN_FORCE = "in_force"
    OBSOLETE = "obsolete"

    @property
    def label(self) -> str:
        return {"draft": "Dự thảo", "reviewed": "Đã xem xét", "approved": "Đã phê duyệt, "
                "chờ hiệu lực", "in_force": "Đang hiệu lực",
                "obsolete": "Hết hiệu lực"}[self.value]


@dataclass(frozen=True)
class Step:
    name: str  # công việc
    who: str  # đơn vị/người thực hiện (the unit as the catalogue names it)
    role: str  # chức danh
    how: str  # cách thực hiện
    days: Decimal  # thời gian (ngày làm việc)
    record: str  # biểu mẫu/hồ sơ tạo ra (a form's code, or empty)
    review_step: str  # for a review procedure: the outgoing review step


def _problem(path: str, vi: str, en: str) -> FieldProblem:
    return FieldProblem(path, vi, en)


def _days(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() and 0 < d <= 365 else None


def check_content(kind: Kind, content: dict[str, Any], *, retention_groups: set[str] | None
                  ) -> list[FieldProblem]:
    """Every fault of a version's content, named by its path; empty when sound.
    ``retention_groups`` are the codes of the archive's retention catalogue the
    records may name (None: not checked here)."""
    problems: list[FieldProblem] = []
    steps = content.get("steps") or []
    if not steps:
        problems.append(_problem("steps", "Quy trình phải có ít nhất một bước.",
                                 "A procedure has at least one step."))
    forms = {str(f.get("code", "")) for f in content.get("forms") or []}
    for i, s in enumerate(steps):
        if _days(s.get("days")) is None:
            problems.append(_problem(f"steps.{i}.days", "Thời gian phải lớn hơn 0 ngày.",
                                     "Days must be above 0."))
        record = str(s.get("record") or "")
        if record and record not in forms:
            problems.append(_problem(f"steps.{i}.record",
                                     "Biểu mẫu không có trong danh sách biểu mẫu.",
                                     "Not a form of this procedure."))
        if kind is Kind.REVIEW and s.get("review_step") not in REVIEW_STEPS:
            problems.append(_problem(f"steps.{i}.review_step", "Bước duyệt không hợp lệ.",
                                     "Unknown review step."))
    if kind is Kind.REVIEW and steps:
        chain = [s.get("review_step") for s in steps]
        if chain[-1] != "signer" or len(set(chain)) != len(chain):
            problems.append(_problem("steps", "Quy trình duyệt phải kết thúc bằng bước "
                                     "lãnh đạo duyệt ký và không lặp bước.",
                                     "A review chain ends with the signer, no repeats."))
    codes = [str(f.get("code", "")) for f in content.get("forms") or []]
    if len(set(codes)) != len(codes):
        problems.append(_problem("forms", "Mã biểu mẫu bị trùng.", "Duplicate form codes."))
    if retention_groups is not None:
        for i, r in enumerate(content.get("records") or []):
            if r.get("retention_group") not in retention_groups:
                problems.append(_problem(f"records.{i}.retention_group",
                                         "Không có nhóm hồ sơ này trong bảng thời hạn bảo quản.",
                                         "No such group in the retention catalogue."))
    return problems


def check_change(reason: str, summary: str) -> list[FieldProblem]:
    problems = []
    if not reason.strip():
        problems.append(_problem("reason", "Cần nêu lý do sửa đổi.", "Give the reason."))
    if not summary.strip():
        problems.append(_problem("change_summary", "Cần tóm tắt nội dung sửa đổi.",
                                 "Summarise the change."))
    return problems


def raise_if(problems: list[FieldProblem], message_vi: str, message_en: str) -> None:
    InvalidInput.unless_none(problems, message_vi, message_en, "invalid_procedure")


# ---------------------------------------------------------------- versions and days


def state(version: dict[str, Any], versions: list[dict[str, Any]], on: date) -> State:
    """What a version is on ``on``, among all versions of its procedure."""
    status = Status(version["status"])
    if status is Status.DRAFT:
        return State.DRAFT
    if status is Status.REVIEWED:
        return State.REVIEWED
    current = in_force(versions, on)
    if current is not None and current["number"] == version["number"]:
        return State.IN_FORCE
    if date.fromisoformat(version["effective_from"]) > on:
        return State.APPROVED
    return State.OBSOLETE


def in_force(versions: list[dict[str, Any]], on: date) -> dict[str, Any] | None:
    """The approved version in force on ``on``: the one that took effect last
    (one at a time: approval refuses two versions starting the same day)."""
    started = [v for v in versions if v["status"] == Status.APPROVED
               and date.fromisoformat(v["effective_from"]) <= on]
    return max(started, key=lambda v: (v["effective_from"], int(v["number"]))) if started \
        else None


def check_choice(version: dict[str, Any], versions: list[dict[str, Any]], on: date) -> None:
    """New work may only start under the version in force: an obsolete, a
    future or an unapproved version is refused."""
    current = state(version, versions, on)
    if current is State.IN_FORCE:
        return
    why = {State.OBSOLETE: "đã hết hiệu lực", State.APPROVED: "chưa có hiệu lực",
           State.DRAFT: "chưa được phê duyệt", State.REVIEWED: "chưa được phê duyệt"}[current]
    raise Conflict(f"Phiên bản {version['number']} của quy trình {version['code']} {why}; "
                   "công việc mới chỉ theo phiên bản đang hiệu lực.",
                   f"Version {version['number']} is {current.value}; new work follows the "
                   "version in force only.", "version_not_in_force")


def check_effective(effective: date, today: date, versions: list[dict[str, Any]]) -> None:
    """A version comes into force today or later (work already done is never
    re-read under it), after every version already approved."""
    problems = []
    if effective < today:
        problems.append(_problem("effective_from", "Ngày hiệu lực không được trước hôm nay.",
                                 "The date must not be in the past."))
    later = [v for v in versions if v["status"] == Status.APPROVED
             and date.fromisoformat(v["effective_from"]) >= effective]
    if later:
        problems.append(_problem("effective_from",
                                 "Phải sau ngày hiệu lực của phiên bản đã phê duyệt "
                                 f"({date.fromisoformat(later[0]['effective_from']):%d/%m/%Y}).",
                                 "Must follow the date of every approved version."))
    raise_if(problems, "Ngày hiệu lực không hợp lệ.", "Invalid date of effect.")


def shares(steps: list[dict[str, Any]]) -> list[Decimal]:
    """Each step's share of the procedure's time, from its days: exact decimals
    summing to 1 (the last step takes what rounding leaves), as the one-stop
    rules require."""
    days = [Decimal(str(s["days"])) for s in steps]
    total = sum(days, Decimal(0))
    out = [(d / total).quantize(Decimal("0.0001"), rounding=ROUND_DOWN) for d in days[:-1]]
    return [*out, Decimal(1) - sum(out, Decimal(0))]


def work_snapshot(version: dict[str, Any]) -> dict[str, Any]:
    """What a piece of work keeps of the version it started under."""
    return {"id": version["id"], "code": version["code"], "number": int(version["number"]),
            "title": version["title"], "effective_from": version["effective_from"],
            "steps": [{k: s.get(k) for k in ("name", "who", "role", "how", "days", "record",
                                                 "review_step")} for s in version["steps"]],
            "forms": version.get("forms") or []}


# ---------------------------------------------------------------- reviews due


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def review_due(current: dict[str, Any], months: int, last_review: str | None = None) -> date:
    """When the version in force must be reviewed again: ``months`` after it
    took effect, or after the owner last recorded a review with no change
    (``last_review``, a day), whichever is later: a review recorded under an
    older version never shortens the new one's interval."""
    since = date.fromisoformat(current["effective_from"])
    if last_review and date.fromisoformat(last_review) > since:
        since = date.fromisoformat(last_review)
    return add_months(since, months)


def review_months_of(current: dict[str, Any] | None, head: dict[str, Any], default: int) -> int:
    """The review interval: the version in force's own, else the procedure's,
    else the agency's setting."""
    for source in (current or {}, head):
        if source.get("review_months"):
            return int(source["review_months"])
    return default


def check_review_months(value: Any) -> list[FieldProblem]:
    if value is None:
        return []
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_REVIEW_MONTHS:
        return [_problem("review_months", f"Chu kỳ xem xét từ 1 đến {MAX_REVIEW_MONTHS} tháng.",
                         f"From 1 to {MAX_REVIEW_MONTHS} months.")]
    return []


# ---------------------------------------------------------------- evidence


EVIDENCE_HEADER = ("Phiên bản", "Hiệu lực từ", "Mã hồ sơ/văn bản", "Ngày bắt đầu",
                   "Bước đã thực hiện", "Hồ sơ, biểu mẫu tạo ra", "Bước trễ hạn",
                   "Bước sai thứ tự", "Không phù hợp")


def evidence_row(work: dict[str, Any], version: dict[str, Any]) -> tuple[Any, ...]:
    """One piece of work as the internal audit reads it: the steps done (from its
    control slip), the records they produced, and the nonconformities: a step
    done after its deadline, or a step done out of the procedure's order."""
    names = [s["name"] for s in work.get("steps") or []]
    done = [e["step"] for e in work.get("slip") or []]
    records = {s["name"]: s.get("record") for s in version.get("steps") or []}
    produced = [records[n] for n in done if records.get(n)]
    late = [e["step"] for e in work.get("slip") or [] if e.get("timeliness") == "late"]
    out_of_order = [n for i, n in enumerate(done) if i >= len(names) or names[i] != n]
    effective = date.fromisoformat(version["effective_from"])
    return (version["number"], f"{effective:%d/%m/%Y}", work["code"], work["started"],
            ", ".join(done), ", ".join(produced), ", ".join(late), ", ".join(out_of_order),
            "Có" if late or out_of_order else "Không")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def review_evidence_row(draft: dict[str, Any], version: dict[str, Any],
                        deadline: Callable[[datetime, Decimal], datetime]
                        ) -> tuple[Any, ...]:
    """One outgoing draft under an internal review procedure, as the internal
    audit reads it: the review steps approved (in the order they were done),
    the forms of those steps and the issued document (its number and date),
    each step done after ``deadline(began, days)`` (it began when the draft was
    submitted or the step before it was approved; ``days`` the version's, in
    working days), and each step done out of the version's chain order (not
    the step at its position, or approved before the step before it)."""
    steps = {s.get("review_step"): s for s in version.get("steps") or []}
    chain = [s.get("review_step") for s in version.get("steps") or []]
    done = [r for r in draft.get("review") or [] if r.get("decision") == "approved"
            and r.get("at")]
    names, produced, late, out_of_order = [], [], [], []
    began = draft.get("submitted_at")
    previous: datetime | None = None
    for i, r in enumerate(done):
        step = steps.get(r["step"]) or {}
        name = str(step.get("name") or r.get("label") or r["step"])
        names.append(name)
        if step.get("record"):
            produced.append(str(step["record"]))
        at = _instant(r["at"])
        if i >= len(chain) or chain[i] != r["step"] or (previous is not None and at < previous):
            out_of_order.append(name)
        if began and step.get("days") and at > deadline(_instant(began),
                                                       Decimal(str(step["days"]))):
            late.append(name)
        began, previous = r["at"], at
    if draft.get("number_text"):
        issued = f"Văn bản số {draft['number_text']}"
        if draft.get("issued_on"):
            issued += f" ngày {date.fromisoformat(str(draft['issued_on'])[:10]):%d/%m/%Y}"
        produced.append(issued)
    effective = date.fromisoformat(version["effective_from"])
    return (version["number"], f"{effective:%d/%m/%Y}",
            draft.get("number_text") or draft["code"], draft["started"], ", ".join(names),
            ", ".join(produced), ", ".join(late), ", ".join(out_of_order),
            "Có" if late or out_of_order else "Không")

"""The rules of case files and the archive (hồ sơ, lưu trữ), pure.

- The retention catalogue (Circular 10/2022/TT-BNV): each group of records has a
  retention period, permanent or N years, with its legal source beside it. The
  catalogue is versioned: a case file keeps the version and the period it was
  planned with, so a later correction never changes a file already listed.
- The yearly list of case files (danh mục hồ sơ, Decree 30 Art. 28) of a unit:
  drafted by the unit head, approved by a leader, copied forward to next year.
- A case file's life: planned (its list not yet approved) → open (documents are
  filed into it) → closed (frozen) → handed over to the agency archive.
- Hand-over (Decree 30 Art. 30): within one year after the work ends; files kept
  five years or more must be handed over, shorter ones stay with the unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.kernel.errors import Conflict, FieldProblem, InvalidInput

SOURCE = "Thông tư 10/2022/TT-BNV"
HANDOVER_SOURCE = "Nghị định 30/2020/NĐ-CP, Điều 30"
# Files kept at least this long go to the agency archive (Decree 30 Art. 30).
HANDOVER_MIN_YEARS = 5
# The responsible person is warned this many days before the hand-over is due.
WARN_DAYS = 30
# A reading grant on an archived file runs at most this long; the archivist grants again.
GRANT_MAX_DAYS = 366
CODE = re.compile(r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ.\-/]{0,29}$")


class ItemKind(StrEnum):
    """What can be filed into a case file."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    COMPLAINT = "complaint"
    DOSSIER = "dossier"

    @property
    def label(self) -> str:
        return {"incoming": "Văn bản đến", "outgoing": "Văn bản đi",
                "complaint": "Đơn thư", "dossier": "Hồ sơ một cửa"}[self.value]


class FileStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    HANDED_OVER = "handed_over"
    DISPOSED = "disposed"

    @property
    def label(self) -> str:
        return {"planned": "Trong danh mục, chưa duyệt", "open": "Đang lập",
                "closed": "Đã kết thúc", "handed_over": "Đã nộp lưu",
                "disposed": "Đã hủy"}[self.value]


class ListStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return {"draft": "Dự thảo", "approved": "Đã phê duyệt"}[self.value]


@dataclass(frozen=True)
class RetentionGroup:
    """A group of records with its retention period; ``years`` None is permanent."""

    code: str
    title: str
    years: int | None
    source: str
    kinds: frozenset[ItemKind] = frozenset()  # what a filing of this kind suggests

    @property
    def permanent(self) -> bool:
        return self.years is None

    @property
    def label(self) -> str:
        return "Vĩnh viễn" if self.years is None else f"{self.years} năm"


@dataclass(frozen=True)
class Catalogue:
    version: str
    groups: tuple[RetentionGroup, ...]

    def group(self, code: str) -> RetentionGroup | None:
        return next((g for g in self.groups if g.code == code), None)


_I, _O, _C, _D = ItemKind.INCOMING, ItemKind.OUTGOING, ItemKind.COMPLAINT, ItemKind.DOSSIER

# A seed of the common-records groups. The periods follow the Circular's table as
# we read it; the agency's archivist confirms them before use, and a correction is
# a new version of the catalogue, never an edit of this one.
CATALOGUES: dict[str, Catalogue] = {
    "TT10-2022.1": Catalogue("TT10-2022.1", (
        RetentionGroup("TH-01", "Hồ sơ xây dựng, ban hành chế độ, quy định, hướng dẫn của cơ quan",
                       None, SOURCE, frozenset({_O})),
        RetentionGroup("TH-02", "Kế hoạch, báo cáo công tác năm", None, SOURCE,
                       frozenset({_I, _O})),
        RetentionGroup("TH-03", "Kế hoạch, báo cáo công tác quý, tháng", 5, SOURCE,
                       frozenset({_I, _O})),
        RetentionGroup("TH-04", "Công văn trao đổi về công tác chuyên môn", 10, SOURCE,
                       frozenset({_I, _O})),
        RetentionGroup("TH-05", "Tập văn bản gửi chung đến cơ quan để biết", 5, SOURCE,
                       frozenset({_I})),
        RetentionGroup("TT-01", "Hồ sơ giải quyết khiếu nại, tố cáo, kiến nghị", 15, SOURCE,
                       frozenset({_C, _I, _O})),
        RetentionGroup("MC-01", "Hồ sơ giải quyết thủ tục hành chính", 10, SOURCE,
                       frozenset({_D, _O})),
        RetentionGroup("VT-01", "Sổ đăng ký văn bản đi, tập lưu văn bản đi", 50, SOURCE,
                       frozenset({_O})),
        RetentionGroup("VT-02", "Sổ đăng ký văn bản đến", 20, SOURCE, frozenset({_I})),
        RetentionGroup("HC-01", "Hồ sơ, tài liệu hành chính thông thường", 2, SOURCE,
                       frozenset({_I, _O})),
    )),
}
CURRENT = "TT10-2022.1"


def catalogue(version: str = CURRENT) -> Catalogue:
    return CATALOGUES[version]


def check_new_file(cat: Catalogue, *, code: str, group: str, taken: set[str]) -> RetentionGroup:
    """The group of a new entry of the list; every field at fault named at once."""
    problems: list[FieldProblem] = []
    if not CODE.match(code):
        problems.append(FieldProblem("code", "Số, ký hiệu hồ sơ không hợp lệ (chữ, số, . - /).",
                                     "Invalid case file code (letters, digits, . - /)."))
    elif code.upper() in taken:
        problems.append(FieldProblem("code", "Số, ký hiệu đã có trong danh mục năm này.",
                                     "This code is already in the year's list."))
    found = cat.group(group)
    if found is None:
        problems.append(FieldProblem("group", "Không có nhóm hồ sơ này trong bảng thời hạn.",
                                     "No such group in the retention catalogue."))
    InvalidInput.unless_none(problems, "Không thêm được hồ sơ vào danh mục.",
                             "The case file cannot be added to the list.", "invalid_case_file")
    assert found is not None
    return found


def check_changeable(status: str) -> None:
    """Closing freezes a case file: nothing is filed into it or taken out after."""
    if status in (FileStatus.CLOSED, FileStatus.HANDED_OVER, FileStatus.DISPOSED):
        raise Conflict("Hồ sơ đã kết thúc, không thay đổi được.",
                       "The case file is closed and cannot change.", "case_file_closed")
    if status != FileStatus.OPEN:
        raise Conflict("Danh mục hồ sơ chưa được phê duyệt.",
                       "The list of case files is not approved yet.", "list_not_approved")


def must_hand_over(years: int | None) -> bool:
    return years is None or years >= HANDOVER_MIN_YEARS


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def handover_due(closed_on: date) -> date:
    """The last day to hand a closed file over: one year after the work ended."""
    return _plus_years(closed_on, 1)


def warning_day(closed_on: date) -> date:
    return handover_due(closed_on) - timedelta(days=WARN_DAYS)


def retain_until(closed_on: date, years: int) -> date:
    """The end of a file's retention: counted in whole years from the year after
    the one the work ended in (the Circular counts from the end year)."""
    return date(closed_on.year + years + 1, 1, 1)


class DisposalStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"proposed": "Đề nghị hủy", "approved": "Đã duyệt hủy",
                "refused": "Không duyệt hủy"}[self.value]


def disposable_state(status: str, handover_due: str | None) -> bool:
    """A file that may be listed for disposal once its retention runs out: one in
    the agency archive, or one closed and kept at its unit (under five years, so
    never due to the archive). A file due to the archive is handed over first."""
    return status == FileStatus.HANDED_OVER or (status == FileStatus.CLOSED
                                                 and not handover_due)


def expired(retain_until: str | None, today: date) -> bool:
    """Whether a handed-over file's retention has run out; a permanent file
    (no end) never expires."""
    return retain_until is not None and date.fromisoformat(retain_until) <= today

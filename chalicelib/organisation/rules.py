"""The department's structure: units, positions and delegations of authority."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from chalicelib.kernel.errors import FieldProblem, InvalidInput


class UnitKind(StrEnum):
    LEADERSHIP = "leadership"  # Ban Giám đốc
    OFFICE = "office"  # Văn phòng
    SPECIALISED = "specialised"  # phòng chuyên môn
    ONE_STOP = "one_stop"  # bộ phận một cửa


UNIT_KIND_LABELS = {
    UnitKind.LEADERSHIP: "Ban lãnh đạo",
    UnitKind.OFFICE: "Văn phòng",
    UnitKind.SPECIALISED: "Phòng chuyên môn",
    UnitKind.ONE_STOP: "Bộ phận một cửa",
}

POSITIONS = (
    "Giám đốc Sở", "Phó Giám đốc Sở", "Chánh Văn phòng", "Phó Chánh Văn phòng",
    "Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên chính", "Chuyên viên", "Văn thư",
    "Cán bộ một cửa", "Quản trị hệ thống",
)

UNIT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,19}$")
# A unit's abbreviation as printed in a document's symbol ("ĐKKD" in
# "05/SKHĐT-ĐKKD"): upper-case letters (Đ included) and digits. The code is an
# internal key and often cannot be it (no Đ in a code).
UNIT_ABBREVIATION = re.compile(r"^[A-ZĐ0-9]{1,20}$")


def unit_abbreviation(unit: Mapping[str, object] | None, code: str) -> str:
    """What a document prints for the unit: its abbreviation, else its code
    (units created before abbreviations existed)."""
    return str((unit or {}).get("abbreviation") or code)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{2,63}$")


def generate_password() -> str:
    """Meets the user pool's policy: 12+ characters, upper, lower, digit, symbol."""
    core = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
    return f"{core}Aa1!"


class DelegationKind(StrEnum):
    # KT. (ký thay): a deputy leader signs for the head of the agency.
    KT = "KT"
    # TL. (thừa lệnh): the office chief signs on the head's order.
    TL = "TL"


def check_unit_parent(code: str, parent: str | None, parents: Mapping[str, str | None]) -> None:
    """Refuse a parent that does not exist or that would make the tree a loop."""
    if parent is None:
        return
    if parent not in parents:
        raise InvalidInput("Đơn vị cấp trên không tồn tại.", "The parent unit does not exist.",
                           "invalid_parent", [FieldProblem("parent", "Không tồn tại.",
                                                           "Does not exist.")])
    seen = {code}
    current: str | None = parent
    while current is not None:
        if current in seen:
            raise InvalidInput("Đơn vị cấp trên tạo thành vòng lặp.",
                               "The parent would make the unit its own ancestor.",
                               "invalid_parent",
                               [FieldProblem("parent", "Tạo vòng lặp.", "Creates a cycle.")])
        seen.add(current)
        current = parents.get(current)


@dataclass(frozen=True)
class Delegation:
    id: str
    grantor: str
    delegate: str
    kind: DelegationKind
    start: date
    end: date
    status: str = "active"

    def covers(self, day: date) -> bool:
        return self.status == "active" and self.start <= day <= self.end


def check_delegation(new: Delegation, existing: Iterable[Delegation]) -> None:
    problems: list[FieldProblem] = []
    if new.delegate == new.grantor:
        problems.append(FieldProblem("delegate", "Không thể uỷ quyền cho chính mình.",
                                     "You cannot delegate to yourself."))
    if new.end < new.start:
        problems.append(FieldProblem("end", "Ngày kết thúc trước ngày bắt đầu.",
                                     "The end is before the start."))
    InvalidInput.unless_none(problems, "Uỷ quyền không hợp lệ.", "Invalid delegation.",
                             "invalid_delegation")
    for other in existing:
        if other.status != "active" or other.id == new.id:
            continue
        if other.start <= new.end and new.start <= other.end:
            raise InvalidInput(
                f"Trùng thời gian với uỷ quyền đang có ({other.kind}. cho {other.delegate}, "
                f"{other.start:%d/%m/%Y}–{other.end:%d/%m/%Y}).",
                f"Overlaps an existing delegation ({other.kind}. to {other.delegate}, "
                f"{other.start:%Y-%m-%d} to {other.end:%Y-%m-%d}).",
                "delegation_overlap",
                [FieldProblem("start", "Trùng thời gian với uỷ quyền khác.",
                              "Overlaps another delegation.")],
            )


DEFAULT_AGENCY = {
    "parent": "UBND THÀNH PHỐ HÀ NỘI",
    "name": "SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
    "code": "SKHĐT",
    "place": "Hà Nội",
    "head_title": "Giám đốc",
    # The one-stop desk's phone: a citizen whose code is locked is told to call it.
    "desk_phone": "024 3825 6637",
}

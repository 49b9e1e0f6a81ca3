"""Who is calling: roles of the trade and the caller handed to every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    OFFICER = "officer"
    UNIT_HEAD = "unit_head"
    LEADER = "leader"
    ONE_STOP = "one_stop"
    ADMIN = "admin"
    ARCHIVIST = "archivist"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.CLERK: ("Văn thư", "Clerk"),
    Role.OFFICER: ("Chuyên viên", "Officer"),
    Role.UNIT_HEAD: ("Trưởng phòng", "Head of unit"),
    Role.LEADER: ("Lãnh đạo Sở", "Leader"),
    Role.ONE_STOP: ("Bộ phận một cửa", "One-stop desk"),
    Role.ADMIN: ("Quản trị hệ thống", "Administrator"),
    Role.ARCHIVIST: ("Lưu trữ viên", "Archivist"),
}


def parse_roles(values: list[str] | str | None) -> frozenset[Role]:
    """Roles from Cognito groups; unknown group names are ignored, not trusted."""
    if values is None:
        return frozenset()
    if isinstance(values, str):
        values = [v for v in values.replace(",", " ").split() if v]
    known = {r.value for r in Role}
    return frozenset(Role(v) for v in values if v in known)


@dataclass(frozen=True)
class Caller:
    username: str
    roles: frozenset[Role]
    unit: str | None = None
    full_name: str = ""
    source_ip: str = ""
    user_agent: str = ""
    auth_time: datetime | None = None
    request_id: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def has_any(self, roles: frozenset[Role] | set[Role]) -> bool:
        return bool(self.roles & roles)

"""The demo department: units and one user per role. Safe to run on every start.

Passwords are generated on the first run and kept in .eoffice/local.json
(ignored by git), so no password sits in the repository and the accounts stay
the same across restarts.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from chalicelib.domain.identity import Role
from chalicelib.services.users import ensure_unit, ensure_user

UNITS = [
    # code, name, kind, parent
    ("BGD", "Ban Giám đốc Sở", "leadership", None),
    ("VP", "Văn phòng Sở", "office", "BGD"),
    ("PDKKD", "Phòng Đăng ký kinh doanh", "specialised", "BGD"),
    ("PTH", "Phòng Tổng hợp, Quy hoạch", "specialised", "BGD"),
    ("MC", "Bộ phận Một cửa", "one_stop", "VP"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    unit: str
    title: str


DEMO_USERS = [
    DemoUser("vanthu", "Nguyễn Thị Lan", Role.CLERK, "VP", "Văn thư"),
    DemoUser("chuyenvien", "Trần Văn Minh", Role.OFFICER, "PDKKD", "Chuyên viên"),
    DemoUser("truongphong", "Lê Thị Hương", Role.UNIT_HEAD, "PDKKD", "Trưởng phòng"),
    DemoUser("giamdoc", "Phạm Quốc Hùng", Role.LEADER, "BGD", "Giám đốc Sở"),
    DemoUser("motcua", "Đỗ Thu Trang", Role.ONE_STOP, "MC", "Cán bộ một cửa"),
    DemoUser("quantri", "Vũ Đức Anh", Role.ADMIN, "VP", "Quản trị hệ thống"),
]


def new_password() -> str:
    # Meets the pool's policy: upper, lower, digit and symbol, 14+ characters.
    core = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
    return f"{core}Aa1!"


def seed(passwords: dict[str, str], mail_domain: str = "skhdt.local") -> list[dict[str, str]]:
    """Returns the demo accounts (username, password, role, unit)."""
    unit_names = {code: name for code, name, _, _ in UNITS}
    for code, name, kind, parent in UNITS:
        ensure_unit(code, name, kind, parent)
    accounts = []
    for user in DEMO_USERS:
        password = passwords.get(user.username) or new_password()
        ensure_user(user.username, password, user.full_name, f"{user.username}@{mail_domain}",
                    [user.role], user.unit, unit_names[user.unit], user.title)
        accounts.append({"username": user.username, "password": password,
                         "role": user.role.value, "unit": user.unit,
                         "full_name": user.full_name})
    return accounts

"""The demo department: units and one user per role. Safe to run on every start.

Passwords are generated on the first run and kept in .eoffice/local.json
(ignored by git), so no password sits in the repository and the accounts stay
the same across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.adapters.cognito import CognitoDirectory
from chalicelib.domain.identity import Role
from chalicelib.domain.organisation import generate_password as new_password
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
    # A deputy and the office chief, so that KT. and TL. delegations can be shown.
    DemoUser("phogiamdoc", "Ngô Thanh Bình", Role.LEADER, "BGD", "Phó Giám đốc Sở"),
    DemoUser("chanhvanphong", "Hoàng Minh Châu", Role.UNIT_HEAD, "VP", "Chánh Văn phòng"),
    DemoUser("motcua", "Đỗ Thu Trang", Role.ONE_STOP, "MC", "Cán bộ một cửa"),
    DemoUser("quantri", "Vũ Đức Anh", Role.ADMIN, "VP", "Quản trị hệ thống"),
]


def seed(passwords: dict[str, str], mail_domain: str = "skhdt.example") -> list[dict[str, str]]:
    """Returns the demo accounts (username, password, role, unit)."""
    unit_names = {code: name for code, name, _, _ in UNITS}
    for code, name, kind, parent in UNITS:
        ensure_unit(code, name, kind, parent)
    accounts = []
    for user in DEMO_USERS:
        password = passwords.get(user.username) or new_password()
        created = ensure_user(user.username, password, user.full_name,
                              f"{user.username}@{mail_domain}", [user.role], user.unit,
                              unit_names[user.unit], user.title)
        if not created and user.username not in passwords:
            # The account outlived the file that held its password: give it a new one.
            CognitoDirectory().set_password(user.username, password)
        accounts.append({"username": user.username, "password": password,
                         "role": user.role.value, "unit": user.unit,
                         "full_name": user.full_name})
    return accounts

"""The demo department: units and one user per role. Safe to run on every start.

Passwords are generated on the first run and kept in .eoffice/local.json
(ignored by git), so no password sits in the repository and the accounts stay
the same across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.adapters.cognito import CognitoDirectory
from chalicelib.kernel.identity import Role
from chalicelib.organisation.rules import generate_password as new_password
from chalicelib.organisation.users import ensure_unit, ensure_user

UNITS = [
    # code, name, kind, parent, abbreviation (what a document's symbol prints)
    ("BGD", "Ban Giám đốc Sở", "leadership", None, "BGĐ"),
    ("VP", "Văn phòng Sở", "office", "BGD", "VP"),
    ("PDKKD", "Phòng Đăng ký kinh doanh", "specialised", "BGD", "ĐKKD"),
    ("PTH", "Phòng Tổng hợp, Quy hoạch", "specialised", "BGD", "THQH"),
    ("MC", "Bộ phận Một cửa", "one_stop", "VP", "MC"),
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
    DemoUser("luutru", "Bùi Thị Mai", Role.ARCHIVIST, "VP", "Lưu trữ viên"),
]


def seed(passwords: dict[str, str], mail_domain: str = "skhdt.example") -> list[dict[str, str]]:
    """Returns the demo accounts (username, password, role, unit)."""
    unit_names = {code: name for code, name, _, _, _ in UNITS}
    for code, name, kind, parent, abbreviation in UNITS:
        ensure_unit(code, name, kind, parent, abbreviation=abbreviation)
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


DEMO_WORK = [
    # (subject, issuing agency, assignee, unit, working days from today: <0 overdue)
    ("V/v báo cáo tình hình đăng ký doanh nghiệp quý IV", "UBND thành phố Hà Nội",
     "U#chuyenvien", "PDKKD", -2),
    ("V/v góp ý dự thảo quy chế phối hợp", "Sở Tài chính", "U#chuyenvien", "PDKKD", 1),
    ("V/v rà soát thủ tục hành chính năm 2027", "Văn phòng UBND Thành phố", "UNIT#PDKKD",
     "PDKKD", 2),
    ("V/v kế hoạch kiểm tra doanh nghiệp sau đăng ký", "Sở Công Thương", "U#chuyenvien",
     "PDKKD", 8),
    ("V/v tổng hợp số liệu đầu tư công", "Bộ Tài chính", "UNIT#PTH", "PTH", -1),
]


def seed_demo_work() -> int:
    """Documents distributed and assigned across the week, once: some overdue, some
    due soon, some later, so that the digest and the work pages have something to
    show. Returns how many were created (0 when they already exist)."""
    from datetime import datetime, timedelta

    from chalicelib.adapters.dynamo import ConditionFailed, Table
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata
    from chalicelib.kernel.events import utcnow
    from chalicelib.work.items import work_item
    from chalicelib.work.rules import Part

    table = Table()
    try:
        table.put({"pk": "SEED#demo-work", "sk": "SEED", "kind": "seed"},
                  condition="attribute_not_exists(pk)")
    except ConditionFailed:
        return 0
    cal = agency_calendar()
    now = utcnow().astimezone(cal.tz)  # the runtime's clock, pinned or not
    today_end = datetime.combine(cal.working_day_on_or_after(now.date()),
                                 cal.periods[-1][1], cal.tz)
    for i, (subject, agency, assignee, unit, days) in enumerate(DEMO_WORK, start=1):
        doc = incoming.register(None, Metadata(
            so_ky_hieu=f"{100 + i}/VP-DEMO", co_quan_ban_hanh=agency,
            ngay_ban_hanh=(now - timedelta(days=7)).date(), trich_yeu=subject),
            arrival=now - timedelta(days=5), source="paper", units=[unit],
            people=[assignee[2:]] if assignee.startswith("U#") else [], table=table)
        if days >= 0:
            deadline = cal.add_working_days(today_end, days) if days else today_end
        else:
            day = now.date()
            for _ in range(-days):
                day = day - timedelta(days=1)
                while not cal.is_working_day(day):
                    day -= timedelta(days=1)
            deadline = datetime.combine(day, cal.periods[-1][1], cal.tz)
        table.put(work_item(doc, assignee, Part.LEAD, "Dữ liệu mẫu", deadline, "giamdoc",
                             unit))
    return len(DEMO_WORK)

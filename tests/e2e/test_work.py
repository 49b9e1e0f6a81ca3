"""Work tracking, tasks and meetings in a real Chromium: a head of unit gives a
task to an officer, who finds it on "Công việc của tôi", is refused an
extension of 40 working days (next to the field), asks for 3, has them approved
on the task page by the head, and completes it; a leader schedules a meeting
with a head of unit and an outside guest, the invitations (with their .ics)
reach the local outbox, the head accepts and the chair sees the answer;
reminder preferences stay as saved; the pages fit a phone and a desktop."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, api_call, open_signed_in
from tests.e2e.helpers import each_screen, expect_fits
from tests.e2e.test_incoming import browsers, loaded, shot

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def working_day(url: str, token: str, after: date, days: int) -> date:
    """The working day ``days`` working days after the end of ``after``, by the
    agency's own calendar (holidays and overrides included)."""
    start = quote(f"{after.isoformat()}T17:00:00+07:00")
    status, out = api_call(url, "GET", f"/api/calendar/add-working-days?start={start}&days={days}",
                           token=token)
    assert status == 200, out
    return datetime.fromisoformat(out["due"]).astimezone(TZ).date()


def today_vn() -> date:
    return datetime.now(TZ).date()


def vn_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def test_a_task_goes_from_the_head_to_the_officer_with_an_extension_and_back(
    browser: Any, clocked_runtime: dict[str, Any], clocked_session_of: Any
) -> None:
    # Deadlines meet office hours: on a runtime whose clock is pinned (05:00 and
    # 14:00 of a working day), so the test says the same whenever it runs.
    runtime, session_of = clocked_runtime, clocked_session_of
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]
    title = f"Tổng hợp báo cáo đăng ký doanh nghiệp tháng {tag}"
    token = session_of("truongphong")["id_token"]
    deadline = working_day(url, token, runtime["clock_at"].date(), 10)
    too_far = working_day(url, token, deadline, 40)
    wanted = working_day(url, token, deadline, 3)

    with browsers(browser) as open_page:
        # The head of unit gives the task from the form (own unit only).
        head = open_page(DESKTOP)
        open_signed_in(head, url, session_of("truongphong"), "/app/tasks")
        form = head.locator("#task-form")
        lead = form.get_by_label("Chủ trì")
        options = [o.strip() for o in lead.locator("option").all_inner_texts()]
        assert "Phòng Đăng ký kinh doanh (cả đơn vị)" in options
        assert not any("Văn phòng Sở" in o or "Phạm Quốc Hùng" in o for o in options), options
        form.get_by_role("button", name="Giao việc").click()
        expect(form.locator(".field-error[data-error-for=lead]")).to_contain_text(
            "Hãy chọn người hoặc đơn vị chủ trì.")
        form.get_by_label("Tên công việc").fill(title)
        form.get_by_label("Nội dung, yêu cầu").fill("Số liệu theo quận, huyện; so sánh cùng kỳ.")
        lead.select_option("chuyenvien")
        form.get_by_label("Hạn hoàn thành").fill(deadline.isoformat())
        form.get_by_label("Mức ưu tiên").select_option("high")
        form.get_by_role("button", name="Giao việc").click()
        expect(head.locator(".flash.ok")).to_contain_text(
            f"Đã giao việc “{title}” cho Trần Văn Minh, hạn ")
        href = head.locator("#task-new [data-out=created] a").get_attribute("href")
        assert href and href.startswith("/app/task?id=")
        task_id = href.split("=", 1)[1]
        expect(head.locator(f"#task-list li[data-id='{task_id}']")).to_contain_text(title)

        # The officer finds it among their work, coloured by its deadline.
        officer = open_page(PHONE)
        open_signed_in(officer, url, session_of("chuyenvien"), "/app/work")
        item = officer.locator(f"#work-list li[data-source='task:{task_id}']")
        expect(item).to_contain_text(title)
        expect(item.locator("[data-timeliness]")).to_have_text("Trong hạn")
        # The seeded documents: the overdue come first, in red.
        first = officer.locator("#work-list li.work-item").first
        expect(first).to_have_attribute("data-timeliness", "overdue")
        expect(first.locator(".badge")).to_have_class(re.compile(r"badge-overdue"))
        item.get_by_role("link", name=title).click()
        officer.wait_for_url(re.compile(r"/app/task\?id="))
        loaded(officer)
        mine = officer.locator("#my-part")
        expect(mine).to_contain_text(f"{vn_date(deadline)} lúc 17:00")

        # 40 working days: refused, said next to the date.
        mine.get_by_text("Đề nghị gia hạn", exact=True).click()
        ext = officer.locator("#tk-extension-form")
        ext.get_by_label("Gia hạn đến ngày").fill(too_far.isoformat())
        ext.get_by_label("Lý do").fill("Chờ số liệu của Cục Thống kê.")
        ext.get_by_role("button", name="Gửi đề nghị gia hạn").click()
        expect(ext.locator(".field-error[data-error-for=until]")).to_contain_text(
            "Quá 10 ngày làm việc.")
        expect(ext.get_by_label("Gia hạn đến ngày")).to_have_attribute("aria-invalid", "true")
        expect(officer.locator(".flash .flash-vi")).to_contain_text(
            "Gia hạn tối đa 10 ngày làm việc")
        # 3 working days: pending the head's decision.
        ext.get_by_label("Gia hạn đến ngày").fill(wanted.isoformat())
        ext.get_by_role("button", name="Gửi đề nghị gia hạn").click()
        expect(officer.locator(".flash.ok")).to_have_text(
            "Đã gửi đề nghị gia hạn; người giao việc sẽ quyết định.")
        part = officer.locator("li.part[data-assignee='U#chuyenvien']")
        expect(part.locator("[data-extension=pending]")).to_contain_text("Chờ quyết định")
        expect(part.locator(".decision-form")).to_have_count(0)  # the assigner decides
        shot(officer, "task-extension-pending-phone")

        # The head approves it on the task page.
        head.goto(url + f"/app/task?id={task_id}")
        loaded(head)
        expect(head.locator("[data-out=audit-link]")).to_have_attribute(
            "href", f"/app/audit?item=task:{task_id}")
        part = head.locator("li.part[data-assignee='U#chuyenvien']")
        expect(part).to_contain_text(f"Đề nghị gia hạn đến {_weekday(wanted)}, {vn_date(wanted)}")
        part.get_by_label("Ý kiến về đề nghị gia hạn").fill("Đồng ý, báo cáo đúng hạn mới.")
        part.get_by_role("button", name="Đồng ý gia hạn").click()
        expect(head.locator(".flash.ok")).to_have_text("Đã đồng ý gia hạn cho Trần Văn Minh.")
        expect(part.locator("[data-extension=approved]")).to_contain_text("Đã đồng ý")
        expect(part.locator(".part-meta")).to_contain_text(
            f"Hạn: {_weekday(wanted)}, {vn_date(wanted)}")
        # The task's header says the new deadline too, and the one first given.
        header = head.locator("#task-head [data-out=facts]")
        expect(header).to_contain_text(f"{_weekday(wanted)}, {vn_date(wanted)}")
        expect(header).to_contain_text(
            f"hạn giao ban đầu {_weekday(deadline)}, {vn_date(deadline)}")
        shot(head, "task-extension-approved-desktop")

        # The officer completes it.
        officer.reload()
        loaded(officer)
        expect(officer.locator("#my-part")).to_contain_text(vn_date(wanted))
        officer.locator("#my-part").get_by_text("Hoàn thành phần việc", exact=True).click()
        done = officer.locator("#tk-complete-form")
        done.get_by_role("button", name="Hoàn thành").click()
        expect(done.locator(".field-error[data-error-for=result]")).to_have_text(
            "Chưa nhập kết quả.")
        done.get_by_label("Kết quả thực hiện").fill(
            "Đã gửi báo cáo tổng hợp kèm số liệu 30 quận, huyện.")
        done.get_by_role("button", name="Hoàn thành").click()
        expect(officer.locator(".flash.ok")).to_have_text("Đã hoàn thành công việc.")
        expect(officer.locator("#my-part")).to_be_hidden()
        expect(officer.locator("#task-head [data-status]").first).to_have_text("Hoàn thành")
        officer.goto(url + "/app/work")
        loaded(officer)
        expect(officer.locator("#work-list li.work-item").first).to_be_visible()
        expect(officer.locator(f"#work-list li[data-source='task:{task_id}']")).to_have_count(0)

        # The head may now reopen it.
        head.reload()
        loaded(head)
        expect(head.locator("#reopen")).to_be_visible()


WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def _weekday(d: date) -> str:
    return WEEKDAYS[d.weekday()]


def test_a_leader_schedules_a_meeting_the_invitations_go_out_and_the_answer_comes_back(
    browser: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    url = runtime["url"]
    tag = uuid.uuid4().hex[:6]
    title = f"Họp giao ban đăng ký kinh doanh {tag}"
    guest = f"khach.{tag}@sotaichinh.example"
    day = today_vn() + timedelta(days=3)

    with browsers(browser) as open_page:
        chair = open_page(DESKTOP)
        open_signed_in(chair, url, session_of("giamdoc"), "/app/meetings")
        form = chair.locator("#meeting-form")
        form.get_by_label("Tên cuộc họp").fill(title)
        form.get_by_label("Bắt đầu").fill(f"{day.isoformat()}T09:00")
        expect(form.get_by_label("Kết thúc")).to_have_value(f"{day.isoformat()}T10:00")
        form.get_by_label("Kết thúc").fill(f"{day.isoformat()}T10:30")
        expect(form.locator("[data-when-echo=start]")).to_have_text(
            f"{_weekday(day)}, {vn_date(day)} lúc 09:00")
        form.get_by_label("Tìm cán bộ tham dự").fill("huong")
        form.get_by_label("Lê Thị Hương").check()
        form.get_by_role("button", name="+ Thêm khách mời").click()
        form.get_by_label("Thư điện tử khách mời 1").fill("khong-phai-dia-chi")
        form.get_by_label("Họ tên, chức vụ").fill("Ông Nguyễn Văn An, Sở Tài chính")
        form.get_by_label("Nội dung 1").fill("Tình hình đăng ký doanh nghiệp tháng 11")
        submit = form.get_by_role("button", name="Lên lịch và gửi giấy mời")
        submit.click()
        # Each problem next to its field: the guest's address, then the place.
        expect(form.locator(".field-error[data-error-for='guests.0.email']")).to_be_visible()
        form.get_by_label("Thư điện tử khách mời 1").fill(guest)
        submit.click()
        expect(form.locator(".field-error[data-error-for=place]")).to_contain_text(
            "Cần địa điểm hoặc đường dẫn họp trực tuyến.")
        form.get_by_label("Địa điểm").fill("Phòng họp tầng 3, 16 Cát Linh")
        submit.click()
        chair.wait_for_url(re.compile(r"/app/meeting\?id="))
        loaded(chair)
        meeting_id = chair.url.split("id=", 1)[1]
        expect(chair.locator(".flash.ok")).to_contain_text(f"Đã lên lịch họp “{title}”")
        expect(chair.locator("#meeting-head [data-out=when]")).to_have_text(
            f"09:00–10:30, {_weekday(day)} ngày {vn_date(day)}")
        # The mail goes out by workflow steps; the page follows its status.
        invited = chair.locator("li.invitation[data-username=truongphong]")
        expect(invited.locator("[data-answer]")).to_have_text("Chưa trả lời")
        for who in (invited, chair.locator(f"li.invitation[data-email='{guest}']")):
            expect(who.locator("[data-mail]")).to_have_attribute("data-mail", "sent",
                                                                 timeout=45_000)
        expect(chair.locator(f"li.invitation[data-email='{guest}']")).to_contain_text("Khách mời")

        # The local outbox shows the invitations with their calendar file.
        chair.goto(url + "/app/outbox")
        loaded(chair)
        for address in (guest, "truongphong@"):
            mail = chair.locator("article.mail", has_text=title).filter(has_text=address)
            expect(mail.first).to_contain_text(f"Giấy mời họp: {title}")
            expect(mail.first).to_contain_text("Tệp đính kèm: moi-hop.ics")

        # The head of unit accepts on the meeting page.
        invitee = open_page(PHONE)
        open_signed_in(invitee, url, session_of("truongphong"), f"/app/meeting?id={meeting_id}")
        answer = invitee.locator("#my-answer")
        expect(answer).to_contain_text("Trả lời của bạn: Chưa trả lời.")
        expect(invitee.locator("#meeting-manage")).to_be_hidden()
        answer.get_by_role("button", name="Tham dự", exact=True).click()
        expect(invitee.locator(".flash.ok")).to_have_text("Đã ghi nhận trả lời: Tham dự.")
        expect(answer).to_contain_text("Trả lời của bạn: Tham dự.")
        expect(answer.get_by_role("button", name="Tham dự", exact=True)).to_have_attribute(
            "aria-pressed", "true")
        # An invitee sees the answers, not the addresses or the mail.
        expect(invitee.locator("li.invitation [data-mail]")).to_have_count(0)
        shot(invitee, "meeting-invitee-phone")

        # The chair sees the answer.
        chair.goto(url + f"/app/meeting?id={meeting_id}")
        loaded(chair)
        answered = chair.locator("li.invitation[data-username=truongphong] [data-answer]")
        expect(answered).to_have_text("Tham dự")
        expect(chair.locator("#meeting-manage")).to_be_visible()
        expect(chair.locator("[data-out=audit-link]")).to_have_attribute(
            "href", f"/app/audit?item=meeting:{meeting_id}")
        shot(chair, "meeting-chair-desktop")

        # It is on the head's list of meetings, upcoming, with the answer.
        invitee.goto(url + "/app/meetings")
        loaded(invitee)
        row = invitee.locator(f"#meetings-upcoming li[data-id='{meeting_id}']")
        expect(row.locator("[data-answer]")).to_have_text("Tham dự")


def test_reminder_preferences_turned_off_stay_off_after_a_reload(
    phone_page: Any, runtime: dict[str, Any], session_of: Any
) -> None:
    page = phone_page
    open_signed_in(page, runtime["url"], session_of("motcua"), "/app/work")
    form = page.locator("#prefs-form")
    digest = form.get_by_label("Thư tổng hợp lúc 07:30 các ngày làm việc")
    instant = form.get_by_label("Thư báo ngay khi được giao việc")
    expect(digest).to_be_checked()
    expect(instant).to_be_checked()
    digest.uncheck()
    instant.uncheck()
    form.get_by_label("Báo “sắp đến hạn” trước").select_option("4")
    form.get_by_role("button", name="Lưu cài đặt").click()
    expect(page.locator(".flash.ok")).to_have_text("Đã lưu cài đặt nhắc việc.")
    expect(page.locator("[data-out=prefs-saved]")).to_contain_text("không nhận thư tổng hợp")

    page.reload()
    loaded(page)
    expect(digest).not_to_be_checked()
    expect(instant).not_to_be_checked()
    expect(form.get_by_label("Báo “sắp đến hạn” trước")).to_have_value("4")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# ------------------------------------------------------------------ how the pages look


@pytest.fixture(scope="module")
def work_items(runtime: dict[str, Any], session_of: Any) -> dict[str, str]:
    """A task with a pending extension and a meeting, through the API."""
    url = runtime["url"]

    def call(who: str, method: str, path: str, body: Any = None) -> Any:
        status, out = api_call(url, method, path, body, token=session_of(who)["id_token"])
        assert status == 200, out
        return out

    token = session_of("truongphong")["id_token"]
    deadline = working_day(url, token, today_vn(), 4)
    task = call("truongphong", "POST", "/api/tasks", {
        "title": "Rà soát hồ sơ đăng ký doanh nghiệp tồn đọng quý IV",
        "description": "Lập danh sách hồ sơ quá hạn, đề xuất phương án xử lý.",
        "lead": "chuyenvien", "supporting": ["PDKKD"], "deadline": deadline.isoformat(),
        "priority": "urgent"})
    call("chuyenvien", "POST", f"/api/tasks/{task['id']}/progress",
         {"progress": 60, "note": "Đã rà soát 120/200 hồ sơ."})
    call("chuyenvien", "POST", f"/api/tasks/{task['id']}/extension", {
        "until": working_day(url, token, deadline, 2).isoformat(),
        "reason": "Chờ ý kiến của Phòng Tổng hợp."})
    day = today_vn() + timedelta(days=5)
    meeting = call("giamdoc", "POST", "/api/meetings", {
        "title": "Họp triển khai Kế hoạch cải thiện môi trường đầu tư kinh doanh",
        "start": f"{day.isoformat()}T14:00", "end": f"{day.isoformat()}T16:30",
        "place": "Phòng họp lớn, tầng 2", "online_url": "https://hop.skhdt.example/phong-2",
        "participants": ["truongphong", "chuyenvien", "chanhvanphong"],
        "guests": [{"email": "lienhe@sotaichinh.example", "name": "Bà Trần Thị Mai, Sở Tài chính"}],
        "agenda": [{"title": "Báo cáo kết quả quý IV"}, {"title": "Phân công nhiệm vụ năm 2027"}],
        "note": "Các phòng gửi báo cáo trước ngày họp."})
    return {"task": task["id"], "meeting": meeting["id"]}


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_work_pages_fit_the_screen(
    browser: Any, runtime: dict[str, Any], session_of: Any, work_items: dict[str, str],
    viewport: str
) -> None:
    """No sideways scrolling; with EOFFICE_SCREENSHOTS set to a folder, a
    full-page screenshot of each page goes there for a look."""
    size = PHONE if viewport == "phone" else DESKTOP
    task, meeting = work_items["task"], work_items["meeting"]
    screens = [
        ("chuyenvien", "/app/work", "work-officer"),
        ("truongphong", "/app/work?scope=unit", "work-head-unit"),
        ("giamdoc", "/app/work?scope=agency", "work-leader-agency"),
        ("truongphong", "/app/tasks", "tasks-head"),
        ("chuyenvien", f"/app/task?id={task}", "task-officer"),
        ("truongphong", f"/app/task?id={task}", "task-head"),
        ("giamdoc", "/app/meetings", "meetings-leader"),
        ("giamdoc", f"/app/meeting?id={meeting}", "meeting-chair"),
        ("chuyenvien", f"/app/meeting?id={meeting}", "meeting-officer"),
    ]
    with browsers(browser) as open_page:
        pg = open_page(size)
        for who, path, name in each_screen(pg, runtime["url"], session_of, screens):
            expect(pg.locator(".flash:not(.ok)")).to_be_hidden()
            expect_fits(pg, size, f"{path} for {who}")
            if name == "meeting-chair":
                pg.locator("#edit-fold summary").click()
                expect(pg.locator("#meeting-edit-form").get_by_label("Tên cuộc họp")).to_have_value(
                    "Họp triển khai Kế hoạch cải thiện môi trường đầu tư kinh doanh")
                expect_fits(pg, size, "the edit form")
            shot(pg, f"{name}-{viewport}")

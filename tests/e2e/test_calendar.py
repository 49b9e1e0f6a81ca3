"""The calendar page: the deadline calculator, the year's days off and make-up
days, and the administrators' overrides."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_signed_in

pytestmark = pytest.mark.e2e


def compute_deadline(page: Any, start: str, days: str) -> tuple[str, str]:
    form = page.locator("#due-form")
    form.get_by_label("Thời điểm nhận").fill(start)
    form.get_by_label("Số ngày làm việc").fill(days)
    result = page.locator("#due-result")
    page.evaluate("document.getElementById('due-result').hidden = true")
    form.get_by_role("button", name="Tính hạn").click()
    expect(result).to_be_visible()
    return (result.locator("[data-out=counted_from]").inner_text(),
            result.locator("[data-out=due]").inner_text())


def test_deadline_calculator_counts_working_days_in_vietnam_time(
    page: Any, runtime: dict[str, Any], sessions: Any
) -> None:
    open_signed_in(page, runtime["url"], sessions("officer"), "/app/calendar")

    # Thursday 31/12 at 08:00 + 2 working days: 7 h that day, 1/1 is New Year's
    # Day, then the weekend, 8 h on Monday and the last hour on Tuesday.
    counted, due = compute_deadline(page, "2026-12-31T08:00", "2")
    assert counted == "Thứ Năm, 31/12/2026 lúc 08:00"
    assert due == "Thứ Ba, 05/01/2027 lúc 08:00"

    # Received in the evening: counting starts at the next working morning
    # (Monday 4/1, 07:00); half a day is 4 working hours.
    counted, due = compute_deadline(page, "2026-12-31T18:30", "0.5")
    assert counted == "Thứ Hai, 04/01/2027 lúc 07:00"
    assert due == "Thứ Hai, 04/01/2027 lúc 11:00"

    # A negative number of days: the API's message shows next to the field.
    form = page.locator("#due-form")
    form.get_by_label("Số ngày làm việc").fill("-1")
    form.get_by_role("button", name="Tính hạn").click()
    error = page.locator(".field-error[data-error-for=days]")
    expect(error).to_be_visible()
    expect(error).to_have_text("Số ngày phải lớn hơn hoặc bằng 0.")
    expect(page.locator(".flash .flash-vi")).to_have_text("Dữ liệu không hợp lệ.")
    expect(page.locator("#due-result")).to_be_hidden()

    # The year's list shows the statutory days off with their names.
    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    national_day = page.locator(f"#days li[data-date='{year}-09-02']")
    expect(national_day).to_contain_text("Quốc khánh")
    expect(national_day.locator(".badge")).to_have_text("Nghỉ")


def first_saturday_of_december(year: int) -> date:
    day = date(year, 12, 1)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def test_admin_adds_a_make_up_working_day_and_it_counts(
    page: Any, runtime: dict[str, Any], sessions: Any
) -> None:
    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    saturday = first_saturday_of_december(year)
    friday = saturday - timedelta(days=1)
    open_signed_in(page, runtime["url"], sessions("admin"), "/app/calendar")
    row = page.locator(f"#days li[data-date='{saturday.isoformat()}']")
    expect(page.locator("#days li").first).to_be_visible()
    expect(row).to_have_count(0)  # an ordinary Saturday is not listed
    _, due_before = compute_deadline(page, f"{friday.isoformat()}T08:00", "2")

    form = page.locator("#override-form")
    expect(form).to_be_visible()
    # Without a date the API refuses, and says why next to the date field.
    form.get_by_label("Ghi chú").fill("Làm bù cho ngày nghỉ hoán đổi")
    form.get_by_role("button", name="Lưu điều chỉnh").click()
    date_error = form.locator(".field-error[data-error-for=date]")
    expect(date_error).to_be_visible()
    expect(date_error).to_have_text("Chưa nhập ngày.")
    expect(form.get_by_label("Ngày", exact=True)).to_have_attribute("aria-invalid", "true")

    form.get_by_label("Ngày", exact=True).fill(saturday.isoformat())
    form.get_by_label("Loại ngày").select_option(label="Ngày làm việc (làm bù)")
    form.get_by_role("button", name="Lưu điều chỉnh").click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã lưu điều chỉnh")
    expect(date_error).to_be_hidden()
    expect(row.locator(".badge")).to_have_text("Làm việc")
    expect(row).to_contain_text("Làm bù cho ngày nghỉ hoán đổi")
    expect(row).to_contain_text("Điều chỉnh của cơ quan")

    # Stored, not only drawn: still there after a reload, and deadlines now
    # count the Saturday (Friday 7 h + Saturday 8 h + 1 h on Monday).
    page.reload()
    expect(row.locator(".badge")).to_have_text("Làm việc")
    _, due_after = compute_deadline(page, f"{friday.isoformat()}T08:00", "2")
    monday = saturday + timedelta(days=2)
    assert due_after == f"Thứ Hai, {monday:%d/%m/%Y} lúc 08:00", (due_before, due_after)
    assert due_before != due_after

    # Removing it takes two taps, then the day and its effect are gone.
    remove = row.get_by_role("button", name="Xoá điều chỉnh")
    remove.click()
    row.get_by_role("button", name="Bấm lần nữa để xoá").click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã xoá điều chỉnh")
    expect(row).to_have_count(0)
    _, due_removed = compute_deadline(page, f"{friday.isoformat()}T08:00", "2")
    assert due_removed == due_before


def test_non_admin_sees_no_override_form_and_the_api_refuses_anyway(
    page: Any, runtime: dict[str, Any], sessions: Any
) -> None:
    open_signed_in(page, runtime["url"], sessions("unit_head"), "/app/calendar")
    expect(page.locator("#days li").first).to_be_visible()
    expect(page.locator("#override-form")).to_be_hidden()
    expect(page.get_by_role("button", name="Xoá điều chỉnh")).to_have_count(0)
    # Hiding the form is convenience; the API is the guard.
    status, message = page.evaluate("""async () => {
        const s = JSON.parse(sessionStorage.getItem('eoffice.session'));
        const r = await fetch('/api/calendar/overrides', {method: 'PUT',
            headers: {'Authorization': 'Bearer ' + s.id_token, 'Content-Type': 'application/json'},
            body: JSON.stringify({date: '2030-01-05', working: true, note: ''})});
        return [r.status, (await r.json()).error.message];
    }""")
    assert status == 403
    assert message == "Bạn không có quyền thực hiện thao tác này."

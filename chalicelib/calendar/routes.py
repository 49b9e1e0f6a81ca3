"""The agency calendar for tools and pages, and its overrides for administrators."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.errors import InvalidInput
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module

calendar_service = lazy_module("chalicelib.calendar.service")

if TYPE_CHECKING:
    from chalicelib.calendar.schemas import DueResponse, Override

calendar_bp = Blueprint(__name__)
S = "chalicelib.calendar.schemas:"


@route(calendar_bp, "/api/calendar/add-working-days", query=S + "AddWorkingDaysQuery",
       response=S + "DueResponse", policy=Policy.signed_in(),
       summary="Deadline after N working days (half days allowed)", tags=("calendar",))
def add_working_days(call: Call) -> DueResponse:
    from chalicelib.calendar.schemas import DueResponse

    cal = calendar_service.agency_calendar()
    start = call.query.start
    return DueResponse(
        start=start,
        counted_from=cal.start_of_counting(start),
        due=cal.add_working_days(start, call.query.days),
    )


@route(calendar_bp, "/api/calendar/days", query=S + "YearQuery", policy=Policy.signed_in(),
       summary="Every day of a year that is not an ordinary working day", tags=("calendar",))
def year_days(call: Call) -> dict[str, list[dict[str, object]]]:
    from chalicelib.calendar.schemas import DayInfo

    cal = calendar_service.agency_calendar()
    year = call.query.year
    overrides = cal.overrides
    day = date(year, 1, 1)
    out = []
    while day.year == year:
        ordinary = day.weekday() < 5
        working = cal.is_working_day(day)
        if working != ordinary or day in overrides:
            out.append(DayInfo(date=day, working=working, holiday=cal.holiday_name(day),
                               override=day in overrides).model_dump(mode="json"))
        day += timedelta(days=1)
    return {"days": out}


@route(calendar_bp, "/api/calendar/overrides", policy=Policy.signed_in(),
       summary="The agency's own days off and make-up working days", tags=("calendar",))
def get_overrides(call: Call) -> dict[str, object]:
    return {"overrides": calendar_service.list_overrides()}


@route(calendar_bp, "/api/calendar/overrides", methods=("PUT",), body=S + "Override",
       policy=Policy.only(Role.ADMIN), summary="Set a day off or a make-up working day",
       tags=("calendar",))
def put_override(call: Call) -> dict[str, object]:
    body: Override = call.body
    calendar_service.set_override(call.user, body.date, body.working, body.note)
    return {"ok": True, "override": body.model_dump(mode="json")}


@route(calendar_bp, "/api/calendar/overrides/{day}", methods=("DELETE",),
       policy=Policy.only(Role.ADMIN), summary="Remove an override", tags=("calendar",))
def delete_override(call: Call) -> dict[str, object]:
    try:
        day = date.fromisoformat(call.params["day"])
    except ValueError as exc:
        raise InvalidInput("Ngày không hợp lệ (YYYY-MM-DD).", "Invalid date (YYYY-MM-DD).",
                           "invalid_date") from exc
    calendar_service.remove_override(call.user, day)
    return {"ok": True}

"""The meeting rules and the iCalendar invitation, without AWS."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from chalicelib.kernel.errors import InvalidInput
from chalicelib.meetings.rules import (
    MAX_PARTICIPANTS,
    AgendaItem,
    Attendee,
    AttendeeRole,
    Meeting,
    MeetingStatus,
    Method,
    PartStat,
    as_instant,
    build_ics,
    check_schedule,
    format_when,
    invite_slug,
    new_token,
    normalise_email,
    parse_token,
    token_matches,
    uid_of,
)

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def _meeting(**changes: object) -> Meeting:
    base = dict(
        id="4f1c2b", title="Họp giao ban tuần, Phòng Đăng ký kinh doanh",
        start=datetime(2026, 12, 1, 9, 0, tzinfo=HANOI),
        end=datetime(2026, 12, 1, 10, 30, tzinfo=HANOI),
        chair_name="Phạm Quốc Hùng", chair_email="giamdoc@skhdt.example",
        place="Phòng họp số 2, tầng 3", online_url="",
        agenda=(AgendaItem("Báo cáo tiến độ", "1234/STC-QLNS — V/v hướng dẫn dự toán 2027"),
                AgendaItem("Ý kiến các phòng")),
        note="Đề nghị các đồng chí đến đúng giờ.", sequence=0)
    base.update(changes)
    return Meeting(**base)  # type: ignore[arg-type]


PEOPLE = [
    Attendee("giamdoc@skhdt.example", "Phạm Quốc Hùng", AttendeeRole.CHAIR, PartStat.ACCEPTED),
    Attendee("chuyenvien@skhdt.example", "Trần Văn Minh", AttendeeRole.PARTICIPANT),
    Attendee("khach@doanhnghiep.vn", 'Nguyễn "Khách" Mời', AttendeeRole.GUEST,
             PartStat.TENTATIVE),
]


def _parse(data: bytes) -> tuple[Calendar, object]:
    cal = Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def test_request_carries_method_uid_sequence_and_hanoi_times():
    data = build_ics(_meeting(), PEOPLE, method=Method.REQUEST, stamp=NOW,
                     sent_by="vanthu@skhdt.example")
    cal, event = _parse(data)
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "meeting-4f1c2b@eoffice" == uid_of("4f1c2b")
    assert int(event["SEQUENCE"]) == 0
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2026, 12, 1, 9, 0, tzinfo=HANOI)
    assert start.utcoffset() == timedelta(hours=7) and str(start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert end - start == timedelta(minutes=90)
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    text = data.decode("utf-8")
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20261201T090000" in text
    assert "\r\n" in text  # RFC 5545 line ends
    # The zone is defined in the file, for clients that do not know IANA names.
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Ho_Chi_Minh"]
    assert zones[0].walk("STANDARD")[0].decoded("TZOFFSETTO") == timedelta(hours=7)
    assert str(event["STATUS"]) == "CONFIRMED"


def test_attendees_organizer_and_vietnamese_text():
    data = build_ics(_meeting(online_url="https://hop.skhdt.example/phong-2"), PEOPLE,
                     method=Method.REQUEST, stamp=NOW, sent_by="vanthu@skhdt.example")
    _cal, event = _parse(data)
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert set(attendees) == {"mailto:giamdoc@skhdt.example", "mailto:chuyenvien@skhdt.example",
                              "mailto:khach@doanhnghiep.vn"}
    chair = attendees["mailto:giamdoc@skhdt.example"]
    assert chair["ROLE"] == "CHAIR" and chair["PARTSTAT"] == "ACCEPTED" and chair["RSVP"] == "FALSE"
    officer = attendees["mailto:chuyenvien@skhdt.example"]
    assert officer["PARTSTAT"] == "NEEDS-ACTION" and officer["RSVP"] == "TRUE"
    assert officer["CN"] == "Trần Văn Minh"
    guest = attendees["mailto:khach@doanhnghiep.vn"]
    assert guest["PARTSTAT"] == "TENTATIVE" and '"' not in guest["CN"]
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:giamdoc@skhdt.example"
    assert organizer.params["CN"] == "Phạm Quốc Hùng"
    assert organizer.params["SENT-BY"] == "mailto:vanthu@skhdt.example"
    assert str(event["SUMMARY"]) == "Họp giao ban tuần, Phòng Đăng ký kinh doanh"
    assert str(event["LOCATION"]) == "Phòng họp số 2, tầng 3"
    assert str(event["URL"]) == "https://hop.skhdt.example/phong-2"
    description = str(event["DESCRIPTION"])
    assert "1. Báo cáo tiến độ (tài liệu: 1234/STC-QLNS" in description
    assert "2. Ý kiến các phòng" in description
    assert unicodedata.is_normalized("NFC", data.decode("utf-8"))


def test_online_only_meeting_puts_the_link_in_location():
    data = build_ics(_meeting(place="", online_url="https://hop.example/x"), PEOPLE[:2],
                     method=Method.REQUEST, stamp=NOW)
    _cal, event = _parse(data)
    assert str(event["LOCATION"]) == "https://hop.example/x"


def test_decomposed_input_comes_out_nfc():
    decomposed = unicodedata.normalize("NFD", "Họp bàn kế hoạch")
    data = build_ics(_meeting(title=decomposed), PEOPLE[:1], method=Method.REQUEST, stamp=NOW)
    _cal, event = _parse(data)
    assert str(event["SUMMARY"]) == unicodedata.normalize("NFC", "Họp bàn kế hoạch")


def test_change_bumps_sequence_with_the_same_uid_and_cancel_is_method_cancel():
    first = _parse(build_ics(_meeting(), PEOPLE, method=Method.REQUEST, stamp=NOW))[1]
    moved = _meeting(sequence=1, start=datetime(2026, 12, 1, 14, 0, tzinfo=HANOI),
                     end=datetime(2026, 12, 1, 15, 0, tzinfo=HANOI))
    second = _parse(build_ics(moved, PEOPLE, method=Method.REQUEST, stamp=NOW))[1]
    assert str(first["UID"]) == str(second["UID"])
    assert int(second["SEQUENCE"]) == 1
    assert second.decoded("DTSTART").hour == 14
    cancelled = _meeting(sequence=2, status=MeetingStatus.CANCELLED)
    cal, event = _parse(build_ics(cancelled, PEOPLE, method=Method.CANCEL, stamp=NOW))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    assert str(event["UID"]) == str(first["UID"])
    assert all(a.params["RSVP"] == "FALSE" for a in event["ATTENDEE"])


def test_naive_times_are_hanoi_wall_clock():
    assert as_instant(datetime(2026, 12, 1, 9, 0)) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert format_when(datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
                       datetime(2026, 12, 1, 3, 30, tzinfo=UTC)) == \
        "09:00–10:30, Thứ Ba ngày 01/12/2026"
    assert format_when(datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
                       datetime(2026, 12, 2, 10, 0, tzinfo=UTC)).endswith(
        "đến 17:00 Thứ Tư ngày 02/12/2026")


def _problems(**kwargs: object) -> dict[str, str]:
    args = dict(title="Họp", start=NOW + timedelta(days=1), end=NOW + timedelta(days=1, hours=1),
                place="Phòng họp 1", online_url="", participants=3, now=NOW)
    args.update(kwargs)
    with pytest.raises(InvalidInput) as caught:
        check_schedule(**args)  # type: ignore[arg-type]
    return {f.path: f.message for f in caught.value.fields}


def test_schedule_rules_name_their_fields():
    ok = check_schedule(title="Họp", start=datetime(2026, 11, 28, 9, 0), end=datetime(
        2026, 11, 28, 10, 0), place="P.2", online_url="", participants=1, now=NOW)
    assert ok == (datetime(2026, 11, 28, 2, 0, tzinfo=UTC), datetime(2026, 11, 28, 3, 0,
                                                                     tzinfo=UTC))
    assert "end" in _problems(end=NOW + timedelta(days=1))  # end == start
    assert "end" in _problems(end=NOW + timedelta(hours=20))  # end before start
    assert "end" in _problems(end=NOW + timedelta(days=9))  # longer than a week
    assert "start" in _problems(start=NOW - timedelta(minutes=1))
    assert "place" in _problems(place="", online_url="")
    assert "online_url" in _problems(online_url="javascript:alert(1)")
    assert "participants" in _problems(participants=MAX_PARTICIPANTS + 1)
    assert "participants" in _problems(participants=0)
    # A change to a meeting under way may keep its (past) start.
    check_schedule(title="Họp", start=NOW - timedelta(minutes=10), end=NOW + timedelta(hours=1),
                   place="P.2", online_url="", participants=1, now=NOW, start_may_be_past=True)


def test_addresses_and_answer_tokens():
    assert normalise_email("Khach@DoanhNghiep.VN") == "Khach@doanhnghiep.vn"
    assert normalise_email("khong-phai-thu") is None
    assert normalise_email("a@b@c.vn") is None
    slug = invite_slug(username="nguyen.van.a")
    token, digest = new_token("4f1c2b", slug)
    assert parse_token(token) == ("4f1c2b", slug, token.rsplit(".", 1)[1])
    secret = parse_token(token)[2]  # type: ignore[index]
    assert token_matches(secret, {digest, "x" * 64})
    assert not token_matches(secret + "x", {digest})
    assert digest not in token  # only the hash is stored, never the secret
    assert parse_token("") is None and parse_token("abc.def") is None
    assert parse_token("a.b.short") is None
    guest = invite_slug(email="Khach@doanhnghiep.vn")
    assert guest.startswith("g-") and "@" not in guest
    assert guest == invite_slug(email="khach@DOANHNGHIEP.vn")

"""A meeting's invitation as an official document: a "Giấy mời" (GM) drafted
from the meeting — time, place, chair, agenda, those invited — that then goes
through the outgoing flow (review, the leader's signature, the clerk's number
and seal) like any other document."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.errors import Conflict, Forbidden
from chalicelib.kernel.events import instant
from chalicelib.kernel.identity import Caller
from chalicelib.meetings.rules import ACTIVE, format_when
from chalicelib.meetings.store import MeetingStore
from chalicelib.meetings.visibility import can_edit_meeting, load_visible
from chalicelib.organisation.service import agency_profile
from chalicelib.organisation.store import Directory
from chalicelib.outgoing import service as outgoing


def letter_body(meeting: dict[str, Any], chair_name: str, agency_name: str) -> str:
    lines = [f"{agency_name.capitalize() if agency_name.isupper() else agency_name} trân trọng "
             f"kính mời đại biểu dự cuộc họp: {meeting['title']}."]
    when = format_when(instant(meeting["start"]), instant(meeting["end"]))
    lines.append(f"Thời gian: {when}.")
    if meeting.get("place"):
        lines.append(f"Địa điểm: {meeting['place']}.")
    if meeting.get("online_url"):
        lines.append(f"Họp trực tuyến: {meeting['online_url']}")
    lines.append(f"Chủ trì: {chair_name}.")
    for i, item in enumerate(meeting.get("agenda") or [], 1):
        doc = f" (tài liệu: {item['document']})" if item.get("document") else ""
        lines.append(f"Nội dung {i}: {item['title']}{doc}.")
    if meeting.get("note"):
        lines.append(meeting["note"])
    lines.append("Đề nghị đại biểu xác nhận tham dự qua đường liên kết trong thư mời điện tử. "
                 "Rất mong đại biểu tham dự đúng giờ.")
    return "\n\n".join(lines)


def draft_letter(caller: Caller, meeting_id: str, *, signer: str, authority: str, s3: Any,
                 bucket: str, table: Table) -> dict[str, Any]:
    store, directory = MeetingStore(table), Directory(table)
    meeting = load_visible(caller, meeting_id, store=store)
    if not can_edit_meeting(caller, meeting):
        raise Forbidden("Chỉ người chủ trì hoặc người lên lịch mới soạn giấy mời.",
                        "Only the chair or the scheduler drafts the invitation letter.")
    if meeting["status"] != "scheduled":
        raise Conflict("Cuộc họp đã huỷ, không soạn giấy mời.",
                       "The meeting is cancelled.", "invalid_state")
    invitations = [i for i in store.invitations(meeting_id)
                   if i.get("state") == ACTIVE and i["role"] != "chair"]
    units: set[str] = set()
    external: list[dict[str, str]] = []
    for inv in invitations:
        if inv.get("username"):
            profile = directory.user(inv["username"]) or {}
            if profile.get("unit"):
                units.add(str(profile["unit"]))
        elif inv.get("email"):
            external.append({"name": inv.get("name") or "", "email": inv["email"]})
    agency = agency_profile(table)
    chair = directory.user(meeting["chair"]) or {}
    draft = outgoing.create(
        caller, type_code="GM", subject=f"Mời họp: {meeting['title']}"[:500], signer=signer,
        authority=authority, recipients_internal=sorted(units), recipients_external=external,
        do_khan="Thường", do_mat="", answers=None, table=table)
    outgoing.set_origin(draft["id"], {"meeting_id": meeting_id}, table=table)
    return outgoing.compose_version(
        caller, draft["id"], body=letter_body(meeting, str(chair.get("full_name") or
                                                         meeting["chair"]), agency["name"]),
        recipients=["Như thành phần mời;", f"Lưu: VT, {caller.unit}."], s3=s3, bucket=bucket,
        table=table)

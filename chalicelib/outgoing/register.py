"""The outgoing register (sổ đăng ký văn bản đi), Decree 30 Appendix IV."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

COLUMNS = ("Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung",
           "Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản",
           "Ngày chuyển", "Ký nhận", "Ghi chú")
WIDTHS = (26, 16, 70, 26, 44, 26, 10, 16, 14, 30)
NOTES = {"recalled": "Đã thu hồi", "replaced": "Đã được thay thế"}


def _date(iso_day: str | None) -> str:
    if not iso_day:
        return ""
    return f"{iso_day[8:10]}/{iso_day[5:7]}/{iso_day[:4]}"


def _local_day(instant: str | None) -> str:
    """The Hanoi date of a stored UTC instant: a document issued at 05:15 on
    02/12 in Hanoi (22:15 on 01/12 UTC) was passed on on 02/12."""
    if not instant:
        return ""
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(TZ)
    return f"{moment:%d/%m/%Y}"


def rows(docs: list[dict[str, Any]], abbreviations: Mapping[str, str] | None = None
         ) -> list[list[str]]:
    """One line per number taken, in number order; secret documents show only
    their number and marking (the content stays in the secret register).
    ``abbreviations``: unit code → what the register prints for the unit."""
    abbreviations = abbreviations or {}
    out = []
    for doc in docs:
        secret = bool(doc.get("do_mat"))
        recipients = [*(doc.get("recipients_internal") or []),
                      *(r.get("name") or r["email"] for r in doc.get("recipients_external") or [])]
        notes = [NOTES[doc["status"]]] if doc["status"] in NOTES else []
        if doc["status"] in ("issuing", "issue_failed"):
            notes.append("Đang phát hành")
        if secret:
            notes.append("Mật")
        if doc.get("replaces"):
            notes.append("Thay thế văn bản trước")
        out.append([
            str(doc.get("number_text") or ""),
            _date(doc.get("issued_on")),
            "(Văn bản mật)" if secret else f"{doc.get('type_name', '')}: {doc.get('subject', '')}",
            str(doc.get("signed_by_name") or doc.get("signed_by") or doc.get("signer") or ""),
            "" if secret else "; ".join(recipients),
            f"{abbreviations.get(unit, unit)}, VT" if (unit := doc.get("drafting_unit", ""))
            else "VT",
            str(1 + len(recipients)),
            _local_day(doc.get("issued_at")),
            "",
            "; ".join(notes),
        ])
    return out

"""The outgoing register (sổ đăng ký văn bản đi), Decree 30 Appendix IV."""

from __future__ import annotations

from typing import Any

COLUMNS = ("Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung",
           "Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản",
           "Ngày chuyển", "Ký nhận", "Ghi chú")
WIDTHS = (26, 16, 70, 26, 44, 26, 10, 16, 14, 30)
NOTES = {"recalled": "Đã thu hồi", "replaced": "Đã được thay thế"}


def _date(iso_day: str | None) -> str:
    if not iso_day:
        return ""
    return f"{iso_day[8:10]}/{iso_day[5:7]}/{iso_day[:4]}"


def rows(docs: list[dict[str, Any]]) -> list[list[str]]:
    """One line per number taken, in number order; secret documents show only
    their number and marking (the content stays in the secret register)."""
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
            f"{doc.get('drafting_unit', '')}, VT",
            str(1 + len(recipients)),
            _date((doc.get("issued_at") or "")[:10]),
            "",
            "; ".join(notes),
        ])
    return out

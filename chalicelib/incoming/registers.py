"""The registers of Decree 30 (Appendix IV), kept by the system and printed and
bound each year: the incoming register and the handling-tracking register, for
the agency or for one unit, by year."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.incoming.store import IncomingStore
from chalicelib.kernel.composition import given
from chalicelib.kernel.errors import Forbidden
from chalicelib.kernel.identity import Caller, Role
from chalicelib.work import items

INCOMING_COLUMNS = ("Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng",
                    "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận",
                    "Ngày chuyển", "Ký nhận", "Ghi chú")
INCOMING_WIDTHS = (18, 12, 30, 24, 18, 70, 36, 18, 18, 28)
TRACKING_COLUMNS = ("Số đến", "Tên loại, số, ký hiệu, ngày tháng, cơ quan ban hành và trích yếu",
                    "Đơn vị hoặc người nhận", "Thời hạn giải quyết", "Tiến độ giải quyết",
                    "Số, ký hiệu văn bản trả lời", "Ghi chú")
TRACKING_WIDTHS = (14, 90, 40, 24, 36, 30, 30)


def check_access(caller: Caller, unit: str | None) -> None:
    """The agency's registers: the clerk and the leaders. A unit's: also its head."""
    if caller.roles & {Role.CLERK, Role.LEADER}:
        return
    if unit and Role.UNIT_HEAD in caller.roles and caller.unit == unit:
        return
    raise Forbidden()


def entries(year: int, unit: str | None = None, table: Table | None = None, *,
            store: IncomingStore | None = None) -> list[dict[str, Any]]:
    """In số đến order. Secret documents are registered like any other (the number
    is the agency's), but the register shows only their number and marking."""
    return (store or IncomingStore(given(table))).register(year, unit)


def _masked(doc: dict[str, Any], text: str) -> str:
    return "(Văn bản mật)" if doc.get("do_mat") else text


def _recipients(doc: dict[str, Any], work: list[dict[str, Any]]) -> str:
    names = []
    for w in work:
        who = items.name_of(w["assignee"])
        names.append(f"{who} ({'chủ trì' if w['part'] == 'lead' else 'phối hợp'})")
    return "; ".join(names)


def incoming_rows(docs: list[dict[str, Any]], table: Table | None = None, *,
                  store: IncomingStore | None = None) -> list[list[str]]:
    store = store or IncomingStore(given(table))
    rows = []
    for doc in docs:
        units = [w for w in store.parts(doc["id"]) if items.is_unit(w["assignee"])]
        rows.append([
            str(doc.get("arrival_date") or doc.get("arrival_at", "")[:10]),
            str(doc["so_den_text"]),
            _masked(doc, doc.get("co_quan_ban_hanh", "")),
            _masked(doc, doc.get("so_ky_hieu", "")),
            str(doc.get("ngay_ban_hanh") or ""),
            _masked(doc, " ".join(p for p in (doc.get("loai_van_ban", ""),
                                             doc.get("trich_yeu", "")) if p)),
            _recipients(doc, units),
            str(doc.get("distributed_at", "") or "")[:10],
            "",  # signed for on paper, when the register is printed
            "; ".join(p for p in ("Độ khẩn: " + doc["do_khan"] if doc.get("do_khan") not in
                                  (None, "Thường") else "",
                                  "Mật" if doc.get("do_mat") else "") if p),
        ])
    return rows


def tracking_rows(docs: list[dict[str, Any]], table: Table | None = None, *,
                  store: IncomingStore | None = None) -> list[list[str]]:
    store = store or IncomingStore(given(table))
    rows = []
    for doc in docs:
        work = store.parts(doc["id"])
        lead = next((w for w in work if w["part"] == "lead" and items.is_unit(w["assignee"])),
                    None)
        progress = {"registered": "Chưa phân phối", "distributed": "Đã phân phối",
                    "in_progress": "Đang xử lý", "completed": "Hoàn thành"}[doc["status"]]
        if doc["status"] == "completed" and doc.get("completed_at"):
            progress += f" ({doc['completed_at'][:10]})"
        rows.append([
            str(doc["so_den_text"]),
            _masked(doc, ", ".join(p for p in (
                doc.get("loai_van_ban", ""), doc.get("so_ky_hieu", ""),
                str(doc.get("ngay_ban_hanh") or ""), doc.get("co_quan_ban_hanh", ""),
                doc.get("trich_yeu", "")) if p)),
            _recipients(doc, [w for w in work if items.is_unit(w["assignee"])]),
            (lead or {}).get("deadline", "")[:10] if lead else "",
            progress,
            str(doc.get("answer") or ""),
            "",
        ])
    return rows

"""An item's audit trail: read it, check its chain, export it for inspectors."""

from __future__ import annotations

import csv
import io
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.routing import Call, Policy, route
from chalicelib.services import audit

audit_bp = Blueprint(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@route(audit_bp, "/api/audit/{item_id}", policy=Policy.signed_in(), tags=("audit",),
       summary="An item's audit trail, oldest first")
def trail(call: Call) -> dict[str, Any]:
    chain = call.params["item_id"]
    audit.ensure_can_read(call.user, chain)
    return {"item_id": chain, "entries": [audit.for_display(e) for e in audit.entries(chain)]}


@route(audit_bp, "/api/audit/{item_id}/verify", policy=Policy.signed_in(), tags=("audit",),
       summary="Whether the item's audit hash chain is intact")
def verify(call: Call) -> dict[str, Any]:
    chain = call.params["item_id"]
    audit.ensure_can_read(call.user, chain)
    verdict = audit.verify_chain(chain)
    return {"item_id": chain, "intact": verdict.intact, "entries": verdict.entries,
            "broken_at": verdict.broken_at, "reason": verdict.reason,
            "reason_en": verdict.reason_en}


@route(audit_bp, "/api/audit/{item_id}/export", query="chalicelib.api.schemas.organisation:"
       "ExportQuery", policy=Policy.signed_in(), tags=("audit",), produces="text/csv",
       summary="The audit trail as CSV or XLSX")
def export(call: Call) -> Response:
    chain = call.params["item_id"]
    audit.ensure_can_read(call.user, chain)
    rows = audit.export_rows(chain)
    safe = "".join(ch if ch.isalnum() else "-" for ch in chain)[:80]
    if call.query.format == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "Nhật ký"
        for row in rows:
            sheet.append(row)
        buf = io.BytesIO()
        book.save(buf)
        return Response(body=buf.getvalue(), status_code=200, headers={
            "Content-Type": XLSX,
            "Content-Disposition": f'attachment; filename="nhat-ky-{safe}.xlsx"'})
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    # The BOM lets Excel read the Vietnamese text as UTF-8.
    return Response(body="\ufeff" + text.getvalue(), status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="nhat-ky-{safe}.csv"'})

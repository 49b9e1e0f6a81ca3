"""An item's audit trail: read it, check its chain, export it for inspectors."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.downloads import file_response
from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import table
from chalicelib.kernel.identity import Caller
from chalicelib.kernel.lazy import lazy_module
from chalicelib.outputs.sheets import XLSX, to_csv, to_xlsx

audit = lazy_module("chalicelib.audit.trail")

audit_bp = Blueprint(__name__)


@route(audit_bp, "/api/audit/{item_id}", policy=Policy.signed_in(), tags=("audit",),
       summary="An item's audit trail, oldest first")
def trail(call: Call) -> dict[str, Any]:
    chain = call.params["item_id"]
    ensure_can_read(call.user, chain)
    entries = audit.timeline(chain, table())
    return {"item_id": chain, "entries": [audit.for_display(e) for e in entries]}


@route(audit_bp, "/api/audit/{item_id}/verify", policy=Policy.signed_in(), tags=("audit",),
       summary="Whether the item's audit hash chain is intact")
def verify(call: Call) -> dict[str, Any]:
    chain = call.params["item_id"]
    ensure_can_read(call.user, chain)
    verdict = audit.verify_chain(chain, table())
    return {"item_id": chain, "intact": verdict.intact, "entries": verdict.entries,
            "broken_at": verdict.broken_at, "reason": verdict.reason,
            "reason_en": verdict.reason_en, "anchored_seq": verdict.anchored_seq}


@route(audit_bp, "/api/audit/{item_id}/export", query="chalicelib.organisation.schemas:"
       "ExportQuery", policy=Policy.signed_in(), tags=("audit",), produces="text/csv",
       summary="The audit trail as CSV or XLSX")
def export(call: Call) -> Response:
    chain = call.params["item_id"]
    ensure_can_read(call.user, chain)
    safe = "".join(ch if ch.isalnum() else "-" for ch in chain)[:80]
    header, *body = audit.export_rows(chain, table())
    if call.query.format == "xlsx":
        return file_response(to_xlsx("Nhật ký", header, body), XLSX, f"nhat-ky-{safe}.xlsx")
    return file_response(to_csv(header, body), "text/csv; charset=utf-8", f"nhat-ky-{safe}.csv")


def ensure_can_read(caller: Caller, chain: str) -> None:
    """Who may read an item's trail (each kind answers through its own capability's
    loader, imported here at the entry point so that the trail itself depends on no
    capability). Outside that: 404, so ids cannot be probed.

    Organisation chains: administrators, and each user for their own account.
    Work items register their own rule as their kinds arrive (issue #4 on).
    """
    from chalicelib.kernel.errors import NotFound
    from chalicelib.kernel.identity import Role

    kind, _, ident = chain.partition(":")
    if kind == "user" and ident and (Role.ADMIN in caller.roles or ident == caller.username):
        return
    if kind == "unit" and ident and Role.ADMIN in caller.roles:
        return
    if kind == "meeting" and ident:
        from chalicelib.bootstrap import meetings

        meetings().ensure_can_read_trail(caller, ident)  # chair, scheduler, head of unit, leaders
        return
    if kind == "task" and ident and caller.roles & {Role.LEADER, Role.UNIT_HEAD}:
        from chalicelib.bootstrap import tasks

        tasks().load_visible(caller, ident)
        return
    if kind == "incoming" and ident and caller.roles & {Role.LEADER, Role.CLERK, Role.UNIT_HEAD}:
        # Supervisors of documents they may see; load_visible answers 404 otherwise.
        from chalicelib.bootstrap import incoming

        incoming().load_visible(caller, ident)
        return
    if kind == "complaint" and ident and caller.roles & {Role.LEADER, Role.CLERK,
                                                          Role.UNIT_HEAD}:
        from chalicelib.complaints.service import load_case

        load_case(caller, ident, table())  # supervisors of cases they may see
        return
    if kind == "dossier" and ident and caller.roles & {Role.LEADER, Role.ONE_STOP,
                                                        Role.UNIT_HEAD}:
        from chalicelib.onestop.service import load_dossier

        load_dossier(caller, ident, table())  # supervisors of dossiers they may see
        return
    if kind == "evaluation" and ident:
        # A unit's round (``{unit}:{period}``): its heads and the leaders; a
        # person's marks (``{username}``): whoever may read their evaluation.
        from chalicelib.bootstrap import evaluations
        from chalicelib.kernel.errors import Forbidden

        unit, colon, _period = ident.partition(":")
        if colon:
            if Role.LEADER in caller.roles or (Role.UNIT_HEAD in caller.roles
                                               and caller.unit == unit):
                return
            raise NotFound()
        try:
            evaluations().readable_person(caller, ident)
        except Forbidden:
            raise NotFound() from None
        return
    if kind == "iso" and ident and caller.roles & {Role.ADMIN, Role.LEADER, Role.UNIT_HEAD}:
        return  # a procedure's trail: those who draft, review and approve procedures
    if kind == "outgoing" and ident:
        from chalicelib.outgoing.service import load

        load(caller, ident, table())  # whoever may see the document sees its history
        return
    raise NotFound()

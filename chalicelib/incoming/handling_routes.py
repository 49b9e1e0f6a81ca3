"""Distributing an incoming document and working on it."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import incoming as use_cases
from chalicelib.bootstrap import table
from chalicelib.incoming.handling_rules import suggested_deadline
from chalicelib.incoming.rules import Urgency
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module
from chalicelib.work.rules import Part

handling = lazy_module("chalicelib.incoming.handling")
review = lazy_module("chalicelib.incoming.review")

handling_bp = Blueprint(__name__)
S = "chalicelib.incoming.schemas:"
SIGNED_IN = Policy.signed_in()


@route(handling_bp, "/api/incoming/{doc_id}/handling", policy=SIGNED_IN, tags=("incoming",),
       summary="Who handles which part, deadlines and their status, opinions")
def handling_view(call: Call) -> dict[str, Any]:
    return handling.handling_view(call.user, call.params["doc_id"], table=table())


@route(handling_bp, "/api/incoming/{doc_id}/suggested-deadline", policy=Policy.only(Role.LEADER),
       tags=("incoming",), summary="The deadline suggested from the document's urgency")
def suggestion(call: Call) -> dict[str, Any]:
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.kernel.events import utcnow

    doc = use_cases().load_visible(call.user, call.params["doc_id"])
    urgency = Urgency(doc.get("do_khan") or Urgency.THUONG)
    due = suggested_deadline(agency_calendar(), utcnow(), urgency)
    return {"urgency": urgency.value, "deadline": due.isoformat()}


@route(handling_bp, "/api/incoming/{doc_id}/distribute", methods=("POST",),
       body=S + "DistributeIn", policy=Policy.only(Role.LEADER), tags=("incoming",),
       summary="The leader names the lead and supporting units, instruction and deadlines")
def distribute(call: Call) -> dict[str, Any]:
    b = call.body
    return handling.distribute(
        call.user, call.params["doc_id"], lead_unit=b.lead_unit, lead_deadline=b.lead_deadline,
        supporting=[(s.unit, s.deadline) for s in b.supporting], instruction=b.instruction,
        version=b.version, lead_officer=b.lead_officer, table=table())


@route(handling_bp, "/api/incoming/{doc_id}/assign", methods=("POST",), body=S + "AssignIn",
       policy=Policy.only(Role.UNIT_HEAD), tags=("incoming",),
       summary="The head of unit assigns officers of the unit")
def assign(call: Call) -> dict[str, Any]:
    b = call.body
    return handling.assign(call.user, call.params["doc_id"],
                           officers=[(o.username, Part(o.part)) for o in b.officers],
                           deadline=b.deadline, instruction=b.instruction, version=b.version,
                           table=table())


@route(handling_bp, "/api/incoming/{doc_id}/opinions", methods=("POST",), body=S + "NoteIn",
       policy=SIGNED_IN, tags=("incoming",), summary="Give an opinion on the document")
def opinion(call: Call) -> dict[str, Any]:
    return handling.add_note(call.user, call.params["doc_id"], "opinion", call.body.text,
                             table=table())


@route(handling_bp, "/api/incoming/{doc_id}/progress", methods=("POST",), body=S + "ProgressIn",
       policy=SIGNED_IN, tags=("incoming",), summary="Report progress on one's part")
def progress(call: Call) -> dict[str, Any]:
    return handling.add_note(call.user, call.params["doc_id"], "progress", call.body.text,
                             progress=call.body.progress, table=table())


@route(handling_bp, "/api/incoming/{doc_id}/send-back", methods=("POST",), body=S + "SendBackIn",
       policy=SIGNED_IN, tags=("incoming",),
       summary="Return one's part to the head of unit, or pass it to a colleague (to)")
def send_back(call: Call) -> dict[str, Any]:
    return handling.send_back(call.user, call.params["doc_id"], call.body.reason,
                              to=call.body.to, table=table())


@route(handling_bp, "/api/incoming/{doc_id}/complete", methods=("POST",), body=S + "CompleteIn",
       policy=SIGNED_IN, tags=("incoming",), summary="Complete one's part with a result")
def complete(call: Call) -> dict[str, Any]:
    return handling.complete(call.user, call.params["doc_id"], call.body.result,
                             answer=call.body.answer, table=table())


@route(handling_bp, "/api/incoming/{doc_id}/completion/approve", methods=("POST",),
       body=S + "ApproveCompletionIn", policy=Policy.only(Role.UNIT_HEAD), tags=("incoming",),
       summary="The head of unit approves an officer's completion awaiting review")
def approve_completion(call: Call) -> dict[str, Any]:
    return review.approve(call.user, call.params["doc_id"], call.body.note, table=table())


@route(handling_bp, "/api/incoming/{doc_id}/completion/return", methods=("POST",),
       body=S + "ReturnCompletionIn", policy=Policy.only(Role.UNIT_HEAD), tags=("incoming",),
       summary="The head of unit returns an officer's completion with a reason")
def return_completion(call: Call) -> dict[str, Any]:
    return review.send_back_to_officer(call.user, call.params["doc_id"], call.body.reason,
                                       table=table())


@route(handling_bp, "/api/incoming/{doc_id}/slip", policy=SIGNED_IN, tags=("incoming",),
       produces="text/html", summary="The handling slip (phiếu giải quyết văn bản đến), printable")
def slip(call: Call) -> Response:
    from chalicelib.api.html import render_page

    data = handling.handling_view(call.user, call.params["doc_id"], table=table())
    return render_page("slip.html", title="Phiếu giải quyết văn bản đến",
                       names=_holder_names(data["parts"]), **data)


def _holder_names(parts: list[dict[str, Any]]) -> dict[str, str]:
    """What the printed slip calls each holder: a person by full name, a unit
    by its name (the slip is read on paper, where "U#chuyenvien" or "PDKKD"
    mean nothing)."""
    from chalicelib.bootstrap import directory as directory_of
    from chalicelib.organisation.service import list_units
    from chalicelib.work import items

    directory = directory_of()
    units = {u["code"]: u["name"] for u in list_units(store=directory)}
    names: dict[str, str] = {}
    for part in parts:
        assignee = part["assignee"]
        who = items.name_of(assignee)
        if items.is_unit(assignee):
            names[assignee] = units.get(who, who)
        elif items.is_person(assignee):
            profile = directory.user(who) or {}
            names[assignee] = str(profile.get("full_name") or who)
    return names

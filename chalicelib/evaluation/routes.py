"""Staff evaluation: a person's score for a period and the work items behind it,
reviewers' marks, the unit's round (self-assessment, proposal, decision,
publication) and its exports."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.downloads import file_response
from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import evaluations as use_cases
from chalicelib.kernel.identity import Role

evaluation_bp = Blueprint(__name__)
S = "chalicelib.evaluation.schemas:"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUND = "/api/evaluation/rounds/{unit}/{period}"


def _file(name: str, data: bytes, content_type: str) -> Response:
    return file_response(data, content_type, name, no_store=True)


@route(evaluation_bp, "/api/evaluation/marks", methods=("POST",), body=S + "MarkIn",
       policy=Policy.only(Role.UNIT_HEAD, Role.LEADER), tags=("evaluation",),
       summary="Mark a completed work item (đạt / tốt / xuất sắc / chưa đạt) with a reason")
def mark(call: Call) -> dict[str, Any]:
    from chalicelib.evaluation.measures_rules import Mark

    b = call.body
    return use_cases().mark(call.user, b.item_id, Mark(b.mark), b.reason)


@route(evaluation_bp, "/api/evaluation/{username}", query=S + "PeriodQuery",
       policy=Policy.signed_in(), tags=("evaluation",),
       summary="A person's score and band for a month, quarter or year, part by part")
def person(call: Call) -> dict[str, Any]:
    return use_cases().evaluate(call.user, call.params["username"], call.query.period)


@route(evaluation_bp, "/api/evaluation/{username}/items", query=S + "ItemsQuery",
       policy=Policy.signed_in(), tags=("evaluation",),
       summary="The work items counted in one field of a person's period")
def person_items(call: Call) -> dict[str, Any]:
    q = call.query
    return use_cases().items(call.user, call.params["username"], q.period, q.field)


@route(evaluation_bp, "/api/evaluation/{username}/form", query=S + "PeriodQuery",
       policy=Policy.signed_in(), tags=("evaluation",), produces="application/pdf",
       summary="The person's evaluation form as PDF (unsigned)")
def person_form(call: Call) -> Response:
    name, data = use_cases().form_pdf(call.user, call.params["username"],
                                             call.query.period)
    return _file(name, data, "application/pdf")


@route(evaluation_bp, ROUND, policy=Policy.signed_in(), tags=("evaluation",),
       summary="The unit's round: each person's result, proposal and decision; the quota")
def round_view(call: Call) -> dict[str, Any]:
    p = call.params
    return use_cases().round_view(call.user, p["unit"], p["period"])


@route(evaluation_bp, ROUND + "/self", methods=("PUT",), body=S + "SelfIn",
       policy=Policy.signed_in(), tags=("evaluation",),
       summary="My self-assessment in my unit's round")
def self_assess(call: Call) -> dict[str, Any]:
    from chalicelib.evaluation.band_rules import Band

    p, b = call.params, call.body
    return use_cases().self_assess(call.user, p["unit"], p["period"], text=b.text,
                                          band=Band(b.band))


@route(evaluation_bp, ROUND + "/people/{username}", methods=("PUT",), body=S + "ProposalIn",
       policy=Policy.only(Role.UNIT_HEAD), tags=("evaluation",),
       summary="The head's proposal for a person: general points, band, note")
def propose(call: Call) -> dict[str, Any]:
    from chalicelib.evaluation.band_rules import Band

    p, b = call.params, call.body
    return use_cases().propose(
        call.user, p["unit"], p["period"], p["username"], general_points=b.general_points,
        general_well=b.general_well, violations=b.violations,
        band=Band(b.band) if b.band else None, note=b.note)


@route(evaluation_bp, ROUND + "/decision", methods=("POST",), body=S + "DecisionIn",
       policy=Policy.only(Role.LEADER), tags=("evaluation",),
       summary="The leader's decision: the unit's band, each person's, overrides with reasons")
def decide(call: Call) -> dict[str, Any]:
    from chalicelib.evaluation.band_rules import Band

    p, b = call.params, call.body
    return use_cases().decide(
        call.user, p["unit"], p["period"], unit_band=Band(b.unit_band),
        decisions=[d.model_dump() for d in b.decisions], version=b.version)


@route(evaluation_bp, ROUND + "/publish", methods=("POST",), body=S + "PublishIn",
       policy=Policy.only(Role.LEADER), tags=("evaluation",),
       summary="Publish the decided bands to the unit (công khai) and sign every person's "
               "form (needs a sign-in under five minutes old)")
def publish(call: Call) -> dict[str, Any]:
    p = call.params
    return use_cases().publish(call.user, p["unit"], p["period"], call.body.version)


@route(evaluation_bp, ROUND + "/forms/sign", methods=("POST",),
       policy=Policy.only(Role.LEADER), tags=("evaluation",),
       summary="Sign the published round's forms again after a failed signing "
               "(needs a sign-in under five minutes old)")
def sign_forms_again(call: Call) -> dict[str, Any]:
    p = call.params
    return use_cases().sign_forms_again(call.user, p["unit"], p["period"])


@route(evaluation_bp, ROUND + "/export", policy=Policy.only(Role.UNIT_HEAD, Role.LEADER),
       tags=("evaluation",), produces=XLSX, summary="The unit's round as XLSX")
def export(call: Call) -> Response:
    p = call.params
    name, data = use_cases().round_sheet(call.user, p["unit"], p["period"])
    return _file(name, data, XLSX)

"""The exchange's routes: the agency directory, the agencies an outgoing
document goes to with their latest status, resending, the packets received."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import exchange as use_cases
from chalicelib.bootstrap import table
from chalicelib.kernel.errors import FieldProblem, InvalidInput
from chalicelib.kernel.identity import Role

exchange_bp = Blueprint(__name__)
S = "chalicelib.exchange.schemas:"
SIGNED_IN = Policy.signed_in()
TAGS = ("exchange",)


def _certificate(pem: str | None) -> bytes | None:
    if not pem:
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        return x509.load_pem_x509_certificate(pem.encode("utf-8")).public_bytes(Encoding.DER)
    except ValueError as exc:
        raise InvalidInput("Chứng thư số không hợp lệ.", "Invalid certificate.",
                           "validation_error",
                           [FieldProblem("certificate_pem", "Không đọc được chứng thư PEM.",
                                         "Not a PEM certificate.")]) from exc


@route(exchange_bp, "/api/exchange/agencies", query=S + "AgencyQuery", policy=SIGNED_IN,
       tags=TAGS, summary="The agency directory (OrganId, name, how it receives)")
def agencies(call: Call) -> dict[str, Any]:
    return {"agencies": use_cases().agencies(call.query.channel)}


@route(exchange_bp, "/api/exchange/agencies/{organ_id}", methods=("PUT",), body=S + "AgencyIn",
       policy=Policy.only(Role.ADMIN, Role.CLERK), tags=TAGS,
       summary="Add or change an agency, optionally pinning its signing certificate")
def save_agency(call: Call) -> dict[str, Any]:
    b = call.body
    return use_cases().save_agency(call.user, {"organ_id": call.params["organ_id"],
                                               "name": b.name, "channel": b.channel,
                                               "email": b.email},
                                   certificate=_certificate(b.certificate_pem))


@route(exchange_bp, "/api/exchange/agencies/import", methods=("POST",), body=S + "CsvIn",
       policy=Policy.only(Role.ADMIN, Role.CLERK), tags=TAGS,
       summary="Import agencies from CSV (organ_id, name, channel, email); all rows or none")
def import_agencies(call: Call) -> dict[str, Any]:
    return use_cases().import_csv(call.user, call.body.csv)


@route(exchange_bp, "/api/exchange/outgoing/{doc_id}", policy=SIGNED_IN, tags=TAGS,
       summary="The agencies an outgoing document goes to, with their latest status")
def outgoing_view(call: Call) -> dict[str, Any]:
    return use_cases().view(call.user, call.params["doc_id"])


@route(exchange_bp, "/api/exchange/outgoing/{doc_id}/recipients", methods=("POST",),
       body=S + "ChooseIn", policy=SIGNED_IN, tags=TAGS,
       summary="Send an outgoing document to agencies on the platform (now, or at issuance)")
def choose(call: Call) -> dict[str, Any]:
    return use_cases().choose(call.user, call.params["doc_id"], call.body.organ_ids)


@route(exchange_bp, "/api/exchange/outgoing/{doc_id}/recipients/{organ_id}/retry",
       methods=("POST",), policy=Policy.only(Role.CLERK), tags=TAGS,
       summary="Resend a packet whose sending failed")
def retry(call: Call) -> dict[str, Any]:
    return use_cases().retry(call.user, call.params["doc_id"], call.params["organ_id"])


@route(exchange_bp, "/api/exchange/outgoing/{doc_id}/update", methods=("POST",),
       body=S + "UpdateIn", policy=Policy.only(Role.CLERK), tags=TAGS,
       summary="Send the issued document again as an update (business type 2) to the "
               "agencies it reached")
def update(call: Call) -> dict[str, Any]:
    return use_cases().update(call.user, call.params["doc_id"], call.body.reason)


@route(exchange_bp, "/api/exchange/packets", query=S + "PacketQuery",
       policy=Policy.only(Role.CLERK, Role.ADMIN), tags=TAGS,
       summary="Packets received from the platform with their outcome, newest first")
def packets(call: Call) -> dict[str, Any]:
    from chalicelib.exchange.receiving import packets_page

    found, cursor = packets_page(call.query.cursor, call.query.limit, table())
    return {"packets": found, "cursor": cursor}

"""Signing keys and certificates (administrators): keys in KMS, CSRs for the
department's CA, installing the issued chains, trust roots."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.downloads import file_response
from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import table
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.identity import Role
from chalicelib.kernel.lazy import lazy_module

signing_keys = lazy_module("chalicelib.signing.keys")

pki_bp = Blueprint(__name__)
S = "chalicelib.outgoing.schemas:"
ADMIN = Policy.only(Role.ADMIN)
TAGS = ("signing keys",)


@route(pki_bp, "/api/pki", policy=ADMIN, tags=TAGS,
       summary="Every signing key with its certificate, and the trust roots")
def overview(call: Call) -> dict[str, Any]:
    return signing_keys.overview(call.user, table=table())


@route(pki_bp, "/api/pki/keys/{owner}", methods=("POST",), policy=ADMIN, tags=TAGS,
       summary="Create the KMS key of a signer (or AGENCY's request) and its CSR")
def create_key(call: Call) -> dict[str, Any]:
    return signing_keys.create_key(call.user, call.params["owner"], table=table())


@route(pki_bp, "/api/pki/keys/{owner}/csr", policy=ADMIN, tags=TAGS, produces="text/plain",
       summary="The certificate signing request (PEM) to send to the CA")
def csr(call: Call) -> Response:
    item = signing_keys.key_of(call.params["owner"], table=table())
    if not item or not item.get("csr_pem"):
        raise NotFound("Chưa có yêu cầu chứng thư.", "No certificate request yet.")
    return file_response(item["csr_pem"], "application/pkcs10", f"{call.params['owner']}.csr")


@route(pki_bp, "/api/pki/keys/{owner}/chain", methods=("PUT",), body=S + "PemIn", policy=ADMIN,
       tags=TAGS, summary="Install the certificate chain the CA issued for this key")
def install(call: Call) -> dict[str, Any]:
    return signing_keys.install_chain(call.user, call.params["owner"], call.body.pem, table=table())


@route(pki_bp, "/api/pki/trust-roots", methods=("POST",), body=S + "PemIn", policy=ADMIN,
       tags=TAGS, summary="Add a CA certificate that verification trusts")
def add_root(call: Call) -> dict[str, Any]:
    return signing_keys.add_trust_root(call.user, call.body.pem, table=table())

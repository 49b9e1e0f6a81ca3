"""Public verification of issued documents, and the links e-mailed to recipients.
Few, rate-limited, and never revealing a secret document's content."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.routing import Call, Policy, route
from chalicelib.bootstrap import table
from chalicelib.kernel.lazy import lazy_module

verification = lazy_module("chalicelib.outgoing.verification")

verification_bp = Blueprint(__name__)
TAGS = ("verification",)
VERIFY = Policy.anyone("anyone may check a document", rate_limit=(20, 60))
LINKS = Policy.anyone("recipients follow e-mailed links", rate_limit=(30, 60))


def _redirect(key: str, name: str) -> Response:
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    url = client("s3").generate_presigned_url("get_object", Params={
        "Bucket": get_settings().documents_bucket, "Key": key,
        "ResponseContentDisposition": f'inline; filename="{name}"',
        "ResponseContentType": "application/pdf"}, ExpiresIn=300)
    return Response(body="", status_code=302, headers={"Location": url,
                                                       "Cache-Control": "no-store"})


@route(verification_bp, "/api/verify", methods=("POST",), policy=VERIFY, tags=TAGS,
       content_types=("application/pdf", "application/octet-stream"),
       summary="Verify a PDF (the body): every signature, its chain, and the register")
def verify(call: Call) -> dict[str, Any]:
    if len(call.raw_body) > verification.MAX_UPLOAD:
        from chalicelib.kernel.errors import TooLarge

        raise TooLarge(verification.MAX_UPLOAD)
    return verification.verify_file(call.raw_body, table())


@route(verification_bp, "/api/verify/{code}", policy=VERIFY, tags=TAGS,
       summary="The register entry of the document carrying this printed code")
def verify_code(call: Call) -> dict[str, Any]:
    return verification.by_code(call.params["code"], table())


@route(verification_bp, "/api/verify/{code}/file", policy=VERIFY, tags=TAGS,
       summary="Download the issued file of a non-secret document by its code")
def verify_file(call: Call) -> Response:
    key = verification.issued_key_by_code(call.params["code"], table())
    return _redirect(key, f"{call.params['code'].upper()}.pdf")


@route(verification_bp, "/d/{token}", policy=LINKS, tags=TAGS,
       summary="An e-mailed download link: redirects to the issued PDF while valid")
def delivery(call: Call) -> Response:
    return _redirect(verification.delivery_target(call.params["token"], table()), "van-ban.pdf")

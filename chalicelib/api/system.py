"""Health, the OpenAPI document and its reader, and the local-stage mail outbox."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.config import get_settings
from chalicelib.kernel.errors import NotFound

system_bp = Blueprint(__name__)


@route(system_bp, "/api/health", policy=Policy.anyone("liveness probe for monitors"),
       summary="Health: the app answers and its table is reachable", tags=("system",))
def health(call: Call) -> Response:
    from chalicelib.adapters.aws import client

    settings = get_settings()
    checks: dict[str, str] = {}
    try:
        client("dynamodb").describe_table(TableName=settings.table_name)
        checks["table"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the health probe
        checks["table"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    import json

    return Response(
        body=json.dumps({"status": "ok" if healthy else "degraded", "stage": settings.stage,
                         "checks": checks}),
        status_code=200 if healthy else 503,
        headers={"Content-Type": "application/json", "Cache-Control": "no-store"},
    )


@route(system_bp, "/api/openapi.json", policy=Policy.anyone("API description"),
       summary="OpenAPI 3.1 description of this API", tags=("system",))
def openapi(call: Call) -> dict[str, Any]:
    from chalicelib.api.openapi import build_openapi

    return build_openapi(get_settings().public_base_url)


@route(system_bp, "/api/docs", policy=Policy.anyone("API reference page"),
       produces="text/html", summary="API reference page", tags=("system",))
def docs(call: Call) -> Response:
    from chalicelib.api.html import render_page

    return render_page("api_docs.html", title="Tài liệu API")


@route(system_bp, "/api/dev/outbox", policy=Policy.signed_in(),
       summary="Local stage only: the e-mails SES accepted", tags=("system",))
def outbox(call: Call) -> dict[str, Any]:
    settings = get_settings()
    if not settings.is_local:
        raise NotFound()
    from chalicelib.adapters.dev_outbox import sent_messages

    return {"messages": sent_messages()}

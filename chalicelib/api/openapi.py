"""OpenAPI 3.1 built from the route table and the pydantic models of each route."""

from __future__ import annotations

from typing import Any

from chalicelib.api.routing import ROUTES, ModelRef, RouteSpec, resolve_model

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "message_en", "fields", "request_id"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "Vietnamese"},
                "message_en": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"path": {"type": "string"}, "message": {"type": "string"},
                                       "message_en": {"type": "string"}},
                    },
                },
                "request_id": {"type": "string"},
            },
        }
    },
}

ERRORS = {
    "400": "Dữ liệu không hợp lệ / invalid input",
    "401": "Chưa đăng nhập / not signed in",
    "403": "Không có quyền / forbidden",
    "404": "Không tìm thấy / not found",
    "409": "Xung đột phiên bản / version conflict",
    "413": "Quá lớn / too large",
    "429": "Quá nhiều yêu cầu / rate limited",
    "500": "Lỗi hệ thống / internal error",
}


def _schema(ref: ModelRef, components: dict[str, Any]) -> dict[str, Any]:
    model = resolve_model(ref)
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(spec: RouteSpec, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": spec.summary,
        "operationId": f"{spec.method.lower()}_{spec.path.strip('/').replace('/', '_')}"
        .replace("{", "").replace("}", "").replace("-", "_"),
        "tags": list(spec.tags),
        "x-policy": spec.policy.description or ("public" if spec.policy.public else "signed in"),
    }
    if not spec.policy.public:
        op["security"] = [{"bearer": []}]
    params = []
    for name in [p[1:-1] for p in spec.path.split("/") if p.startswith("{")]:
        params.append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
    if spec.query is not None:
        # Enums of a query (Urgency, IntakeStatus) are $defs: without the components
        # template their $ref pointed into a schema that no longer exists (#21).
        qschema = resolve_model(spec.query).model_json_schema(
            ref_template="#/components/schemas/{model}")
        for name, sub in qschema.pop("$defs", {}).items():
            components[name] = sub
        required = set(qschema.get("required", []))
        for name, prop in qschema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required,
                           "schema": prop})
    if params:
        op["parameters"] = params
    if spec.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(spec.body, components)}},
        }
    ok: dict[str, Any] = {"description": "OK"}
    if spec.response is not None:
        ok["content"] = {spec.content_type: {"schema": _schema(spec.response, components)}}
    elif spec.content_type != "application/json":
        ok["content"] = {spec.content_type: {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {"200": ok}
    wanted = ["400", "500"]
    if not spec.policy.public:
        wanted += ["401", "403", "404", "409"]
    if spec.policy.rate_limit:
        wanted.append("429")
    if spec.body is not None:
        wanted.append("413")
    for status in sorted(set(wanted)):
        responses[status] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    op["responses"] = responses
    return op


def build_openapi(server_url: str) -> dict[str, Any]:
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for spec in sorted(ROUTES, key=lambda r: (r.path, r.method)):
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "eoffice API",
            "version": "1.0.0",
            "description": "Cơ quan điện tử — API. Lỗi luôn có dạng Error, kèm thông điệp tiếng "
            "Việt và tiếng Anh.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito ID)"}
            },
        },
    }

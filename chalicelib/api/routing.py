"""Every route goes through ``route()``: it declares who may call it, parses and
validates the input with pydantic, turns errors into the one JSON error shape,
and records the route for the OpenAPI document and the policy test.

Routes receive a ``Call`` (the caller, the parsed body and query) and return a
pydantic model, a dict/list, or a Chalice ``Response`` for pages and files.

Models are named as ``"module:Class"`` strings and imported on the first
request that needs them: pydantic and the model classes then cost nothing on
the cold start of the functions that never parse a request (SQS steps, jobs).
"""

from __future__ import annotations

import functools
import importlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.kernel import jsontext
from chalicelib.kernel.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthenticated,
)
from chalicelib.kernel.identity import Caller, Role, parse_roles
from chalicelib.kernel.logging import logger

if TYPE_CHECKING:
    from pydantic import BaseModel

ModelRef = str  # "package.module:ClassName"

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}
MAX_JSON_BODY = 1024 * 1024


@dataclass(frozen=True)
class Policy:
    """Who may call a route. ``roles`` None means any signed-in user."""

    public: bool = False
    roles: frozenset[Role] | None = None
    rate_limit: tuple[int, int] | None = None  # (requests, seconds) per source IP
    description: str = ""
    # The route acts on the session cookie, which the browser attaches by itself:
    # only the site's own scripts may call it (see check_same_origin).
    same_origin: bool = False

    @classmethod
    def anyone(cls, description: str, rate_limit: tuple[int, int] | None = None,
               same_origin: bool = False) -> Policy:
        return cls(public=True, rate_limit=rate_limit, description=description,
                   same_origin=same_origin)

    @classmethod
    def signed_in(cls, same_origin: bool = False) -> Policy:
        return cls(description="any signed-in user", same_origin=same_origin)

    @classmethod
    def only(cls, *roles: Role) -> Policy:
        return cls(roles=frozenset(roles), description="roles: " + ", ".join(sorted(roles)))


@dataclass(frozen=True)
class RouteSpec:
    path: str
    method: str
    policy: Policy
    summary: str
    body: ModelRef | None
    query: ModelRef | None
    response: ModelRef | None
    content_type: str
    tags: tuple[str, ...]


ROUTES: list[RouteSpec] = []


@dataclass
class Call:
    caller: Caller | None
    body: Any = None
    query: Any = None
    params: dict[str, str] = field(default_factory=dict)
    raw_body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    source_ip: str = ""
    request_id: str = ""

    @property
    def user(self) -> Caller:
        if self.caller is None:  # only public routes see None, and they do not ask
            raise Unauthenticated()
        return self.caller


STATUS = {
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    RateLimited: 429,
}


def status_for(error: DomainError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def error_response(
    status: int, code: str, message: str, message_en: str, request_id: str,
    fields: list[FieldProblem] | None = None, headers: dict[str, str] | None = None,
) -> Response:
    body = {
        "error": {
            "code": code,
            "message": message,
            "message_en": message_en,
            "fields": [
                {"path": f.path, "message": f.message, "message_en": f.message_en}
                for f in (fields or [])
            ],
            "request_id": request_id,
        }
    }
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def route(
    bp: Blueprint,
    path: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    policy: Policy,
    summary: str,
    body: ModelRef | None = None,
    query: ModelRef | None = None,
    response: ModelRef | None = None,
    content_types: tuple[str, ...] = ("application/json",),
    produces: str = "application/json",
    tags: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def view(**params: str) -> Any:
            from pydantic import ValidationError

            from chalicelib.api.field_errors import field_problems

            request = bp.current_request
            request_id = _request_id(request)
            logger.append_keys(request_id=request_id, route=f"{request.method} {path}")
            try:
                if policy.rate_limit:
                    # Before parsing: a flood of malformed requests counts too.
                    from chalicelib.api.ratelimit import check_rate

                    check_rate(f"{request.method} {path}", _source_ip(request),
                               *policy.rate_limit)
                call = _build_call(request, params, policy, body, query, request_id)
                result = fn(call)
                return _to_response(result)
            except ValidationError as exc:
                models = tuple(resolve_model(ref) for ref in (body, query) if ref)
                return error_response(
                    400, "validation_error", "Dữ liệu không hợp lệ.", "Invalid input.",
                    request_id, fields=field_problems(exc, models),
                )
            except DomainError as exc:
                extra = (
                    {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
                )
                return error_response(
                    status_for(exc), exc.code, exc.message, exc.message_en, request_id,
                    fields=exc.fields, headers=extra,
                )
            except Exception:  # noqa: BLE001 - the one place that must never leak a trace
                logger.exception("unhandled error")
                return error_response(
                    500, "internal_error",
                    "Đã có lỗi hệ thống. Vui lòng thử lại; nếu vẫn lỗi, "
                    "báo mã yêu cầu cho quản trị.",
                    "Something went wrong. Retry; if it persists, report the request id.",
                    request_id,
                )
            finally:
                logger.remove_keys(["request_id", "route"])

        kwargs: dict[str, Any] = {"methods": list(methods), "content_types": list(content_types)}
        if not policy.public:
            from chalicelib.api.authorizer import jwt_authorizer

            kwargs["authorizer"] = jwt_authorizer
        bp.route(path, **kwargs)(view)
        for method in methods:
            ROUTES.append(
                RouteSpec(path, method, policy, summary, body, query, response, produces, tags)
            )
        return fn

    return decorator


def _request_id(request: Any) -> str:
    context = request.context or {}
    return str(context.get("requestId") or uuid.uuid4())


def _build_call(
    request: Any, params: dict[str, str], policy: Policy,
    body_ref: ModelRef | None, query_ref: ModelRef | None, request_id: str,
) -> Call:
    from chalicelib.kernel.text import clean, clean_json

    context = request.context or {}
    # The user agent lands in the audit trail: cleaned like any other outside text.
    headers = {k.lower(): clean(v) for k, v in (request.headers or {}).items()}
    source_ip = _source_ip(request)
    caller = None if policy.public else _caller(context, headers, source_ip, request_id)
    if caller is not None and policy.roles is not None and not caller.has_any(policy.roles):
        raise Forbidden()
    if policy.same_origin:
        check_same_origin(headers)
    raw = request.raw_body or b""
    if len(raw) > MAX_JSON_BODY and body_ref is not None:
        raise TooLarge(MAX_JSON_BODY)
    parsed_body = None
    if body_ref is not None:
        try:
            data = jsontext.loads(raw or b"{}")
        except jsontext.TooDeep as exc:
            raise InvalidInput(
                "Nội dung gửi lên lồng nhau quá sâu.", "The request body is nested too deeply.",
                "invalid_json", [FieldProblem("body", "Cấu trúc lồng nhau quá sâu.",
                                              "Nested too deeply.")],
            ) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInput(
                "Nội dung gửi lên không phải JSON hợp lệ.", "The request body is not valid JSON.",
                "invalid_json",
            ) from exc
        # Invisible and control characters never reach a model, nor the store (#21).
        parsed_body = resolve_model(body_ref).model_validate(clean_json(data))
    parsed_query = None
    if query_ref is not None:
        parsed_query = resolve_model(query_ref).model_validate(
            {k: clean(v) for k, v in (request.query_params or {}).items()})
    return Call(
        caller=caller, body=parsed_body, query=parsed_query, params=params, raw_body=raw,
        headers=headers, source_ip=source_ip, request_id=request_id,
    )


# The header the site's scripts send with every API call. A page of another site
# cannot add it to a request to this one without a CORS preflight, which this
# API never grants; a plain form or link cannot add it at all.
SAME_ORIGIN_HEADER = "X-Requested-With"
SAME_ORIGIN_VALUE = "eoffice"


def check_same_origin(headers: dict[str, str]) -> None:
    """Refuses (403) a call to a cookie route that may come from another site:
    the custom header is required, and what the browser says of the caller
    (Sec-Fetch-Site, Origin), when it says it, must be this site."""
    if headers.get(SAME_ORIGIN_HEADER.lower(), "").strip().lower() != SAME_ORIGIN_VALUE:
        raise _cross_site()
    site = headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() != "same-origin":
        raise _cross_site()
    origin = headers.get("origin")
    if origin is not None and not _own_origin(origin.strip().lower(),
                                              headers.get("host", "").strip().lower()):
        raise _cross_site()


def _own_origin(origin: str, host: str) -> bool:
    from urllib.parse import urlsplit

    from chalicelib.kernel.config import get_settings

    public = urlsplit(get_settings().public_base_url.lower())
    if origin == f"{public.scheme}://{public.netloc}":
        return True
    # Reached under another name than the public one (the API's own domain, or
    # localhost for 127.0.0.1): the Host header is the browser's, not the page's.
    seen = urlsplit(origin)
    return bool(host) and seen.scheme in ("http", "https") and seen.netloc == host


def _cross_site() -> Forbidden:
    return Forbidden("Yêu cầu bị từ chối vì không xuất phát từ trang của hệ thống.",
                     "Refused: the request does not come from this site's own pages.",
                     "cross_site_request")


def _source_ip(request: Any) -> str:
    # API Gateway's view of the client, not X-Forwarded-For, which the client writes.
    return str(((request.context or {}).get("identity") or {}).get("sourceIp") or "")


def _caller(context: dict[str, Any], headers: dict[str, str], source_ip: str,
            request_id: str) -> Caller:
    auth = context.get("authorizer") or {}
    username = auth.get("username")
    if not username:
        raise Unauthenticated()
    from datetime import UTC, datetime

    from chalicelib.kernel.events import clock_offset

    auth_time = auth.get("auth_time")
    return Caller(
        username=username,
        roles=parse_roles(auth.get("roles")),
        unit=auth.get("unit") or None,
        full_name=auth.get("full_name") or "",
        source_ip=source_ip,
        user_agent=headers.get("user-agent", ""),
        # The identity provider stamps the machine's time; the rules compare it
        # with the application's clock (pinned in some local runs).
        auth_time=(datetime.fromtimestamp(int(auth_time), UTC) + clock_offset()
                   if auth_time else None),
        request_id=request_id,
    )


@functools.cache
def resolve_model(ref: ModelRef) -> type[BaseModel]:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def _to_response(result: Any) -> Any:
    if isinstance(result, Response):
        return result
    if hasattr(result, "model_dump_json"):
        text = result.model_dump_json(by_alias=True)
    else:
        text = json.dumps(result, ensure_ascii=False, default=str)
    return Response(body=text, status_code=200, headers=JSON_HEADERS)

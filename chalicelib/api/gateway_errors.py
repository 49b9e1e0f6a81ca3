"""The answers that no view of ours writes, in our one error shape.

Three layers answer before (or instead of) a view: API Gateway (an unknown
path, a missing token: gateway responses in ``infra/template.yaml``; ``chalice
local`` imitates them, see ``chalicelib/local/gateway.py``), and chalice's own
router inside the Lambda (a method the path does not have, a content type the
route does not take). The last is caught here by an HTTP middleware, so it is
the same on every runtime. A person reading any of them sees Vietnamese: a
browser asking for a page gets the "not found" page, everything else JSON with
``message`` and ``message_en``."""

from __future__ import annotations

import json
import uuid
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.routing import error_response

errors_bp = Blueprint(__name__)

NOT_FOUND = ("Không tìm thấy địa chỉ này. Hãy kiểm tra lại đường dẫn.",
             "No such address. Check the link.")
UNAUTHENTICATED = ("Bạn cần đăng nhập để tiếp tục.", "You need to sign in.")
FORBIDDEN = ("Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")


def method_not_allowed(method: str) -> tuple[str, str]:
    return (f"Địa chỉ này không nhận yêu cầu {method}.",
            f"This address does not take {method} requests.")


def unsupported_media_type(content_type: str) -> tuple[str, str]:
    return (f"Kiểu dữ liệu gửi lên ({content_type or 'không rõ'}) không được chấp nhận.",
            f"Unsupported content type: {content_type or 'none'}.")


def wants_page(path: str, accept: str) -> bool:
    """A browser navigating (Accept names text/html) to a path outside the API."""
    return not path.startswith("/api/") and "text/html" in (accept or "").lower()


def not_found(path: str, accept: str, request_id: str = "") -> Response:
    if wants_page(path, accept):
        from chalicelib.api.html import render_page

        return render_page("not_found.html", status=404, title="Không tìm thấy")
    return error_response(404, "not_found", *NOT_FOUND, request_id or str(uuid.uuid4()))


# chalice's own error codes (``{"Code": ..., "Message": ...}``) → ours.
_CHALICE_CODES = {
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "BadRequest": "bad_request",
    "InternalServerError": "internal_error",
}


@errors_bp.middleware("http")
def own_error_shape(event: Any, get_response: Any) -> Response:
    """chalice's router answers 405/415 (and a binary response nobody accepted,
    400) in its own shape, before any view runs: rewritten into ours."""
    response = get_response(event)
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    code = _CHALICE_CODES.get(str(body["Code"]), "invalid")
    headers = dict(response.headers or {})
    context = getattr(event, "context", None) or {}
    request_id = str(context.get("requestId") or uuid.uuid4())
    if code == "method_not_allowed":
        texts = method_not_allowed(str(getattr(event, "method", "") or ""))
    elif code == "unsupported_media_type":
        texts = unsupported_media_type(
            str((getattr(event, "headers", None) or {}).get("content-type", "")))
    elif code == "internal_error":
        texts = ("Đã có lỗi hệ thống. Vui lòng thử lại.", "Something went wrong. Retry.")
    else:
        texts = ("Yêu cầu không hợp lệ.", str(body.get("Message") or "Bad request."))
    keep = {k: v for k, v in headers.items() if k.lower() in ("allow",)}
    return error_response(response.status_code, code, *texts, request_id, headers=keep)


def gateway_error(status: int, body: bytes, method: str, path: str, accept: str
                  ) -> tuple[int, dict[str, str], bytes]:
    """What the local gateway's own refusals become (``chalicelib/local/gateway.py``):
    status, headers, body — as the stack's gateway responses answer on AWS."""
    text = body.decode("utf-8", "replace") if body else ""
    request_id = str(uuid.uuid4())
    if status == 403 and ("Missing Authentication Token" in text
                          or "Authorization header requires" in text):
        # No route matched: API Gateway says "Missing Authentication Token".
        response = not_found(path.split("?", 1)[0], accept, request_id)
    elif status == 401:
        response = error_response(401, "unauthorized", *UNAUTHENTICATED, request_id)
    elif status == 403:
        response = error_response(403, "forbidden", *FORBIDDEN, request_id)
    elif status == 405:
        response = error_response(405, "method_not_allowed", *method_not_allowed(method),
                                  request_id)
    else:
        response = error_response(status, "gateway_error", "Đã có lỗi hệ thống. Vui lòng "
                                  "thử lại.", "Gateway error.", request_id)
    payload = response.body
    raw = payload.encode("utf-8") if isinstance(payload, str) else (
        payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    return response.status_code, dict(response.headers or {}), raw

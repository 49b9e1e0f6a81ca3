"""What no view of ours answers, in our error shape on the local runtime: an
unknown path (a Vietnamese page for a browser, JSON under /api/), no token,
TRACE, a method or a content type a route does not take. Through the same
server the local runtime runs (chalicelib/local/gateway.py), on a free port."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def served(aws_env: dict[str, str]) -> Iterator[str]:
    from chalice.config import Config
    from chalice.local import HTTPServerThread

    import app as app_module
    from chalicelib.local.gateway import local_server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = Config.create(chalice_stage="local", app_name="eoffice",
                           chalice_app=app_module.app, lambda_timeout=30)
    thread = HTTPServerThread(lambda: local_server(app_module.app, config, "127.0.0.1", port))
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            import time

            time.sleep(0.05)
    try:
        yield url
    finally:
        thread.shutdown()


def _call(url: str, method: str = "GET", headers: dict[str, str] | None = None,
          body: bytes | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as resp:  # the test's own server
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def _error(text: str) -> dict[str, Any]:
    error = json.loads(text)["error"]
    assert {"code", "message", "message_en", "fields", "request_id"} <= set(error)
    return dict(error)


def test_a_mistyped_public_address_is_a_vietnamese_page_for_a_browser(served: str) -> None:
    status, headers, text = _call(served + "/tracuu", headers={
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert "Trang bạn tìm không tồn tại." in text
    assert "Missing Authentication Token" not in text


def test_an_unknown_api_path_is_json_in_our_shape(served: str) -> None:
    for path in ("/api/khong-co", "/tracuu"):  # a program (no text/html) gets JSON too
        status, _, text = _call(served + path, headers={"Accept": "application/json"})
        assert status == 404, path
        error = _error(text)
        assert error["code"] == "not_found"
        assert error["message"].startswith("Không tìm thấy")


def test_no_token_is_401_in_our_shape(served: str) -> None:
    status, _, text = _call(served + "/api/work/mine")
    assert status == 401
    error = _error(text)
    assert (error["code"], error["message"]) == ("unauthorized", "Bạn cần đăng nhập để tiếp tục.")


def test_trace_and_a_method_a_route_lacks_are_405_in_our_shape(served: str) -> None:
    status, _, text = _call(served + "/", method="TRACE")
    assert status == 405 and _error(text)["code"] == "method_not_allowed"
    status, headers, text = _call(served + "/api/health", method="DELETE")
    assert status == 405
    error = _error(text)
    assert error["code"] == "method_not_allowed" and "DELETE" in error["message"]
    assert "GET" in headers.get("Allow", "")


def test_a_content_type_a_route_does_not_take_is_415_in_our_shape(served: str) -> None:
    status, _, text = _call(served + "/api/auth/login", method="POST",
                            headers={"Content-Type": "text/plain"}, body=b"x")
    assert status == 415
    error = _error(text)
    assert error["code"] == "unsupported_media_type" and "text/plain" in error["message"]
    assert "UnsupportedMediaType" not in text

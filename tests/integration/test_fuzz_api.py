"""Schemathesis over /api/openapi.json, in process (#21): every operation gets
generated requests with the token of each role in turn, and no answer may be a
server error or leave the schema the spec declares for it.

The app runs in process through Chalice's test client (no server, no port):
a requests adapter hands schemathesis' requests to it, so the checks see real
``requests`` responses. The budget is bounded (EXAMPLES per operation, no
shrinking, a fixed seed): the whole test stays under about two minutes on two
cores. A failure names the operation, the role and the request, with a curl
line to reproduce it.
"""

from __future__ import annotations

import io
import json
import os
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3 import HTTPHeaderDict, HTTPResponse

BASE = "http://testserver"
# CI's bound; a deeper local run: EOFFICE_FUZZ_EXAMPLES=50.
EXAMPLES = int(os.environ.get("EOFFICE_FUZZ_EXAMPLES", "6"))
ROLES = ("admin", "leader", "unit_head", "clerk", "officer", "one_stop")
# Routes whose generated calls would end the test's own sessions (every later
# call of that role would only be a 401) or are the spec itself.
SPARED = {("POST", "/api/auth/logout"), ("GET", "/api/openapi.json")}


class ChaliceAdapter(BaseAdapter):
    """requests → the Chalice app in process, as API Gateway would pass it."""

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url or "")
        path = url.path + (f"?{url.query}" if url.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        answer = self.client.http.request(request.method or "GET", path,
                                          headers=dict(request.headers), body=body)
        content = answer.body if isinstance(answer.body, bytes) else (
            answer.body or "").encode("utf-8")
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        # Schemathesis reads the headers from the raw response, as from a socket.
        response.raw = HTTPResponse(body=io.BytesIO(content), status=answer.status_code,
                                    headers=HTTPHeaderDict(answer.headers), version=11,
                                    preload_content=False)
        response._content = content
        response.url = request.url or ""
        response.request = request
        response.reason = "OK" if answer.status_code < 400 else "Error"
        response.elapsed = timedelta(0)
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_every_reference_of_the_spec_resolves(client):
    """The query enums (Urgency, IntakeStatus) pointed at ``#/$defs/...``, which
    no longer existed once the spec was assembled: no tool could load it."""
    spec = json.loads(client.http.get("/api/openapi.json").body)
    schemas = spec["components"]["schemas"]
    for ref in _refs(spec):
        match = re.fullmatch(r"#/components/schemas/(\w+)", ref)
        assert match and match.group(1) in schemas, ref


def test_fuzz_every_operation_with_each_role(client, as_role):
    import schemathesis

    spec = json.loads(client.http.get("/api/openapi.json").body)
    spec["servers"] = [{"url": BASE}]
    schema = schemathesis.openapi.from_dict(spec)
    session = requests.Session()
    session.mount(BASE, ChaliceAdapter(client))
    tokens = {role: as_role(role).headers for role in ROLES}
    failures: list[str] = []
    calls = 0
    for i, result in enumerate(schema.get_all_operations()):
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SPARED:
            calls += _fuzz(operation, i, session, tokens, failures)
    assert calls > 100, calls
    assert not failures, "\n\n".join(failures)


def _fuzz(operation: Any, index: int, session: requests.Session,
          tokens: dict[str, dict[str, str]], failures: list[str]) -> int:
    """EXAMPLES generated calls of one operation, each with the next role's token;
    the first failure is kept (with its request) and ends this operation's turn."""
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    calls = 0

    @seed(index)
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def fuzz(case: Any) -> None:
        nonlocal calls
        role = ROLES[(index + calls) % len(ROLES)]
        calls += 1
        headers = tokens[role]
        response = case.call(base_url=BASE, session=session, headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance],
                                   headers=headers)
        except Exception as exc:  # a FailureGroup: every check that failed, with the call
            failures.append(f"{operation.method.upper()} {operation.path} as {role}: "
                            f"{str(exc)[:1500]}")
            raise

    try:
        fuzz()
    except Exception:  # noqa: BLE001 - kept in ``failures``: every operation gets its turn
        pass
    return calls

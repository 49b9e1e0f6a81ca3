"""AWS calls per API request, by route.

Every boto3 call of the process is counted through botocore's ``before-call``
event: the handler is added to ``botocore.handlers.BUILTIN_HANDLERS``, which
every botocore session registers when it is created, so it reaches the clients
of ``chalicelib.adapters.aws.client()`` and any client a library makes on its
own. ``before-call`` fires once per API call in code, before retries, which is
what a route's budget is about.

Each route is called once to warm up (clients created, JWKS fetched, caches
filled as they would be in a warm Lambda), then once more with the counter on.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.report import table

READ_TARGET = 2  # calls of any kind for a read
WRITE_TARGET = 1  # writes for a state change; a transaction is one call
QUEUE_TARGET = 1  # queue sends for a state change
ERROR_CHARS = 160  # of an unhandled error's text shown in the table

_READ_PREFIXES = ("Get", "BatchGet", "TransactGet", "Query", "Scan", "Describe", "List", "Head")
_WRITE_PREFIXES = ("Put", "Update", "Delete", "TransactWrite", "BatchWrite", "Copy",
                   "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload")
_DATA_SERVICES = ("dynamodb", "s3")


def kind_of(service: str, operation: str) -> str:
    """reads / writes are data-plane calls on our table and buckets; everything
    else (Cognito, KMS, SES, control plane) is 'other' and named in the table."""
    if service == "sqs" and operation.startswith("SendMessage"):
        return "queue"
    if service in _DATA_SERVICES:
        if operation.startswith(_READ_PREFIXES):
            return "read"
        if operation.startswith(_WRITE_PREFIXES):
            return "write"
    return "other"


class CallCounter:
    """A botocore ``before-call`` handler that records (service, operation)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.active = False

    def __call__(self, model: Any = None, **_: Any) -> None:
        if self.active and model is not None:
            self.calls.append((model.service_model.service_name, model.name))

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, str]]]:
        self.calls = []
        self.active = True
        try:
            yield self.calls
        finally:
            self.active = False


@contextmanager
def counting_every_session() -> Iterator[CallCounter]:
    from botocore import handlers

    counter = CallCounter()
    # First, so that no handler answering the call early can hide it from us.
    spec = ("before-call", counter, handlers.REGISTER_FIRST)
    handlers.BUILTIN_HANDLERS.append(spec)
    try:
        yield counter
    finally:
        handlers.BUILTIN_HANDLERS.remove(spec)


@dataclass(frozen=True)
class Request:
    url: str
    body: Any = None  # JSON-serialisable; None sends no body
    cookie: str | None = None  # the Cookie header a browser would send


@dataclass(frozen=True)
class Probe:
    """How to call one route meaningfully as a demo user."""

    request: Request
    role: str | None = None  # demo role whose ID token is sent; None: anonymous
    warmup: Request | None = None  # defaults to the measured request
    kind: str = ""  # read / change / auth; default from the method
    note: str = ""
    last: bool = False  # runs after all others (e.g. it revokes the user's sessions)
    # Empties a per-process cache the route reads through; the route is then
    # measured a second time, because a warm figure of 0 hides the miss.
    forget_cache: Callable[[], None] | None = None


class Sessions:
    """Tokens of the demo users, straight from Cognito and outside any
    measurement: the harness must not depend on the login route it measures."""

    def __init__(self, accounts: list[dict[str, str]]) -> None:
        self.by_role = {a["role"]: a for a in accounts}
        self._tokens: dict[str, dict[str, Any]] = {}

    def account(self, role: str) -> dict[str, str]:
        return self.by_role[role]

    def tokens(self, role: str) -> dict[str, Any]:
        if role not in self._tokens:
            from chalicelib.adapters.aws import client
            from chalicelib.kernel.config import get_settings

            account = self.by_role[role]
            out = client("cognito-idp").initiate_auth(
                ClientId=get_settings().user_pool_client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": account["username"],
                                "PASSWORD": account["password"]},
            )
            result = out["AuthenticationResult"]
            self._tokens[role] = {"id_token": result["IdToken"],
                                  "refresh_token": result.get("RefreshToken")}
        return self._tokens[role]


def send(client: Any, method: str, request: Request,
         token: str | None = None) -> tuple[int, Any]:
    # X-Requested-With: what the site's scripts send (the cookie routes need it).
    headers = {"Content-Type": "application/json", "X-Requested-With": "eoffice"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if request.cookie:
        headers["Cookie"] = request.cookie
    body = json.dumps(request.body).encode() if request.body is not None else b""
    resp = client.http.request(method, request.url, headers=headers, body=body)
    try:
        data: Any = json.loads(resp.body)
    except (ValueError, TypeError):
        data = None  # pages and static files
    return resp.status_code, data


# Recipes: (method, path) -> how to call it. A route without a recipe is still
# probed when it is a GET without path parameters or required query fields;
# any other route is listed as not measured, so a new route cannot hide.
Recipe = Callable[[Sessions], Probe | None]

# Far in the future, so the probes never touch a date someone else relies on.
_DAY_MEASURED = "2031-05-02"
_DAY_WARMUP = "2031-05-03"


def _forget_calendar() -> None:
    from chalicelib.calendar.service import forget_cached_calendar

    forget_cached_calendar()


def _static_probe(_: Sessions) -> Probe | None:
    from chalicelib.web.pages import STATIC_FILES

    if not STATIC_FILES:
        return None
    return Probe(Request(f"/static/{sorted(STATIC_FILES)[0]}"))


RECIPES: dict[tuple[str, str], Recipe] = {
    ("POST", "/api/auth/login"): lambda s: Probe(
        Request("/api/auth/login", {"username": s.account("officer")["username"],
                                    "password": s.account("officer")["password"]}),
        kind="auth"),
    ("POST", "/api/auth/refresh"): lambda s: Probe(
        Request("/api/auth/refresh",
                cookie=f"eoffice_refresh={s.tokens('clerk')['refresh_token']}"),
        kind="auth"),
    ("POST", "/api/auth/logout"): lambda s: Probe(
        Request("/api/auth/logout", {}), role="one_stop", kind="auth", last=True),
    ("GET", "/api/auth/me"): lambda s: Probe(Request("/api/auth/me"), role="officer"),
    ("GET", "/api/calendar/add-working-days"): lambda s: Probe(
        Request("/api/calendar/add-working-days?start=2026-02-13T16:00:00%2B07:00&days=1.5"),
        role="officer", note="calendar cached per process for 60 s",
        forget_cache=_forget_calendar),
    ("GET", "/api/calendar/days"): lambda s: Probe(
        Request("/api/calendar/days?year=2026"), role="officer",
        note="calendar cached per process for 60 s", forget_cache=_forget_calendar),
    ("GET", "/api/calendar/overrides"): lambda s: Probe(
        Request("/api/calendar/overrides"), role="officer"),
    ("PUT", "/api/calendar/overrides"): lambda s: Probe(
        Request("/api/calendar/overrides",
                {"date": _DAY_MEASURED, "working": False, "note": "bench"}),
        warmup=Request("/api/calendar/overrides",
                       {"date": _DAY_WARMUP, "working": True, "note": "bench"}),
        role="admin"),
    # Runs after the PUT above (route-table order): each request removes a day
    # that exists, so the measured one is a real delete.
    ("DELETE", "/api/calendar/overrides/{day}"): lambda s: Probe(
        Request(f"/api/calendar/overrides/{_DAY_MEASURED}"),
        warmup=Request(f"/api/calendar/overrides/{_DAY_WARMUP}"), role="admin"),
    ("GET", "/app/{page}"): lambda s: Probe(Request("/app/home")),
    ("GET", "/static/{name}"): _static_probe,
    ("GET", "/api/dev/outbox"): lambda s: Probe(
        Request("/api/dev/outbox"), role="officer",
        note="reads moto's SES backend directly in-process"),
}


def _generic_probe(spec: Any) -> Probe | None:
    if spec.method != "GET" or "{" in spec.path:
        return None
    query = spec.query
    if isinstance(query, str):  # a "module:Class" reference, imported on first use
        from chalicelib.api.routing import resolve_model

        query = resolve_model(query)
    if query is not None and query.model_json_schema().get("required"):
        return None
    role = None
    if not spec.policy.public:
        role = sorted(spec.policy.roles)[0].value if spec.policy.roles else "officer"
    return Probe(Request(spec.path), role=role, note="generic probe (no recipe)")


@dataclass
class RouteResult:
    method: str
    path: str
    role: str | None = None
    kind: str = ""
    status: int | None = None
    calls: list[tuple[str, str]] = field(default_factory=list)
    miss_calls: list[tuple[str, str]] | None = None  # same request, cache emptied first
    note: str = ""
    error: str = ""
    rate_limited: bool = False

    def count(self, kind: str) -> int:
        return sum(1 for service, op in self.calls if kind_of(service, op) == kind)

    @property
    def worst(self) -> list[tuple[str, str]]:
        """The calls the verdict is judged on: the cache miss when there is one."""
        if self.miss_calls is not None and len(self.miss_calls) > len(self.calls):
            return self.miss_calls
        return self.calls

    @property
    def measured(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def verdict(self) -> str:
        if self.status is None:
            return "not measured"
        if not self.measured:
            return f"n/a (HTTP {self.status})"
        if any(op == "Scan" for _, op in self.worst):
            return "**no**"  # DESIGN.md: no Scan on any request path, whatever the count
        if self.kind == "auth":
            return "special"
        if self.kind == "read":
            return "yes" if len(self.worst) <= READ_TARGET else "**no**"
        kinds = Counter(kind_of(service, op) for service, op in self.worst)
        ok = (kinds["write"] == WRITE_TARGET and kinds["queue"] <= QUEUE_TARGET
              and kinds["other"] == 0 and kinds["read"] <= READ_TARGET)
        return "yes" if ok else "**no**"

    @property
    def operations(self) -> str:
        return operations(self.calls)


def operations(calls: list[tuple[str, str]]) -> str:
    counts = Counter(f"{service}:{op}" for service, op in calls)
    return ", ".join(f"{name} ×{n}" if n > 1 else name for name, n in counts.items()) or "-"


class ErrorCapture(logging.Handler):
    """Stands in for the app logger's handlers while probing: an unhandled error
    of a route becomes one line in the table instead of a JSON traceback on
    stdout."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            first = str(exc).strip().splitlines()
            self.last = type(exc).__name__ + (f": {' '.join(first[:2])}" if first else "")
        else:
            self.last = record.getMessage()


@contextmanager
def capturing_app_errors() -> Iterator[ErrorCapture]:
    from chalicelib.kernel.logging import logger

    target = logging.getLogger(logger.name)
    capture = ErrorCapture()
    saved, target.handlers = target.handlers, [capture]
    propagate, target.propagate = target.propagate, False
    try:
        yield capture
    finally:
        target.handlers, target.propagate = saved, propagate


@dataclass
class AwsCalls:
    results: list[RouteResult]
    setup_calls: int


def _run_probe(client: Any, sessions: Sessions, counter: CallCounter, errors: ErrorCapture,
               spec: Any, probe: Probe) -> RouteResult:
    token = sessions.tokens(probe.role)["id_token"] if probe.role else None
    kind = probe.kind or ("read" if spec.method in ("GET", "HEAD") else "change")
    result = RouteResult(spec.method, spec.path, probe.role, kind, note=probe.note,
                         rate_limited=bool(spec.policy.rate_limit))
    send(client, spec.method, probe.warmup or probe.request, token)
    errors.last = ""
    with counter.recording() as calls:
        status, data = send(client, spec.method, probe.request, token)
    result.status, result.calls = status, list(calls)
    if not result.measured:
        error = (data or {}).get("error", {}) if isinstance(data, dict) else {}
        cause = f" (`{errors.last[:ERROR_CHARS]}`)" if errors.last else ""
        result.error = str(error.get("code") or "?") + cause
        return result
    if probe.forget_cache is not None:
        probe.forget_cache()
        with counter.recording() as calls:
            send(client, spec.method, probe.request, token)
        result.miss_calls = list(calls)
    return result


def measure() -> AwsCalls:
    from chalice.test import Client

    with counting_every_session() as counter:
        from bench.embedded import embedded_aws

        counter.active = True  # provisioning and seeding: proves the hook sees calls
        with embedded_aws() as aws:
            counter.active = False
            setup_calls = len(counter.calls)
            if not setup_calls:
                raise RuntimeError("the before-call hook saw no AWS call during set-up")
            import app as app_module
            from chalicelib.api.routing import ROUTES

            with (Client(app_module.app, stage_name="local") as client,
                  capturing_app_errors() as errors):
                sessions = Sessions(aws.accounts)
                seen: set[tuple[str, str]] = set()
                planned: list[tuple[Any, Probe | None]] = []
                for spec in ROUTES:
                    if (spec.method, spec.path) in seen:
                        continue
                    seen.add((spec.method, spec.path))
                    recipe = RECIPES.get((spec.method, spec.path))
                    planned.append((spec, recipe(sessions) if recipe else _generic_probe(spec)))
                # Stable sort: the route-table order stays, 'last' probes go to the end.
                planned.sort(key=lambda sp: bool(sp[1] and sp[1].last))
                results = []
                for spec, probe in planned:
                    if probe is None:
                        results.append(RouteResult(
                            spec.method, spec.path,
                            note="no recipe in bench/aws_calls.py: add one to measure it"))
                        continue
                    results.append(_run_probe(client, sessions, counter, errors, spec, probe))
    return AwsCalls(results, setup_calls)


def _auth_explanation(results: list[RouteResult]) -> str:
    login = next((r for r in results if r.path == "/api/auth/login"), None)
    if login is None:
        return ""
    if login.measured:
        measured = f"In this run it made {len(login.calls)} calls ({login.operations})."
    else:
        measured = (f"In this run it could not be measured: HTTP {login.status}, "
                    f"{login.error or login.note}.")
    return (
        "**Why sign-in differs.** `POST /api/auth/login` is neither a read of our data nor a "
        "state change of a piece of work, and it is expected to make 3 calls: Cognito is the "
        "password authority (`InitiateAuth`, counted as *other*), the caller's profile item "
        "(name, unit, roles) is read from the table for the response (`GetItem`), and the "
        "per-source rate limit that guards every public route against password guessing is "
        "one conditional `UpdateItem` (a write by nature: it counts attempts). "
        f"{measured} Refresh takes the refresh token from the session cookie and, like "
        "sign-in, reads the profile (to refuse a disabled or signed-out account) and writes "
        "the audit entry of the renewal (docs/permissions.md, Sessions); sign-out is one "
        "Cognito call that revokes the user's refresh tokens."
    )


def markdown(result: AwsCalls) -> str:
    def notes(r: RouteResult) -> str:
        parts = [f"failed: {r.error}" if r.error else "", r.note,
                 "rate-limited route: 1 write per request" if r.rate_limited else ""]
        if r.miss_calls is not None:
            parts.append(f"on a cache miss: {len(r.miss_calls)} ({operations(r.miss_calls)})")
        return "; ".join(p for p in parts if p)

    rows = [
        [f"`{r.path}`", r.method, r.role or "anonymous",
         r.status if r.status is not None else "-",
         r.count("read"), r.count("write"), r.count("queue"), r.count("other"),
         r.operations, r.verdict, notes(r)]
        for r in result.results
    ]
    missed = [r for r in result.results if r.verdict == "**no**"]
    not_measured = [r for r in result.results if not r.measured]
    summary = (
        f"{sum(1 for r in result.results if r.measured)} of {len(result.results)} routes "
        f"measured; {len(missed)} miss their target"
        + (": " + ", ".join(f"`{r.method} {r.path}`" for r in missed) if missed else "")
        + "."
    )
    if not_measured:
        summary += " Not measured: " + ", ".join(
            f"`{r.method} {r.path}`" for r in not_measured) + "."
    parts = [
        "### AWS calls per API request",
        "Every route of `chalicelib.api.routing.ROUTES` that a demo user can call "
        "meaningfully, served by the Chalice app through `chalice.test.Client` over moto "
        "in-process (resources from `infra/template.yaml`, demo users seeded). Calls are "
        "counted with a botocore `before-call` handler (once per API call, retries not "
        "counted) during ONE request that follows a warm-up request, so client creation, "
        "the JWKS fetch and per-process caches are already paid, as in a warm Lambda.",
        "Kinds: *read* = DynamoDB/S3 Get, Query, Scan, Describe, List, Head; *write* = "
        "DynamoDB/S3 Put, Update, Delete, TransactWrite, BatchWrite; *queue* = SQS "
        "SendMessage(Batch); *other* = anything else (Cognito, KMS, SES...). Targets: a read "
        f"makes ≤ {READ_TARGET} calls in all; a state change makes exactly {WRITE_TARGET} "
        f"write (a transaction counts as one) and ≤ {QUEUE_TARGET} queue send, nothing "
        f"*other*, and at most {READ_TARGET} reads before its write (load, then a "
        "conditional write). Sign-in, refresh and sign-out are reported apart (*special*).",
        table(["route", "method", "as", "HTTP", "reads", "writes", "queue", "other",
               "operations", "target met", "notes"], rows),
        summary,
        _auth_explanation(result.results),
        f"_Set-up (provisioning and seeding) made {result.setup_calls} AWS calls, which "
        "shows the counting hook is live; they are not part of any figure above._",
    ]
    return "\n\n".join(p for p in parts if p)

"""Shared fixtures: AWS through moto in-process, provisioned from
infra/template.yaml exactly as the local runtime does it."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

RATE_INSTANT = 1_796_000_401.0  # 2026-11-30 01:00:01 UTC: a second into a minute and an hour

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


# Modules whose set-up takes a long while in one piece (a subprocess, not
# parallel work): run first. Under pytest-xdist (load) the first worker's first
# chunk then holds the whole module, so its module fixture is built once, while
# the other worker takes the rest, instead of idling at the end of the run.
SLOW_START = ("tests/integration/test_package.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first = [item for item in items if item.nodeid.startswith(SLOW_START)]
    if first:
        rest = [item for item in items if not item.nodeid.startswith(SLOW_START)]
        items[:] = first + rest


def require_tool(name: str, package: str) -> str:
    """A system tool the test needs: under CI its absence fails the run; on a
    developer's machine the test is skipped with what to install."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} not found: install the Debian package '{package}'"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def moto_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, str]]:
    """moto in-process with every resource of the template; yields the env."""
    from moto import mock_aws

    from chalicelib.local import moto_patches

    moto_patches.apply()  # whole-table copies and sorts made the suite slow and large
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "JWKS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-1")
    monkeypatch.setenv("EOFFICE_STAGE", "local")
    from chalicelib.adapters.aws import reset_clients

    reset_clients()
    with mock_aws():
        from chalicelib.local.provision import provision

        resources = provision(stage="local")
        for key, value in resources.items():
            monkeypatch.setenv(key, value)
        import json

        from moto.utilities.utils import load_resource

        # In-process moto answers boto3, not urllib: publish the same keys moto's
        # server serves at /{pool}/.well-known/jwks.json as a file.
        jwks = tmp_path / "jwks.json"
        jwks.write_text(json.dumps(load_resource("cognitoidp/resources/jwks-public.json")))
        monkeypatch.setenv("JWKS_URL", jwks.as_uri())
        monkeypatch.setenv("PUBLIC_BASE_URL", "http://testserver")
        # Rate limits count in wall-clock windows: a test that crosses a window's
        # end would see its count start again, at whatever hour it runs. Their
        # clock here starts a second into a window at the test's first check and
        # then runs with the elapsed time: a test's burst of checks stays in one
        # window at any hour, and a long module (the permission matrix, whose
        # logins are paced by its work) moves on to fresh windows as before.
        import time as real_time

        from chalicelib.api import ratelimit

        started: list[float] = []

        def rate_clock() -> float:
            if not started:
                started.append(real_time.monotonic())
            return RATE_INSTANT + real_time.monotonic() - started[0]

        reset_clients()
        _reset_module_caches()
        with ratelimit.counting_on(rate_clock):
            yield resources
    reset_clients()
    _reset_module_caches()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, str]]:
    with moto_environment(monkeypatch, tmp_path) as resources:
        yield resources


def _reset_module_caches() -> None:
    from chalicelib.adapters import tokens
    from chalicelib.calendar import service as calendar

    tokens._verifier = None
    calendar.forget_cached_calendar()
    from chalicelib.search.writer import forget_reader

    forget_reader()  # each test's moto holds another index


@pytest.fixture
def accounts(aws_env: dict[str, str]) -> dict[str, dict[str, str]]:
    from chalicelib.local.seed import seed

    return {a["username"]: a for a in seed({})}


@pytest.fixture
def client(aws_env: dict[str, str]) -> Iterator[Any]:
    from chalice.test import Client

    import app as app_module

    with Client(app_module.app, stage_name="local") as c:
        yield c


class Session:
    def __init__(self, client: Any, token: str, user: dict[str, Any]) -> None:
        self.client, self.token, self.user = client, token, user

    @property
    def headers(self) -> dict[str, str]:
        # What the site's own scripts send with every call (api/routing.py
        # check_same_origin): sign-out refuses calls without it.
        return {"Authorization": f"Bearer {self.token}", "X-Requested-With": "eoffice"}

    def get(self, path: str, accept: str | None = None) -> Any:
        extra = {"Accept": accept} if accept else {}
        return self.client.http.get(path, headers={**self.headers, **extra})

    def send(self, method: str, path: str, body: Any = None) -> Any:
        import json

        if isinstance(body, bytes):  # a file (PDF) sent as the raw body
            return self.send_file(method, path, body)
        return self.client.http.request(
            method, path, headers={**self.headers, "Content-Type": "application/json"},
            body=json.dumps(body).encode() if body is not None else b"",
        )

    def send_file(self, method: str, path: str, data: bytes,
                  content_type: str = "application/pdf") -> Any:
        return self.client.http.request(
            method, path, headers={**self.headers, "Content-Type": content_type}, body=data)


def own_password(issued: str) -> str:
    """The password a test user sets at the first sign-in with an issued one."""
    return issued + "-Rieng9"


def _cognito_status(username: str) -> str:
    """The account's status in the embedded user pool (FORCE_CHANGE_PASSWORD for a
    password an administrator issued), or "" when unknown."""
    import boto3

    from chalicelib.kernel.config import get_settings

    try:
        user = boto3.client("cognito-idp").admin_get_user(
            UserPoolId=get_settings().user_pool_id, Username=username)
    except Exception:  # noqa: BLE001 - unknown user: the sign-in itself says so
        return ""
    return str(user.get("UserStatus") or "")


def login(client: Any, username: str, password: str) -> Session:
    """Signs in; with a password an administrator issued, sets ``own_password``
    of it, as the login page makes a new user do (and signs in with that one
    when the issued password was already replaced)."""
    import json

    def post(**extra: str) -> Any:
        return client.http.post(
            "/api/auth/login", headers={"Content-Type": "application/json"},
            body=json.dumps({"username": username, "password": password, **extra}).encode(),
        )

    # One sign-in per call, as before first passwords existed: tests that sign in
    # many new users stay under the sign-in route's rate limit.
    status = _cognito_status(username)
    if status == "FORCE_CHANGE_PASSWORD":
        resp = post(new_password=own_password(password))
    else:
        resp = post()
        if resp.status_code == 401:  # an issued password this test already replaced
            password = own_password(password)
            resp = post()
    assert resp.status_code == 200, resp.body
    data = json.loads(resp.body)
    return Session(client, data["id_token"], data["user"])


@pytest.fixture
def as_role(client: Any, accounts: dict[str, dict[str, str]]) -> Any:
    by_role: dict[str, dict[str, str]] = {}
    for account in accounts.values():  # the first demo user of each role
        by_role.setdefault(account["role"], account)

    def _login(role: str) -> Session:
        account = by_role[role]
        return login(client, account["username"], account["password"])

    return _login


# ---- shared by the integration tests that sign and verify


@pytest.fixture
def pki(aws_env: dict[str, str], accounts: dict[str, Any]) -> None:
    """The development CA in KMS, certifying the agency and the signers."""
    from chalicelib.adapters.dynamo import Table
    from chalicelib.signing.keys import ensure_dev_pki

    ensure_dev_pki(table=Table())


@pytest.fixture
def people(client: Any, accounts: dict[str, Any]) -> dict[str, Any]:
    """A signed-in session of every demo account, by username."""
    return {name: login(client, name, a["password"]) for name, a in accounts.items()}


def pdfsig_text(data: bytes, tmp_path: Path) -> str:
    """What poppler's pdfsig says of ``data``. It exits 0 even for an invalid
    signature: the text is the verdict."""
    import subprocess
    import uuid

    tool = require_tool("pdfsig", "poppler-utils")
    path = tmp_path / f"pdfsig-{uuid.uuid4().hex[:8]}.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, str(path)], capture_output=True, text=True,
                          check=False).stdout


def pdfsig(data: bytes, tmp_path: Path) -> dict[str, str]:
    """Signature field name → pdfsig's "Signature Validation" line."""
    import re

    out = pdfsig_text(data, tmp_path)
    result = {}
    for block in re.split(r"^Signature #\d+:", out, flags=re.M)[1:]:
        name = re.search(r"Signature Field Name: (.*)", block)
        verdict = re.search(r"Signature Validation: (.*)", block)
        assert name and verdict, out
        result[name.group(1).strip()] = verdict.group(1).strip()
    return result

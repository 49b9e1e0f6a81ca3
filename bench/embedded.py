"""moto in-process with every resource of infra/template.yaml and the demo
users: the same setup as tests/conftest.py, without pytest, for the benchmarks."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

REGION = "ap-southeast-1"


@dataclass(frozen=True)
class EmbeddedAws:
    resources: dict[str, str]
    accounts: list[dict[str, str]]


def _jwks_file(stack: ExitStack) -> Path:
    """moto's public JWKS as a plain file. Recent moto ships it gzipped
    (jwks-public.json.gz), so the path the test fixtures use may not exist;
    moto's own loader reads either form."""
    import moto
    from moto.utilities.utils import load_resource

    plain = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-public.json"
    if plain.exists():
        return plain
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="eoffice-bench-")))
    path = folder / "jwks-public.json"
    path.write_text(json.dumps(load_resource("cognitoidp/resources/jwks-public.json")), "utf-8")
    return path


def _reset_module_caches() -> None:
    # Module-level caches bound to the previous environment (token verifier,
    # calendar): the same list the test fixtures reset.
    from chalicelib.adapters import tokens
    from chalicelib.calendar import service as calendar

    tokens._verifier = None
    calendar.forget_cached_calendar()


@contextmanager
def embedded_aws(*, seed_users: bool = True) -> Iterator[EmbeddedAws]:
    """Provisioned moto (seeded with the demo users unless ``seed_users`` is
    false) for the duration of the block; the process environment and the
    cached clients are restored afterwards."""
    from moto import mock_aws

    from chalicelib.adapters.aws import reset_clients

    saved = dict(os.environ)
    try:
        with ExitStack() as stack:
            for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "JWKS_URL"):
                os.environ.pop(name, None)  # an endpoint would send boto3 past the mock
            os.environ.update({
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "EOFFICE_STAGE": "local",
            })
            reset_clients()
            from chalicelib.local import moto_patches

            moto_patches.apply()  # as the runtime and the tests: cost per item touched
            stack.enter_context(mock_aws())
            from chalicelib.local.provision import provision

            resources = provision(stage="local")
            os.environ.update(resources)
            # In-process moto answers boto3, not urllib: read the same keys moto's
            # server would publish at /{pool}/.well-known/jwks.json.
            os.environ["JWKS_URL"] = _jwks_file(stack).as_uri()
            os.environ["PUBLIC_BASE_URL"] = "http://testserver"
            reset_clients()
            _reset_module_caches()
            accounts: list[dict[str, str]] = []
            if seed_users:
                from chalicelib.local.seed import seed

                accounts = seed({})
            yield EmbeddedAws(resources, accounts)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_clients()
        _reset_module_caches()

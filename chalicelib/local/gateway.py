"""``chalice local`` with API Gateway's refusals in our error shape.

chalice's local gateway answers an unknown path with ``{"message": "Missing
Authentication Token"}``, a missing token with ``{"message":"Unauthorized"}``
and a TRACE with Python's own HTML 501. On AWS the stack's gateway responses
(``infra/template.yaml``) turn these into our shape; this wrapper does the same
locally, so that a mistyped ``/tracuu`` shows the Vietnamese "not found" page on
every runtime. Everything else is chalice's own server, unchanged.

Run as ``python -m chalicelib.local.gateway --host H --port P --stage local``
from the project directory (what ``chalicelib/local/run.py`` starts)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from chalice.local import ChaliceRequestHandler, LocalDevServer, LocalGatewayException

from chalicelib.api.gateway_errors import gateway_error

ROOT = Path(__file__).resolve().parents[2]


class OwnShapeHandler(ChaliceRequestHandler):
    """chalice's request handler whose gateway refusals speak our shape."""

    def _send_error_response(self, error: LocalGatewayException) -> None:
        status, headers, body = gateway_error(
            error.CODE, error.body or b"", self.command, self.path,
            self.headers.get("accept", ""))
        self._send_http_response(status, headers, body)

    def _refuse_method(self) -> None:
        # API Gateway has no TRACE or CONNECT: refused before any route is matched.
        if self.headers.get("content-length"):
            self.rfile.read(int(self.headers["content-length"]))
        status, headers, body = gateway_error(405, b"", self.command, self.path,
                                              self.headers.get("accept", ""))
        self._send_http_response(status, {**headers, "Allow": "GET, POST, PUT, DELETE"}, body)

    do_TRACE = do_CONNECT = _refuse_method


def local_server(app_obj: Any, config: Any, host: str, port: int) -> LocalDevServer:
    """chalice's ``create_local_server`` with our handler."""
    from chalice.local import CustomLocalChalice, LocalChalice

    # What chalice's own factory does: a thread-local current_request (once: a
    # second server over the same app must not make the class its own base).
    if not isinstance(app_obj, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app_obj.__class__)
        app_obj.__class__ = CustomLocalChalice
    return LocalDevServer(app_obj, config, host, port, handler_cls=OwnShapeHandler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)

    from chalice.cli.factory import CLIFactory
    from chalice.deploy.validate import validate_routes

    # As `chalice local` does: the app's log lines on stdout, as in Lambda.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    factory = CLIFactory(project_dir=str(ROOT))
    config = factory.create_config_obj(chalice_stage_name=args.stage)
    validate_routes(config.chalice_app.routes)  # what `chalice local` checks first
    server = local_server(config.chalice_app, config, args.host, args.port)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


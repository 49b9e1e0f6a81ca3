"""A signature is the signer's own act: the leader confirms it with their
password, which the browser turns into a fresh sign-in. Every capability that
signs (outgoing documents, one-stop results, evaluation forms) asks the same."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.kernel.errors import Unauthenticated
from chalicelib.kernel.identity import Caller

# A leader confirms signing with a sign-in no older than this.
FRESH_AUTH = timedelta(minutes=5)


def require_fresh_auth(caller: Caller, now: datetime) -> None:
    if caller.auth_time is None or now - caller.auth_time > FRESH_AUTH:
        raise Unauthenticated(
            "Vui lòng nhập lại mật khẩu để xác nhận ký số (phiên đăng nhập quá 5 phút).",
            "Sign in again to confirm the signature (your sign-in is older than 5 minutes).",
            "reauthentication_required")

"""Sign-in, refresh and sign-out through the Cognito user pool."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.errors import DomainError, RateLimited, Unauthenticated

BAD_CREDENTIALS = Unauthenticated(
    "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."
)


class CognitoIdentity:
    def __init__(self) -> None:
        settings = get_settings()
        self.pool_id = settings.user_pool_id
        self.client_id = settings.user_pool_client_id

    def login(self, username: str, password: str) -> dict[str, Any]:
        try:
            out = client("cognito-idp").initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as exc:
            raise _translate(exc) from exc
        if "AuthenticationResult" not in out:
            # A challenge (e.g. a first password change) is answered in the admin flow.
            raise DomainError(
                "Tài khoản cần đổi mật khẩu lần đầu; liên hệ quản trị.",
                "The account must set a new password first; contact the administrator.",
                "password_change_required",
            )
        return _tokens(out["AuthenticationResult"])

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        try:
            out = client("cognito-idp").initiate_auth(
                ClientId=self.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        except ClientError as exc:
            raise Unauthenticated(
                "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
                "The session has expired; sign in again.",
            ) from exc
        return _tokens(out["AuthenticationResult"])

    def sign_out(self, username: str) -> None:
        client("cognito-idp").admin_user_global_sign_out(
            UserPoolId=self.pool_id, Username=username
        )


def _tokens(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "id_token": result["IdToken"],
        "access_token": result["AccessToken"],
        "refresh_token": result.get("RefreshToken"),
        "expires_in": result.get("ExpiresIn", 3600),
    }


def _translate(exc: ClientError) -> DomainError:
    code = exc.response["Error"]["Code"]
    if code == "TooManyRequestsException":
        return RateLimited(60)
    # Unknown user, wrong password and disabled account answer alike, so that
    # nobody can learn which accounts exist.
    return BAD_CREDENTIALS

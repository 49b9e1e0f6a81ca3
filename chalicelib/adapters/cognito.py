"""Sign-in, refresh and sign-out through the Cognito user pool."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.kernel.config import get_settings
from chalicelib.kernel.errors import (
    DomainError,
    FieldProblem,
    InvalidInput,
    RateLimited,
    Unauthenticated,
)

BAD_CREDENTIALS = Unauthenticated(
    "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."
)


class CognitoIdentity:
    def __init__(self) -> None:
        settings = get_settings()
        self.pool_id = settings.user_pool_id
        self.client_id = settings.user_pool_client_id

    def login(self, username: str, password: str, new_password: str | None = None
              ) -> dict[str, Any]:
        """Tokens for the username and password. A password an administrator issued
        (Cognito's FORCE_CHANGE_PASSWORD) signs in only with ``new_password``,
        which replaces it in the same call; without it, a 400 asks for it."""
        idp = client("cognito-idp")
        try:
            out = idp.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as exc:
            raise _translate(exc) from exc
        if "AuthenticationResult" in out:
            return _tokens(out["AuthenticationResult"])
        if out.get("ChallengeName") != "NEW_PASSWORD_REQUIRED":
            raise DomainError(
                "Tài khoản cần thêm bước xác thực chưa được hỗ trợ; liên hệ quản trị.",
                f"Unsupported sign-in challenge {out.get('ChallengeName')}.",
                "unsupported_challenge")
        if not new_password:
            raise password_change_required()
        if new_password == password:
            raise InvalidInput("Mật khẩu mới phải khác mật khẩu được cấp.",
                               "The new password must differ from the issued one.",
                               "weak_password", [FieldProblem(
                                   "new_password", "Trùng mật khẩu được cấp.",
                                   "Same as the issued password.")])
        try:
            out = idp.respond_to_auth_challenge(
                ClientId=self.client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=out["Session"],
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "InvalidPasswordException":
                raise _weak_password("new_password") from exc
            raise _translate(exc) from exc
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


def password_change_required() -> InvalidInput:
    """The issued password was right but is for the first sign-in only."""
    return InvalidInput(
        "Mật khẩu này do quản trị cấp và chỉ dùng cho lần đăng nhập đầu tiên: "
        "hãy đặt mật khẩu mới của bạn.",
        "This password was issued by an administrator for the first sign-in only: "
        "set your own new password.",
        "password_change_required",
        [FieldProblem("new_password", "Đặt mật khẩu mới: tối thiểu 12 ký tự, có chữ hoa, "
                                      "chữ thường, số và ký hiệu.",
                      "Set a new password: at least 12 characters with upper, lower, digit "
                      "and symbol.")])


def _weak_password(path: str) -> InvalidInput:
    return InvalidInput(
        "Mật khẩu chưa đủ mạnh.", "The password is too weak.", "weak_password",
        [FieldProblem(path, "Tối thiểu 12 ký tự, có chữ hoa, chữ thường, số và ký hiệu.",
                      "At least 12 characters with upper, lower, digit and symbol.")],
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


class CognitoDirectory:
    """The administrator's side of the user pool: accounts, groups, passwords.

    The profile item in the table is what authorisation reads; these calls keep
    Cognito (sign-in, token claims) in step with it.
    """

    def __init__(self) -> None:
        self.pool_id = get_settings().user_pool_id

    @property
    def _idp(self) -> Any:
        return client("cognito-idp")

    def create(self, username: str, attributes: dict[str, str], password: str) -> None:
        try:
            self._idp.admin_create_user(
                UserPoolId=self.pool_id, Username=username, MessageAction="SUPPRESS",
                UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "UsernameExistsException":
                from chalicelib.kernel.errors import Conflict

                raise Conflict("Tên đăng nhập đã tồn tại.", "The username is taken.",
                               "username_taken") from exc
            raise _admin_error(exc) from exc
        # Issued by an administrator: good for the first sign-in only.
        self.set_password(username, password, temporary=True)

    def update_attributes(self, username: str, attributes: dict[str, str]) -> None:
        self._idp.admin_update_user_attributes(
            UserPoolId=self.pool_id, Username=username,
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        )

    def set_groups(self, username: str, wanted: set[str]) -> None:
        current = {
            g["GroupName"]
            for g in self._idp.admin_list_groups_for_user(
                UserPoolId=self.pool_id, Username=username)["Groups"]
        }
        for group in sorted(wanted - current):
            self._idp.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username,
                                              GroupName=group)
        for group in sorted(current - wanted):
            self._idp.admin_remove_user_from_group(UserPoolId=self.pool_id, Username=username,
                                                   GroupName=group)

    def set_password(self, username: str, password: str, *, temporary: bool = False) -> None:
        """``temporary``: the account must choose its own at the next sign-in
        (Cognito's FORCE_CHANGE_PASSWORD), as for every password an administrator
        hands out."""
        try:
            self._idp.admin_set_user_password(UserPoolId=self.pool_id, Username=username,
                                              Password=password, Permanent=not temporary)
        except ClientError as exc:
            raise _admin_error(exc) from exc

    def disable(self, username: str) -> None:
        self._idp.admin_disable_user(UserPoolId=self.pool_id, Username=username)
        self.sign_out(username)

    def enable(self, username: str) -> None:
        self._idp.admin_enable_user(UserPoolId=self.pool_id, Username=username)

    def sign_out(self, username: str) -> None:
        self._idp.admin_user_global_sign_out(UserPoolId=self.pool_id, Username=username)


def _admin_error(exc: ClientError) -> DomainError:
    code = exc.response["Error"]["Code"]
    if code == "InvalidPasswordException":
        return _weak_password("password")
    if code == "UserNotFoundException":
        from chalicelib.kernel.errors import NotFound

        return NotFound()
    return DomainError("Không cập nhật được tài khoản.", f"Cognito refused: {code}", "idp_error")

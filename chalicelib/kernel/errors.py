"""Errors the domain and the services raise, each with a message a clerk can
read (Vietnamese) and its English counterpart. The API layer maps each kind to
an HTTP status; nothing here knows about HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    path: str
    message: str
    message_en: str = ""


@dataclass
class DomainError(Exception):
    message: str
    message_en: str
    code: str = "invalid"
    fields: list[FieldProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"


class InvalidInput(DomainError):
    """The request is well-formed but breaks a rule (400)."""


class Unauthenticated(DomainError):
    """No caller, or a caller whose token is not valid (401)."""

    def __init__(
        self,
        message: str = "Bạn cần đăng nhập để tiếp tục.",
        message_en: str = "You need to sign in.",
    ) -> None:
        super().__init__(message, message_en, "unauthorized")


class Forbidden(DomainError):
    """A known caller whose role does not allow the action (403)."""

    def __init__(
        self,
        message: str = "Bạn không có quyền thực hiện thao tác này.",
        message_en: str = "You are not allowed to do this.",
    ) -> None:
        super().__init__(message, message_en, "forbidden")


class NotFound(DomainError):
    """Missing, or outside the caller's scope: both answer the same so that ids
    cannot be probed (404)."""

    def __init__(
        self,
        message: str = "Không tìm thấy.",
        message_en: str = "Not found.",
    ) -> None:
        super().__init__(message, message_en, "not_found")


class Conflict(DomainError):
    """A lost race or a transition the current state does not allow (409)."""

    def __init__(
        self,
        message: str = "Dữ liệu đã được người khác thay đổi, vui lòng tải lại.",
        message_en: str = "The item was changed by someone else; reload and retry.",
        code: str = "conflict",
    ) -> None:
        super().__init__(message, message_en, code)


class TooLarge(DomainError):
    """413."""

    def __init__(self, limit_bytes: int) -> None:
        mib = limit_bytes / (1024 * 1024)
        super().__init__(
            f"Dữ liệu quá lớn (tối đa {mib:g} MiB).",
            f"Payload too large (at most {mib:g} MiB).",
            "too_large",
        )


class RateLimited(DomainError):
    """429."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Quá nhiều yêu cầu, vui lòng thử lại sau {retry_after} giây.",
            f"Too many requests; retry in {retry_after} seconds.",
            "rate_limited",
        )
        self.retry_after = retry_after

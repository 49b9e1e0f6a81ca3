"""Errors the domain and the services raise, each with a message a clerk can
read (Vietnamese) and its English counterpart. The API layer maps each kind to
an HTTP status; nothing here knows about HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


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

    @classmethod
    def unless_none(cls, problems: list[FieldProblem], message: str, message_en: str,
                    code: str) -> None:
        """Checks gather every field at fault before answering, so that a person
        can correct them all at once: raise only when there is at least one."""
        if problems:
            raise cls(message, message_en, code, problems)


class _KindError(DomainError):
    """A kind with a default message and code; a caller may name a finer code
    (``no_open_work`` is a 403 the pages explain their own way)."""

    defaults: ClassVar[tuple[str, str, str]]

    def __init__(self, message: str | None = None, message_en: str | None = None,
                 code: str | None = None) -> None:
        vi, en, kind = self.defaults
        super().__init__(vi if message is None else message,
                         en if message_en is None else message_en, code or kind)


class Unauthenticated(_KindError):
    """No caller, or a caller whose token is not valid (401)."""

    defaults = ("Bạn cần đăng nhập để tiếp tục.", "You need to sign in.", "unauthorized")


class Forbidden(_KindError):
    """A known caller whose role does not allow the action (403)."""

    defaults = ("Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.",
                "forbidden")


class NotFound(_KindError):
    """Missing, or outside the caller's scope: both answer the same so that ids
    cannot be probed (404)."""

    defaults = ("Không tìm thấy.", "Not found.", "not_found")


class Conflict(_KindError):
    """A lost race or a transition the current state does not allow (409)."""

    defaults = ("Dữ liệu đã được người khác thay đổi, vui lòng tải lại.",
                "The item was changed by someone else; reload and retry.", "conflict")


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

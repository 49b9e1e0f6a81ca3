"""The attempt budget of a public code (a dossier's, a case's).

The per-source rate limit of each route does not stop a guesser who spreads
guesses over routes and addresses; this budget does: every public route that
checks a secret of one code (the phone's last four digits, the access key)
spends from the same budget of that code, and once ``ATTEMPT_LIMIT`` checks
have failed within the hour, the code answers "locked" until the hour is over,
whoever asks and whatever they send.

An attempt is taken *before* the check and given back when the check passes:
a burst of concurrent guesses can never have more than ``ATTEMPT_LIMIT``
failures in flight, while the applicant who looks their dossier up twenty
times an hour never locks it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from chalicelib.kernel.errors import RateLimited

ATTEMPT_LIMIT = 5
ATTEMPT_WINDOW_SECONDS = 3600
# Codes are short; anything longer is not one of ours and is kept at this size
# so that a guesser cannot make the budget's keys arbitrarily large.
MAX_CODE_LENGTH = 64
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

T = TypeVar("T")


class AttemptBudget(Protocol):
    """What a capability's store offers to keep a code's budget."""

    def take_attempt(self, code: str, window: int, limit: int, expires_at: int) -> bool:
        """Count one attempt in the window unless ``limit`` are counted already
        (then False), in one conditional write."""

    def give_back_attempt(self, code: str, window: int) -> None:
        """Uncount an attempt whose check passed."""


class CodeLocked(RateLimited):
    """429: too many failed checks of one code; says until when, and whom to call."""

    def __init__(self, until: datetime, now: datetime, desk_phone: str) -> None:
        super().__init__(max(1, math.ceil((until - now).total_seconds())))
        local = until.astimezone(TZ)
        call = f" hoặc gọi bộ phận một cửa: {desk_phone}" if desk_phone else ""
        call_en = f" or call the desk: {desk_phone}" if desk_phone else ""
        self.message = (f"Mã này đã bị tạm khóa do nhập sai thông tin quá {ATTEMPT_LIMIT} lần. "
                        f"Vui lòng thử lại sau {local:%H:%M} ngày {local:%d/%m/%Y}{call}.")
        self.message_en = (f"This code is locked after {ATTEMPT_LIMIT} failed checks. "
                           f"Try again after {local:%H:%M %d/%m/%Y} (Vietnam time){call_en}.")
        self.code = "code_locked"


def budget_key(code: str) -> str:
    """The code as the budget counts it: the forms a lookup accepts are one code."""
    return code.strip().upper()[:MAX_CODE_LENGTH]


def window_of(now: datetime) -> int:
    """The fixed hour (epoch seconds) ``now`` falls in."""
    stamp = int(now.timestamp())
    return stamp - stamp % ATTEMPT_WINDOW_SECONDS


def checked(budget: AttemptBudget, code: str, now: datetime, desk_phone: Callable[[], str],
            check: Callable[[], T]) -> T:
    """``check()`` under the code's budget: an error from it (``NotFound`` for a
    wrong secret) spends an attempt, a passed check gives it back; a spent budget raises
    ``CodeLocked`` without checking."""
    key = budget_key(code)
    window = window_of(now)
    end = window + ATTEMPT_WINDOW_SECONDS
    if not budget.take_attempt(key, window, ATTEMPT_LIMIT, end + ATTEMPT_WINDOW_SECONDS):
        raise CodeLocked(datetime.fromtimestamp(end, now.tzinfo or TZ), now, desk_phone())
    # Whatever the check raises (a wrong secret is a NotFound) leaves the attempt spent.
    result = check()
    budget.give_back_attempt(key, window)
    return result

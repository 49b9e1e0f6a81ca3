"""Request models of the work-tracking routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

MailChoice = Literal["instant", "digest", "off"]


class UnitQuery(BaseModel):
    unit: str | None = Field(default=None, max_length=20)


class PreferencesIn(BaseModel):
    digest: bool = True  # the 07:30 digest of due-soon and overdue work
    instant: bool = True  # a mail when work is assigned
    due_soon_days: int = Field(default=2, ge=1, le=5)  # working days
    # Per kind of notice (work.mail_prefs.MAIL_KINDS): at once, only in the
    # digest, or none. Left out: the saved choices stay.
    mail: dict[str, MailChoice] | None = None

    @field_validator("mail")
    @classmethod
    def known_kinds(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        from chalicelib.work.mail_prefs import MAIL_KINDS

        unknown = sorted(set(value or {}) - set(MAIL_KINDS))
        if unknown:
            raise ValueError(f"Không có loại thông báo: {', '.join(unknown)}. | "
                             f"Unknown kinds {unknown}; known: {sorted(MAIL_KINDS)}.")
        return value

"""Request models of the work-tracking routes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from chalicelib.work.mail_prefs import MAIL_KINDS

MailChoice = Literal["instant", "digest", "off"]


class UnitQuery(BaseModel):
    unit: str | None = Field(default=None, max_length=20)


# One optional field per kind of notice (work.mail_prefs.MAIL_KINDS), unknown
# kinds refused: each wrong entry is named on its own path (mail.incoming, mail.x).
_kind_fields: dict[str, Any] = {kind: (MailChoice | None, None) for kind in MAIL_KINDS}
MailChoicesIn = create_model("MailChoicesIn", __config__=ConfigDict(extra="forbid"),
                             **_kind_fields)


class PreferencesIn(BaseModel):
    # An unknown field is a mistake (a misspelt "digets" would silently keep the
    # old choice): refused, each one named.
    model_config = ConfigDict(extra="forbid")

    digest: bool = True  # the 07:30 digest of due-soon and overdue work
    instant: bool = True  # a mail when work is assigned
    due_soon_days: int = Field(default=2, ge=1, le=5)  # working days
    # Per kind of notice: at once, only in the digest, or none. Left out: the
    # saved choices stay; a kind left out of it: the saved choice for it stays.
    mail: MailChoicesIn | None = None  # type: ignore[valid-type]

    def mail_choices(self) -> dict[str, str] | None:
        if self.mail is None:
            return None
        return {k: v for k, v in self.mail.model_dump().items() if v is not None}

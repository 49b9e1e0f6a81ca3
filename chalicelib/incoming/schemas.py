"""Request models of the intake and incoming-document routes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, EmailStr, Field, field_validator

from chalicelib.api.text_fields import OneLine
from chalicelib.incoming.rules import IntakeStatus, Urgency
from chalicelib.kernel.access import Secrecy


class IntakeQuery(BaseModel):
    status: IntakeStatus | None = None
    cursor: str | None = Field(default=None, max_length=2000)


class RejectIn(BaseModel):
    reason: OneLine = Field(min_length=1, max_length=500)


class ListQuery(BaseModel):
    q: str | None = Field(default=None, max_length=200)
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=20, ge=1, le=100)
    since: dt.date | None = None  # arrival date, inclusive
    until: dt.date | None = None  # arrival date, inclusive
    # Only the documents given to this unit (the leaders' dashboard links here).
    unit: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,20}$")
    do_khan: Urgency | None = None
    status: str | None = Field(default=None,
                               pattern="^(registered|distributed|in_progress|completed)$")
    # With q: newest first (the register's order) or by relevance.
    sort: Literal["newest", "relevance"] = "newest"


class MetadataIn(BaseModel):
    # Decree 30 metadata lengths: CodeNumber 11 + "/" + CodeNotation 30, Subject 500,
    # OrganName 200, TypeName 100, SignerInfo.FullName 50.
    so_ky_hieu: OneLine = Field(default="", max_length=42)
    co_quan_ban_hanh: OneLine = Field(default="", max_length=200)
    ngay_ban_hanh: dt.date | None = None
    loai_van_ban: OneLine = Field(default="", max_length=100)
    trich_yeu: OneLine = Field(default="", max_length=500)
    do_khan: Urgency = Urgency.THUONG
    nguoi_ky: OneLine = Field(default="", max_length=50)
    do_mat: Secrecy = Secrecy.NONE

    @field_validator("ngay_ban_hanh")
    @classmethod
    def _not_in_future(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value > dt.date.today() + dt.timedelta(days=1):
            raise ValueError("Ngày ban hành ở tương lai. | The issue date is in the future.")
        return value


class CorrectionIn(MetadataIn):
    version: int = Field(ge=1)


class PaperIn(MetadataIn):
    """A paper document registered by hand; its scan can be attached later."""

    so_ky_hieu: str = Field(min_length=1, max_length=42)
    co_quan_ban_hanh: str = Field(min_length=1, max_length=200)
    trich_yeu: str = Field(min_length=1, max_length=500)
    ngay_den: dt.datetime | None = None
    sender_email: EmailStr | None = None  # the same-day receipt goes there


class GrantIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)


class SupportIn(BaseModel):
    unit: str = Field(min_length=1, max_length=20)
    deadline: dt.date | dt.datetime


class DistributeIn(BaseModel):
    lead_unit: str = Field(min_length=1, max_length=20)
    lead_deadline: dt.date | dt.datetime
    supporting: list[SupportIn] = Field(default_factory=list, max_length=20)
    instruction: OneLine = Field(default="", max_length=1000)
    # Decree 30 Art. 23: the leader may name the officer who leads, too.
    lead_officer: str | None = Field(default=None, min_length=1, max_length=64)
    version: int = Field(ge=1)


class OfficerIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    part: str = Field(default="lead", pattern="^(lead|support)$")


class AssignIn(BaseModel):
    officers: list[OfficerIn] = Field(min_length=1, max_length=20)
    deadline: dt.date | dt.datetime | None = None
    instruction: OneLine = Field(default="", max_length=1000)
    version: int = Field(ge=1)


class NoteIn(BaseModel):
    text: OneLine = Field(min_length=1, max_length=4000)


class ProgressIn(NoteIn):
    progress: int = Field(ge=0, le=100)


class SendBackIn(BaseModel):
    reason: OneLine = Field(min_length=1, max_length=1000)
    to: str | None = Field(default=None, max_length=64)


class CompleteIn(BaseModel):
    result: OneLine = Field(min_length=1, max_length=4000)
    answer: str | None = Field(default=None, max_length=42)  # số, ký hiệu of the reply


class ReturnCompletionIn(BaseModel):
    reason: OneLine = Field(min_length=1, max_length=1000)


class ApproveCompletionIn(BaseModel):
    note: OneLine = Field(default="", max_length=1000)


class RegisterQuery(BaseModel):
    year: int = Field(ge=2000, le=2100)
    unit: str | None = Field(default=None, max_length=20)
    format: str = Field(default="json", pattern="^(json|xlsx|pdf)$")

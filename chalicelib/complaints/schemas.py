"""Request models of the complaint routes (public filing, the desk, handling)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, EmailStr, Field

from chalicelib.api.request_models import ReasonIn as ReasonIn
from chalicelib.api.request_models import StatusListQuery
from chalicelib.api.text_fields import OneLine, Paragraphs
from chalicelib.complaints.clocks import CaseKind, Complexity


class _Filing(BaseModel):
    kind: CaseKind
    name: OneLine = Field(min_length=1, max_length=200)
    id_number: str = Field(default="", max_length=20, pattern=r"^[0-9A-Za-z]*$")
    address: OneLine = Field(default="", max_length=500)
    phone: str = Field(pattern=r"^\+?[0-9]{9,12}$")
    email: EmailStr | None = None
    protect_identity: bool = False  # a denouncer may ask for it
    content: Paragraphs = Field(min_length=10, max_length=10000)
    decision: OneLine = Field(default="", max_length=1000)  # the decision or act concerned
    decision_date: dt.date | None = None
    files: list[str] = Field(default_factory=list, max_length=5)
    # One key per filing (the browser makes it; also read from the Idempotency-Key
    # header): a retried filing returns the case its first try stored.
    idempotency_key: str | None = Field(default=None, min_length=16, max_length=64,
                                        pattern=r"^[A-Za-z0-9_-]+$")


class PublicFilingIn(_Filing):
    # A field people never see and bots fill in.
    website: str = Field(default="", max_length=0)


class DeskFilingIn(_Filing):
    channel: str = Field(default="letter", pattern="^(letter|visit)$")


class LookupQuery(BaseModel):
    phone_last4: str = Field(pattern=r"^[0-9]{4}$")


class ListQuery(StatusListQuery):
    pass  # named here, beside the routes' other models, under its OpenAPI name


class ClassifyIn(BaseModel):
    kind: CaseKind
    complexity: Complexity = Complexity.NORMAL
    remote: bool = False
    multi_site: bool = False
    second_of: str | None = Field(default=None, max_length=64)
    decision_date: dt.date | None = None


class TransferIn(BaseModel):
    to: OneLine = Field(min_length=1, max_length=300)
    reason: OneLine = Field(min_length=1, max_length=1000)


class MergeIn(BaseModel):
    into: str = Field(min_length=1, max_length=64)


class AssignIn(BaseModel):
    unit: str = Field(min_length=1, max_length=20)
    officer: str | None = Field(default=None, max_length=64)


class NoteIn(BaseModel):
    text: Paragraphs = Field(min_length=1, max_length=4000)
    note_kind: str = Field(default="verification", pattern="^(verification|dialogue|other)$")


class ExtendIn(BaseModel):
    days: int = Field(ge=1, le=30)
    decision: OneLine = Field(min_length=1, max_length=300)  # the written decision: number, date


class AnswerIn(BaseModel):
    signer: str = Field(min_length=1, max_length=64)
    authority: str = Field(default="", max_length=5)
    body: Paragraphs = Field(min_length=10, max_length=20000)


class DialogueIn(BaseModel):
    start: dt.datetime
    end: dt.datetime
    place: OneLine = Field(min_length=1, max_length=300)


class DashboardQuery(BaseModel):
    format: str = Field(default="json", pattern="^(json|xlsx)$")

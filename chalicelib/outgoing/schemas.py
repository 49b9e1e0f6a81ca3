"""Request models of the outgoing-document, signing-key and verification routes."""

from __future__ import annotations

from pydantic import BaseModel, EmailStr, Field, field_validator

from chalicelib.api.request_models import ReasonIn as ReasonIn
from chalicelib.api.request_models import StatusListQuery
from chalicelib.api.text_fields import OneLine, Paragraphs, one_line
from chalicelib.incoming.rules import Urgency
from chalicelib.kernel.access import Secrecy


class ExternalRecipient(BaseModel):
    name: OneLine = Field(default="", max_length=200)
    email: EmailStr


class DraftIn(BaseModel):
    type_code: OneLine = Field(min_length=2, max_length=4)
    subject: OneLine = Field(min_length=1, max_length=500)  # Decree 30: Subject 500
    signer: str = Field(min_length=1, max_length=64)
    authority: str = Field(default="", max_length=5)
    recipients_internal: list[str] = Field(default_factory=list, max_length=50)
    recipients_external: list[ExternalRecipient] = Field(default_factory=list, max_length=50)
    do_khan: Urgency = Urgency.THUONG
    do_mat: Secrecy = Secrecy.NONE
    answers: str | None = Field(default=None, max_length=64)  # the incoming document answered
    body: Paragraphs = Field(default="", max_length=20000)


class ComposeIn(BaseModel):
    body: Paragraphs = Field(min_length=1, max_length=20000)
    recipients: list[str] = Field(default_factory=list, max_length=30)  # "Nơi nhận" lines

    @field_validator("recipients")
    @classmethod
    def _lines(cls, value: list[str]) -> list[str]:
        out = [one_line(v) for v in value if v.strip()]
        if any(len(v) > 200 for v in out):
            raise ValueError("Mỗi dòng nơi nhận tối đa 200 ký tự.")
        return out


class VersionQuery(BaseModel):
    comment: OneLine = Field(default="", max_length=1000)


class CommentIn(BaseModel):
    comment: OneLine = Field(default="", max_length=2000)


class NoteIn(BaseModel):
    text: OneLine = Field(min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    approve: bool
    comment: OneLine = Field(default="", max_length=2000)


class ListQuery(StatusListQuery):
    pass  # named here, beside the routes' other models, under its OpenAPI name


class FileQuery(BaseModel):
    which: str = Field(default="current", pattern=r"^(current|signed|issued|v\d{1,4})$")


class RegisterQuery(BaseModel):
    year: int = Field(ge=2000, le=2100)
    # The documents drafted by one unit (the leaders' dashboard links here).
    unit: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,20}$")
    format: str = Field(default="json", pattern="^(json|xlsx|pdf)$")


class ChainsIn(BaseModel):
    chains: dict[str, list[str]] = Field(max_length=60)


class PemIn(BaseModel):
    pem: str = Field(min_length=1, max_length=50000)


class LetterIn(BaseModel):
    signer: str = Field(min_length=1, max_length=64)
    authority: str = Field(default="", max_length=5)

"""Request models of the outgoing-document, signing-key and verification routes."""

from __future__ import annotations

import unicodedata

from pydantic import BaseModel, EmailStr, Field, field_validator

from chalicelib.incoming.rules import Urgency
from chalicelib.kernel.access import Secrecy


def _nfc(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def _nfc_text(value: str) -> str:
    """Body text keeps its paragraphs; only the Unicode form is normalised."""
    return unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()


class ExternalRecipient(BaseModel):
    name: str = Field(default="", max_length=200)
    email: EmailStr

    _norm = field_validator("name")(_nfc)


class DraftIn(BaseModel):
    type_code: str = Field(min_length=2, max_length=4)
    subject: str = Field(min_length=1, max_length=500)  # Decree 30: Subject 500
    signer: str = Field(min_length=1, max_length=64)
    authority: str = Field(default="", max_length=5)
    recipients_internal: list[str] = Field(default_factory=list, max_length=50)
    recipients_external: list[ExternalRecipient] = Field(default_factory=list, max_length=50)
    do_khan: Urgency = Urgency.THUONG
    do_mat: Secrecy = Secrecy.NONE
    answers: str | None = Field(default=None, max_length=64)  # the incoming document answered
    body: str = Field(default="", max_length=20000)

    _norm = field_validator("subject", "type_code")(_nfc)
    _norm_body = field_validator("body")(_nfc_text)


class ComposeIn(BaseModel):
    body: str = Field(min_length=1, max_length=20000)
    recipients: list[str] = Field(default_factory=list, max_length=30)  # "Nơi nhận" lines

    _norm_body = field_validator("body")(_nfc_text)

    @field_validator("recipients")
    @classmethod
    def _lines(cls, value: list[str]) -> list[str]:
        out = [_nfc(v) for v in value if v.strip()]
        if any(len(v) > 200 for v in out):
            raise ValueError("Mỗi dòng nơi nhận tối đa 200 ký tự.")
        return out


class VersionQuery(BaseModel):
    comment: str = Field(default="", max_length=1000)

    _norm = field_validator("comment")(_nfc)


class CommentIn(BaseModel):
    comment: str = Field(default="", max_length=2000)

    _norm = field_validator("comment")(_nfc)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)

    _norm = field_validator("text")(_nfc)


class DecisionIn(BaseModel):
    approve: bool
    comment: str = Field(default="", max_length=2000)

    _norm = field_validator("comment")(_nfc)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)

    _norm = field_validator("reason")(_nfc)


class ListQuery(BaseModel):
    q: str | None = Field(default=None, max_length=200)  # words, diacritics ignored
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=20, ge=1, le=100)
    status: str | None = Field(default=None, max_length=20)


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

"""Request models of the one-stop routes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, EmailStr, Field, field_validator

from chalicelib.api.request_models import ReasonIn as ReasonIn
from chalicelib.api.text_fields import OneLine


class Applicant(BaseModel):
    name: OneLine = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=r"^\+?[0-9]{9,12}$")
    email: EmailStr | None = None
    id_number: str = Field(default="", max_length=20, pattern=r"^[0-9A-Za-z]*$")
    address: OneLine = Field(default="", max_length=500)
    organisation: OneLine = Field(default="", max_length=300)  # the business to be registered


class DossierIn(BaseModel):
    procedure: str = Field(min_length=1, max_length=40)
    applicant: Applicant
    # paper code -> upload ids (online) or [] for papers checked on paper at the desk
    papers: dict[str, list[str]] = Field(default_factory=dict, max_length=30)
    # One key per submission attempt (the browser makes it): a double submit makes
    # one dossier.
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=64,
                                        pattern=r"^[A-Za-z0-9_-]+$")

    @field_validator("papers")
    @classmethod
    def _few_files(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if sum(len(v) for v in value.values()) > 30:
            raise ValueError("Tối đa 30 tệp cho một hồ sơ.")
        return value


class DeskDossierIn(DossierIn):
    # At the desk the officer has seen the paper originals: each required paper
    # is ticked rather than uploaded.
    papers_seen: list[str] = Field(default_factory=list, max_length=30)


class LookupQuery(BaseModel):
    phone_last4: str = Field(pattern=r"^[0-9]{4}$")


class PublicActionIn(BaseModel):
    phone_last4: str = Field(pattern=r"^[0-9]{4}$")
    # The access key printed on the receipt (``K7QM-3WXA``; case, spaces and the
    # dash do not matter): a change to the dossier needs it besides the phone.
    access_key: str = Field(min_length=8, max_length=20, pattern=r"^[A-Za-z0-9 -]+$")
    reason: OneLine = Field(default="", max_length=500)


class NoteIn(BaseModel):
    note: OneLine = Field(default="", max_length=1000)


class SupplementIn(BaseModel):
    papers: list[str] = Field(min_length=1, max_length=20)
    note: OneLine = Field(default="", max_length=1000)


class ReturnIn(BaseModel):
    how: str = Field(pattern="^(online|in_person)$")


class ListQuery(BaseModel):
    month: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    q: str | None = Field(default=None, max_length=200)  # words, diacritics ignored
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=20, ge=1, le=100)


class Form06Query(BaseModel):
    unit: str | None = Field(default=None, max_length=20)
    from_: dt.date = Field(alias="from")
    to: dt.date
    format: str = Field(default="json", pattern="^(json|xlsx)$")


class RefusalIn(BaseModel):
    procedure: str = Field(min_length=1, max_length=40)
    applicant: Applicant
    missing: list[str] = Field(default_factory=list, max_length=30)
    reason: OneLine = Field(default="", max_length=1000)

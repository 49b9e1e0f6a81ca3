"""Request models of the task routes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, field_validator


def _nfc(value: str) -> str:
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", value).split())


class TaskIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=4000)
    lead: str = Field(min_length=1, max_length=64)  # a username or a unit code
    supporting: list[str] = Field(default_factory=list, max_length=20)
    deadline: dt.date | dt.datetime
    priority: str = Field(default="normal", pattern="^(normal|high|urgent)$")

    _norm = field_validator("title", "description")(_nfc)


class ListQuery(BaseModel):
    q: str | None = Field(default=None, max_length=200)  # words, diacritics ignored
    cursor: str | None = Field(default=None, max_length=2000)
    limit: int = Field(default=20, ge=1, le=100)


class ProgressIn(BaseModel):
    progress: int = Field(ge=0, le=100)
    note: str = Field(default="", max_length=2000)


class ResultIn(BaseModel):
    result: str = Field(min_length=1, max_length=4000)


class ExtensionIn(BaseModel):
    until: dt.date | dt.datetime
    reason: str = Field(min_length=1, max_length=1000)


class DecisionIn(BaseModel):
    assignee: str = Field(min_length=1, max_length=64)
    approve: bool
    note: str = Field(default="", max_length=1000)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)

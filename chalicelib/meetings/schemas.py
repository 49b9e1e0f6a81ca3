"""Request models of the meeting routes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, EmailStr, Field, field_validator

from chalicelib.api.text_fields import OneLine
from chalicelib.meetings.rules import MAX_AGENDA, MAX_PARTICIPANTS


def _nfc_text(value: str) -> str:
    # Notes keep their line breaks; only each line's spacing is tidied.
    import unicodedata

    lines = unicodedata.normalize("NFC", value).splitlines()
    return "\n".join(" ".join(line.split()) for line in lines).strip()


class GuestIn(BaseModel):
    # An invalid address is refused here, at entry, with its path (guests.N.email).
    email: EmailStr
    name: OneLine = Field(default="", max_length=100)


class AgendaItemIn(BaseModel):
    title: OneLine = Field(min_length=1, max_length=300)
    doc_id: str | None = Field(default=None, max_length=64)  # an incoming document


class MeetingIn(BaseModel):
    """Times in ISO 8601; without an offset they are Hanoi time (UTC+07:00)."""

    title: OneLine = Field(min_length=1, max_length=300)
    start: dt.datetime
    end: dt.datetime
    place: OneLine = Field(default="", max_length=300)
    online_url: OneLine = Field(default="", max_length=500)
    chair: str | None = Field(default=None, max_length=64)  # username; default: the scheduler
    participants: list[str] = Field(default_factory=list, max_length=MAX_PARTICIPANTS)
    guests: list[GuestIn] = Field(default_factory=list, max_length=MAX_PARTICIPANTS)
    agenda: list[AgendaItemIn] = Field(default_factory=list, max_length=MAX_AGENDA)
    note: str = Field(default="", max_length=2000)

    _norm_text = field_validator("note")(_nfc_text)

    @field_validator("participants")
    @classmethod
    def _usernames(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name or len(name) > 64:
                raise ValueError("Tên đăng nhập không hợp lệ. | Invalid username.")
        return value

    def to_input(self) -> object:
        from chalicelib.meetings.service import AgendaIn, Guest, MeetingInput

        return MeetingInput(
            title=self.title, start=self.start, end=self.end, place=self.place,
            online_url=self.online_url, chair=self.chair, participants=list(self.participants),
            guests=[Guest(g.email, g.name) for g in self.guests],
            agenda=[AgendaIn(a.title, a.doc_id) for a in self.agenda], note=self.note)


class MeetingUpdateIn(MeetingIn):
    version: int = Field(ge=1)


class CancelIn(BaseModel):
    version: int = Field(ge=1)
    reason: OneLine = Field(default="", max_length=500)


class AnswerIn(BaseModel):
    answer: Literal["accept", "decline", "tentative"]


class MeetingListQuery(BaseModel):
    # mine: chaired or invited; scheduled: scheduled by me; unit: a unit's (head, leaders)
    scope: Literal["mine", "scheduled", "unit"] = "mine"
    unit: str | None = Field(default=None, max_length=20)
    q: str | None = Field(default=None, max_length=200)  # words, diacritics ignored
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=20, ge=1, le=100)


class PublicAnswerQuery(BaseModel):
    token: str = Field(min_length=40, max_length=300)
    answer: Literal["accept", "decline", "tentative"] | None = None

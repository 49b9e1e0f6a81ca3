"""Request models several capabilities take alike, defined once so that their
limits stay alike: the query of a searchable, paged list whose items carry a
status (complaints, outgoing documents); a reason given for an act (a refusal,
a recall, a withdrawal). A capability's schema module re-exports the ones it
uses under the names its routes give.

Request models only: the schema modules load on a route's first call, so
pydantic here costs no cold start.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.api.text_fields import OneLine


class StatusListQuery(BaseModel):
    q: str | None = Field(default=None, max_length=200)  # words, diacritics ignored
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=20, ge=1, le=100)
    status: str | None = Field(default=None, max_length=20)


class ReasonIn(BaseModel):
    reason: OneLine = Field(min_length=1, max_length=1000)

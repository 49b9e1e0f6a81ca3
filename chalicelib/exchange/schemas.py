"""Request models of the exchange routes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AgencyQuery(BaseModel):
    channel: str | None = Field(default=None, pattern="^(platform|email)$")


class AgencyIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    channel: str = Field(default="platform", pattern="^(platform|email)$")
    email: str = Field(default="", max_length=254)
    certificate_pem: str | None = Field(default=None, max_length=20000)


class CsvIn(BaseModel):
    csv: str = Field(min_length=1, max_length=1_000_000)


class ChooseIn(BaseModel):
    organ_ids: list[str] = Field(min_length=1, max_length=50)


class UpdateIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class PacketQuery(BaseModel):
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=50, ge=1, le=100)

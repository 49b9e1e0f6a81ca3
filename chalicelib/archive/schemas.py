"""Request models of the archive routes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from chalicelib.api.text_fields import OneLine


class CatalogueQuery(BaseModel):
    version: str | None = Field(default=None, max_length=40)


class FileIn(BaseModel):
    code: OneLine = Field(min_length=1, max_length=30)  # số, ký hiệu hồ sơ
    title: OneLine = Field(min_length=1, max_length=500)  # tiêu đề hồ sơ
    group: OneLine = Field(min_length=1, max_length=20)  # a group of the retention catalogue
    responsible: str = Field(min_length=1, max_length=64)  # người lập hồ sơ


class VersionIn(BaseModel):
    version: int = Field(ge=0)


class ItemIn(BaseModel):
    kind: str = Field(pattern="^(incoming|outgoing|complaint|dossier)$")
    ref: str = Field(min_length=1, max_length=64, pattern="^[0-9A-Za-z_-]+$")
    version: int | None = Field(default=None, ge=0)


class SuggestQuery(BaseModel):
    kind: str = Field(pattern="^(incoming|outgoing|complaint|dossier)$")
    ref: str = Field(min_length=1, max_length=64, pattern="^[0-9A-Za-z_-]+$")


class DueQuery(BaseModel):
    within_days: int = Field(default=366, ge=0, le=3660)


class DisposalIn(BaseModel):
    file_ids: list[str] = Field(min_length=1, max_length=100)
    reason: OneLine = Field(min_length=1, max_length=2000)


class DisposalDecisionIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=2000)
    version: int = Field(ge=1)


class ExportQuery(BaseModel):
    format: str = Field(default="pdf", pattern="^(pdf|xml)$")


class HandoverRecordIn(BaseModel):
    file_ids: list[str] = Field(min_length=1, max_length=200)


class GrantIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    until: date  # the last day the person reads the file

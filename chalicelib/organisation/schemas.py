"""Request models of the organisation routes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, EmailStr, Field, field_validator

from chalicelib.kernel.identity import Role
from chalicelib.organisation.rules import DelegationKind, UnitKind


def _nfc(value: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", value).strip()


class UnitIn(BaseModel):
    code: str = Field(min_length=1, max_length=20, title="mã đơn vị")
    name: str = Field(min_length=1, max_length=200, title="tên đơn vị")
    kind: UnitKind = Field(title="loại đơn vị")
    parent: str | None = Field(default=None, max_length=20)
    review_completion: bool = False  # the head reviews an officer's completion
    abbreviation: str | None = Field(default=None, max_length=20)  # "ĐKKD"; absent: the code

    _norm = field_validator("name")(_nfc)


class UnitUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=200, title="tên đơn vị")
    kind: UnitKind = Field(title="loại đơn vị")
    parent: str | None = Field(default=None, max_length=20)
    review_completion: bool | None = None  # absent: unchanged
    abbreviation: str | None = Field(default=None, max_length=20)  # absent: unchanged
    version: int = Field(ge=1)

    _norm = field_validator("name")(_nfc)


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=64)
    full_name: str = Field(min_length=1, max_length=50)  # SignerInfo.FullName, Decree 30
    email: EmailStr
    unit: str = Field(min_length=1, max_length=20)
    roles: list[Role] = Field(min_length=1, max_length=6)
    title: str = Field(default="", max_length=100, title="chức danh")  # SignerInfo.Position
    # Staff evaluation: viên chức or công chức (absent: công chức).
    category: Literal["vien_chuc", "cong_chuc"] | None = None

    _norm = field_validator("full_name", "title")(_nfc)


class UserUpdate(BaseModel):
    full_name: str = Field(min_length=1, max_length=50)
    email: EmailStr
    unit: str = Field(min_length=1, max_length=20)
    roles: list[Role] = Field(min_length=1, max_length=6)
    title: str = Field(default="", max_length=100, title="chức danh")
    category: Literal["vien_chuc", "cong_chuc"] | None = None  # absent: unchanged
    version: int = Field(ge=1)

    _norm = field_validator("full_name", "title")(_nfc)


class SignatureIn(BaseModel):
    image_base64: str = Field(min_length=8, max_length=800_000)


class DelegationIn(BaseModel):
    grantor: str | None = Field(default=None, max_length=64)
    delegate: str = Field(min_length=1, max_length=64)
    kind: DelegationKind
    start: dt.date
    end: dt.date
    note: str = Field(default="", max_length=500)


class DelegationQuery(BaseModel):
    grantor: str | None = Field(default=None, max_length=64)


class UsersQuery(BaseModel):
    unit: str | None = Field(default=None, max_length=20)


class ExportQuery(BaseModel):
    format: str = Field(default="csv", pattern="^(csv|xlsx)$")

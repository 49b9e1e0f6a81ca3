"""Request models of the process library's routes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator

from chalicelib.api.text_fields import OneLine, one_line


class StepIn(BaseModel):
    name: OneLine = Field(min_length=1, max_length=200, title="tên bước")
    who: OneLine = Field(default="", max_length=200)  # đơn vị thực hiện
    role: OneLine = Field(default="", max_length=100)  # chức danh
    method: OneLine = Field(default="", max_length=1000)  # cách thực hiện
    days: Decimal = Field(gt=0, le=365)  # thời gian, ngày làm việc
    record: str = Field(default="", max_length=20)  # biểu mẫu tạo ra
    review_step: str = Field(default="", max_length=20)


class FormIn(BaseModel):
    # ASCII: the code names the form's file in its download path.
    code: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z._-]+$",
                      title="mã biểu mẫu")
    name: OneLine = Field(min_length=1, max_length=300, title="tên biểu mẫu")
    # The form's file, sent first to the presigned POST of /api/iso/uploads; left
    # out, the form keeps the file it has in the procedure's latest version.
    upload_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$",
                                  title="tệp biểu mẫu")


class RecordIn(BaseModel):
    name: OneLine = Field(min_length=1, max_length=300, title="tên hồ sơ cần lưu")
    keeper: OneLine = Field(default="", max_length=200)
    retention_group: str = Field(min_length=1, max_length=20)


class VersionIn(BaseModel):
    purpose: OneLine = Field(default="", max_length=2000)
    scope: OneLine = Field(default="", max_length=2000)
    legal_bases: list[str] = Field(default_factory=list, max_length=30)
    steps: list[StepIn] = Field(min_length=1, max_length=30)
    forms: list[FormIn] = Field(default_factory=list, max_length=30)
    records: list[RecordIn] = Field(default_factory=list, max_length=30)
    units: list[str] = Field(default_factory=list, max_length=50)
    # Chu kỳ xem xét lại (tháng); left out, the draft keeps the one it had.
    review_months: int | None = Field(default=None, ge=1, le=60, title="chu kỳ xem xét")
    reason: OneLine = Field(min_length=1, max_length=2000)  # lý do sửa đổi
    change_summary: OneLine = Field(min_length=1, max_length=2000)  # tóm tắt nội dung sửa đổi

    @field_validator("legal_bases")
    @classmethod
    def _bases(cls, value: list[str]) -> list[str]:
        return [one_line(v) for v in value if v.strip()]


class EditIn(VersionIn):
    version: int = Field(ge=1)


class ReviewIn(BaseModel):
    version: int = Field(ge=1)
    comment: str = Field(default="", max_length=2000)


class ApproveIn(BaseModel):
    version: int = Field(ge=1)
    effective_from: date


class BasisIn(BaseModel):
    basis: OneLine = Field(min_length=1, max_length=300)
    replaced: bool = True
    note: OneLine = Field(default="", max_length=2000)


class ReviewedIn(BaseModel):
    """The owner's review with no change (đã xem xét, không thay đổi)."""

    note: OneLine = Field(default="", max_length=2000)
    # The flagged legal bases the review found need no change.
    clear_bases: list[str] = Field(default_factory=list, max_length=30,
                                   title="căn cứ bỏ đánh dấu")

    @field_validator("clear_bases")
    @classmethod
    def _bases(cls, value: list[str]) -> list[str]:
        return [one_line(v) for v in value if v.strip()]


class ProcedureIn(BaseModel):
    code: str = Field(min_length=4, max_length=20, pattern=r"^QT-[0-9A-ZĐ]{1,12}-[0-9]{2}$",
                      title="mã quy trình")
    title: OneLine = Field(min_length=1, max_length=300, title="tên quy trình")
    kind: str = Field(pattern="^(onestop|review)$")
    owner: str = Field(min_length=1, max_length=64)
    owner_unit: str = Field(min_length=1, max_length=20)
    applies_to: list[str] = Field(default_factory=list, max_length=50)


class EvidenceQuery(BaseModel):
    start: date = Field(title="từ ngày")
    end: date = Field(title="đến ngày")
    format: str = Field(default="xlsx", pattern="^(xlsx|json)$")

"""Incoming documents (văn bản đến), Decree 30/2020 Art. 20–24.

What a registered incoming document holds, the limits of its metadata (the
lengths of the decree's metadata appendix), and the states it moves through.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from chalicelib.kernel.errors import FieldProblem, InvalidInput
from chalicelib.kernel.text import clean


class Urgency(StrEnum):
    THUONG = "Thường"
    KHAN = "Khẩn"
    THUONG_KHAN = "Thượng khẩn"
    HOA_TOC = "Hỏa tốc"


URGENT = frozenset({Urgency.KHAN, Urgency.THUONG_KHAN, Urgency.HOA_TOC})


class DocStatus(StrEnum):
    REGISTERED = "registered"  # đã vào sổ, chờ trình lãnh đạo
    DISTRIBUTED = "distributed"  # lãnh đạo đã phân phối
    IN_PROGRESS = "in_progress"  # đang xử lý
    COMPLETED = "completed"  # đã hoàn thành


STATUS_LABELS = {
    DocStatus.REGISTERED: "Đã vào sổ",
    DocStatus.DISTRIBUTED: "Đã phân phối",
    DocStatus.IN_PROGRESS: "Đang xử lý",
    DocStatus.COMPLETED: "Hoàn thành",
}


class IntakeStatus(StrEnum):
    PROCESSING = "processing"
    REGISTERED = "registered"
    DUPLICATE = "duplicate"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"
    FAILED = "failed"  # kept failing: parked in the DLQ, shown for a retry


# Decree 30 metadata lengths (Appendix VI: CodeNotation 30, Subject 500,
# OrganName 200, SignerInfo.FullName 50; "số, ký hiệu" = number + notation).
LIMITS = {
    "so_ky_hieu": 42,  # CodeNumber 11 + "/" + CodeNotation 30
    "co_quan_ban_hanh": 200,
    "loai_van_ban": 100,
    "trich_yeu": 500,
    "nguoi_ky": 50,
}

REQUIRED_TO_REGISTER = ("so_ky_hieu", "co_quan_ban_hanh", "ngay_ban_hanh", "trich_yeu")
REQUIRED_LABELS = {"so_ky_hieu": "số, ký hiệu", "co_quan_ban_hanh": "cơ quan ban hành",
                   "ngay_ban_hanh": "ngày ban hành", "trich_yeu": "trích yếu"}


def nfc(text: str | None) -> str:
    """Outside text as stored: NFC, without control, bidi or zero-width characters
    (a PDF's text layer carries whatever its producer put there), trimmed."""
    return clean(text or "").strip()


@dataclass(frozen=True)
class Metadata:
    so_ky_hieu: str = ""
    co_quan_ban_hanh: str = ""
    ngay_ban_hanh: date | None = None
    loai_van_ban: str = ""
    trich_yeu: str = ""
    do_khan: Urgency = Urgency.THUONG
    nguoi_ky: str = ""

    def normalised(self) -> Metadata:
        return Metadata(
            # Type codes keep their case (TTr, CTr, QyĐ): Decree 30 App. III.
            so_ky_hieu=nfc(self.so_ky_hieu).replace(" ", ""),
            co_quan_ban_hanh=nfc(self.co_quan_ban_hanh),
            ngay_ban_hanh=self.ngay_ban_hanh,
            loai_van_ban=nfc(self.loai_van_ban),
            trich_yeu=" ".join(nfc(self.trich_yeu).split()),
            do_khan=self.do_khan,
            nguoi_ky=nfc(self.nguoi_ky),
        )

    def missing(self) -> list[str]:
        return [name for name in REQUIRED_TO_REGISTER if not getattr(self, name)]

    def check_not_erased(self, before: Mapping[str, object]) -> None:
        """A correction fixes the register's facts; it never empties one that the
        document has (a scan's detected number, a subject typed by a clerk)."""
        problems = [
            FieldProblem(name, f"Không được để trống {REQUIRED_LABELS[name]} của văn bản "
                               "đã vào sổ.", f"{name} is required and cannot be erased.")
            for name in self.missing() if before.get(name)
        ]
        InvalidInput.unless_none(problems, "Thiếu thông tin bắt buộc của văn bản đến.",
                                 "Required metadata of the document cannot be erased.",
                                 "required_erased")

    def check_lengths(self) -> None:
        problems = [
            FieldProblem(name, f"Tối đa {limit} ký tự.", f"At most {limit} characters.")
            for name, limit in LIMITS.items()
            if len(getattr(self, name)) > limit
        ]
        InvalidInput.unless_none(problems, "Thông tin văn bản vượt độ dài cho phép.",
                                 "Document metadata is too long.", "too_long")

    def duplicate_key(self) -> str | None:
        """Same number + symbol + issuing agency (+ year): a possible duplicate."""
        if not (self.so_ky_hieu and self.co_quan_ban_hanh and self.ngay_ban_hanh):
            return None
        agency = "".join(
            ch for ch in unicodedata.normalize("NFD", self.co_quan_ban_hanh.casefold())
            if unicodedata.category(ch) != "Mn" and not ch.isspace()
        )
        return f"{self.ngay_ban_hanh.year}#{self.so_ky_hieu.upper()}#{agency}"


def format_so_den(number: int) -> str:
    """Decree 30: numbers below 10 take a leading zero."""
    return f"{number:02d}"

"""The vocabulary of inter-agency exchange (QCVN 102:2016/BTTTT, Decree 30
Appendix VI): status codes, business types, the DocumentId, the agency code.
Pure: no AWS, no web framework."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum

from chalicelib.kernel.errors import DomainError


class Status(StrEnum):
    ARRIVED = "01"      # Đã đến
    REFUSED = "02"      # Từ chối tiếp nhận (with a reason)
    ACCEPTED = "03"     # Đã tiếp nhận
    ASSIGNED = "04"     # Phân công
    IN_PROGRESS = "05"  # Đang xử lý
    DONE = "06"         # Hoàn thành


STATUS_LABELS: dict[str, str] = {
    Status.ARRIVED: "Đã đến", Status.REFUSED: "Từ chối tiếp nhận",
    Status.ACCEPTED: "Đã tiếp nhận", Status.ASSIGNED: "Phân công",
    Status.IN_PROGRESS: "Đang xử lý", Status.DONE: "Hoàn thành",
}


class Business(StrEnum):
    NEW = "0"
    RECALL = "1"
    UPDATE = "2"
    REPLACE = "3"


class Channel(StrEnum):
    PLATFORM = "platform"  # the national exchange platform (edXML)
    EMAIL = "email"


# Where a packet we send stands on our side, before the recipient answers.
class SendState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


ORGAN_ID = re.compile(r"^[0-9A-Z]{2,3}(\.[0-9A-Z]{2,3}){3}$")
# "số/ký hiệu": the number, a slash, the notation (letters of any script, digits, - . &)
CODE = re.compile(r"^(\d{1,6})/([^\s/,][^,]{0,98})$")


class PacketError(DomainError):
    """A packet we cannot accept; ``code`` says why (malformed, signature,
    unknown_sender, pdf_signature, too_large), the messages say it to people and
    go back to the sender in status 02."""


REASONS: dict[str, tuple[str, str]] = {
    "malformed": ("Gói tin không đúng cấu trúc edXML.", "The packet is not well-formed edXML."),
    "signature": ("Chữ ký số của gói tin không hợp lệ.", "The packet's signature is not valid."),
    "unknown_sender": ("Cơ quan gửi không có trong danh bạ liên thông.",
                       "The sending agency is not in the exchange directory."),
    "pdf_signature": ("Chữ ký số trên tệp văn bản không hợp lệ.",
                      "A signature on the document file is not valid."),
    "too_large": ("Gói tin vượt quá dung lượng cho phép.", "The packet is larger than allowed."),
    "no_document": ("Gói tin không kèm tệp văn bản PDF.", "The packet carries no PDF file."),
    "unknown_document": ("Không tìm thấy văn bản được nhắc tới trong gói tin.",
                         "The document the packet refers to is unknown."),
}


def refusal(code: str, detail: str = "") -> PacketError:
    vi, en = REASONS[code]
    if detail:
        vi, en = f"{vi} ({detail})", f"{en} ({detail})"
    return PacketError(vi, en, code)


def document_id(organ_id: str, promulgated: date, code: str) -> str:
    """``OrganId,yyyy/MM/dd,số/ký hiệu``: how both ends name one document."""
    return f"{organ_id},{promulgated:%Y/%m/%d},{code}"


def split_code(code: str) -> tuple[str, str]:
    """``"01/SKHĐT-ĐKKD"`` → (``"01"``, ``"SKHĐT-ĐKKD"``)."""
    found = CODE.match(unicodedata.normalize("NFC", code.strip()))
    if not found:
        raise refusal("malformed", f"Code {code!r}")
    return found.group(1), found.group(2)


def clean_text(value: str, limit: int) -> str:
    """Text from outside: NFC, control and bidi characters removed, one line."""
    value = unicodedata.normalize("NFC", value or "")
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    return " ".join(value.split())[:limit]

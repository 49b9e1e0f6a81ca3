"""What an incoming PDF is, before anyone registers it: readable, a scan, locked,
broken, or not a PDF at all; and, when it has a text layer, that text.

pypdf (pure Python, no native build for Lambda) is imported inside the
functions, never at module level: every Lambda of the app imports the adapters
on its cold start and only the ingest worker ever opens a PDF.

Nothing here raises for a bad file. Incoming files come from outside the agency
(scanners, e-mail, other systems), so a hostile or broken file is an ordinary
input: it becomes a status with a reason a clerk can read, and the intake keeps
a record of it.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:  # only for the type checker: pypdf stays out of the cold start
    from pypdf import PdfReader

__all__ = ["PdfReport", "PdfStatus", "inspect_pdf"]

PdfStatus = Literal["readable", "scanned", "encrypted", "truncated", "not_pdf", "empty"]

# The PDF spec puts "%PDF-" at offset 0, but readers (Acrobat included) accept
# it anywhere in the first KiB, and some mail gateways prepend a few bytes.
_HEADER_WINDOW: Final = 1024
# Less meaningful text than this (letters and digits, whole document) is what a
# scan carries at most: a scanner's stamp such as "Scanned with CamScanner".
_MIN_TEXT_CHARS: Final = 32
# Above this the file is not an official document but a book or a bomb; the
# metadata sits on the first page anyway.
_MAX_TEXT_CHARS: Final = 2_000_000
# Wall-clock budget for text extraction: a Lambda has a timeout, and a page
# count alone does not bound the work of a pathological content stream.
_TIME_BUDGET_S: Final = 20.0

# Control characters a text layer may carry (NUL, BOM, zero-width) that would
# break searching and matching; "\n" and "\f" are kept, they carry structure.
_DROP_CHARS: Final = dict.fromkeys(
    [c for c in range(32) if c not in (9, 10, 12)] + [0x7F, 0x200B, 0x200C, 0x200D, 0xFEFF]
)

_REASONS: Final[dict[str, tuple[str, str]]] = {
    "readable": (
        "Tệp PDF có lớp văn bản, đọc được nội dung.",
        "The PDF has a text layer; its content can be read.",
    ),
    "scanned": (
        "Tệp PDF là bản quét (chỉ có hình ảnh, không có lớp văn bản): cần nhập thông tin "
        "văn bản bằng tay hoặc nhận dạng ký tự (OCR).",
        "The PDF is a scan (images only, no text layer): the metadata must be entered by "
        "hand or recognised by OCR.",
    ),
    "encrypted": (
        "Tệp PDF được đặt mật khẩu, không mở được khi không có mật khẩu. Đề nghị nơi gửi "
        "gửi lại bản không đặt mật khẩu.",
        "The PDF is password-protected and cannot be opened without the password. Ask the "
        "sender for a copy without a password.",
    ),
    "truncated": (
        "Tệp PDF bị hỏng hoặc không đầy đủ (có thể bị cắt cụt khi gửi hoặc tải lên), không "
        "đọc được. Đề nghị nơi gửi gửi lại.",
        "The PDF is damaged or incomplete (probably cut off while being sent or uploaded) "
        "and cannot be read. Ask the sender to send it again.",
    ),
    "not_pdf": (
        "Tệp không phải định dạng PDF (không có chữ ký tệp %PDF), bất kể tên tệp là gì.",
        "The file is not a PDF (no %PDF signature), whatever its name says.",
    ),
    "empty": (
        "Tệp rỗng (0 byte), không có nội dung.",
        "The file is empty (0 bytes).",
    ),
}
_NO_PAGES: Final = (
    "Tệp PDF không có trang nào.",
    "The PDF has no pages.",
)
_NO_EOF: Final = (
    "Tệp PDF bị cắt cụt: thiếu phần kết thúc tệp (%%EOF), không đọc được. Đề nghị nơi gửi "
    "gửi lại.",
    "The PDF is cut off: its end-of-file marker (%%EOF) is missing, so it cannot be read. "
    "Ask the sender to send it again.",
)


@dataclass(frozen=True)
class PdfReport:
    """The verdict on one file.

    ``ok`` means the file is a PDF the system can open and show (readable or
    scanned): it can be registered. ``text`` is empty unless ``status`` is
    "readable"; pages are separated by a form feed ("\\f").
    """

    ok: bool
    status: PdfStatus
    reason: str
    reason_en: str
    pages: int | None = None
    text: str = ""
    first_page_text: str = ""
    # 0-based pages of a readable PDF that are images without text (a mixed PDF:
    # signed pages scanned back in, an annex photocopied): what OCR must read.
    image_only_pages: tuple[int, ...] = ()


def _report(status: PdfStatus, pages: int | None = None, text: str = "",
            first_page_text: str = "", reason: tuple[str, str] | None = None,
            image_only_pages: tuple[int, ...] = ()) -> PdfReport:
    vi, en = reason or _REASONS[status]
    return PdfReport(ok=status in ("readable", "scanned"), status=status, reason=vi,
                     reason_en=en, pages=pages, text=text, first_page_text=first_page_text,
                     image_only_pages=image_only_pages)


def _clean(text: str) -> str:
    # NFC because some producers emit decomposed Vietnamese (NFD): the same word
    # must compare, search and store as the same string.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text.translate(_DROP_CHARS))


def _meaningful_chars(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _quiet_pypdf() -> None:
    # pypdf logs a warning per oddity it repairs; a hostile file can produce
    # thousands of lines in the Lambda log. Errors still get through.
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def _open(data: bytes) -> tuple[PdfReader | None, PdfReport | None]:
    """Parse and, if needed, decrypt. Returns the reader or the final report."""
    import io

    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception:  # noqa: BLE001 - any failure to parse a %PDF file means it is damaged
        return None, _report("truncated")
    try:
        encrypted = reader.is_encrypted
    except Exception:  # noqa: BLE001 - a broken trailer is damage, not a crash
        return None, _report("truncated")
    if encrypted:
        try:
            # An empty user password (only an owner password set, to forbid
            # printing or copying) opens the file for reading: not "encrypted".
            opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
        except Exception:  # noqa: BLE001 - unknown algorithm, missing crypto backend, damage
            opened = False
        if not opened:
            # pypdf refuses to read even the page tree of a locked file, so
            # the page count stays unknown.
            return None, _report("encrypted")
    return reader, None


# A page with fewer letters and digits than this and an image is a scanned page
# (a short last page of a text PDF, "Nguyễn Văn A", still has more).
_PAGE_TEXT_CHARS: Final = 8


def _has_image(page: Any) -> bool:
    try:
        objects = page["/Resources"].get_object().get("/XObject")
        if objects is None:
            return False
        return any(ref.get_object().get("/Subtype") == "/Image"
                   for ref in objects.get_object().values())
    except Exception:  # noqa: BLE001 - an odd resource dictionary: not a scanned page
        return False


def _image_only(reader: PdfReader, texts: list[str]) -> tuple[int, ...]:
    return tuple(i for i, text in enumerate(texts)
                 if _meaningful_chars(text) < _PAGE_TEXT_CHARS and _has_image(reader.pages[i]))


def _extract(reader: PdfReader, max_pages: int) -> tuple[int, list[str]] | None:
    """Page count and the text of the first ``max_pages`` pages, or None when
    the page tree itself is broken."""
    try:
        count = len(reader.pages)
    except Exception:  # noqa: BLE001 - a broken page tree is damage
        return None
    texts: list[str] = []
    total = 0
    deadline = time.monotonic() + _TIME_BUDGET_S
    # At least one page: with none read, every file would look like a scan.
    for index in range(min(count, max(max_pages, 1))):
        # Checked between pages only: one pathological page can still run long,
        # and the Lambda timeout is the backstop for that.
        if time.monotonic() > deadline or total > _MAX_TEXT_CHARS:
            break  # what we have is enough to classify and to find the metadata
        try:
            page_text: Any = reader.pages[index].extract_text()
        except Exception:  # noqa: BLE001 - one bad page must not lose the others
            page_text = ""
        cleaned = _clean(page_text if isinstance(page_text, str) else "")
        texts.append(cleaned)
        total += len(cleaned)
    return count, texts


def inspect_pdf(data: bytes, max_pages: int = 200) -> PdfReport:
    """Classify ``data`` and extract its text layer. Never raises."""
    try:
        return _inspect(data, max_pages)
    except Exception:  # noqa: BLE001 - last line of defence: a hostile file is a status
        return _report("truncated")


def _inspect(data: bytes, max_pages: int) -> PdfReport:
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        return _report("empty" if not data else "not_pdf")
    if not data.strip():
        return _report("empty")
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        return _report("not_pdf")
    # Without %%EOF the tail (cross-reference table, trailer) is missing: pypdf
    # might rebuild something from the objects it finds, but a document with
    # its end cut off is not the document that was sent.
    if b"%%EOF" not in data:
        return _report("truncated", reason=_NO_EOF)

    _quiet_pypdf()
    reader, verdict = _open(data)
    if verdict is not None:
        return verdict
    assert reader is not None
    extracted = _extract(reader, max_pages)
    if extracted is None:
        return _report("truncated")
    count, texts = extracted
    if count == 0:
        return _report("empty", pages=0, reason=_NO_PAGES)
    text = "\f".join(texts)[:_MAX_TEXT_CHARS]
    if _meaningful_chars(text) < _MIN_TEXT_CHARS:
        return _report("scanned", pages=count)
    return _report("readable", pages=count, text=text,
                   first_page_text=texts[0] if texts else "",
                   image_only_pages=_image_only(reader, texts))

"""Numbers, symbols, date lines and signature titles of the documents the
agency issues, written the way Decree 30/2020/NĐ-CP (Appendix I, II and III)
prescribes.

Pure domain code, standard library only. Every string that comes out is NFC;
wrong input raises ``ValueError`` with a Vietnamese message, because the clerk
sees it.

This module is about the documents the agency *writes*; the detector in
``decree30`` reads documents of any origin and so also knows the codes of
legal documents (NĐ, TT, ...) that a department never issues.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Final

__all__ = [
    "CONG_VAN",
    "COPY_TYPES",
    "DOCUMENT_TYPES",
    "SIGNING_AUTHORITIES",
    "date_line",
    "format_number",
    "has_type_code",
    "is_known_type",
    "initials",
    "number_line",
    "plain_subject",
    "series_of",
    "storage_line",
    "signature_title",
    "type_name",
]

SOURCE: Final = "Nghị định 30/2020/NĐ-CP, Phụ lục III (hiệu lực từ 05/3/2020)"

# A công văn has no code of its own in Appendix III; "CV" is only our key and
# never appears in a symbol.
CONG_VAN: Final = "CV"

# Appendix III, in its order. The codes keep the decree's mixed case (QyĐ, CTr,
# TTr): upper-casing them would turn QyĐ into "QYĐ", which is not the code.
DOCUMENT_TYPES: Final[Mapping[str, str]] = MappingProxyType({
    "NQ": "Nghị quyết (cá biệt)",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "QC": "Quy chế",
    "QyĐ": "Quy định",
    "TC": "Thông cáo",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "CTr": "Chương trình",
    "KH": "Kế hoạch",
    "PA": "Phương án",
    "ĐA": "Đề án",
    "DA": "Dự án",
    "BC": "Báo cáo",
    "BB": "Biên bản",
    "TTr": "Tờ trình",
    "HĐ": "Hợp đồng",
    "CĐ": "Công điện",
    "BGN": "Bản ghi nhớ",
    "BTT": "Bản thỏa thuận",
    "GUQ": "Giấy ủy quyền",
    "GM": "Giấy mời",
    "GGT": "Giấy giới thiệu",
    "GNP": "Giấy nghỉ phép",
    "PG": "Phiếu gửi",
    "PC": "Phiếu chuyển",
    "PB": "Phiếu báo",
    CONG_VAN: "Công văn",
})

# Copies are numbered in a sequence of their own (Appendix I, Part III); they are not
# documents a drafter composes, so they stay out of DOCUMENT_TYPES.
COPY_TYPES: Final[Mapping[str, str]] = MappingProxyType({
    "SY": "Bản sao y",
    "TrS": "Bản trích sao",
    "SL": "Bản sao lục",
})

# Appendix I, II.7; "" is the head of the agency signing in person.
SIGNING_AUTHORITIES: Final[Mapping[str, str]] = MappingProxyType({
    "": "Người đứng đầu ký trực tiếp",
    "TM.": "Thay mặt tập thể lãnh đạo",
    "Q.": "Quyền (cấp phó được giao quyền cấp trưởng)",
    "KT.": "Ký thay người đứng đầu",
    "TL.": "Thừa lệnh người đứng đầu",
    "TUQ.": "Thừa ủy quyền người đứng đầu",
})

# edXML CodeNotation holds 30 characters: a longer symbol could not be sent to
# another agency.
_MAX_SYMBOL: Final = 30


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def is_known_type(code: str) -> bool:
    return _nfc(code) in DOCUMENT_TYPES


def has_type_code(code: str) -> bool:
    """Whether the type's code is written in the symbol (all but công văn)."""
    _check_type(code)
    return _nfc(code) != CONG_VAN


def type_name(code: str) -> str:
    return DOCUMENT_TYPES[_check_type(code)]


def _check_type(code: str) -> str:
    code = _nfc(code)
    if code not in DOCUMENT_TYPES:
        raise ValueError(f"Loại văn bản không có trong Phụ lục III: {code!r}")
    return code


def _check_group(value: str | None, what: str) -> str:
    """An agency or unit abbreviation: upper case, letters and digits, groups
    joined by "-" (joint bodies), no spaces."""
    text = _nfc(value or "")
    groups = text.split("-")
    if not text or any(not g or not g.isalnum() or g != g.upper() for g in groups):
        raise ValueError(
            f"Chữ viết tắt {what} phải viết hoa, không dấu cách, chỉ gồm chữ và số: {value!r}")
    return text


def format_number(number: int, *, type_code: str, agency_code: str,
                  unit_code: str | None = None) -> str:
    """"15/QĐ-SKHĐT"; a công văn carries the drafting unit instead of a type
    code: "05/SKHĐT-VP". A typed document's symbol has no unit (Appendix I,
    II.3.a), so ``unit_code`` is ignored for it."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"Số văn bản phải là số nguyên từ 1 trở lên: {number!r}")
    code = _check_type(type_code)
    agency = _check_group(agency_code, "tên cơ quan")
    if code == CONG_VAN:
        symbol = f"{agency}-{_check_group(unit_code, 'đơn vị soạn thảo')}"
    else:
        symbol = f"{code}-{agency}"
    if len(symbol) > _MAX_SYMBOL:
        raise ValueError(f"Ký hiệu văn bản dài quá {_MAX_SYMBOL} ký tự: {symbol}")
    return f"{number:02d}/{symbol}"


def number_line(formatted: str) -> str:
    return f"Số: {_nfc(formatted).strip()}"


def date_line(place: str, day: date) -> str:
    """"Hà Nội, ngày 05 tháng 01 năm 2020": days below 10 and the months 1 and
    2 take a zero, so that nobody can add a digit to them afterwards."""
    place = _nfc(place).strip()
    if not place:
        raise ValueError("Thiếu địa danh của ngày ban hành")
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


# "V/v", "V/V", "v/v:" or "Về việc" typed before a subject line.
_VV: Final = re.compile(r"^\s*(?:v\s*/\s*v|về\s+việc)\b\s*[:.\-–]?\s*", re.IGNORECASE)


def plain_subject(subject: str) -> str:
    """The subject line without a leading "V/v" (or "Về việc"): the officer
    types the subject, the document and its mail add "V/v" once (Appendix I,
    II.5.b), so a typed "V/v" would print twice. Repeated prefixes go too."""
    text = _nfc(subject).strip()
    while (match := _VV.match(text)) and match.end():
        text = text[match.end():]
    return text


def initials(full_name: str) -> str:
    """"Trần Văn Minh" → "TVM": the drafter's mark on the "Lưu:" line."""
    return "".join(word[0] for word in _nfc(full_name).split() if word[0].isalpha()).upper()


def storage_line(unit_abbreviation: str, drafter_name: str, copies: int = 2) -> str:
    """The "Lưu:" line closing "Nơi nhận" (Appendix I, II.9.b and the forms of
    Appendix I: "Lưu: VT, A.XX(n)."): the clerk's office (VT), the drafting
    unit's abbreviation, the drafter's initials and the number of copies kept."""
    unit = _nfc(unit_abbreviation).strip()
    mark = initials(drafter_name)
    tail = f"{unit}.{mark}" if unit and mark else unit or mark
    return f"Lưu: VT, {tail}({copies:02d})." if tail else f"Lưu: VT({copies:02d})."


def _upper(text: str) -> str:
    # str.upper keeps the tone marks (ệ → Ệ); NFC so that NFD input matches.
    return _nfc(_nfc(text).strip().upper())


def signature_title(authority: str, *, head_title: str, signer_title: str,
                    collective: str | None = None) -> list[str]:
    """The upper-case lines above the signature (Appendix I, II.7).

    ``collective`` is the body whose leadership acts collectively (a People's
    Committee): its head signs "TM." it, and a deputy or a delegate signs
    under a "TM." line followed by the usual "KT."/"TL."/"TUQ." lines.
    """
    authority = _nfc(authority).strip()
    if authority not in SIGNING_AUTHORITIES:
        raise ValueError(f"Thẩm quyền ký không hợp lệ: {authority!r}")
    head = _upper(head_title)
    signer = _upper(signer_title)
    body = _upper(collective) if collective else ""
    if authority == "TM.":
        if not body:
            raise ValueError("Ký thay mặt (TM.) cần tên tập thể lãnh đạo")
        return [f"TM. {body}", signer]
    if authority == "" and body:
        raise ValueError("Người đứng đầu ký thay mặt tập thể phải dùng TM.")
    if not head:
        raise ValueError("Thiếu chức vụ của người đứng đầu")
    lines = [f"TM. {body}"] if body else []
    if authority == "":
        return [head]
    if authority == "Q.":
        # The acting head signs under the head's title only (Appendix I, II.7).
        return [*lines, f"Q. {head}"]
    if not signer:
        raise ValueError("Thiếu chức vụ của người ký")
    return [*lines, f"{authority} {head}", signer]


def series_of(type_code: str, secret: bool) -> str:
    """Which sequence the number comes from (Art. 15): one for all documents
    of the year, paper and electronic alike; secret documents and copies have
    their own. A secret copy stays in the secret sequence: secret registers are
    never mixed with others."""
    code = _nfc(type_code)
    if code not in DOCUMENT_TYPES and code not in COPY_TYPES:
        raise ValueError(f"Loại văn bản không có trong Phụ lục III: {type_code!r}")
    if secret:
        return "secret"
    if code in COPY_TYPES:
        return "copy"
    return "regular"

"""Metadata a clerk reads off an official document laid out per Decree
30/2020/NĐ-CP (Appendix I), detected from the text layer of the file.

Pure domain code, standard library only. The input is whatever a PDF text
extractor produced: reading order differs between producers, the two header
columns may be glued onto one line, Vietnamese may arrive decomposed (NFD),
tone marks may follow the old placement ("hoà" for "hòa"). Every value comes
out NFC; nothing raises; what is not found is ``None``, has confidence 0 and is
listed in ``missing`` for a person to complete.

Layout assumed (Appendix I of the decree):

    PARENT AGENCY (optional)           CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
    ISSUING AGENCY                     Độc lập - Tự do - Hạnh phúc
    Số: 07/TB-SXD                      Hà Nội, ngày 03 tháng 02 năm 2026
    V/v … (công văn only)
                 KHẨN (urgency stamp, optional)
                 THÔNG BÁO (type heading; none for a công văn)
                 Subject line(s)
    body …
    Nơi nhận: …                        KT. GIÁM ĐỐC
                                       PHÓ GIÁM ĐỐC
                                       Nguyễn Thị Thu Hằng
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final

from chalicelib.kernel.numbering import CONG_VAN as NUMBERING_CONG_VAN
from chalicelib.kernel.numbering import COPY_TYPES, DOCUMENT_TYPES

__all__ = [
    "FIELDS",
    "FIELD_LIMITS",
    "TYPE_CODES",
    "TYPE_CODES_SOURCE",
    "URGENCY_LEVELS",
    "Detected",
    "detect",
    "format_agency_name",
]

# Appendix III of Decree 30/2020/NĐ-CP (in force since 2020-03-05): the code in
# the symbol → the type name. Kept as data because the list changes with the
# decree; the last three are legal documents (Law on Promulgation), which the
# agency also receives and whose symbols carry the same kind of code.
TYPE_CODES_SOURCE: Final = "Nghị định 30/2020/NĐ-CP, Phụ lục III (hiệu lực từ 05/3/2020)"
TYPE_CODES: Final[Mapping[str, str]] = MappingProxyType({
    # The outgoing side's list (kernel/numbering.py) less our own key for the
    # công văn; a resolution is headed plain "NGHỊ QUYẾT" on paper.
    **{code: name for code, name in DOCUMENT_TYPES.items() if code != NUMBERING_CONG_VAN},
    "NQ": "Nghị quyết",
    **COPY_TYPES,
    "NĐ": "Nghị định",
    "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch",
})
CONG_VAN: Final = "Công văn"
_DEFAULT_URGENCY_CONFIDENCE: Final = 0.5

# Values as the registers and edXML name them (priority 0-3); "hỏa tốc hẹn
# giờ" (edXML 4) is recorded as "Hỏa tốc", the most urgent of these levels.
URGENCY_LEVELS: Final = ("Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc")

FIELDS: Final = ("so_ky_hieu", "co_quan_ban_hanh", "ngay_ban_hanh", "loai_van_ban",
                 "trich_yeu", "do_khan", "nguoi_ky")
# Metadata lengths of DOMAIN.md (CodeNotation, OrganName, TypeName, Subject,
# SignerInfo.FullName): longer values would be refused by the exchange format.
FIELD_LIMITS: Final[Mapping[str, int]] = MappingProxyType({
    "so_ky_hieu": 30,
    "co_quan_ban_hanh": 200,
    "loai_van_ban": 100,
    "trich_yeu": 500,
    "nguoi_ky": 50,
})


@dataclass(frozen=True)
class Detected:
    """What was read off the page. ``ngay_ban_hanh`` is an ISO date.

    ``confidence`` has every field of FIELDS (0 when not found); ``missing``
    lists the fields a person must fill in; ``truncated`` lists those cut to the
    lengths of FIELD_LIMITS (their confidence is halved)."""

    so_ky_hieu: str | None = None
    co_quan_ban_hanh: str | None = None
    ngay_ban_hanh: str | None = None
    loai_van_ban: str | None = None
    trich_yeu: str | None = None
    do_khan: str = "Thường"
    nguoi_ky: str | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# Text normalisation

_SPACE_CHARS: Final = {0x00A0: " ", 0x2007: " ", 0x2009: " ", 0x202F: " ", 0x3000: " ",
                       0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None,
                       0x00AD: None, 0x09: "    ", 0x0D: "\n", 0x0B: "\n", 0x0C: "\n"}
_DASHES: Final = re.compile(r"[‐-―−]")
# Old-style tone placement ("hoà", "thoả", "uỷ") next to the new one ("hòa",
# "thỏa", "ủy"): both are correct Vietnamese and both occur in real documents,
# so matching folds them together (outputs keep the spelling as printed).
_OLD_TONE_MAP: Final = {
    "OÀ": "ÒA", "OẢ": "ỎA", "OÃ": "ÕA", "OÁ": "ÓA", "OẠ": "ỌA",
    "OÈ": "ÒE", "OẺ": "ỎE", "OẼ": "ÕE", "OÉ": "ÓE", "OẸ": "ỌE",
    "UỲ": "ÙY", "UỶ": "ỦY", "UỸ": "ŨY", "UÝ": "ÚY", "UỴ": "ỤY",
}
_OLD_TONE: Final = re.compile("(?:" + "|".join(_OLD_TONE_MAP) + r")(?!\w)")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold(text: str) -> str:
    """Comparison key: upper case, one spelling of tones and dashes, single spaces."""
    text = _DASHES.sub("-", _nfc(text).upper())
    text = _OLD_TONE.sub(lambda m: _OLD_TONE_MAP[m.group(0)], text)
    return " ".join(text.split())


def _squash(text: str) -> str:
    return " ".join(text.split())


def _is_upper_text(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


# --------------------------------------------------------------------------
# Lines

_MOTTO_NATION: Final = re.compile(
    r"CỘNG\s+H(?:ÒA|OÀ)\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM", re.IGNORECASE)
_MOTTO_VALUES: Final = re.compile(
    r"Độc\s+lập\s*[-‐-―]\s*Tự\s+do\s*[-‐-―]\s*Hạnh\s+phúc", re.IGNORECASE)
_DATE: Final = re.compile(
    r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DATE_AFTER_PLACE: Final = re.compile(
    r",\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}", re.IGNORECASE)
_SEPARATOR: Final = re.compile(r"^[\s\-_=*~.·•–—]+$")
_PLACE_TOKEN: Final = re.compile(r"^[^\W\d_][^\W_]*\.?$")


@dataclass(frozen=True)
class _Line:
    raw: str  # as extracted: indentation and column gaps kept
    text: str  # stripped, inner whitespace squashed
    fold: str
    indented: bool  # a paragraph indent: the body has started

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def separator(self) -> bool:
        return bool(self.text) and bool(_SEPARATOR.match(self.text))


def _place_start(before: str) -> int | None:
    """Where the place name of a date line starts in ``before`` (the text up to
    ", ngày"): up to five capitalised words, e.g. "Hà Nội", "TP. Hồ Chí Minh"."""
    tokens = list(re.finditer(r"\S+", before))
    start: int | None = None
    for token in reversed(tokens[-5:]):
        word = token.group(0)
        if not (_PLACE_TOKEN.match(word) and word[0].isupper()
                and (any(ch.islower() for ch in word) or word.endswith("."))):
            break  # "Hà", "Nội", "TP." but not "CHÍNH" of an agency line
        start = token.start()
    return start


def _split_columns(raw: str) -> list[str]:
    """Cut a line where a right-column element was glued onto left-column text
    (both header columns share a baseline, and some extractors emit them as
    one line): the national motto and the place-and-date line."""
    cuts: set[int] = set()
    for pattern in (_MOTTO_NATION, _MOTTO_VALUES):
        for m in pattern.finditer(raw):
            cuts.update((m.start(), m.end()))
    for m in _DATE_AFTER_PLACE.finditer(raw):
        start = _place_start(raw[:m.start()])
        if start is not None:
            cuts.update((start, m.end()))
    if not cuts:
        return [raw]
    pieces: list[str] = []
    last = 0
    for cut in sorted(cuts | {len(raw)}):
        piece = raw[last:cut]
        if piece.strip():
            pieces.append(piece if last == 0 else piece.strip())
        last = cut
    return pieces or [raw]


def _lines(text: str) -> list[_Line]:
    # Windows line ends first, so that "\r\n" does not become a blank line
    # (blank lines end a subject).
    text = _nfc(text.replace("\r\n", "\n")).translate(_SPACE_CHARS)
    out: list[_Line] = []
    for raw in text.split("\n"):
        raw = "".join(ch for ch in raw if ch >= " ")
        for piece in _split_columns(raw):
            stripped = _squash(piece)
            indented = bool(stripped) and piece[:2].isspace() and len(piece) > 2
            out.append(_Line(piece, stripped, _fold(stripped), indented))
    return out


# --------------------------------------------------------------------------
# Vocabulary

def _type_headings() -> dict[str, str]:
    headings = {_fold(name): name for name in TYPE_CODES.values()}
    headings[_fold(CONG_VAN)] = CONG_VAN
    return headings


_TYPE_HEADINGS: Final = _type_headings()
_TYPE_CODES_FOLDED: Final = {_fold(code): name for code, name in TYPE_CODES.items()}

_URGENCY_FOLDED: Final = {
    _fold("Hỏa tốc hẹn giờ"): "Hỏa tốc",
    _fold("Hỏa tốc"): "Hỏa tốc",
    _fold("Thượng khẩn"): "Thượng khẩn",
    _fold("Khẩn"): "Khẩn",
}
# As printed on the stamp (upper case), inside a line an extractor glued it to.
_URGENCY_STAMP: Final = re.compile(
    r"(?<!\w)(HỎA TỐC|HOẢ TỐC|THƯỢNG KHẨN|KHẨN)(?!\w)")
_URGENCY_LABEL: Final = re.compile(
    r"^ĐỘ KHẨN\s*:\s*(HỎA TỐC(?: HẸN GIỜ)?|THƯỢNG KHẨN|KHẨN|THƯỜNG)")

_SO_KY_HIEU: Final = re.compile(
    r"^Số\s*[:.]?\s*(?P<num>\d{1,7}[a-zA-Z]?)?\s*/\s*"
    r"(?P<sym>[^\W_]+(?:\s*[-/]\s*[^\W_]+)*)", re.IGNORECASE)
_VV: Final = re.compile(r"^(?:V\s*/\s*v|Về\s+việc)\b\s*[:.]?\s*", re.IGNORECASE)
_SIGN_PREFIX: Final = re.compile(r"^(?:KT|TL|TM|TUQ|Q)\s*\.\s*\S")
_BODY_START: Final = re.compile(
    r"^(?:KÍNH GỬI|CĂN CỨ|NƠI NHẬN|ĐIỀU 1\b)")
_PLACEHOLDER: Final = re.compile(
    r"^[\[(].{0,40}[\])]$|^(?:đã ký|ký|chữ ký số)\b", re.IGNORECASE)
_NAME_PREFIXES: Final = tuple(_fold(p) for p in (
    # Rank and degree titles some signers print before their name; Decree 30
    # keeps only military and police ranks, the register keeps the bare name.
    "Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá", "Thượng tá",
    "Trung tá", "Thiếu tá", "GS.TS.", "PGS.TS.", "GS.", "PGS.", "TS.", "ThS.", "BS.",
))
# Words that continue a subject onto a next line starting with a capital
# (a proper noun or an acronym): "… của" / "UBND Thành phố".
_JOINING_WORDS: Final = frozenset({
    "của", "và", "về", "tại", "cho", "với", "theo", "trên", "đến", "các", "những", "số",
    "năm", "quý", "tháng", "thuộc", "giữa", "trong", "ngoài", "phố", "tỉnh", "quận",
    "huyện", "xã", "phường",
})

# -- agency names -----------------------------------------------------------

# Heads of an agency name: a line starting with one of these starts a new name
# (the issuing agency under its parent); any other line continues the name
# above it (a long name wrapped onto two lines).
_AGENCY_HEADS: Final = tuple(tuple(_fold(p).split()) for p in (
    "Ủy ban nhân dân", "Hội đồng nhân dân", "UBND", "HĐND", "Văn phòng", "Sở", "Bộ",
    "Cục", "Tổng cục", "Chi cục", "Vụ", "Phòng", "Ban", "Trung tâm", "Thanh tra",
    "Kho bạc", "Công an", "Bộ Chỉ huy", "Bảo hiểm", "Tòa án", "Viện", "Học viện",
    "Trường", "Bệnh viện", "Đảng ủy", "Đảng bộ", "Tỉnh ủy", "Thành ủy", "Huyện ủy",
    "Quận ủy", "Đoàn", "Hội", "Liên đoàn", "Chi nhánh", "Đài", "Báo", "Ngân hàng",
    "Tập đoàn", "Tổng công ty", "Công ty", "Chính phủ", "Quốc hội", "Thủ tướng",
    "Đại học", "Đội", "Trạm", "Kiểm toán", "Mặt trận", "Bộ Tư lệnh",
))
# Words the name cannot end on: the next line must carry the rest.
_DANGLING: Final = ("THÀNH PHỐ", "TỈNH", "QUẬN", "HUYỆN", "THỊ XÃ", "XÃ", "PHƯỜNG",
                    "THỊ TRẤN", "VÀ", "CỦA", "-", ",")
# Party committees are named after their place: "Tỉnh ủy Bắc Ninh".
_PARTY_COMMITTEES: Final = ("Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy")
_PARTY_FOLDED: Final = frozenset(tuple(_fold(p).split()) for p in _PARTY_COMMITTEES)
# Kinds of agency, written with a capital on the first syllable only; what
# follows them is the agency's field, written "Tài chính", "Kế hoạch và Đầu tư".
_KIND_PHRASES: Final = tuple(sorted((tuple(_fold(p).split()) for p in (
    "Ủy ban nhân dân", "Hội đồng nhân dân", "Văn phòng", "Sở", "Bộ", "Cục", "Tổng cục",
    "Chi cục", "Vụ", "Phòng", "Ban", "Trung tâm", "Thanh tra", "Kho bạc", "Công an",
    "Bảo hiểm", "Tòa án nhân dân", "Viện kiểm sát nhân dân", "Viện", "Học viện", "Trường",
    "Bệnh viện", "Đảng ủy", "Chi nhánh", "Đài", "Ngân hàng", "Đại học", "Đội", "Trạm",
    "Bộ Chỉ huy", "Bộ Tư lệnh", "Liên đoàn", "Hội", "Tổng công ty", "Công ty",
    *_PARTY_COMMITTEES,
)), key=len, reverse=True))
# Names with a fixed spelling (capitals inside, by law or by usage).
_FIXED_NAMES: Final = {tuple(_fold(p).split()): p for p in (
    "Công Thương", "Chính phủ", "Quốc hội", "Thủ tướng Chính phủ", "Nhà nước",
    "Trung ương", "Việt Nam", "Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ",
    "Huế", "Mặt trận Tổ quốc Việt Nam", "Quân đội nhân dân", "Công an nhân dân",
)}
_FIXED_KEYS: Final = tuple(sorted(_FIXED_NAMES, key=len, reverse=True))
# Administrative units: lower case before a place name ("thành phố Hà Nội"),
# capitalised when they stand for a known one ("UBND Thành phố").
_ADMIN_UNITS: Final = tuple(sorted((tuple(_fold(p).split()) for p in (
    "thành phố", "tỉnh", "quận", "huyện", "thị xã", "xã", "phường", "thị trấn", "đặc khu",
)), key=len, reverse=True))
_ACRONYMS: Final = frozenset({"UBND", "HĐND", "MTTQ", "TP", "TW", "VN"})

_ONSET = r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?"
_SYLLABLE: Final = re.compile(rf"^{_ONSET}[aeiouy]{{1,3}}(?:ch|ng|nh|c|m|n|p|t)?$")


def _bare(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_acronym(core: str) -> bool:
    """An upper-case token that is not a Vietnamese syllable ("UBND", "HĐND",
    "KBNN") is an abbreviation and keeps its capitals."""
    if core.upper() in _ACRONYMS:
        return True
    if any(ch.isdigit() for ch in core):
        return True
    return not _SYLLABLE.match(_bare(core))


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def _match_at(folded: Sequence[str], i: int, phrases: Sequence[tuple[str, ...]]) -> int:
    for phrase in phrases:
        if tuple(folded[i:i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def format_agency_name(name: str) -> str:
    """An agency name as a clerk writes it, from the upper case of the header:
    "SỞ KẾ HOẠCH VÀ ĐẦU TƯ" → "Sở Kế hoạch và Đầu tư", "UBND QUẬN CẦU GIẤY" →
    "UBND quận Cầu Giấy", "VĂN PHÒNG UBND THÀNH PHỐ" → "Văn phòng UBND Thành phố".

    Follows the capitalisation rules of Decree 30 (Appendix II): a capital on
    the first syllable of the kind of agency and of each field of activity,
    place names in title case, abbreviations unchanged. A name not printed in
    upper case was already written by a person and is returned as printed.
    Proper names without a marker ("Trường Đại học Bách khoa …") cannot be told
    from a field of activity and come out in sentence case."""
    name = _squash(_nfc(name))
    if not _is_upper_text(name):
        return name
    # Commas and semicolons become tokens of their own: they, like dashes,
    # separate fields ("Văn hóa, Thể thao và Du lịch").
    tokens = re.findall(r"[,;]|[^\s,;]+", name)
    folded = [_fold(t) for t in tokens]
    out: list[str] = []
    state = "kind"  # kind: the next word opens a field; field: inside one; place
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not any(ch.isalnum() for ch in token):
            out.append(token)
            state = "kind"
            i += 1
            continue
        fixed = _match_at(folded, i, _FIXED_KEYS)
        if fixed:
            out.append(_FIXED_NAMES[tuple(folded[i:i + fixed])])
            state = "field"
            i += fixed
            continue
        kind = _match_at(folded, i, _KIND_PHRASES) if state == "kind" else 0
        if kind:
            phrase = [w.lower() for w in tokens[i:i + kind]]
            out.append(" ".join([_capitalise(phrase[0]), *phrase[1:]]))
            state = "place" if tuple(folded[i:i + kind]) in _PARTY_FOLDED else "kind"
            i += kind
            continue
        if _is_acronym(token):
            out.append(token)
            state = "kind"
            i += 1
            continue
        unit = _match_at(folded, i, _ADMIN_UNITS) if state != "place" else 0
        if unit and folded[i:i + 2] != ["XÃ", "HỘI"]:  # "xã hội" is society, not a commune
            phrase = [w.lower() for w in tokens[i:i + unit]]
            named = any(any(ch.isalnum() for ch in t) for t in tokens[i + unit:])
            if not named or not out:
                # "UBND Thành phố": the unit stands for the one everybody knows.
                phrase[0] = _capitalise(phrase[0])
            out.append(" ".join(phrase))
            state = "place" if named else "kind"
            i += unit
            continue
        if folded[i] == "VÀ":
            out.append(token.lower())
            state = "kind"
        elif state == "field":
            out.append(token.lower())
        else:
            out.append(_capitalise(token))
            if state == "kind":
                state = "field"
        i += 1
    text = " ".join(out)
    return _nfc(re.sub(r"\s+([,;])", r"\1", text))


# --------------------------------------------------------------------------
# Detection


@dataclass
class _Found:
    values: dict[str, str | None] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)

    def set(self, name: str, value: str | None, confidence: float) -> None:
        self.values[name] = value
        self.confidence[name] = confidence if value else 0.0


def _header_end(lines: Sequence[_Line]) -> int:
    """Index of the first line of the body (or of the recipients' block)."""
    limit = min(len(lines), 40)
    for i in range(limit):
        line = lines[i]
        if line.indented or _BODY_START.match(line.fold):
            return i
    return limit


def _find_so_ky_hieu(lines: Sequence[_Line], end: int) -> tuple[int | None, str | None, str | None]:
    """(line index, "07/TB-SXD" as printed, the symbol after the number)."""
    for i, line in enumerate(lines[:max(end, 1) + 5]):
        m = _SO_KY_HIEU.match(line.text)
        if not m:
            continue
        symbol = re.sub(r"\s+", "", m.group("sym"))
        if not any(ch.isupper() for ch in symbol):
            continue  # symbols are upper case ("TTr", "QyĐ" at most mix): not one
        number = m.group("num")
        return i, (f"{number}/{symbol}" if number else None), symbol
    return None, None, None


def _type_from_symbol(symbol: str | None) -> str | None:
    if not symbol:
        return None
    for group in re.split(r"[-/]", symbol):
        if group.isdigit():
            continue  # the year of a legal document: "30/2020/NĐ-CP"
        return _TYPE_CODES_FOLDED.get(_fold(group))
    return None


def _is_motto_or_date(line: _Line) -> bool:
    return bool(_MOTTO_NATION.search(line.text) or _MOTTO_VALUES.search(line.text)
                or _date_line(line) is not None)


def _date_line(line: _Line) -> date | None:
    """The place-and-date line: "Hà Nội, ngày 03 tháng 02 năm 2026"."""
    m = _DATE_AFTER_PLACE.search(line.text)
    if not m or _place_start(line.text[:m.start()]) != 0:
        return None
    return _parse_date(line.text[m.start():])


def _parse_date(text: str) -> date | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _find_date(lines: Sequence[_Line], end: int) -> tuple[str | None, float]:
    for line in lines[:end]:
        found = _date_line(line)
        if found:
            return found.isoformat(), 0.95
    for line in lines[:end]:
        if _DATE.match(line.text):  # "ngày … tháng … năm …" without a place
            found = _parse_date(line.text)
            if found:
                return found.isoformat(), 0.8
    for line in lines[:end]:
        found = _parse_date(line.text)
        if found:
            return found.isoformat(), 0.5
    return None, 0.0


def _urgency_of(line: _Line) -> str | None:
    if line.fold in _URGENCY_FOLDED:
        return _URGENCY_FOLDED[line.fold]
    m = _URGENCY_LABEL.match(line.fold)
    if m:
        return _URGENCY_FOLDED.get(m.group(1), "Thường")
    return None


def _find_urgency(lines: Sequence[_Line], end: int) -> tuple[str, float]:
    for line in lines[:end]:
        level = _urgency_of(line)
        if level:
            return level, 0.95
    for line in lines[:end]:
        # A stamp glued to a neighbouring element sits at one end of the line;
        # inside it, "KHẨN" is part of a name ("… CẤP CỨU KHẨN CẤP").
        for m in _URGENCY_STAMP.finditer(line.text):
            if m.start() == 0 or m.end() == len(line.text):
                return _URGENCY_FOLDED[_fold(m.group(1))], 0.7
    # No stamp: the decree prints nothing for ordinary documents, so absence is
    # evidence, but weaker than a stamp (it may be a stamp we failed to read).
    return URGENCY_LEVELS[0], _DEFAULT_URGENCY_CONFIDENCE


def _is_stop(line: _Line, *, opening: bool = False) -> bool:
    """A line that cannot be (``opening``: open) or continue a subject."""
    return (line.blank or line.separator or line.indented or _is_upper_text(line.text)
            or _is_motto_or_date(line) or bool(_BODY_START.match(line.fold))
            or bool(_SO_KY_HIEU.match(line.text))
            or (not opening and bool(_VV.match(line.text)))
            or _urgency_of(line) is not None)


def _continues(previous: str, line: _Line) -> bool:
    if _is_stop(line):
        return False
    first = line.text[0]
    if first.islower() or first.isdigit() or first in "(\"'“":
        return True
    last_word = previous.rstrip(",").rsplit(" ", 1)[-1].lower()
    return last_word in _JOINING_WORDS or previous.endswith(",")


def _collect(lines: Sequence[_Line], start: int, first: str) -> str:
    parts = [first]
    for line in lines[start:start + 6]:
        if not _continues(parts[-1], line):
            break
        parts.append(line.text)
    return _squash(" ".join(parts))


def _lower_first(subject: str) -> str:
    """The subject follows the type name in the registers ("Thông báo kết luận
    …"), so a capital that only opens the printed line goes: "Kết luận của …" →
    "kết luận của …"; a proper noun ("Hà Nội …") or an acronym stays."""
    words = subject.split(" ", 2)
    head = words[0]
    if not (head[:1].isupper() and (head[1:].islower() or len(head) == 1)):
        return subject
    if len(words) > 1 and words[1][:1].isupper():
        return subject
    return head[:1].lower() + subject[1:]


def _find_subject_vv(lines: Sequence[_Line], end: int) -> tuple[int | None, str | None]:
    for i, line in enumerate(lines[:end]):
        m = _VV.match(line.text)
        if m and line.text[m.end():].strip():
            body = _collect(lines, i + 1, line.text[m.end():].strip())
            return i, f"V/v {body}"
    return None, None


def _find_heading(lines: Sequence[_Line], start: int, end: int) -> tuple[int | None, str | None]:
    for i in [*range(start, end), *range(0, min(start, end))]:
        line = lines[i]
        if _is_upper_text(line.text) and line.fold in _TYPE_HEADINGS:
            return i, _TYPE_HEADINGS[line.fold]
    return None, None


def _find_subject_after(lines: Sequence[_Line], heading: int) -> str | None:
    i = heading + 1
    while i < len(lines) and i <= heading + 2 and (lines[i].blank or lines[i].separator):
        i += 1  # a rule under the heading, or one empty line
    if i >= len(lines) or _is_stop(lines[i], opening=True):
        return None
    return _lower_first(_collect(lines, i + 1, lines[i].text))


def _agency_groups(block: Sequence[_Line]) -> list[str]:
    """Header lines grouped into agency names, parent first."""
    groups: list[list[_Line]] = []
    for line in block:
        words = line.fold.split()
        starts_new = any(tuple(words[:len(head)]) == head for head in _AGENCY_HEADS)
        if groups:
            above = " ".join(ln.fold for ln in groups[-1])
            dangling = any(above.endswith(" " + d) or above == d for d in _DANGLING)
            if dangling or not starts_new:
                groups[-1].append(line)
                continue
        groups.append([line])
    return [" ".join(ln.text for ln in group) for group in groups]


def _find_agency(lines: Sequence[_Line], so_index: int | None,
                 end: int) -> tuple[str | None, float]:
    stop = so_index if so_index is not None else end
    block: list[_Line] = []
    for line in lines[:stop]:
        if (line.blank or line.separator or _is_motto_or_date(line)
                or _urgency_of(line) is not None):
            continue
        if line.fold in _TYPE_HEADINGS or _VV.match(line.text):
            break
        block.append(line)
    block = [line for line in block if _is_upper_text(line.text)][-4:]
    if not block:
        return None, 0.0
    groups = _agency_groups(block)
    confidence = 0.9 if so_index is not None else 0.6
    return format_agency_name(groups[-1]), confidence


def _strip_name(text: str) -> str:
    text = re.sub(r"\s*[(\[].*?[)\]]\s*", " ", text).strip()
    folded = _fold(text)
    for prefix in _NAME_PREFIXES:
        if folded.startswith(prefix + " "):
            text = text[len(prefix) + 1:].strip()
            break
    return text


def _is_name(text: str) -> bool:
    words = text.split()
    # Longer than FullName allows is still a name: it is cut and marked later.
    if not 2 <= len(words) <= 7 or len(text) > 100:
        return False
    return all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower())
               for w in words)


def _right_piece(line: _Line) -> str:
    """The right-hand column of a line an extractor glued to the left one with a
    wide gap ("- Như trên;        PHÓ GIÁM ĐỐC"), or the whole line."""
    return _squash(re.split(r"\s{3,}", line.raw.strip())[-1])


def _is_signing_anchor(line: _Line) -> bool:
    """The authority prefix ("KT. GIÁM ĐỐC") or the signer's title in capitals."""
    return any(bool(_SIGN_PREFIX.match(text)) or (_is_upper_text(text) and len(text) <= 80)
               for text in (line.text, _right_piece(line)))


def _find_signer(lines: Sequence[_Line], after: int) -> tuple[str | None, float]:
    """The signer's name: the last name-like line under the signing authority
    and title lines, looked for in the last lines after the header."""
    first = max(after, len(lines) - 30)
    region = [line for line in lines[first:] if not line.blank]
    fallback: str | None = None
    for i in range(len(region) - 1, -1, -1):
        line = region[i]
        if _PLACEHOLDER.match(line.text):
            continue
        candidates = [line.text, _right_piece(line)]
        for candidate in candidates:
            name = _strip_name(candidate)
            if not _is_name(name):
                continue
            above = region[max(0, i - 6):i]
            if any(_is_signing_anchor(a) for a in above):
                return name, 0.9
            fallback = fallback or name
    return fallback, (0.5 if fallback else 0.0)


def _limit(found: _Found, truncated: list[str]) -> None:
    for name, limit in FIELD_LIMITS.items():
        value = found.values.get(name)
        if value and len(value) > limit:
            found.values[name] = value[:limit].rstrip()
            found.confidence[name] = round(found.confidence.get(name, 0.0) * 0.5, 3)
            truncated.append(name)


def _detect(text: str) -> Detected:
    lines = _lines(text)
    end = _header_end(lines)
    found = _Found()

    so_index, so_ky_hieu, symbol = _find_so_ky_hieu(lines, end)
    found.set("so_ky_hieu", so_ky_hieu, 0.95)

    agency, agency_conf = _find_agency(lines, so_index, end)
    found.set("co_quan_ban_hanh", agency, agency_conf)

    iso, date_conf = _find_date(lines, end)
    found.set("ngay_ban_hanh", iso, date_conf)

    urgency, urgency_conf = _find_urgency(lines, end)
    found.set("do_khan", urgency, urgency_conf)

    vv_index, vv_subject = _find_subject_vv(lines, end)
    heading_from = so_index + 1 if so_index is not None else 0
    heading_index, heading = _find_heading(lines, heading_from, max(end, heading_from))
    code_type = _type_from_symbol(symbol)

    if heading is not None and heading_index is not None:
        type_conf = 0.95 if code_type == heading else (0.8 if code_type is None else 0.7)
        found.set("loai_van_ban", heading, type_conf)
        subject = _find_subject_after(lines, heading_index)
        found.set("trich_yeu", subject, 0.85)
    elif vv_subject is not None:
        # A công văn: no heading; its symbol starts with the agency, not a type code.
        found.set("loai_van_ban", CONG_VAN, 0.95 if symbol and code_type is None else 0.8)
        found.set("trich_yeu", vv_subject, 0.9)
    elif code_type is not None:
        found.set("loai_van_ban", code_type, 0.7)
        found.set("trich_yeu", None, 0.0)
    elif symbol:
        found.set("loai_van_ban", CONG_VAN, 0.6)
        found.set("trich_yeu", None, 0.0)
    else:
        found.set("loai_van_ban", None, 0.0)
        found.set("trich_yeu", None, 0.0)
    if found.values.get("trich_yeu") is None and vv_subject is not None:
        found.set("trich_yeu", vv_subject, 0.6)

    # The signature is below everything the header gave; not below the body
    # start, which a short document without body markers may not have.
    header_parts = [i for i in (so_index, vv_index, heading_index) if i is not None]
    signer, signer_conf = _find_signer(lines, max(header_parts, default=-1) + 1)
    found.set("nguoi_ky", signer, signer_conf)

    truncated: list[str] = []
    _limit(found, truncated)
    values = {k: (_nfc(v) if v else None) for k, v in found.values.items()}
    return Detected(
        so_ky_hieu=values.get("so_ky_hieu"),
        co_quan_ban_hanh=values.get("co_quan_ban_hanh"),
        ngay_ban_hanh=values.get("ngay_ban_hanh"),
        loai_van_ban=values.get("loai_van_ban"),
        trich_yeu=values.get("trich_yeu"),
        do_khan=values.get("do_khan") or URGENCY_LEVELS[0],
        nguoi_ky=values.get("nguoi_ky"),
        confidence={name: found.confidence.get(name, 0.0) for name in FIELDS},
        missing=[name for name in FIELDS if not values.get(name)],
        truncated=truncated,
    )


def detect(text: str) -> Detected:
    """Read the Decree 30 metadata off ``text`` (pages may be separated by
    form feeds). Never raises: odd input gives a result with fields missing."""
    if not isinstance(text, str) or not text.strip():
        return _nothing()
    try:
        return _detect(text)
    except Exception:  # noqa: BLE001 - a detector must degrade, not fail the intake
        return _nothing()


def _nothing() -> Detected:
    return Detected(
        do_khan=URGENCY_LEVELS[0],
        confidence={name: (_DEFAULT_URGENCY_CONFIDENCE if name == "do_khan" else 0.0)
                    for name in FIELDS},
        missing=[name for name in FIELDS if name != "do_khan"],
    )

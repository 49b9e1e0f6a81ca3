"""Unit tests for the Decree 30 numbering rules: number and symbol, date line,
signature titles and numbering series."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest

from chalicelib.kernel.numbering import (
    CONG_VAN,
    COPY_TYPES,
    DOCUMENT_TYPES,
    SIGNING_AUTHORITIES,
    date_line,
    format_number,
    has_type_code,
    is_known_type,
    number_line,
    series_of,
    signature_title,
    type_name,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


# -- Types ---------------------------------------------------------------------


def test_appendix_iii_codes_and_cong_van() -> None:
    assert len(DOCUMENT_TYPES) == 28  # 27 codes of Appendix III + công văn
    assert type_name("QĐ") == "Quyết định"
    assert type_name("QyĐ") == "Quy định"
    assert type_name("CTr") == "Chương trình"
    assert type_name("TTr") == "Tờ trình"
    assert type_name("NQ") == "Nghị quyết (cá biệt)"
    assert type_name(CONG_VAN) == "Công văn"
    assert not has_type_code("CV") and has_type_code("TB")
    assert all(is_nfc(k) and is_nfc(v) for k, v in DOCUMENT_TYPES.items())
    assert not set(COPY_TYPES) & set(DOCUMENT_TYPES)


@pytest.mark.parametrize("code", ["QĐ", "QyĐ", "CTr", "TTr", "CV", nfd("ĐA")])
def test_known_types(code: str) -> None:
    assert is_known_type(code)


@pytest.mark.parametrize("code", ["", "qđ", "QYĐ", "CTR", "Ttr", "NĐ", "SY", "XYZ", " QĐ"])
def test_unknown_types(code: str) -> None:
    assert not is_known_type(code)
    with pytest.raises(ValueError):
        type_name(code)


# -- Number and symbol -----------------------------------------------------------


@pytest.mark.parametrize(("number", "code", "agency", "unit", "expected"), [
    (15, "QĐ", "SKHĐT", None, "15/QĐ-SKHĐT"),
    (15, "QĐ", "SKHĐT", "VP", "15/QĐ-SKHĐT"),  # a typed document's symbol has no unit
    (1, "TB", "SXD", None, "01/TB-SXD"),
    (9, "KH", "UBND", None, "09/KH-UBND"),
    (10, "BC", "UBND", None, "10/BC-UBND"),
    (1234, "GM", "SKHĐT", None, "1234/GM-SKHĐT"),
    (5, "CV", "SKHĐT", "VP", "05/SKHĐT-VP"),
    (123, "CV", "BNV", "TCBC", "123/BNV-TCBC"),
    (7, "QyĐ", "SKHĐT", None, "07/QyĐ-SKHĐT"),
    (7, "CTr", "SKHĐT", None, "07/CTr-SKHĐT"),
    (7, "TTr", "SKHĐT", None, "07/TTr-SKHĐT"),
    (3, "ĐA", "SNN", None, "03/ĐA-SNN"),
    (2, "HĐ", "BCĐ-UBND", None, "02/HĐ-BCĐ-UBND"),  # joint body: groups joined by "-"
])
def test_format_number(number: int, code: str, agency: str, unit: str | None,
                       expected: str) -> None:
    assert format_number(number, type_code=code, agency_code=agency, unit_code=unit) == expected


def test_format_number_is_nfc_whatever_the_input() -> None:
    formatted = format_number(15, type_code=nfd("QĐ"), agency_code=nfd("SKHĐT"))
    assert formatted == "15/QĐ-SKHĐT" and is_nfc(formatted)
    assert " " not in formatted


@pytest.mark.parametrize("number", [0, -1, True, 1.0, "15"])
def test_format_number_rejects_bad_numbers(number: object) -> None:
    with pytest.raises(ValueError):
        format_number(number, type_code="QĐ", agency_code="SKHĐT")  # type: ignore[arg-type]


@pytest.mark.parametrize("agency", ["", "skhđt", "SKH ĐT", " SKHĐT", "SKHĐT-", "S/K", "SKHđT"])
def test_format_number_rejects_bad_agency_codes(agency: str) -> None:
    with pytest.raises(ValueError):
        format_number(15, type_code="QĐ", agency_code=agency)


def test_format_number_rejects_unknown_type_and_cong_van_without_unit() -> None:
    with pytest.raises(ValueError):
        format_number(15, type_code="QD", agency_code="SKHĐT")
    with pytest.raises(ValueError):
        format_number(15, type_code="qđ", agency_code="SKHĐT")
    with pytest.raises(ValueError):
        format_number(5, type_code="CV", agency_code="SKHĐT")
    with pytest.raises(ValueError):
        format_number(5, type_code="CV", agency_code="SKHĐT", unit_code="vp")


def test_format_number_rejects_symbols_too_long_for_edxml() -> None:
    with pytest.raises(ValueError):
        format_number(1, type_code="QĐ", agency_code="A" * 28)
    assert format_number(1, type_code="QĐ", agency_code="A" * 27) == f"01/QĐ-{'A' * 27}"


def test_number_line() -> None:
    assert number_line("15/QĐ-SKHĐT") == "Số: 15/QĐ-SKHĐT"
    assert number_line(nfd("05/SKHĐT-VP")) == "Số: 05/SKHĐT-VP"


# -- Date line -------------------------------------------------------------------


def test_date_line_examples() -> None:
    assert date_line("Hà Nội", date(2020, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2020"
    assert date_line("Hà Nội", date(2020, 3, 15)) == "Hà Nội, ngày 15 tháng 3 năm 2020"
    assert date_line("Hà Nội", date(2020, 12, 5)) == "Hà Nội, ngày 05 tháng 12 năm 2020"
    assert date_line("Đà Nẵng", date(2026, 2, 28)) == "Đà Nẵng, ngày 28 tháng 02 năm 2026"


@pytest.mark.parametrize("month", range(1, 13))
def test_date_line_every_month_and_day(month: int) -> None:
    day = date(2024, month, 1)  # a leap year: 29 February too
    while day.month == month:
        line = date_line("Hà Nội", day)
        month_text = f"{month:02d}" if month <= 2 else str(month)
        assert line == f"Hà Nội, ngày {day.day:02d} tháng {month_text} năm 2024"
        day += timedelta(days=1)


def test_date_line_normalises_the_place_and_refuses_none() -> None:
    line = date_line(nfd("  Thành phố Hồ Chí Minh "), date(2026, 1, 9))
    assert line == "Thành phố Hồ Chí Minh, ngày 09 tháng 01 năm 2026" and is_nfc(line)
    with pytest.raises(ValueError):
        date_line("  ", date(2026, 1, 9))


# -- Signature titles ------------------------------------------------------------


def test_signing_authorities() -> None:
    assert set(SIGNING_AUTHORITIES) == {"", "TM.", "Q.", "KT.", "TL.", "TUQ."}
    assert all(SIGNING_AUTHORITIES.values())


@pytest.mark.parametrize(("authority", "kwargs", "expected"), [
    ("", {"head_title": "Giám đốc", "signer_title": "Giám đốc"}, ["GIÁM ĐỐC"]),
    ("KT.", {"head_title": "Giám đốc", "signer_title": "Phó Giám đốc"},
     ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
    ("TL.", {"head_title": "Giám đốc", "signer_title": "Chánh Văn phòng"},
     ["TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"]),
    ("TUQ.", {"head_title": "Giám đốc", "signer_title": "Trưởng phòng Tổ chức cán bộ"},
     ["TUQ. GIÁM ĐỐC", "TRƯỞNG PHÒNG TỔ CHỨC CÁN BỘ"]),
    ("Q.", {"head_title": "Giám đốc", "signer_title": "Phó Giám đốc"}, ["Q. GIÁM ĐỐC"]),
    ("TM.", {"head_title": "Chủ tịch", "signer_title": "Chủ tịch",
             "collective": "Ủy ban nhân dân"}, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
    ("KT.", {"head_title": "Chủ tịch", "signer_title": "Phó Chủ tịch",
             "collective": "Ủy ban nhân dân"},
     ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
])
def test_signature_title(authority: str, kwargs: dict[str, str], expected: list[str]) -> None:
    assert signature_title(authority, **kwargs) == expected


def test_signature_title_keeps_diacritics_and_is_nfc() -> None:
    lines = signature_title("KT.", head_title=nfd("Giám đốc"), signer_title=nfd("Phó Giám đốc"))
    assert lines == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert all(is_nfc(line) for line in lines)
    assert signature_title("", head_title="Viện trưởng", signer_title="") == ["VIỆN TRƯỞNG"]


@pytest.mark.parametrize(("authority", "kwargs"), [
    ("KT", {"head_title": "Giám đốc", "signer_title": "Phó Giám đốc"}),
    ("Ký thay", {"head_title": "Giám đốc", "signer_title": "Phó Giám đốc"}),
    ("TM.", {"head_title": "Chủ tịch", "signer_title": "Chủ tịch"}),  # no collective
    ("", {"head_title": "Chủ tịch", "signer_title": "Chủ tịch", "collective": "UBND"}),
    ("KT.", {"head_title": "", "signer_title": "Phó Giám đốc"}),
    ("KT.", {"head_title": "Giám đốc", "signer_title": " "}),
])
def test_signature_title_rejects(authority: str, kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        signature_title(authority, **kwargs)


# -- Series ----------------------------------------------------------------------


def test_series() -> None:
    assert series_of("QĐ", False) == series_of("CV", False) == "regular"
    assert series_of("QĐ", True) == series_of("CV", True) == "secret"
    assert series_of("SY", False) == series_of("TrS", False) == "copy"
    assert series_of("SY", True) == "secret"
    with pytest.raises(ValueError):
        series_of("XX", False)

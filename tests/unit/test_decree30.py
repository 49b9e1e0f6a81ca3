"""Unit tests for the Decree 30 metadata detector, on texts written the way PDF
text extractors hand them over (header columns one after the other, or glued
onto one line; NFC or NFD; old or new tone placement)."""

from __future__ import annotations

import unicodedata
from typing import Literal

import pytest

from chalicelib.incoming.decree30 import (
    FIELD_LIMITS,
    FIELDS,
    TYPE_CODES,
    URGENCY_LEVELS,
    Detected,
    detect,
    format_agency_name,
)


def document(
    *,
    agency: str = "UBND THÀNH PHỐ HÀ NỘI\nSỞ XÂY DỰNG",
    number: str = "Số: 07/TB-SXD",
    subject_block: str = "THÔNG BÁO\nKết luận của Giám đốc Sở tại cuộc họp giao ban",
    urgency: str = "",
    date_line: str = "Hà Nội, ngày 03 tháng 02 năm 2026",
    body: str = "    Giám đốc Sở yêu cầu các phòng hoàn thành hồ sơ đúng hạn.",
    signature: str = "GIÁM ĐỐC\nLê Quang Hưng",
) -> str:
    """A one-page document in the reading order pypdf gives the corpus files:
    left header column, right header column, centre, body, recipients, signer."""
    parts = [agency, number]
    if not subject_block.startswith(("THÔNG BÁO", "QUYẾT ĐỊNH", "GIẤY MỜI", "KẾ HOẠCH",
                                     "TỜ TRÌNH", "BÁO CÁO", "BIÊN BẢN", "CHỈ THỊ")):
        parts.append(subject_block)  # a công văn's "V/v" sits in the left column
        subject_block = ""
    parts += ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", date_line]
    if urgency:
        parts.append(urgency)
    if subject_block:
        parts.append(subject_block)
    parts += [body, "Nơi nhận:\n- Như trên;\n- Lưu: VT.", signature]
    return "\n".join(parts)


CONG_VAN = document(
    agency="UBND THÀNH PHỐ HÀ NỘI\nSỞ TÀI CHÍNH",
    number="Số: 1234/STC-QLNS",
    subject_block="V/v hướng dẫn xây dựng dự toán ngân\nsách nhà nước năm 2027",
    date_line="Hà Nội, ngày 05 tháng 11 năm 2026",
    body="Kính gửi: Các sở, ban, ngành thuộc Thành phố.\n    Thực hiện Luật Ngân sách nhà nước.",
    signature="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\nNguyễn Thị Thu Hằng",
)


def assert_nfc(result: Detected) -> None:
    for name in FIELDS:
        value = getattr(result, name)
        if value is not None:
            assert unicodedata.is_normalized("NFC", value), name


# -- each document type ---------------------------------------------------


def test_thong_bao_reads_every_field() -> None:
    result = detect(document())
    assert result.so_ky_hieu == "07/TB-SXD"  # the leading zero as printed
    assert result.co_quan_ban_hanh == "Sở Xây dựng"
    assert result.ngay_ban_hanh == "2026-02-03"
    assert result.loai_van_ban == "Thông báo"
    assert result.trich_yeu == "kết luận của Giám đốc Sở tại cuộc họp giao ban"
    assert result.do_khan == "Thường"
    assert result.nguoi_ky == "Lê Quang Hưng"
    assert result.missing == []
    assert result.truncated == []
    assert set(result.confidence) == set(FIELDS)
    assert all(0 < c <= 1 for c in result.confidence.values())


def test_cong_van_has_no_heading_and_a_v_v_subject_over_two_lines() -> None:
    result = detect(CONG_VAN)
    assert result.loai_van_ban == "Công văn"
    assert result.trich_yeu == (
        "V/v hướng dẫn xây dựng dự toán ngân sách nhà nước năm 2027")
    assert result.so_ky_hieu == "1234/STC-QLNS"
    assert result.co_quan_ban_hanh == "Sở Tài chính"
    assert result.nguoi_ky == "Nguyễn Thị Thu Hằng"  # after "KT." and the title lines
    assert result.confidence["loai_van_ban"] >= 0.9


def test_cong_van_prefix_is_written_v_slash_v() -> None:
    text = CONG_VAN.replace("V/v hướng", "V/V hướng")
    assert detect(text).trich_yeu == (
        "V/v hướng dẫn xây dựng dự toán ngân sách nhà nước năm 2027")


def test_quyet_dinh_agency_on_two_lines_without_parent() -> None:
    text = document(
        agency="ỦY BAN NHÂN DÂN THÀNH PHỐ\nHÀ NỘI",
        number="Số: 45/QĐ-UBND",
        subject_block=("QUYẾT ĐỊNH\nVề việc ban hành Kế hoạch cải cách hành chính\n"
                       "năm 2027\nCHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI\n"
                       "Căn cứ Luật Tổ chức chính quyền địa phương;"),
        body="QUYẾT ĐỊNH:\nĐiều 1. Ban hành kèm theo Quyết định này Kế hoạch.",
        signature="TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nTrần Văn Minh",
    )
    result = detect(text)
    assert result.co_quan_ban_hanh == "Ủy ban nhân dân thành phố Hà Nội"
    assert result.loai_van_ban == "Quyết định"
    assert result.trich_yeu == "về việc ban hành Kế hoạch cải cách hành chính năm 2027"
    assert result.nguoi_ky == "Trần Văn Minh"


@pytest.mark.parametrize(("heading", "code", "name"), [
    ("GIẤY MỜI", "GM", "Giấy mời"),
    ("KẾ HOẠCH", "KH", "Kế hoạch"),
    ("TỜ TRÌNH", "TTr", "Tờ trình"),
    ("BÁO CÁO", "BC", "Báo cáo"),
    ("BIÊN BẢN", "BB", "Biên bản"),
    ("CHỈ THỊ", "CT", "Chỉ thị"),
])
def test_type_from_heading_agrees_with_the_code(heading: str, code: str, name: str) -> None:
    text = document(number=f"Số: 15/{code}-SXD", subject_block=f"{heading}\nTổ chức hội nghị")
    result = detect(text)
    assert result.loai_van_ban == name
    assert result.so_ky_hieu == f"15/{code}-SXD"
    assert result.trich_yeu == "tổ chức hội nghị"
    assert result.confidence["loai_van_ban"] == 0.95


def test_type_from_the_code_alone_when_the_heading_is_unreadable() -> None:
    text = document(number="Số: 12/KH-SXD", subject_block="Một dòng tiêu đề bị mất")
    result = detect(text)
    assert result.loai_van_ban == "Kế hoạch"
    assert result.confidence["loai_van_ban"] < 0.95


def test_heading_wins_over_a_conflicting_code_with_less_confidence() -> None:
    result = detect(document(number="Số: 15/BC-SXD"))
    assert result.loai_van_ban == "Thông báo"
    assert result.confidence["loai_van_ban"] < 0.95


def test_legal_document_number_with_year() -> None:
    text = document(agency="CHÍNH PHỦ", number="Số: 30/2020/NĐ-CP",
                    subject_block="Về công tác văn thư")
    result = detect(text)
    assert result.so_ky_hieu == "30/2020/NĐ-CP"
    assert result.loai_van_ban == "Nghị định"
    assert result.co_quan_ban_hanh == "Chính phủ"


def test_the_code_table_is_appendix_iii() -> None:
    for code in ("NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA",
                 "DA", "BC", "BB", "TTr", "HĐ", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP",
                 "PG", "PC", "PB", "SY", "TrS", "SL"):
        assert code in TYPE_CODES


# -- urgency ---------------------------------------------------------------


@pytest.mark.parametrize(("stamp", "level"), [
    ("KHẨN", "Khẩn"),
    ("THƯỢNG KHẨN", "Thượng khẩn"),
    ("HỎA TỐC", "Hỏa tốc"),
    ("HOẢ TỐC", "Hỏa tốc"),  # old tone placement
    ("HỎA TỐC HẸN GIỜ", "Hỏa tốc"),
    ("Khẩn", "Khẩn"),
    ("Độ khẩn: Thượng khẩn", "Thượng khẩn"),
])
def test_urgency_stamp(stamp: str, level: str) -> None:
    result = detect(document(urgency=stamp))
    assert result.do_khan == level
    assert level in URGENCY_LEVELS
    assert result.confidence["do_khan"] >= 0.9


def test_no_stamp_is_thuong_and_body_words_do_not_count() -> None:
    text = document(body="    Đề nghị các đơn vị khẩn trương thực hiện. Việc này KHẨN.")
    result = detect(text)
    assert result.do_khan == "Thường"
    assert result.confidence["do_khan"] < 0.9


def test_urgency_glued_to_a_header_line() -> None:
    text = document(date_line="Hà Nội, ngày 03 tháng 02 năm 2026 HỎA TỐC")
    assert detect(text).do_khan == "Hỏa tốc"


# -- Unicode ---------------------------------------------------------------


@pytest.mark.parametrize("form", ["NFD", "NFKD"])
def test_decomposed_input_gives_composed_output(form: Literal["NFD", "NFKD"]) -> None:
    text = unicodedata.normalize(form, CONG_VAN)
    assert not unicodedata.is_normalized("NFC", text)
    result = detect(text)
    assert_nfc(result)
    assert result == detect(CONG_VAN)


def test_old_tone_placement_and_typographic_dashes() -> None:
    text = document(
        agency="UỶ BAN NHÂN DÂN TỈNH THANH HOÁ",
        number="Số: 05/QĐ-UBND",
        subject_block="QUYẾT ĐỊNH\nVề việc công nhận kết quả",
    ).replace("CỘNG HÒA", "CỘNG HOÀ").replace("Độc lập - Tự do - Hạnh phúc",
                                                "Độc lập – Tự do – Hạnh phúc")
    result = detect(text)
    assert result.co_quan_ban_hanh == "Uỷ ban nhân dân tỉnh Thanh Hoá"  # spelling as printed
    assert result.loai_van_ban == "Quyết định"
    assert result.ngay_ban_hanh == "2026-02-03"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_form_feeds_and_other_line_ends(newline: str) -> None:
    text = CONG_VAN.replace("\n", newline).replace("Nơi nhận:", "\fNơi nhận:")
    assert detect(text) == detect(CONG_VAN)


# -- other reading orders --------------------------------------------------


def test_header_columns_glued_onto_one_line() -> None:
    text = "\n".join([
        "UBND TỈNH BẮC NINH            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG   Độc lập - Tự do - Hạnh phúc",
        "Số: 05/STNMT-VP     Bắc Ninh, ngày 5 tháng 2 năm 2026",
        "V/v triển khai Kế hoạch số 12/KH-UBND của",
        "UBND tỉnh về quản lý đất đai",
        "THƯỢNG KHẨN",
        "Kính gửi: Các phòng chuyên môn.",
        "Nơi nhận:                     TL. GIÁM ĐỐC",
        "- Như trên;                   CHÁNH VĂN PHÒNG",
        "- Lưu: VT.                    (Đã ký)",
        "                              Thiếu tá Nguyễn Văn An",
    ])
    result = detect(text)
    assert result.co_quan_ban_hanh == "Sở Tài nguyên và Môi trường"
    assert result.so_ky_hieu == "05/STNMT-VP"
    assert result.ngay_ban_hanh == "2026-02-05"  # unpadded day and month accepted
    assert result.loai_van_ban == "Công văn"
    assert result.trich_yeu == (
        "V/v triển khai Kế hoạch số 12/KH-UBND của UBND tỉnh về quản lý đất đai")
    assert result.do_khan == "Thượng khẩn"
    assert result.nguoi_ky == "Nguyễn Văn An"  # rank dropped, name kept
    assert result.confidence["nguoi_ky"] == 0.9


def test_body_dates_do_not_replace_the_date_line() -> None:
    text = document(date_line="Cầu Giấy, ngày 02 tháng 10 năm 2026",
                    body="    Thời gian: 08 giờ 00, ngày 26 tháng 11 năm 2026.")
    assert detect(text).ngay_ban_hanh == "2026-10-02"


def test_date_without_a_place_is_found_with_less_confidence() -> None:
    result = detect(document(date_line="ngày 15 tháng 12 năm 2026"))
    assert result.ngay_ban_hanh == "2026-12-15"
    assert result.confidence["ngay_ban_hanh"] < 0.95


def test_short_document_without_body_markers() -> None:
    text = "SỞ Y TẾ\nSố: 01/TB-SYT\nTHÔNG BÁO\nLịch trực Tết\nGIÁM ĐỐC\nLê Văn An"
    result = detect(text)
    assert result.so_ky_hieu == "01/TB-SYT"
    assert result.co_quan_ban_hanh == "Sở Y tế"
    assert result.nguoi_ky == "Lê Văn An"


def test_signature_placeholders_are_skipped() -> None:
    text = document(signature="KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n(Đã ký)\nVõ Thành Hưng")
    assert detect(text).nguoi_ky == "Võ Thành Hưng"


# -- agency names ------------------------------------------------------------


@pytest.mark.parametrize(("printed", "written"), [
    ("SỞ TÀI CHÍNH", "Sở Tài chính"),
    ("SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "Sở Kế hoạch và Đầu tư"),
    ("SỞ CÔNG THƯƠNG", "Sở Công Thương"),
    ("SỞ NỘI VỤ", "Sở Nội vụ"),
    ("SỞ Y TẾ", "Sở Y tế"),
    ("BỘ TÀI CHÍNH", "Bộ Tài chính"),
    ("UBND QUẬN CẦU GIẤY", "UBND quận Cầu Giấy"),
    ("VĂN PHÒNG UBND THÀNH PHỐ", "Văn phòng UBND Thành phố"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "Ủy ban nhân dân thành phố Hà Nội"),
    ("HĐND XÃ YÊN SỞ", "HĐND xã Yên Sở"),
    ("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Bộ Lao động - Thương binh và Xã hội"),
    ("BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("CỤC THUẾ THÀNH PHỐ HÀ NỘI", "Cục Thuế thành phố Hà Nội"),
    ("KHO BẠC NHÀ NƯỚC", "Kho bạc Nhà nước"),
    ("VĂN PHÒNG CHÍNH PHỦ", "Văn phòng Chính phủ"),
    ("BỘ CÔNG AN", "Bộ Công an"),
    ("TỈNH ỦY BẮC NINH", "Tỉnh ủy Bắc Ninh"),
    ("UBND TP. HỒ CHÍ MINH", "UBND TP. Hồ Chí Minh"),
    ("PHÒNG TÀI CHÍNH - KẾ HOẠCH", "Phòng Tài chính - Kế hoạch"),
    ("Sở Tài chính", "Sở Tài chính"),  # already written by a person: as printed
])
def test_agency_name_as_a_clerk_writes_it(printed: str, written: str) -> None:
    assert format_agency_name(printed) == written
    assert format_agency_name(unicodedata.normalize("NFD", printed)) == written


def test_issuing_agency_is_the_line_under_the_parent() -> None:
    text = document(agency="UBND THÀNH PHỐ HÀ NỘI\nVĂN PHÒNG UBND THÀNH PHỐ",
                    number="Số: 312/GM-VP", subject_block="GIẤY MỜI\nDự họp trực tuyến")
    assert detect(text).co_quan_ban_hanh == "Văn phòng UBND Thành phố"


# -- missing, odd and oversized input --------------------------------------


def test_missing_fields_are_listed_with_zero_confidence() -> None:
    text = "THÔNG BÁO\nKết luận cuộc họp\n    Nội dung thông báo."
    result = detect(text)
    assert result.loai_van_ban == "Thông báo"
    assert result.trich_yeu == "kết luận cuộc họp"
    for name in ("so_ky_hieu", "co_quan_ban_hanh", "ngay_ban_hanh", "nguoi_ky"):
        assert getattr(result, name) is None
        assert name in result.missing
        assert result.confidence[name] == 0.0
    assert "do_khan" not in result.missing  # never missing: "Thường" unless stamped


def test_blank_number_keeps_the_type() -> None:
    result = detect(document(number="Số:      /TB-SXD"))
    assert result.so_ky_hieu is None
    assert "so_ky_hieu" in result.missing
    assert result.loai_van_ban == "Thông báo"


def test_impossible_date_is_missing() -> None:
    result = detect(document(date_line="Hà Nội, ngày 31 tháng 02 năm 2026"))
    assert result.ngay_ban_hanh is None
    assert "ngay_ban_hanh" in result.missing


@pytest.mark.parametrize("garbage", [
    "", "   \n\f\t", "\x00\x01\x02 garbage \ufffd", "Số:" * 5000, "Số: /abc",
    "ngày 99 tháng 99 năm 99999", "V/v\nV/v\nV/v", "KT.\nTL.\nTM.", "a" * 200_000,
    "\u0301\u0303\u0323" * 1000, "(" * 10_000 + ")" * 10_000, "\n" * 50_000,
])
def test_garbage_never_raises(garbage: str) -> None:
    result = detect(garbage)
    assert isinstance(result, Detected)
    assert result.do_khan in URGENCY_LEVELS
    assert set(result.missing) <= set(FIELDS)
    for name in result.missing:
        assert result.confidence[name] == 0.0


@pytest.mark.parametrize("not_text", [None, 123, b"bytes", ["a"]])
def test_non_text_never_raises(not_text: object) -> None:
    result = detect(not_text)  # type: ignore[arg-type]
    assert result.so_ky_hieu is None
    assert "so_ky_hieu" in result.missing


def test_field_lengths_are_enforced_and_marked() -> None:
    long_subject = "triển khai " + "nhiệm vụ trọng tâm " * 40
    text = document(
        agency="UBND THÀNH PHỐ HÀ NỘI\nSỞ " + "KẾ HOẠCH VÀ ĐẦU TƯ " * 12,
        number="Số: 1234/" + "-".join(["ABCDEF"] * 6),
        subject_block="THÔNG BÁO\n" + long_subject,
    )
    result = detect(text)
    for name in ("so_ky_hieu", "co_quan_ban_hanh", "trich_yeu"):
        value = getattr(result, name)
        assert value is not None and len(value) <= FIELD_LIMITS[name], name
        assert name in result.truncated
        assert result.confidence[name] < 0.9
    assert (result.trich_yeu or "").startswith("triển khai nhiệm vụ trọng tâm")


def test_full_name_limit() -> None:
    name = "Nguyễn Thị " + " ".join(["Hoàngthịminhnguyệt"] * 3)  # 68 characters
    result = detect(document(signature=f"GIÁM ĐỐC\n{name}"))
    assert result.nguoi_ky is not None
    assert len(result.nguoi_ky) <= FIELD_LIMITS["nguoi_ky"]
    assert "nguoi_ky" in result.truncated


def test_result_is_frozen() -> None:
    result = detect(document())
    with pytest.raises(AttributeError):
        result.so_ky_hieu = "x"  # type: ignore[misc]

"""What the OCR step marks for the clerk: which fields OCR read, and how sure
Tesseract was of the words that spell them."""

from __future__ import annotations

from chalicelib.adapters.ocr import OcrResult, word_confidences
from chalicelib.incoming.ocr_step import recognised_fields

PAGE = """UBND THÀNH PHỐ HÀ NỘI
SỞ XÂY DỰNG
Số: 07/TB-SXD
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 03 tháng 02 năm 2026
THÔNG BÁO
Kết luận của Giám đốc Sở tại cuộc họp giao ban
Nội dung.
GIÁM ĐỐC
Lê Quang Hưng
"""


def _words(text: str, conf: float, low: dict[str, float]) -> list[tuple[str, float]]:
    return [(w, low.get(w, conf)) for w in text.split()]


def test_each_field_read_by_ocr_carries_the_confidence_of_its_own_words() -> None:
    found = recognised_fields("", PAGE, _words(PAGE, 0.9, {"07/TB-SXD": 0.4, "Hưng": 0.6}))
    assert set(found) == {"so_ky_hieu", "co_quan_ban_hanh", "ngay_ban_hanh", "loai_van_ban",
                          "trich_yeu", "nguoi_ky"}  # not do_khan: "Thường" is a default
    assert found["so_ky_hieu"] == 0.4
    assert found["nguoi_ky"] == round((0.9 + 0.9 + 0.6) / 3, 3)
    assert found["co_quan_ban_hanh"] == 0.9


def test_fields_the_text_layer_already_had_are_not_marked_as_ocr() -> None:
    text_page = PAGE.split("Nội dung.")[0]  # a mixed PDF: the first page had text
    found = recognised_fields(text_page, PAGE, _words(PAGE, 0.9, {}))
    assert "so_ky_hieu" not in found and "ngay_ban_hanh" not in found
    assert "nguoi_ky" in found


def test_word_confidences_are_read_from_hocr_in_nfc() -> None:
    hocr = ("<span class='ocrx_word' id='word_1_1' title='bbox 1 2 3 4; x_wconf 91'>"
            "Ho\u0300a</span> <span class='ocrx_word' id='word_1_2' "
            "title='bbox 5 6 7 8; x_wconf 47'><strong>S&amp;T</strong></span>")
    assert word_confidences(hocr) == [("Hòa", 0.91), ("S&T", 0.47)]
    assert OcrResult(pdf=b"", pages=1, words=word_confidences(hocr)).confidence == 0.69
    assert OcrResult(pdf=b"", pages=1).confidence == 0.0

"""Unit tests for composing an outgoing document as a Decree 30 PDF: valid
PDF, Vietnamese text extractable in NFC, blank boxes inside the page and free
of text, the signature kept with the end of the body, no template injection."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader

from chalicelib.kernel.numbering import signature_title
from chalicelib.outputs.document_pdf import Box, ComposedPdf, ComposeInput, compose
from tests.conftest import require_tool

A4 = (595.28, 841.89)
SENTENCE = ("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về "
            "công tác văn thư, các phòng chuyên môn thuộc Sở có trách nhiệm tổ chức thực "
            "hiện nghiêm túc, báo cáo kết quả về Văn phòng Sở trước ngày 15 hằng tháng.")


def document(**changes: object) -> ComposeInput:
    base = ComposeInput(
        type_code="QĐ",
        agency_parent="UBND THÀNH PHỐ HÀ NỘI",
        agency_name="Sở Kế hoạch và Đầu tư",
        agency_code="SKHĐT",
        unit_code="VP",
        place="Hà Nội",
        subject="Về việc ban hành Quy chế công tác văn thư của Sở",
        body="Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư.\n\n"
             "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        recipients=["Như Điều 2;", "Lưu: VT, VP."],
        authority="KT.",
        signature_title=signature_title("KT.", head_title="Giám đốc",
                                        signer_title="Phó Giám đốc"),
        signer_name="Nguyễn Thị Thu Hằng",
        year=2026,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def long_body(paragraphs: int) -> str:
    return "\n\n".join(f"Điều {i}. {SENTENCE} {SENTENCE}" for i in range(1, paragraphs + 1))


def pdftotext(pdf: bytes, tmp_path: Path, *args: str) -> str:
    tool = require_tool("pdftotext", "poppler-utils")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def words_by_page(pdf: bytes, tmp_path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words as (x0, y0, x1, y1, text) in PDF points, origin bottom left."""
    xhtml = pdftotext(pdf, tmp_path, "-bbox")
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", xhtml, flags=re.S):
        words = []
        for x0, y0, x1, y1, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"(.*?)</word>", page):
            words.append((float(x0), A4[1] - float(y1), float(x1), A4[1] - float(y0),
                          unescape(text)))
        pages.append(words)
    return pages


def inside_page(box: Box) -> bool:
    return (0 <= box.x and box.x + box.width <= A4[0]
            and 0 <= box.y and box.y + box.height <= A4[1])


def overlaps(box: Box, word: tuple[float, float, float, float, str]) -> bool:
    x0, y0, x1, y1, _ = word
    # Glyph boxes include the font's ascent and descent: allow a point.
    return (x0 < box.x + box.width - 1 and box.x + 1 < x1
            and y0 < box.y + box.height - 1 and box.y + 1 < y1)


def page_text(composed: ComposedPdf, page: int) -> str:
    return PdfReader(io.BytesIO(composed.pdf)).pages[page].extract_text()


def assert_layout(composed: ComposedPdf, tmp_path: Path) -> list[list[tuple]]:
    reader = PdfReader(io.BytesIO(composed.pdf))
    assert len(reader.pages) == composed.pages
    for page in reader.pages:
        assert [round(float(v), 1) for v in page.mediabox[2:]] == [595.3, 841.9]
    boxes = [composed.number, composed.date, composed.signature, composed.seal, composed.qr]
    assert all(inside_page(b) for b in boxes)
    assert composed.number.page == composed.date.page == composed.qr.page == 0
    assert composed.signature.page == composed.seal.page
    # The seal lies over the left third of the signature (Appendix I).
    sig, seal = composed.signature, composed.seal
    assert seal.x < sig.x < seal.x + seal.width <= sig.x + sig.width / 3 + 0.01
    assert seal.y < sig.y + sig.height and sig.y < seal.y + seal.height
    # Wide enough for the signing text right of the seal's third.
    assert 190 <= sig.width <= 210 and 60 <= sig.height <= 80
    pages = words_by_page(composed.pdf, tmp_path)
    assert len(pages) == composed.pages
    for box in (composed.number, composed.date, composed.signature, composed.qr):
        hits = [w[4] for w in pages[box.page] if overlaps(box, w)]
        assert not hits, (box, hits)
    # The number and the date share one row, the number on the left.
    assert composed.number.y == composed.date.y
    assert composed.number.x + composed.number.width <= composed.date.x
    return pages


def test_short_decision(tmp_path: Path) -> None:
    composed = compose(document())
    assert composed.pdf.startswith(b"%PDF-")
    assert composed.pages == 1
    pages = assert_layout(composed, tmp_path)
    text = pdftotext(composed.pdf, tmp_path)
    assert unicodedata.is_normalized("NFC", text)
    for expected in ("UBND THÀNH PHỐ HÀ NỘI", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "QUYẾT ĐỊNH", "Về việc ban hành Quy chế công tác văn thư của Sở",
                     "Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư.",
                     "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
                     "Nơi nhận:", "- Như Điều 2;", "- Lưu: VT, VP.", "KT. GIÁM ĐỐC",
                     "PHÓ GIÁM ĐỐC", "Nguyễn Thị Thu Hằng"):
        assert expected in text, expected
    # The number and date are left for the issuer; no "V/v" on a typed document.
    assert "Số:" not in text and "ngày" not in text.split("QUYẾT ĐỊNH")[0]
    assert "V/v" not in text
    # The signer's title is above the signature box and the name below it.
    sig = composed.signature
    words = pages[0]
    name_y = max(w[3] for w in words if w[4] == "Hằng")
    title_y = min(w[1] for w in words if w[4] == "PHÓ")
    assert name_y <= sig.y + 1 and sig.y + sig.height <= title_y + 1
    reader = PdfReader(io.BytesIO(composed.pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Về việc ban hành Quy chế công tác văn thư của Sở"


def test_cong_van_with_addressees_and_marks(tmp_path: Path) -> None:
    composed = compose(document(
        type_code="CV", subject="Đề nghị cung cấp số liệu kinh tế - xã hội quý I năm 2026",
        addressees=["Sở Tài chính;", "Sở Nội vụ."], secret=True, urgency="Hỏa tốc",
        authority="TL.", signature_title=signature_title(
            "TL.", head_title="Giám đốc", signer_title="Chánh Văn phòng")))
    assert_layout(composed, tmp_path)
    text = pdftotext(composed.pdf, tmp_path)
    assert "V/v Đề nghị cung cấp số liệu kinh tế" in text
    assert "CÔNG VĂN" not in text
    for expected in ("Kính gửi:", "- Sở Tài chính;", "- Sở Nội vụ.", "MẬT", "HỎA TỐC",
                     "TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"):
        assert expected in text, expected


@pytest.mark.parametrize("typed", ["V/v góp ý dự thảo quy chế", "V/v V/v góp ý dự thảo quy chế",
                                   "v/v: góp ý dự thảo quy chế", "góp ý dự thảo quy chế"])
def test_a_cong_van_prints_v_v_once_whatever_was_typed(typed: str, tmp_path: Path) -> None:
    text = pdftotext(compose(document(type_code="CV", subject=typed)).pdf, tmp_path)
    assert "V/v góp ý dự thảo quy chế" in text
    assert text.count("V/v") == 1


def test_single_addressee_stays_on_the_line(tmp_path: Path) -> None:
    composed = compose(document(type_code="CV", addressees=["Bộ Nội vụ."]))
    assert "Kính gửi: Bộ Nội vụ." in pdftotext(composed.pdf, tmp_path)


def test_three_pages_with_page_numbers_and_signature_on_its_page(tmp_path: Path) -> None:
    composed = compose(document(body=long_body(14)))
    assert composed.pages == 3
    pages = assert_layout(composed, tmp_path)
    last = composed.signature.page
    assert last == 2
    assert "Nguyễn Thị Thu Hằng" in page_text(composed, last)
    assert "Nguyễn Thị Thu Hằng" not in page_text(composed, 0)
    # Page numbers at the top centre from page 2 on, none on page 1.
    for index in (1, 2):
        top = min(pages[index], key=lambda w: -w[3])
        assert top[4] == str(index + 1)
        assert abs((top[0] + top[2]) / 2 - (30 + 165 / 2) * 72 / 25.4) < 3
        assert top[1] > 841.89 - 20 * 72 / 25.4  # inside the top margin
    assert not any(w[4] == "1" and w[1] > 800 for w in pages[0])
    text = pdftotext(composed.pdf, tmp_path)
    assert "Điều 14." in text and unicodedata.is_normalized("NFC", text)


def test_signature_never_alone_on_a_page(tmp_path: Path) -> None:
    # One-line paragraphs, more and more of them: at some count the signature
    # block no longer fits under the body and must take lines along.
    seen_pages = set()
    for count in range(16, 34):
        body = "\n".join(f"Dòng số {i:02d} của văn bản." for i in range(1, count + 1))
        composed = compose(document(body=body))
        seen_pages.add(composed.pages)
        signature_page = page_text(composed, composed.signature.page)
        assert f"Dòng số {count:02d} của văn bản." in signature_page, count
        assert f"Dòng số {count - 1:02d} của văn bản." in signature_page, count
        assert "Nguyễn Thị Thu Hằng" in signature_page
    assert seen_pages == {1, 2}


def test_user_text_is_printed_literally(tmp_path: Path) -> None:
    body = ("Nội dung <b>in đậm</b> và <script>alert(1)</script> & {{ 7 * 7 }} {% raw %}\n"
            "</p><p class=\"center\">Chèn đoạn</p>")
    composed = compose(document(body=body, subject="Trích yếu {{ subject }} <i>x</i>",
                                recipients=["<b>Như trên</b>;"]))
    text = " ".join(pdftotext(composed.pdf, tmp_path).split())
    assert "Nội dung <b>in đậm</b> và <script>alert(1)</script> & {{ 7 * 7 }} {% raw %}" in text
    assert '</p><p class="center">Chèn đoạn</p>' in text
    assert "Trích yếu {{ subject }} <i>x</i>" in text
    assert "- <b>Như trên</b>;" in text
    assert "49" not in text


def test_invisible_characters_are_dropped(tmp_path: Path) -> None:
    composed = compose(document(body="Trích\u202e yếu\u200b\x07 sạch."))
    assert "Trích yếu sạch." in pdftotext(composed.pdf, tmp_path)


def test_decomposed_input_comes_out_composed(tmp_path: Path) -> None:
    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    composed = compose(document(agency_name=nfd("Sở Xây dựng"), body=nfd("Thực hiện nghiêm."),
                                signer_name=nfd("Trần Văn Đức"), type_code=nfd("QĐ")))
    text = pdftotext(composed.pdf, tmp_path)
    assert "SỞ XÂY DỰNG" in text and "Thực hiện nghiêm." in text and "Trần Văn Đức" in text
    assert unicodedata.is_normalized("NFC", text)


def test_long_words_and_many_recipients_do_not_break_the_layout(tmp_path: Path) -> None:
    link = "https://dichvucong.hanoi.gov.vn/" + "a" * 200
    composed = compose(document(body=f"Tra cứu tại {link} trước ngày 15.",
                                recipients=[f"Phòng số {i};" for i in range(1, 80)]))
    assert_layout(composed, tmp_path)
    text = pdftotext(composed.pdf, tmp_path)
    assert "- Phòng số 79;" in text and "Tra cứu tại" in text


@pytest.mark.parametrize("changes", [
    {"type_code": "XX"},
    {"urgency": "Rất khẩn"},
    {"authority": "KT"},
    {"authority": "TL."},  # the titles say KT.
    {"signer_name": " "},
    {"agency_name": ""},
])
def test_rejects_bad_input(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        compose(document(**changes))


def test_urgency_levels() -> None:
    for level in ("Khẩn", "Thượng khẩn", "Hỏa tốc", "Thường", None, ""):
        assert compose(document(urgency=level)).pages == 1

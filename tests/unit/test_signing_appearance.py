"""Stamps are one-page PDFs of exactly the box asked for, with Vietnamese
text that can be read back."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from chalicelib.adapters.signing import appearance


def _page(data: bytes) -> tuple[float, float, str]:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    return float(page.mediabox.width), float(page.mediabox.height), page.extract_text()


def _png(color: tuple[int, int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (120, 60), color).save(out, format="PNG")
    return out.getvalue()


def test_signing_time_is_shown_in_vietnam_time() -> None:
    moment = datetime(2026, 11, 27, 17, 5, 9, tzinfo=UTC)
    assert appearance.vn_time(moment) == "28/11/2026 00:05:09 +07:00"
    assert appearance.vn_time(moment.replace(tzinfo=None)) == "28/11/2026 00:05:09 +07:00"
    paris = moment.astimezone(timezone(timedelta(hours=1)))
    assert appearance.vn_time(paris) == "28/11/2026 00:05:09 +07:00"


@pytest.mark.parametrize("with_image", [False, True])
def test_leader_stamp(with_image: bool) -> None:
    name = unicodedata.normalize("NFD", "Nguyễn Văn Ánh")  # as some keyboards send it
    data = appearance.leader_stamp(
        width=170, height=70, full_name=name, position="Giám đốc Sở Nội vụ",
        signed_at=datetime(2026, 11, 27, 3, 0, tzinfo=UTC),
        signature_png=_png((20, 40, 150, 255)) if with_image else None)
    width, height, text = _page(data)
    assert (width, height) == (170, 70)
    assert "Ký bởi: Nguyễn Văn Ánh" in text
    assert "Chức vụ: Giám đốc Sở Nội vụ" in text
    assert "Thời gian ký: 27/11/2026 10:00:00 +07:00" in text


def test_seal_stamp_drawn_or_from_image() -> None:
    drawn = appearance.seal_stamp(width=96, height=96, agency_name="Sở Nội vụ",
                                  signed_at=datetime.now(UTC), seal_png=None)
    assert _page(drawn)[:2] == (96, 96)
    image = appearance.seal_stamp(width=100, height=90, agency_name="Sở Nội vụ",
                                  signed_at=datetime.now(UTC),
                                  seal_png=_png((210, 25, 30, 200)))
    assert _page(image)[:2] == (100, 90)
    assert b"/Image" in image


def test_text_block_shrinks_to_fit() -> None:
    data = appearance.text_block(width=120, height=16, text="Số: 1234/QĐ-UBND-KTTH", bold=True)
    width, height, text = _page(data)
    assert (width, height) == (120, 16)
    assert "Số: 1234/QĐ-UBND-KTTH" in text


def test_qr_block() -> None:
    data = appearance.qr_block(url="https://eoffice.example.gov.vn/xac-thuc/XT7K2P9Q",
                               code="XT7K2P9Q", size=60)
    width, height, text = _page(data)
    assert width == 60 and height == pytest.approx(60 + appearance.qr_caption_height(60))
    assert "Mã xác thực: XT7K2P9Q" in text
    with pytest.raises(ValueError):
        appearance.text_block(width=0, height=10, text="x")


def test_the_leader_stamp_names_the_signer_once_and_keeps_its_text_clear_of_the_seal(
        tmp_path) -> None:
    """The document prints the name under the box; the stamp says it only in
    "Ký bởi", and starts its text right of the third the seal will cover."""
    import re
    import subprocess

    from tests.conftest import require_tool

    data = appearance.leader_stamp(
        width=200, height=70, full_name="Phạm Quốc Hùng", position="Giám đốc Sở",
        signed_at=datetime(2026, 12, 1, 22, 15, tzinfo=UTC), signature_png=None,
        clear_left=66.7)
    text = _page(data)[2]
    assert text.count("Phạm Quốc Hùng") == 1 and "Ký bởi: Phạm Quốc Hùng" in text
    assert "Thời gian ký: 02/12/2026 05:15:00 +07:00" in text
    path = tmp_path / "stamp.pdf"
    path.write_bytes(data)
    xhtml = subprocess.run([require_tool("pdftotext", "poppler-utils"), "-bbox", str(path), "-"],
                           check=True, capture_output=True, text=True).stdout
    lefts = [float(x) for x in re.findall(r'<word xMin="([\d.]+)"', xhtml)]
    assert lefts and min(lefts) >= 66.7
    sizes = [float(y1) - float(y0) for y0, y1 in
             re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', xhtml)]
    assert min(sizes) >= 6  # still legible


def test_the_attachment_stamp_is_the_number_and_the_iso_time_in_10_pt_black() -> None:
    """Appendix I: no image, the main document's number and symbol and the
    signing time in ISO 8601 with +07:00, Times New Roman 10 pt, black."""
    data = appearance.attachment_stamp(width=200, height=30, number_text="Số: 01/SKHĐT-ĐKKD",
                                       signed_at=datetime(2026, 12, 1, 22, 15, 7, 120,
                                                          tzinfo=UTC))
    width, height, text = _page(data)
    assert (width, height) == (200, 30)
    assert "Số: 01/SKHĐT-ĐKKD" in text and "2026-12-02T05:15:07+07:00" in text
    assert b"/Subtype /Image" not in data
    page = PdfReader(io.BytesIO(data)).pages[0]
    content = page.get_contents().get_data()
    # 10 pt; no colour set, so the default black (the leader's text sets blue "rg").
    assert b" 10.00 Tf" in content and b" rg" not in content
    fonts = [str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()]
    assert fonts and all("LiberationSerif" in f for f in fonts)  # Times New Roman metrics

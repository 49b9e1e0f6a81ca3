"""Visible stamps as one-page PDFs of the exact box size (points), drawn with
fpdf2 and Liberation Serif (Times New Roman metrics, Vietnamese glyphs) so no
text shaper is needed. The signing code imports each page as a form XObject."""

from __future__ import annotations

import io
import math
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import segno
from fpdf import FPDF

FONTS = Path(__file__).resolve().parents[2] / "fonts"
FAMILY = "LiberationSerif"
BLUE = (20, 40, 150)
RED = (210, 25, 30)
BLACK = (0, 0, 0)
MIN_FONT = 4.0

try:
    from zoneinfo import ZoneInfo

    VN_TZ: timezone | ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
except (ImportError, KeyError):  # no tz database: Vietnam has had no DST since 1975
    VN_TZ = timezone(timedelta(hours=7))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def vn_time(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM:SS +07:00, a naive moment being taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(VN_TZ)
    offset = local.strftime("%z")
    return f"{local:%d/%m/%Y %H:%M:%S} {offset[:3]}:{offset[3:]}"


def vn_iso(moment: datetime) -> str:
    """ISO 8601 in Hanoi time with its offset, to the second:
    "2026-12-02T05:15:00+07:00" (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()


def _page(width: float, height: float, styles: str = "") -> FPDF:
    """A blank page of the box's size with Liberation Serif in the given
    styles ("R" regular, "B" bold): fpdf2 parses a whole TTF per style and
    page (~40 ms each), so only the styles a stamp uses are added."""
    if width <= 0 or height <= 0:
        raise ValueError("a stamp needs a positive width and height")
    # the orientation letter would swap width and height for landscape boxes
    pdf = FPDF(orientation="L" if width > height else "P", unit="pt",
               format=(min(width, height), max(width, height)))
    pdf.set_margins(0, 0, 0)
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0
    if "R" in styles:
        pdf.add_font(FAMILY, "", str(FONTS / "LiberationSerif-Regular.ttf"))
    if "B" in styles:
        pdf.add_font(FAMILY, "B", str(FONTS / "LiberationSerif-Bold.ttf"))
    pdf.set_creator("eoffice")
    pdf.add_page()
    return pdf


def _out(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, max_width: float, size: float, style: str = "") -> float:
    """Largest font size up to ``size`` at which ``text`` fits the width."""
    pdf.set_font(FAMILY, style, size)
    width = pdf.get_string_width(text)
    if width > max_width > 0:
        size = max(MIN_FONT, size * max_width / width)
        pdf.set_font(FAMILY, style, size)
    return size


def _line(pdf: FPDF, text: str, *, x: float, y: float, width: float, size: float,
          style: str = "", align: str = "C", color: tuple[int, int, int] = BLACK) -> float:
    """One line with its top at ``y``; returns the y below it."""
    size = _fit(pdf, text, width, size, style)
    pdf.set_text_color(*color)
    height = size * 1.2
    pdf.set_xy(x, y)
    pdf.cell(width, height, text, align=align)
    return y + height


def _image(pdf: FPDF, png: bytes, *, x: float, y: float, width: float, height: float) -> None:
    """The image scaled to fit the area, centred in it, transparency kept."""
    from PIL import Image  # fpdf2's own dependency

    with Image.open(io.BytesIO(png)) as img:
        w_px, h_px = img.size
    scale = min(width / w_px, height / h_px)
    w, h = w_px * scale, h_px * scale
    pdf.image(io.BytesIO(png), x=x + (width - w) / 2, y=y + (height - h) / 2, w=w, h=h)


def leader_stamp(*, width: float, height: float, full_name: str, position: str,
                 signed_at: datetime, signature_png: bytes | None,
                 clear_left: float = 0.0) -> bytes:
    """The leader's handwritten signature (Appendix I: blue, centred), then who
    signed, as what and when. The full name is not repeated here: the document
    prints it once, under this box. ``clear_left`` is how much of the box's left
    the agency seal will cover (Appendix I: about a third of the signature): the
    signature image may run under the seal, the text starts right of it so that
    it stays legible once the seal is stamped."""
    full_name, position = _nfc(full_name), _nfc(position)
    pdf = _page(width, height, "R")
    pad = min(2.0, width * 0.02)
    inner = width - 2 * pad
    text_x = min(max(pad, clear_left + pad), width * 0.5)
    small = max(MIN_FONT, min(7.0, height / 10))
    info = [f"Ký bởi: {full_name}", f"Chức vụ: {position}",
            f"Thời gian ký: {vn_time(signed_at)}"]
    info_top = height - pad - len(info) * small * 1.2
    art_height = max(0.0, info_top - pad)
    if signature_png and art_height > 4:
        _image(pdf, signature_png, x=pad, y=pad, width=inner, height=art_height)
    y = info_top
    for text in info:
        y = _line(pdf, text, x=text_x, y=y, width=width - pad - text_x, size=small, align="L",
                  color=BLUE)
    return _out(pdf)


def seal_stamp(*, width: float, height: float, agency_name: str, signed_at: datetime,
               seal_png: bytes | None) -> bytes:
    """The agency's red seal: its image when there is one, else a drawn seal
    (double ring, the name around it, a star, the signing date)."""
    agency_name = _nfc(agency_name)
    pdf = _page(width, height, "" if seal_png else "B")
    side = min(width, height)
    cx, cy = width / 2, height / 2
    if seal_png:
        _image(pdf, seal_png, x=cx - side / 2, y=cy - side / 2, width=side, height=side)
        return _out(pdf)
    outer = side / 2 - side * 0.03
    inner = outer * 0.64
    pdf.set_draw_color(*RED)
    pdf.set_fill_color(*RED)
    pdf.set_text_color(*RED)
    pdf.set_line_width(max(0.6, side * 0.022))
    pdf.circle(cx, cy, outer, style="D")
    pdf.set_line_width(max(0.4, side * 0.011))
    pdf.circle(cx, cy, inner, style="D")
    _ring_text(pdf, agency_name.upper(), cx=cx, cy=cy, inner=inner, outer=outer)
    star = inner * 0.42
    pdf.star(cx, cy - inner * 0.18, star * 0.4, star, corners=5, rotate_degrees=-90,
             style="F")
    local = signed_at if signed_at.tzinfo else signed_at.replace(tzinfo=UTC)
    local = local.astimezone(VN_TZ)
    _line(pdf, f"{local:%d/%m/%Y}", x=cx - inner * 0.8, y=cy + inner * 0.3,
          width=inner * 1.6, size=max(MIN_FONT, inner * 0.26), style="B", color=RED)
    return _out(pdf)


def _ring_text(pdf: FPDF, text: str, *, cx: float, cy: float, inner: float,
               outer: float) -> None:
    """Letters upright around the ring, centred on its top, clockwise."""
    band = outer - inner
    size = band * 0.62
    while True:
        pdf.set_font(FAMILY, "B", size)
        cap = size * 0.66
        radius = inner + (band - cap) / 2
        spacing = size * 0.12
        widths = [pdf.get_string_width(ch) + spacing for ch in text]
        sweep = sum(widths) / radius
        if sweep <= 2 * math.pi * 0.88 or size <= MIN_FONT:
            break
        size *= 0.92
    angle = math.pi / 2 + sweep / 2  # start left of the top, go clockwise
    for ch, w in zip(text, widths, strict=True):
        mid = angle - (w / 2) / radius
        px, py = cx + radius * math.cos(mid), cy - radius * math.sin(mid)
        with pdf.rotation(math.degrees(mid) - 90, px, py):
            pdf.text(px - (w - spacing) / 2, py, ch)
        angle -= w / radius


def text_block(*, width: float, height: float, text: str, size: float = 13,
               bold: bool = False, align: str = "L") -> bytes:
    """Black text (one line per ``\\n``), vertically centred, shrunk to fit:
    the number and date the clerk stamps at issuance."""
    lines = _nfc(text).splitlines() or [""]
    style = "B" if bold else ""
    pdf = _page(width, height, style or "R")
    size = min(size, height / (len(lines) * 1.2))
    size = min(_fit(pdf, line, width, size, style) for line in lines)
    y = (height - len(lines) * size * 1.2) / 2
    for line in lines:
        y = _line(pdf, line, x=0, y=y, width=width, size=size, style=style, align=align[:1])
    return _out(pdf)


ATTACHMENT_SIZE = 10.0


def attachment_stamp(*, width: float, height: float, number_text: str,
                     signed_at: datetime) -> bytes:
    """The agency's signature on an attachment or a scanned copy (Decree 30,
    Appendix I): no image, black Times New Roman 10 pt, the main document's
    number and symbol (or the copy's kind and copying agency) over the signing
    time in ISO 8601 with +07:00, right-aligned for the top right of page 1."""
    pdf = _page(width, height, "R")
    lines = [_nfc(number_text).strip(), vn_iso(signed_at)]
    y = (height - len(lines) * ATTACHMENT_SIZE * 1.2) / 2
    for line in lines:
        y = _line(pdf, line, x=0, y=y, width=width, size=ATTACHMENT_SIZE, align="R")
    return _out(pdf)


def qr_caption_height(size: float) -> float:
    return _caption_size(size) * 1.3


def _caption_size(size: float) -> float:
    return max(MIN_FONT, min(8.0, size * 0.1))


def qr_block(*, url: str, code: str, size: float) -> bytes:
    """QR code of ``url`` as vector squares (sharp at any zoom, tiny), with
    "Mã xác thực: {code}" under it; the page is ``size`` wide and
    ``size + qr_caption_height(size)`` tall."""
    caption = qr_caption_height(size)
    pdf = _page(size, size + caption, "R")
    qr = segno.make(url, error="m")
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=2)]
    module = size / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(0, 0, size, size, style="F")  # quiet zone even over a grey page
    pdf.set_fill_color(*BLACK)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                # one rectangle per run of dark modules keeps the stream small
                pdf.rect(start * module, r * module, (c - start) * module, module, style="F")
            else:
                c += 1
    _line(pdf, f"Mã xác thực: {_nfc(code)}", x=0, y=size, width=size,
          size=_caption_size(size))
    return _out(pdf)

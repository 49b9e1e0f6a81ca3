"""Compose an outgoing document as a PDF laid out per Decree 30/2020/NĐ-CP,
Appendix I, leaving blank what only exists at issue time.

The drafter's text becomes a PDF before anybody signs it; the number, the
date, the leader's signature, the agency seal and a verification QR are added
later (the clerk numbers and dates the document when it is issued, and the
signatures are PDF signatures with an appearance). So the layout leaves those
places empty and returns where they are, as ``Box`` es:

- ``number``: the whole "Số: ..." line of the left header block. The issuer
  writes the full text ("Số: 15/QĐ-SKHĐT", 13 pt upright) centred in it.
- ``date``: the line under the national motto in the right header block; the
  issuer writes "Hà Nội, ngày 05 tháng 01 năm 2026" centred, 14 pt italic.
- ``signature``: the gap between the signer's title lines and name.
- ``seal``: a square of a real-size round seal over the left third of the
  signature box (Appendix I: the seal covers about a third of the signature).
- ``qr``: the lower left corner of page 1, inside the binding margin, where no
  text ever goes.

Boxes are PDF points with the origin at the bottom left and 0-based page
indexes, the way pyHanko places signature fields.

The body goes through a Jinja2 template under ``printables/outgoing/`` with
autoescaping, so text the drafter typed ("<b>", "{{ x }}") is printed as typed.
The template's small vocabulary is read here: ``<p>`` with the classes
center, right, left, bold, italic, noindent, addressee-label and addressee.

Lines are broken and justified here rather than by fpdf2, because the page
breaks must be known in advance: the signature block may not stand alone on a
page, so the last lines of the body move with it when it does not fit.

Drawing and fonts come from ``outputs.pdf``, which loads fpdf2 on first use.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Final

from chalicelib.kernel import numbering
from chalicelib.outputs.pdf import BODY_SIZE, PageNumbers, Pdf, new_pdf

__all__ = ["Box", "ComposeInput", "ComposedPdf", "URGENCY_MARKS", "compose"]

TEMPLATES: Final = "printables/outgoing"

# Urgency levels printed on the document (Appendix I, II.10.b); "Thường" is
# the absence of a mark.
URGENCY_MARKS: Final = ("Khẩn", "Thượng khẩn", "Hỏa tốc")
_NO_URGENCY: Final = ("", "Thường")

# -- Geometry, in millimetres from the top left (fpdf2's unit) ---------------
# A4 with the margins of Appendix I, Part I (top/bottom 20-25, left 30-35,
# right 15-20): the smallest ones, so that more of a page is text.
PAGE_W: Final = 210.0
PAGE_H: Final = 297.0
TOP: Final = 20.0
BOTTOM: Final = 20.0
LEFT: Final = 30.0
RIGHT: Final = 15.0
TEXT_W: Final = PAGE_W - LEFT - RIGHT
BODY_BOTTOM: Final = PAGE_H - BOTTOM
# The two header columns: the national name at 12 pt bold (Appendix I, II.1
# allows 12-13) is 88 mm wide; the rest is the agency's.
HEAD_LEFT_W: Final = 74.0
HEAD_RIGHT_X: Final = LEFT + HEAD_LEFT_W
HEAD_RIGHT_W: Final = TEXT_W - HEAD_LEFT_W
# The two footer columns: "Nơi nhận" on the left, the signature on the right.
FOOT_LEFT_W: Final = 72.0
SIGN_X: Final = LEFT + FOOT_LEFT_W
SIGN_W: Final = TEXT_W - FOOT_LEFT_W

# Appendix I, II.6: line spacing from single to 1.5 lines, paragraphs at least
# 6 pt apart, first line indented 1 to 1.27 cm.
BODY_LEADING: Final = 1.3
PARAGRAPH_GAP: Final = 6 * 25.4 / 72
FIRST_INDENT: Final = 12.7
ADDRESSEE_LEFT: Final = 25.0
BOX_LINE_H: Final = 7.0  # the blank number and date lines
# Wide enough that the signing text ("Ký bởi", "Chức vụ", "Thời gian ký") fits
# at 7 pt right of the third the seal covers.
SIGNATURE_W: Final = 200 * 25.4 / 72
SIGNATURE_H: Final = 70 * 25.4 / 72
# Round seals of a department are about 36 mm across; the box is the seal at
# real size, as Appendix I asks.
SEAL_DIAMETER: Final = 36.0
QR_X: Final = 8.0
QR_BOTTOM: Final = 8.0
QR_W: Final = 60 * 25.4 / 72
QR_H: Final = 70 * 25.4 / 72
# How many body lines at least go with the signature block to a new page.
KEEP_LINES: Final = 2
# Appendix I, II.10: marks are stamped in bright red, single frame 8 mm tall
# and 20, 30 or 40 mm wide. The decree does not pair widths with words, so the
# narrowest that holds the word is taken (the same for "MẬT", whose stamp the
# Ministry of Public Security defines; its size here is unconfirmed).
MARK_WIDTHS: Final = (20.0, 30.0, 40.0)
MARK_H: Final = 8.0
MARK_COLOR: Final = (237, 28, 36)


@dataclass(frozen=True)
class ComposeInput:
    type_code: str              # "QĐ", "CV", ... (numbering.DOCUMENT_TYPES)
    agency_parent: str          # "UBND THÀNH PHỐ HÀ NỘI"
    agency_name: str            # "SỞ KẾ HOẠCH VÀ ĐẦU TƯ"
    agency_code: str            # "SKHĐT"
    unit_code: str | None       # drafting unit, for a công văn's symbol
    place: str                  # "Hà Nội"
    subject: str                # trích yếu; a công văn prints "V/v ..."
    body: str                   # plain text, one paragraph a line
    recipients: list[str]       # "Nơi nhận": ["Như trên;", "Lưu: VT, ĐKKD."]
    authority: str              # "", "KT.", "TL.", ... (numbering.SIGNING_AUTHORITIES)
    signature_title: list[str]  # from numbering.signature_title
    signer_name: str
    year: int
    secret: bool = False        # prints the "MẬT" mark
    urgency: str | None = None  # "Khẩn", "Thượng khẩn", "Hỏa tốc"
    addressees: list[str] = field(default_factory=list)  # "Kính gửi:" lines


@dataclass(frozen=True)
class Box:
    """PDF points, origin bottom left (what pyHanko uses); page is 0-based."""

    page: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ComposedPdf:
    pdf: bytes
    number: Box
    date: Box
    signature: Box
    seal: Box
    qr: Box
    pages: int


def _box(page: int, x: float, top: float, width: float, height: float) -> Box:
    k = 72 / 25.4
    return Box(page=page, x=round(x * k, 2), y=round((PAGE_H - top - height) * k, 2),
               width=round(width * k, 2), height=round(height * k, 2))


# -- Text clean-up -------------------------------------------------------------

# Control, zero-width and bidi-override characters: no glyph, and the last can
# make a printed text read differently from the stored one.
_CONTROL: Final = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def _clean(text: str | None) -> str:
    """NFC, no control characters (the font has no glyph for them), single
    spaces. Line breaks survive: the body is split on them."""
    text = unicodedata.normalize("NFC", text or "").replace("\t", " ").replace("\r\n", "\n")
    text = _CONTROL.sub(" ", text.replace("\r", "\n"))
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _one_line(text: str | None) -> str:
    return " ".join(_clean(text).split())


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", _clean(text).upper())


# -- The template's paragraphs ------------------------------------------------

_CLASSES: Final = frozenset({"center", "right", "left", "bold", "italic", "noindent",
                             "addressee-label", "addressee"})


@dataclass(frozen=True)
class _Paragraph:
    text: str
    classes: frozenset[str]


class _ParagraphReader(HTMLParser):
    """The ``<p>`` elements of a rendered template, with entities decoded: an
    escaped "&lt;b&gt;" comes back as the literal text "<b>"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[_Paragraph] = []
        self._classes: frozenset[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "p":
            # Only a template can produce a tag (the drafter's text is escaped).
            raise ValueError(f"printable template uses <{tag}>, only <p> is laid out")
        self._close()
        classes = frozenset((dict(attrs).get("class") or "").split())
        if unknown := sorted(classes - _CLASSES):
            raise ValueError(f"printable template uses unknown classes {unknown}")
        self._classes, self._text = classes, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._close()

    def handle_data(self, data: str) -> None:
        if self._classes is not None:
            self._text.append(data)

    def _close(self) -> None:
        if self._classes is not None:
            text = " ".join("".join(self._text).split())
            if text:
                self.paragraphs.append(_Paragraph(text, self._classes))
        self._classes, self._text = None, []

    def close(self) -> None:
        super().close()
        self._close()


def _render_body(data: ComposeInput) -> list[_Paragraph]:
    from chalicelib.outputs.templating import render

    # Drafters type a paragraph per line as often as they leave blank lines
    # between paragraphs: either way every non-empty line is a paragraph.
    paragraphs = [line for line in _clean(data.body).split("\n") if line]
    addressees = [a for a in (_one_line(x) for x in data.addressees) if a]
    name = "addressed.html" if addressees else "body.html"
    html = render(f"{TEMPLATES}/{name}", paragraphs=paragraphs, addressees=addressees,
                  type_code=data.type_code, subject=_clean(data.subject))
    reader = _ParagraphReader()
    reader.feed(html)
    reader.close()
    return reader.paragraphs


# -- The PDF -------------------------------------------------------------------


def _document() -> Pdf:
    # Pages are broken by _paginate, which knows what must stay together.
    return new_pdf(faces=("", "B", "I", "BI"), margins=(LEFT, TOP, RIGHT), page_break=False,
                   cell_margin=0, page_numbers=PageNumbers(LEFT, TOP - 10, TEXT_W))


def _line_h(size: float, leading: float = 1.2) -> float:
    return size * leading * 25.4 / 72


def _wrap(pdf: Pdf, text: str, width: float, *, style: str, size: float,
          first_width: float | None = None) -> list[str]:
    """Greedy line breaking at spaces. A word longer than a whole line (a
    link) is cut, starting on the current line: moving it whole would leave a
    line of three words stretched across the page."""
    pdf.use(style, size)
    space = float(pdf.get_string_width(" "))
    avail = width if first_width is None else first_width
    lines: list[str] = []
    words: list[str] = []
    used = 0.0

    def flush() -> None:
        nonlocal words, used, avail
        lines.append(" ".join(words))
        words, used, avail = [], 0.0, width

    for word in text.split():
        ww = float(pdf.get_string_width(word))
        lead = space if words else 0.0
        if used + lead + ww <= avail + 1e-6:
            words.append(word)
            used += lead + ww
            continue
        if ww <= width + 1e-6:
            flush()
            words, used = [word], ww
            continue
        while (room := avail - used - (space if words else 0.0)) < float(
                pdf.get_string_width(word)) - 1e-6:
            head = _longest_prefix(pdf, word, room, at_least_one=not words)
            if head:
                words.append(head)
                word = word[len(head):]
            flush()
        used = float(pdf.get_string_width(word)) + (used + space if words else 0.0)
        words.append(word)
    if words:
        lines.append(" ".join(words))
    return lines


def _longest_prefix(pdf: Pdf, word: str, width: float, *, at_least_one: bool) -> str:
    end = 0
    while end < len(word) and pdf.get_string_width(word[:end + 1]) <= width:
        end += 1
    # On an empty line a character too wide still goes, or nothing ever would.
    return word[:max(end, 1)] if at_least_one else word[:end]


def _block(pdf: Pdf, text: str, x: float, w: float, y: float, *, style: str,
           size: float, leading: float = 1.2) -> tuple[float, list[float]]:
    """Centred wrapped lines; returns the y below them and each line's width."""
    h = _line_h(size, leading)
    widths: list[float] = []
    for line in _wrap(pdf, text, w, style=style, size=size):
        pdf.put(x, y, w, h, line, style=style, size=size, align="C")
        widths.append(pdf.width(line, style, size))
        y += h
    return y, widths


def _mark(pdf: Pdf, word: str, y: float) -> float:
    """A framed red mark centred in the left header column; returns the y below."""
    text = _upper(word)
    needed = pdf.width(text, "B", 13) + 4
    w = next((m for m in MARK_WIDTHS if m >= needed), needed)
    x = LEFT + (HEAD_LEFT_W - w) / 2
    pdf.set_draw_color(*MARK_COLOR)
    pdf.set_line_width(0.4)
    pdf.rect(x, y, w, MARK_H)
    pdf.set_text_color(*MARK_COLOR)
    pdf.put(x, y, w, MARK_H, text, style="B", size=13, align="C")
    pdf.set_text_color(0, 0, 0)
    return y + MARK_H + 2


def _header(pdf: Pdf, data: ComposeInput, urgency: str | None) -> tuple[float, Box, Box]:
    """Both header blocks on page 1; returns the y below them and the number
    and date boxes."""
    y = TOP
    if _clean(data.agency_parent):
        y, _ = _block(pdf, _upper(data.agency_parent), LEFT, HEAD_LEFT_W, y, style="", size=13)
    y, widths = _block(pdf, _upper(data.agency_name), LEFT, HEAD_LEFT_W, y, style="B", size=13)
    # Appendix I, II.2: a rule a third to a half as long as the name, centred.
    rule_w = max(widths, default=HEAD_LEFT_W) * 0.4
    pdf.rule(LEFT + (HEAD_LEFT_W - rule_w) / 2, y + 0.8, rule_w)
    left_y = y + 0.8

    y, _ = _block(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", HEAD_RIGHT_X, HEAD_RIGHT_W, TOP,
                  style="B", size=12)
    motto = "Độc lập - Tự do - Hạnh phúc"
    y, widths = _block(pdf, motto, HEAD_RIGHT_X, HEAD_RIGHT_W, y, style="B", size=14)
    # Appendix I, II.1: the motto's rule is as long as the motto.
    pdf.rule(HEAD_RIGHT_X + (HEAD_RIGHT_W - widths[0]) / 2, y + 0.8, widths[0])
    right_y = y + 0.8

    row = max(left_y, right_y) + 2.5
    number = _box(0, LEFT, row, HEAD_LEFT_W, BOX_LINE_H)
    date = _box(0, HEAD_RIGHT_X, row, HEAD_RIGHT_W, BOX_LINE_H)
    left_y = right_y = row + BOX_LINE_H
    if data.type_code == numbering.CONG_VAN:
        # Appendix I, II.5.b: "V/v" 12-13 pt upright, centred, 6 pt under the number.
        # "V/v" once, whatever the officer typed before the subject.
        subject = numbering.plain_subject(_one_line(data.subject))
        left_y, _ = _block(pdf, f"V/v {subject}", LEFT, HEAD_LEFT_W,
                           left_y + PARAGRAPH_GAP - 1, style="", size=12)
    if data.secret or urgency:
        left_y += 2
    if data.secret:
        left_y = _mark(pdf, "Mật", left_y)
    if urgency:
        left_y = _mark(pdf, urgency, left_y)
    return max(left_y, right_y), number, date


def _heading(pdf: Pdf, data: ComposeInput, y: float) -> float:
    """Type name and subject of a typed document (Appendix I, II.5.a)."""
    if data.type_code == numbering.CONG_VAN:
        return y + 4
    y += 6
    name = numbering.type_name(data.type_code).removesuffix(" (cá biệt)")
    y, _ = _block(pdf, name.upper(), LEFT, TEXT_W, y, style="B", size=14)
    subject = _one_line(data.subject)
    if subject:
        y, widths = _block(pdf, subject, LEFT, TEXT_W, y, style="B", size=14)
        # Appendix I, II.5.a: a rule a third to a half as long as the subject.
        rule_w = max(widths) * 0.4
        pdf.rule(LEFT + (TEXT_W - rule_w) / 2, y + 0.8, rule_w)
        y += 0.8
    return y + 6


# -- Body lines and pages ------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    text: str
    x: float
    width: float
    align: str  # L, C, R, or J (stretched to the width)
    style: str
    height: float
    gap_before: float


def _body_lines(pdf: Pdf, paragraphs: Sequence[_Paragraph]) -> list[_Line]:
    h = _line_h(BODY_SIZE, BODY_LEADING)
    label_end = ADDRESSEE_LEFT
    out: list[_Line] = []
    for paragraph in paragraphs:
        c = paragraph.classes
        style = ("B" if "bold" in c else "") + ("I" if "italic" in c else "")
        align = "C" if "center" in c else "R" if "right" in c else "J"
        left, indent, gap = 0.0, FIRST_INDENT, PARAGRAPH_GAP
        if "addressee-label" in c:
            left, align = ADDRESSEE_LEFT, "L"
            label_end = left + pdf.width(paragraph.text + " ", style, BODY_SIZE)
        elif "addressee" in c:
            left, align, gap = label_end, "L", 0.0
        elif "left" in c:
            align = "L"
        if align != "J" or "noindent" in c:
            indent = 0.0
        width = TEXT_W - left
        lines = _wrap(pdf, paragraph.text, width, style=style, size=BODY_SIZE,
                      first_width=width - indent)
        for i, text in enumerate(lines):
            first, last = i == 0, i == len(lines) - 1
            x = LEFT + left + (indent if first else 0.0)
            w = width - (indent if first else 0.0)
            # The last line of a justified paragraph stays ragged, as in print.
            line_align = "L" if align == "J" and last else align
            out.append(_Line(text, x, w, line_align, style, h, gap if first else 0.0))
    return out


def _paginate(lines: Sequence[_Line], top: float, break_before: int | None = None,
              ) -> tuple[list[tuple[int, float]], int, float]:
    """Where each line goes: (page, y); then the page and y below the last."""
    placed: list[tuple[int, float]] = []
    page, y, fresh = 0, top, False
    for i, line in enumerate(lines):
        gap = 0.0 if fresh else line.gap_before
        if (i == break_before and not fresh) or y + gap + line.height > BODY_BOTTOM:
            page, y, gap = page + 1, TOP, 0.0
        y += gap
        placed.append((page, y))
        y += line.height
        fresh = False
    return placed, page, y


def _draw_lines(pdf: Pdf, lines: Sequence[_Line],
                placed: Sequence[tuple[int, float]]) -> None:
    for line, (page, y) in zip(lines, placed, strict=True):
        _go_to(pdf, page)
        if line.align == "J":
            pdf.put_justified(line.x, y, line.width, line.height, line.text, style=line.style)
        else:
            pdf.put(line.x, y, line.width, line.height, line.text, style=line.style,
                    align=line.align)


def _go_to(pdf: Pdf, page: int) -> None:
    while pdf.page_no() - 1 < page:
        pdf.add_page()


# -- Footer: "Nơi nhận" and the signature --------------------------------------


@dataclass(frozen=True)
class _Footer:
    recipients: list[tuple[str, float, str, float, float]]  # text, x, style, size, height
    titles: list[str]
    names: list[str]

    def title_h(self) -> float:
        return len(self.titles) * _line_h(14, 1.25)

    def right_h(self) -> float:
        return self.title_h() + SIGNATURE_H + len(self.names) * _line_h(14, 1.25)

    def keep_h(self) -> float:
        """What must fit under the body: the signature column, and the head of
        the recipients (a long list may go on to the next page)."""
        head = sum(r[4] for r in self.recipients[:3])
        return max(self.right_h(), head)


def _footer(pdf: Pdf, data: ComposeInput) -> _Footer:
    recipients: list[tuple[str, float, str, float, float]] = [
        ("Nơi nhận:", LEFT, "BI", 12, _line_h(12))]
    dash_w = pdf.width("- ", "", 11)
    for item in data.recipients:
        text = _one_line(item)
        if not text:
            continue
        if not text.startswith("-"):
            text = f"- {text}"
        # Continuation lines hang under the text, not under the dash.
        for i, line in enumerate(_wrap(pdf, text, FOOT_LEFT_W - 2 - dash_w, style="", size=11,
                                       first_width=FOOT_LEFT_W - 2)):
            recipients.append((line, LEFT + (dash_w if i else 0.0), "", 11, _line_h(11)))
    titles: list[str] = []
    for title in data.signature_title:
        titles.extend(_wrap(pdf, _upper(title), SIGN_W, style="B", size=14))
    names = _wrap(pdf, _one_line(data.signer_name), SIGN_W, style="B", size=14)
    return _Footer(recipients, titles, names)


def _draw_footer(pdf: Pdf, footer: _Footer, page: int, top: float) -> tuple[Box, Box]:
    _go_to(pdf, page)
    h = _line_h(14, 1.25)
    y = top
    for title in footer.titles:
        pdf.put(SIGN_X, y, SIGN_W, h, title, style="B", size=14, align="C")
        y += h
    sign_x = SIGN_X + (SIGN_W - SIGNATURE_W) / 2
    signature = _box(page, sign_x, y, SIGNATURE_W, SIGNATURE_H)
    seal_x = sign_x + SIGNATURE_W / 3 - SEAL_DIAMETER
    seal = _box(page, seal_x, y + (SIGNATURE_H - SEAL_DIAMETER) / 2, SEAL_DIAMETER,
                SEAL_DIAMETER)
    y += SIGNATURE_H
    for name in footer.names:
        pdf.put(SIGN_X, y, SIGN_W, h, name, style="B", size=14, align="C")
        y += h

    y = top
    for text, x, style, size, height in footer.recipients:
        if y + height > BODY_BOTTOM:
            pdf.add_page()
            y = TOP
        pdf.put(x, y, FOOT_LEFT_W, height, text, style=style, size=size)
        y += height
    return signature, seal


# -- Entry point ---------------------------------------------------------------


def _check(data: ComposeInput) -> str | None:
    if not numbering.is_known_type(data.type_code):
        raise ValueError(f"Loại văn bản không có trong Phụ lục III: {data.type_code!r}")
    if not _clean(data.agency_name):
        raise ValueError("Thiếu tên cơ quan ban hành")
    if not [t for t in data.signature_title if _clean(t)] or not _clean(data.signer_name):
        raise ValueError("Thiếu chức vụ hoặc họ tên người ký")
    authority = _clean(data.authority)
    if authority not in numbering.SIGNING_AUTHORITIES:
        raise ValueError(f"Thẩm quyền ký không hợp lệ: {data.authority!r}")
    if authority and not any(_upper(t).startswith(authority) for t in data.signature_title):
        raise ValueError(f"Chức vụ người ký không ghi thẩm quyền {authority}")
    urgency = _clean(data.urgency)
    if urgency in _NO_URGENCY:
        return None
    for mark in URGENCY_MARKS:
        if urgency.casefold() == mark.casefold():
            return mark
    raise ValueError(f"Độ khẩn không hợp lệ: {data.urgency!r}")


def compose(data: ComposeInput) -> ComposedPdf:
    urgency = _check(data)
    data = _normalised(data)
    pdf = _document()
    pdf.set_title(_one_line(data.subject))
    pdf.set_subject(numbering.type_name(data.type_code))
    pdf.set_author(_clean(data.agency_name))
    pdf.set_keywords(f"{data.type_code} {data.agency_code} {data.year}")
    pdf.set_lang("vi-VN")
    pdf.set_creator("eoffice")
    pdf.add_page()

    y, number, date = _header(pdf, data, urgency)
    y = _heading(pdf, data, y)
    lines = _body_lines(pdf, _render_body(data))
    footer = _footer(pdf, data)

    gap = _line_h(BODY_SIZE, BODY_LEADING) / 2
    placed, page, end = _paginate(lines, y)
    keep = min(KEEP_LINES, len(lines))
    carried = sum(1 for p, _ in placed if p == page)
    if end + gap + footer.keep_h() > BODY_BOTTOM or (page and carried < keep):
        # The signature page carries the last KEEP_LINES lines at least; more
        # could only leave the footer less room.
        placed, page, end = _paginate(lines, y, break_before=len(lines) - keep)
        if not keep or end + gap + footer.keep_h() > BODY_BOTTOM:
            # Taller than a page even with its lines: it starts a page of its own.
            placed, page, end = _paginate(lines, y)
            page, end, gap = page + 1, TOP, 0.0
    _draw_lines(pdf, lines, placed)
    signature, seal = _draw_footer(pdf, footer, page, end + gap)
    qr = _box(0, QR_X, PAGE_H - QR_BOTTOM - QR_H, QR_W, QR_H)
    return ComposedPdf(pdf=bytes(pdf.output()), number=number, date=date,
                       signature=signature, seal=seal, qr=qr, pages=pdf.page_no())


def _normalised(data: ComposeInput) -> ComposeInput:
    return replace(data, type_code=unicodedata.normalize("NFC", data.type_code),
                   agency_code=unicodedata.normalize("NFC", data.agency_code))

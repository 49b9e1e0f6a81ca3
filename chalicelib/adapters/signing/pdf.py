"""Outgoing documents through their three PDF stages:

1. ``prepare`` (before any signature, a full rewrite): the verification QR
   on page 1 and two empty read-only text fields for the number and date;
2. ``sign_leader`` (incremental): the leader's visible PAdES signature;
3. ``issue`` (one incremental revision): the number and date filled into the
   fields, and the agency seal's visible PAdES signature.

Filling fields that already existed when the leader signed is "form filling"
in the sense of ISO 32000 and pyHanko's difference analysis, so the leader's
signature stays valid; stamping the number into the page content instead
would break it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import (
    AxisAlignment,
    BoxConstraints,
    InnerScaling,
    Margins,
    SimpleBoxLayoutRule,
)
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError as PypdfReadError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from chalicelib.adapters.signing.appearance import (
    attachment_stamp,
    qr_block,
    qr_caption_height,
    text_block,
)
from chalicelib.adapters.signing.errors import SigningInputError
from chalicelib.adapters.signing.kms import KmsSigner
from chalicelib.adapters.signing.loop import outside_event_loop

NUMBER_FIELD = "eoffice_number"
DATE_FIELD = "eoffice_date"
# CMS with a chain of 2–3 RSA-2048 certificates is ~5 KB; the hex /Contents
# doubles it. 16 KiB leaves room for a longer government chain.
BYTES_RESERVED = 16384
READ_ONLY = 1
PRINT = 4

# millimetres in points, for the margins of Decree 30/2020 documents
MM = 72 / 25.4


class DocumentError(SigningInputError):
    """The PDF cannot go through this stage (unreadable, encrypted, already
    signed where that is not allowed)."""


@dataclass
class Box:
    """A rectangle in PDF points, origin at the bottom left of the page;
    ``page`` is 0-based, negative counts from the end (-1: last page)."""

    page: int
    x: float
    y: float
    width: float
    height: float

    def rect(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)


@dataclass
class Layout:
    number: Box
    date: Box
    signature: Box
    seal: Box
    qr: Box


def _reader(pdf_bytes: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(pdf_bytes), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("Tệp PDF được đặt mật khẩu", "The PDF is password-protected")
        _ = len(reader.pages)
    except (PypdfReadError, ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, DocumentError):
            raise
        raise DocumentError("Tệp không phải PDF hợp lệ", "Not a valid PDF") from exc
    if not reader.pages:
        raise DocumentError("Tệp PDF không có trang nào", "The PDF has no pages")
    return reader


def _page_box(page: Any) -> tuple[float, float, float, float]:
    box = page.cropbox
    return (float(box.left), float(box.bottom), float(box.right), float(box.top))


def default_layout(pdf_bytes: bytes) -> Layout:
    """Where Decree 30/2020 puts things: number under the agency name at the
    top left of page 1, place and date under the motto at the top right, the
    leader's signature at the bottom right of the last page, the seal over
    its left third, and the QR in the left margin at the bottom of page 1."""
    reader = _reader(pdf_bytes)
    left, bottom, right, top = _page_box(reader.pages[0])
    width = right - left
    row = top - 20 * MM - 62  # below the two-line header block
    number = Box(0, left + 25 * MM, row, width * 0.40 - 25 * MM, 18)
    date = Box(0, left + width * 0.45, row, width * 0.55 - 15 * MM, 18)
    qr_size = 20 * MM
    qr = Box(0, left + 6 * MM, bottom + 6 * MM, qr_size, qr_size + qr_caption_height(qr_size))
    l_left, l_bottom, l_right, _ = _page_box(reader.pages[-1])
    sig_w, sig_h = 170.0, 70.0
    signature = Box(-1, l_right - 15 * MM - sig_w, l_bottom + 25 * MM, sig_w, sig_h)
    seal_side = 34 * MM  # a round seal is 35–42 mm; slightly smaller fits the box
    seal = Box(-1, signature.x + sig_w / 3 - seal_side, signature.y + sig_h / 2 - seal_side / 2,
               seal_side, seal_side)
    seal.x = max(seal.x, l_left + 5 * MM)
    return Layout(number=number, date=date, signature=signature, seal=seal, qr=qr)


def attachment_box(pdf_bytes: bytes) -> Box:
    """Top right of page 1, inside the right and top margins (Appendix I: the
    agency signs each attachment file there)."""
    left, bottom, right, top = _page_box(_reader(pdf_bytes).pages[0])
    width, height = 200.0, 30.0
    return Box(0, right - 15 * MM - width, top - 10 * MM - height, width, height)


def seal_attachment(pdf_bytes: bytes, *, number_text: str, seal_signer: KmsSigner,
                    signed_at: datetime, field_name: str = "AgencySeal",
                    location: str | None = "Hà Nội") -> bytes:
    """The agency's signature on an attachment file or a scanned copy: the
    text of ``appearance.attachment_stamp`` at the top right of page 1."""
    box = attachment_box(pdf_bytes)
    stamp = attachment_stamp(width=box.width, height=box.height, number_text=number_text,
                             signed_at=signed_at)
    return _sign(_writer(pdf_bytes), signer=seal_signer, box=box, appearance_pdf=stamp,
                 field_name=field_name, reason="Đóng dấu văn bản kèm theo", location=location)


def _index(count: int, page: int) -> int:
    index = page + count if page < 0 else page
    if not 0 <= index < count:
        raise DocumentError(f"Không có trang {page + 1} trong tệp",
                            f"The document has no page {page + 1}")
    return index


def _field_names(acroform: Any) -> set[str]:
    names: set[str] = set()
    for ref in (acroform or {}).get("/Fields", []) or []:
        obj = ref.get_object()
        if "/T" in obj:
            names.add(str(obj["/T"]))
    return names


def _has_signatures(reader: PdfReader) -> bool:
    acroform = reader.trailer["/Root"].get("/AcroForm")
    for ref in (acroform.get_object() if acroform else {}).get("/Fields", []) or []:
        obj = ref.get_object()
        if obj.get("/FT") == "/Sig" and "/V" in obj:
            return True
    return False


def prepare(pdf_bytes: bytes, *, layout: Layout, verify_url: str, code: str) -> bytes:
    """Content stage, before any signature: the QR block drawn on page 1 and
    the empty number/date fields. A full rewrite, which also normalises
    uploaded files that pyHanko's stricter reader would refuse."""
    reader = _reader(pdf_bytes)
    if _has_signatures(reader):
        raise DocumentError("Tệp đã có chữ ký số, không thể chuẩn bị lại",
                            "The PDF is already signed and cannot be prepared again")
    writer = PdfWriter(clone_from=reader)
    count = len(writer.pages)

    qr_pdf = PdfReader(io.BytesIO(qr_block(url=verify_url, code=code, size=layout.qr.width)))
    stamp = qr_pdf.pages[0]
    s_w, s_h = float(stamp.mediabox.width), float(stamp.mediabox.height)
    scale = min(layout.qr.width / s_w, layout.qr.height / s_h)
    page = writer.pages[_index(count, layout.qr.page)]
    page.merge_transformed_page(
        stamp, Transformation().scale(scale).translate(layout.qr.x, layout.qr.y), over=True)

    root = writer.root_object
    if "/AcroForm" not in root:
        root[NameObject("/AcroForm")] = writer._add_object(DictionaryObject())
    acroform = root["/AcroForm"].get_object()
    if "/Fields" not in acroform:
        acroform[NameObject("/Fields")] = ArrayObject()
    fields_array = acroform["/Fields"].get_object()
    # /DA needs a font in /DR; the real appearance is ours (/AP), this one
    # only matters to a viewer that insists on regenerating it.
    acroform.setdefault(NameObject("/DA"), TextStringObject("/Helv 0 Tf 0 g"))
    if "/DR" not in acroform:
        acroform[NameObject("/DR")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({
                NameObject("/Helv"): DictionaryObject({
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject("/Helvetica"),
                    NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                }),
            }),
        })
    existing = _field_names(acroform)
    for name, box in ((NUMBER_FIELD, layout.number), (DATE_FIELD, layout.date)):
        if name in existing:
            continue
        target = writer.pages[_index(count, box.page)]
        widget = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject(name),
            NameObject("/Ff"): NumberObject(READ_ONLY),
            NameObject("/F"): NumberObject(PRINT),
            NameObject("/Rect"): ArrayObject(FloatObject(v) for v in box.rect()),
            NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
            NameObject("/P"): target.indirect_reference,
        })
        ref = writer._add_object(widget)
        if "/Annots" not in target:
            target[NameObject("/Annots")] = ArrayObject()
        target["/Annots"].get_object().append(ref)
        fields_array.append(ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class _PdfBytesPage(PdfContent):
    """pyHanko's ImportedPdfPage reads a file by name; this reads bytes."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = data

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)))
        name = "/StampPage"
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return name.encode("ascii") + b" Do"


def _stamp_style(appearance_pdf: bytes) -> StaticStampStyle:
    return StaticStampStyle(
        background=_PdfBytesPage(appearance_pdf),
        border_width=0,
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID,
            margins=Margins(0, 0, 0, 0), inner_content_scaling=InnerScaling.SHRINK_TO_FIT),
    )


def _writer(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except Exception as exc:  # pyHanko raises several unrelated types on bad input
        raise DocumentError("Tệp không phải PDF hợp lệ", "Not a valid PDF") from exc


def _sign(writer: IncrementalPdfFileWriter, *, signer: KmsSigner, box: Box, appearance_pdf: bytes,
          field_name: str, reason: str | None, location: str | None) -> bytes:
    count = int(writer.root["/Pages"]["/Count"])
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason, location=location, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, stamp_style=_stamp_style(appearance_pdf),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name, on_page=_index(count, box.page),
            box=box.rect()),  # type: ignore[arg-type]  # floats are fine in a /Rect
    )
    out = outside_event_loop(lambda: pdf_signer.sign_pdf(writer,
                                                         bytes_reserved=BYTES_RESERVED))
    return bytes(out.getvalue())


def sign_leader(pdf_bytes: bytes, *, signer: KmsSigner, box: Box, appearance_pdf: bytes,
                field_name: str = "LeaderSignature", reason: str = "Phê duyệt và ký ban hành",
                location: str = "Hà Nội") -> bytes:
    """The leader's visible PAdES signature, appended as a new revision."""
    return _sign(_writer(pdf_bytes), signer=signer, box=box, appearance_pdf=appearance_pdf,
                 field_name=field_name, reason=reason, location=location)


def _find_field(writer: IncrementalPdfFileWriter, name: str) -> generic.IndirectObject | None:
    try:
        field_refs = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        return None
    for ref in field_refs:
        if isinstance(ref, generic.IndirectObject) and ref.get_object().get("/T") == name:
            return ref
    return None


def _signed(writer: IncrementalPdfFileWriter) -> bool:
    try:
        field_refs = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        return False
    return any(ref.get_object().get("/FT") == "/Sig" and "/V" in ref.get_object()
               for ref in field_refs)


def _new_text_field(writer: IncrementalPdfFileWriter, name: str, box: Box
                    ) -> generic.IndirectObject:
    """A number/date field created at issuance, for a document that never
    went through ``prepare`` (attachments): only allowed while unsigned,
    since a new field after a signature is not form filling."""
    count = int(writer.root["/Pages"]["/Count"])
    page_ref = writer.find_page_for_modification(_index(count, box.page))[0]
    field = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/FT"): pdf_name("/Tx"),
        pdf_name("/T"): generic.TextStringObject(name),
        pdf_name("/Ff"): generic.NumberObject(READ_ONLY),
        pdf_name("/F"): generic.NumberObject(PRINT),
        pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in box.rect()),
        pdf_name("/P"): page_ref,
    })
    ref = writer.add_object(field)
    writer.register_annotation(page_ref, ref)
    root = writer.root
    if "/AcroForm" not in root:
        root[pdf_name("/AcroForm")] = writer.add_object(
            generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()}))
        writer.update_root()
    acroform_raw = root.raw_get("/AcroForm")
    acroform = acroform_raw.get_object()
    if "/Fields" not in acroform:
        acroform[pdf_name("/Fields")] = generic.ArrayObject()
    fields_raw = acroform.raw_get("/Fields")
    fields_raw.get_object().append(ref)
    if isinstance(fields_raw, generic.IndirectObject):
        writer.mark_update(fields_raw)
    if isinstance(acroform_raw, generic.IndirectObject):
        writer.mark_update(acroform_raw)
    else:
        writer.update_root()
    return ref


def _fill(writer: IncrementalPdfFileWriter, ref: generic.IndirectObject, text: str,
          align: str) -> None:
    """/V plus a new /AP /N stream: pyHanko only whitelists appearance
    updates that point at new streams, never edits of an existing one."""
    field = ref.get_object()
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    block = text_block(width=abs(x2 - x1), height=abs(y2 - y1), text=text, align=align)
    xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(block)))
    field[pdf_name("/V")] = generic.TextStringObject(text)
    field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): xobj})
    writer.mark_update(ref)


def issue(pdf_bytes: bytes, *, number_text: str, date_text: str, layout: Layout,
          seal_signer: KmsSigner, seal_appearance_pdf: bytes,
          field_name: str = "AgencySeal", reason: str | None = "Đóng dấu ban hành",
          location: str | None = "Hà Nội") -> bytes:
    """Number, date and the agency seal in one revision: the leader's
    signature (if any) sees only form filling and a new signature."""
    writer = _writer(pdf_bytes)
    signed = _signed(writer)
    for name, text, box, align in ((NUMBER_FIELD, number_text, layout.number, "L"),
                                   (DATE_FIELD, date_text, layout.date, "C")):
        ref = _find_field(writer, name)
        if ref is None:
            if signed:
                raise DocumentError(
                    "Tệp đã ký nhưng chưa có ô số và ngày (chưa qua bước chuẩn bị)",
                    "The PDF is signed but has no number/date fields (not prepared)")
            ref = _new_text_field(writer, name, box)
        _fill(writer, ref, text, align)
    return _sign(writer, signer=seal_signer, box=layout.seal,
                 appearance_pdf=seal_appearance_pdf, field_name=field_name, reason=reason,
                 location=location)

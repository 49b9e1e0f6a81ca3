"""The ingest pipeline's first two steps on real files: ``inspect_pdf`` says
what a file is, ``detect`` reads the Decree 30 metadata off its text layer.

Two sources of files: the shared sample corpus (every file of its manifest,
every ``expected`` field exactly), and PDFs built here byte by byte, so that
encrypted, truncated, empty and hostile files are tested without the corpus.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.pdf_inspect import PdfReport, inspect_pdf
from chalicelib.incoming.decree30 import FIELDS, detect

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

KIND_STATUS = {
    "text_pdf": "readable",
    "scanned_pdf": "scanned",
    "encrypted_pdf": "encrypted",
    "truncated_pdf": "truncated",
    "not_pdf": "not_pdf",
    "empty": "empty",
}
# The manifest leaves "kind" out for its born-digital documents (README: a
# text_pdf carries the `expected` metadata); every other kind is explicit.
DEFAULT_KIND = "text_pdf"


# -- the shared corpus -------------------------------------------------------


def _manifest() -> list[dict[str, Any]]:
    path = CORPUS / "manifest.json"
    if not path.is_file():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["docs"])


MANIFEST = _manifest()


@pytest.fixture(scope="module")
def corpus() -> Path:
    if not (CORPUS / "manifest.json").is_file():
        message = f"sample corpus not found at {CORPUS} (expected next to the repository)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CORPUS


def _resolve(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy behaves like its original: same kind, same expected metadata."""
    seen: set[str] = set()
    while doc.get("kind") == "copy_of":
        assert doc["file"] not in seen, f"copy_of cycle at {doc['file']}"
        seen.add(doc["file"])
        doc = next(d for d in MANIFEST if d["file"] == doc["copy_of"])
    return doc


def _kind(doc: dict[str, Any]) -> str:
    return str(_resolve(doc).get("kind", DEFAULT_KIND))


def test_the_corpus_manifest_covers_every_file_and_kind(corpus: Path) -> None:
    listed = {d["file"] for d in MANIFEST}
    on_disk = {p.name for p in corpus.iterdir() if p.name not in ("manifest.json", "README.md")}
    assert listed == on_disk
    assert {_kind(d) for d in MANIFEST} == set(KIND_STATUS)


# Without the corpus, one placeholder case: the `corpus` fixture then skips
# (or fails under CI) with a message instead of an anonymous empty set.
DOCS: list[Any] = list(MANIFEST) or [pytest.param({}, id="corpus-missing")]


@pytest.mark.parametrize("doc", DOCS, ids=None if not MANIFEST else [d["file"] for d in MANIFEST])
def test_corpus_file(corpus: Path, doc: dict[str, Any]) -> None:
    data = (corpus / doc["file"]).read_bytes()
    original = _resolve(doc)
    if original is not doc:
        assert data == (corpus / original["file"]).read_bytes(), "a copy is byte-identical"
    kind = _kind(doc)
    report = inspect_pdf(data)

    assert report.status == KIND_STATUS[kind], report.reason_en
    assert report.ok == (kind in ("text_pdf", "scanned_pdf"))
    assert report.reason and report.reason_en
    if "pages" in original:
        assert report.pages == original["pages"]
    if report.status != "readable":
        # No text layer to read: every field is for a person (or OCR) to fill.
        assert report.text == "" and report.first_page_text == ""
        assert detect(report.text).missing == [f for f in FIELDS if f != "do_khan"]
        return

    assert unicodedata.is_normalized("NFC", report.text)
    assert report.text.startswith(report.first_page_text)
    assert report.text.count("\f") == (report.pages or 0) - 1
    expected = original["expected"]
    assert set(expected) == set(FIELDS), "the manifest names the fields as the detector does"
    detected = detect(report.text)
    got = {name: getattr(detected, name) for name in expected}
    assert got == expected
    assert detected.missing == [] and detected.truncated == []
    assert all(detected.confidence[name] >= 0.5 for name in expected)


def test_inspect_pdf_leaves_pypdf_out_of_the_cold_start() -> None:
    # A fresh interpreter: importing the adapter must not import pypdf.
    import subprocess

    code = ("import sys, chalicelib.adapters.pdf_inspect, chalicelib.incoming.decree30; "
            "sys.exit(1 if 'pypdf' in sys.modules else 0)")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, check=False)
    assert result.returncode == 0, "pypdf imported at module level"


# -- PDFs built here -----------------------------------------------------------


def build_pdf(pages: list[list[str]], *, decomposed: bool = False) -> bytes:
    """A minimal valid PDF: Helvetica with a ToUnicode map, one text line per
    entry, so that extractors read back exactly the given characters.
    ``decomposed`` maps each character to its NFD sequence, as some producers do."""
    chars = sorted({ch for page in pages for line in page for ch in line})
    assert len(chars) < 255, "one-byte codes only"
    code = {ch: i + 1 for i, ch in enumerate(chars)}

    def utf16(ch: str) -> str:
        text = unicodedata.normalize("NFD", ch) if decomposed else ch
        return text.encode("utf-16-be").hex().upper()

    entries = [f"<{code[ch]:02X}> <{utf16(ch)}>" for ch in chars]
    blocks = [entries[i:i + 100] for i in range(0, len(entries), 100)]
    cmap = "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<00> <FF>", "endcodespacerange",
        *[f"{len(b)} beginbfchar\n" + "\n".join(b) + "\nendbfchar" for b in blocks],
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ]).encode()

    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the page numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    page_ids: list[int] = []
    for lines in pages:
        ops = ["BT /F1 11 Tf 14 TL 56 790 Td"]
        for line in lines:
            ops.append(f"<{''.join(f'{code[ch]:02X}' for ch in line)}> Tj T*")
        ops.append("ET")
        content = "\n".join(ops).encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                       % content_id)
        page_ids.append(len(objects))
    kids = " ".join(f"{i} 0 R" for i in page_ids).encode()
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


DOCUMENT = [
    "UBND THÀNH PHỐ HÀ NỘI",
    "SỞ Y TẾ",
    "Số: 77/SYT-NVY",
    "V/v tăng cường phòng chống dịch bệnh mùa",
    "đông",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Hà Nội, ngày 01 tháng 11 năm 2026",
    "KHẨN",
    "Kính gửi: Các sở, ngành.",
    "Sở Y tế đề nghị các đơn vị chủ động phòng chống dịch bệnh.",
    "Nơi nhận:",
    "- Như trên;",
    "- Lưu: VT, NVY.",
    "GIÁM ĐỐC",
    "Trần Thị Mai",
]
EXPECTED = {
    "so_ky_hieu": "77/SYT-NVY",
    "co_quan_ban_hanh": "Sở Y tế",
    "ngay_ban_hanh": "2026-11-01",
    "loai_van_ban": "Công văn",
    "trich_yeu": "V/v tăng cường phòng chống dịch bệnh mùa đông",
    "do_khan": "Khẩn",
    "nguoi_ky": "Trần Thị Mai",
}


def fields(report: PdfReport) -> dict[str, Any]:
    detected = detect(report.text)
    return {name: getattr(detected, name) for name in EXPECTED}


def encrypt(data: bytes, user_password: str, owner_password: str = "chu-so-huu") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password=owner_password,
                   algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def text_pdf() -> bytes:
    return build_pdf([DOCUMENT])


def test_built_pdf_is_readable_and_detected(text_pdf: bytes) -> None:
    report = inspect_pdf(text_pdf)
    assert (report.status, report.ok, report.pages) == ("readable", True, 1)
    assert fields(report) == EXPECTED
    assert report.first_page_text == report.text


def test_decomposed_text_layer_comes_out_composed() -> None:
    report = inspect_pdf(build_pdf([DOCUMENT], decomposed=True))
    assert report.status == "readable"
    assert unicodedata.is_normalized("NFC", report.text)
    assert fields(report) == EXPECTED


def test_pages_are_separated_by_form_feeds_and_limited() -> None:
    pages = [[f"Trang {n} của văn bản thử nghiệm đủ dài để có lớp chữ."] for n in range(1, 6)]
    full = inspect_pdf(build_pdf(pages))
    assert full.pages == 5 and full.text.count("\f") == 4
    assert full.first_page_text.startswith("Trang 1")
    limited = inspect_pdf(build_pdf(pages), max_pages=2)
    assert limited.pages == 5  # the real count, even when not all pages are read
    assert limited.text.count("\f") == 1 and "Trang 3" not in limited.text


def test_signature_at_the_end_of_a_multi_page_document() -> None:
    report = inspect_pdf(build_pdf([DOCUMENT[:11], DOCUMENT[11:]]))
    assert report.pages == 2
    assert fields(report) == EXPECTED


def test_user_password_is_encrypted(text_pdf: bytes) -> None:
    report = inspect_pdf(encrypt(text_pdf, "mat-khau"))
    assert (report.status, report.ok, report.text) == ("encrypted", False, "")
    assert "mật khẩu" in report.reason


def test_empty_user_password_opens_as_readable(text_pdf: bytes) -> None:
    report = inspect_pdf(encrypt(text_pdf, ""))  # owner password only: still readable
    assert report.status == "readable"
    assert fields(report) == EXPECTED


@pytest.mark.parametrize("fraction", [0.1, 0.34, 0.5, 0.9, 0.99])
def test_cut_off_file_is_truncated(text_pdf: bytes, fraction: float) -> None:
    report = inspect_pdf(text_pdf[: int(len(text_pdf) * fraction)])
    assert (report.status, report.ok) == ("truncated", False)


@pytest.mark.parametrize("broken", [
    b"%PDF-1.4\n garbage \n%%EOF\n",
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\n%%EOF",
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF",  # a page tree that points at itself
])
def test_hostile_or_broken_pdf_is_a_status_not_an_exception(broken: bytes) -> None:
    report = inspect_pdf(broken)
    assert report.status in ("truncated", "empty")
    assert report.ok is False


def test_broken_xref_is_repaired_when_the_objects_are_intact(text_pdf: bytes) -> None:
    # A wrong startxref is a common producer bug; the file is not damaged.
    data = text_pdf.replace(b"startxref\n", b"startxref\n9").rstrip(b"\n")
    report = inspect_pdf(data)
    assert report.status == "readable"


def test_image_only_pdf_is_scanned() -> None:
    blank = build_pdf([[""], [" "]])
    report = inspect_pdf(blank)
    assert (report.status, report.ok, report.pages, report.text) == ("scanned", True, 2, "")


def test_a_scanner_stamp_is_not_a_text_layer() -> None:
    report = inspect_pdf(build_pdf([["Scanned with CamScanner"]]))
    assert report.status == "scanned"


@pytest.mark.parametrize("data", [b"", b"   \r\n\t "])
def test_empty(data: bytes) -> None:
    report = inspect_pdf(data)
    assert (report.status, report.ok, report.pages) == ("empty", False, None)
    assert report.reason == "Tệp rỗng (0 byte), không có nội dung."


@pytest.mark.parametrize("data", [
    "Tệp này chỉ là văn bản thuần, không phải PDF.".encode(),
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    b"PK\x03\x04 a .docx renamed to .pdf",
    b"%PD",
])
def test_not_pdf(data: bytes) -> None:
    report = inspect_pdf(data)
    assert (report.status, report.ok) == ("not_pdf", False)


@pytest.mark.parametrize("data", [None, "a str, not bytes", 42])
def test_not_bytes_never_raises(data: Any) -> None:
    report = inspect_pdf(data)
    assert report.ok is False
    assert report.status in ("empty", "not_pdf")


def test_bytearray_and_memoryview_are_accepted(text_pdf: bytes) -> None:
    assert inspect_pdf(bytearray(text_pdf)).status == "readable"  # type: ignore[arg-type]
    assert inspect_pdf(memoryview(text_pdf)).status == "readable"  # type: ignore[arg-type]


def test_max_pages_below_one_still_reads_a_page(text_pdf: bytes) -> None:
    assert inspect_pdf(text_pdf, max_pages=0).status == "readable"


def test_junk_before_the_header_is_tolerated(text_pdf: bytes) -> None:
    # As Acrobat does: the header anywhere in the first KiB.
    report = inspect_pdf(b"\r\n" * 10 + text_pdf)
    assert report.status == "readable"


def test_same_bytes_same_digest(text_pdf: bytes) -> None:
    # What the intake's duplicate warning relies on (copy_of in the corpus).
    assert hashlib.sha256(text_pdf).digest() == hashlib.sha256(build_pdf([DOCUMENT])).digest()

"""Uploads are what their bytes are (#21 item 10), whatever they are declared."""

from __future__ import annotations

import io
import zipfile

import pytest

from chalicelib.kernel import filetypes
from chalicelib.kernel.errors import InvalidInput

HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.7\n...", filetypes.PDF),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", filetypes.JPEG),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", filetypes.PNG),
    (_zip("[Content_Types].xml", "word/document.xml"), filetypes.DOCX),
    (_zip("[Content_Types].xml", "xl/workbook.xml"), filetypes.XLSX),
    (_zip("META-INF/MANIFEST.MF", "a.class"), None),  # a JAR is a ZIP, not a DOCX
    (b"PK\x03\x04 truncated", None),
    (HTML, None), (EXE, None), (b"", None), (b" %PDF-1.4", None),
])
def test_the_bytes_say_what_a_file_is(data: bytes, kind: str | None) -> None:
    assert filetypes.sniff(data) == kind


@pytest.mark.parametrize("data", [HTML, EXE])
def test_html_and_an_executable_declared_pdf_are_refused_naming_the_field(data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        filetypes.checked_type(data, (filetypes.PDF,), path="files.0",
                               declared="application/pdf")
    assert refused.value.code == "invalid_file_type"
    assert [f.path for f in refused.value.fields] == ["files.0"]
    assert "PDF" in refused.value.message and refused.value.message_en


def test_a_type_the_route_does_not_take_or_a_false_declaration_is_refused() -> None:
    docx = _zip("[Content_Types].xml", "word/document.xml")
    with pytest.raises(InvalidInput):
        filetypes.checked_type(docx, (filetypes.PDF, filetypes.PNG), path="file")
    with pytest.raises(InvalidInput) as mismatch:
        filetypes.checked_type(b"\x89PNG\r\n\x1a\n", (filetypes.PDF, filetypes.PNG),
                               path="papers.GDN", declared="application/pdf")
    assert "PNG" in mismatch.value.message
    assert filetypes.checked_type(docx, (filetypes.PDF, filetypes.DOCX), path="file") == \
        filetypes.DOCX
    assert filetypes.checked_type(b"%PDF-1.4", (filetypes.PDF,), path="f",
                                  declared="application/pdf; charset=binary") == filetypes.PDF

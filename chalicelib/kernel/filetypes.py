"""What a file is, by its bytes: every upload, from the public or from staff, is
checked here against what its route allows, whatever its name or declared
Content-Type says (an HTML page or an ``MZ`` executable declared
``application/pdf`` is refused).

PDF is ``%PDF-`` at offset 0 (the spec's place; the intake pipeline's
``pdf_inspect`` is more lenient for scanners, and then parses the file); JPEG
and PNG by their signatures; DOCX and XLSX are ZIP archives holding the
parts that make each one (``word/document.xml``, ``xl/workbook.xml``), since
any ZIP (a JAR, an archive of executables) starts with the same 4 bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from chalicelib.kernel.errors import FieldProblem, InvalidInput

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", DOCX: "DOCX", XLSX: "XLSX"}
# How many leading bytes tell PDF, JPEG and PNG apart (what a ranged read fetches).
HEAD_BYTES = 16
_ZIP = b"PK\x03\x04"
_OFFICE_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}


def sniff(data: bytes) -> str | None:
    """The type the bytes are, of those above, or None. A ZIP is told apart
    only when ``data`` is the whole file (its directory is at the end)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(_ZIP):
        return _office(data)
    return None


def _office(data: bytes) -> str | None:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, part in _OFFICE_PART.items() if part in names), None)


def checked_type(data: bytes, allowed: Iterable[str], *, path: str,
                 declared: str | None = None) -> str:
    """The type of ``data`` when it is one of ``allowed`` (and the ``declared``
    one, when given); else a 400 naming the field ``path``."""
    allowed = tuple(allowed)
    found = sniff(data)
    names = ", ".join(LABELS.get(a, a) for a in allowed)
    if found is None or found not in allowed:
        raise InvalidInput(
            f"Tệp phải là {names}; nội dung tệp không phải loại này, bất kể tên tệp là gì.",
            f"The file must be {names}; its content is not, whatever its name says.",
            "invalid_file_type",
            [FieldProblem(path, f"Nội dung không phải {names}.", f"Content is not {names}.")])
    if declared is not None and declared.split(";")[0].strip().lower() != found:
        raise InvalidInput(
            f"Tệp được khai là {declared} nhưng nội dung là {LABELS[found]}.",
            f"The file is declared {declared} but its content is {LABELS[found]}.",
            "invalid_file_type",
            [FieldProblem(path, f"Loại khai báo không khớp nội dung ({LABELS[found]}).",
                          f"Declared type does not match the content ({LABELS[found]}).")])
    return found

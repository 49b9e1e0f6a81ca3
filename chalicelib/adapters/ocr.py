"""Optical character recognition of scanned PDFs: OCRmyPDF over Tesseract's
Vietnamese model.

OCRmyPDF (and pikepdf under it) is imported inside ``ocr_pdf`` only: the app's
zip-packaged functions never carry it; only the OCR function's container image
(infra/ocr/Dockerfile) and a machine with the Debian packages do. ``available``
says whether this machine can OCR, so that the intake falls back to the
"enter the metadata by hand" path instead of failing.

The output is a PDF/A-2b with a text layer; pages that already carry text are
left as they are (OCRmyPDF's ``skip`` mode), so a mixed PDF gets text only on
its scanned pages. The input bytes are never modified: the caller keeps them
as the record and stores the output beside them.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Final

__all__ = ["OcrError", "OcrResult", "OcrUnavailable", "available", "engine_version",
           "ocr_pdf", "word_confidences"]

LANGUAGE: Final = "vie"
# Tesseract's per-page limit (OCRmyPDF's default). OCRmyPDF itself only logs a
# page that takes longer and leaves it without text; ``ocr_pdf`` fails the whole
# document instead, so that the queue retries it rather than keeping a blank page.
PAGE_TIMEOUT_S: Final = 180.0
_WORD: Final = re.compile(
    r"<span class=['\"]ocrx_word['\"][^>]*?title=['\"][^'\"]*?x_wconf (\d+)[^>]*>(.*?)</span>",
    re.S)
_TAG: Final = re.compile(r"<[^>]+>")
# ocrmypdf makes its work folder with tempfile.mkdtemp(); the folder is chosen by
# swapping tempfile.tempdir, a process-wide setting, so one OCR at a time per process
# (the OCR function handles one message at a time anyway).
_ONE_AT_A_TIME: Final = threading.Lock()


class OcrUnavailable(Exception):
    """Tesseract, its Vietnamese model, Ghostscript or OCRmyPDF is missing here."""


class OcrError(Exception):
    """OCR of this file failed; ``reason`` is for the log, not for a clerk."""


@dataclass(frozen=True)
class OcrResult:
    pdf: bytes  # PDF/A-2b with a text layer
    pages: int
    # Tesseract's word confidences (0-1), in reading order, NFC words.
    words: list[tuple[str, float]] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """Mean word confidence of the document, 0 when no word was read."""
        return round(sum(c for _, c in self.words) / len(self.words), 3) if self.words else 0.0


def available() -> str | None:
    """None when this machine can OCR Vietnamese, else what is missing (English)."""
    missing = [tool for tool in ("tesseract", "gs") if shutil.which(tool) is None]
    if missing:
        return f"missing programs: {', '.join(missing)}"
    try:
        import ocrmypdf  # noqa: F401 - the import is the check
    except ImportError:
        return "the Python package ocrmypdf is not installed"
    if not _tessdata_has(LANGUAGE):
        return f"Tesseract has no '{LANGUAGE}' model (Debian: tesseract-ocr-{LANGUAGE})"
    return None


def _tesseract(*args: str) -> str:
    """Tesseract's standard output for fixed arguments ("" when it cannot run)."""
    import subprocess

    program = shutil.which("tesseract")
    if program is None:
        return ""
    try:
        return subprocess.run([program, *args], capture_output=True, text=True,  # noqa: S603 - fixed arguments
                              timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _tessdata_has(language: str) -> bool:
    return language in _tesseract("--list-langs").split()


def engine_version() -> str:
    first = _tesseract("--version").splitlines()
    return first[0] if first else "tesseract"


def word_confidences(hocr: str) -> list[tuple[str, float]]:
    """(word, confidence 0-1) of every word of an hOCR page."""
    found: list[tuple[str, float]] = []
    for conf, inner in _WORD.findall(hocr):
        word = unicodedata.normalize("NFC", unescape(_TAG.sub("", inner))).strip()
        if word:
            found.append((word, int(conf) / 100))
    return found


def ocr_pdf(data: bytes, *, mixed: bool = False, jobs: int | None = None,
            timeout_s: float = PAGE_TIMEOUT_S) -> OcrResult:
    """OCR ``data``, its pages in parallel on ``jobs`` processes (default: every
    core this process may use). ``mixed``: some pages have a text layer, keep it
    and OCR only the others."""
    missing = available()
    if missing:
        raise OcrUnavailable(missing)
    import ocrmypdf

    # OCRmyPDF logs each page's progress at INFO; the Lambda log keeps warnings.
    logging.getLogger("ocrmypdf").setLevel(logging.WARNING)
    jobs = jobs or max(1, len(os.sched_getaffinity(0)))
    with _ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="eoffice-ocr-") as work:
        source, target = Path(work, "in.pdf"), Path(work, "out.pdf")
        source.write_bytes(data)
        saved = tempfile.tempdir
        tempfile.tempdir = work
        options = {"language": [LANGUAGE], "jobs": jobs, "progress_bar": False,
                   "keep_temporary_files": True, "tesseract_timeout": timeout_s,
                   # A scan's only "text" is a scanner's stamp: OCR the page whole.
                   "mode": "skip" if mixed else "force", "output_type": "pdfa",
                   # Image optimisation doubles the CPU time for a few per cent of
                   # size, of a copy: the original is what is kept as the record.
                   "optimize": 0}
        timed_out = _TimeoutWatch()
        logging.getLogger("ocrmypdf").addHandler(timed_out)
        try:
            try:
                ocrmypdf.ocr(source, target, **options)
            except ocrmypdf.exceptions.MissingDependencyError:
                if not mixed:
                    raise
                # Ghostscript 10.0-10.02.0 (Debian bookworm) corrupts existing text
                # when it writes PDF/A, and OCRmyPDF refuses it: a mixed PDF then
                # gets a plain PDF with the text layer added, without Ghostscript.
                ocrmypdf.ocr(source, target, **{**options, "output_type": "pdf"})
        except Exception as error:  # noqa: BLE001 - Ghostscript or a parser on a hostile file
            raise OcrError(f"{type(error).__name__}: {error}") from error
        finally:
            tempfile.tempdir = saved
            logging.getLogger("ocrmypdf").removeHandler(timed_out)
        if timed_out.pages:
            raise OcrError(f"Tesseract timed out ({timeout_s:.0f} s) on {timed_out.pages} "
                           "page(s)")
        words: list[tuple[str, float]] = []
        for page in sorted(Path(work).glob("ocrmypdf.io.*/*_ocr_hocr.hocr")):
            words += word_confidences(page.read_text(encoding="utf-8", errors="replace"))
        pages = _page_count(target)
        return OcrResult(pdf=target.read_bytes(), pages=pages, words=words)


class _TimeoutWatch(logging.Handler):
    """Counts OCRmyPDF's "took too long to OCR - skipping" warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.pages = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "took too long" in record.getMessage():
            self.pages += 1


def _page_count(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)

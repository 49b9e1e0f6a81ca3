"""OCR of scanned incoming documents, for real (Tesseract's Vietnamese model).

The scans are made from the corpus's text documents the way a scanner makes
them (pages rendered to images at 200 dpi, rebuilt into an image-only PDF), so
that what OCR reads can be compared with what the text layer says. OCR is slow:
each scan is OCRed once per module (``ocred``) and the pipeline tests reuse
those results through the adapter.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import CORPUS

# One-page documents of two layouts: a công văn (V/v subject) and a headed quyết định.
# Two only: each OCR costs ~12 s of CPU.
SAMPLES = ("cv_stc_du_toan_2027.pdf", "qd_ubnd_cchc_2027.pdf")
SEARCHED = "cv_stc_du_toan_2027.pdf"


def _need(tool: str, package: str) -> None:
    # No skip: CI installs these (.ci/run); a machine without them fails with the fix.
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: apt-get install {package} (docs/ocr.md)")


def scan_of(pdf: Path, tmp: Path, pages: int = 1) -> bytes:
    """An image-only PDF of the first ``pages`` pages of ``pdf``, at 200 dpi."""
    from PIL import Image

    _need("pdftoppm", "poppler-utils")
    prefix = tmp / pdf.stem
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-f", "1", "-l", str(pages),
                    str(pdf), str(prefix)], check=True)
    images = [Image.open(p) for p in sorted(tmp.glob(f"{pdf.stem}-*.png"))]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=200.0, save_all=True,
                   append_images=images[1:])
    return out.getvalue()


@pytest.fixture(scope="module")
def ocred(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Per sample: the text original, its scan, and the OCR of the scan."""
    from chalicelib.adapters import ocr

    _need("tesseract", "tesseract-ocr tesseract-ocr-vie")
    assert ocr.available() is None, ocr.available()
    tmp = tmp_path_factory.mktemp("scans")
    found: dict[str, dict[str, Any]] = {}
    for name in SAMPLES:
        original = (CORPUS / name).read_bytes()
        scan = scan_of(CORPUS / name, tmp)
        # A generous page timeout: a shared CI machine may be busy.
        result = ocr.ocr_pdf(scan, jobs=2, timeout_s=900)
        found[name] = {"original": original, "scan": scan, "result": result}
    return found


def test_ocr_of_the_scans_finds_at_least_80_percent_of_the_fields_of_the_originals(ocred):
    from chalicelib.adapters.pdf_inspect import inspect_pdf
    from chalicelib.incoming.decree30 import FIELDS, detect

    expected = matched = 0
    for name, sample in ocred.items():
        scan = inspect_pdf(sample["scan"])
        assert (scan.status, scan.text) == ("scanned", ""), name  # nothing to read before OCR
        text = detect(inspect_pdf(sample["original"]).text)
        read = detect(inspect_pdf(sample["result"].pdf).text)
        for field in FIELDS:
            if getattr(text, field):
                expected += 1
                matched += getattr(read, field) == getattr(text, field)
        assert 0.5 < sample["result"].confidence <= 1, name
    assert expected >= 6 * len(SAMPLES)
    assert matched / expected >= 0.8, (matched, expected)


def test_the_ocr_output_is_a_pdfa_beside_an_untouched_original(ocred):
    import pikepdf

    sample = ocred[SEARCHED]
    before = hashlib.sha256(sample["scan"]).hexdigest()
    with pikepdf.open(io.BytesIO(sample["result"].pdf)) as pdf:
        assert pdf.open_metadata().pdfa_status.startswith("2")  # PDF/A-2
        assert len(pdf.pages) == sample["result"].pages == 1
    assert hashlib.sha256(sample["scan"]).hexdigest() == before


def _pumps() -> dict[str, Any]:
    import app as app_module
    from chalicelib.local.pump import pollers_for

    return {p.name: p for p in pollers_for(app_module.app, boto3.client("sqs"), "ap-southeast-1")}


def _drop(aws_env: dict[str, str], name: str, data: bytes) -> None:
    boto3.client("s3").put_object(Bucket=aws_env["INTAKE_BUCKET"], Key=f"incoming/{name}",
                                  Body=data)


def _record(clerk: Any, name: str) -> dict[str, Any]:
    items = json.loads(clerk.get("/api/intake").body)["items"]
    return next(i for i in items if i["file_name"] == name)


def _reuse(monkeypatch: pytest.MonkeyPatch, results: dict[bytes, Any]) -> list[bool]:
    """The adapter answers from the module's OCR runs (same input, same output)."""
    from chalicelib.adapters import ocr

    calls: list[bool] = []

    def cached(data: bytes, *, mixed: bool = False, **_: Any) -> Any:
        calls.append(mixed)
        return results[data]

    monkeypatch.setattr(ocr, "ocr_pdf", cached)
    return calls


def test_a_dropped_scan_is_ocred_registered_marked_for_the_clerk_and_found_by_search(
        aws_env, as_role, ocred, monkeypatch):
    sample = ocred[SEARCHED]
    calls = _reuse(monkeypatch, {sample["scan"]: sample["result"]})
    _drop(aws_env, "scan.pdf", sample["scan"])
    pumps = _pumps()
    pumps["on_intake_notification"].drain()
    clerk = as_role("clerk")
    waiting = _record(clerk, "scan.pdf")
    assert (waiting["status"], waiting["ocr_status"]) == ("processing", "queued")

    pumps["ocr"].drain()
    pumps["on_workflow_message"].drain()
    pumps["on_search_index_message"].drain()  # the search index's one writer
    assert calls == [False]
    record = _record(clerk, "scan.pdf")
    assert (record["status"], record["ocr_status"]) == ("needs_review", "done")
    assert "nhận dạng ký tự (OCR)" in record["reason"] and "số, ký hiệu" in record["reason"]
    doc = json.loads(clerk.get(f"/api/incoming/{record['document_id']}").body)
    assert doc["so_ky_hieu"] == "1234/STC-QLNS"
    assert doc["co_quan_ban_hanh"] == "Sở Tài chính"
    marks = doc["ocr"]["fields"]
    assert {"so_ky_hieu", "co_quan_ban_hanh", "ngay_ban_hanh", "trich_yeu"} <= set(marks)
    assert all(isinstance(c, float) and 0.5 < c <= 1 for c in marks.values()), marks
    assert doc["ocr"]["status"] == "done" and 0.5 < doc["ocr"]["confidence"] <= 1

    # The original is the record, byte for byte; the OCR output lies beside it.
    s3 = boto3.client("s3")
    digest = hashlib.sha256(sample["scan"]).hexdigest()
    kept = s3.get_object(Bucket=aws_env["DOCUMENTS_BUCKET"], Key=f"files/sha256/{digest}")
    assert kept["Body"].read() == sample["scan"]
    beside = s3.get_object(Bucket=aws_env["DOCUMENTS_BUCKET"], Key=doc["ocr"]["file_key"])
    assert beside["Body"].read() == sample["result"].pdf

    # A phrase of the body, not of the metadata: only the OCR text has it.
    found = json.loads(clerk.get("/api/incoming?q=Luật Ngân sách đúng thời hạn").body)["items"]
    assert [d["id"] for d in found] == [doc["id"]]

    # The clerk checks the fields against the scan and saves: confirmed, no longer marked.
    body = {k: doc[k] for k in ("so_ky_hieu", "co_quan_ban_hanh", "ngay_ban_hanh",
                                "loai_van_ban", "trich_yeu", "do_khan", "nguoi_ky")}
    saved = clerk.send("PUT", f"/api/incoming/{doc['id']}", {**body, "version": doc["version"]})
    assert saved.status_code == 200, saved.body
    confirmed = json.loads(clerk.get(f"/api/incoming/{doc['id']}").body)["ocr"]
    assert confirmed["fields"] == {} and confirmed["confirmed_by"] == clerk.user["username"]
    assert _record(clerk, "scan.pdf")["status"] == "registered"


def test_a_scan_over_the_page_limit_is_registered_unread_with_the_reason(
        aws_env, as_role, ocred, monkeypatch):
    calls = _reuse(monkeypatch, {})
    monkeypatch.setenv("OCR_PAGE_LIMIT", "1")
    from chalicelib.kernel.config import get_settings

    get_settings.cache_clear()
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for name in SAMPLES[:2]:
        writer.add_page(PdfReader(io.BytesIO(ocred[name]["scan"])).pages[0])
    two_pages = io.BytesIO()
    writer.write(two_pages)
    _drop(aws_env, "long.pdf", two_pages.getvalue())
    pumps = _pumps()
    pumps["on_intake_notification"].drain()
    pumps["ocr"].drain()
    get_settings.cache_clear()
    assert calls == []  # never sent to OCR
    record = _record(as_role("clerk"), "long.pdf")
    assert (record["status"], record["ocr_status"]) == ("needs_review", "too_many_pages")
    assert "vượt giới hạn nhận dạng ký tự (OCR) 1 trang" in record["reason"]
    assert "số, ký hiệu" in record["reason"]  # and what the clerk must type
    doc = json.loads(as_role("clerk").get(f"/api/incoming/{record['document_id']}").body)
    assert doc["has_file"] and int(doc["pages"]) == 2 and not doc["metadata_complete"]


def test_a_scan_ocr_cannot_read_is_retried_a_bounded_number_of_times_then_kept(
        aws_env, as_role, ocred, monkeypatch):
    from chalicelib.adapters import ocr
    from chalicelib.adapters.dynamo import Table
    from chalicelib.incoming import ocr_step

    attempts: list[int] = []

    def broken(data: bytes, **_: Any) -> Any:
        attempts.append(1)
        raise ocr.OcrError("SubprocessOutputError: tesseract crashed")

    monkeypatch.setattr(ocr, "ocr_pdf", broken)
    _drop(aws_env, "bad.pdf", ocred[SAMPLES[1]]["scan"])
    _pumps()["on_intake_notification"].drain()
    clerk = as_role("clerk")
    record = _record(clerk, "bad.pdf")
    message = {"intake_id": record["id"], "sha256": record["sha256"], "mixed": False,
               "file_key": f"files/sha256/{record['sha256']}", "sender": None}
    where = {"s3": boto3.client("s3"), "documents_bucket": aws_env["DOCUMENTS_BUCKET"],
             "page_limit": 25, "table": Table()}
    for _ in range(ocr_step.MAX_RECEIVES - 1):  # back to the queue for another try
        with pytest.raises(ocr.OcrError):
            ocr_step.ocr_scan(message, **where)
    ocr_step.ocr_scan(message, last_attempt=True, **where)
    assert len(attempts) == ocr_step.MAX_RECEIVES
    record = _record(clerk, "bad.pdf")
    assert (record["status"], record["ocr_status"]) == ("needs_review", "failed")
    assert "bản quét" in record["reason"] and "thất bại sau 3 lần" in record["reason"]
    assert record["document_id"]  # kept and registered: nothing is lost
    assert ocr_step.ocr_scan(message, last_attempt=True, **where) is None  # done once


def test_a_mixed_pdf_sends_only_its_scanned_pages_to_ocr(aws_env, as_role, ocred, monkeypatch):
    from pypdf import PdfReader, PdfWriter

    from chalicelib.adapters.pdf_inspect import inspect_pdf

    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(ocred[SAMPLES[0]]["original"])).pages[0])
    writer.add_page(PdfReader(io.BytesIO(ocred[SAMPLES[1]]["scan"])).pages[0])
    mixed = io.BytesIO()
    writer.write(mixed)
    report = inspect_pdf(mixed.getvalue())
    assert (report.status, report.image_only_pages) == ("readable", (1,))
    assert inspect_pdf(ocred[SAMPLES[0]]["original"]).image_only_pages == ()

    calls = _reuse(monkeypatch, {mixed.getvalue(): ocred[SAMPLES[1]]["result"]})
    _drop(aws_env, "mixed.pdf", mixed.getvalue())
    pumps = _pumps()
    pumps["on_intake_notification"].drain()
    pumps["ocr"].drain()
    assert calls == [True]  # OCRmyPDF's skip mode: the text page is kept as it is
    record = _record(as_role("clerk"), "mixed.pdf")
    assert record["ocr_status"] == "done" and record["pdf_status"] == "readable"

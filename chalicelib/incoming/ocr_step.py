"""The OCR step of the intake: a scan (or the scanned pages of a mixed PDF) read
by OCRmyPDF/Tesseract, then registered the way a text PDF is.

In AWS this runs in its own container-image Lambda (infra/ocr/Dockerfile, fed
by the OCR queue; ``chalicelib.handlers.ocr.handler`` is its entry point); on
one machine the local runtime's pump calls the same handler in-process. The intake record waits in
``processing`` (``ocr_status`` "queued") until this step registers the file.

Whatever happens the file is registered: read by OCR (every field found is
marked with its confidence, and a clerk confirms them), or, when OCR is not
possible (too many pages, OCR failed ``MAX_RECEIVES`` times, no Tesseract on
this machine), as a scan for a clerk to complete by hand, with the reason.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Final

from chalicelib.adapters.dynamo import Table
from chalicelib.incoming.intake_store import IntakeStore
from chalicelib.incoming.rules import IntakeStatus
from chalicelib.kernel.composition import given
from chalicelib.kernel.logging import logger

# The OCR queue's redrive policy (infra/template.yaml maxReceiveCount) parks a
# message after this many receives; the last one registers the file without OCR.
MAX_RECEIVES: Final = 3

FAILURES: Final[dict[str, tuple[str, str]]] = {
    "too_many_pages": ("Bản quét có {pages} trang, vượt giới hạn nhận dạng ký tự (OCR) "
                       "{limit} trang: không nhận dạng tự động.",
                       "The scan has {pages} pages, over the OCR limit of {limit}: not OCRed."),
    "failed": ("Nhận dạng ký tự (OCR) thất bại sau {attempts} lần thử.",
               "OCR failed after {attempts} attempts."),
    "unavailable": ("Máy chủ này chưa cài đặt nhận dạng ký tự (OCR).",
                    "OCR is not installed on this machine."),
}
DONE: Final = ("Tệp là bản quét, đã nhận dạng ký tự (OCR), độ tin cậy trung bình {percent} %; "
               "văn thư cần kiểm tra và xác nhận các trường đã nhận dạng: {fields}.",
               "The file is a scan, read by OCR (mean confidence {percent} %); a clerk must "
               "check and confirm the recognised fields: {fields}.")


def handle_record(record: Any, table: Table) -> None:
    """One message of the OCR queue (``chalicelib/handlers/ocr.py`` is the
    function's entry point and hands in the table)."""
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings

    settings = get_settings()
    receives = int((record.raw_event.get("attributes") or {}).get("ApproximateReceiveCount", 1))
    ocr_scan(json.loads(record.body), s3=client("s3"),
             documents_bucket=settings.documents_bucket, page_limit=settings.ocr_page_limit,
             last_attempt=receives >= MAX_RECEIVES, table=table)


def ocr_scan(message: dict[str, Any], *, s3: Any, documents_bucket: str, page_limit: int,
             last_attempt: bool = False, table: Table | None = None, engine: Any = None
             ) -> dict[str, Any] | None:
    """OCR the file of one intake record and register it. Returns the final
    record, or None when the record was already moved on (a redelivery)."""
    store = IntakeStore(given(table))
    record = store.get(message["intake_id"])
    if record is None or record["status"] != IntakeStatus.PROCESSING.value:
        return None
    try:
        return _ocr_and_register(store, record, message, s3=s3,
                                 documents_bucket=documents_bucket, page_limit=page_limit,
                                 last_attempt=last_attempt, engine=engine)
    except Exception:
        if not last_attempt:
            raise
        from chalicelib.incoming.intake import mark_failed_record

        logger.exception("OCR step failed on its last attempt", intake_id=record["id"])
        mark_failed_record(store, record["id"])
        return None


def _ocr_and_register(store: IntakeStore, record: dict[str, Any], message: dict[str, Any], *,
                      s3: Any, documents_bucket: str, page_limit: int, last_attempt: bool,
                      engine: Any) -> dict[str, Any] | None:
    from chalicelib.adapters import ocr
    from chalicelib.adapters.pdf_inspect import inspect_pdf
    from chalicelib.incoming.intake import register_file

    file_key, mixed = message["file_key"], bool(message.get("mixed"))
    data = s3.get_object(Bucket=documents_bucket, Key=file_key)["Body"].read()
    original = inspect_pdf(data)
    common = {"s3": s3, "documents_bucket": documents_bucket, "digest": message["sha256"],
              "file_key": file_key, "pages": original.pages, "pdf_status": original.status,
              "sender": message.get("sender"), "table": store.table}
    scan_lead = (original.reason, original.reason_en) if original.status == "scanned" else None

    def without_ocr(kind: str, **values: Any) -> dict[str, Any] | None:
        vi, en = (t.format(**values) for t in FAILURES[kind])
        lead = (f"{scan_lead[0]} {vi}", f"{scan_lead[1]} {en}") if scan_lead else (vi, en)
        return register_file(store, record, text=original.text, lead=lead, review=True,
                             ocr={"status": kind, "reason": vi, "reason_en": en}, **common)

    pages = original.pages or 0
    if pages > page_limit:
        return without_ocr("too_many_pages", pages=pages, limit=page_limit)
    try:
        result = (engine or ocr.ocr_pdf)(data, mixed=mixed)
    except ocr.OcrUnavailable as missing:
        logger.warning("OCR unavailable; registering the scan for a clerk",
                       intake_id=record["id"], missing=str(missing))
        return without_ocr("unavailable")
    except ocr.OcrError as error:
        logger.warning("OCR failed", intake_id=record["id"], error=str(error),
                       last_attempt=last_attempt)
        if not last_attempt:
            raise
        return without_ocr("failed", attempts=MAX_RECEIVES)

    # Beside the original, never over it: the original is the record.
    ocr_key = f"{file_key}.ocr.pdf"
    s3.put_object(Bucket=documents_bucket, Key=ocr_key, Body=result.pdf,
                  ContentType="application/pdf", Metadata={"source-sha256": message["sha256"]})
    text = inspect_pdf(result.pdf).text
    fields = recognised_fields(original.text if mixed else "", text, result.words)
    percent = round(result.confidence * 100)
    from chalicelib.incoming.intake import FIELD_LABELS

    labels = ", ".join(FIELD_LABELS.get(f, f) for f in fields) or "(không có)"
    lead = tuple(t.format(percent=percent, fields=labels) for t in DONE)
    return register_file(store, record, text=text, lead=lead, review=True,  # type: ignore[arg-type]
                         ocr={"status": "done", "file_key": ocr_key,
                              "confidence": _decimal(result.confidence),
                              "fields": {k: _decimal(v) for k, v in fields.items()},
                              "pages": result.pages, "engine": ocr.engine_version()},
                         **common)


def _decimal(value: float) -> Any:
    from decimal import Decimal

    return Decimal(str(round(value, 3)))  # DynamoDB takes no floats


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


def recognised_fields(before_text: str, after_text: str, words: list[tuple[str, float]]
                      ) -> dict[str, float]:
    """The Decree 30 fields that OCR read (found in the OCR text, and not the
    same in the text layer the file already had), each with the mean Tesseract
    confidence of the words that spell its value (first occurrence of each)."""
    from chalicelib.incoming.decree30 import FIELDS, detect

    before, after = detect(before_text) if before_text else None, detect(after_text)
    confidences: dict[str, float] = {}
    for token_list, conf in ((_tokens(w), c) for w, c in words):
        for token in token_list:
            confidences.setdefault(token, conf)
    mean = sum(c for _, c in words) / len(words) if words else 0.0
    found: dict[str, float] = {}
    for name in FIELDS:
        value = getattr(after, name)
        if not value or (before is not None and getattr(before, name) == value):
            continue
        if name == "do_khan" and after.confidence.get(name, 0) <= 0.5:
            continue  # "Thường" by default, not read off the page
        matched = [confidences[t] for t in _tokens(str(value)) if t in confidences]
        found[name] = round(sum(matched) / len(matched) if matched else mean, 3)
    return found

"""The OCR function's entry point: a plain Lambda handler, not a Chalice one,
because the function is its own container image with Tesseract in it
(infra/ocr/Dockerfile, infra/template.yaml OcrFunction). The local runtime's
pump calls it in-process for the OCR queue."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.bootstrap import table
    from chalicelib.handlers.batches import process_sqs_batch
    from chalicelib.incoming.ocr_step import handle_record

    t = table()
    return process_sqs_batch(event, lambda record: handle_record(record, t), context)

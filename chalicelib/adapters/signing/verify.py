"""Verification of signed PDFs (upload or code lookup): one entry per
signature with plain answers — is it intact, by whom, trusted, was the
document changed afterwards — and an overall ``ok``."""

from __future__ import annotations

import io
import logging
from datetime import datetime
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from chalicelib.adapters.signing.loop import outside_event_loop

log = logging.getLogger(__name__)

NOT_PDF = "Tệp không phải PDF hợp lệ / Not a valid PDF"


def _name_part(cert: x509.Certificate | None, key: str) -> str | None:
    if cert is None:
        return None
    value = cert.subject.native.get(key)
    if isinstance(value, list):  # a multi-valued attribute
        value = ", ".join(str(v) for v in value)
    return str(value) if value is not None else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _chain(status: PdfSignatureStatus) -> list[str]:
    path = status.validation_path
    if path is None:
        return [_name_part(status.signing_cert, "common_name") or ""]
    certs = list(path.iter_certs(include_root=True))
    # the path runs root → signer; people read it signer → root
    return [_name_part(c, "common_name") or c.subject.human_friendly for c in reversed(certs)]


def _summaries(entry: dict[str, Any]) -> tuple[str, str]:
    who_vi = entry["signer"] or "không rõ"
    who_en = entry["signer"] or "unknown"
    if not entry["intact"]:
        return (f"Chữ ký của {who_vi} không còn nguyên vẹn: nội dung đã bị sửa sau khi ký.",
                f"The signature of {who_en} is broken: the content was altered after signing.")
    if not entry["valid"]:
        return (f"Chữ ký của {who_vi} không hợp lệ.", f"The signature of {who_en} is not valid.")
    if entry["modified_after_signing"]:
        return (f"Chữ ký của {who_vi} hợp lệ nhưng tài liệu đã bị thay đổi sau khi ký "
                "theo cách không được phép.",
                f"The signature of {who_en} is valid, but the document was changed after "
                "signing in a way that is not allowed.")
    if not entry["trusted"]:
        return (f"Chữ ký của {who_vi} hợp lệ nhưng chứng thư số không thuộc tổ chức chứng "
                "thực được tin cậy.",
                f"The signature of {who_en} is valid, but its certificate does not chain to "
                "a trusted authority.")
    return (f"Chữ ký của {who_vi} hợp lệ, tài liệu không bị thay đổi sau khi ký.",
            f"The signature of {who_en} is valid and the document was not changed after "
            "signing.")


def _entry(sig: Any, context: ValidationContext) -> dict[str, Any]:
    field = sig.field_name
    try:
        status = outside_event_loop(
            lambda: validate_pdf_signature(sig, signer_validation_context=context))
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        # a signature pyHanko cannot even evaluate counts as invalid,
        # but the other signatures still get their answer
        log.info("signature %s could not be validated: %s", field, exc)
        entry: dict[str, Any] = {
            "field": field, "signer": None, "organization": None, "signed_at": None,
            "intact": False, "valid": False, "trusted": False,
            "covers_whole_document": False, "modified_after_signing": True, "chain": [],
        }
    else:
        cert = status.signing_cert
        entry = {
            "field": field,
            "signer": _name_part(cert, "common_name"),
            "organization": _name_part(cert, "organization_name"),
            "signed_at": _iso(status.signer_reported_dt or sig.self_reported_timestamp),
            "intact": bool(status.intact),
            "valid": bool(status.valid),
            "trusted": bool(status.trusted),
            "covers_whole_document": status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            # docmdp_ok None means no difference analysis was needed or possible
            "modified_after_signing": not status.intact or status.docmdp_ok is False,
            "chain": _chain(status),
        }
    entry["summary_vi"], entry["summary_en"] = _summaries(entry)
    return entry


def verify_pdf(pdf_bytes: bytes, *, trust_roots: list[x509.Certificate]) -> dict[str, Any]:
    """Never raises on bad input: a file that is not a PDF gives ``ok``
    False and ``error`` set. Revocation is soft-fail without fetching
    (the development CA publishes no CRL or OCSP)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - pyHanko raises many unrelated types on garbage
        return {"signatures": [], "ok": False, "error": NOT_PDF}
    context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False,
                                revocation_mode="soft-fail")
    entries = []
    for sig in signatures:
        try:
            entries.append(_entry(sig, context))
        except Exception as exc:  # noqa: BLE001 - one bad signature must not hide the rest
            log.warning("signature check failed unexpectedly: %r", exc)
            entries.append({
                "field": getattr(sig, "field_name", None), "signer": None,
                "organization": None, "signed_at": None, "intact": False, "valid": False,
                "trusted": False, "covers_whole_document": False,
                "modified_after_signing": True, "chain": [],
                "summary_vi": "Không kiểm tra được chữ ký này.",
                "summary_en": "This signature could not be checked.",
            })
    ok = bool(entries) and all(
        e["intact"] and e["valid"] and e["trusted"] and not e["modified_after_signing"]
        for e in entries)
    return {"signatures": entries, "ok": ok, "error": None}

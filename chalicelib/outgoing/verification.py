"""Is this paper or file really from the department? Verification by upload
(every signature, its chain to the configured trust roots, changes after
signing) and by the code printed under the QR on the first page, checked
against the outgoing register."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.errors import InvalidInput, NotFound
from chalicelib.outgoing.rules import STATUS_LABELS, OutStatus
from chalicelib.outgoing.store import OutgoingStore

CODE = re.compile(r"[23456789A-HJ-NP-Z]{10}")
CODE_ON_PAGE = re.compile(r"Mã xác thực:\s*([23456789A-HJ-NP-Z]{10})")
MAX_UPLOAD = 20 * 1024 * 1024
SHOWN = frozenset({OutStatus.ISSUED, OutStatus.RECALLED, OutStatus.REPLACED})


def register_entry(doc: dict[str, Any]) -> dict[str, Any]:
    """What the public may learn of an issued document: a secret one is only
    confirmed to exist, with its number."""
    secret = bool(doc.get("do_mat"))
    status = OutStatus(doc["status"])
    entry = {"code": doc["code"], "number_text": doc.get("number_text"),
             "issued_on": doc.get("issued_on"), "status": status.value,
             "status_label": STATUS_LABELS[status], "secret": secret,
             "sha256": doc.get("issued_sha256"), "downloadable": not secret and status ==
             OutStatus.ISSUED}
    if not secret:
        entry |= {"type_name": doc.get("type_name"), "subject": doc.get("subject"),
                  "signer": doc.get("signed_by_name"), "recall_reason": doc.get("recall_reason"),
                  "replaced_by_number": doc.get("replaced_by_number")}
    return entry


def by_code(code: str, table: Table) -> dict[str, Any]:
    code = code.strip().upper()
    doc = OutgoingStore(table).by_code(code) if CODE.fullmatch(code) else None
    if doc is None or doc.get("status") not in {s.value for s in SHOWN}:
        raise NotFound("Không có văn bản nào đã phát hành mang mã này.",
                       "No issued document carries this code.")
    return register_entry(doc)


def _claimed_code(data: bytes) -> str | None:
    from chalicelib.adapters.pdf_inspect import inspect_pdf

    report = inspect_pdf(data, max_pages=1)
    found = CODE_ON_PAGE.search(report.first_page_text or report.text or "")
    return found.group(1) if found else None


def verify_file(data: bytes, table: Table) -> dict[str, Any]:
    from chalicelib.adapters.signing.verify import verify_pdf
    from chalicelib.signing.keys import trust_roots

    if not data:
        raise InvalidInput("Chưa có tệp để kiểm tra.", "No file to check.", "invalid_file")
    report = verify_pdf(data, trust_roots=trust_roots(table))
    digest = hashlib.sha256(data).hexdigest()
    entry = None
    code = _claimed_code(data) if report.get("error") is None else None
    if code:
        try:
            entry = by_code(code, table)
        except NotFound:
            entry = None
    same_file = bool(entry and entry.get("sha256") == digest)
    in_register = entry is not None and entry["status"] == OutStatus.ISSUED.value
    report.update({"sha256": digest, "claimed_code": code, "register": entry,
                   "matches_issued_file": same_file, "in_register": in_register,
                   "verdict": _verdict(report, entry, same_file)})
    return report


def _verdict(report: dict[str, Any], entry: dict[str, Any] | None, same_file: bool
             ) -> dict[str, str]:
    if report.get("error"):
        return {"level": "error", "vi": report["error"], "en": "Not a valid PDF."}
    if not report.get("signatures"):
        return {"level": "bad", "vi": "Tệp không có chữ ký số.", "en": "The file is not signed."}
    if not report.get("ok"):
        return {"level": "bad", "vi": "Có chữ ký không hợp lệ, không tin cậy hoặc tệp đã bị "
                "sửa sau khi ký.", "en": "A signature is invalid or untrusted, or the file "
                "was changed after signing."}
    if entry is None:
        return {"level": "warn", "vi": "Chữ ký hợp lệ nhưng văn bản không có trong sổ văn bản "
                "đi của cơ quan.", "en": "Valid signatures, but the document is not in this "
                "agency's outgoing register."}
    if entry["status"] != OutStatus.ISSUED.value:
        return {"level": "warn", "vi": f"Chữ ký hợp lệ; văn bản {entry['status_label'].lower()}"
                ".", "en": f"Valid signatures; the document is {entry['status']}."}
    if not same_file:
        return {"level": "warn", "vi": "Chữ ký hợp lệ, có trong sổ, nhưng tệp khác bản đã "
                "phát hành.", "en": "Valid and registered, but not the file that was issued."}
    return {"level": "good", "vi": "Văn bản xác thực: chữ ký hợp lệ, đúng bản đã phát hành và "
            "có trong sổ văn bản đi.", "en": "Authentic: valid signatures, the issued file, "
            "in the outgoing register."}


def delivery_target(token: str, table: Table) -> str:
    """The S3 key behind an e-mailed link, if the link is still good."""
    from chalicelib.kernel.events import iso, utcnow

    store = OutgoingStore(table)
    item = store.delivery(token) if len(token) <= 64 else None
    if item is None or item["expires_at"] < iso(utcnow()):
        raise NotFound("Liên kết không tồn tại hoặc đã hết hạn.",
                       "The link does not exist or has expired.")
    doc = store.get(item["doc_id"], consistent=False)
    if doc is None or doc["status"] != OutStatus.ISSUED.value or not doc.get("issued_key"):
        raise NotFound("Văn bản đã bị thu hồi hoặc thay thế.",
                       "The document has been recalled or replaced.")
    return str(doc["issued_key"])


def issued_key_by_code(code: str, table: Table) -> str:
    entry = by_code(code, table)
    if not entry["downloadable"]:
        raise NotFound()
    doc = OutgoingStore(table).by_code(code.strip().upper())
    assert doc is not None
    return str(doc["issued_key"])

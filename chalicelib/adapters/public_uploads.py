"""Files the public attaches to a filing (a complaint, a one-stop dossier): a
presigned POST into the intake bucket under a random id, then, when the filing
is accepted, a check of what arrived and a copy into the documents bucket. The
ids are ours, never paths the client chose; unfiled uploads expire there."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from chalicelib.kernel import filetypes
from chalicelib.kernel.errors import FieldProblem, InvalidInput

FILE_TYPES = {filetypes.PDF: "pdf", filetypes.JPEG: "jpg", filetypes.PNG: "png"}


@dataclass(frozen=True)
class UploadArea:
    prefix: str  # e.g. "complaints/uploads"
    limit: int  # bytes
    expires_in: int  # seconds the presigned POST stays usable

    @property
    def limit_label(self) -> str:
        return f"{self.limit // (1024 * 1024)} MiB"


def upload_form(area: UploadArea, s3: Any, bucket: str) -> dict[str, Any]:
    upload_id = uuid.uuid4().hex
    post = s3.generate_presigned_post(
        Bucket=bucket, Key=f"{area.prefix}/{upload_id}",
        Conditions=[["content-length-range", 1, area.limit],
                    ["starts-with", "$Content-Type", ""],
                    ["starts-with", "$x-amz-meta-filename", ""]],
        ExpiresIn=area.expires_in)
    return {"upload_id": upload_id, "url": post["url"], "fields": post["fields"],
            "max_bytes": area.limit, "types": sorted(FILE_TYPES)}


def take_upload(area: UploadArea, upload_id: str, *, path: str, dest_key: str, s3: Any,
                intake_bucket: str, documents_bucket: str) -> dict[str, Any]:
    """Check one upload (present, an allowed type by its bytes as by its declared
    Content-Type, within the limit) and copy it to ``dest_key`` (extension
    added). ``path`` names the field at fault."""
    if not upload_id.isalnum() or len(upload_id) != 32:
        raise InvalidInput("Tệp đính kèm không hợp lệ.", "Invalid attachment.", "invalid_file",
                           [FieldProblem(path, "Không hợp lệ.", "Invalid.")])
    source = f"{area.prefix}/{upload_id}"
    try:
        head = s3.head_object(Bucket=intake_bucket, Key=source)
    except Exception as exc:  # noqa: BLE001 - missing or expired: the person uploads again
        raise InvalidInput("Không tìm thấy tệp đã tải lên; vui lòng tải lại.",
                           "The uploaded file was not found; upload it again.", "invalid_file",
                           [FieldProblem(path, "Chưa tải lên.", "Not uploaded.")]) from exc
    kind = str(head.get("ContentType") or "")
    size = int(head["ContentLength"])
    if kind not in FILE_TYPES or size > area.limit:
        raise InvalidInput(f"Chỉ nhận tệp PDF, JPEG, PNG đến {area.limit_label}.",
                           f"Only PDF, JPEG or PNG files up to {area.limit_label}.",
                           "invalid_file", [FieldProblem(path, "Sai loại hoặc quá lớn.",
                                                         "Wrong type or too large.")])
    # The client declared the type; the first bytes say what the file is.
    first = s3.get_object(Bucket=intake_bucket, Key=source,
                          Range=f"bytes=0-{filetypes.HEAD_BYTES - 1}")["Body"].read()
    filetypes.checked_type(first, FILE_TYPES, path=path, declared=kind)
    key = f"{dest_key}.{FILE_TYPES[kind]}"
    s3.copy_object(Bucket=documents_bucket, Key=key, ContentType=kind,
                   CopySource={"Bucket": intake_bucket, "Key": source},
                   MetadataDirective="REPLACE")
    name = (head.get("Metadata") or {}).get("filename") or key.rsplit("/", 1)[-1]
    return {"key": key, "content_type": kind, "size": size, "name": name[:200]}

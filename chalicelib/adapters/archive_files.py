"""Copies of documents kept in the archive bucket under S3 Object Lock.

The bucket's own lock configuration decides the mode (infra/template.yaml:
compliance or governance in prod, set by a stack parameter); a stage whose
bucket has no lock (dev, where a locked file would keep the stack from being
deleted) keeps plain versioned copies. A permanent file is kept under a legal
hold, which has no end date; a file with a period is retained until its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.kernel.errors import Conflict


@dataclass(frozen=True)
class ArchiveFiles:
    source_bucket: str
    archive_bucket: str

    def lock_mode(self) -> str | None:
        """The bucket's lock mode (COMPLIANCE when locked without a default rule),
        or None when the bucket has no Object Lock."""
        s3 = client("s3")
        try:
            config = s3.get_object_lock_configuration(Bucket=self.archive_bucket)
        except s3.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] == "ObjectLockConfigurationNotFoundError":
                return None
            raise
        lock = config.get("ObjectLockConfiguration") or {}
        if lock.get("ObjectLockEnabled") != "Enabled":
            return None
        return str(((lock.get("Rule") or {}).get("DefaultRetention") or {}).get("Mode")
                   or "COMPLIANCE")

    def source(self, key: str) -> bytes:
        """A document's PDF as the documents bucket keeps it."""
        return bytes(client("s3").get_object(Bucket=self.source_bucket, Key=key)["Body"].read())

    def archived(self, key: str, version_id: str | None) -> bytes:
        """A copy handed over, at the version written then."""
        extra = {"VersionId": version_id} if version_id else {}
        return bytes(client("s3").get_object(Bucket=self.archive_bucket, Key=key,
                                             **extra)["Body"].read())

    def keep(self, source_key: str, key: str, *, until: date | None, mode: str | None
             ) -> dict[str, Any]:
        """Copy one document into the archive: retained until ``until`` (None:
        permanent, a legal hold). What was written: key, version, lock."""
        s3 = client("s3")
        body = s3.get_object(Bucket=self.source_bucket, Key=source_key)["Body"].read()
        extra: dict[str, Any] = {}
        if mode and until is None:
            extra["ObjectLockLegalHoldStatus"] = "ON"
        elif mode and until is not None:
            extra["ObjectLockMode"] = mode
            extra["ObjectLockRetainUntilDate"] = datetime(until.year, until.month, until.day,
                                                          tzinfo=UTC)
        out = s3.put_object(Bucket=self.archive_bucket, Key=key, Body=body,
                            ContentType="application/pdf", **extra)
        return {"key": key, "version_id": out.get("VersionId"), "size": len(body),
                "lock": ("legal_hold" if until is None else mode) if mode else None,
                "retain_until": until.isoformat() if (mode and until) else None}

    def discard(self, key: str, version_id: str | None) -> None:
        """Delete one archived copy for good (an approved disposal). S3 refuses
        while its Object Lock holds: that refusal is a 409, and nothing else of
        the disposal is written."""
        s3 = client("s3")
        extra = {"VersionId": version_id} if version_id else {}
        try:
            s3.delete_object(Bucket=self.archive_bucket, Key=key, **extra)
        except s3.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] in ("AccessDenied", "InvalidRequest"):
                raise Conflict("Tệp lưu trữ còn trong thời hạn khóa, chưa hủy được.",
                               "The archived file is still locked and cannot be deleted.",
                               "still_locked") from exc
            raise

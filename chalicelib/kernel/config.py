"""Runtime settings, read once from the environment.

Lambda gets these variables from the packaged template (infra/package.py merges
them in as SAM Globals that reference the stack's own resources); the local
runtime exports the same names after provisioning moto. Nothing here is a
secret: credentials come from the execution role (or moto's dummy keys locally).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import lru_cache

APP_NAME = "eoffice"


def stage() -> str:
    return os.environ.get("EOFFICE_STAGE", "local")


def resource_name(logical: str, stage_name: str | None = None) -> str:
    """Physical name of a named resource: the same rule infra/template.yaml uses
    (``!Sub "eoffice-${Stage}-<logical>"``), so the app can name its queues at import
    time, which Chalice needs for ``on_sqs_message``."""
    return f"{APP_NAME}-{stage_name or stage()}-{logical}"


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_name: str
    intake_bucket: str
    documents_bucket: str
    archive_bucket: str
    workflow_queue_url: str
    ingest_queue_url: str
    search_queue_url: str
    search_index_bucket: str
    user_pool_id: str
    user_pool_client_id: str
    agency_key_id: str
    mail_from: str
    public_base_url: str
    jwks_url: str | None = None
    aws_endpoint_url: str | None = None
    # Issued documents are stored under S3 object lock (compliance mode) for this many
    # days where the stage's documents bucket has object lock enabled; 0 = off.
    object_lock_days: int = 0
    # How often each ISO procedure in force is reviewed (months): its owner is
    # reminded when the interval has run (iso.service.Library.remind_reviews).
    iso_review_months: int = 12
    # Inter-agency exchange (docs/exchange.md): our OrganId, and where packets go:
    # "stand-in" (the local exchange in the documents bucket) or the platform's URL,
    # with the Secrets Manager secret holding its credentials.
    exchange_organ_id: str = "000.00.12.H26"
    exchange_endpoint: str = "stand-in"
    exchange_secret_arn: str | None = None
    # Scans go to the OCR function through this queue; unset, they are registered
    # for a clerk to complete by hand, as before OCR existed.
    ocr_queue_url: str | None = None
    # A scan with more pages than this is not OCRed (kept, marked for review).
    ocr_page_limit: int = 25

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_location(self) -> str:
        return self.jwks_url or f"{self.issuer}/.well-known/jwks.json"

    @property
    def is_local(self) -> bool:
        return self.stage == "local"


ENV_NAMES = {
    "table_name": "TABLE_NAME",
    "intake_bucket": "INTAKE_BUCKET",
    "documents_bucket": "DOCUMENTS_BUCKET",
    "archive_bucket": "ARCHIVE_BUCKET",
    "workflow_queue_url": "WORKFLOW_QUEUE_URL",
    "ingest_queue_url": "INGEST_QUEUE_URL",
    "search_queue_url": "SEARCH_QUEUE_URL",
    "search_index_bucket": "SEARCH_INDEX_BUCKET",
    "user_pool_id": "USER_POOL_ID",
    "user_pool_client_id": "USER_POOL_CLIENT_ID",
    "agency_key_id": "AGENCY_KEY_ID",
    "mail_from": "MAIL_FROM",
    "public_base_url": "PUBLIC_BASE_URL",
    "jwks_url": "JWKS_URL",
    "aws_endpoint_url": "AWS_ENDPOINT_URL",
    "object_lock_days": "OBJECT_LOCK_DAYS",
    "exchange_organ_id": "EXCHANGE_ORGAN_ID",
    "exchange_endpoint": "EXCHANGE_ENDPOINT",
    "exchange_secret_arn": "EXCHANGE_SECRET_ARN",
    "ocr_queue_url": "OCR_QUEUE_URL",
}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    values: dict[str, str | None] = {
        field: os.environ.get(env) for field, env in ENV_NAMES.items()
    }
    values["stage"] = stage()
    values["region"] = os.environ.get("AWS_REGION") or os.environ.get(
        "AWS_DEFAULT_REGION", "ap-southeast-1"
    )
    values.setdefault("public_base_url", None)
    if not values.get("public_base_url"):
        values["public_base_url"] = "http://127.0.0.1:8000"
    # The OCR function's own environment (infra/template.yaml), not a stack output.
    values["ocr_page_limit"] = int(os.environ.get("OCR_PAGE_LIMIT") or 25)  # type: ignore[assignment]
    # A plain dataclass, not pydantic: this module is on every cold start.
    known = {f.name for f in fields(Settings)}
    optional = ("jwks_url", "aws_endpoint_url", "object_lock_days", "iso_review_months",
                "exchange_organ_id", "exchange_endpoint", "exchange_secret_arn", "ocr_queue_url")
    missing = [ENV_NAMES.get(n, n) for n in known if values.get(n) is None and n not in optional]
    if missing:
        raise RuntimeError(f"missing environment variables: {', '.join(sorted(missing))}")
    values["object_lock_days"] = int(os.environ.get("OBJECT_LOCK_DAYS") or 0)
    # Optional, outside ENV_NAMES (the template need not declare it): 12 unless set.
    months = os.environ.get("ISO_REVIEW_MONTHS") or ""
    values["iso_review_months"] = int(months) if months.isdigit() and int(months) > 0 else 12
    for name in ("exchange_organ_id", "exchange_endpoint"):
        if not values.get(name):
            values.pop(name, None)  # the dataclass default
    return Settings(**{k: v for k, v in values.items() if k in known})

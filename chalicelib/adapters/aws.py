"""boto3 clients, one per service and process, created on first use.

boto3 honours ``AWS_ENDPOINT_URL``, which is how the local runtime points every
client at the embedded moto server without a code path of its own.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.kernel.config import get_settings

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30
)


# Presigned links must be SigV4 (the only scheme newer regions accept); with a
# local endpoint, path-style addressing keeps them on the moto server's host.
_S3_CONFIG = _CONFIG.merge(Config(signature_version="s3v4",
                                  s3={"addressing_style": "auto"}))


@cache
def client(service: str) -> Any:
    config = _S3_CONFIG if service == "s3" else _CONFIG
    if service == "s3" and os.environ.get("AWS_ENDPOINT_URL"):
        config = config.merge(Config(s3={"addressing_style": "path"}))
    return boto3.client(service, region_name=get_settings().region, config=config)


def reset_clients() -> None:
    """Tests change the environment between cases; forget clients bound to the old one."""
    client.cache_clear()
    get_settings.cache_clear()
    storage_origins.cache_clear()


@cache
def storage_origins() -> tuple[str, str]:
    """Where the browser posts uploads (the intake bucket) and reads PDFs from (the
    documents bucket), as the presigning client writes their URLs."""
    from urllib.parse import urlsplit


    settings = get_settings()
    s3 = client("s3")
    post = s3.generate_presigned_post(Bucket=settings.intake_bucket, Key="incoming/x")["url"]
    get = s3.generate_presigned_url("get_object", Params={
        "Bucket": settings.documents_bucket, "Key": "x"}, ExpiresIn=60)
    return tuple(f"{u.scheme}://{u.netloc}" for u in (urlsplit(post), urlsplit(get)))  # type: ignore[return-value]

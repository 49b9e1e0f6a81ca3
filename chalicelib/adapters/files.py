"""Files our own code names (never a path a user typed), kept in one bucket:
the port the use cases see for what they store and read back whole."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.adapters.aws import client


@dataclass(frozen=True)
class BucketFiles:
    bucket: str

    def put(self, key: str, data: bytes, content_type: str) -> None:
        client("s3").put_object(Bucket=self.bucket, Key=key, Body=data,
                                ContentType=content_type)

    def get(self, key: str) -> bytes:
        return bytes(client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read())

"""The asynchronous paths of the local runtime in server mode: a workflow event
becomes an e-mail in the outbox page, and a file dropped in the intake bucket
becomes an intake record (S3 → SQS → event pump → handler)."""

from __future__ import annotations

import hashlib
import json
import time
import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import aws_client, open_signed_in
from tests.e2e.helpers import refresh_until_listed
from tests.pdfs import make_pdf

pytestmark = pytest.mark.e2e


def test_requested_mail_is_delivered_and_listed_on_the_outbox_page(
    page: Any, runtime: dict[str, Any], sessions: Any
) -> None:
    tag = uuid.uuid4().hex[:8]
    subject = f"Giấy mời họp giao ban tuần — {tag}"
    event = {
        "id": uuid.uuid4().hex,
        "type": "mail.requested",
        "subject_id": "E2E#1",
        "payload": {
            "to": ["a@example.vn"],
            "template": "notice",
            # Decomposed (NFD) on purpose: what the user reads must be NFC.
            "context": {
                "subject": unicodedata.normalize("NFD", subject),
                "recipient_name": "Chị Nguyễn Thị Lan",
                "body": "Mời chị dự họp giao ban lúc 8 giờ sáng thứ Hai tại phòng họp số 2.",
                "link": "",
            },
        },
        "occurred_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    sqs = aws_client(runtime, "sqs")
    sqs.send_message(QueueUrl=runtime["environment"]["WORKFLOW_QUEUE_URL"],
                     MessageBody=json.dumps(event, ensure_ascii=False))

    open_signed_in(page, runtime["url"], sessions("clerk"), "/app/outbox")
    mail = page.locator("article.mail").filter(has_text=tag)
    refresh_until_listed(page, mail, "#outbox-list")
    expect(mail).to_have_count(1)  # delivered once, listed once
    expect(mail.locator(".mail-subject")).to_have_text(subject)
    assert unicodedata.is_normalized("NFC", mail.locator(".mail-subject").inner_text())
    expect(mail).to_contain_text("Đến: a@example.vn")
    expect(mail.locator(".mail-text")).to_contain_text("Kính gửi Chị Nguyễn Thị Lan,")
    expect(mail.locator(".mail-text")).to_contain_text("phòng họp số 2")


def test_upload_to_intake_bucket_creates_an_intake_record(runtime: dict[str, Any]) -> None:
    env = runtime["environment"]
    s3 = aws_client(runtime, "s3")
    dynamodb = aws_client(runtime, "dynamodb")
    data = make_pdf(["UBND THANH PHO HA NOI", "SO TAI CHINH", "So: 15/STC-VP",
                     "Ha Noi, ngay 05 thang 01 nam 2026", f"V/v thu nghiem {uuid.uuid4().hex}"])
    key = f"incoming/Công văn số {uuid.uuid4().hex[:6]}.pdf"
    s3.put_object(Bucket=env["INTAKE_BUCKET"], Key=key, Body=data,
                  ContentType="application/pdf")

    record = None
    deadline = time.monotonic() + 30
    while record is None and time.monotonic() < deadline:
        items = dynamodb.query(
            TableName=env["TABLE_NAME"], IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": "INTAKE"}},
        )["Items"]
        record = next((i for i in items if i["source_key"]["S"] == key
                       and i["status"]["S"] != "processing"), None)
        if record is None:
            time.sleep(0.5)
    assert record is not None, f"no intake record for {key} within 30 s"

    digest = hashlib.sha256(data).hexdigest()
    assert record["pk"]["S"].startswith("INTAKE#")
    # Registered (the detector reads this layout) or waiting for a clerk to complete it.
    assert record["status"]["S"] in ("registered", "needs_review")
    assert record["document_id"]["S"]
    assert record["sha256"]["S"] == digest
    assert record["file_name"]["S"] == key.rsplit("/", 1)[1]
    # The accepted file is kept under its content address in the documents bucket.
    stored = s3.get_object(Bucket=env["DOCUMENTS_BUCKET"], Key=f"files/sha256/{digest}")
    assert stored["Body"].read() == data

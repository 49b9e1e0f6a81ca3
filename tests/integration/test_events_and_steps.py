"""S3 → SQS → handler, domain events → workflow steps, the outbox sweeper and
the event pump's Lambda semantics (partial failures, retries, DLQ)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.pdfs import make_pdf


def _pollers(aws_env: dict[str, str]) -> dict[str, Any]:
    import app as app_module
    from chalicelib.local.pump import pollers_for

    return {p.name: p for p in pollers_for(app_module.app, boto3.client("sqs"), "ap-southeast-1")}


def _intake_items() -> list[dict[str, Any]]:
    from chalicelib.adapters.dynamo import Table

    return Table().query("INTAKE", index="gsi1", limit=100).items


def test_file_dropped_in_intake_bucket_becomes_an_intake_record(aws_env):
    s3 = boto3.client("s3")
    pdf = make_pdf(["UBND THANH PHO HA NOI", "SO TAI CHINH", "So: 15/STC-VP",
                    "Ha Noi, ngay 05 thang 01 nam 2026", "V/v thu nghiem nhan van ban"])
    s3.put_object(Bucket=aws_env["INTAKE_BUCKET"], Key="incoming/scanner-01/cv 15.pdf", Body=pdf)
    s3.put_object(Bucket=aws_env["INTAKE_BUCKET"], Key="incoming/../../etc/passwd.pdf",
                  Body=b"root:x:0:0")
    s3.put_object(Bucket=aws_env["INTAKE_BUCKET"], Key="incoming/rong.pdf", Body=b"")
    handled = _pollers(aws_env)["on_intake_notification"].drain()
    assert handled >= 3
    by_name = {i["file_name"]: i for i in _intake_items()}
    assert by_name["cv 15.pdf"]["status"] in ("registered", "needs_review")
    assert by_name["cv 15.pdf"]["size"] == len(pdf)
    import hashlib

    digest = hashlib.sha256(pdf).hexdigest()
    assert by_name["cv 15.pdf"]["sha256"] == digest
    stored = s3.get_object(Bucket=aws_env["DOCUMENTS_BUCKET"], Key=f"files/sha256/{digest}")
    assert stored["Body"].read() == pdf
    assert by_name["passwd.pdf"]["status"] == "rejected"
    assert "không phải định dạng PDF" in by_name["passwd.pdf"]["reason"]
    assert by_name["rong.pdf"]["status"] == "rejected"
    assert "rỗng" in by_name["rong.pdf"]["reason"]


def test_redelivered_notification_records_once(aws_env):
    s3 = boto3.client("s3")
    s3.put_object(Bucket=aws_env["INTAKE_BUCKET"], Key="incoming/a.pdf",
                  Body=make_pdf(["SO XAY DUNG", "So: 07/TB-SXD", "V/v lap lai thong bao"]))
    sqs = boto3.client("sqs")
    msgs = sqs.receive_message(QueueUrl=aws_env["INGEST_QUEUE_URL"], MaxNumberOfMessages=10,
                               WaitTimeSeconds=0)["Messages"]
    body = next(m["Body"] for m in msgs if "Records" in json.loads(m["Body"]))
    from chalicelib.incoming.ingest import process_ingest_batch

    record = {"messageId": "m1", "receiptHandle": "r", "body": body, "attributes": {},
              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
              "eventSourceARN": "arn:aws:sqs:ap-southeast-1:123456789012:q",
              "awsRegion": "ap-southeast-1"}
    for _ in range(2):
        out = process_ingest_batch({"Records": [record]})
        assert out == {"batchItemFailures": []}
    assert len([i for i in _intake_items() if i["file_name"] == "a.pdf"]) == 1


def test_mail_step_sends_once_even_when_the_event_comes_twice(aws_env):
    from chalicelib.adapters.dev_outbox import read_moto_ses
    from chalicelib.adapters.outbox import UnitOfWork
    from chalicelib.adapters.queue import SqsEventPublisher
    from chalicelib.notifications.service import mail_event

    uow = UnitOfWork(publish=False)
    event = mail_event("TEST#1", ["nguoinhan@example.vn"], "notice", {
        "subject": "Thông báo thử", "recipient_name": "Anh Minh",
        "body": "Nội dung <script>alert(1)</script>", "link": "http://x/1"})
    uow.emit(event)
    committed = uow.commit()
    SqsEventPublisher().publish(committed)
    SqsEventPublisher().publish(committed)  # at-least-once delivery, made visible
    _pollers(aws_env)["on_workflow_message"].drain()
    sent = [m for m in read_moto_ses() if m["subject"] == "Thông báo thử"]
    assert len(sent) == 1
    assert sent[0]["to"] == ["nguoinhan@example.vn"]
    assert "Kính gửi Anh Minh" in sent[0]["text"]
    assert "<script>" not in sent[0]["html"] and "&lt;script&gt;" in sent[0]["html"]
    from chalicelib.adapters.dynamo import Table

    item = Table().get(f"EVENT#{event.id}", "EVENT")
    assert "gsi1pk" not in item and item["delivered_at"]


def test_sweeper_republishes_events_never_delivered(aws_env, monkeypatch):
    from datetime import timedelta

    from chalicelib.adapters import outbox
    from chalicelib.adapters.outbox import UnitOfWork
    from chalicelib.handlers.schedule import sweep_outbox
    from chalicelib.notifications.service import mail_event

    uow = UnitOfWork(publish=False)
    uow.emit(mail_event("TEST#2", ["a@example.vn"], "notice", {
        "subject": "Sau sự cố", "recipient_name": "Chị Lan", "body": "x", "link": ""}))
    uow.commit()  # the process "dies" here: nothing published
    sqs = boto3.client("sqs")
    assert "Messages" not in sqs.receive_message(QueueUrl=aws_env["WORKFLOW_QUEUE_URL"])
    real = outbox.undelivered
    monkeypatch.setattr(outbox, "undelivered",
                        lambda table, older_than, limit=100: real(table, timedelta(0), limit))
    from chalicelib.local.scheduler import scheduled_event

    result = sweep_outbox(scheduled_event("sweep_outbox"), None)
    assert result == {"republished": 1}
    _pollers(aws_env)["on_workflow_message"].drain()
    from chalicelib.adapters.dev_outbox import read_moto_ses

    assert [m["subject"] for m in read_moto_ses()] == ["Sau sự cố"]
    assert sweep_outbox(scheduled_event("sweep_outbox"), None) == {"republished": 0}


def test_failing_step_is_retried_then_parked_in_the_dlq(aws_env, monkeypatch):
    from chalicelib.adapters.queue import SqsEventPublisher
    from chalicelib.kernel import subscribers
    from chalicelib.kernel.events import DomainEvent

    calls: list[str] = []

    def flaky(event: DomainEvent) -> None:
        calls.append(event.id)
        raise RuntimeError("downstream is down")

    monkeypatch.setitem(subscribers._REGISTRY, "test.flaky",
                        [subscribers.Subscriber("flaky", "test.flaky", flaky)])
    good = DomainEvent("test.nobody_listens", "X")
    bad = DomainEvent("test.flaky", "Y")
    SqsEventPublisher().publish([good, bad])
    sqs = boto3.client("sqs")
    url = aws_env["WORKFLOW_QUEUE_URL"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    poller = _pollers(aws_env)["on_workflow_message"]
    for _ in range(10):
        poller.poll_once(wait_seconds=0)
    dlq_url = sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1] + "-dlq")["QueueUrl"]
    parked = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"])["id"] for m in parked] == [bad.id]
    assert 2 <= len(calls) <= 6  # retried up to maxReceiveCount, then parked
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"


@pytest.mark.parametrize("expression,when,expected", [
    ("cron(30 0 ? * MON-FRI *)", "2026-11-27T00:30:00", True),   # Friday 07:30 Hanoi
    ("cron(30 0 ? * MON-FRI *)", "2026-11-28T00:30:00", False),  # Saturday
    ("cron(0 1 ? * MON *)", "2026-11-30T01:00:00", True),
    ("cron(0/15 * * * ? *)", "2026-11-30T01:45:00", True),
    ("cron(0/15 * * * ? *)", "2026-11-30T01:44:00", False),
])
def test_local_scheduler_reads_aws_cron(expression, when, expected):
    from datetime import UTC, datetime

    from chalicelib.local.scheduler import Job

    now = datetime.fromisoformat(when).replace(tzinfo=UTC)
    job = Job.from_expression("j", "x.y", expression, now)
    assert job.due(now) is expected


def test_local_scheduler_runs_the_apps_own_jobs(aws_env):
    import app as app_module
    from chalicelib.local.scheduler import jobs_of, run_job

    jobs = jobs_of(app_module.app)
    assert "sweep_outbox" in jobs
    assert run_job("sweep_outbox", jobs["sweep_outbox"].handler_string) == {"republished": 0}


def test_odd_object_keys_are_never_used_as_paths(aws_env):
    """Long keys, traversal and control characters: the record shows a clean
    name, and the file lands under its content address only."""
    s3 = boto3.client("s3")
    pdf = make_pdf(["SO XAY DUNG", "So: 07/TB-SXD", "V/v thong bao ket luan giao ban"])
    long_key = "incoming/" + "a" * 990 + ".pdf"
    odd_key = "incoming/../x/\u202ereport\u0007 .pdf"
    for key in (long_key, odd_key):
        s3.put_object(Bucket=aws_env["INTAKE_BUCKET"], Key=key, Body=pdf)
    _pollers(aws_env)["on_intake_notification"].drain()
    items = _intake_items()
    names = {i["file_name"] for i in items}
    assert all(len(n) <= 200 for n in names)
    assert not any("\u202e" in n or "\u0007" in n or "/" in n for n in names)
    stored = s3.list_objects_v2(Bucket=aws_env["DOCUMENTS_BUCKET"])["Contents"]
    assert all(o["Key"].startswith(("files/sha256/", "text/sha256/")) for o in stored)


def test_counts_of_one_item_in_one_change_become_one_write(aws_env):
    """DynamoDB refuses a transaction that writes an item twice: the unit of work
    merges every count of the same counter item into one update."""
    from chalicelib.adapters.dynamo import Table
    from chalicelib.adapters.outbox import UnitOfWork

    uow = UnitOfWork(Table(), publish=False)
    uow.count("STATS#test#PDKKD", "2026-12", assigned=1)
    uow.count("STATS#test#PDKKD", "2026-12", assigned=1, completed=1)
    uow.count("STATS#test#PDKKD", "2026-11", late=1)
    uow.commit()
    uow.count("STATS#test#PDKKD", "2026-12", assigned=1)
    uow.commit()
    table = Table()
    assert table.get("STATS#test#PDKKD", "2026-12") == {
        "pk": "STATS#test#PDKKD", "sk": "2026-12", "kind": "stats", "assigned": 3,
        "completed": 1}
    assert table.get("STATS#test#PDKKD", "2026-11")["late"] == 1

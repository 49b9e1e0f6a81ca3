"""No write the embedded AWS acknowledged is lost when its process is killed:
the journal of mutating requests since the last snapshot is replayed on start.

The embedded AWS runs in a child process of its own (so that SIGKILL is real),
reached over HTTP by boto3 as the app reaches it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from chalicelib.local.journal import Journal

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-1"
# The child: start the embedded AWS on the given port and data folder; SIGUSR1
# asks it for a snapshot (as the runtime's 15 s timer would), printing "saved".
CHILD = """
import signal, sys, time
from pathlib import Path
from chalicelib.local.embedded_aws import EmbeddedAws
aws = EmbeddedAws("127.0.0.1", int(sys.argv[1]), Path(sys.argv[2]) / "aws-state.pickle")
asked = []
signal.signal(signal.SIGUSR1, lambda *_: asked.append(1))
aws.start()
print("ready", aws.replayed, flush=True)
while True:
    time.sleep(0.05)
    if asked:
        asked.clear()
        aws.save()
        print("saved", flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Child:
    def __init__(self, data: Path) -> None:
        self.data, self.port = data, free_port()
        self.log = data.parent / "child.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> int:
        """Start; returns how many journaled requests it replayed."""
        self.data.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.log.write_text("")
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
                [sys.executable, "-c", CHILD, str(self.port), str(self.data)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        line = self.wait_for("ready")
        return int(line.split()[1])

    def wait_for(self, word: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log.read_text().splitlines():
                if line.startswith(word):
                    return line
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
            time.sleep(0.05)
        raise AssertionError(f"no {word!r} within {timeout}s:\n{self.log.read_text()}")

    def save(self) -> None:
        assert self.proc is not None
        self.log.write_text("")
        self.proc.send_signal(signal.SIGUSR1)
        self.wait_for("saved")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # SIGKILL: no handler, no final save
            self.proc.wait(timeout=10)
        self.proc = None

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=f"http://127.0.0.1:{self.port}",
                            region_name=REGION, aws_access_key_id="local",
                            aws_secret_access_key="local",  # noqa: S106 - moto takes any
                            config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def child(tmp_path: Path) -> Iterator[Child]:
    c = Child(tmp_path / "data")
    try:
        yield c
    finally:
        c.kill()


def pdf(n: int) -> bytes:
    return b"%PDF-1.7\n" + bytes([n]) * (300_000 + n) + b"\n%%EOF\n"


def write_batch(c: Child, tag: str, files: int) -> None:
    s3, ddb, sqs = c.client("s3"), c.client("dynamodb"), c.client("sqs")
    for n in range(files):
        s3.put_object(Bucket="journal-test", Key=f"{tag}/{n}.pdf", Body=pdf(n),
                      ContentType="application/pdf")
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "t", "Item": {"pk": {"S": tag}, "sk": {"S": f"{n}"}}}}
        for n in range(3)])
    ddb.update_item(TableName="t", Key={"pk": {"S": tag}, "sk": {"S": "0"}},
                    UpdateExpression="ADD hits :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="q")["QueueUrl"], MessageBody=tag)


def create_resources(c: Child) -> None:
    c.client("s3").create_bucket(Bucket="journal-test", CreateBucketConfiguration={
        "LocationConstraint": REGION})
    c.client("dynamodb").create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}])
    c.client("sqs").create_queue(QueueName="q")


def assert_batch(c: Child, tag: str, files: int) -> None:
    s3, ddb = c.client("s3"), c.client("dynamodb")
    for n in range(files):
        assert s3.get_object(Bucket="journal-test", Key=f"{tag}/{n}.pdf")["Body"].read() == pdf(n)
    items = ddb.query(TableName="t", KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues={":p": {"S": tag}})["Items"]
    assert [i["sk"]["S"] for i in items] == ["0", "1", "2"]
    # The ADD ran once per acknowledged call: not lost, not doubled by a replay.
    assert items[0]["hits"] == {"N": "1"}


def queued(c: Child) -> int:
    sqs = c.client("sqs")
    url = sqs.get_queue_url(QueueName="q")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def test_writes_acknowledged_before_a_kill_are_there_after_restart(child: Child) -> None:
    assert child.start() == 0
    create_resources(child)
    write_batch(child, "before-snapshot", files=2)
    child.save()
    write_batch(child, "after-snapshot", files=5)
    child.kill()

    replayed = child.start()
    assert replayed > 0
    assert_batch(child, "before-snapshot", files=2)
    assert_batch(child, "after-snapshot", files=5)
    assert queued(child) == 2

    # Killed again with no snapshot since: the same journal is replayed onto the
    # same snapshot, so nothing is doubled.
    child.kill()
    assert child.start() == replayed
    assert_batch(child, "after-snapshot", files=5)
    assert queued(child) == 2

    # A snapshot takes the replayed writes in and empties the journal.
    child.save()
    child.kill()
    assert child.start() == 0
    assert_batch(child, "before-snapshot", files=2)
    assert_batch(child, "after-snapshot", files=5)
    assert queued(child) == 2


def test_a_torn_last_record_is_ignored(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.open(3)
    journal.append({"env": {"REQUEST_METHOD": "PUT"}, "body": ""})
    journal.close()
    with journal.path(3).open("a") as f:
        f.write('{"env": {"REQUEST_METH')  # the crash came mid-write
    assert [r["env"]["REQUEST_METHOD"] for r in journal.records(since=0)] == ["PUT"]
    assert list(journal.records(since=4)) == []


def test_a_snapshot_drops_only_the_generations_it_holds(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.open(0)
    journal.append({"n": 1})
    first = journal.generation
    assert journal.rotate() == first + 1
    journal.append({"n": 2})
    journal.drop_before(first + 1)
    assert journal.generations() == [first + 1]
    assert list(journal.records(since=0)) == [{"n": 2}]
    journal.close()

"""Delivers SQS messages to the same handler functions Lambda calls, the way
Lambda's event source mapping does: batches of up to ``batch_size``, the
message deleted only when the handler succeeded for it (partial batch failures
via ``batchItemFailures``), otherwise left to reappear after its visibility
timeout; moto moves it to the dead-letter queue after ``maxReceiveCount``.

S3 notifications reach their handler the same way: S3 → ingest queue → here.
"""

from __future__ import annotations

import importlib
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from chalicelib.kernel.logging import logger


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""
    deadline_ms: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self.deadline_ms - time.time() * 1000))


def handler_for(handler_string: str) -> Any:
    module, _, attr = handler_string.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def lambda_context(name: str, timeout_s: int = 60) -> LambdaContext:
    return LambdaContext(function_name=f"eoffice-local-{name}", aws_request_id=str(uuid.uuid4()),
                         invoked_function_arn=f"arn:aws:lambda:local:000000000000:function:{name}",
                         deadline_ms=time.time() * 1000 + timeout_s * 1000)


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class QueuePoller:
    def __init__(self, sqs: Any, name: str, queue_name: str, handler_string: str,
                 batch_size: int, region: str) -> None:
        self.sqs, self.name, self.batch_size, self.region = sqs, name, batch_size, region
        self.queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        self.queue_arn = sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.handler = handler_for(handler_string)

    def poll_once(self, wait_seconds: int = 1) -> int:
        """One receive and one invocation. Returns how many messages it handled."""
        out = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=min(self.batch_size, 10),
            WaitTimeSeconds=wait_seconds, AttributeNames=["All"], MessageAttributeNames=["All"],
        )
        messages = out.get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [sqs_record(m, self.queue_arn, self.region) for m in messages]}
        try:
            result = self.handler(event, lambda_context(self.name))
        except Exception:  # noqa: BLE001 - as in Lambda: the whole batch is retried later
            logger.exception("handler failed; the batch will be retried", handler=self.name)
            return len(messages)
        failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                         for i, m in enumerate(done)],
            )
        return len(messages)

    def drain(self, max_rounds: int = 50) -> int:
        """Handle what is visible now (used by tests and ``make job``)."""
        total = 0
        for _ in range(max_rounds):
            n = self.poll_once(wait_seconds=0)
            if n == 0:
                break
            total += n
        return total


def pollers_for(app: Any, sqs: Any, region: str) -> list[QueuePoller]:
    from chalice.app import SQSEventConfig

    pollers = [
        QueuePoller(sqs, src.name, src.queue, src.handler_string, src.batch_size, region)
        for src in app.event_sources
        if isinstance(src, SQSEventConfig)
    ]
    # The OCR function is not a Chalice function (its own container image in AWS,
    # infra/template.yaml OcrFunction): here its handler runs in-process like the others.
    from chalicelib.kernel.config import resource_name

    pollers.append(QueuePoller(sqs, "ocr", resource_name("ocr"),
                               "chalicelib.handlers.ocr.handler", 1, region))
    return pollers


class EventPump:
    def __init__(self, pollers: list[QueuePoller]) -> None:
        self.pollers = pollers
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for poller in self.pollers:
            t = threading.Thread(target=self._run, args=(poller,), daemon=True,
                                 name=f"pump-{poller.name}")
            t.start()
            self._threads.append(t)

    def _run(self, poller: QueuePoller) -> None:
        while not self._stop.is_set():
            try:
                poller.poll_once(wait_seconds=1)
            except Exception:  # noqa: BLE001 - keep pumping; the error is logged
                logger.exception("event pump error", queue=poller.name)
                self._stop.wait(2)

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=10)

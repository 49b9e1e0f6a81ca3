"""The only code that knows how packets travel between agencies.

- ``StandIn``: the local runtime's exchange (and the tests'). A packet for
  agency X is written to the documents bucket under ``exchange/platform/{X}/``,
  where the simulated peer (``chalicelib/local/peer.py``) reads it; a packet for
  us is written to the intake bucket under ``incoming/edxml/``, which the S3
  notification brings to the same ingest consumer as scanned PDFs.
- ``Platform``: the national document exchange platform (VDXP/LGSP), reached
  over HTTPS with the agency's credentials from Secrets Manager. It sends, and
  for the scheduled poller (``exchange/poller.py``) lists, fetches and
  acknowledges the packets waiting for us. Its endpoint and secret are stack
  parameters; see docs/deploy.md for what connecting needs.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

from chalicelib.adapters.aws import client
from chalicelib.kernel.config import get_settings

STAND_IN_PREFIX = "exchange/platform/"
INBOUND_PREFIX = "incoming/edxml/"
NO_SECRET = "none"  # noqa: S105 - the stack output when no credentials secret is given


class TransportError(Exception):
    """The exchange did not take the packet; the sending step retries, then shows
    the failure on the document for the clerk."""


class Transport(Protocol):
    def send(self, to_organ: str, packet_id: str, data: bytes) -> None: ...


class Inbound(Protocol):
    """Packets the platform holds for us until we take them (the poller's port)."""

    def waiting(self) -> list[str]: ...
    def fetch(self, packet_id: str, max_bytes: int) -> bytes: ...
    def acknowledge(self, packet_id: str) -> None: ...


class StandIn:
    def __init__(self, documents_bucket: str | None = None, intake_bucket: str | None = None
                 ) -> None:
        settings = get_settings()
        self.documents_bucket = documents_bucket or settings.documents_bucket
        self.intake_bucket = intake_bucket or settings.intake_bucket

    def send(self, to_organ: str, packet_id: str, data: bytes) -> None:
        if to_organ == get_settings().exchange_organ_id:
            self.deliver_to_us(packet_id, data)
            return
        # The key starts with the time, so that the peer reads its packets in order.
        client("s3").put_object(
            Bucket=self.documents_bucket,
            Key=f"{STAND_IN_PREFIX}{to_organ}/{time.time_ns():020d}-{packet_id}.xml",
            Body=data, ContentType="application/xml")

    # Inbound: the stand-in delivers to the intake bucket itself; nothing waits.
    def waiting(self) -> list[str]:
        return []

    def fetch(self, packet_id: str, max_bytes: int) -> bytes:
        raise TransportError(f"the stand-in holds no packet {packet_id}")

    def acknowledge(self, packet_id: str) -> None:
        return None

    def deliver_to_us(self, packet_id: str, data: bytes) -> None:
        """What the platform does when a peer sends us a packet."""
        client("s3").put_object(Bucket=self.intake_bucket, Key=f"{INBOUND_PREFIX}{packet_id}.xml",
                                Body=data, ContentType="application/xml")

    def waiting_for(self, organ_id: str) -> list[tuple[str, bytes]]:
        """Packets delivered to a (simulated) peer, oldest first, taken off the queue."""
        s3 = client("s3")
        listed = s3.list_objects_v2(Bucket=self.documents_bucket,
                                    Prefix=f"{STAND_IN_PREFIX}{organ_id}/").get("Contents", [])
        out = []
        for obj in sorted(listed, key=lambda o: o["Key"]):
            body = s3.get_object(Bucket=self.documents_bucket, Key=obj["Key"])["Body"].read()
            s3.delete_object(Bucket=self.documents_bucket, Key=obj["Key"])
            out.append((obj["Key"].rsplit("/", 1)[-1].removesuffix(".xml"), bytes(body)))
        return out


class Platform:
    """The national platform. Its documented interface takes the
    packet with the sender's OrganId and token in headers; the answer says
    whether it was queued for the recipient."""

    def __init__(self, endpoint: str, secret_arn: str | None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.secret_arn = secret_arn

    def _credentials(self) -> dict[str, str]:
        if self.secret_arn in (None, "", NO_SECRET):
            return {}
        raw = client("secretsmanager").get_secret_value(SecretId=self.secret_arn)
        return dict(json.loads(raw["SecretString"]))

    def _call(self, path: str, *, headers: dict[str, str], data: bytes | None = None,
              max_bytes: int = 1024 * 1024) -> bytes:
        import urllib.error
        import urllib.request

        if not self.endpoint.startswith("https://"):
            raise TransportError("the platform endpoint must be https")
        creds = self._credentials()
        request = urllib.request.Request(  # noqa: S310 - https only, checked above
            f"{self.endpoint}/{path}", data=data, method="POST" if data is not None else "GET",
            headers={"from": get_settings().exchange_organ_id, "token": creds.get("token", ""),
                     **headers})
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - https only
                return bytes(response.read(max_bytes + 1))
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise TransportError(f"platform unreachable: {exc}") from exc

    @staticmethod
    def _answer(raw: bytes) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = json.loads(raw or b"{}")
        except ValueError as exc:
            raise TransportError("platform answered with no JSON") from exc
        if str(answer.get("status", "OK")).upper() not in ("OK", "SUCCESS", "0"):
            raise TransportError(f"platform refused: {answer}")
        return answer

    def send(self, to_organ: str, packet_id: str, data: bytes) -> None:
        self._answer(self._call("sendEdoc", data=data, headers={
            "Content-Type": "application/xml", "to": to_organ, "messagetype": "edoc",
            "packetid": packet_id}))

    def waiting(self) -> list[str]:
        """Document and status packets addressed to us that we have not acknowledged."""
        out: list[str] = []
        for kind in ("edoc", "status"):
            answer = self._answer(self._call("getReceivedEdocList",
                                             headers={"messagetype": kind}))
            out += [str(d.get("docId") or d.get("id")) for d in answer.get("data") or []
                    if d.get("docId") or d.get("id")]
        return out

    def fetch(self, packet_id: str, max_bytes: int) -> bytes:
        # One byte over the limit is enough for the receiver to refuse it as too large.
        return self._call("getEdoc", headers={"docId": packet_id}, max_bytes=max_bytes)

    def acknowledge(self, packet_id: str) -> None:
        self._answer(self._call("updateStatus", data=b"",
                                headers={"docId": packet_id, "status": "done"}))


def _configured() -> StandIn | Platform:
    settings = get_settings()
    if settings.exchange_endpoint == "stand-in":
        return StandIn()
    return Platform(settings.exchange_endpoint, settings.exchange_secret_arn)


def inbound() -> Inbound:
    return _configured()


def transport() -> Transport:
    return _configured()

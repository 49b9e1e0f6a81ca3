"""The scheduled poller of the national platform (chalicelib/exchange/poller.py)
against fakes of its two ports: the transport's inbound side and S3. What it
must never do: acknowledge a packet it has not written, lose a packet when one
step fails, let a packet id from outside shape the object key."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.exchange import poller


class FakeInbound:
    def __init__(self, packets: dict[str, bytes], *, broken: set[str] = frozenset(),
                 list_fails: bool = False) -> None:
        self.packets = dict(packets)
        self.broken = set(broken)
        self.list_fails = list_fails
        self.acknowledged: list[str] = []

    def waiting(self) -> list[str]:
        if self.list_fails:
            raise OSError("platform down")
        return list(self.packets)

    def fetch(self, packet_id: str, max_bytes: int) -> bytes:
        if packet_id in self.broken:
            raise OSError("connection reset")
        return self.packets[packet_id][: max_bytes + 1]

    def acknowledge(self, packet_id: str) -> None:
        self.acknowledged.append(packet_id)
        del self.packets[packet_id]  # the platform forgets it


class FakeS3:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.fail_put = False

    def head_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        if (Bucket, Key) not in self.objects:
            raise ClientError({"Error": {"Code": "404"}}, "HeadObject")
        return {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, **_: Any) -> None:  # noqa: N803
        if self.fail_put:
            raise ClientError({"Error": {"Code": "SlowDown"}}, "PutObject")
        self.objects[(Bucket, Key)] = Body


def test_packets_are_written_under_incoming_edxml_then_acknowledged():
    inbound = FakeInbound({"a1": b"<edXML>1</edXML>", "b2": b"<edXML>2</edXML>"})
    s3 = FakeS3()
    assert poller.poll(inbound, s3=s3, intake_bucket="intake") == {
        "fetched": 2, "already": 0, "failed": 0}
    assert s3.objects == {("intake", "incoming/edxml/platform-a1.xml"): b"<edXML>1</edXML>",
                          ("intake", "incoming/edxml/platform-b2.xml"): b"<edXML>2</edXML>"}
    assert inbound.acknowledged == ["a1", "b2"] and inbound.packets == {}


def test_a_failing_packet_stays_on_the_platform_and_the_others_go_on():
    inbound = FakeInbound({"a1": b"<a/>", "bad": b"<b/>", "c3": b"<c/>"}, broken={"bad"})
    s3 = FakeS3()
    assert poller.poll(inbound, s3=s3, intake_bucket="intake")["failed"] == 1
    assert inbound.acknowledged == ["a1", "c3"] and list(inbound.packets) == ["bad"]
    inbound.broken.clear()
    assert poller.poll(inbound, s3=s3, intake_bucket="intake")["fetched"] == 1
    assert inbound.packets == {} and len(s3.objects) == 3


def test_nothing_is_acknowledged_that_was_not_written():
    inbound = FakeInbound({"a1": b"<a/>"})
    s3 = FakeS3()
    s3.fail_put = True
    assert poller.poll(inbound, s3=s3, intake_bucket="intake")["failed"] == 1
    assert inbound.acknowledged == [] and s3.objects == {}


def test_written_but_unacknowledged_is_not_written_twice():
    """The run that wrote the packet died before acknowledging it: the next one
    only acknowledges (one object, so one notification, one outcome)."""
    inbound = FakeInbound({"a1": b"<a/>"})
    s3 = FakeS3()
    s3.objects[("intake", poller.inbound_key("a1"))] = b"<a/>"
    s3.fail_put = True  # would fail if it tried
    assert poller.poll(inbound, s3=s3, intake_bucket="intake") == {
        "fetched": 0, "already": 1, "failed": 0}
    assert inbound.acknowledged == ["a1"]


def test_the_platform_down_is_a_count_not_an_exception():
    assert poller.poll(FakeInbound({}, list_fails=True), s3=FakeS3(),
                       intake_bucket="intake")["failed"] == 1


def test_the_stand_in_holds_nothing_to_poll(monkeypatch):
    """Locally the stand-in writes a peer's packet to the intake bucket itself:
    the scheduled run over it finds nothing and writes nothing."""
    from types import SimpleNamespace

    from chalicelib.adapters import exchange_transport

    monkeypatch.setattr(exchange_transport, "get_settings", lambda: SimpleNamespace(
        documents_bucket="documents", intake_bucket="intake"))
    s3 = FakeS3()
    assert poller.poll(exchange_transport.StandIn(), s3=s3, intake_bucket="intake") == {
        "fetched": 0, "already": 0, "failed": 0}
    assert s3.objects == {}


def test_a_packet_id_from_outside_never_shapes_the_path():
    for hostile in ("../../etc/passwd", "a/b", "..", "x" * 300, "tên gói"):
        key = poller.inbound_key(hostile)
        assert key.startswith("incoming/edxml/platform-h-") and key.count("/") == 2, key
    assert poller.inbound_key("0af3-77.b_1") == "incoming/edxml/platform-0af3-77.b_1.xml"


class _Answer:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def __enter__(self) -> _Answer:
        return self

    def __exit__(self, *_: Any) -> None:
        return None

    def read(self, limit: int = -1) -> bytes:
        return self.body if limit < 0 else self.body[:limit]


def test_the_platform_adapter_lists_fetches_and_acknowledges_over_https(monkeypatch):
    """The only code that knows the transport: which calls, with which headers."""
    import json
    import urllib.request
    from types import SimpleNamespace

    from chalicelib.adapters import exchange_transport

    monkeypatch.setattr(exchange_transport, "get_settings",
                        lambda: SimpleNamespace(exchange_organ_id="000.00.12.H26"))
    calls: list[tuple[str, str, dict[str, str]]] = []
    lists = {"edoc": [{"docId": "d1"}], "status": [{"docId": "s1"}, {"other": 1}]}

    def urlopen(request: urllib.request.Request, timeout: float) -> _Answer:
        headers = {k.lower(): v for k, v in request.header_items()}
        calls.append((request.get_method(), request.full_url, headers))
        path = request.full_url.rsplit("/", 1)[-1]
        if path == "getReceivedEdocList":
            return _Answer(json.dumps({"status": "OK",
                                       "data": lists[headers["messagetype"]]}).encode())
        if path == "getEdoc":
            return _Answer(b"<edXML/>" * 10)
        return _Answer(b'{"status": "OK"}')

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    platform = exchange_transport.Platform("https://lgsp.example.vn/vdxp/", None)
    assert platform.waiting() == ["d1", "s1"]
    assert platform.fetch("d1", 16) == (b"<edXML/>" * 10)[:17]  # one byte over: "too large"
    platform.acknowledge("d1")
    assert [(m, u.rsplit("/", 1)[-1]) for m, u, _ in calls] == [
        ("GET", "getReceivedEdocList"), ("GET", "getReceivedEdocList"), ("GET", "getEdoc"),
        ("POST", "updateStatus")]
    assert all(h["from"] == "000.00.12.H26" for _, _, h in calls)
    assert calls[2][2]["docid"] == "d1" and calls[3][2]["status"] == "done"

    def refused(request: urllib.request.Request, timeout: float) -> _Answer:
        return _Answer(b'{"status": "FAIL", "message": "token"}')

    monkeypatch.setattr(urllib.request, "urlopen", refused)
    with pytest.raises(exchange_transport.TransportError, match="refused"):
        platform.acknowledge("d1")
    with pytest.raises(exchange_transport.TransportError, match="https"):
        exchange_transport.Platform("http://lgsp.example.vn", None).waiting()

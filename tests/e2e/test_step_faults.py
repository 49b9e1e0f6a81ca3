"""SIGKILL of the local runtime inside a step, then a restart over the same data:
the step completes (or stays offered to be done again), once; nothing is lost
and nothing is doubled. Issue #21, "Fault tests".

The kill lands inside the step by construction, not by timing: the runtime is
started with ``EOFFICE_PAUSE_AT`` naming points of the steps
(``kernel.faults.pause_point``); each step stops dead at its point and says so
with a file, and the test kills the runtime once every one is there. One data
directory, three starts: intake, signing and a dossier's hand-off are killed
together; issuing (which needs the signature) after the first restart. API
level: no browser. Runs its own runtime: it kills it.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LocalRuntime, api_call, api_login, aws_client
from tests.pdfs import make_pdf

pytestmark = pytest.mark.e2e

WAIT = 90.0  # a step on two busy cores: signing runs pyHanko and KMS


def _ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    assert status == 200, body
    return body


def _until(check: Callable[[], Any], what: str, rt: LocalRuntime) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    pytest.fail(f"{what} not within {WAIT:.0f} s; the runtime's output:\n{rt.output()}")


class Crashes:
    """One runtime over one data directory, started each time with the next
    pause points."""

    def __init__(self, tmp_path: Path) -> None:
        self.rt = LocalRuntime(tmp_path / "data")
        self.marks = tmp_path / "paused"
        self.tokens: dict[str, str] = {}

    def start(self, *points: str) -> dict[str, Any]:
        shutil.rmtree(self.marks, ignore_errors=True)
        self.marks.mkdir()
        env = {"EOFFICE_PAUSE_AT": ",".join(points), "EOFFICE_PAUSE_DIR": str(self.marks)}
        return self.rt.start(env=env if points else None)

    def kill_when_paused(self, *points: str) -> None:
        _until(lambda: all((self.marks / p).exists() for p in points),
               f"the pause at {', '.join(points)}", self.rt)
        self.rt.kill()

    def token(self, username: str, *, fresh: bool = False) -> str:
        """Sign-ins survive a restart (the pool's keys are in the state); the
        signer's is taken fresh (signing asks for one under 5 minutes)."""
        if fresh or username not in self.tokens:
            password = next(a["password"] for a in self.rt.info["accounts"]
                            if a["username"] == username)
            self.tokens[username] = api_login(self.rt.url, username, password)["id_token"]
        return self.tokens[username]

    def call(self, method: str, path: str, user: str, body: Any = None) -> Any:
        return _ok(api_call(self.rt.url, method, path, body, token=self.token(user)))


def _intake_records(info: dict[str, Any], key: str) -> list[dict[str, Any]]:
    env = info["environment"]
    items = aws_client(info, "dynamodb").query(
        TableName=env["TABLE_NAME"], IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
        ExpressionAttributeValues={":p": {"S": "INTAKE"}})["Items"]
    return [i for i in items if i["source_key"]["S"] == key]


def _documents_with(info: dict[str, Any], sha256: str) -> int:
    env = info["environment"]
    return int(aws_client(info, "dynamodb").query(
        TableName=env["TABLE_NAME"], IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
        ExpressionAttributeValues={":p": {"S": f"SHA#{sha256}"}}, Select="COUNT")["Count"])


def _approved_draft(c: Crashes, subject: str) -> str:
    """An officer's công văn approved along its chain, waiting for the director."""
    doc = c.call("POST", "/api/outgoing", "chuyenvien", {
        "type_code": "CV", "subject": subject, "signer": "giamdoc",
        "recipients_internal": [], "recipients_external": []})
    c.call("POST", f"/api/outgoing/{doc['id']}/compose", "chuyenvien", {
        "body": "Sở Kế hoạch và Đầu tư báo cáo kết quả thực hiện.",
        "recipients": ["Như trên;", "Lưu: VT, PDKKD."]})
    c.call("POST", f"/api/outgoing/{doc['id']}/submit", "chuyenvien", {})
    for reviewer in ("truongphong", "chanhvanphong", "giamdoc"):
        c.call("POST", f"/api/outgoing/{doc['id']}/review", reviewer,
               {"approve": True, "comment": "Đồng ý"})
    return str(doc["id"])


def _actions(c: Crashes, chain: str, user: str) -> list[str]:
    return [e["action"] for e in c.call("GET", f"/api/audit/{chain}", user)["entries"]]


def test_a_kill_inside_intake_signing_issuing_and_a_dossier_step_loses_and_doubles_nothing(
        tmp_path: Path) -> None:
    c = Crashes(tmp_path)
    try:
        info = c.start("intake.register", "outgoing.sign", "onestop.advance")
        # Intake: the file read, checked and kept; killed before it is registered.
        tag = uuid.uuid4().hex[:8]
        data = make_pdf(["UBND THANH PHO HA NOI", "SO TAI CHINH", "So: 15/STC-VP",
                         "Ha Noi, ngay 05 thang 01 nam 2026", f"V/v thu nghiem su co {tag}"])
        key = f"incoming/Công văn sự cố {tag}.pdf"
        aws_client(info, "s3").put_object(Bucket=info["environment"]["INTAKE_BUCKET"], Key=key,
                                          Body=data, ContentType="application/pdf")
        # Signing: signed and stored by the step; killed before it is recorded.
        doc_id = _approved_draft(c, f"Công văn báo cáo sau sự cố {tag}")
        c.token("giamdoc", fresh=True)
        assert c.call("POST", f"/api/outgoing/{doc_id}/sign", "giamdoc")["status"] == "signing"
        # A dossier's hand-off: built, killed before it commits; its answer never comes.
        dossier = c.call("POST", "/api/dossiers", "motcua", {
            "procedure": "DKDN-DNTN", "applicant": {"name": "Lý Thị Mai", "phone": "0988001234"},
            "papers": {}, "papers_seen": ["GDN", "GTPL-CN"], "idempotency_key": uuid.uuid4().hex})
        desk = c.token("motcua")

        def hand_off() -> None:
            with contextlib.suppress(OSError):  # the connection dies with the runtime
                api_call(c.rt.url, "POST", f"/api/dossiers/{dossier['id']}/advance",
                         {"note": ""}, desk)

        threading.Thread(target=hand_off, daemon=True).start()
        c.kill_when_paused("intake.register", "outgoing.sign", "onestop.advance")

        info = c.start("outgoing.issue")
        # The notification comes again and the file is registered, once.
        digest = hashlib.sha256(data).hexdigest()
        records = _until(lambda: [r for r in _intake_records(info, key)
                                  if r["status"]["S"] != "processing"],
                         "the intake record's outcome", c.rt)
        assert len(_intake_records(info, key)) == 1
        assert records[0]["status"]["S"] in ("registered", "needs_review"), records
        assert _documents_with(info, digest) == 1
        registered = c.call("GET", f"/api/incoming/{records[0]['document_id']['S']}", "vanthu")
        assert registered["sha256"] == digest
        # The hand-off was never acknowledged: the dossier is where it was, the
        # desk is offered it again, and doing it again moves it once.
        before = c.call("GET", f"/api/dossiers/{dossier['id']}", "motcua")
        assert (before["step_index"], before["slip"]) == (0, []), before
        assert "advance" in before["actions"]
        after = c.call("POST", f"/api/dossiers/{dossier['id']}/advance", "motcua", {"note": ""})
        assert after["step_index"] == 1 and len(after["slip"]) == 1
        assert _actions(c, f"dossier:{dossier['id']}", "motcua").count("dossier.advance") == 1
        # Signing resumes and ends signed. Issuing: numbered at the request,
        # sealed and stored by the step; killed before it is recorded.
        _until(lambda: c.call("GET", f"/api/outgoing/{doc_id}", "vanthu")["status"] == "signed",
               "the signature after the restart", c.rt)
        requested = c.call("POST", f"/api/outgoing/{doc_id}/issue", "vanthu")
        assert requested["status"] == "issuing" and requested["number_text"]
        c.kill_when_paused("outgoing.issue")

        c.start()
        # Issuing resumes and ends issued, under the number taken before the kill;
        # signed once, issued once.
        issued = _until(lambda: (lambda d: d if d["status"] == "issued" else None)(
            c.call("GET", f"/api/outgoing/{doc_id}", "vanthu")), "the issue after the restart",
            c.rt)
        assert issued["number_text"] == requested["number_text"]
        trail = _actions(c, f"outgoing:{doc_id}", "vanthu")
        assert trail.count("outgoing.signed") == 1 and trail.count("outgoing.issued") == 1, trail
    finally:
        c.rt.stop()

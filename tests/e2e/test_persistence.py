"""Stopping the local runtime (Ctrl-C) and starting it again keeps everything:
the table, the buckets, the user pool and the KMS keys' material. Runs its own
runtime: it has to stop it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import admin_token, api_call, aws_client, save_working_day
from tests.e2e.helpers import own_runtime

pytestmark = pytest.mark.e2e


def test_data_survives_a_restart(tmp_path: Path) -> None:
    with own_runtime(tmp_path / "data") as (rt, first):
        url = first["url"]
        note = "Làm bù cho ngày 02/01 — " + uuid.uuid4().hex[:6]
        save_working_day(url, admin_token(first), "2030-01-05", note)
        s3 = aws_client(first, "s3")
        bucket = first["environment"]["DOCUMENTS_BUCKET"]
        content = "Nội dung văn bản lưu trữ".encode() + uuid.uuid4().bytes
        s3.put_object(Bucket=bucket, Key="e2e/persist.bin", Body=content)
        key_id = first["environment"]["AGENCY_KEY_ID"]
        public_key = aws_client(first, "kms").get_public_key(KeyId=key_id)["PublicKey"]

        assert rt.stop() == 0, rt.output()  # Ctrl-C: a clean exit that saves the state
        assert (tmp_path / "data" / "aws-state.pickle").stat().st_size > 0

        second = rt.start()
        assert second["url"] == url
        assert second["environment"]["AGENCY_KEY_ID"] == key_id
        passwords = {a["username"]: a["password"] for a in second["accounts"]}
        assert passwords == {a["username"]: a["password"] for a in first["accounts"]}

        # The same demo password still signs in (the pool and its users survived).
        token = admin_token(second)
        status, body = api_call(url, "GET", "/api/calendar/overrides", token=token)
        assert status == 200, body
        saved = [o for o in body["overrides"] if o["date"] == "2030-01-05"]
        assert saved and saved[0]["working"] is True and saved[0]["note"] == note, body
        status, body = api_call(url, "GET", "/api/calendar/days?year=2030", token=token)
        assert {"date": "2030-01-05", "working": True, "holiday": None,
                "override": True} in body["days"], json.dumps(body, ensure_ascii=False)

        s3 = aws_client(second, "s3")
        assert s3.get_object(Bucket=bucket, Key="e2e/persist.bin")["Body"].read() == content
        # Same key material, not a new key under the old id: signatures made
        # before the restart still verify against it.
        assert aws_client(second, "kms").get_public_key(KeyId=key_id)["PublicKey"] == public_key

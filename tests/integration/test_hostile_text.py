"""Outside text with formulas, control, bidi and zero-width characters (#21 items
4 and 5): stripped when it comes in, kept as text (never a formula) when it goes
out, and no export answers 500."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from openpyxl import load_workbook

from chalicelib.adapters.dynamo import Table

HIDDEN = "\x00\x1b\x7f\x85\u200b\u200d\u2060\u202e\u2066\ufeff"
TYPED = "=1+2 Báo cáo\x00 quý\x1b[31m IV\u202e\u200b"
STORED = "=1+2 Báo cáo quý[31m IV"


def _no_hidden(text: str) -> bool:
    return not any(ch in text for ch in HIDDEN)


def _paper(clerk, trich_yeu: str, agent: str | None = None):
    body = {"so_ky_hieu": "99/TB-UBND", "co_quan_ban_hanh": "UBND\u202e quận\x00 Hoàn Kiếm",
            "ngay_ban_hanh": "2026-11-20", "trich_yeu": trich_yeu,
            "ngay_den": "2026-11-27T10:00:00+07:00"}
    headers = {**clerk.headers, "Content-Type": "application/json"}
    if agent is not None:
        headers["User-Agent"] = agent
    return clerk.client.http.request("POST", "/api/incoming", headers=headers,
                                     body=json.dumps(body).encode())


def test_a_title_with_control_characters_is_stored_clean_and_exports(aws_env, as_role):
    clerk = as_role("clerk")
    resp = _paper(clerk, TYPED)
    assert resp.status_code == 200, resp.body
    doc = json.loads(resp.body)
    stored = json.loads(clerk.get(f"/api/incoming/{doc['id']}").body)
    assert stored["trich_yeu"] == STORED
    assert stored["co_quan_ban_hanh"] == "UBND quận Hoàn Kiếm"
    for register in ("incoming", "tracking"):
        xlsx = clerk.get(f"/api/registers/{register}?year=2026&format=xlsx", accept="*/*")
        assert xlsx.status_code == 200, (register, xlsx.body[:200])
        sheet = load_workbook(io.BytesIO(xlsx.body)).active
        cells = [c for row in sheet.iter_rows() for c in row]
        assert all(c.data_type != "f" for c in cells), register
        titles = [c for c in cells if isinstance(c.value, str) and "Báo cáo" in c.value]
        assert titles and all(STORED in c.value for c in titles), register
        assert all(c.quotePrefix for c in titles if c.value.startswith("=")), register


def test_a_hostile_user_agent_is_stored_clean_and_exports_as_text(aws_env, as_role):
    clerk = as_role("clerk")
    agent = '=HYPERLINK("http://evil.example","Bấm")\x1b[31m\u202e'
    doc = json.loads(_paper(clerk, "Thông báo lịch tiếp dân", agent=agent).body)
    chain = f"incoming:{doc['id']}"
    entries = json.loads(clerk.get(f"/api/audit/{chain}").body)["entries"]
    assert entries[0]["user_agent"] == '=HYPERLINK("http://evil.example","Bấm")[31m'
    text = clerk.get(f"/api/audit/{chain}/export?format=csv").body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][6].startswith("'=HYPERLINK(") and _no_hidden(text)
    xlsx = clerk.get(f"/api/audit/{chain}/export?format=xlsx", accept="*/*")
    sheet = load_workbook(io.BytesIO(xlsx.body)).active
    assert sheet.cell(2, 7).data_type == "s" and sheet.cell(2, 7).value.startswith("=HYPER")
    # Numbers stay numbers: the entry's number is a number cell, not text.
    assert sheet.cell(2, 1).value == 1 and sheet.cell(2, 1).data_type == "n"


def test_every_json_body_and_query_is_cleaned_at_the_boundary(aws_env, as_role):
    """Any route's text, in a body or a query string, reaches its model without
    hidden characters: a length limit counts what is stored, and a pattern
    judges what the person sees."""
    clerk = as_role("clerk")
    resp = _paper(clerk, "x" * 499 + HIDDEN)  # 499 visible + 10 hidden: within 500
    assert resp.status_code == 200, resp.body
    assert json.loads(resp.body)["trich_yeu"] == "x" * 499
    listed = clerk.get("/api/incoming?status=%E2%80%8Bregistered%00")
    assert listed.status_code == 200, listed.body
    assert len(json.loads(listed.body)["items"]) == 1


def test_text_extracted_from_a_pdf_is_cleaned_before_it_is_registered(aws_env):
    """Intake builds its metadata from the PDF's text layer: the same rule."""
    from datetime import UTC, datetime

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    doc = incoming.register(None, Metadata(
        so_ky_hieu="12/\u200bUBND", co_quan_ban_hanh="Sở\x0c Tài chính",
        ngay_ban_hanh=date(2026, 11, 5), trich_yeu="V/v\u2066 dự toán\x1b 2027",
        nguoi_ky="Nguyễn\u202e Văn A"), arrival=datetime(2026, 11, 27, 2, tzinfo=UTC),
        source="scan", table=Table())
    assert (doc["so_ky_hieu"], doc["co_quan_ban_hanh"], doc["trich_yeu"], doc["nguoi_ky"]) == (
        "12/UBND", "Sở Tài chính", "V/v dự toán 2027", "Nguyễn Văn A")

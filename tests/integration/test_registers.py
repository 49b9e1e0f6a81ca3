"""The registers of Decree 30 on screen and as XLSX and PDF."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.adapters.dynamo import Table


@pytest.fixture
def registered(aws_env, accounts):
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.incoming import handling
    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata, Urgency
    from chalicelib.kernel.access import Secrecy
    from chalicelib.kernel.identity import Caller, Role

    at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    docs = [
        incoming.register(None, Metadata(
            so_ky_hieu="1234/STC-QLNS", co_quan_ban_hanh="Sở Tài chính",
            ngay_ban_hanh=date(2026, 11, 5), loai_van_ban="Công văn",
            trich_yeu="V/v hướng dẫn xây dựng dự toán", do_khan=Urgency.KHAN),
            arrival=at, source="paper", table=Table()),
        incoming.register(None, Metadata(
            so_ky_hieu="45/QĐ-UBND", co_quan_ban_hanh="Ủy ban nhân dân thành phố Hà Nội",
            ngay_ban_hanh=date(2026, 11, 10), loai_van_ban="Quyết định",
            trich_yeu="về việc ban hành Kế hoạch cải cách hành chính năm 2027"),
            arrival=at + timedelta(hours=1), source="paper", table=Table()),
        incoming.register(None, Metadata(
            so_ky_hieu="9/M-CA", co_quan_ban_hanh="Công an thành phố",
            ngay_ban_hanh=date(2026, 11, 11), trich_yeu="Nội dung mật"),
            arrival=at + timedelta(hours=2), source="paper", secrecy=Secrecy.MAT,
            people=["vanthu"], table=Table()),
    ]
    due = agency_calendar().working_day_on_or_after(date.today() + timedelta(days=10))
    handling.distribute(Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD"), docs[0]["id"],
                        lead_unit="PDKKD", lead_deadline=due, supporting=[("PTH", due)],
                        instruction="", version=1, table=Table())
    return docs


def test_incoming_register_in_number_order_with_decree_columns(registered, as_role):
    clerk = as_role("clerk")
    data = json.loads(clerk.get("/api/registers/incoming?year=2026").body)
    assert data["columns"][:2] == ["Ngày đến", "Số đến"]
    assert [r[1] for r in data["rows"]] == ["01", "02", "03"]
    first = data["rows"][0]
    assert first[2] == "Sở Tài chính" and first[3] == "1234/STC-QLNS"
    assert "PDKKD (chủ trì)" in first[6] and "PTH (phối hợp)" in first[6]
    assert "Khẩn" in first[9]
    secret = data["rows"][2]
    assert secret[3] == "(Văn bản mật)" and "Nội dung mật" not in json.dumps(data["rows"],
                                                                                ensure_ascii=False)


def test_unit_register_and_who_may_read_it(registered, as_role):
    head = as_role("unit_head")  # truongphong, PDKKD
    own = json.loads(head.get("/api/registers/incoming?year=2026&unit=PDKKD").body)
    assert [r[3] for r in own["rows"]] == ["1234/STC-QLNS"]
    assert head.get("/api/registers/incoming?year=2026").status_code == 403
    assert head.get("/api/registers/incoming?year=2026&unit=PTH").status_code == 403
    assert as_role("officer").get("/api/registers/incoming?year=2026").status_code == 403


def test_tracking_register_shows_deadline_and_progress(registered, as_role):
    rows = json.loads(as_role("leader").get("/api/registers/tracking?year=2026").body)["rows"]
    assert rows[0][4] == "Đã phân phối" and rows[0][3]
    assert rows[1][4] == "Chưa phân phối"


def test_register_exports_as_xlsx_and_pdf_with_vietnamese_text(registered, as_role):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    clerk = as_role("clerk")
    xlsx = clerk.get("/api/registers/incoming?year=2026&format=xlsx", accept="*/*")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.body)).active
    assert sheet.cell(1, 6).value == "Tên loại và trích yếu nội dung"
    assert sheet.cell(3, 6).value.startswith("Quyết định về việc ban hành")
    pdf = clerk.get("/api/registers/tracking?year=2026&format=pdf", accept="*/*")
    assert pdf.status_code == 200 and pdf.body.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body)).pages)
    assert "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN" in text
    assert "Ủy ban nhân dân thành phố Hà Nội" in text


def test_register_export_keeps_typed_formulas_and_controls_out_of_the_xlsx(aws_env, as_role):
    """A trích yếu is typed or read from a scan: in the XLSX it stays text, never
    a formula, and keeps no control character (openpyxl would refuse them)."""
    from openpyxl import load_workbook

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    hostile = ['=HYPERLINK("http://evil.example","Bấm")', "@SUM(A1)\x1b", "-2+3\u202e",
               " =1+2\x00"]
    for i, text in enumerate(hostile):
        incoming.register(None, Metadata(so_ky_hieu=f"{i + 1}/UBND", co_quan_ban_hanh="=cmd|x",
                                         ngay_ban_hanh=date(2026, 11, 5), trich_yeu=text),
                          arrival=datetime(2026, 11, 27, 2, i, tzinfo=UTC), source="paper",
                          table=Table())
    xlsx = as_role("clerk").get("/api/registers/incoming?year=2026&format=xlsx", accept="*/*")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.body)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert len(cells) >= len(hostile)
    for c in cells:
        assert c.data_type != "f", (c.coordinate, c.value)
        assert not any(ch in str(c.value or "") for ch in "\x00\x1b\u202e"), c.coordinate
    texts = " ".join(str(c.value) for c in cells)
    assert '=HYPERLINK("http://evil.example","Bấm")' in texts and "=cmd|x" in texts

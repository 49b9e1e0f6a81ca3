"""The outgoing register's lines (Decree 30 Appendix IV) as a clerk reads them:
dates are Hanoi dates, units by the abbreviation their documents print."""

from __future__ import annotations

from chalicelib.outgoing.register import COLUMNS, rows

DOC = {"number_text": "45/SKHĐT-ĐKKD", "issued_on": "2026-12-02", "type_name": "Công văn",
       "subject": "Góp ý dự thảo quy chế", "signed_by_name": "Phạm Quốc Hùng",
       "recipients_internal": ["VP"], "recipients_external": [{"email": "a@x.vn",
                                                               "name": "Sở Tài chính"}],
       "drafting_unit": "PDKKD", "status": "issued",
       # 05:15 on 02/12 in Hanoi is 22:15 on 01/12 UTC.
       "issued_at": "2026-12-01T22:15:00.000Z"}


def column(row: list[str], name: str) -> str:
    return row[COLUMNS.index(name)]


def test_the_day_passed_on_is_the_hanoi_day_not_the_utc_one() -> None:
    (row,) = rows([DOC])
    assert column(row, "Ngày chuyển") == "02/12/2026"
    assert column(row, "Ngày tháng văn bản") == "02/12/2026"


def test_the_copy_kept_names_the_unit_by_its_abbreviation() -> None:
    (row,) = rows([DOC], {"PDKKD": "ĐKKD"})
    assert column(row, "Đơn vị, người nhận bản lưu") == "ĐKKD, VT"
    (unknown,) = rows([DOC])
    assert column(unknown, "Đơn vị, người nhận bản lưu") == "PDKKD, VT"


def test_a_number_still_issuing_has_no_day_passed_on() -> None:
    (row,) = rows([{**DOC, "status": "issuing", "issued_at": None}])
    assert column(row, "Ngày chuyển") == ""
    assert "Đang phát hành" in column(row, "Ghi chú")

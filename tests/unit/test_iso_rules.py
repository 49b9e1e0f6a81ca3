"""The process library's pure rules: the state of a version on a day (one in
force at a time, obsolete once superseded), the date of effect, the time shares
from the steps' days, the review due date, the content checks and one evidence
row with its nonconformities."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.iso import rules
from chalicelib.kernel.errors import Conflict, InvalidInput


def _v(number: int, status: str = "approved", effective: str | None = None) -> dict:
    return {"id": "QT-DKKD-01", "code": "QT-ĐKKD-01", "number": number, "status": status,
            "effective_from": effective, "title": "Quy trình", "steps": []}


VERSIONS = [_v(1, effective="2025-07-01"), _v(2, effective="2027-03-03"), _v(3, "draft")]


def test_one_version_is_in_force_on_a_day_and_the_one_it_replaces_is_obsolete() -> None:
    before, on = date(2027, 3, 2), date(2027, 3, 3)
    assert rules.in_force(VERSIONS, before)["number"] == 1
    assert rules.in_force(VERSIONS, on)["number"] == 2
    assert rules.in_force(VERSIONS, date(2025, 6, 30)) is None
    states = {v["number"]: rules.state(v, VERSIONS, before) for v in VERSIONS}
    assert states == {1: rules.State.IN_FORCE, 2: rules.State.APPROVED, 3: rules.State.DRAFT}
    states = {v["number"]: rules.state(v, VERSIONS, on) for v in VERSIONS}
    assert states[1] is rules.State.OBSOLETE and states[2] is rules.State.IN_FORCE
    assert rules.State.OBSOLETE.label == "Hết hiệu lực"


def test_new_work_may_only_choose_the_version_in_force() -> None:
    rules.check_choice(VERSIONS[0], VERSIONS, date(2027, 3, 2))
    for version, day in ((VERSIONS[0], date(2027, 3, 3)), (VERSIONS[1], date(2027, 3, 2)),
                         (VERSIONS[2], date(2027, 3, 3))):
        with pytest.raises(Conflict):
            rules.check_choice(version, VERSIONS, day)


def test_a_date_of_effect_is_not_past_and_follows_every_approved_version() -> None:
    rules.check_effective(date(2027, 3, 4), date(2027, 3, 1), VERSIONS)
    with pytest.raises(InvalidInput):
        rules.check_effective(date(2027, 2, 28), date(2027, 3, 1), [])
    with pytest.raises(InvalidInput):
        rules.check_effective(date(2027, 3, 3), date(2027, 3, 1), VERSIONS)


def test_shares_come_from_the_days_and_sum_to_exactly_one() -> None:
    steps = [{"days": d} for d in ("0.3", "1.8", "0.6", "0.3")]
    assert rules.shares(steps) == [Decimal("0.1"), Decimal("0.6"), Decimal("0.2"),
                                   Decimal("0.1")]
    thirds = rules.shares([{"days": "1"}] * 3)
    assert sum(thirds) == 1 and thirds[-1] == Decimal("0.3334")


def test_a_review_is_due_its_interval_after_the_version_took_effect() -> None:
    assert rules.review_due({"effective_from": "2025-07-01"}, 12) == date(2026, 7, 1)
    assert rules.review_due({"effective_from": "2027-01-31"}, 1) == date(2027, 2, 28)
    # A review with no change restarts the interval; one recorded before the
    # version took effect does not shorten it.
    assert rules.review_due({"effective_from": "2025-07-01"}, 6, "2026-05-02") == date(2026, 11, 2)
    assert rules.review_due({"effective_from": "2027-03-03"}, 6, "2026-05-02") == date(2027, 9, 3)


def test_the_review_interval_is_the_versions_then_the_procedures_then_the_setting() -> None:
    assert rules.review_months_of({"review_months": 6}, {"review_months": 24}, 12) == 6
    assert rules.review_months_of({"review_months": None}, {"review_months": 24}, 12) == 24
    assert rules.review_months_of(None, {}, 12) == 12
    assert rules.check_review_months(None) == [] and rules.check_review_months(60) == []
    for bad in (0, 61, True, "6"):
        assert [p.path for p in rules.check_review_months(bad)] == ["review_months"]


def test_content_checks_name_every_fault() -> None:
    content = {"steps": [{"name": "Kiểm tra", "days": "0", "record": "BM-9",
                          "review_step": "office"}],
               "forms": [{"code": "BM-1"}, {"code": "BM-1"}],
               "records": [{"name": "Hồ sơ", "retention_group": "XX"}]}
    paths = {p.path for p in rules.check_content(rules.Kind.REVIEW, content,
                                                 retention_groups={"MC-01"})}
    assert paths == {"steps.0.days", "steps.0.record", "steps", "forms",
                     "records.0.retention_group"}
    assert {p.path for p in rules.check_change("", " ")} == {"reason", "change_summary"}


def test_an_evidence_row_names_the_records_and_the_late_or_out_of_order_steps() -> None:
    version = {"number": 2, "effective_from": "2027-03-03",
               "steps": [{"name": "Tiếp nhận", "record": "BM-01"},
                         {"name": "Thẩm định", "record": "BM-02"},
                         {"name": "Trả kết quả", "record": ""}]}
    work = {"code": "000.00.12.H26-270303-0001", "started": "03/03/2027",
            "steps": [{"name": "Tiếp nhận"}, {"name": "Thẩm định"}, {"name": "Trả kết quả"}],
            "slip": [{"step": "Tiếp nhận", "timeliness": "on_time"},
                     {"step": "Trả kết quả", "timeliness": "late"}]}
    row = rules.evidence_row(work, version)
    assert row[:4] == (2, "03/03/2027", "000.00.12.H26-270303-0001", "03/03/2027")
    assert row[5] == "BM-01"
    assert row[6] == "Trả kết quả" and row[7] == "Trả kết quả" and row[8] == "Có"
    clean = rules.evidence_row({**work, "slip": work["slip"][:1]}, version)
    assert clean[6:] == ("", "", "Không")


def test_a_procedure_code_becomes_an_ascii_key() -> None:
    assert rules.ident("QT-ĐKKD-01") == "QT-DKKD-01"
    assert rules.CODE.match("QT-ĐKKD-01")


def _by_the_day(began: datetime, days: Decimal) -> datetime:
    """A calendar without days off: a step is due ``days`` days after it began."""
    return began + timedelta(days=float(days))


REVIEW_VERSION = {"number": 1, "effective_from": "2025-07-01",
                  "steps": [{"name": "Kiểm tra nội dung", "days": "2", "record": "",
                             "review_step": "unit_head"},
                            {"name": "Kiểm tra thể thức", "days": "1", "record": "BM-VB-01",
                             "review_step": "office"},
                            {"name": "Duyệt ký", "days": "2", "record": "",
                             "review_step": "signer"}]}


def _approved(step: str, at: str) -> dict:
    return {"step": step, "decision": "approved", "at": at, "label": step}


def test_a_review_evidence_row_names_late_and_out_of_order_steps_and_the_issued_document(
        ) -> None:
    draft = {"code": "AB12CD", "started": "01/03/2027", "submitted_at": "2027-03-01T02:00:00.000Z",
             "number_text": "15/KH-SKHĐT", "issued_on": "2027-03-08",
             "review": [_approved("unit_head", "2027-03-04T02:00:00.000Z"),  # 3 days for 2
                        _approved("office", "2027-03-04T05:00:00.000Z"),
                        _approved("signer", "2027-03-05T02:00:00.000Z")]}
    row = rules.review_evidence_row(draft, REVIEW_VERSION, _by_the_day)
    assert row[:5] == (1, "01/07/2025", "15/KH-SKHĐT", "01/03/2027",
                       "Kiểm tra nội dung, Kiểm tra thể thức, Duyệt ký")
    assert row[5] == "BM-VB-01, Văn bản số 15/KH-SKHĐT ngày 08/03/2027"
    assert row[6:] == ("Kiểm tra nội dung", "", "Có")
    # The office's check skipped (a chain of the settings, not the procedure's):
    # the signer's approval is out of the procedure's order; a draft not issued
    # is named by its code.
    skipped = {"code": "AB12CD", "started": "01/03/2027",
               "submitted_at": "2027-03-01T02:00:00.000Z",
               "review": [_approved("unit_head", "2027-03-01T03:00:00.000Z"),
                          _approved("signer", "2027-03-01T04:00:00.000Z")]}
    row = rules.review_evidence_row(skipped, REVIEW_VERSION, _by_the_day)
    assert row[2] == "AB12CD" and row[5] == ""
    assert row[6:] == ("", "Duyệt ký", "Có")
    waiting = {**skipped, "review": [_approved("unit_head", "2027-03-01T03:00:00.000Z"),
                                     {"step": "office", "decision": None, "at": None}]}
    assert rules.review_evidence_row(waiting, REVIEW_VERSION, _by_the_day)[4:] == (
        "Kiểm tra nội dung", "", "", "", "Không")

"""The process library's pure rules: the state of a version on a day (one in
force at a time, obsolete once superseded), the date of effect, the time shares
from the steps' days, the review due date, the content checks and one evidence
row with its nonconformities."""

from __future__ import annotations

from datetime import date
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
    assert rules.review_due({"effective_from": "2025-07-01", "last_review": "2026-05-02"},
                            6) == date(2026, 11, 2)


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

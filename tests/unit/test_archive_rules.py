"""The archive's rules: the retention catalogue, which files go to the agency
archive and when (Decree 30 Art. 30), how long they are locked, the states a
case file may change in, and the checks of a new entry of the yearly list."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from chalicelib.archive import rules
from chalicelib.archive.rules import FileStatus, ItemKind
from chalicelib.kernel.errors import Conflict, InvalidInput


def test_every_group_has_a_period_or_is_permanent_and_names_its_source() -> None:
    cat = rules.catalogue()
    assert cat.version == rules.CURRENT
    codes = [g.code for g in cat.groups]
    assert len(codes) == len(set(codes))
    for g in cat.groups:
        assert g.source == "Thông tư 10/2022/TT-BNV"
        assert g.years is None or g.years > 0
        assert g.label == ("Vĩnh viễn" if g.years is None else f"{g.years} năm")
        assert unicodedata.is_normalized("NFC", g.title)
        assert g.kinds, g.code  # every group suggests itself for some kind of filing
    assert cat.group("TH-02").permanent and cat.group("TT-01").years == 15
    assert cat.group("NOPE") is None


@pytest.mark.parametrize("years,hand_over", [(None, True), (50, True), (5, True), (4, False),
                                             (2, False)])
def test_files_kept_five_years_or_more_go_to_the_archive(years: int | None,
                                                         hand_over: bool) -> None:
    assert rules.must_hand_over(years) is hand_over


@pytest.mark.parametrize("closed,due,warn", [
    (date(2026, 3, 10), date(2027, 3, 10), date(2027, 2, 8)),
    (date(2028, 2, 29), date(2029, 2, 28), date(2029, 1, 29)),  # a leap day
    (date(2026, 12, 31), date(2027, 12, 31), date(2027, 12, 1)),
])
def test_hand_over_is_due_a_year_after_the_work_ends_warned_30_days_before(
        closed: date, due: date, warn: date) -> None:
    assert rules.handover_due(closed) == due
    assert rules.warning_day(closed) == warn


def test_retention_counts_whole_years_after_the_year_the_work_ended() -> None:
    assert rules.retain_until(date(2026, 3, 10), 15) == date(2042, 1, 1)
    assert rules.retain_until(date(2026, 12, 31), 5) == date(2032, 1, 1)


def test_only_an_open_file_changes() -> None:
    rules.check_changeable(FileStatus.OPEN)
    for status, code in ((FileStatus.CLOSED, "case_file_closed"),
                         (FileStatus.HANDED_OVER, "case_file_closed"),
                         (FileStatus.PLANNED, "list_not_approved")):
        with pytest.raises(Conflict) as err:
            rules.check_changeable(status)
        assert err.value.code == code


def test_a_new_entry_names_every_field_at_fault() -> None:
    cat = rules.catalogue()
    assert rules.check_new_file(cat, code="PDKKD-01", group="TH-04", taken=set()).years == 10
    with pytest.raises(InvalidInput) as err:
        rules.check_new_file(cat, code="có dấu cách", group="X", taken=set())
    assert {f.path for f in err.value.fields or []} == {"code", "group"}
    with pytest.raises(InvalidInput) as taken:
        rules.check_new_file(cat, code="pdkkd-01", group="TH-04", taken={"PDKKD-01"})
    assert [f.path for f in taken.value.fields or []] == ["code"]


def test_labels_are_vietnamese() -> None:
    assert ItemKind("complaint").label == "Đơn thư"
    assert FileStatus("handed_over").label == "Đã nộp lưu"
    for label in [k.label for k in ItemKind] + [s.label for s in FileStatus]:
        assert unicodedata.is_normalized("NFC", label)


def test_a_file_expires_on_the_end_of_its_retention_and_a_permanent_one_never() -> None:
    assert not rules.expired("2032-01-01", date(2031, 12, 31))
    assert rules.expired("2032-01-01", date(2032, 1, 1))
    assert not rules.expired(None, date(2999, 1, 1))
    assert FileStatus("disposed").label == "Đã hủy"
    assert rules.DisposalStatus("proposed").label == "Đề nghị hủy"
    with pytest.raises(Conflict):
        rules.check_changeable(FileStatus.DISPOSED)

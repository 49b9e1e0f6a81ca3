"""Staff evaluation rules, each against a worked example with its legal source.

Sources: Decree 233/2026/NĐ-CP (public employees, points; as DOMAIN.md states it,
unconfirmed), Decree 335/2025/NĐ-CP (the task formula it is read by analogy
with), Decree 90/2020/NĐ-CP as amended by Decree 48/2023/NĐ-CP (criteria)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from fractions import Fraction

import pytest

from chalicelib.evaluation.band_rules import BAND_LABELS, Band, Category
from chalicelib.evaluation.criteria_rules import classify
from chalicelib.evaluation.measures_rules import Marks, Measures, rollup
from chalicelib.evaluation.period_rules import Month, PeriodKind, parse_period
from chalicelib.evaluation.points_rules import score
from chalicelib.evaluation.quota_rules import Rated, allowed_htxs, apply_quota, cap_head
from chalicelib.evaluation.rules import (
    DECREE_90_2020_CIVIL_SERVANTS,
    DECREE_90_2020_PUBLIC_EMPLOYEES,
    DECREE_233_2026,
    DECREE_335_2025,
    RULE_SETS,
    rule_set_for,
)
from chalicelib.kernel.errors import InvalidInput

POINTS = DECREE_233_2026.points
assert POINTS is not None
CIVIL = DECREE_90_2020_CIVIL_SERVANTS.criteria
assert CIVIL is not None
QUOTA = DECREE_233_2026.quota


def done(n: int, **more: object) -> Measures:
    """n items assigned, all completed on time, unless told otherwise."""
    base: dict[str, object] = {"assigned": n, "completed": n, "on_time": n}
    base.update(more)
    return Measures(**base)  # type: ignore[arg-type]


def part(evaluation, name: str) -> Decimal:  # type: ignore[no-untyped-def]
    return next(p.points for p in evaluation.parts if p.name == name)


# ---------------------------------------------------------------- periods

@pytest.mark.parametrize(("text", "kind", "months", "canonical"), [
    ("2026-03", PeriodKind.MONTH, ["2026-03"], "2026-03"),
    ("2026-Q2", PeriodKind.QUARTER, ["2026-04", "2026-05", "2026-06"], "2026-Q2"),
    ("2026-q4", PeriodKind.QUARTER, ["2026-10", "2026-11", "2026-12"], "2026-Q4"),
    ("2026", PeriodKind.YEAR, [f"2026-{m:02d}" for m in range(1, 13)], "2026"),
])
def test_a_period_is_the_months_it_covers(text: str, kind: PeriodKind, months: list[str],
                                          canonical: str) -> None:
    """Issue #13: periods YYYY-MM, YYYY-Qn, YYYY; quarters and the year roll up
    from months (Decree 233/2026: monthly or quarterly tracking)."""
    period = parse_period(text)
    assert period.kind is kind
    assert [str(m) for m in period.months] == months
    assert str(period) == canonical


def test_a_periods_days_and_label() -> None:
    """The last day picks the rule set in force; February of a leap year ends on the 29th."""
    assert parse_period("2028-02").last_day.isoformat() == "2028-02-29"
    q1 = parse_period("2026-Q1")
    assert (q1.first_day.isoformat(), q1.last_day.isoformat()) == ("2026-01-01", "2026-03-31")
    assert q1.label == "quý I/2026"
    assert parse_period("2026-03").label == "tháng 03/2026"
    assert parse_period("2026").months[0] == Month(2026, 1)


@pytest.mark.parametrize("text", [None, "", "  ", "2026-13", "2026-00", "2026-Q5", "2026-Q0",
                                  "26", "2026-3", "1999", "2100", "2026-03-01", " 2026",
                                  "2026-W10", "２０２６", "2026\n", "2026-Q1\n"])
def test_a_bad_period_is_refused_on_the_period_field(text: str | None) -> None:
    """Bad input is a 4xx naming the field, in Vietnamese and English."""
    with pytest.raises(InvalidInput) as caught:
        parse_period(text)
    assert caught.value.code == "invalid_period"
    [problem] = caught.value.fields
    assert problem.path == "period" and problem.message and problem.message_en


# ---------------------------------------------------------------- measures

def test_a_quarter_and_a_year_are_the_sums_of_their_months() -> None:
    """Decree 233/2026 (DOMAIN.md): the year's score comes from monthly or
    quarterly tracking; the score is taken on the sums, not averaged."""
    jan = Measures(assigned=4, completed=3, on_time=2, late=1, overdue_open=1, returned=1,
                   extensions_asked=2, extensions_granted=1, marks=Marks(dat=1, tot=1))
    feb = Measures(assigned=6, completed=6, early=2, on_time=4, marks=Marks(xuat_sac=2))
    mar = Measures()
    quarter = rollup([jan, feb, mar])
    assert quarter == Measures(assigned=10, completed=9, early=2, on_time=6, late=1,
                               overdue_open=1, returned=1, extensions_asked=2,
                               extensions_granted=1, marks=Marks(dat=1, tot=1, xuat_sac=2))
    year = rollup([quarter, quarter, quarter, quarter])
    assert year.assigned == 40 and year.marks.xuat_sac == 8
    assert rollup([]) == Measures()
    # a busy month weighs more than a quiet one: sums, not the mean of monthly scores
    busy, quiet = done(9, completed=9), Measures(assigned=1, overdue_open=1)
    q = score(rollup([busy, quiet]), 30, POINTS)
    assert q.score == Decimal("93.00")  # 30 + 70 × 9/10


def test_inconsistent_measures_are_refused_naming_each_field() -> None:
    """Bad input names every field at fault."""
    bad = Measures(assigned=2, completed=3, early=2, on_time=2, overdue_open=0,
                   extensions_asked=0, extensions_granted=1, marks=Marks(tot=4))
    with pytest.raises(InvalidInput) as caught:
        bad.check()
    paths = {f.path for f in caught.value.fields}
    assert paths == {"completed", "late", "extensions_granted", "marks"}
    with pytest.raises(InvalidInput) as caught:
        Measures(assigned=-1, marks=Marks(dat=-2)).check()
    assert {f.path for f in caught.value.fields} == {"assigned", "marks.dat"}


# ---------------------------------------------------------------- Decree 233: points

def test_full_marks_are_one_hundred_and_htxs() -> None:
    """Decree 233/2026 (DOMAIN.md): 100 = 30 general + 70 task results; HTXS ≥ 90."""
    e = score(done(10), 30, POINTS)
    assert e.score == Decimal("100.00") and e.band is Band.HTXS
    assert [(p.name, p.max) for p in e.parts] == [
        ("general", Decimal("30.00")), ("quantity", Decimal("23.33")),
        ("quality", Decimal("23.33")), ("timeliness", Decimal("23.33"))]
    assert not e.needs_review


@pytest.mark.parametrize(("shown", "band"), [
    ("100", Band.HTXS), ("90.00", Band.HTXS), ("89.99", Band.HTT), ("89.50", Band.HTT),
    ("70.00", Band.HTT), ("69.99", Band.HT), ("50.00", Band.HT), ("49.99", Band.KHT),
    ("0", Band.KHT),
])
def test_bands_at_their_boundaries(shown: str, band: Band) -> None:
    """Decree 233/2026 (DOMAIN.md): HTXS ≥ 90, HTT 70–89, HT 50–69, KHT < 50.
    A score between 89 and 90 is not "≥ 90": 89.50 is HTT (no rounding up)."""
    assert POINTS.band_of(Decimal(shown)) is band


@pytest.mark.parametrize(("general", "expected", "band"), [
    ("19.50", "89.50", Band.HTT),  # 19.50 + 70: below 90
    ("20", "90.00", Band.HTXS),
    ("0", "70.00", Band.HTT),
])
def test_a_score_just_under_ninety_stays_htt(general: str, expected: str, band: Band) -> None:
    """Decree 233/2026 (DOMAIN.md) bands; the head's general points (0–30) plus
    the task results (here: the one item done on time, 70)."""
    e = score(done(1), general, POINTS)
    assert (e.score, e.band) == (Decimal(expected), band)


@pytest.mark.parametrize(("general", "expected", "band"), [
    ("3.33", "50.00", Band.HT),   # 3.33 + 46.666… = 49.996… shown 50.00: HT
    ("3.32", "49.99", Band.KHT),  # 49.986… shown 49.99: KHT
    ("23.33", "70.00", Band.HTT),
    ("23.32", "69.99", Band.HT),
])
def test_the_band_follows_the_score_as_shown_rounded_half_up(general: str, expected: str,
                                                              band: Band) -> None:
    """Decree 233/2026 bands (DOMAIN.md); the rounding rule is ours: the score is
    exact, shown to two decimals half up, and banded as shown. Two of three items
    done on time: each task part 2/3 of 70/3, so the task points are 46.666…"""
    e = score(Measures(assigned=3, completed=2, on_time=2), general, POINTS)
    assert (e.score, e.band) == (Decimal(expected), band)


def test_a_late_item_lowers_timeliness_by_a_quarter_of_its_share() -> None:
    """Decree 335/2025 (task formula, read into Decree 233/2026): each delay takes
    25 % of that item's timeliness points. 4 items, 1 late:
    timeliness = 70/3 × (4 − 0.25) ÷ 4 = 21.875 → 21.88; quantity and quality whole."""
    on_time = score(done(4), 30, POINTS)
    late = score(done(4, on_time=3, late=1), 30, POINTS)
    assert part(late, "timeliness") == Decimal("21.88") < part(on_time, "timeliness")
    assert part(late, "quantity") == part(late, "quality") == Decimal("23.33")
    assert late.score == Decimal("98.54")  # 30 + 70/3 × (1 + 1 + 0.9375)


def test_a_returned_item_lowers_quality_by_a_quarter_each_time() -> None:
    """Decree 335/2025 (read into Decree 233/2026): each evaluation "not achieved"
    (a return for revision) takes 25 % of that item's quality points.
    4 items, 2 returns: quality = 70/3 × (4 − 0.5) ÷ 4 = 20.4166… → 20.42."""
    e = score(done(4, returned=2), 30, POINTS)
    assert part(e, "quality") == Decimal("20.42")
    assert part(e, "timeliness") == Decimal("23.33")
    quality = next(p for p in e.parts if p.name == "quality")
    assert "returned" in quality.fields and dict(quality.basis)["returned"] == 2


def test_an_item_marked_not_achieved_earns_no_quality_and_unmarked_counts_as_met() -> None:
    """Decree 335/2025: quality counts completed items meeting the requirement;
    a completed item nobody marked was accepted, so it counts as "đạt"."""
    e = score(done(4, marks=Marks(chua_dat=1, tot=1)), 30, POINTS)
    assert part(e, "quality") == Decimal("17.50")  # 70/3 × 3/4
    assert part(score(done(4), 30, POINTS), "quality") == Decimal("23.33")


def test_an_overdue_open_item_counts_in_no_part_and_extensions_count_nothing() -> None:
    """Decree 335/2025: each part is a share of the items assigned; an item still
    open past its deadline is neither done, nor of quality, nor on schedule.
    A granted extension moved the deadline: no points are taken for it."""
    e = score(Measures(assigned=4, completed=3, on_time=3, overdue_open=1), 30, POINTS)
    assert [part(e, n) for n in ("quantity", "quality", "timeliness")] == [Decimal("17.50")] * 3
    assert e.score == Decimal("82.50") and e.band is Band.HTT
    extended = score(done(4, extensions_asked=3, extensions_granted=2), 30, POINTS)
    assert extended.score == Decimal("100.00")


def test_every_part_names_the_measures_behind_it() -> None:
    """Issue #13: every point can be opened down to the work items behind it."""
    e = score(Measures(assigned=5, completed=4, on_time=3, late=1, overdue_open=1), 25, POINTS)
    fields = {p.name: p.fields for p in e.parts}
    assert fields["quantity"] == ("assigned", "completed")
    assert "late" in fields["timeliness"] and "overdue_open" in fields["timeliness"]
    assert fields["general"] == ()  # entered by the head, no work items
    body = e.as_dict()
    assert set(body) >= {"score", "band", "parts"}
    assert body["score"] == str(e.score) and body["band"] == "HTT"
    assert all({"name", "points", "max", "items"} <= set(p) for p in body["parts"])  # type: ignore[union-attr]
    assert all(p.source.startswith("Nghị định 233/2026/NĐ-CP") for p in e.parts)


def test_a_listed_violation_makes_it_kht_whatever_the_score() -> None:
    """Decree 233/2026 (DOMAIN.md): KHT below 50 points or on a listed violation."""
    e = score(done(10), 30, POINTS, violations=["Bị kỷ luật khiển trách trong năm"])
    assert e.score == Decimal("100.00") and e.band is Band.KHT
    assert any(f.code == "violation" and not f.met for f in e.findings)
    with pytest.raises(InvalidInput):
        score(done(1), 30, POINTS, violations=[" "])


def test_no_work_assigned_scores_full_but_asks_the_head() -> None:
    """Nothing assigned: nothing undone or late, so full task points; the rule
    set cannot judge work it never saw, so the head must confirm (ours)."""
    e = score(Measures(), 30, POINTS)
    assert e.score == Decimal("100.00") and e.needs_review and e.notes


@pytest.mark.parametrize("general", [31, -1, "abc", "10.005", 10.0, True, "NaN", None])
def test_general_points_out_of_range_are_refused(general: object) -> None:
    """Decree 233/2026 (DOMAIN.md): the general part is at most 30 points, entered by the head."""
    with pytest.raises(InvalidInput) as caught:
        score(done(1), general, POINTS)  # type: ignore[arg-type]
    assert [f.path for f in caught.value.fields] == ["general_points"]


def test_a_rule_set_needs_the_heads_general_points() -> None:
    with pytest.raises(InvalidInput) as caught:
        DECREE_233_2026.evaluate(done(1))
    assert caught.value.fields[0].path == "general_points"


# ---------------------------------------------------------------- Decree 90: criteria

def test_decree_90_htxs_needs_all_on_time_and_half_exceeded() -> None:
    """Decree 90/2020, Art. 8 (civil servants): 100 % on schedule with quality, at
    least 50 % exceeded (marked "xuất sắc"), general criteria observed well."""
    e = classify(done(10, marks=Marks(xuat_sac=5, tot=5)), CIVIL)
    assert e.band is Band.HTXS and e.score is None
    assert classify(done(10, marks=Marks(xuat_sac=4)), CIVIL).band is Band.HTT
    assert classify(done(10, marks=Marks(xuat_sac=5)), CIVIL, general_well=False).band is Band.HTT
    cited = {f.code: f.source for f in e.findings}
    assert cited["half_exceeded"].endswith("Điều 8")
    assert cited["all_on_time_with_quality"].endswith("Điều 9")


def test_decree_90_htt_is_all_on_time_with_quality() -> None:
    """Decree 90/2020, Art. 9: 100 % of tasks on schedule with quality."""
    assert classify(done(8, marks=Marks(tot=8)), CIVIL).band is Band.HTT
    # an item marked "chưa đạt" is short of quality: no longer HTT
    assert classify(done(8, marks=Marks(chua_dat=1)), CIVIL).band is Band.HT


def test_decree_90_ht_is_at_most_a_fifth_short() -> None:
    """Decree 90/2020, Art. 10: at most 20 % of tasks short of schedule or quality."""
    e = classify(Measures(assigned=10, completed=9, on_time=8, late=1, overdue_open=1), CIVIL)
    assert e.band is Band.HT and not e.needs_review  # 2 of 10 short
    assert any(f.source.endswith("Điều 10") for f in e.findings)


def test_decree_90_kht_is_more_than_half_short() -> None:
    """Decree 90/2020, Art. 11: more than 50 % of tasks short."""
    e = classify(Measures(assigned=10, completed=10, on_time=4, late=6), CIVIL)
    assert e.band is Band.KHT and not e.needs_review
    assert any(f.code == "more_than_half_short" for f in e.findings)


@pytest.mark.parametrize("late", [3, 5])
def test_decree_90_gap_between_a_fifth_and_a_half_is_proposed_kht_for_review(late: int) -> None:
    """Decree 90/2020, Art. 10–11 leave 20 %–50 % short undefined: HT's criterion is
    not met, so KHT is proposed and flagged for the head (ours; unconfirmed)."""
    e = classify(Measures(assigned=10, completed=10, on_time=10 - late, late=late), CIVIL)
    assert e.band is Band.KHT and e.needs_review
    assert any(f.code == "gap_between_ht_and_kht" for f in e.findings)


def test_decree_90_violation_is_kht_and_public_employees_cite_their_articles() -> None:
    """Decree 90/2020, Art. 11 (civil servants) and Art. 12–15 (public employees)."""
    e = classify(done(4), CIVIL, violations=["Kỷ luật cảnh cáo"])
    assert e.band is Band.KHT and any(f.source.endswith("Điều 11") for f in e.findings)
    public = DECREE_90_2020_PUBLIC_EMPLOYEES.evaluate(done(4, marks=Marks(xuat_sac=2)))
    assert public.band is Band.HTXS
    assert any(f.source.endswith("Điều 12") for f in public.findings)


def test_decree_90_a_manager_is_flagged_for_the_unit_criteria() -> None:
    """Decree 90/2020, Art. 8(2)–11(2): a manager is also judged on the unit led,
    which the e-office does not measure here."""
    assert classify(done(4), CIVIL, manager=True).needs_review


# ---------------------------------------------------------------- quotas and the head's cap

def people(htxs: int, htt: int, others: int = 0) -> list[Rated]:
    staff = [Rated(f"u{i:02d}", Band.HTXS, Decimal(99 - i)) for i in range(htxs)]
    staff += [Rated(f"t{i:02d}", Band.HTT, Decimal(80)) for i in range(htt)]
    staff += [Rated(f"k{i:02d}", Band.HT, Decimal(60)) for i in range(others)]
    return staff


def test_ten_rated_htt_or_above_allow_two_htxs() -> None:
    """Decree 233/2026 (DOMAIN.md): HTXS at most 20 % of those rated HTT or above
    in a unit. 10 eligible (5 HTXS + 5 HTT; the HT ones do not count) → 2 places;
    the 3 lowest scores go down to HTT, each with its reason and source."""
    result = apply_quota(people(5, 5, others=3), Band.HTT, QUOTA)
    assert (result.eligible, result.allowed) == (10, 2)
    kept = [p.key for p in result.people if p.band is Band.HTXS]
    assert kept == ["u00", "u01"]  # scores 99 and 98
    assert [d.key for d in result.downgrades] == ["u02", "u03", "u04"]
    assert all(d.to_band is Band.HTT and "20 %" in d.reason and d.source
               for d in result.downgrades)
    assert [p.key for p in result.people] == [p.key for p in people(5, 5, others=3)]


@pytest.mark.parametrize(("eligible", "unit", "allowed"), [
    (10, Band.HTT, 2), (10, Band.HTXS, 2), (12, Band.HTXS, 3), (8, Band.HTXS, 2),
    (4, Band.HTT, 0), (4, Band.HTXS, 1), (5, Band.HTT, 1), (0, Band.HTXS, 0),
])
def test_the_quota_is_rounded_down(eligible: int, unit: Band, allowed: int) -> None:
    """Decree 233/2026 (DOMAIN.md): 20 %, or 25 % when the unit is HTXS; "at most"
    taken literally, so the number of places is rounded down (ours)."""
    assert allowed_htxs(eligible, unit, QUOTA) == allowed


def test_a_unit_rated_htxs_has_a_quarter_of_places() -> None:
    """Decree 233/2026 (DOMAIN.md): 25 % if the unit itself is HTXS: 12 eligible → 3."""
    result = apply_quota(people(4, 8), Band.HTXS, QUOTA)
    assert result.allowed == 3 and [d.key for d in result.downgrades] == ["u03"]
    assert "25 %" in result.downgrades[0].reason


def test_equal_scores_are_settled_by_merit_then_by_username() -> None:
    """A stable choice (ours): the same input always keeps the same people."""
    staff = [Rated("chi", Band.HTXS, Decimal(95)), Rated("an", Band.HTXS, Decimal(95)),
             Rated("binh", Band.HTXS, Decimal(95), merit=3)] + people(0, 7)
    result = apply_quota(staff, Band.HTT, QUOTA)  # 10 eligible → 2
    assert sorted(p.key for p in result.people if p.band is Band.HTXS) == ["an", "binh"]
    assert apply_quota(list(reversed(staff)), Band.HTT, QUOTA).downgrades == result.downgrades


def test_within_the_quota_nobody_moves_and_duplicates_are_refused() -> None:
    result = apply_quota(people(2, 8), Band.HTT, QUOTA)
    assert result.downgrades == () and result.people == tuple(people(2, 8))
    with pytest.raises(InvalidInput):
        apply_quota([Rated("a", Band.HTT), Rated("a", Band.HTXS)], Band.HTT, QUOTA)


def test_criteria_results_without_scores_are_kept_by_merit_then_name() -> None:
    """Decree 90/2020 (as amended by Decree 48/2023): 20 % of HTT; no score to rank by."""
    staff = [Rated(f"p{i}", Band.HTXS, merit=i) for i in range(3)] + \
        [Rated(f"q{i}", Band.HTT) for i in range(2)]
    result = apply_quota(staff, Band.HTXS, DECREE_90_2020_CIVIL_SERVANTS.quota)
    assert result.allowed == 1  # 20 % of 5 even in an HTXS unit under Decree 90
    assert [p.key for p in result.people if p.band is Band.HTXS] == ["p2"]


@pytest.mark.parametrize(("head", "unit", "expected"), [
    (Band.HTXS, Band.HTT, Band.HTT), (Band.HTXS, Band.KHT, Band.KHT),
    (Band.HTT, Band.HTT, Band.HTT), (Band.HT, Band.HTXS, Band.HT),
])
def test_a_head_is_rated_no_higher_than_the_unit(head: Band, unit: Band, expected: Band) -> None:
    """Decree 233/2026 (DOMAIN.md) and Decree 90/2020 as amended: a head's rating
    cannot exceed the unit's."""
    band, downgrade = cap_head(head, unit, DECREE_233_2026.quota.head_cap_source, "truong_phong")
    assert band is expected
    if head is expected:
        assert downgrade is None
    else:
        assert downgrade is not None and downgrade.from_band is head
        assert downgrade.key == "truong_phong" and unit.label in downgrade.reason


# ---------------------------------------------------------------- rule sets

@pytest.mark.parametrize(("category", "period", "code"), [
    (Category.PUBLIC_EMPLOYEE, "2025-12", "decree-90-2020-vien-chuc"),
    (Category.PUBLIC_EMPLOYEE, "2026-01", "decree-233-2026"),
    (Category.PUBLIC_EMPLOYEE, "2026", "decree-233-2026"),
    (Category.PUBLIC_EMPLOYEE, "2025-Q4", "decree-90-2020-vien-chuc"),
    (Category.CIVIL_SERVANT, "2026", "decree-90-2020-cong-chuc"),
    (Category.CIVIL_SERVANT, "2021-Q1", "decree-90-2020-cong-chuc"),
])
def test_the_rule_set_in_force_on_the_periods_last_day(category: Category, period: str,
                                                        code: str) -> None:
    """Public employees: Decree 233/2026 (effective date assumed 2026-01-01,
    unconfirmed), Decree 90/2020 before; civil servants: Decree 90/2020."""
    assert rule_set_for(category, parse_period(period)).code == code


def test_what_is_unconfirmed_is_marked_and_decree_335_waits_unregistered() -> None:
    assert not DECREE_233_2026.confirmed and "unconfirmed" in DECREE_233_2026.note
    assert DECREE_335_2025 not in RULE_SETS
    with_335 = (*RULE_SETS, DECREE_335_2025)
    assert rule_set_for(Category.CIVIL_SERVANT, parse_period("2026-02"), with_335) \
        is DECREE_335_2025
    assert rule_set_for(Category.CIVIL_SERVANT, parse_period("2025"), with_335) \
        is DECREE_90_2020_CIVIL_SERVANTS
    assert DECREE_233_2026.quota.share == Fraction(1, 5)
    assert DECREE_233_2026.quota.share_if_unit_htxs == Fraction(1, 4)


def test_a_period_before_every_rule_set_is_refused_on_the_period_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        rule_set_for(Category.CIVIL_SERVANT, parse_period("2019"))
    assert caught.value.fields[0].path == "period"


def test_band_labels_are_vietnamese_and_codes_english() -> None:
    """Decree 90/2020, Art. 2: the four levels, named as people read them."""
    assert [b.value for b in Band] == ["HTXS", "HTT", "HT", "KHT"]
    assert Band.HTXS.label == "Hoàn thành xuất sắc nhiệm vụ"
    assert Band.KHT.label == "Không hoàn thành nhiệm vụ"
    assert all(unicodedata.is_normalized("NFC", label) for label in BAND_LABELS.values())
    assert Band.HTXS.rank > Band.HTT.rank > Band.HT.rank > Band.KHT.rank

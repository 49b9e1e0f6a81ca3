"""The points rule set: 100 points = 30 general (entered by the head) + 70 task
results (quantity, quality, timeliness, from the measures), banded HTXS ≥ 90,
HTT 70–89, HT 50–69, KHT < 50 or on a listed violation.

Sources. The structure and the bands are Decree 233/2026/NĐ-CP's for public
employees as DOMAIN.md states them ("Staff evaluation"); the decree's text has not
been checked here, so the rule set is marked unconfirmed (``rules.py``). How the
70 points are worked out follows the published formula of the twin decree for
civil servants, Decree 335/2025/NĐ-CP (in force 1 January 2026, as reported in
the press): quantity = completed ÷ assigned; quality = completed items meeting
the quality requirement ÷ assigned, each evaluation "not achieved" (a return for
revision) taking 25 % of that item's quality points; timeliness = items done on
schedule ÷ assigned, each delay taking 25 % of that item's timeliness points;
the task points = 70 × (quantity % + quality % + timeliness %) ÷ 300, i.e. three
equal thirds (the thirds are our reading of the formula and are unconfirmed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from chalicelib.evaluation.band_rules import Band
from chalicelib.evaluation.measures_rules import Measures
from chalicelib.evaluation.outcome import Evaluation, Finding, ScorePart, to_points
from chalicelib.kernel.errors import FieldProblem, InvalidInput


@dataclass(frozen=True)
class PointsRules:
    """The figures of a points-based rule set, each with where it comes from."""

    source: str  # e.g. "Nghị định 233/2026/NĐ-CP"
    general_max: int = 30
    task_max: int = 70
    htxs_from: int = 90
    htt_from: int = 70
    ht_from: int = 50
    quality_deduction: Fraction = Fraction(1, 4)  # of an item's quality points, per return
    timeliness_deduction: Fraction = Fraction(1, 4)  # of an item's timeliness points, per delay
    task_formula_source: str = ("Decree 335/2025/NĐ-CP's task formula (quantity, quality, "
                                "timeliness, 25 % deductions), applied by analogy; unconfirmed")

    @property
    def part_max(self) -> Fraction:
        return Fraction(self.task_max, 3)

    def band_of(self, score: Decimal) -> Band:
        """The band of a score as shown (two decimals): 89.99 is HTT, 90.00 HTXS."""
        if score >= self.htxs_from:
            return Band.HTXS
        if score >= self.htt_from:
            return Band.HTT
        if score >= self.ht_from:
            return Band.HT
        return Band.KHT


def _general(value: Decimal | int | str, rules: PointsRules) -> Decimal:
    problem = FieldProblem(
        "general_points", f"Điểm tiêu chí chung phải từ 0 đến {rules.general_max}, tối đa hai "
        "chữ số thập phân.", f"General points must be 0–{rules.general_max}, two decimals at most.")
    if isinstance(value, bool) or isinstance(value, float):
        # a float has no exact decimal value; the head's entry arrives as text or Decimal
        raise InvalidInput("Điểm tiêu chí chung không hợp lệ.", "Invalid general points.",
                           "invalid_general_points", [problem])
    try:
        points = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        points = Decimal("NaN")
    if (not points.is_finite() or points < 0 or points > rules.general_max
            or points != points.quantize(Decimal("0.01"))):
        raise InvalidInput("Điểm tiêu chí chung không hợp lệ.", "Invalid general points.",
                           "invalid_general_points", [problem])
    return points.quantize(Decimal("0.01"))


def _violations(violations: Sequence[str]) -> tuple[str, ...]:
    reasons = tuple(v.strip() for v in violations)
    if any(not r for r in reasons):
        raise InvalidInput("Mỗi vi phạm phải ghi rõ lý do.", "Each violation needs its reason.",
                           "invalid_violations",
                           [FieldProblem("violations", "Lý do vi phạm trống.", "Empty reason.")])
    return reasons


def _vi(number: Decimal) -> str:
    return f"{number}".replace(".", ",")


def score(measures: Measures, general_points: Decimal | int | str, rules: PointsRules,
          violations: Sequence[str] = ()) -> Evaluation:
    """The score, its parts and the band (see the module's docstring for the
    formula). ``violations`` are the listed violations the head records (each
    with its reason): any one makes the band KHT whatever the score."""
    measures.check()
    general = _general(general_points, rules)
    reasons = _violations(violations)
    m = measures
    part_max = rules.part_max
    vacuous = m.assigned == 0
    no_work = ("Không có công việc được giao trong kỳ: tính đủ điểm, người đứng đầu cần xác nhận.",)
    task_source = f"{rules.source}; {rules.task_formula_source}"

    def share(numerator: Fraction) -> Fraction:
        if vacuous:
            return Fraction(1)
        return min(max(numerator / m.assigned, Fraction(0)), Fraction(1))

    quantity = share(Fraction(m.completed))
    quality = share(m.completed - m.marks.chua_dat - rules.quality_deduction * m.returned)
    timeliness = share(m.completed - rules.timeliness_deduction * m.late)
    task_exact = part_max * (quantity + quality + timeliness)
    total = to_points(Fraction(general) + task_exact)

    q_pct = int(rules.quality_deduction * 100)
    t_pct = int(rules.timeliness_deduction * 100)
    parts = (
        ScorePart("general", "Tiêu chí chung (phẩm chất, đạo đức, ý thức kỷ luật)", general,
                  to_points(rules.general_max), (), (),
                  "entered by the head of the unit", f"{rules.source} (30 general points)"),
        ScorePart("quantity", "Số lượng công việc hoàn thành", to_points(part_max * quantity),
                  to_points(part_max), ("assigned", "completed"),
                  (("assigned", m.assigned), ("completed", m.completed)),
                  "70/3 × completed ÷ assigned", task_source, no_work if vacuous else ()),
        ScorePart("quality", "Chất lượng công việc", to_points(part_max * quality),
                  to_points(part_max), ("assigned", "completed", "marks.chua_dat", "returned"),
                  (("assigned", m.assigned), ("completed", m.completed),
                   ("marks.chua_dat", m.marks.chua_dat), ("returned", m.returned)),
                  f"70/3 × (completed − chưa đạt − {q_pct} % × returned) ÷ assigned",
                  task_source, no_work if vacuous else ()),
        ScorePart("timeliness", "Tiến độ hoàn thành", to_points(part_max * timeliness),
                  to_points(part_max), ("assigned", "completed", "late", "overdue_open"),
                  (("assigned", m.assigned), ("completed", m.completed), ("late", m.late),
                   ("overdue_open", m.overdue_open)),
                  f"70/3 × (completed − {t_pct} % × late) ÷ assigned; overdue open items "
                  "count nothing", task_source, no_work if vacuous else ()),
    )

    by_score = rules.band_of(total)
    band_source = f"{rules.source} (bands 90 / 70 / 50)"
    findings = [Finding("score_band", True,
                        f"Tổng điểm {_vi(total)}: mức {by_score.label}.",
                        f"Total {total}: {by_score.label_en}.", band_source)]
    band = by_score
    if reasons:
        band = Band.KHT
        findings += [Finding("violation", False, f"Vi phạm: {r}. Xếp loại Không hoàn thành "
                             "nhiệm vụ.", f"Violation: {r}. Rated KHT.",
                             f"{rules.source} (KHT on a listed violation)") for r in reasons]
    return Evaluation(rule_set=rules.source, band=band, score=total, parts=parts,
                      findings=tuple(findings), needs_review=vacuous,
                      notes=no_work if vacuous else ())

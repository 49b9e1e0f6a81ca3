"""The rule sets, versioned: which decree rates a person, for which period, and
with which figures; what is confirmed and what is only believed.

- Public employees (viên chức): Decree 233/2026/NĐ-CP, points-based, as
  DOMAIN.md states it. The decree's text has not been checked: its effective
  date and the split of the 70 task points are assumptions (unconfirmed).
  Before it, Decree 90/2020/NĐ-CP's criteria for public employees (Art. 12–15).
- Civil servants (công chức): Decree 90/2020/NĐ-CP's criteria (Art. 8–11), as
  the issue asks. Note: Decree 335/2025/NĐ-CP (points-based, in force 1 January
  2026, as reported) appears to replace Decree 90/2020 for civil servants; its
  rule set is defined below (``DECREE_335_2025``) but not registered, until
  the agency confirms which applies.

A period is rated by the rule set in force on its last day: the evaluation is
made at the end of the period, and a year is rated as a whole by one rule set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from chalicelib.evaluation.band_rules import Band, Category
from chalicelib.evaluation.criteria_rules import CriteriaRules, classify
from chalicelib.evaluation.measures_rules import Measures
from chalicelib.evaluation.outcome import Evaluation
from chalicelib.evaluation.period_rules import Period
from chalicelib.evaluation.points_rules import PointsRules, score
from chalicelib.evaluation.quota_rules import Quota
from chalicelib.kernel.errors import FieldProblem, InvalidInput


class Method(StrEnum):
    POINTS = "points"
    CRITERIA = "criteria"


@dataclass(frozen=True)
class RuleSet:
    code: str
    name: str  # Vietnamese, what a person reads
    category: Category
    effective: date
    method: Method
    quota: Quota
    confirmed: bool
    note: str  # English: what is believed rather than checked
    points: PointsRules | None = None
    criteria: CriteriaRules | None = None

    def evaluate(self, measures: Measures, *, general_points: Decimal | int | str | None = None,
                 general_well: bool = True, violations: Sequence[str] = (),
                 manager: bool = False) -> Evaluation:
        """One person's proposed result. A points rule set needs the head's
        ``general_points`` (0–30); a criteria rule set the head's ``general_well``."""
        if self.points is not None:
            if general_points is None:
                raise InvalidInput("Chưa nhập điểm tiêu chí chung.", "General points missing.",
                                   "invalid_general_points",
                                   [FieldProblem("general_points", "Bắt buộc.", "Required.")])
            return score(measures, general_points, self.points, violations)
        assert self.criteria is not None
        return classify(measures, self.criteria, general_well, violations, manager)


D233 = "Nghị định 233/2026/NĐ-CP"
D90 = "Nghị định 90/2020/NĐ-CP (sửa đổi bởi Nghị định 48/2023/NĐ-CP)"
D335 = "Nghị định 335/2025/NĐ-CP"

DECREE_233_2026 = RuleSet(
    code="decree-233-2026", name=D233, category=Category.PUBLIC_EMPLOYEE,
    # Unconfirmed: assumed to rate the whole of 2026 (DOMAIN.md gives no date).
    effective=date(2026, 1, 1), method=Method.POINTS,
    quota=Quota(Fraction(1, 5), Fraction(1, 4),
                f"{D233} (HTXS ≤ 20 % of HTT or above; 25 % in an HTXS unit)",
                f"{D233} (a head no higher than the unit)"),
    confirmed=False,
    note=("Figures as DOMAIN.md states them (30 + 70 points, bands 90/70/50, quotas 20 %/25 %, "
          "head's cap); the decree's text, its effective date (assumed 2026-01-01) and the "
          "split of the 70 task points (equal thirds, Decree 335/2025's formula by analogy) "
          "are unconfirmed."),
    points=PointsRules(source=D233),
)

DECREE_90_2020_CIVIL_SERVANTS = RuleSet(
    code="decree-90-2020-cong-chuc", name=D90, category=Category.CIVIL_SERVANT,
    effective=date(2020, 9, 25), method=Method.CRITERIA,
    quota=Quota(Fraction(1, 5), Fraction(1, 5), f"{D90} (HTXS ≤ 20 % of HTT)",
                f"{D90} (a head no higher than the unit)"),
    confirmed=True,
    note=("Criteria of Art. 8–11 for civil servants without a managerial post. Unconfirmed: "
          "the article holding the 20 % quota and the head's cap (Decree 48/2023's "
          "amendment); a higher share for an outstanding unit is left to the competent "
          "authority, so 20 % is kept. Decree 335/2025 may replace this rule set from 2026."),
    criteria=CriteriaRules(D90, ((Band.HTXS, "Điều 8"), (Band.HTT, "Điều 9"),
                                 (Band.HT, "Điều 10"), (Band.KHT, "Điều 11"))),
)

DECREE_90_2020_PUBLIC_EMPLOYEES = RuleSet(
    code="decree-90-2020-vien-chuc", name=D90, category=Category.PUBLIC_EMPLOYEE,
    effective=date(2020, 9, 25), method=Method.CRITERIA,
    quota=DECREE_90_2020_CIVIL_SERVANTS.quota, confirmed=True,
    note="Criteria of Art. 12–15 for public employees, until Decree 233/2026 applies.",
    criteria=CriteriaRules(D90, ((Band.HTXS, "Điều 12"), (Band.HTT, "Điều 13"),
                                 (Band.HT, "Điều 14"), (Band.KHT, "Điều 15"))),
)

# Not registered (see the module's docstring): ready for when the agency confirms.
DECREE_335_2025 = RuleSet(
    code="decree-335-2025", name=D335, category=Category.CIVIL_SERVANT,
    effective=date(2026, 1, 1), method=Method.POINTS,
    quota=Quota(Fraction(1, 5), Fraction(1, 5), f"{D335} (HTXS ≤ 20 % of HTT)",
                f"{D335} (a head no higher than the unit)"),
    confirmed=False,
    note=("As reported in the press: 30 + 70 points, bands 90/70/50, 25 % deductions, "
          "20 % quota; the share for an outstanding unit and the split of the 70 points "
          "are unconfirmed."),
    points=PointsRules(source=D335, task_formula_source="Decree 335/2025/NĐ-CP's task "
                       "formula; equal thirds unconfirmed"),
)

RULE_SETS: tuple[RuleSet, ...] = (
    DECREE_90_2020_CIVIL_SERVANTS, DECREE_90_2020_PUBLIC_EMPLOYEES, DECREE_233_2026,
)


def rule_set_for(category: Category, period: Period,
                 registry: Sequence[RuleSet] = RULE_SETS) -> RuleSet:
    """The rule set in force for the category on the period's last day."""
    day = period.last_day
    in_force = [r for r in registry if r.category is category and r.effective <= day]
    if not in_force:
        raise InvalidInput(
            f"Chưa có quy định đánh giá áp dụng cho kỳ {period.label}.",
            f"No evaluation rule set in force for {period}.", "no_rule_set",
            [FieldProblem("period", "Kỳ đánh giá trước khi có quy định áp dụng.",
                          "The period predates every rule set.")])
    return max(in_force, key=lambda r: r.effective)

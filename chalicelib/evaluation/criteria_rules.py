"""The criteria rule set of Decree 90/2020/NĐ-CP (as amended by Decree
48/2023/NĐ-CP): a band is given when all of its criteria are met, not from points.

For a person without a managerial post (civil servants Art. 8–11, public
employees Art. 12–15):
- HTXS: general criteria (Art. 3 cl. 1–4) observed well; 100 % of tasks on
  schedule with quality; at least 50 % of them exceeded;
- HTT: general criteria met; 100 % of tasks on schedule with quality;
- HT: general criteria met; at most 20 % of tasks short of schedule or quality;
- KHT: more than 50 % of tasks short, or a listed violation.

How the e-office reads those from the measures: the tasks judged are those that
came due (``completed + overdue_open``); a task is short when it was done late,
is overdue and open, or was marked "chưa đạt" (an item both late and "chưa đạt"
counts twice, capped at the tasks judged: the counters do not tell the overlap,
and the conservative reading is the one a head can lower by hand); a task is
exceeded when a reviewer marked it "xuất sắc". Decree 90 says nothing of a share
short above 20 % but not above 50 %: such a person meets neither HT's criterion
nor KHT's; we propose KHT (HT's criterion is not met) and flag it for the head.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.evaluation.band_rules import Band
from chalicelib.evaluation.measures_rules import Measures
from chalicelib.evaluation.outcome import Evaluation, Finding
from chalicelib.kernel.errors import FieldProblem, InvalidInput


@dataclass(frozen=True)
class CriteriaRules:
    """The articles of one category: ``articles`` maps a band to its article."""

    source: str  # "Nghị định 90/2020/NĐ-CP"
    articles: tuple[tuple[Band, str], ...]
    exceeded_share_percent: int = 50  # HTXS: at least half exceeded
    short_share_ht_percent: int = 20  # HT: at most a fifth short
    short_share_kht_percent: int = 50  # KHT: more than half short

    def cite(self, band: Band) -> str:
        return f"{self.source}, {dict(self.articles)[band]}"


def _pct(part: int, whole: int) -> str:
    return "0" if whole == 0 else f"{100 * part / whole:.0f}"


def classify(measures: Measures, rules: CriteriaRules, general_well: bool = True,
             violations: Sequence[str] = (), manager: bool = False) -> Evaluation:
    """The band whose criteria are all met, each criterion a finding with its
    article. ``general_well``: the head finds the general criteria (Art. 3
    cl. 1–4) observed *well* (needed for HTXS only; met is assumed unless a
    violation is recorded). ``manager``: a head's extra criteria (the results of
    the unit led) are not measured here, so the result is flagged for review."""
    m = measures.check()
    reasons = tuple(v.strip() for v in violations)
    if any(not r for r in reasons):
        raise InvalidInput("Mỗi vi phạm phải ghi rõ lý do.", "Each violation needs its reason.",
                           "invalid_violations",
                           [FieldProblem("violations", "Lý do vi phạm trống.", "Empty reason.")])
    judged = m.completed + m.overdue_open
    short = min(m.late + m.overdue_open + m.marks.chua_dat, judged)
    exceeded = m.marks.xuat_sac
    all_ok = short == 0
    half_exceeded = judged > 0 and exceeded * 100 >= rules.exceeded_share_percent * judged
    within_ht = short * 100 <= rules.short_share_ht_percent * judged
    over_kht = short * 100 > rules.short_share_kht_percent * judged
    counts = f"{short}/{judged}"

    findings = [
        Finding("all_on_time_with_quality", all_ok,
                f"Nhiệm vụ chưa bảo đảm tiến độ, chất lượng: {counts} ({_pct(short, judged)} %).",
                f"Tasks short of schedule or quality: {counts}.", rules.cite(Band.HTT)),
        Finding("half_exceeded", half_exceeded,
                f"Nhiệm vụ hoàn thành vượt mức (xuất sắc): {exceeded}/{judged} "
                f"({_pct(exceeded, judged)} %), cần ít nhất {rules.exceeded_share_percent} %.",
                f"Tasks exceeded: {exceeded}/{judged}.", rules.cite(Band.HTXS)),
        Finding("general_well", general_well,
                "Thực hiện tốt các tiêu chí chung." if general_well
                else "Chưa thực hiện tốt các tiêu chí chung.",
                "General criteria observed well." if general_well
                else "General criteria not observed well.", rules.cite(Band.HTXS)),
    ]
    notes: list[str] = []
    needs_review = judged == 0 or manager
    if judged == 0:
        notes.append("Không có nhiệm vụ đến hạn trong kỳ; người đứng đầu cần xác nhận.")
    if manager:
        notes.append("Tiêu chí về kết quả của đơn vị do người quản lý phụ trách chưa được "
                     "đo tự động; người có thẩm quyền cần xem xét.")

    if reasons:
        band = Band.KHT
        findings += [Finding("violation", False, f"Vi phạm: {r}.", f"Violation: {r}.",
                             rules.cite(Band.KHT)) for r in reasons]
    elif all_ok and half_exceeded and general_well:
        band = Band.HTXS
    elif all_ok:
        band = Band.HTT
    elif within_ht:
        band = Band.HT
        findings.append(Finding("at_most_a_fifth_short", True,
                                f"Không quá {rules.short_share_ht_percent} % nhiệm vụ chưa bảo "
                                "đảm tiến độ, chất lượng.", "At most 20 % of tasks short.",
                                rules.cite(Band.HT)))
    elif over_kht:
        band = Band.KHT
        findings.append(Finding("more_than_half_short", False,
                                f"Trên {rules.short_share_kht_percent} % nhiệm vụ chưa bảo đảm "
                                "tiến độ, chất lượng.", "More than half of the tasks short.",
                                rules.cite(Band.KHT)))
    else:
        band = Band.KHT
        needs_review = True
        findings.append(Finding("gap_between_ht_and_kht", False,
                                f"Trên {rules.short_share_ht_percent} % nhưng không quá "
                                f"{rules.short_share_kht_percent} % nhiệm vụ chưa bảo đảm tiến "
                                "độ, chất lượng: không đạt tiêu chí mức Hoàn thành nhiệm vụ; đề "
                                "xuất Không hoàn thành nhiệm vụ, người có thẩm quyền quyết định.",
                                "Between 20 % and 50 % short: HT's criterion is not met; KHT "
                                "proposed, for the head to decide.", rules.cite(Band.HT)))
    return Evaluation(rule_set=rules.source, band=band, score=None, findings=tuple(findings),
                      needs_review=needs_review, notes=tuple(notes))

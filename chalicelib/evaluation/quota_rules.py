"""The limits on ratings inside a unit, applied after each person's own result:

- quota: HTXS at most 20 % of those rated HTT or above in the unit, 25 % when
  the unit itself is rated HTXS (Decree 233/2026/NĐ-CP as DOMAIN.md states it;
  Decree 90/2020/NĐ-CP as amended by Decree 48/2023/NĐ-CP and Decree
  335/2025/NĐ-CP set the 20 %);
- the head's cap: a head's rating cannot exceed the unit's (same sources).

"At most" is taken literally: the number allowed is rounded down (10 people →
2; 12 people in an HTXS unit → 3; 4 people → 0 at 20 %, 1 at 25 %). Who keeps
HTXS: the highest score, then the higher merit (e.g. items marked "xuất sắc"),
then the username, so that the same input always gives the same answer; the
others go down to HTT, each with a recorded reason. Those moved to HTT stay
"HTT or above", so the count the quota is taken from does not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from math import floor

from chalicelib.evaluation.band_rules import Band, lower
from chalicelib.kernel.errors import FieldProblem, InvalidInput


@dataclass(frozen=True)
class Quota:
    share: Fraction  # of those rated HTT or above
    share_if_unit_htxs: Fraction
    source: str
    head_cap_source: str


@dataclass(frozen=True)
class Rated:
    """One person's proposed band in a unit. ``score`` is None under a criteria
    rule set; ``merit`` breaks ties between equal scores (higher first)."""

    key: str
    band: Band
    score: Decimal | None = None
    merit: int = 0


@dataclass(frozen=True)
class Downgrade:
    key: str
    from_band: Band
    to_band: Band
    reason: str  # Vietnamese
    reason_en: str
    source: str


@dataclass(frozen=True)
class QuotaResult:
    people: tuple[Rated, ...]  # in the order given, bands adjusted
    downgrades: tuple[Downgrade, ...]
    eligible: int  # rated HTT or above
    allowed: int  # HTXS places


def allowed_htxs(eligible: int, unit_band: Band, quota: Quota) -> int:
    """Places for HTXS: the share of those rated HTT or above, rounded down."""
    share = quota.share_if_unit_htxs if unit_band is Band.HTXS else quota.share
    return floor(share * eligible)


def _order(person: Rated) -> tuple[int, Decimal, int, str]:
    # sorted ascending: first the scored, then the highest score and merit
    has = 0 if person.score is not None else 1
    return (has, -(person.score or Decimal(0)), -person.merit, person.key)


def apply_quota(people: Sequence[Rated], unit_band: Band, quota: Quota) -> QuotaResult:
    """Keep HTXS for the best ``allowed_htxs`` people; the others become HTT."""
    keys = [p.key for p in people]
    if len(set(keys)) != len(keys):
        raise InvalidInput("Danh sách đánh giá có người bị trùng.",
                           "A person appears twice in the unit's list.", "duplicate_person",
                           [FieldProblem("people", "Trùng người.", "Duplicate person.")])
    eligible = sum(1 for p in people if p.band.at_least(Band.HTT))
    allowed = allowed_htxs(eligible, unit_band, quota)
    candidates = sorted((p for p in people if p.band is Band.HTXS), key=_order)
    share = quota.share_if_unit_htxs if unit_band is Band.HTXS else quota.share
    pct = format(float(share * 100), "g")
    downgrades = []
    for person in candidates[allowed:]:
        downgrades.append(Downgrade(
            person.key, Band.HTXS, Band.HTT,
            f"Vượt tỷ lệ {pct} % Hoàn thành xuất sắc nhiệm vụ của đơn vị ({allowed}/{eligible} "
            "người từ Hoàn thành tốt trở lên); xếp Hoàn thành tốt nhiệm vụ.",
            f"Over the unit's {pct} % HTXS quota ({allowed} of {eligible} rated HTT or above); "
            "rated HTT.", quota.source))
    lowered = {d.key for d in downgrades}
    adjusted = tuple(replace(p, band=Band.HTT) if p.key in lowered else p for p in people)
    return QuotaResult(adjusted, tuple(downgrades), eligible, allowed)


def cap_head(head_band: Band, unit_band: Band, source: str, key: str = "") -> \
        tuple[Band, Downgrade | None]:
    """A head's band, no higher than the unit's; the downgrade, if any, says why."""
    capped = lower(head_band, unit_band)
    if capped is head_band:
        return head_band, None
    return capped, Downgrade(
        key, head_band, capped,
        f"Người đứng đầu không được xếp loại cao hơn đơn vị ({unit_band.label}).",
        f"A head cannot be rated above the unit ({unit_band.value}).", source)

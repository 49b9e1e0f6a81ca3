"""The shapes an evaluation answers with, shared by the points rule set and the
criteria rule set: a part of the score (what it counted, so that the API can
open it down to the work items) and a finding (why a band was given or taken)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from chalicelib.evaluation.band_rules import Band

CENT = Decimal("0.01")


def to_points(value: Fraction | int) -> Decimal:
    """Points are shown with two decimals, half up (89.995 → 90.00). The band is
    decided on the number shown, so that what a person reads agrees with it."""
    exact = Fraction(value)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScorePart:
    """One line of the score. ``fields`` name the ``Measures`` counters it used
    (``marks.chua_dat`` for a mark level): the API lists, under the part, the
    work items counted in those fields. ``basis`` holds their values."""

    name: str  # general | quantity | quality | timeliness
    label: str  # Vietnamese, what a person reads
    points: Decimal
    max: Decimal
    fields: tuple[str, ...]
    basis: tuple[tuple[str, int], ...]
    formula: str  # English, for the docs and the audit
    source: str  # the legal source of the figures
    notes: tuple[str, ...] = ()  # Vietnamese

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "label": self.label, "points": str(self.points),
                "max": str(self.max), "fields": list(self.fields),
                "basis": dict(self.basis), "formula": self.formula,
                "source": self.source, "notes": list(self.notes), "items": []}


@dataclass(frozen=True)
class Finding:
    """A reason a band was given, refused or lowered, with its legal source."""

    code: str
    met: bool
    message: str  # Vietnamese
    message_en: str
    source: str

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "met": self.met, "message": self.message,
                "message_en": self.message_en, "source": self.source}


@dataclass(frozen=True)
class Evaluation:
    """A person's (proposed) result for a period under one rule set. ``score`` is
    None under a criteria-based rule set. ``needs_review`` says the head must
    look before it is final (no work measured, a gap in the decree, …)."""

    rule_set: str
    band: Band
    score: Decimal | None
    parts: tuple[ScorePart, ...] = ()
    findings: tuple[Finding, ...] = ()
    needs_review: bool = False
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        """The body of ``GET /api/evaluation/{username}``; the service fills each
        part's ``items`` with the work items behind its ``fields``."""
        return {"score": None if self.score is None else str(self.score),
                "band": self.band.value, "band_label": self.band.label,
                "rule_set": self.rule_set,
                "parts": [p.as_dict() for p in self.parts],
                "findings": [f.as_dict() for f in self.findings],
                "needs_review": self.needs_review, "notes": list(self.notes)}

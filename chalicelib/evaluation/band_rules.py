"""The four rating levels and the two staff categories, shared by every rule set.

Levels: Decree 90/2020/NĐ-CP, Art. 2 (the four levels of quality rating), kept by
Decree 233/2026/NĐ-CP for public employees (DOMAIN.md, "Staff evaluation").
Categories: Law on Cadres and Civil Servants (công chức) and Law on Public
Employees (viên chức); which decree rates which is decided in ``rules.py``.
"""

from __future__ import annotations

from enum import StrEnum


class Band(StrEnum):
    """A rating level; the value is the code the API and the reports use."""

    HTXS = "HTXS"  # Hoàn thành xuất sắc nhiệm vụ
    HTT = "HTT"  # Hoàn thành tốt nhiệm vụ
    HT = "HT"  # Hoàn thành nhiệm vụ
    KHT = "KHT"  # Không hoàn thành nhiệm vụ

    @property
    def label(self) -> str:
        """The Vietnamese name a person reads."""
        return BAND_LABELS[self]

    @property
    def label_en(self) -> str:
        return BAND_LABELS_EN[self]

    @property
    def rank(self) -> int:
        """Higher is better: KHT 0 < HT 1 < HTT 2 < HTXS 3."""
        return _RANK[self]

    def at_least(self, other: Band) -> bool:
        return self.rank >= other.rank


BAND_LABELS: dict[Band, str] = {
    Band.HTXS: "Hoàn thành xuất sắc nhiệm vụ",
    Band.HTT: "Hoàn thành tốt nhiệm vụ",
    Band.HT: "Hoàn thành nhiệm vụ",
    Band.KHT: "Không hoàn thành nhiệm vụ",
}

BAND_LABELS_EN: dict[Band, str] = {
    Band.HTXS: "Excellent completion of duties",
    Band.HTT: "Good completion of duties",
    Band.HT: "Completion of duties",
    Band.KHT: "Failure to complete duties",
}

_RANK: dict[Band, int] = {Band.KHT: 0, Band.HT: 1, Band.HTT: 2, Band.HTXS: 3}


def lower(a: Band, b: Band) -> Band:
    """The lower of two bands (the head's cap takes the unit's when lower)."""
    return a if a.rank <= b.rank else b


class Category(StrEnum):
    """Whom a person is rated as: the category picks the rule set."""

    PUBLIC_EMPLOYEE = "vien_chuc"  # viên chức: Decree 233/2026 (Decree 90/2020 before it)
    CIVIL_SERVANT = "cong_chuc"  # công chức: Decree 90/2020

    @property
    def label(self) -> str:
        return "Viên chức" if self is Category.PUBLIC_EMPLOYEE else "Công chức"

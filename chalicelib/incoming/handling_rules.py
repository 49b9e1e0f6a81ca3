"""Distributing and handling an incoming document (Decree 30 Art. 22–24):
the leader names the lead and supporting units with an instruction and a
deadline for each, the head of unit assigns officers, officers give opinions,
report progress, pass work on or send it back, and complete it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from chalicelib.incoming.rules import Urgency
from chalicelib.kernel.calendar import AgencyCalendar

# Suggested handling time in working days by urgency. The decree sets none;
# these are the department's defaults, shown as a suggestion the leader edits.
SUGGESTED_DAYS: dict[Urgency, Decimal] = {
    Urgency.HOA_TOC: Decimal("0.5"),
    Urgency.THUONG_KHAN: Decimal("1"),
    Urgency.KHAN: Decimal("2"),
    Urgency.THUONG: Decimal("7"),
}


def suggested_deadline(calendar: AgencyCalendar, start: datetime, urgency: Urgency) -> datetime:
    return calendar.add_working_days(start, SUGGESTED_DAYS[urgency])



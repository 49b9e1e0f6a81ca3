"""Scheduled jobs of meetings: the reminder one hour before, and the unanswered
invitations of meetings that are over leaving the inboxes. Thin entries; the
work (and the claim that keeps a rerun from reminding twice) is in the service."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

meeting_jobs_bp = Blueprint(__name__)


@meeting_jobs_bp.schedule(Rate(5, unit=Rate.MINUTES), name="remind_meetings")
def remind_meetings(event: Any) -> dict[str, int]:
    """Meetings starting within the next hour, read from their start-hour index
    partitions (no Scan); each participant is then mailed by a workflow step."""
    from chalicelib.bootstrap import table
    from chalicelib.meetings.service import remind_due

    return remind_due(table=table())


@meeting_jobs_bp.schedule(Rate(1, unit=Rate.HOURS), name="expire_meeting_answers")
def expire_meeting_answers(event: Any) -> dict[str, int]:
    """Pending answers to invitations of meetings that are over leave the inboxes."""
    from chalicelib.bootstrap import table
    from chalicelib.meetings.service import expire_answers

    return expire_answers(table=table())

"""Scheduled jobs. Each is a thin entry: the work is in a service."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Cron, Rate

schedule_bp = Blueprint(__name__)


@schedule_bp.schedule(Rate(5, unit=Rate.MINUTES), name="sweep_outbox")
def sweep_outbox(event: Any) -> dict[str, int]:
    """Republish events whose delivery was never confirmed (a crash between
    commit and publish, or SQS refusing the send)."""
    from datetime import timedelta

    from chalicelib.adapters.outbox import undelivered
    from chalicelib.adapters.queue import SqsEventPublisher
    from chalicelib.bootstrap import table

    stuck = undelivered(table(), older_than=timedelta(minutes=2))
    if stuck:
        SqsEventPublisher().publish(stuck)
    return {"republished": len(stuck)}


def _work_collaborators() -> dict[str, Any]:
    """What the work jobs take from the composition root: the table, the work
    store and the directory over it, the mailer."""
    from chalicelib.bootstrap import directory, mailer, table, work_store

    t = table()
    return {"table": t, "store": work_store(t), "directory": directory(t), "mailer": mailer()}


# 07:30 in Hanoi (UTC+7) on weekdays; holidays and the agency's overrides are
# checked in code, since a cron cannot know them.
@schedule_bp.schedule(Cron(30, 0, "?", "*", "MON-FRI", "*"), name="send_reminder_digest")
def send_reminder_digest(event: Any) -> dict[str, Any]:
    from chalicelib.work.service import send_digests

    return send_digests(**_work_collaborators())


@schedule_bp.schedule(Cron(0, 1, "?", "*", "MON-FRI", "*"), name="escalate_overdue")
def escalate_overdue(event: Any) -> dict[str, Any]:
    from chalicelib.work.service import escalate

    return escalate(**_work_collaborators())


@schedule_bp.schedule(Cron(0, 1, "?", "*", "MON", "*"), name="weekly_work_summary")
def weekly_work_summary(event: Any) -> dict[str, Any]:
    from chalicelib.work.service import weekly_summary

    return weekly_summary(**_work_collaborators())


# Hourly in office hours (Hanoi): dossiers that will miss their appointment get
# their apology letter drafted while there is still time to send it.
@schedule_bp.schedule(Cron(5, "0-10", "?", "*", "MON-SAT", "*"), name="onestop_late_check")
def onestop_late_check(event: Any) -> dict[str, int]:
    from chalicelib.bootstrap import onestop
    from chalicelib.onestop.service import draft_apologies

    return draft_apologies(deps=onestop())


# Hourly, on the hour, 07:00–17:00 in Hanoi (UTC+7) on weekdays; holidays and the
# agency's overrides are checked in code. Keeps the dashboard's overdue figures
# (the measures' overdue_open) from the open-work index only.
@schedule_bp.schedule(Cron(0, "0-10", "?", "*", "MON-FRI", "*"), name="snapshot_overdue")
def snapshot_overdue(event: Any) -> dict[str, Any]:
    from chalicelib.bootstrap import work_store
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.dashboard.snapshot import snapshot_overdue as run
    from chalicelib.kernel.events import utcnow

    return run(store=work_store(), clock=utcnow, calendar=agency_calendar)


# Every 15 minutes: a signed checkpoint of each audit chain that moved, so that a
# rewrite of the trail by someone with write access to the table is detected.
@schedule_bp.schedule(Rate(15, unit=Rate.MINUTES), name="anchor_audit")
def anchor_audit(event: Any) -> dict[str, int]:
    from chalicelib.audit.anchor import anchor_heads
    from chalicelib.bootstrap import table

    return anchor_heads(table())


# 07:45 in Hanoi (UTC+7) on weekdays; holidays and the agency's overrides are
# checked in code. Closed case files due to the archive in 30 days: the person
# responsible is told once (docs/archive.md).
@schedule_bp.schedule(Cron(45, 0, "?", "*", "MON-FRI", "*"), name="warn_archive_due")
def warn_archive_due(event: Any) -> dict[str, Any]:
    from chalicelib.bootstrap import archive

    return archive().warn_due()


# 08:15 in Hanoi on weekdays: procedures due for review, or citing a legal basis
# flagged replaced, are put in their owner's inbox (once each).
@schedule_bp.schedule(Cron(15, 1, "?", "*", "MON-FRI", "*"), name="remind_iso_reviews")
def remind_iso_reviews(event: Any) -> dict[str, int]:
    from chalicelib.bootstrap import iso_library
    from chalicelib.kernel.config import get_settings

    library = iso_library()
    library.review_months = get_settings().iso_review_months
    return library.remind_reviews()

"""Meetings: scheduling, changes, cancellation, answers, invitations and the
one-hour reminder. This module is the capability's face, the names the routes,
the job, other capabilities and the tests call; each job lives in its own module:

- ``meetings.store``: the keys (``MeetingStore``);
- ``meetings.visibility``: who sees a meeting, who changes it, who reads its trail;
- ``meetings.views``: a meeting as its reader sees it, and the lists;
- ``meetings.scheduling``: scheduling, changes and cancellation;
- ``meetings.answers``: answers in the app and through the e-mailed link;
- ``meetings.invitation_mail``: the invitation and cancellation mail (steps);
- ``meetings.reminders``: the reminder an hour before (job and steps);
- ``meetings.delivery``: what the mail steps share.

Importing it registers the workflow steps (``bootstrap.load_steps``).
"""

from __future__ import annotations

from chalicelib.meetings.answers import answer, answer_by_token, token_view
from chalicelib.meetings.invitation_mail import dispatch_mail, send_mail
from chalicelib.meetings.reminders import dispatch_reminders, expire_answers, remind_due
from chalicelib.meetings.rules import ACTIVE, CHANGED, MAIL_DUE, REMINDER_DUE, REMOVED, format_when
from chalicelib.meetings.scheduling import (
    AgendaIn,
    Guest,
    Invitee,
    MeetingInput,
    as_same_instant,
    cancel,
    create,
    update,
)
from chalicelib.meetings.store import KIND, reminder_bucket
from chalicelib.meetings.views import list_mine, list_scheduled, list_unit, view
from chalicelib.meetings.visibility import (
    can_edit_meeting,
    chain_of,
    ensure_can_read_trail,
    load_visible,
)

__all__ = [
    "ACTIVE", "CHANGED", "KIND", "MAIL_DUE", "REMINDER_DUE", "REMOVED", "AgendaIn", "Guest",
    "Invitee", "MeetingInput", "answer", "answer_by_token", "as_same_instant", "can_edit_meeting",
    "cancel", "chain_of", "create", "dispatch_mail", "dispatch_reminders", "expire_answers",
    "ensure_can_read_trail", "format_when", "list_mine", "list_scheduled", "list_unit",
    "load_visible", "remind_due", "reminder_bucket", "send_mail", "token_view", "update", "view",
]

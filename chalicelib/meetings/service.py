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

``Meetings`` holds the use cases the routes call over the ports they were
given (``bootstrap.meetings`` builds them over the table; a unit test hands in
fakes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.kernel.identity import Caller
from chalicelib.kernel.ports import AuditTrail, CalendarSource, Directory
from chalicelib.meetings.answers import answer, answer_by_token, token_view
from chalicelib.meetings.invitation_mail import dispatch_mail, send_mail
from chalicelib.meetings.reminders import dispatch_reminders, expire_answers, remind_due
from chalicelib.meetings.rules import (
    ACTIVE,
    CHANGED,
    MAIL_DUE,
    REMINDER_DUE,
    REMOVED,
    Answer,
    format_when,
)
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
from chalicelib.meetings.store import KIND, MeetingStore, reminder_bucket
from chalicelib.meetings.views import list_mine, list_scheduled, list_unit, view
from chalicelib.meetings.visibility import (
    can_edit_meeting,
    chain_of,
    ensure_can_read_trail,
    load_visible,
)
from chalicelib.work.pending import Pending

__all__ = [
    "ACTIVE", "CHANGED", "KIND", "MAIL_DUE", "REMINDER_DUE", "REMOVED", "AgendaIn", "Guest",
    "Invitee", "MeetingInput", "answer", "answer_by_token", "as_same_instant", "can_edit_meeting",
    "cancel", "chain_of", "create", "dispatch_mail", "dispatch_reminders", "expire_answers",
    "ensure_can_read_trail", "format_when", "list_mine", "list_scheduled", "list_unit",
    "Meetings", "load_visible", "remind_due", "reminder_bucket", "send_mail", "token_view",
    "update", "view",
]


@dataclass
class Meetings:
    """The meeting use cases over their ports."""

    store: MeetingStore
    trail: AuditTrail
    directory: Directory
    calendar: CalendarSource
    pending: Pending

    def _changes(self) -> dict[str, Any]:
        return {"store": self.store, "trail": self.trail, "pending": self.pending}

    def create(self, caller: Caller, data: MeetingInput) -> dict[str, Any]:
        return create(caller, data, **self._changes(), directory=self.directory,
                      calendar=self.calendar)

    def update(self, caller: Caller, meeting_id: str, data: MeetingInput, version: int
               ) -> dict[str, Any]:
        return update(caller, meeting_id, data, version, **self._changes(),
                      directory=self.directory, calendar=self.calendar)

    def cancel(self, caller: Caller, meeting_id: str, version: int, reason: str = ""
               ) -> dict[str, Any]:
        return cancel(caller, meeting_id, version, reason, **self._changes())

    def answer(self, caller: Caller, meeting_id: str, value: Answer) -> dict[str, Any]:
        return answer(caller, meeting_id, value, **self._changes())

    def answer_by_token(self, token: str, value: Answer, *, source_ip: str = "",
                        user_agent: str = "") -> dict[str, Any]:
        return answer_by_token(token, value, source_ip=source_ip, user_agent=user_agent,
                               **self._changes())

    def token_view(self, token: str) -> dict[str, Any]:
        return token_view(token, store=self.store)

    def view(self, caller: Caller, meeting_id: str) -> dict[str, Any]:
        return view(caller, meeting_id, store=self.store)

    def list_mine(self, caller: Caller, *, limit: int = 20, cursor: str | None = None,
                  q: str | None = None) -> dict[str, Any]:
        return list_mine(caller, limit=limit, cursor=cursor, q=q, store=self.store)

    def list_scheduled(self, caller: Caller, *, limit: int = 20, cursor: str | None = None,
                       q: str | None = None) -> dict[str, Any]:
        return list_scheduled(caller, limit=limit, cursor=cursor, q=q, store=self.store)

    def list_unit(self, caller: Caller, unit: str | None = None, *, limit: int = 20,
                  cursor: str | None = None, q: str | None = None) -> dict[str, Any]:
        return list_unit(caller, unit, limit=limit, cursor=cursor, q=q, store=self.store)

    def ensure_can_read_trail(self, caller: Caller, meeting_id: str) -> None:
        ensure_can_read_trail(caller, meeting_id, store=self.store)

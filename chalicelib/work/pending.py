"""Pending actions: what each capability asks of a person, a unit or a role, opened
and closed inside the capability's own unit of work, so that the inbox never
shows something already done nor misses something just asked.

A capability's use case calls ``open`` when its state change makes an action
due (a document registered: the leaders must distribute it) and ``close`` when
the change ends it (the document distributed): both in the same transaction as
the change, with the audit entry. Whoever is entitled closes the action, not
only its holder: a delegate signs, another clerk issues, another leader
distributes. Closing counts the action on time or late in the unit's weekly
counters like any other work, and opening announces ``work.opened``, which
the notifications capability turns into an in-app notice and a mail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.adapters.outbox import UnitOfWork
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.composition import given
from chalicelib.kernel.events import DomainEvent, instant, iso, utcnow
from chalicelib.work import items
from chalicelib.work.rules import (
    ACTION_RULES,
    Action,
    WorkStatus,
    action_deadline,
    timeliness,
    week_key,
)
from chalicelib.work.store import WorkStore

WORK_OPENED = "work.opened"
COUNTED = {"done_early": "early", "done_on_time": "on_time", "done_late": "late"}


def announce(uow: UnitOfWork, item: dict[str, Any], *, mail: bool = True) -> None:
    """A work item written for someone to act on (a pending action, or a part: a task,
    a case to answer, a dossier step, an officer's share), announced in the same unit
    of work: the notifications capability tells the people behind its assignee."""
    action = items.action_of(item)
    secret = bool(item.get("do_mat"))
    uow.emit(DomainEvent(WORK_OPENED, item["pk"], {
        "assignee": item["assignee"], "action": action.value,
        "label": ACTION_RULES[action].label, "subject": "" if secret else item.get("subject", ""),
        "link": items.link_of(item), "deadline": item["deadline"],
        "by": item.get("assigned_by", ""), "item_id": items.item_id(item), "secret": secret,
        "mail": mail}))


class Pending:
    """Opens and closes pending actions in a capability's unit of work."""

    def __init__(self, store: WorkStore, calendar: Callable[[], AgencyCalendar],
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.calendar = calendar
        self.clock = clock

    @classmethod
    def over(cls, table: Table | None, calendar: Callable[[], AgencyCalendar] | None = None,
             clock: Callable[[], datetime] | None = None) -> Pending:
        from chalicelib.calendar.service import agency_calendar

        return cls(WorkStore(given(table)), calendar or agency_calendar, clock or utcnow)

    def deadline(self, action: Action, *, urgent: bool = False,
                 due: datetime | None = None) -> datetime:
        """The action's deadline under its rule; ``due`` when the work brings its own
        (a handling deadline, the day of a meeting) and the rule sets none, or the
        earlier of the two."""
        ruled = action_deadline(self.calendar(), self.clock(), action, urgent=urgent)
        if ruled is None and due is None:
            # No rule and no deadline: the agency's default for its own settings.
            return self.calendar().add_working_days(self.clock(), 2)
        if ruled is None:
            return due  # type: ignore[return-value]
        return ruled if due is None else min(ruled, due)

    def open(self, uow: UnitOfWork, parent: str, parent_id: str, action: Action,
             assignee: str, *, subject: str, link: str, by: str, unit: str | None = None,
             urgent: bool = False, due: datetime | None = None, secret: bool = False,
             note: str = "", mail: bool = True) -> dict[str, Any]:
        """Ask ``assignee`` (``items.person/unit/role``) to take ``action`` on the
        parent, due under the action's rule. Returns the item written. ``mail=False``
        when the change sends its own mail for it (a meeting's invitation): the
        notice is then in-app only, so nobody gets two mails for one event."""
        now = self.clock()
        todo = items.todo(parent, parent_id, action, assignee, subject=subject,
                          deadline=self.deadline(action, urgent=urgent, due=due), by=by,
                          unit=unit, link=link, now=now, secret=secret, note=note)
        self.store.add_todo(uow, todo)
        announce(uow, todo, mail=mail)
        return todo

    def close(self, uow: UnitOfWork, parent: str, parent_id: str, action: Action, *,
              by: str, outcome: WorkStatus = WorkStatus.DONE,
              assignee: str | None = None) -> list[dict[str, Any]]:
        """End the open ``action`` items of the parent (only ``assignee``'s when
        given): done by ``by``, whoever held them. Nothing open: nothing to do (the
        action was never asked, as for data older than the inbox)."""
        now = self.clock()
        cal = self.calendar()
        prefix = items.todo_prefix(action) + (assignee or "")
        ended = []
        counted: dict[str, str] = {}
        for todo in self.store.todos(f"{parent}#{parent_id}", prefix):
            if todo.get("status") != WorkStatus.OPEN.value:
                continue
            if assignee is not None and todo["assignee"] != assignee:
                continue  # the prefix of U#an also matches U#anh
            after = items.closed(todo, outcome, completed_at=iso(now), completed_by=by)
            self.store.save_todo(uow, todo, after)
            code = timeliness(cal, instant(todo.get("deadline")), now, now).code
            if outcome is WorkStatus.DONE and todo.get("unit") and code in COUNTED:
                counted.setdefault(todo["unit"], COUNTED[code])
            ended.append(after)
        # One action done is counted once per unit, however many held it (a signer
        # and a delegate): a transaction also takes one write per counter item.
        for unit, field in sorted(counted.items()):
            self.store.add_counter(uow, unit, field, week_key(now.astimezone(cal.tz).date()))
        return ended

    def close_all(self, uow: UnitOfWork, parent: str, parent_id: str, *, by: str,
                  outcome: WorkStatus = WorkStatus.DONE) -> list[dict[str, Any]]:
        """End every open action of the parent (the document recalled, the case
        transferred, the dossier withdrawn): nobody must act on it any more."""
        ended = []
        for todo in self.store.todos(f"{parent}#{parent_id}", items.todo_prefix()):
            if todo.get("status") == WorkStatus.OPEN.value:
                after = items.closed(todo, outcome, completed_at=iso(self.clock()),
                                     completed_by=by)
                self.store.save_todo(uow, todo, after)
                ended.append(after)
        return ended

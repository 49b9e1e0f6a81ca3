"""In-app notices and their mail: who is told of an event, what they read in the
list, and whether a mail goes now (the person's choice per kind).

An event reaches each person at most once however often its step runs: the
notice's id is made from the event's id and the person (adding it again
changes nothing), and a mail is claimed under (event id, person) before it is
sent, the claim given back if the send fails so that the retry sends it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any, Protocol

from chalicelib.kernel.calendar import DEFAULT_TZ
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.events import instant, iso, utcnow
from chalicelib.kernel.ports import Clock, Mailer
from chalicelib.work import items
from chalicelib.work.mail_prefs import INSTANT, mail_choice

SAFE_FALLBACK_LINK = "/app/notifications"
ID_PATTERN = re.compile(r"^\d{8}T\d{9}Z-[0-9a-f]{16}$")
MAX_TITLE = 300


class Notices(Protocol):
    """What the use cases need of the store (``NoticeStore``; a fake in unit tests)."""

    def add(self, username: str, note: dict[str, Any]) -> bool: ...
    def get(self, username: str, note_id: str) -> Mapping[str, Any] | None: ...
    def page(self, username: str, limit: int, cursor: str | None
             ) -> tuple[list[dict[str, Any]], int | None, str | None]: ...
    def unread(self, username: str) -> int: ...
    def mark_read(self, username: str, note_id: str, at: str) -> bool: ...
    def mark_all_read(self, username: str, at: str) -> int: ...
    def claim_mail(self, event_id: str, username: str) -> bool: ...
    def release_mail(self, event_id: str, username: str) -> None: ...


class People(Protocol):
    """Who holds a queue, and how to write to a person."""

    def heads(self, unit: str) -> list[str]: ...
    def holders(self, role: str) -> list[str]: ...
    def profile(self, username: str) -> Mapping[str, Any] | None: ...


class DirectoryPeople:
    """``People`` read from the organisation's directory."""

    def __init__(self, directory: Any) -> None:
        self.directory = directory
        self._everyone: list[dict[str, Any]] | None = None

    def heads(self, unit: str) -> list[str]:
        from chalicelib.organisation.service import heads_of

        return heads_of(None, [unit], store=self.directory)

    def holders(self, role: str) -> list[str]:
        from chalicelib.organisation.service import list_users

        if self._everyone is None:  # one walk of the units per event, whatever the roles
            self._everyone = list_users(store=self.directory)
        return [u["username"] for u in self._everyone
                if role in u["roles"] and u["status"] == "active"]

    def profile(self, username: str) -> Mapping[str, Any] | None:
        from chalicelib.organisation.service import get_user

        try:
            return get_user(username, store=self.directory)
        except NotFound:
            return None


def recipients(assignee: str, people: People, *, by: str | None = None) -> list[str]:
    """The people an assignee stands for: the person; a unit's active heads; every
    active holder of a role. The person whose action caused it is not told."""
    if items.is_person(assignee):
        found = [items.name_of(assignee)]
    elif items.is_unit(assignee):
        found = people.heads(items.name_of(assignee))
    elif items.is_role(assignee):
        found = people.holders(items.name_of(assignee))
    else:
        found = []
    return [u for u in dict.fromkeys(found) if u and u != by]


def notice_id(event_id: str, occurred_at: str, username: str) -> str:
    """The same id for the same event and person: the event's instant (so that ids
    sort newest last) and a digest of the event and the person."""
    stamp = re.sub(r"[^0-9TZ]", "", iso(instant(occurred_at) or utcnow()))
    digest = hashlib.sha256(f"{event_id}\n{username}".encode()).hexdigest()[:16]
    return f"{stamp}-{digest}"


def safe_link(link: str | None) -> str:
    """Only a path of this application: a notice never links elsewhere."""
    text = str(link or "")
    if text.startswith("/") and not text.startswith("//") and "\\" not in text:
        return text
    return SAFE_FALLBACK_LINK


def local_time(value: str | None, tz: tzinfo = DEFAULT_TZ) -> str:
    """A deadline as people here read it: "04/12/2026 17:00" in ``tz``. A bare
    date ("2026-12-05", a deadline set by the day) stays that day: read as an
    instant it would be midnight in the machine's zone, and shift."""
    if value and len(value) == 10:
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    moment = instant(value)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # stored instants are UTC
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M") if moment else ""


@dataclass(frozen=True)
class Event:
    """One thing to tell people about."""

    event_id: str
    occurred_at: str
    kind: str  # an inbox action (outgoing.sign) or a notice kind (decided, overdue…)
    title: str  # what the list shows
    link: str
    what: str = ""  # what the person is asked to do (the action's label)
    subject: str = ""  # what it is about ("" for a secret item)
    deadline: str | None = None
    mail: bool = True  # False: the in-app notice only (the digest carries it)


@dataclass
class Notifier:
    notices: Notices
    people: People
    prefs: Callable[[str], Mapping[str, Any]]
    mailer: Mailer
    base_url: str
    tz: tzinfo = DEFAULT_TZ
    sent: list[str] = field(default_factory=list)  # who was mailed by this run

    def deliver(self, event: Event, usernames: Iterable[str]) -> dict[str, int]:
        """A notice for each person, and a mail to those who want it now. A failed
        send does not stop the others; the first failure is raised at the end so
        that the step is retried (what was done is not done again)."""
        added = mailed = 0
        failure: Exception | None = None
        for username in dict.fromkeys(usernames):
            added += self.notices.add(username, self._note(event, username))
            if not event.mail or mail_choice(self.prefs(username), event.kind) != INSTANT:
                continue
            try:
                mailed += self._mail(event, username)
            except Exception as exc:  # noqa: BLE001 - raised again once everyone was tried
                failure = failure or exc
        if failure is not None:
            raise failure
        return {"added": added, "mailed": mailed}

    def _note(self, event: Event, username: str) -> dict[str, Any]:
        note = {"id": notice_id(event.event_id, event.occurred_at, username),
                "notice_kind": event.kind, "title": event.title[:MAX_TITLE],
                "link": safe_link(event.link), "created_at": event.occurred_at,
                "event_id": event.event_id}
        if event.deadline:
            note["deadline"] = event.deadline
        return note

    def _mail(self, event: Event, username: str) -> bool:
        from chalicelib.outputs.mail import compose_mail

        profile = self.people.profile(username)
        if not profile or profile.get("status", "active") != "active" or not profile.get("email"):
            return False
        if not self.notices.claim_mail(event.event_id, username):
            return False
        context = {"name": profile.get("full_name") or username, "what": event.what,
                   "title": event.title, "subject": event.subject,
                   "deadline": local_time(event.deadline, self.tz),
                   "link": self.base_url.rstrip("/") + safe_link(event.link),
                   "settings": self.base_url.rstrip("/") + "/app/work#prefs"}
        try:
            compose_mail("notification", context, [str(profile["email"])]).send(self.mailer)
        except Exception:
            self.notices.release_mail(event.event_id, username)
            raise
        self.sent.append(username)
        return True


# ---------------------------------------------------------------- the list

def view(note: Mapping[str, Any]) -> dict[str, Any]:
    out = {"id": note["id"], "kind": note.get("notice_kind", ""),
           "title": note.get("title", ""), "link": note.get("link", SAFE_FALLBACK_LINK),
           "created_at": note.get("created_at"), "read": bool(note.get("read_at"))}
    if note.get("deadline"):
        out["deadline"] = note["deadline"]
    return out


def list_notices(notices: Notices, username: str, *, limit: int = 20,
                 cursor: str | None = None) -> dict[str, Any]:
    """The person's notices, newest first, with the unread count (one request on
    the first page; a later page reads the counter again)."""
    found, unread, next_cursor = notices.page(username, limit, cursor)
    if unread is None:
        unread = notices.unread(username)
    return {"unread": unread, "items": [view(n) for n in found], "cursor": next_cursor}


def _own(notices: Notices, username: str, note_id: str) -> Mapping[str, Any]:
    """The person's own notice; anything else (another's, unknown, malformed) is 404."""
    if not ID_PATTERN.match(note_id or ""):
        raise NotFound()
    note = notices.get(username, note_id)
    if note is None:
        raise NotFound()
    return note


def mark_read(notices: Notices, username: str, note_id: str,
              clock: Clock = utcnow) -> dict[str, Any]:
    note = _own(notices, username, note_id)
    notices.mark_read(username, note_id, iso(clock()))
    return {**view(note), "read": True, "unread": notices.unread(username)}


def mark_all_read(notices: Notices, username: str, clock: Clock = utcnow) -> dict[str, Any]:
    marked = notices.mark_all_read(username, iso(clock()))
    return {"marked": marked, "unread": 0}

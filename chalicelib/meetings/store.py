"""Where meetings live in the table, and the only code that knows their keys.

- the meeting ``MEETING#{id}/MEETING``: in gsi1 ``UNIT#{unit}#meeting`` /
  ``{start}#{id}`` (the scheduler's unit, for its head and the leaders), in gsi2
  ``BY#{scheduler}#meeting`` / ``{start}#{id}`` (what one clerk scheduled), and
  while a reminder is owed in gsi3 ``MEETSTART#{yyyy-mm-ddTHH}`` /
  ``{start}#{id}`` (UTC hour of the start), which the reminder job reads by
  hour without touching any other meeting;
- one invitation per person ``MEETING#{id}/INVITE#{slug}`` (chair, staff,
  guests), which is also the staff member's list entry (gsi1
  ``U#{username}#meeting`` / ``{start}#{id}``) and carries the answer, the mail
  owed and its outcome, the reminder claim and the hashes of the answer links
  sent.

The meeting is saved over the version it was read at. An invitation is
rewritten attribute by attribute, so that an answer or a mail outcome written
meanwhile on it stays; every system write on it is conditional on the state it
was read in (the mail's sequence, the reminder's start).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamo import ConditionFailed, Page, put_op, update_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork
from chalicelib.adapters.scoped_lists import ScopedPage, list_scoped, partition
from chalicelib.kernel.access import person_scope, unit_scope
from chalicelib.kernel.events import instant, iso
from chalicelib.meetings.rules import ACTIVE, REMINDER_LEAD, MeetingStatus
from chalicelib.work import items

KIND = "meeting"
Accept = Callable[[dict[str, Any]], bool]
# What a list shows of a meeting, copied onto every invitation.
SUMMARY = ("title", "start", "end", "place", "online_url", "chair", "chair_name", "status",
           "sequence")


def summary_of(meeting: dict[str, Any]) -> dict[str, Any]:
    return {k: meeting.get(k) for k in SUMMARY}


def reminder_bucket(start: datetime) -> str:
    """The gsi3 partition of the meetings starting in ``start``'s UTC hour."""
    return f"MEETSTART#{start.astimezone(UTC):%Y-%m-%dT%H}"


def _pk(meeting_id: str) -> str:
    return f"MEETING#{meeting_id}"


def _invite_sk(slug: str) -> str:
    return f"INVITE#{slug}"


def _order(meeting: dict[str, Any]) -> str:
    return f"{meeting['start']}#{meeting['id']}"


class MeetingStore(TableStore):
    # ------------------------------------------------------------ reading

    def get(self, meeting_id: str) -> dict[str, Any] | None:
        item = self.table.get(_pk(meeting_id), "MEETING", consistent=True)
        return item if item is not None and item.get("kind") == KIND else None

    def invitation(self, meeting_id: str, slug: str) -> dict[str, Any] | None:
        return self.table.get(_pk(meeting_id), _invite_sk(slug), consistent=True)

    def invitations(self, meeting_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(_pk(meeting_id), sk_prefix="INVITE#", limit=200,
                                    cursor=cursor)
            out.extend(page.items)
            cursor = page.cursor
            if not cursor:
                return out

    def page_of_person(self, username: str, cursor: str | None, limit: int,
                       accept: Accept | None = None) -> ScopedPage:
        """The invitations of one member of staff, latest start first."""
        return list_scoped(KIND, [person_scope(username)], limit=limit, cursor=cursor,
                           accept=accept, table=self.table)

    def page_of_unit(self, unit: str, cursor: str | None, limit: int,
                     accept: Accept | None = None) -> ScopedPage:
        """The meetings scheduled from a unit, latest start first."""
        return list_scoped(KIND, [unit_scope(unit)], limit=limit, cursor=cursor,
                           accept=accept, table=self.table)

    def page_scheduled_by(self, username: str, cursor: str | None, limit: int) -> Page:
        return self.table.query(f"BY#{username}#{KIND}", index="gsi2", limit=limit,
                                cursor=cursor, forward=False)

    def starting_between(self, now: datetime, horizon: datetime) -> Iterator[dict[str, Any]]:
        """Meetings still owed their reminder that start in [now, horizon]."""
        for bucket in sorted({reminder_bucket(now), reminder_bucket(horizon)}):
            start: dict[str, Any] | None = None
            while True:
                # "~" sorts after "#": a meeting starting exactly at the horizon is in.
                found, start = self.table.query_range(bucket, index="gsi3", low=iso(now),
                                                      below=iso(horizon) + "~", start=start,
                                                      limit=100)
                yield from found
                if not start:
                    break

    def open_answers_due_before(self, below: str, parent: str) -> Iterator[dict[str, Any]]:
        """The meetings' pending actions (``parent`` items) still open whose
        deadline (the start) is before ``below``, read from the open-work index."""
        return items.open_due_before(self.table, below, parent=parent)

    # ------------------------------------------------------------ writing

    def add(self, uow: UnitOfWork, meeting: dict[str, Any], now: datetime) -> dict[str, Any]:
        """A new meeting (refused if its id exists). Returns it as written."""
        item = {"pk": _pk(meeting["id"]), "sk": "MEETING", **meeting}
        uow.add(put_op(self._indexed(item, now), condition="attribute_not_exists(pk)"))
        return item

    def save(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any],
             now: datetime) -> None:
        """The meeting over the version it was read at (``after`` carries the next)."""
        uow.add(put_op(self._indexed(after, now), condition="#v = :v",
                       names={"#v": "version"}, values={":v": int(before["version"])}))

    def add_invitation(self, uow: UnitOfWork, meeting: dict[str, Any],
                       invitation: dict[str, Any]) -> None:
        item = {"pk": _pk(meeting["id"]), "sk": _invite_sk(invitation["slug"]), **invitation,
                **self._list_keys(meeting, invitation.get("username"))}
        uow.add(put_op(item, condition="attribute_not_exists(pk)"))

    def rewrite_invitation(self, uow: UnitOfWork, inv: dict[str, Any],
                           meeting: dict[str, Any], changes: dict[str, Any],
                           remove_from_list: bool = False) -> None:
        """Only the named attributes (and the meeting's summary): an answer or a mail
        outcome written meanwhile on the same invitation stays as it is."""
        values = {**summary_of(meeting), **changes}
        if not remove_from_list:
            values.update(self._list_keys(meeting, inv.get("username")))
        expression, names, bound = _set_or_remove(values)
        if remove_from_list:
            names.update({"#g1": "gsi1pk", "#g2": "gsi1sk"})
            expression += (", " if " REMOVE " in expression else " REMOVE ") + "#g1, #g2"
        uow.add(update_op(inv["pk"], inv["sk"], expression, condition="attribute_exists(pk)",
                          names=names, values=bound))

    def record_answer(self, uow: UnitOfWork, inv: dict[str, Any], partstat: str, at: str
                      ) -> None:
        """The answer, as long as the invitation is still active."""
        uow.add(update_op(inv["pk"], inv["sk"], "SET partstat = :p, answered_at = :t",
                          condition="#s = :active", names={"#s": "state"},
                          values={":p": partstat, ":t": at, ":active": ACTIVE}))

    def claim_reminder(self, uow: UnitOfWork, meeting: dict[str, Any]) -> None:
        """The meeting leaves the reminder index, if still in the bucket it was read
        in, at the start it was read with."""
        version = int(meeting["version"])
        uow.add(update_op(
            meeting["pk"], "MEETING",
            "SET reminded_for = :start, #v = :next REMOVE gsi3pk, gsi3sk",
            condition="#v = :v AND gsi3pk = :bucket AND #start = :start",
            names={"#v": "version", "#start": "start"},
            values={":v": version, ":next": version + 1, ":start": meeting["start"],
                    ":bucket": meeting["gsi3pk"]}))

    def record_mail(self, uow: UnitOfWork, inv: dict[str, Any], seq: int, status: str,
                    at: str, reason: str | None, token_digest: str | None) -> None:
        """The outcome of the mail owed for sequence ``seq``, if still owed."""
        expression = "SET mail_status = :s, mailed_at = :t"
        values: dict[str, Any] = {":s": status, ":t": at, ":seq": seq, ":pending": "pending"}
        if reason:
            expression += ", mail_error = :e"
            values[":e"] = reason
        if token_digest:
            # A string set: every link sent stays valid until the meeting is over.
            expression += " ADD token_hashes :h"
            values[":h"] = {token_digest}
        uow.add(update_op(inv["pk"], inv["sk"], expression,
                          condition="mail_seq = :seq AND mail_status = :pending",
                          values=values))

    def claim_invitation_reminder(self, meeting_id: str, slug: str, start: str) -> bool:
        """Taken before the mail goes: a rerun or a second delivery finds it taken.
        False when it was (or the invitation is no longer active)."""
        try:
            self.table.update(
                _pk(meeting_id), _invite_sk(slug),
                "SET reminded_for = :start, reminder_status = :sending",
                condition="#s = :active AND (attribute_not_exists(reminded_for) "
                          "OR reminded_for <> :start)",
                names={"#s": "state"},
                values={":start": start, ":sending": "sending", ":active": ACTIVE})
        except ConditionFailed:
            return False
        return True

    def record_reminder(self, uow: UnitOfWork, inv: dict[str, Any], start: str, status: str,
                        reason: str | None, token_digest: str) -> None:
        values: dict[str, Any] = {":s": status, ":h": {token_digest}, ":start": start}
        expression = "SET reminder_status = :s"
        if reason:
            expression += ", reminder_error = :e"
            values[":e"] = reason
        uow.add(update_op(inv["pk"], inv["sk"], expression + " ADD token_hashes :h",
                          condition="reminded_for = :start", values=values))

    # ------------------------------------------------------------ keys

    @staticmethod
    def _indexed(meeting: dict[str, Any], now: datetime) -> dict[str, Any]:
        item = dict(meeting)
        item.update(gsi1pk=partition(unit_scope(meeting["unit"]), KIND), gsi1sk=_order(meeting),
                    gsi2pk=f"BY#{meeting['scheduled_by']}#{KIND}", gsi2sk=_order(meeting))
        for name in ("gsi3pk", "gsi3sk"):
            item.pop(name, None)
        start = instant(meeting["start"])
        if (meeting["status"] == MeetingStatus.SCHEDULED.value
                and meeting.get("reminded_for") != meeting["start"]
                and start - now > REMINDER_LEAD):
            # Sparse: only meetings still owed a reminder. One starting within the hour
            # gets none: its invitation has only just gone out.
            item.update(gsi3pk=reminder_bucket(start), gsi3sk=_order(meeting))
        return item

    @staticmethod
    def _list_keys(meeting: dict[str, Any], username: str | None) -> dict[str, Any]:
        if not username:
            return {}
        return {"gsi1pk": partition(person_scope(username), KIND), "gsi1sk": _order(meeting)}


def _set_or_remove(values: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """An update expression that SETs the values given and REMOVEs those that are
    None (DynamoDB stores no nulls here: an absent attribute is the null)."""
    names = {f"#a{i}": k for i, k in enumerate(values)}
    sets = [f"#a{i} = :a{i}" for i, v in enumerate(values.values()) if v is not None]
    removes = [f"#a{i}" for i, v in enumerate(values.values()) if v is None]
    expression = "SET " + ", ".join(sets)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    bound = {f":a{i}": v for i, v in enumerate(values.values()) if v is not None}
    return expression, names, bound


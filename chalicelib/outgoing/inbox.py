"""What a draft asks of people at each of its states, as pending actions in the
work inbox (``work.pending``): each reviewer of the chain as the draft reaches
them, the signer (and whoever signs for them under a delegation in force), the
clerks once it is signed, the drafter when it comes back. The use cases of
``outgoing.service`` call these in the unit of work of the state change, so
that the inbox and the document never disagree.

Who holds each action:

- the head of the drafting unit's check: the unit's queue (its heads see it);
- the office's format check: the office unit's queue (its heads see it; a
  clerk may act on it too), the clerks' queue when no office unit is set;
- the signer's review and the signature: the signer by name, and a second
  item for each delegate in force on the day (either acting closes both);
- numbering and issue: the clerks' queue;
- revising a returned draft: the drafter by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.kernel.ports import UnitOfWork
from chalicelib.outgoing.neighbours import Neighbours
from chalicelib.outgoing.rules import OutStatus, Step
from chalicelib.work import items
from chalicelib.work.pending import Pending
from chalicelib.work.rules import Action, WorkStatus

PARENT = "OUT"
ORDINARY = "Thường"  # the urgency that is not urgent


def link(doc_id: str) -> str:
    """The page where every action on a draft is taken."""
    return f"/app/outgoing-doc?id={doc_id}"


def current_step(doc: dict[str, Any]) -> Step | None:
    steps = doc.get("review") or []
    index = int(doc.get("review_index") or 0)
    if doc["status"] != OutStatus.IN_REVIEW.value or index >= len(steps):
        return None
    return Step(steps[index]["step"])


@dataclass
class DraftActions:
    """Opens and closes a draft's pending actions in the caller's unit of work."""

    pending: Pending
    neighbours: Neighbours
    today: Callable[[], date]

    # ------------------------------------------------------------ who

    def signers(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        """(assignee, unit counted) of the signer and of every delegate who may sign
        for them today. One signature is one action: only the signer's item counts
        in the unit's weekly figures (and two counts of one unit cannot share the
        closing transaction)."""
        signer = doc["signer"]
        delegates = sorted(set(self.neighbours.delegates(signer, self.today())) - {signer})
        return [(items.person(signer), self._unit_of(signer)),
                *((items.person(name), "") for name in delegates)]

    def reviewers(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        """(assignee, unit counted) of the review step the draft is at."""
        step = current_step(doc)
        if step is None:
            return []
        if step == Step.UNIT_HEAD:
            return [(items.unit(doc["drafting_unit"]), doc["drafting_unit"])]
        if step == Step.OFFICE:
            office = doc.get("office_unit")
            if office:
                return [(items.unit(office), office)]
            return [(items.role("clerk"), "")]
        return self.signers(doc)

    def _unit_of(self, username: str) -> str:
        return str((self.neighbours.user(username) or {}).get("unit") or "")

    # ------------------------------------------------------------ opening

    def _open(self, uow: UnitOfWork, doc: dict[str, Any], action: Action, assignee: str, *,
              by: str, unit: str) -> None:
        self.pending.open(uow, PARENT, doc["id"], action, assignee, subject=doc["subject"],
                          link=link(doc["id"]), by=by, unit=unit or None,
                          urgent=(doc.get("do_khan") or ORDINARY) != ORDINARY,
                          secret=bool(doc.get("do_mat")))

    def _review(self, uow: UnitOfWork, after: dict[str, Any], *, by: str,
                before: list[tuple[str, str]]) -> None:
        """Hand the review on to the holders of the step ``after`` is at. A holder
        of the step before who also holds the next one (a draft of the office
        itself, checked by the office twice) keeps one item, due anew: closing
        and opening the same item in one transaction is not possible."""
        now = self.reviewers(after)
        again = {assignee for assignee, _ in now}
        for assignee, _ in before:
            if assignee not in again:
                self.pending.close(uow, PARENT, after["id"], Action.REVIEW, by=by,
                                   assignee=assignee)
        for assignee, unit in now:
            self._open(uow, after, Action.REVIEW, assignee, by=by, unit=unit)

    # ------------------------------------------------------------ the state changes

    def submitted(self, uow: UnitOfWork, after: dict[str, Any], *, by: str) -> None:
        """The drafter submits (again): a returned draft is revised, the first
        reviewer of the chain is asked."""
        self.pending.close(uow, PARENT, after["id"], Action.REVISE, by=by)
        self._review(uow, after, by=by, before=[])

    def reviewed(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any], *,
                 by: str) -> None:
        """A reviewer approved or returned the draft: the step is done, whoever of
        its holders acted; the next step, the signature or the revision is asked."""
        held = self.reviewers(before)
        status = after["status"]
        if status == OutStatus.IN_REVIEW.value:
            self._review(uow, after, by=by, before=held)
            return
        self.pending.close(uow, PARENT, after["id"], Action.REVIEW, by=by,
                           outcome=WorkStatus.DONE if status == OutStatus.APPROVED.value
                           else WorkStatus.RETURNED)
        if status == OutStatus.APPROVED.value:
            for assignee, unit in self.signers(after):
                self._open(uow, after, Action.SIGN, assignee, by=by, unit=unit)
        else:
            self._open(uow, after, Action.REVISE, items.person(after["created_by"]), by=by,
                       unit=after["drafting_unit"])

    def signed(self, uow: UnitOfWork, after: dict[str, Any]) -> None:
        """The signature is on the document (not merely asked for: a failed
        signing leaves the signer's item open): the clerks number and issue it."""
        by = str(after.get("signed_by") or after["signer"])
        self.pending.close(uow, PARENT, after["id"], Action.SIGN, by=by)
        self._open(uow, after, Action.ISSUE, items.role("clerk"), by=by,
                   unit=after.get("office_unit") or "")

    def issued(self, uow: UnitOfWork, after: dict[str, Any]) -> None:
        """Numbered, sealed and sent (a failed issue leaves the clerks' item open)."""
        self.pending.close(uow, PARENT, after["id"], Action.ISSUE,
                           by=str(after.get("issued_by") or ""))

    def cancelled(self, uow: UnitOfWork, doc_id: str, *, by: str) -> None:
        """Recalled or replaced: nobody must act on it any more."""
        self.pending.close_all(uow, PARENT, doc_id, by=by, outcome=WorkStatus.CANCELLED)

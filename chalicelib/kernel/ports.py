"""What use cases need from the outside world, as protocols.

Use cases receive these from the composition root (``chalicelib/bootstrap.py``);
the DynamoDB/SQS/SES/Cognito implementations live in ``chalicelib/adapters`` and
in each capability's store, and unit tests hand in fakes of their own
(``tests/fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from chalicelib.kernel.audit_chain import ChainHead
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.errors import Conflict
from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.identity import Caller

Clock = Callable[[], datetime]
CalendarSource = Callable[[], AgencyCalendar]


class UnitOfWork(Protocol):
    """The writes of one change and the events it raises, committed together."""

    def add(self, operation: Any) -> None: ...
    def count(self, pk: str, sk: str, **fields: int) -> None: ...
    def emit(self, event: DomainEvent) -> None: ...
    def commit(self) -> list[DomainEvent]: ...
    def commit_unless_done(self, operations: Iterable[Any] = (),
                           events: Iterable[DomainEvent] = ()) -> bool:
        """Add ``operations`` and ``events`` and commit; False (nothing written)
        when a condition did not hold. Our conditions guard against doing a change
        twice (a redelivered event, a repeated request, a concurrent winner), so a
        lost one means the change is done already and the caller treats it as
        done rather than as an error. Shared by every unit of work that
        subclasses this port."""
        for operation in operations:
            self.add(operation)
        for event in events:
            self.emit(event)
        try:
            self.commit()
        except Conflict:
            return False
        return True


class AuditTrail(Protocol):
    """Each item's hash-chained trail; entries join the change's unit of work. A
    change no one signed in made (an online filing, a job) names its ``actor``."""

    def head(self, chain: str) -> ChainHead: ...
    def append(self, uow: UnitOfWork, head: ChainHead, caller: Caller | None, action: str, *,
               summary: str = "", before: Any = None, after: Any = None,
               actor: str | None = None) -> Mapping[str, Any]: ...
    def note(self, chain: str, caller: Caller | None, action: str, *, summary: str = "",
             actor: str | None = None) -> Mapping[str, Any]:
        """A reading (a view, a download): recorded at once beside the chain, so
        that readers never conflict with one another (#21)."""
        ...


class Directory(Protocol):
    """Who and which units exist, as the organisation keeps them."""

    def user(self, username: str) -> Mapping[str, Any] | None: ...
    def unit(self, code: str) -> Mapping[str, Any] | None: ...


class Mailer(Protocol):
    def send(
        self,
        *,
        to: Sequence[str],
        subject: str,
        text: str,
        html: str | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
    ) -> str: ...


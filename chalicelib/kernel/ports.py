"""What the services need from the outside world, as protocols.

Services receive these; the DynamoDB/SQS/SES/Cognito implementations live in
chalicelib/adapters, and pure unit tests can hand in fakes of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from chalicelib.kernel.events import DomainEvent


class EventPublisher(Protocol):
    def publish(self, events: Sequence[DomainEvent]) -> None: ...


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


class IdentityProvider(Protocol):
    def login(self, username: str, password: str) -> dict[str, Any]: ...
    def refresh(self, refresh_token: str) -> dict[str, Any]: ...
    def sign_out(self, username: str) -> None: ...

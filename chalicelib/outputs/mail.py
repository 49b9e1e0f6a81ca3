"""E-mail: one message rendered from the three templates of a mail,
``templates/mail/{name}.subject.txt``, ``.txt`` and ``.html``, and sent through
the mailer port (``kernel.ports.Mailer``; the composition root gives the SES
one). Use cases say which mail to whom with what; they neither render nor
build a mailer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.kernel.ports import Mailer

# (file name, content type, bytes), as the mailer port takes them.
Attachment = tuple[str, str, bytes]


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()

    def send(self, mailer: Mailer) -> str:
        """Hands the message to the mailer; its message id."""
        return mailer.send(to=list(self.to), subject=self.subject, text=self.text,
                           html=self.html, attachments=self.attachments)


def compose_mail(name: str, context: Mapping[str, Any], to: Sequence[str],
                 attachments: Sequence[Attachment] = ()) -> Mail:
    """The mail ``name`` rendered with ``context`` (autoescaped in the HTML part,
    so what a person typed is shown, never run)."""
    from chalicelib.outputs.templating import render

    return Mail(to=tuple(to),
                subject=render(f"mail/{name}.subject.txt", **context).strip(),
                text=render(f"mail/{name}.txt", **context),
                html=render(f"mail/{name}.html", **context),
                attachments=tuple(attachments))

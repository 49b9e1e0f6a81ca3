"""E-mail through SES, as raw MIME so that attachments (receipts, .ics) travel."""

from __future__ import annotations

from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from chalicelib.adapters.aws import client
from chalicelib.kernel.config import get_settings

# Python's default policy folds a long non-ASCII subject into encoded words and
# loses the space at the fold ("của anh" arrives as "củaanh"); lines of up to
# 998 characters (RFC 5322's limit) leave a Vietnamese subject in one piece.
MAIL_POLICY = policy.default.clone(max_line_length=998)


def mime_message(sender: str, to: Sequence[str], subject: str, text: str,
                 html: str | None = None,
                 attachments: Sequence[tuple[str, str, bytes]] = ()) -> EmailMessage:
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[-1])
    # Quoted-printable as before: the long-line policy above would otherwise send
    # the bodies as raw 8-bit, which not every relay takes.
    msg.set_content(text, cte="quoted-printable")
    if html:
        msg.add_alternative(html, subtype="html", cte="quoted-printable")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=filename)
    return msg


class SesMailer:
    def __init__(self, sender: str | None = None) -> None:
        self.sender = sender or get_settings().mail_from

    def send(
        self,
        *,
        to: Sequence[str],
        subject: str,
        text: str,
        html: str | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
    ) -> str:
        msg = mime_message(self.sender, to, subject, text, html, attachments)
        out = client("ses").send_raw_email(
            Source=self.sender, Destinations=list(to), RawMessage={"Data": msg.as_bytes()}
        )
        return str(out["MessageId"])

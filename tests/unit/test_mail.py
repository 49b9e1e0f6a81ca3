"""Mail: one message from the three templates of a mail, sent through the mailer
port; the SES mailer is built by the composition root alone and handed to the
steps that declared they need it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalicelib.outputs.mail import Mail, compose_mail

ROOT = Path(__file__).resolve().parents[2] / "chalicelib"


class FakeMailer:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def send(self, **kwargs: Any) -> str:
        self.calls.append(kwargs)
        return f"m-{len(self.calls)}"


def test_compose_mail_renders_subject_text_and_escaped_html() -> None:
    mail = compose_mail("notice", {"subject": "Văn bản đến số 12", "recipient_name": "Anh Minh",
                                   "body": "Nội dung <b>đậm</b>", "link": "http://x/1"},
                        ["a@example.vn"], attachments=[("a.pdf", "application/pdf", b"%PDF")])
    assert mail.subject == "Văn bản đến số 12"  # no line break left from the template
    assert mail.text.startswith("Kính gửi Anh Minh,\n\nNội dung <b>đậm</b>\n")
    assert "Xem chi tiết: http://x/1" in mail.text
    assert "&lt;b&gt;đậm&lt;/b&gt;" in (mail.html or "") and "<b>" not in (mail.html or "")
    assert mail.to == ("a@example.vn",)
    assert mail.attachments == (("a.pdf", "application/pdf", b"%PDF"),)


def test_a_mail_goes_through_the_port_as_the_port_takes_it() -> None:
    mailer = FakeMailer()
    out = Mail(to=("a@example.vn", "b@example.vn"), subject="Tiêu đề", text="Nội dung"
               ).send(mailer)
    assert out == "m-1"
    assert mailer.calls == [{"to": ["a@example.vn", "b@example.vn"], "subject": "Tiêu đề",
                             "text": "Nội dung", "html": None, "attachments": ()}]


def test_every_step_need_is_met_by_the_composition_root() -> None:
    from chalicelib.bootstrap import COLLABORATORS, load_steps
    from chalicelib.kernel.subscribers import all_subscribers

    load_steps()
    needs = {need for sub in all_subscribers() for need in sub.needs}
    assert needs and needs <= set(COLLABORATORS)
    mailing = {sub.name for sub in all_subscribers() if "mailer" in sub.needs}
    assert {"send_mail", "meeting_send_mail", "settle_complaint", "deliver_external",
            "mail_dossier_receipt", "flag_urgent_to_leaders"} <= mailing


def test_only_the_composition_root_builds_the_ses_mailer() -> None:
    builders = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                      if "SesMailer(" in p.read_text(encoding="utf-8"))
    assert builders == ["bootstrap.py"]


def test_a_long_vietnamese_subject_arrives_whole() -> None:
    import email
    from email import policy

    from chalicelib.adapters.mailer import mime_message

    subject = ("[Việc mới] Ký duyệt văn bản đi: Công văn góp ý dự thảo quy hoạch của anh "
               "chị em trong đơn vị về việc triển khai kế hoạch năm 2027")
    raw = mime_message("noreply@so.gov.vn", ["a@so.gov.vn"], subject, "Nội dung").as_bytes()
    back = email.message_from_bytes(raw, policy=policy.default)
    assert back["Subject"] == subject
    assert back.get_content().strip() == "Nội dung"

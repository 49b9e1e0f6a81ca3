"""Workflow steps of incoming documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.ports import Mailer
from chalicelib.kernel.subscribers import subscribe

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo import Table


@subscribe("incoming.registered", name="flag_urgent_to_leaders", needs=("mailer", "table"))
def flag_urgent_to_leaders(event: DomainEvent, mailer: Mailer, table: Table) -> None:
    """Decree 30 Art. 24: urgent documents go to the leader at once."""
    if not event.payload.get("urgent"):
        return
    from chalicelib.incoming.store import IncomingStore
    from chalicelib.kernel.config import get_settings
    from chalicelib.organisation.service import list_users
    from chalicelib.outputs.mail import compose_mail

    doc = IncomingStore(table).get(event.payload["id"], consistent=False)
    if doc is None or doc.get("do_mat"):
        return  # a secret document is never described in an e-mail
    leaders = [u for u in list_users(table=table)
               if "leader" in u["roles"] and u["status"] == "active" and u.get("email")]
    if not leaders:
        return
    context = {
        "subject": f"[{doc['do_khan'].upper()}] Văn bản đến số {doc['so_den_text']}: "
                   f"{doc.get('so_ky_hieu') or '(chưa rõ số, ký hiệu)'}",
        "recipient_name": "Lãnh đạo Sở",
        "body": (f"Văn bản {doc['do_khan']} của {doc.get('co_quan_ban_hanh') or '(chưa rõ)'}"
                 f", trích yếu: {doc.get('trich_yeu') or '(chưa rõ)'}. Đề nghị cho ý kiến "
                 "phân phối ngay."),
        "link": f"{get_settings().public_base_url}/app/document?id={doc['id']}",
    }
    compose_mail("notice", context, [u["email"] for u in leaders]).send(mailer)


@subscribe("incoming.registered", name="receipt_to_sender", needs=("mailer", "table"))
def receipt_to_sender(event: DomainEvent, mailer: Mailer, table: Table) -> None:
    """Decree 30 Art. 20: tell the sender of receipt the same day, when we know
    where to write. Secret documents are never acknowledged by e-mail."""
    to = event.payload.get("receipt_to")
    if not to:
        return
    from chalicelib.incoming.store import IncomingStore
    from chalicelib.outputs.mail import compose_mail
    from chalicelib.outputs.templating import local_date

    doc = IncomingStore(table).get(event.payload["id"], consistent=False)
    if doc is None or doc.get("do_mat"):
        return
    context = {
        "subject": f"Xác nhận đã nhận văn bản {doc.get('so_ky_hieu') or ''}".strip(),
        "recipient_name": doc.get("co_quan_ban_hanh") or "Quý cơ quan",
        "body": (f"Sở Kế hoạch và Đầu tư đã nhận văn bản số {doc.get('so_ky_hieu') or '(không rõ)'}"
                 f" ngày {local_date(doc.get('ngay_ban_hanh')) or '(không rõ)'} về "
                 f"\"{doc.get('trich_yeu') or ''}\", vào sổ văn bản đến số "
                 f"{doc['so_den_text']}/{doc['year']}."),
        "link": "",
    }
    compose_mail("notice", context, [to]).send(mailer)


# Officers and the heads of the units a document is distributed to are told by the
# pending actions' work.opened (notifications): one notice and mail per part.

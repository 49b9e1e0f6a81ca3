"""Workflow steps of complaint cases: the issued answer settles the case and
reaches the person by e-mail, with the signed PDF attached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.kernel.events import DomainEvent
from chalicelib.kernel.ports import Mailer
from chalicelib.kernel.subscribers import subscribe

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo import Table

ATTACH_LIMIT = 3 * 1024 * 1024


@subscribe("outgoing.issued", name="settle_complaint", needs=("mailer", "table"))
def settle_complaint(event: DomainEvent, mailer: Mailer, table: Table) -> None:
    from chalicelib.adapters.aws import client
    from chalicelib.complaints import service as complaints
    from chalicelib.kernel.config import get_settings
    from chalicelib.outgoing import service as outgoing
    from chalicelib.outputs.mail import compose_mail

    doc = outgoing.document(event.payload["id"], table)
    if doc is None or not doc.get("complaint_id"):
        return
    cases = complaints.use_cases(table)
    if not cases.settle_from_answer(doc["complaint_id"], doc):
        return  # settled already (a redelivered event) or no longer open
    case = cases.store.get(doc["complaint_id"])
    person = cases.store.person(doc["complaint_id"]) or {}
    if case is None or not person.get("email"):
        return
    settings = get_settings()
    data = None
    if int(doc.get("issued_size") or 0) <= ATTACH_LIMIT:
        data = client("s3").get_object(Bucket=settings.documents_bucket,
                                       Key=doc["issued_key"])["Body"].read()
    context = {"name": person["name"], "code": case["code"], "number": doc["number_text"],
               "subject": doc["subject"], "attached": data is not None,
               "verify": f"{settings.public_base_url}/verify/{doc['code']}",
               "lookup": f"{settings.public_base_url}/tra-cuu-don?code={case['code']}"}
    compose_mail("complaint_answer", context, [person["email"]],
                 attachments=[(f"{doc['number_text'].replace('/', '_')}.pdf",
                               "application/pdf", data)] if data else ()).send(mailer)

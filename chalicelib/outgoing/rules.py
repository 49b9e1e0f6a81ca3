"""Outgoing documents (văn bản đi), Decree 30/2020 Art. 10–14 and 18.

The states a draft moves through from the drafter to issuance, the review chain
(content by the head of the drafting unit, format by the office, approval by
the signer), who may take each step, and the rules of recall. Numbering and the
printed forms are in ``kernel/numbering.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.kernel.errors import Conflict, FieldProblem, InvalidInput
from chalicelib.kernel.identity import Caller, Role


class OutStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"  # to be signed
    SIGNING = "signing"
    SIGNING_FAILED = "signing_failed"
    SIGNED = "signed"  # waiting for the clerk's number and seal
    ISSUING = "issuing"
    ISSUE_FAILED = "issue_failed"
    ISSUED = "issued"
    RECALLED = "recalled"
    REPLACED = "replaced"


STATUS_LABELS = {
    OutStatus.DRAFT: "Dự thảo",
    OutStatus.IN_REVIEW: "Đang trình duyệt",
    OutStatus.APPROVED: "Chờ ký số",
    OutStatus.SIGNING: "Đang ký số",
    OutStatus.SIGNING_FAILED: "Ký số lỗi",
    OutStatus.SIGNED: "Đã ký, chờ phát hành",
    OutStatus.ISSUING: "Đang phát hành",
    OutStatus.ISSUE_FAILED: "Phát hành lỗi",
    OutStatus.ISSUED: "Đã phát hành",
    OutStatus.RECALLED: "Đã thu hồi",
    OutStatus.REPLACED: "Đã được thay thế",
}


# A signing or issuing step that has not recorded its outcome after this long
# died with its process (a crash, a kill): its Lambda times out in 2 minutes
# and SQS's redeliveries come sooner, so by then no run of it is left to
# finish. The clerk or the signer is offered to start it again.
STUCK_AFTER = timedelta(minutes=5)
_IN_FLIGHT = (OutStatus.SIGNING.value, OutStatus.ISSUING.value)


def stuck(doc: dict[str, object], now: datetime) -> bool:
    """Whether the document's step is in flight for longer than ``STUCK_AFTER``."""
    if doc.get("status") not in _IN_FLIGHT or not doc.get("updated_at"):
        return False
    since = datetime.fromisoformat(str(doc["updated_at"]).replace("Z", "+00:00"))
    return now - since >= STUCK_AFTER


class Step(StrEnum):
    UNIT_HEAD = "unit_head"  # trưởng đơn vị soạn thảo kiểm tra nội dung
    OFFICE = "office"  # văn phòng kiểm tra thể thức, kỹ thuật trình bày
    SIGNER = "signer"  # người ký duyệt


STEP_LABELS = {
    Step.UNIT_HEAD: "Trưởng đơn vị kiểm tra nội dung",
    Step.OFFICE: "Văn phòng kiểm tra thể thức",
    Step.SIGNER: "Lãnh đạo duyệt ký",
}

DEFAULT_CHAIN: tuple[Step, ...] = (Step.UNIT_HEAD, Step.OFFICE, Step.SIGNER)
# Paper that leaves the agency every day (invitations, introductions, slips)
# goes straight from the unit to the signer unless an administrator says otherwise.
SHORT_CHAIN: tuple[Step, ...] = (Step.UNIT_HEAD, Step.SIGNER)
SHORT_CHAIN_TYPES = frozenset({"GM", "GGT", "GNP", "PG", "PC", "PB"})


def default_chain(type_code: str) -> tuple[Step, ...]:
    return SHORT_CHAIN if type_code in SHORT_CHAIN_TYPES else DEFAULT_CHAIN


def check_chain(steps: Iterable[str], path: str = "steps") -> tuple[Step, ...]:
    """A chain always ends with the signer and names each step once."""
    try:
        chain = tuple(Step(s) for s in steps)
    except ValueError as exc:
        raise InvalidInput("Bước duyệt không hợp lệ.", "Unknown review step.", "invalid_chain",
                           [FieldProblem(path, "Bước không hợp lệ.", "Unknown step.")]) from exc
    if not chain or chain[-1] != Step.SIGNER or len(set(chain)) != len(chain):
        raise InvalidInput(
            "Quy trình duyệt phải kết thúc bằng bước lãnh đạo duyệt ký và không lặp bước.",
            "A review chain ends with the signer and names each step once.", "invalid_chain",
            [FieldProblem(path, "Phải kết thúc bằng bước người ký, không lặp.",
                          "Must end with the signer, no repeats.")])
    return chain


# Signing authority (thẩm quyền ký), Decree 30 Art. 13.
AUTHORITIES = {
    "": "Người đứng đầu ký trực tiếp",
    "KT.": "Ký thay người đứng đầu",
    "TL.": "Thừa lệnh người đứng đầu",
    "TM.": "Thay mặt tập thể",
    "Q.": "Quyền người đứng đầu",
    "TUQ.": "Thừa ủy quyền",
}

@dataclass(frozen=True)
class Reviewer:
    """Who may act on a step: a named person, or any holder of a role in a unit."""

    step: Step
    usernames: frozenset[str] = frozenset()
    unit: str | None = None
    roles: frozenset[Role] = frozenset()

    def admits(self, caller: Caller) -> bool:
        if caller.username in self.usernames:
            return True
        return bool(self.roles & caller.roles) and (self.unit is None or caller.unit == self.unit)


def wrong_state(status: str, action_vi: str, action_en: str) -> Conflict:
    label = STATUS_LABELS.get(OutStatus(status), status) if status in OutStatus._value2member_map_ \
        else status
    return Conflict(f"Không thể {action_vi}: văn bản đang ở trạng thái “{label}”.",
                    f"Cannot {action_en} a document in state {status}.", "invalid_state")


def ensure_status(status: str, allowed: Iterable[OutStatus], action_vi: str,
                  action_en: str) -> None:
    if status not in {s.value for s in allowed}:
        raise wrong_state(status, action_vi, action_en)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

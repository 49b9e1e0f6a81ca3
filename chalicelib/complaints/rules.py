"""Complaints, denunciations and petitions (đơn thư): the states a case moves
through and what the public may learn of it. The legal clocks are in
``complaints/clocks.py``."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from chalicelib.complaints.clocks import CaseKind


class CaseStatus(StrEnum):
    RECEIVED = "received"  # đã nhận đơn, chờ phân loại và thụ lý
    ACCEPTED = "accepted"  # đã thụ lý, chờ giao giải quyết
    IN_PROGRESS = "in_progress"  # đang giải quyết
    SETTLED = "settled"  # đã có văn bản giải quyết, đã thông báo
    CLOSED = "closed"  # đã kết thúc
    TRANSFERRED = "transferred"  # đã chuyển cơ quan có thẩm quyền
    REFUSED = "refused"  # không thụ lý
    MERGED = "merged"  # đã gộp vào đơn trùng


STATUS_LABELS = {
    CaseStatus.RECEIVED: "Đã nhận đơn",
    CaseStatus.ACCEPTED: "Đã thụ lý",
    CaseStatus.IN_PROGRESS: "Đang giải quyết",
    CaseStatus.SETTLED: "Đã giải quyết",
    CaseStatus.CLOSED: "Đã kết thúc",
    CaseStatus.TRANSFERRED: "Đã chuyển cơ quan có thẩm quyền",
    CaseStatus.REFUSED: "Không thụ lý",
    CaseStatus.MERGED: "Đã gộp với đơn khác",
}

OPEN = frozenset({CaseStatus.RECEIVED, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS})
FINISHED = frozenset(CaseStatus) - OPEN

CODE_PREFIX = {CaseKind.COMPLAINT: "KN", CaseKind.DENUNCIATION: "TC", CaseKind.PETITION: "PA"}
# Printed on a receipt and typed back from it: no 0/O or 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(kind: CaseKind, received_local: datetime) -> str:
    """e.g. ``KN-261127-7QX4M2``: kind, day of receipt, six random characters
    (unguessable, so that codes cannot be walked)."""
    tail = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"{CODE_PREFIX[kind]}-{received_local:%y%m%d}-{tail}"


PROTECTED_MASK = "(Danh tính người tố cáo được giữ bí mật)"

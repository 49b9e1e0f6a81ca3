"""Which mail a person wants for each kind of notice: at once, only in the
morning digest, or none (the in-app notice stays whatever the choice).

Kinds are grouped the way the inbox groups its actions (the part of the action
before the dot: ``incoming``, ``outgoing``, ``task``…), plus the events that
are not work items: a draft returned for revision, a request decided, work
gone overdue. Pure: the preferences themselves are kept by ``work.store``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.work.rules import ACTION_RULES, Action

INSTANT, DIGEST, OFF = "instant", "digest", "off"
MAIL_CHOICES = (INSTANT, DIGEST, OFF)
CHOICE_LABELS = {INSTANT: "Gửi thư ngay", DIGEST: "Chỉ trong thư tổng hợp",
                 OFF: "Không gửi thư"}

RETURNED, DECIDED, OVERDUE, OTHER = "returned", "decided", "overdue", "other"


def _action_groups() -> dict[str, str]:
    groups: dict[str, str] = {}
    for action, rule in ACTION_RULES.items():
        groups.setdefault(action.value.split(".", 1)[0], rule.group)
    return groups


# key -> what the preferences page calls it (Vietnamese)
MAIL_KINDS: dict[str, str] = {
    **_action_groups(),
    RETURNED: "Dự thảo, hồ sơ bị trả lại",
    DECIDED: "Đề nghị đã được quyết định",
    OVERDUE: "Việc quá hạn",
    OTHER: "Thông báo khác",
}

# Sent back for revision: the person asked for it to be returned, not a new task.
RETURNED_ACTIONS = frozenset({Action.REVISE})


def mail_kind(kind: str) -> str:
    """The preference a notice of ``kind`` follows: a preference key itself, an
    inbox action (``outgoing.sign``), or any ``{capability}.{event}`` name."""
    if kind in MAIL_KINDS:
        return kind
    if kind in {a.value for a in RETURNED_ACTIONS}:
        return RETURNED
    group = kind.split(".", 1)[0]
    return group if group in MAIL_KINDS else OTHER


def mail_choices(stored: Mapping[str, Any] | None) -> dict[str, str]:
    """Every kind's choice: what the person chose, ``instant`` for the rest (and
    for anything unreadable, as before there were choices)."""
    chosen = dict(stored or {})
    return {k: chosen[k] if chosen.get(k) in MAIL_CHOICES else INSTANT for k in MAIL_KINDS}


def mail_choice(prefs: Mapping[str, Any], kind: str) -> str:
    """How a notice of ``kind`` is mailed to the person: their choice for it,
    where the older master switch ``instant: false`` turns "at once" into "in
    the digest"."""
    choice = mail_choices(prefs.get("mail")).get(mail_kind(kind), INSTANT)
    if choice == INSTANT and prefs.get("instant") is False:
        return DIGEST
    return choice

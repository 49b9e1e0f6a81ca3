"""My notifications: the list with its unread count, and marking them read.
A person reaches only their own: another's id is not found."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.lazy import lazy_module

notices = lazy_module("chalicelib.notifications.notices")
store = lazy_module("chalicelib.notifications.store")

notifications_bp = Blueprint(__name__)
S = "chalicelib.notifications.schemas:"


def _store() -> Any:
    from chalicelib.bootstrap import table

    return store.NoticeStore(table())


@route(notifications_bp, "/api/notifications", query=S + "NoticeQuery",
       policy=Policy.signed_in(), tags=("notifications",),
       summary="My notifications, newest first, with the unread count")
def list_mine(call: Call) -> dict[str, Any]:
    return notices.list_notices(_store(), call.user.username, limit=call.query.limit,
                                cursor=call.query.cursor)


@route(notifications_bp, "/api/notifications/{note_id}/read", methods=("POST",),
       policy=Policy.signed_in(), tags=("notifications",), summary="Mark one of mine read")
def read_one(call: Call) -> dict[str, Any]:
    return notices.mark_read(_store(), call.user.username, call.params["note_id"])


@route(notifications_bp, "/api/notifications/read-all", methods=("POST",),
       policy=Policy.signed_in(), tags=("notifications",), summary="Mark all of mine read")
def read_all(call: Call) -> dict[str, Any]:
    return notices.mark_all_read(_store(), call.user.username)

"""Lists restricted by key design: one partition per scope the caller holds
(their own, their unit's, the agency's), merged newest first.

Nothing is fetched and then filtered away: every item read is one the caller
may see, so pages and counts reveal nothing else. An item indexed under two
of the caller's scopes (assigned to them *and* in their unit) appears once.

The cursor records, per scope, the key of the last entry consumed from it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.domain.errors import InvalidInput

INDEX = "gsi1"
KEY_FIELDS = ("pk", "sk", "gsi1pk", "gsi1sk")
DONE = "-"


def partition(scope: str, kind: str) -> str:
    return f"{scope}#{kind}"


@dataclass(frozen=True)
class ScopedPage:
    items: list[dict[str, Any]]
    cursor: str | None


def _encode(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str | None, scopes: Iterable[str]) -> dict[str, Any]:
    if not cursor:
        return {s: None for s in scopes}
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(state, dict):
            raise ValueError
    except ValueError as exc:
        raise InvalidInput("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.",
                           "invalid_cursor") from exc
    # Only the caller's own scopes count: a cursor cannot open another partition.
    out: dict[str, Any] = {}
    for scope in scopes:
        value = state.get(scope)
        if value is not None and value != DONE and not (
            isinstance(value, dict) and set(value) == set(KEY_FIELDS)
            and all(isinstance(v, str) for v in value.values())
            and value["gsi1pk"] == partition(scope, state.get("_kind", ""))
        ):
            raise InvalidInput("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.",
                               "invalid_cursor")
        out[scope] = value
    return out


def list_scoped(kind: str, scopes: Iterable[str], *, limit: int = 20,
                cursor: str | None = None, table: Table | None = None) -> ScopedPage:
    table = table or Table()
    scopes = sorted(set(scopes))
    state = _decode(cursor, scopes)
    buffers: dict[str, list[dict[str, Any]]] = {}
    more: dict[str, bool] = {}
    for scope in scopes:
        start = state[scope]
        if start == DONE:
            buffers[scope], more[scope] = [], False
            continue
        items, last = table.query_from(partition(scope, kind), index=INDEX, start=start,
                                       limit=limit, forward=False)
        buffers[scope], more[scope] = items, last is not None
    taken: list[dict[str, Any]] = []
    consumed: dict[str, dict[str, Any] | None] = {s: None for s in scopes}
    while len(taken) < limit:
        heads = [(buf[0]["gsi1sk"], scope) for scope, buf in buffers.items() if buf]
        if not heads:
            break
        top_key = max(heads)[0]
        item = None
        for scope, buf in buffers.items():
            # The same item under several scopes sits at the same sort key in each.
            while buf and buf[0]["gsi1sk"] == top_key:
                item = buf.pop(0)
                consumed[scope] = item
        assert item is not None
        taken.append(item)
    next_state: dict[str, Any] = {"_kind": kind}
    finished = True
    for scope in scopes:
        if buffers[scope] or more[scope]:
            finished = False
            last = consumed[scope]
            next_state[scope] = ({k: last[k] for k in KEY_FIELDS} if last is not None
                                 else state[scope])
        else:
            next_state[scope] = DONE
    return ScopedPage(taken, None if finished else _encode(next_state))

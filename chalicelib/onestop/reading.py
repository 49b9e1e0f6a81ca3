"""Reading dossiers: one dossier with what the caller may do next, the month's
list a caller may see, and the public lookup by code and phone."""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.adapters.dynamo import Table, json_ready
from chalicelib.adapters.scoped_lists import decode_scope_cursor, encode_scope_cursor
from chalicelib.kernel.access import can_view
from chalicelib.kernel.attempts import checked
from chalicelib.kernel.errors import NotFound
from chalicelib.kernel.folding import filter_words, matches
from chalicelib.kernel.identity import Caller, Role
from chalicelib.onestop import rules
from chalicelib.onestop.dossiers import (
    TZ,
    Deps,
    S,
    access_of,
    acts,
    deps_for,
    desk_phone,
    load_dossier,
)
from chalicelib.onestop.store import KEYS

# The table's keys, and what only the lookup compares.
HIDDEN = (*KEYS, "phone_last4", "access_key")
# Dossiers read per query when the whole month is asked for.
LIST_CHUNK = 500


def view(caller: Caller, dossier_id: str, table: Table | None = None, *,
         deps: Deps | None = None) -> dict[str, Any]:
    d = load_dossier(caller, dossier_id, table, deps=deps)
    out = json_ready({k: v for k, v in d.items() if k not in HIDDEN})
    out["status_label"] = S(int(d["status"])).label_vi
    out["actions"] = actions(caller, d)
    return out


def actions(caller: Caller, d: dict[str, Any]) -> list[str]:
    status = S(int(d["status"]))
    out = []
    if status in (S.RECEIVED, S.IN_PROGRESS) and acts(caller, d):
        # The signing step is done by signing: its "advance" shows once the result
        # is signed, and "sign" only at that step (as the use cases refuse).
        index = int(d.get("step_index") or 0)
        steps = d.get("steps") or []
        signing = index < len(steps) and rules.signs_result(steps[index])
        signed = d.get("result_status") == "signed"
        out += [*(["advance"] if signed or not signing else []), "supplement", "stop"]
        if signing and caller.roles & {Role.UNIT_HEAD, Role.LEADER} and d.get(
                "result_status") not in ("signing", "signed"):
            out.append("sign_result")
    if status == S.SUPPLEMENT_REQUESTED and caller.roles & {Role.ONE_STOP, Role.LEADER}:
        out.append("resume")
    if status == S.RESOLVED and caller.roles & {Role.ONE_STOP, Role.LEADER}:
        out.append("return")
    if status == S.WITHDRAWAL_REQUESTED and caller.roles & {Role.ONE_STOP, Role.LEADER}:
        out.append("stop")
    return out


def list_visible(caller: Caller, *, month: str | None = None, q: str | None = None,
                 limit: int | None = None, cursor: str | None = None,
                 table: Table | None = None, deps: Deps | None = None) -> dict[str, Any]:
    """Dossiers received in a month (YYYY-MM) that the caller may see, newest
    first: the desk and leaders see all; a unit sees those that pass through it.
    ``q``: words of the code, the procedure or the applicant's name, diacritics
    ignored. With ``limit``, one page and the ``cursor`` of the next (None at the
    end): a page reads ``limit + 1`` dossiers at a time, so its cost follows the
    page, not the month; without it, the whole month (search reads it so)."""
    words = filter_words(q)
    deps = deps_for(table, deps)
    month = month or deps.clock().astimezone(TZ).strftime("%Y-%m")
    before = decode_scope_cursor(cursor)
    taken: list[dict[str, Any]] = []
    next_cursor: str | None = None
    more = True
    while more and next_cursor is None:
        want = LIST_CHUNK if limit is None else limit - len(taken) + 1
        found, more = deps.store.received_page(month, before=before, limit=want)
        for index, (position, i) in enumerate(found):
            before = position
            if can_view(caller, access_of(i)) and matches(
                    words, i["code"], i["procedure"]["name"], i["applicant"]["name"]):
                taken.append(i)
                if limit is not None and len(taken) == limit:
                    if more or index + 1 < len(found):
                        next_cursor = encode_scope_cursor(position)
                    more = False
                    break
    return {"month": month, "cursor": next_cursor, "items": [{
        "id": i["id"], "code": i["code"], "procedure": i["procedure"]["name"],
        "applicant": i["applicant"]["name"], "status": int(i["status"]),
        "status_label": S(int(i["status"])).label_vi, "received_at": i["received_at"],
        "appointment_at": i["appointment_at"], "channel": i["channel"]} for i in taken]}


def find_by_code(code: str, phone_last4: str, deps: Deps, *,
                 access_key: str | None = None) -> dict[str, Any]:
    """The dossier of a public code, as the code index holds it, under the code's
    attempt budget (``kernel.attempts``): a wrong phone, or a wrong access key
    when one is asked (the routes that change the dossier), answers like an
    unknown code and spends an attempt; a spent budget answers 429 whatever is
    sent."""
    def check() -> dict[str, Any]:
        d = deps.store.by_code(code.strip().upper())
        expected = str(d.get("phone_last4") or "") if d else ""
        phone_ok = len(phone_last4) == 4 and hashlib.sha256(expected.encode()).digest() == \
            hashlib.sha256(phone_last4.encode()).digest()
        key_ok = access_key is None or (d is not None and rules.access_key_matches(
            d.get("access_key"), access_key))
        if d is None or not (phone_ok and key_ok):
            if access_key is None:
                raise NotFound("Không tìm thấy hồ sơ với mã và số điện thoại này.",
                               "No dossier with this code and phone number.")
            raise NotFound("Mã hồ sơ, số điện thoại hoặc mã bảo mật không đúng.",
                           "The code, the phone number or the access key is wrong.")
        return d

    return checked(deps.store, code, deps.clock(), lambda: desk_phone(deps), check)


def lookup(code: str, phone_last4: str, table: Table | None = None, *,
           deps: Deps | None = None) -> dict[str, Any]:
    """Public: the status, the timeline and the appointment; nothing about anyone."""
    return public_view(find_by_code(code, phone_last4, deps_for(table, deps)))


def public_view(d: dict[str, Any]) -> dict[str, Any]:
    """What the public lookup shows of a dossier."""
    timeline = [{"at": e["at"], "label": e["label"]} for e in d.get("timeline") or []]
    return {"code": d["code"], "procedure": d["procedure"]["name"],
            "status": int(d["status"]), "status_label": S(int(d["status"])).label_vi,
            "received_at": d["received_at"], "appointment_at": d["appointment_at"],
            # The signed result can be downloaded (…/result) once it is returned.
            "result_available": int(d["status"]) == int(S.RETURNED) and bool(d.get("result_key")),
            "timeline": [{"at": d["received_at"], "label": "Tiếp nhận hồ sơ"}, *timeline]}

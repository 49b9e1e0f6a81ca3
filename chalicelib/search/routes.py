"""``GET /api/search``: one search over every kind the caller may see.

The sources are built here, in an entry point, because they reach into six
capabilities: the use-case module ``search.federation`` knows none of them,
and ``search`` (which incoming's routes use) must not depend on outgoing,
complaints, one-stop, meetings or tasks. Each source calls its capability's
public list (or search) function for the caller, so each kind's own visibility
rules decide what is found.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Call, Policy, route
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.lazy import lazy_module

federation = lazy_module("chalicelib.search.federation")

search_bp = Blueprint(__name__)
DOSSIER_MONTHS = 3  # dossiers are listed by month of receipt: this one and the two before
SCHEDULERS = {Role.LEADER, Role.UNIT_HEAD, Role.CLERK}

Found = tuple[list[dict[str, Any]], bool]


def _incoming(caller: Caller, q: str, limit: int, sort: str = "relevance") -> Found:
    from chalicelib.bootstrap import table
    from chalicelib.incoming.rules import STATUS_LABELS, DocStatus
    from chalicelib.search.service import search

    page = search(caller, q, limit=limit, sort="newest" if sort == "newest" else "relevance",
                  table=table())
    return [{
        "id": d["id"], "title": d.get("trich_yeu") or d.get("so_ky_hieu") or "(chưa có trích yếu)",
        "link": f"/app/document?id={d['id']}",
        "subtitle": " · ".join(x for x in (f"Số đến {d.get('so_den_text')}/{d.get('year')}",
                                           d.get("so_ky_hieu"), d.get("co_quan_ban_hanh")) if x),
        "date": d.get("arrival_at"), "status": d.get("status"),
        "status_label": STATUS_LABELS.get(DocStatus(d["status"]), "") if d.get("status") else "",
        "snippet": d.get("snippet") or [],
    } for d in page["items"]], page["cursor"] is not None


def _outgoing(caller: Caller, q: str, limit: int) -> Found:
    from chalicelib.bootstrap import outgoing

    page = outgoing().list_visible(caller, limit=limit, q=q)
    return [{
        "id": d["id"], "title": d.get("subject") or "(chưa có trích yếu)",
        "link": f"/app/outgoing-doc?id={d['id']}",
        "subtitle": " · ".join(x for x in (d.get("number_text"), d.get("type_name"),
                                           d.get("signer")) if x),
        "date": d.get("created_at"), "status": d.get("status"),
        "status_label": d.get("status_label"),
    } for d in page["items"]], page["cursor"] is not None


def _complaints(caller: Caller, q: str, limit: int) -> Found:
    from chalicelib.bootstrap import complaints

    page = complaints().list_visible(caller, limit=limit, q=q)
    return [{
        "id": c["id"], "title": f"{c['code']} — {c['kind_label']}",
        "link": f"/app/complaint?id={c['id']}",
        # A protected denunciation shows no content here: it may name the denouncer.
        "subtitle": "" if c.get("protected") else (c.get("summary") or ""),
        "date": c.get("received_at"), "status": c.get("status"),
        "status_label": c.get("status_label"),
    } for c in page["items"]], page["cursor"] is not None


def _dossiers(caller: Caller, q: str, limit: int) -> Found:
    from chalicelib.bootstrap import onestop as deps_of
    from chalicelib.onestop.dossiers import TZ
    from chalicelib.onestop.service import list_visible

    deps = deps_of()
    today = deps.clock().astimezone(TZ)
    year, month = today.year, today.month
    found: list[dict[str, Any]] = []
    for _ in range(DOSSIER_MONTHS):
        found += list_visible(caller, month=f"{year:04d}-{month:02d}", q=q, deps=deps)["items"]
        if len(found) > limit:
            break
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return [{
        "id": d["id"], "title": f"{d['code']} — {d['procedure']}",
        "link": f"/app/dossier?id={d['id']}", "subtitle": d.get("applicant") or "",
        "date": d.get("received_at"), "status": d.get("status"),
        "status_label": d.get("status_label"),
    } for d in found[:limit]], len(found) > limit


def _tasks(caller: Caller, q: str, limit: int) -> Found:
    from chalicelib.bootstrap import tasks

    page = tasks().list_visible(caller, None, limit, q=q)
    return [{
        "id": t["id"], "title": t.get("title") or "", "link": f"/app/task?id={t['id']}",
        "subtitle": f"Hạn {t['deadline']}" if t.get("deadline") else "",
        "date": t.get("created_at"), "status": t.get("status"), "status_label": "",
    } for t in page["items"]], page["cursor"] is not None


def _meetings(caller: Caller, q: str, limit: int) -> Found:
    from chalicelib.bootstrap import meetings

    use_cases = meetings()
    pages = [use_cases.list_mine(caller, limit=limit, q=q)]
    if caller.roles & SCHEDULERS:
        pages.append(use_cases.list_scheduled(caller, limit=limit, q=q))
    seen: dict[str, dict[str, Any]] = {}
    for page in pages:
        for m in page["items"]:
            seen.setdefault(m["id"], m)
    found = sorted(seen.values(), key=lambda m: m["start"], reverse=True)
    more = len(found) > limit or any(p["cursor"] for p in pages)
    return [{
        "id": m["id"], "title": m.get("title") or "", "link": f"/app/meeting?id={m['id']}",
        "subtitle": " · ".join(x for x in (m.get("when"), m.get("place")) if x),
        "date": m.get("start"), "status": m.get("status"), "status_label": "",
    } for m in found[:limit]], more


def sources(sort: str = "relevance") -> list[Any]:
    """Every kind, in the order the results page shows them."""
    source = federation.Source

    def incoming(caller: Caller, q: str, limit: int) -> Found:
        return _incoming(caller, q, limit, sort)

    return [
        source("incoming", "Văn bản đến", "/app/incoming", incoming),
        source("outgoing", "Văn bản đi", "/app/outgoing", _outgoing),
        source("complaint", "Đơn thư", "/app/complaints", _complaints),
        source("dossier", "Hồ sơ một cửa", "/app/dossiers", _dossiers),
        source("task", "Công việc được giao", "/app/tasks", _tasks),
        source("meeting", "Cuộc họp", "/app/meetings", _meetings),
    ]


@route(search_bp, "/api/search", query="chalicelib.search.schemas:SearchQuery",
       policy=Policy.signed_in(), tags=("search",),
       summary="One search over every kind the caller may see (incoming and outgoing "
               "documents, complaints, dossiers, tasks, meetings), diacritics ignored; "
               "results grouped by kind, each with kind, title and link")
def search_everything(call: Call) -> dict[str, Any]:
    q = call.query
    return federation.search_all(call.user, q.q, sources(q.sort), per_kind=q.limit,
                                 kinds={q.kind} if q.kind else None)

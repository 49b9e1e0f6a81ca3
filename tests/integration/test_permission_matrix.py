"""The permission matrix, generated from the route table: every role × every
route × every target variant the route has (own / other user, own / other
unit; secret items join with the first routes that serve documents).

Each signed-in route must have a row in ``MATRIX`` (a test fails otherwise):
how to call it for a variant, and which roles may. Allowed calls must succeed;
the others must answer 401/403/404 with nothing but the error body.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import app as app_module  # noqa: F401 - registers the routes this matrix is built from
from chalicelib.adapters.dynamo import Table
from chalicelib.api.routing import ROUTES
from chalicelib.kernel.identity import Role
from tests.conftest import Session, login

ALL = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
LEADERS = frozenset({Role.LEADER, Role.ADMIN})


_CASE_SERIAL = itertools.count()


@dataclass
class Ctx:
    """What a row needs to build its request: the caller and a throwaway target."""

    role: Role
    me: str
    admin: Session
    fresh_user: Callable[[], str]
    unit: str = "PDKKD"
    # A serial, not a random number: the periods, years and names built from it
    # must not repeat between the cases of one world (a random one gave two
    # evaluation cases the same round now and then).
    n: int = field(default_factory=lambda: next(_CASE_SERIAL))
    # Targets that cases may share, for a case whose call cannot change its
    # target (a GET, or a call its role is refused); None: every target is new.
    shared: dict[Hashable, Any] | None = None


def _shared(ctx: Ctx, key: Hashable, make: Callable[[], Any]) -> Any:
    """The target ``key`` names: made once and reused by the cases that may share
    it (``Ctx.shared``), so that each case still calls the route itself and checks
    the answer; made afresh for a case whose call may change it."""
    if ctx.shared is None:
        return make()
    if key not in ctx.shared:
        ctx.shared[key] = make()
    return ctx.shared[key]


Request = tuple[str, Any]  # (path, JSON body or None)


@dataclass(frozen=True)
class Row:
    build: Callable[[Ctx, str], Request]
    allowed: Callable[[Role, str], bool]
    variants: tuple[str, ...] = ("-",)
    # The call ends every session of its user (sign-out): make it as a new user
    # of the same role, so that the shared sessions live on.
    own_session: bool = False
    # The call confirms a signature, which needs a sign-in of the last 5 minutes
    # (kernel/reauth.py): the role's account signs in again just before it, as the
    # browser's password dialog does, however long the run has taken so far.
    fresh_sign_in: bool = False


def roles(allowed: frozenset[Role]) -> Callable[[Role, str], bool]:
    return lambda role, _variant: role in allowed


def fixed(path: str, body: Any = None) -> Callable[[Ctx, str], Request]:
    return lambda _ctx, _variant: (path, body)


def _user_update(ctx: Ctx, _v: str) -> Request:
    name = ctx.fresh_user()
    return (f"/api/org/users/{name}", {"full_name": "Người Thử", "email": f"{name}@skhdt.example",
                                       "unit": "PTH", "roles": ["officer"], "title": "",
                                       "version": 1})


def _unit_update(ctx: Ctx, _v: str) -> Request:
    return ("/api/org/units/PTH", {"name": "Phòng Tổng hợp, Quy hoạch", "kind": "specialised",
                                   "parent": "BGD", "version": _version_unit(ctx)})


def _version_unit(ctx: Ctx) -> int:
    units = json.loads(ctx.admin.get("/api/org/units").body)["units"]
    return next(int(u["version"]) for u in units if u["code"] == "PTH")


def _new_delegation(ctx: Ctx, _v: str) -> Request:
    start = f"{2100 + ctx.n % 800}-01-01"
    body = {"delegate": "phogiamdoc", "kind": "KT", "start": start, "end": start}
    if ctx.role == Role.ADMIN:
        body["grantor"] = "giamdoc"
    return ("/api/org/delegations", body)


def _revoke_delegation(ctx: Ctx, variant: str) -> Request:
    grantor = ctx.me if (variant == "own" and ctx.role == Role.LEADER) else "giamdoc"
    if variant == "other":
        grantor = "giamdoc" if ctx.me != "giamdoc" else "phogiamdoc"
    delegate = "chanhvanphong"
    start = f"{3000 + ctx.n % 900}-01-01"
    created = ctx.admin.send("POST", "/api/org/delegations", {
        "grantor": grantor, "delegate": delegate, "kind": "TL", "start": start, "end": start})
    assert created.status_code == 200, created.body
    return (f"/api/org/delegations/{grantor}/{json.loads(created.body)['id']}", None)


def _someone_else(ctx: Ctx) -> str:
    return "giamdoc" if ctx.me != "giamdoc" else "vanthu"


def _audit(suffix: str) -> Callable[[Ctx, str], Request]:
    def build(ctx: Ctx, variant: str) -> Request:
        chain = {"own": f"user:{ctx.me}", "other user": f"user:{_someone_else(ctx)}",
                 "unit": "unit:PDKKD"}[variant]
        return (f"/api/audit/{chain}{suffix}", None)
    return build


def _audit_allowed(role: Role, variant: str) -> bool:
    return variant == "own" or role == Role.ADMIN


AUDIT_VARIANTS = ("own", "other user", "unit")

# ---- incoming documents: the item dimension (own unit / other unit / secret)

DOC_VARIANTS = ("agency", "own unit", "other unit", "secret")
# Who sees a document of each variant, by role (docs/permissions.md). The caller
# is never named on these documents; "own unit" is the caller's unit (PDKKD for
# the officer and the head, the matching unit for the others).
SEES_DOC = {
    Role.CLERK: {"agency", "own unit", "other unit"},
    Role.LEADER: {"agency", "own unit", "other unit"},
    Role.UNIT_HEAD: {"own unit"},
    Role.OFFICER: set(),
    Role.ONE_STOP: set(),
    Role.ADMIN: set(),
    Role.ARCHIVIST: set(),
}


def _doc(ctx: Ctx, variant: str) -> str:
    from datetime import UTC, date, datetime

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata
    from chalicelib.kernel.access import Secrecy

    my_unit = ctx.unit
    other = "PTH" if my_unit != "PTH" else "PDKKD"
    units = {"agency": [], "own unit": [my_unit], "other unit": [other],
             "secret": [my_unit]}[variant]
    doc = incoming.register(
        None, Metadata(so_ky_hieu=f"{ctx.n}/MT-TEST", co_quan_ban_hanh="Sở Thử nghiệm",
                       ngay_ban_hanh=date(2026, 11, 2), trich_yeu="V/v ma trận quyền"),
        arrival=datetime.now(UTC), source="paper", units=units,
        secrecy=Secrecy.MAT if variant == "secret" else Secrecy.NONE,
        people=["giamdoc" if ctx.me != "giamdoc" else "vanthu"] if variant == "secret" else [],
        file={"key": "files/sha256/none", "sha256": uuid.uuid4().hex, "name": "x.pdf"},
        table=Table())
    return str(doc["id"])


def _seen_doc(ctx: Ctx, variant: str) -> str:
    """``_doc`` for a row that only addresses the document (its builder changes
    nothing on it): everything that decides what the document is, is in the key."""
    named = "giamdoc" if ctx.me != "giamdoc" else "vanthu"
    key = ("doc", variant, ctx.unit, named if variant == "secret" else "")
    return str(_shared(ctx, key, lambda: _doc(ctx, variant)))


def _doc_allowed(*extra_roles: Role, only: frozenset[Role] | None = None
                 ) -> Callable[[Role, str], bool]:
    def allowed(role: Role, variant: str) -> bool:
        if only is not None and role not in only:
            return False
        return variant in SEES_DOC[role]
    return allowed


def _correction(ctx: Ctx, variant: str) -> Request:
    doc_id = _seen_doc(ctx, variant)
    return (f"/api/incoming/{doc_id}", {
        "so_ky_hieu": "1/MT-TEST", "co_quan_ban_hanh": "Sở Thử nghiệm",
        "ngay_ban_hanh": "2026-11-02", "trich_yeu": "V/v sửa", "version": 1})


def _rejected_intake(ctx: Ctx, _v: str) -> Request:
    rid = uuid.uuid4().hex
    Table().put({"pk": f"INTAKE#{rid}", "sk": "INTAKE", "kind": "intake", "id": rid,
                 "status": "rejected", "source_bucket": "b", "source_key": "incoming/x.pdf",
                 "created_at": "2026-11-27T00:00:00Z", "version": 1, "gsi1pk": "INTAKE",
                 "gsi1sk": f"2026-11-27T00:00:00Z#{rid}"})
    return (f"/api/intake/{rid}/retry", None)


def _parked_intake(ctx: Ctx, _v: str) -> Request:
    rid = uuid.uuid4().hex
    Table().put({"pk": f"INTAKE#{rid}", "sk": "INTAKE", "kind": "intake", "id": rid,
                 "status": "needs_review", "source_bucket": "b", "source_key": "incoming/x.pdf",
                 "created_at": "2026-11-27T00:00:00Z", "version": 1, "gsi1pk": "INTAKE",
                 "gsi1sk": f"2026-11-27T00:00:00Z#{rid}"})
    return (f"/api/intake/{rid}/reject", {"reason": "Đã vào sổ bản giấy"})


CLERK_ONLY = frozenset({Role.CLERK})

MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/api/auth/logout"): Row(fixed("/api/auth/logout"), roles(ALL), own_session=True),
    ("GET", "/api/auth/me"): Row(fixed("/api/auth/me"), roles(ALL)),
    ("GET", "/api/calendar/add-working-days"): Row(fixed(
        "/api/calendar/add-working-days?start=2026-11-27T09:00:00Z&days=1"), roles(ALL)),
    ("GET", "/api/calendar/days"): Row(fixed("/api/calendar/days?year=2026"), roles(ALL)),
    ("GET", "/api/calendar/overrides"): Row(fixed("/api/calendar/overrides"), roles(ALL)),
    ("PUT", "/api/calendar/overrides"): Row(
        lambda c, v: ("/api/calendar/overrides",
                      {"date": f"{2030 + c.n % 60}-06-06", "working": False, "note": "thử"}),
        roles(ADMIN)),
    ("DELETE", "/api/calendar/overrides/{day}"): Row(
        fixed("/api/calendar/overrides/2031-01-01"), roles(ADMIN)),
    ("GET", "/api/dev/outbox"): Row(fixed("/api/dev/outbox"), roles(ALL)),
    ("GET", "/api/org/units"): Row(fixed("/api/org/units"), roles(ALL)),
    ("POST", "/api/org/units"): Row(
        lambda c, v: ("/api/org/units", {"code": f"T{c.n}", "name": "Tổ thử", "kind": "specialised",
                                         "parent": "BGD"}), roles(ADMIN)),
    ("PUT", "/api/org/units/{code}"): Row(_unit_update, roles(ADMIN)),
    ("GET", "/api/org/options"): Row(fixed("/api/org/options"), roles(ALL)),
    ("GET", "/api/org/users"): Row(fixed("/api/org/users?unit=PDKKD"), roles(ALL)),
    ("GET", "/api/org/users/{username}"): Row(fixed("/api/org/users/giamdoc"), roles(ALL)),
    ("POST", "/api/org/users"): Row(
        lambda c, v: ("/api/org/users", {"username": f"moi{uuid.uuid4().hex[:8]}",
                                         "full_name": "Người Mới", "email": "moi@skhdt.example",
                                         "unit": "PTH", "roles": ["officer"]}), roles(ADMIN)),
    ("PUT", "/api/org/users/{username}"): Row(_user_update, roles(ADMIN)),
    ("POST", "/api/org/users/{username}/disable"): Row(
        lambda c, v: (f"/api/org/users/{c.fresh_user()}/disable", None), roles(ADMIN)),
    ("POST", "/api/org/users/{username}/enable"): Row(
        lambda c, v: (f"/api/org/users/{c.fresh_user()}/enable", None), roles(ADMIN)),
    ("POST", "/api/org/users/{username}/reset-password"): Row(
        lambda c, v: (f"/api/org/users/{c.fresh_user()}/reset-password", None), roles(ADMIN)),
    ("PUT", "/api/org/users/{username}/signature"): Row(
        lambda c, v: (f"/api/org/users/{c.me if v == 'own' else _someone_else(c)}/signature",
                      {"image_base64": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
                                       "2mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}),
        lambda role, v: v == "own" or role == Role.ADMIN, ("own", "other user")),
    ("GET", "/api/org/delegations"): Row(fixed("/api/org/delegations"), roles(LEADERS)),
    ("POST", "/api/org/delegations"): Row(_new_delegation, roles(LEADERS)),
    ("DELETE", "/api/org/delegations/{grantor}/{delegation_id}"): Row(
        _revoke_delegation,
        lambda role, v: role == Role.ADMIN or (role == Role.LEADER and v == "own"),
        ("own", "other")),
    ("GET", "/api/audit/{item_id}"): Row(_audit(""), _audit_allowed, AUDIT_VARIANTS),
    ("GET", "/api/audit/{item_id}/verify"): Row(_audit("/verify"), _audit_allowed, AUDIT_VARIANTS),
    ("GET", "/api/audit/{item_id}/export"): Row(_audit("/export?format=csv"), _audit_allowed,
                                                AUDIT_VARIANTS),
    ("GET", "/api/intake"): Row(fixed("/api/intake"), roles(frozenset({Role.CLERK,
                                                                      Role.LEADER}))),
    ("POST", "/api/intake/{intake_id}/retry"): Row(_rejected_intake, roles(CLERK_ONLY)),
    ("POST", "/api/intake/upload"): Row(fixed("/api/intake/upload"), roles(CLERK_ONLY)),
    ("POST", "/api/intake/{intake_id}/reject"): Row(_parked_intake, roles(CLERK_ONLY)),
    ("GET", "/api/incoming"): Row(fixed("/api/incoming"), roles(ALL)),
    ("GET", "/api/search"): Row(fixed("/api/search?q=van ban"), roles(ALL)),
    ("POST", "/api/incoming"): Row(fixed("/api/incoming", {
        "so_ky_hieu": "5/TB-X", "co_quan_ban_hanh": "Sở X", "trich_yeu": "Giấy"}),
        roles(CLERK_ONLY)),
    ("GET", "/api/incoming/{doc_id}"): Row(
        lambda c, v: (f"/api/incoming/{_seen_doc(c, v)}", None), _doc_allowed(), DOC_VARIANTS),
    ("PUT", "/api/incoming/{doc_id}"): Row(_correction, _doc_allowed(only=CLERK_ONLY),
                                           DOC_VARIANTS),
    ("GET", "/api/incoming/{doc_id}/file"): Row(
        lambda c, v: (f"/api/incoming/{_seen_doc(c, v)}/file", None), _doc_allowed(), DOC_VARIANTS),
}

SHARERS = frozenset({Role.CLERK, Role.LEADER, Role.UNIT_HEAD})
MATRIX[("POST", "/api/items/{item_id}/grants")] = Row(
    lambda c, v: (f"/api/items/incoming:{_seen_doc(c, v)}/grants", {"username": "motcua"}),
    _doc_allowed(only=SHARERS), DOC_VARIANTS)


def _revoke_share(ctx: Ctx, variant: str) -> Request:
    from chalicelib.incoming import service as incoming
    from chalicelib.kernel.identity import Caller

    doc_id = _doc(ctx, variant)
    named = "giamdoc" if ctx.me != "giamdoc" else "vanthu"
    if variant != "secret":  # the secret variant already names that person
        incoming.change_people(Caller(named, frozenset({Role.LEADER})), doc_id, grant=named,
                               table=Table())
    return (f"/api/items/incoming:{doc_id}/grants/{named}", None)


MATRIX[("DELETE", "/api/items/{item_id}/grants/{username}")] = Row(
    _revoke_share, _doc_allowed(only=SHARERS), DOC_VARIANTS)

# ---- handling: distribution, assignment, work on one's own part


def _distributed(ctx: Ctx, variant: str) -> str:
    """A document of the variant, distributed with its lead unit as the variant says."""
    from chalicelib.incoming import handling

    doc_id = _doc(ctx, variant)
    lead = {"agency": "PTH" if ctx.unit != "PTH" else "PDKKD", "own unit": ctx.unit,
            "other unit": "PTH" if ctx.unit != "PTH" else "PDKKD", "secret": ctx.unit}[variant]
    leader = _leader()
    if variant == "secret":  # the secret document names someone else; let the leader act
        from chalicelib.incoming import service as incoming

        incoming.change_people(_named(ctx), doc_id, grant="giamdoc", table=Table())
    handling.distribute(leader, doc_id, lead_unit=lead, lead_deadline=_due(),
                        supporting=[], instruction="", version=_version_of(doc_id), table=Table())
    return doc_id


def _leader() -> Any:
    from chalicelib.kernel.identity import Caller

    return Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD")


def _named(ctx: Ctx) -> Any:
    from chalicelib.kernel.identity import Caller

    name = "giamdoc" if ctx.me != "giamdoc" else "vanthu"
    return Caller(name, frozenset({Role.LEADER if name == "giamdoc" else Role.CLERK}))


def _due() -> Any:
    from datetime import date, timedelta

    from chalicelib.calendar.service import agency_calendar

    return agency_calendar().working_day_on_or_after(date.today() + timedelta(days=14))


def _later_due() -> Any:
    """A working day a few days after ``_due()``, for extensions (whatever today is:
    three calendar days later may be a weekend)."""
    from datetime import timedelta

    from chalicelib.calendar.service import agency_calendar

    return agency_calendar().working_day_on_or_after(_due() + timedelta(days=3))


def _version_of(doc_id: str) -> int:
    return int(Table().get(f"DOC#{doc_id}", "DOC", consistent=True)["version"])


def _with_my_work(ctx: Ctx, variant: str) -> str:
    """'assigned': the caller holds open work on the document; otherwise not."""
    from chalicelib.incoming import service as incoming
    from chalicelib.work.items import work_item
    from chalicelib.work.rules import Part

    doc_id = _doc(ctx, "agency" if variant == "assigned" else variant)
    if variant == "assigned":
        incoming.change_people(_leader(), doc_id, grant=ctx.me, table=Table())
        doc = Table().get(f"DOC#{doc_id}", "DOC", consistent=True)
        Table().put(work_item(doc, f"U#{ctx.me}", Part.SUPPORT, "", _far(),
                                        "giamdoc", ctx.unit))
    return doc_id


def _far() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(days=30)


WORK_VARIANTS = ("assigned", "own unit", "other unit", "secret")


def _work_allowed(role: Role, variant: str) -> bool:
    return variant == "assigned"


MATRIX[("GET", "/api/incoming/{doc_id}/handling")] = Row(
    lambda c, v: (f"/api/incoming/{_seen_doc(c, v)}/handling", None), _doc_allowed(), DOC_VARIANTS)
MATRIX[("GET", "/api/incoming/{doc_id}/slip")] = Row(
    lambda c, v: (f"/api/incoming/{_seen_doc(c, v)}/slip", None), _doc_allowed(), DOC_VARIANTS)
MATRIX[("POST", "/api/incoming/{doc_id}/opinions")] = Row(
    lambda c, v: (f"/api/incoming/{_seen_doc(c, v)}/opinions", {"text": "Ý kiến"}), _doc_allowed(),
    DOC_VARIANTS)
MATRIX[("GET", "/api/incoming/{doc_id}/suggested-deadline")] = Row(
    lambda c, v: (f"/api/incoming/{_seen_doc(c, v)}/suggested-deadline", None),
    _doc_allowed(only=frozenset({Role.LEADER})), DOC_VARIANTS)
MATRIX[("POST", "/api/incoming/{doc_id}/distribute")] = Row(
    lambda c, v: (f"/api/incoming/{_seen_doc(c, v)}/distribute",
                  {"lead_unit": "PDKKD", "lead_deadline": _due().isoformat(), "version": 1}),
    _doc_allowed(only=frozenset({Role.LEADER})), DOC_VARIANTS)
MATRIX[("POST", "/api/incoming/{doc_id}/assign")] = Row(
    lambda c, v: (f"/api/incoming/{_distributed(c, v)}/assign",
                  {"officers": [{"username": c.me}], "version": 2}),
    # Distributing a secret document names the lead unit's head on it, so the head of
    # the caller's unit may assign it too; nobody else may.
    lambda role, v: role == Role.UNIT_HEAD and v in ("own unit", "secret"), DOC_VARIANTS)
MATRIX[("POST", "/api/incoming/{doc_id}/progress")] = Row(
    lambda c, v: (f"/api/incoming/{_with_my_work(c, v)}/progress",
                  {"text": "Đang làm", "progress": 50}), _work_allowed, WORK_VARIANTS)
MATRIX[("POST", "/api/incoming/{doc_id}/send-back")] = Row(
    lambda c, v: (f"/api/incoming/{_with_my_work(c, v)}/send-back", {"reason": "Trả lại"}),
    _work_allowed, WORK_VARIANTS)
MATRIX[("POST", "/api/incoming/{doc_id}/complete")] = Row(
    lambda c, v: (f"/api/incoming/{_with_my_work(c, v)}/complete", {"result": "Xong"}),
    _work_allowed, WORK_VARIANTS)



def _awaiting_review(ctx: Ctx, variant: str) -> str:
    """A distributed document whose lead unit holds an officer's result for review."""
    from chalicelib.kernel.events import iso
    from chalicelib.work.items import closed, work_item
    from chalicelib.work.rules import Part, WorkStatus

    doc_id = _distributed(ctx, variant)
    doc = Table().get(f"DOC#{doc_id}", "DOC", consistent=True)
    unit_part = next(i for i in Table().query(f"DOC#{doc_id}", sk_prefix="WORK#UNIT#").items
                     if i["part"] == "lead")
    officer = work_item(doc, "U#canbo", Part.LEAD, "", _far(), "giamdoc", unit_part["unit"])
    Table().put(closed(officer, WorkStatus.DONE, result="Xong"))
    Table().put({**unit_part, "submitted": {"by": "canbo", "result": "Xong", "answer": None,
                                            "at": iso(_far())}})
    return doc_id


# Only a head of the unit holding the result reviews it (as for assigning).
MATRIX[("POST", "/api/incoming/{doc_id}/completion/approve")] = Row(
    lambda c, v: (f"/api/incoming/{_awaiting_review(c, v)}/completion/approve", {}),
    lambda role, v: role == Role.UNIT_HEAD and v in ("own unit", "secret"), DOC_VARIANTS)
MATRIX[("POST", "/api/incoming/{doc_id}/completion/return")] = Row(
    lambda c, v: (f"/api/incoming/{_awaiting_review(c, v)}/completion/return",
                  {"reason": "Bổ sung"}),
    lambda role, v: role == Role.UNIT_HEAD and v in ("own unit", "secret"), DOC_VARIANTS)

# ---- registers: the agency's (clerk, leaders) and a unit's (also its head)

REGISTER_VARIANTS = ("agency", "own unit", "other unit")


def _register(kind: str) -> Callable[[Ctx, str], Request]:
    def build(ctx: Ctx, variant: str) -> Request:
        unit = {"agency": "", "own unit": f"&unit={ctx.unit}",
                "other unit": "&unit=PTH" if ctx.unit != "PTH" else "&unit=PDKKD"}[variant]
        return (f"/api/registers/{kind}?year=2026{unit}", None)
    return build


def _register_allowed(role: Role, variant: str) -> bool:
    return role in (Role.CLERK, Role.LEADER) or (role == Role.UNIT_HEAD
                                                  and variant == "own unit")


MATRIX[("GET", "/api/registers/incoming")] = Row(_register("incoming"), _register_allowed,
                                                 REGISTER_VARIANTS)
MATRIX[("GET", "/api/registers/tracking")] = Row(_register("tracking"), _register_allowed,
                                                 REGISTER_VARIANTS)

# ---- work tracking

MATRIX[("GET", "/api/work/mine")] = Row(fixed("/api/work/mine"), roles(ALL))
MATRIX[("GET", "/api/work/agency")] = Row(fixed("/api/work/agency"),
                                          roles(frozenset({Role.LEADER})))
MATRIX[("GET", "/api/work/unit")] = Row(
    lambda c, v: ("/api/work/unit?unit=" + (c.unit if v == "own unit" else (
        "PTH" if c.unit != "PTH" else "PDKKD")), None),
    lambda role, v: role == Role.LEADER or (role == Role.UNIT_HEAD and v == "own unit"),
    ("own unit", "other unit"))
# The dashboard: leaders any unit (or all), heads of unit their own only.
MATRIX[("GET", "/api/dashboard")] = Row(
    lambda c, v: ("/api/dashboard?from=2026-11-01&to=2026-11-30" + {
        "all": "", "own unit": "&unit=" + c.unit,
        "other unit": "&unit=" + ("PTH" if c.unit != "PTH" else "PDKKD")}[v], None),
    lambda role, v: role == Role.LEADER or (role == Role.UNIT_HEAD and v != "other unit"),
    ("all", "own unit", "other unit"))
MATRIX[("GET", "/api/me/preferences")] = Row(fixed("/api/me/preferences"), roles(ALL))
MATRIX[("PUT", "/api/me/preferences")] = Row(
    fixed("/api/me/preferences", {"digest": True, "instant": False, "due_soon_days": 3}),
    roles(ALL))

# ---- notifications: one's own / another person's

def _notice(ctx: Ctx, variant: str) -> Request:
    from chalicelib.notifications.notices import notice_id
    from chalicelib.notifications.store import NoticeStore

    owner = ctx.me if variant == "own" else ("giamdoc" if ctx.me != "giamdoc" else "vanthu")
    note = notice_id(uuid.uuid4().hex, "2026-12-07T02:00:00.000Z", owner)
    NoticeStore(Table()).add(owner, {"id": note, "notice_kind": "decided", "title": "Thử",
                                     "link": "/app/work", "created_at": "2026-12-07T02:00:00.000Z"})
    return (f"/api/notifications/{note}/read", None)


MATRIX[("GET", "/api/notifications")] = Row(fixed("/api/notifications"), roles(ALL))
MATRIX[("POST", "/api/notifications/read-all")] = Row(fixed("/api/notifications/read-all"),
                                                      roles(ALL))
MATRIX[("POST", "/api/notifications/{note_id}/read")] = Row(
    _notice, lambda _role, variant: variant == "own", ("own", "other"))

# ---- tasks: the caller's own unit / another unit / assigned to the caller

TASK_VARIANTS = ("own unit", "other unit", "assigned")


def _task(ctx: Ctx, variant: str, by: str = "giamdoc") -> str:
    from chalicelib.bootstrap import tasks
    from chalicelib.kernel.identity import Caller

    lead = {"own unit": ctx.unit, "other unit": "PTH" if ctx.unit != "PTH" else "PDKKD",
            "assigned": ctx.me}[variant]
    assigner = Caller(by, frozenset({Role.LEADER}), unit="BGD")
    return str(tasks().create(assigner, title="Việc thử", description="", lead=lead,
                              supporting=[], deadline=_due(), priority="normal")["id"])


def _seen_task(ctx: Ctx, variant: str, by: str = "giamdoc") -> str:
    """``_task`` for a row that only addresses the task, keyed by all that decides it."""
    key = ("task", variant, by, ctx.unit, ctx.me if variant == "assigned" else "")
    return str(_shared(ctx, key, lambda: _task(ctx, variant, by)))


def _sees_task(role: Role, variant: str) -> bool:
    # Tasks are shared with the unit's officers and head; leaders and the clerk see
    # the agency's; the one-stop desk and administrators only what names them.
    if variant == "assigned" or role in (Role.LEADER, Role.CLERK):
        return True
    return variant == "own unit" and role in (Role.OFFICER, Role.UNIT_HEAD)


MATRIX[("POST", "/api/tasks")] = Row(
    lambda c, v: ("/api/tasks", {"title": "Việc", "lead": c.me if c.role == Role.UNIT_HEAD
                                 else "chuyenvien", "deadline": _due().isoformat()}),
    roles(frozenset({Role.LEADER, Role.UNIT_HEAD})))
MATRIX[("GET", "/api/tasks")] = Row(fixed("/api/tasks"), roles(ALL))
MATRIX[("GET", "/api/tasks/{task_id}")] = Row(
    lambda c, v: (f"/api/tasks/{_seen_task(c, v)}", None), _sees_task, TASK_VARIANTS)
for _action, _body in (("progress", {"progress": 10}), ("complete", {"result": "Xong"}),
                       ("extension", {"until": None, "reason": "Chờ"})):
    MATRIX[("POST", f"/api/tasks/{{task_id}}/{_action}")] = Row(
        (lambda action, body: lambda c, v: (
            f"/api/tasks/{_seen_task(c, v)}/{action}",
            {**body, "until": _later_due().isoformat()}
            if action == "extension" else body))(_action, _body),
        # The assignee's part; a unit's part is its head's to act on.
        lambda role, v: v == "assigned" or (role == Role.UNIT_HEAD and v == "own unit"),
        TASK_VARIANTS)
MATRIX[("POST", "/api/tasks/{task_id}/extension/decision")] = Row(
    # Given by the deputy: no caller of the matrix is the assigner (test_tasks.py
    # covers the assigner's own decisions).
    lambda c, v: (f"/api/tasks/{_seen_task(c, v, by='phogiamdoc')}/extension/decision",
                  {"assignee": c.me, "approve": True}),
    lambda role, v: False, TASK_VARIANTS)
MATRIX[("POST", "/api/tasks/{task_id}/reopen")] = Row(
    lambda c, v: (f"/api/tasks/{_seen_task(c, v, by='phogiamdoc')}/reopen", {"reason": "Mở lại"}),
    lambda role, v: False, TASK_VARIANTS)

# Document trails: the supervisors among those who see the document.
MATRIX[("GET", "/api/audit/{item_id}")] = Row(
    lambda c, v: (f"/api/audit/incoming:{_seen_doc(c, v)}", None) if v in DOC_VARIANTS
    else _audit("")(c, v),
    lambda role, v: (_doc_allowed(only=frozenset({Role.CLERK, Role.LEADER, Role.UNIT_HEAD}))(
        role, v) if v in DOC_VARIANTS else _audit_allowed(role, v)),
    AUDIT_VARIANTS + DOC_VARIANTS)

# ---- meetings: the chair, the scheduler, those invited, the scheduler's head of unit,
# leaders (anyone else: 404); only the chair and the scheduler change or cancel.

MEETING_VARIANTS = ("chair", "scheduler", "invited", "own unit", "other unit")
MEETING_SCHEDULERS = frozenset({Role.LEADER, Role.UNIT_HEAD, Role.CLERK})


def _meeting_body(participants: list[str]) -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    return {"title": "Họp ma trận quyền", "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(), "place": "Phòng họp 1",
            "participants": participants}


def _meeting(ctx: Ctx, variant: str) -> str:
    """A meeting of the variant. phogiamdoc (never a matrix caller) schedules and
    chairs it unless the variant gives that part to the caller; "own unit" is
    scheduled from the caller's unit, "other unit" from another."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.kernel.identity import Caller
    from chalicelib.meetings import service as meetings

    by, chair, invited = "phogiamdoc", "phogiamdoc", ["chanhvanphong"]
    unit = "PTH" if ctx.unit != "PTH" else "PDKKD"
    if variant == "scheduler":
        by, unit = ctx.me, ctx.unit
    elif variant == "chair":
        chair = ctx.me
    elif variant == "invited":
        invited = [ctx.me]
    elif variant == "own unit":
        unit = ctx.unit
    start = datetime.now(UTC) + timedelta(days=5)
    created = meetings.create(
        Caller(by, frozenset({Role.CLERK}), unit=unit),
        meetings.MeetingInput(title="Họp ma trận quyền", start=start,
                              end=start + timedelta(hours=1), place="Phòng họp 1",
                              chair=chair, participants=invited), Table())
    return str(created["id"])


def _seen_meeting(ctx: Ctx, variant: str) -> str:
    """``_meeting`` for a row that only addresses the meeting, keyed by all that
    decides it."""
    key = ("meeting", variant, ctx.unit, ctx.me if variant in ("scheduler", "chair", "invited")
           else "")
    return str(_shared(ctx, key, lambda: _meeting(ctx, variant)))


def _meeting_seen(role: Role, variant: str) -> bool:
    return (variant in ("chair", "scheduler", "invited") or role == Role.LEADER
            or (role == Role.UNIT_HEAD and variant == "own unit"))


def _meeting_run(role: Role, variant: str) -> bool:
    return variant in ("chair", "scheduler")


MATRIX[("POST", "/api/meetings")] = Row(
    lambda c, v: ("/api/meetings", _meeting_body(["chanhvanphong"])), roles(MEETING_SCHEDULERS))
MATRIX[("GET", "/api/meetings")] = Row(fixed("/api/meetings"), roles(ALL))
MATRIX[("GET", "/api/meetings/{meeting_id}")] = Row(
    lambda c, v: (f"/api/meetings/{_seen_meeting(c, v)}", None), _meeting_seen, MEETING_VARIANTS)
MATRIX[("PUT", "/api/meetings/{meeting_id}")] = Row(
    lambda c, v: (f"/api/meetings/{_seen_meeting(c, v)}",
                  {**_meeting_body(["chanhvanphong"]), "place": "Phòng họp 2", "version": 1}),
    _meeting_run, MEETING_VARIANTS)
MATRIX[("POST", "/api/meetings/{meeting_id}/cancel")] = Row(
    lambda c, v: (f"/api/meetings/{_seen_meeting(c, v)}/cancel", {"version": 1, "reason": "Thử"}),
    _meeting_run, MEETING_VARIANTS)
MATRIX[("POST", "/api/meetings/{meeting_id}/letter")] = Row(
    lambda c, v: (f"/api/meetings/{_seen_meeting(c, v)}/letter", {"signer": "giamdoc"}),
    _meeting_run, MEETING_VARIANTS)
MATRIX[("POST", "/api/meetings/{meeting_id}/answer")] = Row(
    lambda c, v: (f"/api/meetings/{_seen_meeting(c, v)}/answer", {"answer": "accept"}),
    lambda role, v: v in ("chair", "invited"), MEETING_VARIANTS)


# ---- outgoing documents: drafted by the caller / in the caller's unit / in another
# unit. The signer is phogiamdoc, never a matrix caller, unless the variant says so.

OUT_VARIANTS = ("mine", "own unit", "other unit")
# Administrators run the organisation and archivists keep the records: neither drafts.
NOT_DRAFTING = frozenset({Role.ADMIN, Role.ARCHIVIST})
DRAFTERS = frozenset(Role) - NOT_DRAFTING


def _drafter(ctx: Ctx, variant: str) -> Any:
    from chalicelib.kernel.identity import Caller

    if variant == "mine":
        return Caller(ctx.me, frozenset({ctx.role}), unit=ctx.unit, auth_time=None)
    unit = ctx.unit if variant == "own unit" else ("PTH" if ctx.unit != "PTH" else "PDKKD")
    return Caller(f"soanthao{unit.lower()}", frozenset({Role.OFFICER}), unit=unit)


def _out(ctx: Ctx, variant: str, state: str = "draft", signer: str = "phogiamdoc") -> str:
    """An outgoing document of the variant, moved to ``state`` (past the draft
    states by writing the status: the matrix tests who may act, not the flow)."""
    from chalicelib.adapters.aws import client
    from chalicelib.kernel.config import get_settings
    from chalicelib.outgoing import service as outgoing
    from tests.pdfs import make_pdf

    drafter = _drafter(ctx, variant)
    doc = outgoing.create(drafter, type_code="CV", subject="Văn bản thử quyền", signer=signer,
                          authority="", recipients_internal=[], recipients_external=[],
                          do_khan="Thường", do_mat="", answers=None, table=Table())
    if state == "draft" or state == "created":
        if state == "draft":
            outgoing.add_version(drafter, doc["id"], make_pdf(["Du thao thu quyen"]),
                                 content_type="application/pdf", comment="",
                                 s3=client("s3"), bucket=get_settings().documents_bucket,
                                 table=Table())
        return str(doc["id"])
    outgoing.add_version(drafter, doc["id"], make_pdf(["Du thao thu quyen"]),
                         content_type="application/pdf", comment="", s3=client("s3"),
                         bucket=get_settings().documents_bucket, table=Table())
    if state == "in_review":
        outgoing.submit(drafter, doc["id"], table=Table())
        return str(doc["id"])
    extra = {"number_text": f"{ctx.n:02d}/SKHĐT-{drafter.unit}", "issued_on": "2026-01-05",
             "issued_key": f"outgoing/{doc['id']}/v0001.pdf"} if state == "issued" else {}
    fields = {"status": state, **extra}
    Table().update(f"OUT#{doc['id']}", "OUT",
                   "SET " + ", ".join(f"#{k} = :{k}" for k in fields),
                   names={f"#{k}": k for k in fields},
                   values={f":{k}": v for k, v in fields.items()})
    return str(doc["id"])


def _seen_out(ctx: Ctx, variant: str, state: str = "draft") -> str:
    """``_out`` for a row that only addresses the document, keyed by all that
    decides it (the drafter: the caller for "mine", else their unit's)."""
    drafter = _drafter(ctx, variant)
    key = ("out", variant, state, drafter.username, drafter.unit)
    return str(_shared(ctx, key, lambda: _out(ctx, variant, state)))


def _sees_out(role: Role, variant: str) -> bool:
    return (variant == "mine" or role in (Role.LEADER, Role.CLERK)
            or (role == Role.UNIT_HEAD and variant == "own unit"))


def _out_route(suffix: str, state: str, body: Any = None) -> Callable[[Ctx, str], Request]:
    return lambda c, v: (f"/api/outgoing/{_seen_out(c, v, state)}{suffix}", body)


def _signing_case(ctx: Ctx, variant: str) -> Request:
    signer = ctx.me if variant == "signer" and ctx.role in (Role.LEADER, Role.UNIT_HEAD) \
        else "phogiamdoc"
    return (f"/api/outgoing/{_out(ctx, 'other unit', 'approved', signer=signer)}/sign", None)


def _pki_owner() -> str:
    from chalicelib.signing import keys as signing_keys

    signing_keys.ensure_dev_pki(["giamdoc"], table=Table())
    return "giamdoc"


def _pki_chain(_ctx: Ctx, _v: str) -> Request:
    from chalicelib.signing import keys as signing_keys

    owner = _pki_owner()
    chain = signing_keys.key_of(owner, table=Table())["chain_pem"]
    return (f"/api/pki/keys/{owner}/chain", {"pem": chain})


def _pki_root(_ctx: Ctx, _v: str) -> Request:
    _pki_owner()
    return ("/api/pki/trust-roots", {"pem": Table().get("PKI", "DEVCA")["pem"]})


def _pki_csr(_ctx: Ctx, _v: str) -> Request:
    from chalicelib.signing import keys as signing_keys

    signing_keys.create_key(None, "phogiamdoc", table=Table())
    return ("/api/pki/keys/phogiamdoc/csr", None)


MATRIX[("POST", "/api/outgoing")] = Row(
    fixed("/api/outgoing", {"type_code": "CV", "subject": "Thử", "signer": "phogiamdoc"}),
    roles(DRAFTERS))
MATRIX[("GET", "/api/outgoing")] = Row(fixed("/api/outgoing"), roles(ALL))
MATRIX[("GET", "/api/outgoing/{doc_id}")] = Row(_out_route("", "draft"), _sees_out, OUT_VARIANTS)
MATRIX[("GET", "/api/outgoing/{doc_id}/file")] = Row(
    _out_route("/file?which=current", "draft"), _sees_out, OUT_VARIANTS)
MATRIX[("POST", "/api/outgoing/{doc_id}/notes")] = Row(
    _out_route("/notes", "draft", {"text": "Góp ý"}), _sees_out, OUT_VARIANTS)
MATRIX[("POST", "/api/outgoing/{doc_id}/versions")] = Row(
    lambda c, v: (f"/api/outgoing/{_out(c, v, 'created')}/versions",
                  __import__("tests.pdfs", fromlist=["make_pdf"]).make_pdf(["Phien ban 2"])),
    lambda role, v: v == "mine", OUT_VARIANTS)
MATRIX[("POST", "/api/outgoing/{doc_id}/compose")] = Row(
    _out_route("/compose", "created", {"body": "Nội dung.", "recipients": ["Như trên;"]}),
    lambda role, v: v == "mine", OUT_VARIANTS)
MATRIX[("POST", "/api/outgoing/{doc_id}/submit")] = Row(
    _out_route("/submit", "draft", {"comment": ""}), lambda role, v: v == "mine", OUT_VARIANTS)
MATRIX[("POST", "/api/outgoing/{doc_id}/review")] = Row(
    # The first step is the head of the drafting unit's (docs/permissions.md).
    _out_route("/review", "in_review", {"approve": True, "comment": ""}),
    lambda role, v: role == Role.UNIT_HEAD and v == "own unit", OUT_VARIANTS)
MATRIX[("POST", "/api/outgoing/{doc_id}/sign")] = Row(
    _signing_case, lambda role, v: role in (Role.LEADER, Role.UNIT_HEAD) and v == "signer",
    ("signer", "not signer"), own_session=True)
MATRIX[("POST", "/api/outgoing/{doc_id}/retry")] = Row(
    _out_route("/retry", "signing_failed"), roles(frozenset({Role.CLERK})), OUT_VARIANTS)
MATRIX[("POST", "/api/outgoing/{doc_id}/issue")] = Row(
    _out_route("/issue", "signed"), roles(frozenset({Role.CLERK})), OUT_VARIANTS)
MATRIX[("POST", "/api/outgoing/{doc_id}/recall")] = Row(
    _out_route("/recall", "issued", {"reason": "Sai sót"}),
    roles(frozenset({Role.CLERK, Role.LEADER})), OUT_VARIANTS)
MATRIX[("POST", "/api/outgoing/{doc_id}/replace")] = Row(
    _out_route("/replace", "issued", {"reason": "Sai nội dung"}),
    lambda role, v: _sees_out(role, v) and role not in NOT_DRAFTING, OUT_VARIANTS)
MATRIX[("GET", "/api/settings/review-chains")] = Row(fixed("/api/settings/review-chains"),
                                                     roles(ALL))
MATRIX[("PUT", "/api/settings/review-chains")] = Row(
    fixed("/api/settings/review-chains", {"chains": {"GM": ["unit_head", "signer"]}}),
    roles(ADMIN))
MATRIX[("GET", "/api/registers/outgoing")] = Row(
    fixed("/api/registers/outgoing?year=2026"), roles(frozenset({Role.CLERK, Role.LEADER})))
MATRIX[("GET", "/api/pki")] = Row(fixed("/api/pki"), roles(ADMIN))
MATRIX[("POST", "/api/pki/keys/{owner}")] = Row(fixed("/api/pki/keys/chanhvanphong"),
                                                roles(ADMIN))
MATRIX[("GET", "/api/pki/keys/{owner}/csr")] = Row(_pki_csr, roles(ADMIN))
MATRIX[("PUT", "/api/pki/keys/{owner}/chain")] = Row(_pki_chain, roles(ADMIN))
MATRIX[("POST", "/api/pki/trust-roots")] = Row(_pki_root, roles(ADMIN))


# ---- complaints: a new case (the desk's), one handled in the caller's unit, in
# another unit, or by the caller as the assigned officer.

CASE_VARIANTS = ("mine", "own unit", "other unit")
DESK = frozenset({Role.CLERK, Role.LEADER})


def _case(ctx: Ctx, variant: str = "new", state: str = "in_progress",
          kind: str = "complaint") -> str:
    from datetime import date, timedelta

    from chalicelib.complaints import service as complaints
    from chalicelib.kernel.identity import Caller

    table = Table()
    case = complaints.submit(None, kind=kind, person={
        "name": "Người Gửi", "phone": "0912345678", "email": "nguoigui@example.vn",
        "protected": False},
        content="Nội dung đơn thử quyền hạn.", decision="Quyết định 1/QĐ",
        decision_date=date.today() - timedelta(days=5) if kind == "complaint" else None,
        channel="online", table=table)
    if variant == "new":
        return str(case["id"])
    desk = Caller("vanthu", frozenset({Role.CLERK}), unit="VP")
    leader = Caller("phogiamdoc", frozenset({Role.LEADER}), unit="BGD")
    if kind == "denunciation":
        complaints.classify(desk, case["id"], kind=kind, complexity="complex", remote=False,
                            multi_site=False, second_of=None, decision_date=None,
                            table=table)
    complaints.accept(desk, case["id"], table)
    unit = ctx.unit if variant in ("mine", "own unit") else (
        "PTH" if ctx.unit != "PTH" else "PDKKD")
    complaints.assign(leader, case["id"], unit=unit,
                      officer=ctx.me if variant == "mine" else None, table=table)
    if state != "in_progress":
        table.update(f"CASE#{case['id']}", "CASE", "SET #s = :s", names={"#s": "status"},
                       values={":s": state})
    return str(case["id"])


def _sees_case(role: Role, variant: str) -> bool:
    return (variant == "mine" or role in (Role.LEADER, Role.CLERK)
            or (role == Role.UNIT_HEAD and variant == "own unit"))


def _handles_case(role: Role, variant: str) -> bool:
    return (variant == "mine" or role == Role.LEADER
            or (role == Role.UNIT_HEAD and variant == "own unit"))


def _seen_case(ctx: Ctx, variant: str, state: str = "in_progress",
               kind: str = "complaint") -> str:
    """``_case`` for a row that only addresses the case, keyed by all that decides it."""
    key = ("case", variant, state, kind, ctx.unit, ctx.me if variant == "mine" else "")
    return str(_shared(ctx, key, lambda: _case(ctx, variant, state, kind)))


def _case_route(suffix: str, body: Any = None, **case: Any) -> Callable[[Ctx, str], Request]:
    return lambda c, v: (f"/api/complaints/{_seen_case(c, v, **case)}{suffix}", body)


def _paused_case(ctx: Ctx, variant: str) -> Request:
    from chalicelib.complaints import service as complaints
    from chalicelib.kernel.identity import Caller

    case_id = _case(ctx, variant, kind="denunciation")
    complaints.pause(Caller("phogiamdoc", frozenset({Role.LEADER}), unit="BGD"), case_id,
                     reason="Chờ kết quả giám định", table=Table())
    return (f"/api/complaints/{case_id}/resume", None)


def _dialogue_body() -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=4)
    return {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(),
            "place": "Phòng tiếp công dân"}


_FILING = {"kind": "petition", "name": "Người Gửi", "phone": "0912345678",
           "content": "Kiến nghị về thủ tục đăng ký.", "channel": "letter"}
MATRIX[("POST", "/api/complaints")] = Row(fixed("/api/complaints", _FILING), roles(DESK))
MATRIX[("GET", "/api/complaints")] = Row(fixed("/api/complaints"), roles(ALL))
MATRIX[("GET", "/api/complaints/{case_id}")] = Row(_case_route(""), _sees_case, CASE_VARIANTS)
MATRIX[("GET", "/api/complaints/{case_id}/identity")] = Row(
    _case_route("/identity"), _sees_case, CASE_VARIANTS)
for _action, _body in (("classify", {"kind": "petition"}), ("accept", None),
                       ("transfer", {"to": "UBND quận Ba Đình",
                                     "reason": "Không thuộc thẩm quyền"}),
                       ("refuse", {"reason": "Đơn nặc danh"})):
    MATRIX[("POST", f"/api/complaints/{{case_id}}/{_action}")] = Row(
        (lambda a, b: lambda c, v: (f"/api/complaints/{_case(c, 'new')}/{a}", b))(
            _action, _body), roles(DESK))
MATRIX[("POST", "/api/complaints/{case_id}/merge")] = Row(
    lambda c, v: (f"/api/complaints/{_case(c, 'new')}/merge", {"into": _case(c, "new")}),
    roles(DESK))
MATRIX[("POST", "/api/complaints/{case_id}/assign")] = Row(
    lambda c, v: (f"/api/complaints/{_case(c, v)}/assign",
                  {"unit": c.unit if c.role == Role.UNIT_HEAD else "PDKKD"}),
    # Cases of the head's own unit ("mine" is handled in the caller's unit too).
    lambda role, v: role == Role.LEADER or (role == Role.UNIT_HEAD and v != "other unit"),
    CASE_VARIANTS)
MATRIX[("POST", "/api/complaints/{case_id}/notes")] = Row(
    _case_route("/notes", {"text": "Đã xác minh."}), _handles_case, CASE_VARIANTS)
MATRIX[("POST", "/api/complaints/{case_id}/dialogue")] = Row(
    lambda c, v: (f"/api/complaints/{_case(c, v)}/dialogue", _dialogue_body()),
    _handles_case, CASE_VARIANTS)
MATRIX[("POST", "/api/complaints/{case_id}/answer")] = Row(
    _case_route("/answer", {"signer": "giamdoc", "body": "Trả lời nội dung đơn thư."}),
    lambda role, v: _handles_case(role, v) and (
        # The answer is an outgoing draft: drafting is not an administrator's work,
        # nor an archivist's.
        role not in NOT_DRAFTING), CASE_VARIANTS)
MATRIX[("POST", "/api/complaints/{case_id}/close")] = Row(
    _case_route("/close", state="settled"), _handles_case, CASE_VARIANTS)
MATRIX[("POST", "/api/complaints/{case_id}/extend")] = Row(
    _case_route("/extend", {"days": 30, "decision": "QĐ gia hạn 1/QĐ"}, kind="denunciation"),
    roles(frozenset({Role.LEADER})), ("other unit",))
MATRIX[("POST", "/api/complaints/{case_id}/pause")] = Row(
    _case_route("/pause", {"reason": "Chờ giám định"}, kind="denunciation"),
    roles(frozenset({Role.LEADER})), ("other unit",))
MATRIX[("POST", "/api/complaints/{case_id}/resume")] = Row(
    _paused_case, roles(frozenset({Role.LEADER})), ("other unit",))
MATRIX[("GET", "/api/reports/complaints")] = Row(fixed("/api/reports/complaints"),
                                                 roles(frozenset({Role.LEADER})))


# ---- one-stop dossiers: at the desk (its first step) / at a step of the caller's unit.

DOSSIER_VARIANTS = ("at the desk", "own unit")
ONE_STOP_DESK = frozenset({Role.ONE_STOP, Role.LEADER})


def _dossier(ctx: Ctx, variant: str, status: int | None = None, *,
             at_signing: bool = False) -> str:
    """``at_signing``: the dossier is at its result-signing step (the only step
    where the result is signed), held by the desk or by the caller's unit."""
    from chalicelib.kernel.identity import Caller
    from chalicelib.onestop import service as onestop
    from chalicelib.onestop.catalogue import SEED_PROCEDURES

    table = Table()
    onestop.ensure_catalogue(table)
    proc = next(p for p in SEED_PROCEDURES if p.code == "DKDN-TAMNGUNG")
    d = onestop.receive(Caller("motcua", frozenset({Role.ONE_STOP}), unit="MC"),
                        procedure_code=proc.code,
                        applicant={"name": "Người Nộp", "phone": "0912345678"}, papers={},
                        seen=[p.code for p in proc.papers if p.required], channel="in_person",
                        table=table)
    from chalicelib.onestop.rules import signs_result

    step = next(i for i, x in enumerate(d["steps"]) if signs_result(x)) if at_signing else 0
    holder = ctx.unit if variant == "own unit" else "MC"
    if variant == "own unit" or at_signing:
        steps = [dict(x) for x in d["steps"]]
        steps[step]["unit"] = holder
        table.update(d["pk"], "DOSSIER", "SET steps = :s, #u = :u, step_index = :i",
                     names={"#u": "units"},
                     values={":s": steps, ":u": sorted({"MC", holder}), ":i": step})
    if status == 9:  # resolved: past its signing step, so with its signed result
        table.update(d["pk"], "DOSSIER", "SET result_status = :r, result_key = :k",
                     values={":r": "signed", ":k": f"results/{d['id']}.pdf"})
    if status == 5:  # waiting for papers, asked for as the desk would
        onestop.request_supplement(Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD"),
                                   d["id"], papers=["Bản sao"], note="", table=table)
    elif status is not None:
        table.update(d["pk"], "DOSSIER", "SET #s = :s", names={"#s": "status"},
                     values={":s": status})
    return str(d["id"])


def _seen_dossier(ctx: Ctx, variant: str, status: int | None = None, *,
                  at_signing: bool = False) -> str:
    """``_dossier`` for a row that only addresses the dossier, keyed by all that
    decides it."""
    key = ("dossier", variant, status, at_signing, ctx.unit)
    return str(_shared(ctx, key, lambda: _dossier(ctx, variant, status, at_signing=at_signing)))


def _sees_dossier(role: Role, variant: str) -> bool:
    return role in (Role.ONE_STOP, Role.LEADER, Role.CLERK) or (
        variant == "own unit" and role in (Role.OFFICER, Role.UNIT_HEAD))


def _acts_on_dossier(role: Role, variant: str) -> bool:
    """The current step's unit, or a leader; the desk's first step is the one-stop's."""
    if role == Role.LEADER:
        return True
    if variant == "at the desk":
        return role == Role.ONE_STOP
    return role in (Role.OFFICER, Role.UNIT_HEAD, Role.ONE_STOP, Role.CLERK)


MATRIX[("POST", "/api/dossiers")] = Row(
    fixed("/api/dossiers", {"procedure": "DKDN-TAMNGUNG", "papers_seen": ["TB-TN"],
                            "applicant": {"name": "Người Nộp", "phone": "0912345678"}}),
    roles(ONE_STOP_DESK))
MATRIX[("GET", "/api/dossiers")] = Row(fixed("/api/dossiers"), roles(ALL))
MATRIX[("GET", "/api/dossiers/{dossier_id}")] = Row(
    lambda c, v: (f"/api/dossiers/{_seen_dossier(c, v)}", None), _sees_dossier, DOSSIER_VARIANTS)
MATRIX[("POST", "/api/dossiers/{dossier_id}/advance")] = Row(
    lambda c, v: (f"/api/dossiers/{_seen_dossier(c, v)}/advance", {"note": ""}),
    _acts_on_dossier, DOSSIER_VARIANTS)
MATRIX[("POST", "/api/dossiers/{dossier_id}/supplement")] = Row(
    lambda c, v: (f"/api/dossiers/{_seen_dossier(c, v)}/supplement", {"papers": ["Bản sao"]}),
    _acts_on_dossier, DOSSIER_VARIANTS)
MATRIX[("POST", "/api/dossiers/{dossier_id}/stop")] = Row(
    lambda c, v: (f"/api/dossiers/{_seen_dossier(c, v)}/stop", {"reason": "Thử"}),
    _acts_on_dossier, DOSSIER_VARIANTS)
MATRIX[("POST", "/api/dossiers/{dossier_id}/supplied")] = Row(
    lambda c, v: (f"/api/dossiers/{_seen_dossier(c, v, status=5)}/supplied", None),
    roles(ONE_STOP_DESK), DOSSIER_VARIANTS)
MATRIX[("POST", "/api/dossiers/{dossier_id}/return")] = Row(
    lambda c, v: (f"/api/dossiers/{_seen_dossier(c, v, status=9)}/return", {"how": "in_person"}),
    roles(ONE_STOP_DESK), DOSSIER_VARIANTS)
MATRIX[("POST", "/api/dossiers/{dossier_id}/result")] = Row(
    # Signing needs a fresh sign-in: the head's own new session (own_session).
    lambda c, v: (f"/api/dossiers/{_seen_dossier(c, v, at_signing=True)}/result", None),
    lambda role, v: role == Role.LEADER or (role == Role.UNIT_HEAD and v == "own unit"),
    DOSSIER_VARIANTS, own_session=True)
MATRIX[("GET", "/api/dossiers/{dossier_id}/result")] = Row(
    lambda c, v: (f"/api/dossiers/{_seen_dossier(c, v, at_signing=True)}/result", None),
    lambda role, v: False, DOSSIER_VARIANTS)
MATRIX[("GET", "/api/dossiers/{dossier_id}/receipt")] = Row(
    lambda c, v: (f"/api/dossiers/{_seen_dossier(c, v)}/receipt", None), _sees_dossier,
    DOSSIER_VARIANTS)
def _refusal(_ctx: Ctx, _v: str) -> Request:
    from chalicelib.kernel.identity import Caller
    from chalicelib.onestop import service as onestop

    onestop.ensure_catalogue(Table())
    made = onestop.refuse_at_desk(Caller("motcua", frozenset({Role.ONE_STOP}), unit="MC"),
                                  procedure_code="DKDN-TAMNGUNG",
                                  applicant={"name": "Người Nộp", "phone": "0912345678"},
                                  missing=["TB-TN"], reason="", table=Table())
    return (f"/api/dossier-refusals/{made['id']}/slip", None)


MATRIX[("POST", "/api/dossier-refusals")] = Row(
    fixed("/api/dossier-refusals", {"procedure": "DKDN-TAMNGUNG", "missing": ["TB-TN"],
                                    "applicant": {"name": "Người Nộp", "phone": "0912345678"}}),
    roles(ONE_STOP_DESK))
MATRIX[("GET", "/api/dossier-refusals/{refusal_id}/slip")] = Row(_refusal, roles(ONE_STOP_DESK))
MATRIX[("GET", "/api/reports/form06")] = Row(
    fixed("/api/reports/form06?from=2026-11-01&to=2026-11-30"), roles(ONE_STOP_DESK))


# ---- staff evaluation: a person (oneself / of PDKKD / of another unit); a round of
# the caller's unit / of another unit (each case its own period, so rounds start open)

EVAL_PERSON_VARIANTS = ("own", "PDKKD person", "other unit person")


def _eval_person(ctx: Ctx, variant: str) -> str:
    if variant == "own":
        return ctx.me
    if variant == "PDKKD person":
        return "chuyenvien" if ctx.me != "chuyenvien" else "truongphong"
    return "vanthu" if ctx.me != "vanthu" else "motcua"


def _eval_person_allowed(role: Role, variant: str) -> bool:
    # The person, the heads of their unit (the matrix's head is PDKKD's), leaders.
    return variant == "own" or role == Role.LEADER or (
        role == Role.UNIT_HEAD and variant == "PDKKD person")


def _eval(suffix: str) -> Callable[[Ctx, str], Request]:
    return lambda c, v: (f"/api/evaluation/{_eval_person(c, v)}{suffix}", None)


def _round_unit(ctx: Ctx, variant: str) -> str:
    return ctx.unit if variant == "own unit" else ("PTH" if ctx.unit != "PTH" else "PDKKD")


def _round_period(ctx: Ctx) -> str:
    return f"{2030 + ctx.n % 60}-{1 + (ctx.n // 60) % 12:02d}"


def _round(suffix: str, body: Any = None) -> Callable[[Ctx, str], Request]:
    return lambda c, v: (f"/api/evaluation/rounds/{_round_unit(c, v)}/{_round_period(c)}"
                         f"{suffix}", body)


def _head_of_round(role: Role, variant: str) -> bool:
    return role == Role.LEADER or (role == Role.UNIT_HEAD and variant == "own unit")


def _proposal(ctx: Ctx, variant: str) -> Request:
    unit = _round_unit(ctx, variant)
    who = "chuyenvien" if unit == "PDKKD" else ctx.fresh_user()
    return (f"/api/evaluation/rounds/{unit}/{_round_period(ctx)}/people/{who}",
            {"general_points": 20, "note": "Thử"})


def _decided_round(ctx: Ctx, variant: str) -> Request:
    from chalicelib.bootstrap import evaluations
    from chalicelib.evaluation.band_rules import Band
    from chalicelib.kernel.identity import Caller

    unit, period = _round_unit(ctx, variant), _round_period(ctx)
    decided = evaluations().decide(Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD"),
                                   unit, period, unit_band=Band.HTT, decisions=[], version=0)
    return (f"/api/evaluation/rounds/{unit}/{period}/publish", {"version": decided["version"]})


def _failed_forms(ctx: Ctx, variant: str) -> Request:
    """A published round whose forms failed to sign: what "sign again" is for."""
    from chalicelib.bootstrap import evaluations
    from chalicelib.evaluation.band_rules import Band
    from chalicelib.kernel.events import utcnow
    from chalicelib.kernel.identity import Caller

    unit, period = _round_unit(ctx, variant), _round_period(ctx)
    leader = Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD", auth_time=utcnow())
    use_cases = evaluations()
    decided = use_cases.decide(leader, unit, period, unit_band=Band.HTT, decisions=[],
                               version=0)
    use_cases.publish(leader, unit, period, decided["version"])

    # As a failed signing step leaves it (a unit may have no one to sign for).
    store = use_cases.store
    header = store.header(unit, period)
    uow = store.unit_of_work()
    store.save_header(uow, unit, period, header, {**header, "forms_status": "failed",
                                                  "forms_failure": "KMS unavailable"})
    uow.commit()
    return (f"/api/evaluation/rounds/{unit}/{period}/forms/sign", None)


def _done_item(ctx: Ctx, variant: str) -> Request:
    from chalicelib.bootstrap import tasks
    from chalicelib.kernel.identity import Caller

    person = "chuyenvien" if variant == "PDKKD item" else ctx.fresh_user()
    unit = "PDKKD" if variant == "PDKKD item" else "PTH"
    task_id = tasks().create(Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD"),
                             title="Việc chấm", description="", lead=person, supporting=[],
                             deadline=_due(), priority="normal")["id"]
    tasks().complete(Caller(person, frozenset({Role.OFFICER}), unit=unit), task_id, "Xong")
    return ("/api/evaluation/marks", {"item_id": f"TASK#{task_id}/WORK#U#{person}",
                                      "mark": "tot", "reason": "Thử"})


MATRIX[("GET", "/api/evaluation/{username}")] = Row(
    _eval("?period=2026-11"), _eval_person_allowed, EVAL_PERSON_VARIANTS)
MATRIX[("GET", "/api/evaluation/{username}/items")] = Row(
    _eval("/items?period=2026-11&field=completed"), _eval_person_allowed, EVAL_PERSON_VARIANTS)
MATRIX[("GET", "/api/evaluation/{username}/form")] = Row(
    _eval("/form?period=2026-11"), _eval_person_allowed, EVAL_PERSON_VARIANTS)
MATRIX[("POST", "/api/evaluation/marks")] = Row(
    _done_item, lambda role, v: role == Role.LEADER or (role == Role.UNIT_HEAD
                                                        and v == "PDKKD item"),
    ("PDKKD item", "PTH item"))
MATRIX[("GET", "/api/evaluation/rounds/{unit}/{period}")] = Row(
    _round(""), _head_of_round, ("own unit", "other unit"))
MATRIX[("GET", "/api/evaluation/rounds/{unit}/{period}/export")] = Row(
    _round("/export"), _head_of_round, ("own unit", "other unit"))
MATRIX[("PUT", "/api/evaluation/rounds/{unit}/{period}/self")] = Row(
    _round("/self", {"text": "Tự đánh giá", "band": "HTT"}),
    lambda _role, v: v == "own unit", ("own unit", "other unit"))
MATRIX[("PUT", "/api/evaluation/rounds/{unit}/{period}/people/{username}")] = Row(
    _proposal, lambda role, v: role == Role.UNIT_HEAD and v == "own unit",
    ("own unit", "other unit"))
MATRIX[("POST", "/api/evaluation/rounds/{unit}/{period}/decision")] = Row(
    _round("/decision", {"unit_band": "HTT", "version": 0, "decisions": []}),
    lambda role, _v: role == Role.LEADER, ("own unit", "other unit"))
MATRIX[("POST", "/api/evaluation/rounds/{unit}/{period}/publish")] = Row(
    _decided_round, lambda role, _v: role == Role.LEADER, ("own unit", "other unit"),
    fresh_sign_in=True)
MATRIX[("POST", "/api/evaluation/rounds/{unit}/{period}/forms/sign")] = Row(
    _failed_forms, lambda role, _v: role == Role.LEADER, ("own unit", "other unit"),
    fresh_sign_in=True)


# ---- case files and the archive: a unit's list or case file (the caller's unit /
# another); each case its own year, so that lists start as drafts

ARCHIVE_VARIANTS = ("own unit", "other unit")
# A person of each unit the sessions belong to, responsible for the unit's files.
UNIT_MEMBER = {"PDKKD": "chuyenvien", "VP": "vanthu", "BGD": "giamdoc", "MC": "motcua"}
ARCHIVE_READERS = frozenset({Role.LEADER, Role.CLERK, Role.ARCHIVIST})


def _archive_unit(ctx: Ctx, variant: str) -> str:
    if variant == "own unit":
        return ctx.unit
    return "PDKKD" if ctx.unit != "PDKKD" else "VP"


# Even years, one per case in turn: fifty of them outlast the 25 cases between two
# restores of the world, and the odd year after each is free for copy-forward.
_ARCHIVE_YEARS = itertools.cycle(range(2000, 2100, 2))


def _archive_year(ctx: Ctx) -> int:
    if not hasattr(ctx, "archive_year"):
        ctx.archive_year = next(_ARCHIVE_YEARS)  # type: ignore[attr-defined]
    return int(ctx.archive_year)  # type: ignore[attr-defined]


def _filed_doc(person: str) -> str:
    """An incoming document naming ``person``, its PDF in the documents bucket."""
    import os
    from datetime import UTC, date, datetime

    import boto3

    from chalicelib.incoming import service as incoming
    from chalicelib.incoming.rules import Metadata

    key = f"files/sha256/{uuid.uuid4().hex}"
    boto3.client("s3").put_object(Bucket=os.environ["DOCUMENTS_BUCKET"], Key=key,
                                  Body=b"%PDF-1.4 luu tru\n%%EOF\n")
    return str(incoming.register(
        None, Metadata(so_ky_hieu="3/MT-LT", co_quan_ban_hanh="Sở Thử nghiệm",
                       ngay_ban_hanh=date(2026, 11, 2), trich_yeu="V/v lưu trữ"),
        arrival=datetime.now(UTC), source="paper", people=[person],
        file={"key": key, "sha256": uuid.uuid4().hex, "name": "x.pdf"}, table=Table())["id"])


def _case_file(ctx: Ctx, variant: str, state: str = "open") -> dict[str, Any]:
    """A case file of the variant's unit, in ``state``: draft (its list not
    approved), open, filed (open with one document) or closed."""
    from chalicelib.archive.rules import ItemKind
    from chalicelib.bootstrap import archive
    from chalicelib.kernel.identity import Caller

    unit, year = _archive_unit(ctx, variant), _archive_year(ctx)
    member = UNIT_MEMBER[unit]
    head = Caller("truongdonvi", frozenset({Role.UNIT_HEAD}), unit=unit)
    f = archive().add_file(head, unit, year, code=f"M{ctx.n}", title="Hồ sơ thử quyền",
                           group="TH-04", responsible=member)
    if state == "draft":
        return f
    listed = archive().year_list(head, unit, year)
    archive().approve(Caller("giamdoc", frozenset({Role.LEADER}), unit="BGD"), unit, year,
                      listed["version"])
    if state == "open":
        return archive().view(head, f["id"])
    person = Caller(member, frozenset({Role.OFFICER}), unit=unit)
    filed = archive().file_item(person, f["id"], ItemKind.INCOMING, _filed_doc(member))
    if state == "filed":
        return filed
    closed = archive().close(person, f["id"], filed["version"])
    if state == "closed":
        return closed
    return archive().hand_over(Caller("luutru", frozenset({Role.ARCHIVIST}), unit="VP"),
                               f["id"], closed["version"])


def _archive_list(suffix: str) -> Callable[[Ctx, str], Request]:
    return lambda c, v: (f"/api/archive/lists/{_archive_unit(c, v)}/{_archive_year(c)}{suffix}",
                         None)


def _list_entry(ctx: Ctx, variant: str) -> Request:
    unit = _archive_unit(ctx, variant)
    return (f"/api/archive/lists/{unit}/{_archive_year(ctx)}/files", {
        "code": f"N{ctx.n}", "title": "Hồ sơ thử quyền", "group": "TH-04",
        "responsible": UNIT_MEMBER[unit]})


def _list_to_approve(ctx: Ctx, variant: str) -> Request:
    from chalicelib.bootstrap import archive
    from chalicelib.kernel.identity import Caller

    f = _case_file(ctx, variant, "draft")
    head = Caller("truongdonvi", frozenset({Role.UNIT_HEAD}), unit=f["unit"])
    version = archive().year_list(head, f["unit"], int(f["year"]))["version"]
    return (f"/api/archive/lists/{f['unit']}/{f['year']}/approve", {"version": version})


def _list_to_copy(ctx: Ctx, variant: str) -> Request:
    f = _case_file(ctx, variant, "draft")
    return (f"/api/archive/lists/{f['unit']}/{f['year']}/copy-forward", None)


def _archive_file(suffix: str, state: str = "open", body: Any = None
                  ) -> Callable[[Ctx, str], Request]:
    def build(ctx: Ctx, variant: str) -> Request:
        key = ("case file", state, _archive_unit(ctx, variant))
        f = _shared(ctx, key, lambda: _case_file(ctx, variant, state))
        payload = body(ctx, f) if callable(body) else body
        return (f"/api/archive/files/{f['id']}{suffix}", payload)
    return build


def _sees_unit_archive(role: Role, variant: str) -> bool:
    return role in ARCHIVE_READERS or (variant == "own unit" and role != Role.ADMIN)


def _files_into(role: Role, variant: str) -> bool:
    # The people of the file's unit; administrators manage users, not records.
    return variant == "own unit" and role != Role.ADMIN


def _closes(role: Role, variant: str) -> bool:
    # The person responsible (the unit's member, who is the caller for these roles)
    # or the head of the unit.
    return variant == "own unit" and role not in (Role.ADMIN, Role.ARCHIVIST)


def _suggest(ctx: Ctx, _v: str) -> Request:
    return (f"/api/archive/suggest?kind=incoming&ref={_filed_doc(ctx.me)}", None)


MATRIX[("GET", "/api/archive/catalogue")] = Row(fixed("/api/archive/catalogue"), roles(ALL))
MATRIX[("GET", "/api/archive/lists/{unit}/{year}")] = Row(
    _archive_list(""), _sees_unit_archive, ARCHIVE_VARIANTS)
MATRIX[("POST", "/api/archive/lists/{unit}/{year}/files")] = Row(
    _list_entry, lambda role, v: role == Role.UNIT_HEAD and v == "own unit", ARCHIVE_VARIANTS)
MATRIX[("POST", "/api/archive/lists/{unit}/{year}/approve")] = Row(
    _list_to_approve, lambda role, _v: role == Role.LEADER, ARCHIVE_VARIANTS)
MATRIX[("POST", "/api/archive/lists/{unit}/{year}/copy-forward")] = Row(
    _list_to_copy, lambda role, v: role == Role.UNIT_HEAD and v == "own unit", ARCHIVE_VARIANTS)
MATRIX[("GET", "/api/archive/files/{file_id}")] = Row(
    _archive_file(""), _sees_unit_archive, ARCHIVE_VARIANTS)
MATRIX[("GET", "/api/archive/files/{file_id}/export")] = Row(
    _archive_file("/export", "filed"), _sees_unit_archive, ARCHIVE_VARIANTS)
MATRIX[("POST", "/api/archive/files/{file_id}/items")] = Row(
    _archive_file("/items", body=lambda c, _f: {"kind": "incoming", "ref": _filed_doc(c.me)}),
    _files_into, ARCHIVE_VARIANTS)
MATRIX[("POST", "/api/archive/files/{file_id}/close")] = Row(
    _archive_file("/close", "filed", body=lambda _c, f: {"version": f["version"]}),
    _closes, ARCHIVE_VARIANTS)
MATRIX[("GET", "/api/archive/files/{file_id}/handover-record")] = Row(
    _archive_file("/handover-record", "handed_over"), lambda role, _v: role == Role.ARCHIVIST,
    ARCHIVE_VARIANTS)


def _expired_file(ctx: Ctx, variant: str) -> dict[str, Any]:
    """A handed-over case file whose retention has run out (its end moved to the
    past in the table, as time would), in the local bucket without Object Lock."""
    f = _case_file(ctx, variant, "handed_over")
    Table().update(f"CASEFILE#{f['id']}", "FILE", "SET retain_until = :d",
                   values={":d": "2000-01-01"})
    return f


def _disposal(ctx: Ctx, variant: str) -> str:
    from chalicelib.bootstrap import archive
    from chalicelib.kernel.identity import Caller

    f = _expired_file(ctx, variant)
    return str(archive().propose_disposal(Caller("luutru", frozenset({Role.ARCHIVIST}),
                                                 unit="VP"), [f["id"]], "Hết giá trị")["id"])


MATRIX[("POST", "/api/archive/disposals")] = Row(
    lambda c, v: ("/api/archive/disposals", {"file_ids": [_expired_file(c, v)["id"]],
                                             "reason": "Hết giá trị"}),
    lambda role, _v: role == Role.ARCHIVIST, ARCHIVE_VARIANTS)
MATRIX[("GET", "/api/archive/disposals/{disposal_id}")] = Row(
    lambda c, v: (f"/api/archive/disposals/{_disposal(c, v)}", None),
    roles(frozenset({Role.ARCHIVIST, Role.LEADER})))
MATRIX[("POST", "/api/archive/disposals/{disposal_id}/decision")] = Row(
    lambda c, v: (f"/api/archive/disposals/{_disposal(c, v)}/decision",
                  {"approve": True, "note": "Đồng ý", "version": 1}),
    roles(frozenset({Role.LEADER})))
MATRIX[("GET", "/api/archive/suggest")] = Row(_suggest, roles(ALL))
MATRIX[("GET", "/api/archive/handover")] = Row(fixed("/api/archive/handover"),
                                               roles(frozenset({Role.ARCHIVIST})))
MATRIX[("POST", "/api/archive/files/{file_id}/handover")] = Row(
    _archive_file("/handover", "closed", body=lambda _c, f: {"version": f["version"]}),
    lambda role, _v: role == Role.ARCHIVIST, ARCHIVE_VARIANTS)



# ---- hand-over records over several files and reading grants: archivists only.
# Every case needs a handed-over file, which costs a list, a filing, a closing
# and a hand-over: one is made and reused until the world is restored.
ARCHIVIST_ONLY = roles(frozenset({Role.ARCHIVIST}))
_ARCHIVED: dict[str, str] = {}


def _keeper() -> Any:
    from chalicelib.kernel.identity import Caller

    return Caller("luutru", frozenset({Role.ARCHIVIST}), unit="VP")


def _archived_file(ctx: Ctx, variant: str) -> str:
    from chalicelib.bootstrap import archive

    known = _ARCHIVED.get("id")
    if known:
        f = archive().store.get(known)
        if f is not None and f["status"] == "handed_over":
            return known
    _ARCHIVED["id"] = str(_case_file(ctx, variant, "handed_over")["id"])
    return _ARCHIVED["id"]


def _handover_record(ctx: Ctx, variant: str) -> str:
    from chalicelib.bootstrap import archive

    return str(archive().make_handover_record(_keeper(), [_archived_file(ctx, variant)])["id"])


def _grant_body(*_: Any) -> dict[str, Any]:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    return {"username": "chuyenvien", "until": (today + timedelta(days=30)).isoformat()}


def _granted(ctx: Ctx, variant: str) -> Request:
    from datetime import date

    from chalicelib.bootstrap import archive

    file_id, body = _archived_file(ctx, variant), _grant_body()
    archive().grant_reading(_keeper(), file_id, body["username"],
                            date.fromisoformat(body["until"]))
    return (f"/api/archive/files/{file_id}/grants/chuyenvien", None)


MATRIX[("POST", "/api/archive/handover-records")] = Row(
    lambda c, v: ("/api/archive/handover-records", {"file_ids": [_archived_file(c, v)]}),
    ARCHIVIST_ONLY)
MATRIX[("GET", "/api/archive/handover-records/{record_id}")] = Row(
    lambda c, v: (f"/api/archive/handover-records/{_handover_record(c, v)}", None),
    ARCHIVIST_ONLY)
MATRIX[("GET", "/api/archive/handover-records/{record_id}/pdf")] = Row(
    lambda c, v: (f"/api/archive/handover-records/{_handover_record(c, v)}/pdf", None),
    ARCHIVIST_ONLY)
MATRIX[("POST", "/api/archive/files/{file_id}/grants")] = Row(
    lambda c, v: (f"/api/archive/files/{_archived_file(c, v)}/grants", _grant_body()),
    ARCHIVIST_ONLY)
MATRIX[("DELETE", "/api/archive/files/{file_id}/grants/{username}")] = Row(
    _granted, ARCHIVIST_ONLY)


# ---- the ISO process library: a fresh procedure per case (a draft blocks the
# next draft of the same procedure); the drafter and reviewer are nobody of the
# matrix, so that "not one's own draft" never decides a case.

EDITORS = frozenset({Role.ADMIN, Role.UNIT_HEAD, Role.LEADER})
ISO_STEPS = [{"name": "Kiểm tra nội dung", "days": "1", "review_step": "unit_head"},
             {"name": "Duyệt ký", "days": "1", "review_step": "signer"}]
ISO_UNITS = ["BGD", "VP", "PDKKD", "MC", "PTH"]


def _iso_content(version: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"steps": ISO_STEPS, "units": ISO_UNITS, "reason": "Thử quyền",
                            "change_summary": "Thử quyền"}
    if version is not None:
        body["version"] = version
    return body


def _iso_procedure(ctx: Ctx, stage: str = "none") -> str:
    """A fresh review procedure: without versions, with a draft, a reviewed
    draft, or version 1 approved and sent to everyone."""
    from datetime import date

    from chalicelib.bootstrap import iso_library
    from chalicelib.iso.rules import Kind
    from chalicelib.kernel.identity import Caller

    drafter = Caller("isodrafter", frozenset({Role.ADMIN}), unit="VP")
    lib = iso_library()
    code = f"QT-M{uuid.uuid4().int % 10**8}-01"
    pid = lib.create(drafter, code=code, title="Quy trình thử quyền", kind=Kind.REVIEW,
                     owner="giamdoc", owner_unit="BGD", applies_to=["ZZ"])["id"]
    if stage == "none":
        return str(pid)
    content = {"steps": ISO_STEPS, "units": ISO_UNITS}
    lib.draft(drafter, pid, content, reason="Thử", change_summary="Thử")
    if stage == "draft":
        return str(pid)
    lib.review(Caller("isoreviewer", frozenset({Role.LEADER}), unit="BGD"), pid, 1, expected=1)
    if stage == "reviewed":
        return str(pid)
    lib.approve(Caller("isoleader", frozenset({Role.LEADER}), unit="BGD"), pid, 1,
                effective_from=date(2099, 1, 1), expected=2)
    return str(pid)


def _iso_form_file(ctx: Ctx, _v: str) -> Request:
    """A fresh procedure whose draft has a form with a file in the documents bucket."""
    import boto3

    from chalicelib.bootstrap import iso_library
    from chalicelib.iso.rules import Kind
    from chalicelib.kernel.config import get_settings
    from chalicelib.kernel.identity import Caller

    key = f"iso/matrix/{uuid.uuid4().hex}.pdf"
    boto3.client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key,
                                  Body=b"%PDF-1.4\n%%EOF\n", ContentType="application/pdf")
    drafter = Caller("isodrafter", frozenset({Role.ADMIN}), unit="VP")
    lib = iso_library()
    pid = lib.create(drafter, code=f"QT-F{uuid.uuid4().int % 10**8}-01", title="Thử biểu mẫu",
                     kind=Kind.REVIEW, owner="giamdoc", owner_unit="BGD",
                     applies_to=["ZZ"])["id"]
    lib.draft(drafter, pid, {"steps": ISO_STEPS, "forms": [
        {"code": "BM-1", "name": "Phiếu", "file": {"key": key, "content_type": "application/pdf",
                                                  "size": 15, "name": "phieu.pdf"}}]},
              reason="Thử", change_summary="Thử")
    return (f"/api/iso/{pid}/versions/1/forms/BM-1", None)


MATRIX[("GET", "/api/iso")] = Row(fixed("/api/iso"), roles(ALL))
MATRIX[("POST", "/api/iso")] = Row(
    lambda c, v: ("/api/iso", {"code": f"QT-N{uuid.uuid4().int % 10**8}-01",
                               "title": "Quy trình mới", "kind": "review", "owner": "giamdoc",
                               "owner_unit": "BGD", "applies_to": ["ZZ"]}), roles(LEADERS))
MATRIX[("GET", "/api/iso/{pid}")] = Row(fixed("/api/iso/QT-DKKD-01"), roles(ALL))
MATRIX[("POST", "/api/iso/{pid}/versions")] = Row(
    lambda c, v: (f"/api/iso/{_iso_procedure(c)}/versions", _iso_content()), roles(EDITORS))
MATRIX[("PUT", "/api/iso/{pid}/versions/{number}")] = Row(
    lambda c, v: (f"/api/iso/{_iso_procedure(c, 'draft')}/versions/1", _iso_content(1)),
    roles(EDITORS))
MATRIX[("POST", "/api/iso/{pid}/versions/{number}/review")] = Row(
    lambda c, v: (f"/api/iso/{_iso_procedure(c, 'draft')}/versions/1/review", {"version": 1}),
    roles(EDITORS))
MATRIX[("POST", "/api/iso/{pid}/versions/{number}/approve")] = Row(
    lambda c, v: (f"/api/iso/{_iso_procedure(c, 'reviewed')}/versions/1/approve",
                  {"version": 2, "effective_from": "2099-01-01"}),
    roles(frozenset({Role.LEADER})))
MATRIX[("POST", "/api/iso/{pid}/versions/{number}/distribute")] = Row(
    lambda c, v: (f"/api/iso/{_iso_procedure(c, 'approved')}/versions/1/distribute", None),
    roles(LEADERS))
MATRIX[("POST", "/api/iso/{pid}/versions/{number}/acknowledge")] = Row(
    lambda c, v: (f"/api/iso/{_iso_procedure(c, 'approved')}/versions/1/acknowledge", None),
    roles(ALL))
MATRIX[("GET", "/api/iso/{pid}/versions/{number}/acknowledgements")] = Row(
    fixed("/api/iso/QT-DKKD-01/versions/1/acknowledgements"), roles(EDITORS))
MATRIX[("POST", "/api/iso/{pid}/legal-bases")] = Row(
    fixed("/api/iso/QT-VBDI-01/legal-bases",
          {"basis": "Nghị định 30/2020/NĐ-CP", "replaced": False}), roles(LEADERS))


def _iso_owned(ctx: Ctx, variant: str) -> Request:
    """A fresh procedure owned by the caller (or by nobody of the matrix)."""
    from chalicelib.bootstrap import iso_library
    from chalicelib.iso.rules import Kind
    from chalicelib.kernel.identity import Caller

    lib = iso_library()
    pid = lib.create(Caller("isodrafter", frozenset({Role.ADMIN}), unit="VP"),
                     code=f"QT-O{uuid.uuid4().int % 10**8}-01", title="Quy trình thử xem xét",
                     kind=Kind.REVIEW, owner=ctx.me if variant == "owner" else "isoowner",
                     owner_unit="BGD", applies_to=["ZZ"])["id"]
    return (f"/api/iso/{pid}/reviews", {"note": "Không thay đổi"})


MATRIX[("POST", "/api/iso/{pid}/reviews")] = Row(
    _iso_owned, lambda _role, variant: variant == "owner", variants=("owner", "other"))
MATRIX[("POST", "/api/iso/uploads")] = Row(fixed("/api/iso/uploads"), roles(EDITORS))
MATRIX[("GET", "/api/iso/{pid}/versions/{number}/forms/{form}")] = Row(_iso_form_file,
                                                                      roles(ALL))
MATRIX[("GET", "/api/iso/{pid}/evidence")] = Row(
    fixed("/api/iso/QT-DKKD-01/evidence?start=2026-11-01&end=2026-11-30"), roles(EDITORS))
# ---- inter-agency exchange: the directory (clerks and administrators keep it), the
# agencies of an outgoing document (whoever sees the document reads them; its drafter
# or a clerk chooses them; a clerk resends), the packets received.

def _exchange_agency() -> str:
    from chalicelib.exchange.service import exchange_for

    exchange_for(Table()).seed_agency({"organ_id": "000.00.31.H26", "name": "Sở Tài chính Hà Nội",
                                "channel": "platform"})
    return "000.00.31.H26"


def _exchange_choose(ctx: Ctx, variant: str) -> Request:
    return (f"/api/exchange/outgoing/{_out(ctx, variant, 'draft')}/recipients",
            {"organ_ids": [_exchange_agency()]})


def _exchange_recipient(ctx: Ctx, variant: str, state: str) -> tuple[str, str]:
    """An issued document with one agency already in ``state`` on its list."""
    from chalicelib.exchange.store import ExchangeStore

    doc_id, organ = _out(ctx, variant, "issued"), _exchange_agency()
    store = ExchangeStore(Table())
    uow = store.unit_of_work()
    store.add_recipient(uow, {"doc_id": doc_id, "organ_id": organ, "name": "Sở Tài chính",
                              "state": state, "history": [], "version": 1})
    uow.commit()
    return doc_id, organ


def _exchange_retry(ctx: Ctx, variant: str) -> Request:
    doc_id, organ = _exchange_recipient(ctx, variant, "failed")
    return (f"/api/exchange/outgoing/{doc_id}/recipients/{organ}/retry", None)


def _exchange_update(ctx: Ctx, variant: str) -> Request:
    doc_id, _organ = _exchange_recipient(ctx, variant, "sent")
    return (f"/api/exchange/outgoing/{doc_id}/update", {"reason": "Sửa trích yếu"})


EXCHANGE_KEEPERS = frozenset({Role.CLERK, Role.ADMIN})
MATRIX[("GET", "/api/exchange/agencies")] = Row(fixed("/api/exchange/agencies"), roles(ALL))
MATRIX[("PUT", "/api/exchange/agencies/{organ_id}")] = Row(
    lambda c, _v: (f"/api/exchange/agencies/000.{c.n % 1000:03d}.77.T01",
                   {"name": "Cơ quan thử quyền", "channel": "platform"}),
    roles(EXCHANGE_KEEPERS))
MATRIX[("POST", "/api/exchange/agencies/import")] = Row(
    fixed("/api/exchange/agencies/import",
          {"csv": "organ_id,name,channel,email\n000.00.88.T01,Cơ quan nhập thử,email,"
                  "vanthu@coquan.example\n"}), roles(EXCHANGE_KEEPERS))
MATRIX[("GET", "/api/exchange/outgoing/{doc_id}")] = Row(
    lambda c, v: (f"/api/exchange/outgoing/{_out(c, v, 'draft')}", None), _sees_out,
    OUT_VARIANTS)
MATRIX[("POST", "/api/exchange/outgoing/{doc_id}/recipients")] = Row(
    _exchange_choose, lambda role, v: role == Role.CLERK or v == "mine", OUT_VARIANTS)
MATRIX[("POST", "/api/exchange/outgoing/{doc_id}/recipients/{organ_id}/retry")] = Row(
    _exchange_retry, roles(frozenset({Role.CLERK})), OUT_VARIANTS)
MATRIX[("POST", "/api/exchange/outgoing/{doc_id}/update")] = Row(
    _exchange_update, roles(frozenset({Role.CLERK})), OUT_VARIANTS)
MATRIX[("GET", "/api/exchange/packets")] = Row(fixed("/api/exchange/packets"),
                                               roles(EXCHANGE_KEEPERS))


SIGNED_IN_ROUTES = sorted({(r.method, r.path) for r in ROUTES if not r.policy.public})


def test_every_signed_in_route_has_a_row_in_the_matrix():
    assert set(SIGNED_IN_ROUTES) - set(MATRIX) == set(), "add a MATRIX row for the new route"
    assert set(MATRIX) - set(SIGNED_IN_ROUTES) == set(), "MATRIX names a route that is gone"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One provisioned moto for the whole matrix; each case makes its own targets."""
    from chalice.test import Client

    from chalicelib.local.seed import seed
    from tests.conftest import moto_environment

    with pytest.MonkeyPatch.context() as mp, \
            moto_environment(mp, tmp_path_factory.mktemp("matrix")):
        accounts = {a["username"]: a for a in seed({})}
        from chalicelib.onestop.service import ensure_catalogue

        ensure_catalogue(Table())  # part of the baseline the world returns to
        from chalicelib.iso.seed import ensure_library

        ensure_library(Table())
        with Client(app_module.app, stage_name="local") as client:
            sessions: dict[Role, Session] = {}
            credentials: dict[Role, tuple[str, str]] = {}
            for account in accounts.values():
                role = Role(account["role"])
                if role not in sessions:
                    credentials[role] = (account["username"], account["password"])
                    sessions[role] = login(client, *credentials[role])
            from chalicelib.local.embedded_aws import snapshot_bytes

            # Cases leave documents, users and trails behind, and moto's queries slow
            # down as its tables grow: the world goes back to this state now and then.
            yield {"client": client, "sessions": sessions, "credentials": credentials,
                   "baseline": snapshot_bytes()}


# A row's cases variant by variant: the roles that ask for the same target
# (Ctx.shared) come one after the other, between the same two restores.
CASES = [
    (method, path, role, variant)
    for (method, path) in SIGNED_IN_ROUTES if (method, path) in MATRIX
    for variant, role in itertools.product(MATRIX[(method, path)].variants, sorted(Role))
]


@pytest.mark.parametrize("method,path,role,variant", CASES,
                         ids=[f"{m} {p} {r} {v}" for m, p, r, v in CASES])
def test_matrix(world, method, path, role, variant):
    from chalicelib.calendar.service import forget_cached_calendar
    from chalicelib.local.embedded_aws import restore_bytes

    world["cases"] = world.get("cases", 0) + 1
    if world["cases"] % 25 == 0:  # often enough to keep moto's tables small
        restore_bytes(world["baseline"])
        forget_cached_calendar()
        world["shared"] = {}  # the targets went with the tables
    sessions: dict[Role, Session] = world["sessions"]
    admin = sessions[Role.ADMIN]

    def fresh_user() -> str:
        name = f"tmp{uuid.uuid4().hex[:10]}"
        resp = admin.send("POST", "/api/org/users", {
            "username": name, "full_name": "Người Thử", "email": f"{name}@skhdt.example",
            "unit": "PTH", "roles": ["officer"]})
        assert resp.status_code == 200, resp.body
        return name

    session = sessions[role]
    row = MATRIX[(method, path)]
    if row.own_session:
        name = f"tmp{uuid.uuid4().hex[:10]}"
        created = admin.send("POST", "/api/org/users", {
            "username": name, "full_name": "Người Thử", "email": f"{name}@skhdt.example",
            "unit": "PTH", "roles": [role.value]})
        assert created.status_code == 200, created.body
        session = login(world["client"], name, json.loads(created.body)["initial_password"])
    elif row.fresh_sign_in and row.allowed(role, variant):  # a refusal needs no fresh one
        session = login(world["client"], *world["credentials"][role])
    quiet = method == "GET" or not row.allowed(role, variant)
    ctx = Ctx(role=role, me=session.user["username"], admin=admin, fresh_user=fresh_user,
              unit=session.user.get("unit") or "PDKKD",
              shared=world.setdefault("shared", {}) if quiet else None)
    url, body = row.build(ctx, variant)
    resp = session.send(method, url, body) if method != "GET" else session.get(url, accept="*/*")
    if row.allowed(role, variant):
        assert 200 <= resp.status_code < 300, (resp.status_code, resp.body)
    else:
        assert resp.status_code in (401, 403, 404), (resp.status_code, resp.body)
        assert set(json.loads(resp.body)) == {"error"}


@pytest.mark.parametrize("method,path", SIGNED_IN_ROUTES)
def test_no_token_is_401_everywhere(world, method, path):
    url = path.replace("{", "").replace("}", "")
    resp = world["client"].http.request(method, url, headers={"Content-Type": "application/json"},
                                        body=b"{}")
    assert resp.status_code == 401


"""Work tracking: everyone's open work, the morning digest, escalation.

Every part of a piece of work assigned to a unit or a person is a work item
(today from incoming documents; tasks, dossiers and complaints add theirs the
same way). Open work sits in two sparse indexes: gsi2 ``WORK#{assignee}``
(one assignee's work by deadline) and gsi3 ``OPENWORK`` (everything open by
deadline). The jobs read only the part of ``OPENWORK`` that is due soon or
overdue: their cost grows with what is due, not with all the work there is.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamo import Table
from chalicelib.calendar.service import agency_calendar
from chalicelib.kernel.calendar import AgencyCalendar
from chalicelib.kernel.composition import given
from chalicelib.kernel.events import instant, iso, utcnow
from chalicelib.kernel.identity import Caller, Role
from chalicelib.kernel.ports import CalendarSource, Clock, Mailer
from chalicelib.kernel.ports import UnitOfWork as UnitOfWorkPort
from chalicelib.organisation.store import Directory
from chalicelib.work import items as work_items
from chalicelib.work.mail_prefs import OFF, OVERDUE, mail_choice, mail_choices
from chalicelib.work.rules import ACTION_RULES, timeliness, week_key
from chalicelib.work.store import WorkStore, count_week

DUE_SOON_DAYS = Decimal(2)
ESCALATE_AFTER_DAYS = 2
DEFAULT_PREFS = {"digest": True, "instant": True, "due_soon_days": 2}


def _store(table: Table | None, store: WorkStore | None) -> WorkStore:
    return store or WorkStore(given(table))


def _directory(store: WorkStore, directory: Directory | None) -> Directory:
    return directory or Directory(store.table)


def _view(item: dict[str, Any], cal: AgencyCalendar, now: datetime,
          due_soon_days: Decimal = DUE_SOON_DAYS) -> dict[str, Any]:
    deadline = instant(item.get("deadline"))
    state = timeliness(cal, deadline, now, instant(item.get("completed_at")), due_soon_days)
    kind, ident = work_items.parent_of(item)
    action = work_items.action_of(item)
    rule = ACTION_RULES[action]
    subject = item.get("subject", "") if not item.get("do_mat") else "(Văn bản mật)"
    return {
        "item_id": work_items.item_id(item), "kind": action.value, "kind_label": rule.label,
        "group": rule.group, "title": subject or rule.label,
        "source": f"{'incoming' if kind == 'DOC' else kind.lower()}:{ident}",
        "link": work_items.link_of(item),
        "assignee": item["assignee"], "unit": item.get("unit"), "part": item.get("part"),
        "subject": subject, "instruction": item.get("instruction", ""),
        "so_den_text": item.get("so_den_text"), "deadline": item.get("deadline"),
        "assigned_at": item.get("assigned_at"), "assigned_by": item.get("assigned_by"),
        "status": item.get("status"), "progress": int(item.get("progress") or 0),
        "timeliness": state.code, "timeliness_label": state.label,
    }


ORDER = {"overdue": 0, "due_soon": 1, "on_time": 2, "no_deadline": 3}


def _sorted(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(views, key=lambda v: (ORDER.get(v["timeliness"], 9), v["deadline"] or ""))


def queues_of(caller: Caller) -> list[str]:
    """The unit and role queues the caller answers for besides their own work: the
    unit they head, and the agency-wide queues of the clerks, the leaders and the
    one-stop desk."""
    out = []
    if Role.UNIT_HEAD in caller.roles and caller.unit:
        out.append(work_items.unit(caller.unit))
    out += [work_items.role(r.value) for r in (Role.LEADER, Role.CLERK, Role.ONE_STOP)
            if r in caller.roles]
    return out


def _prefs_from(item: dict[str, Any] | None) -> dict[str, Any]:
    prefs: dict[str, Any] = dict(DEFAULT_PREFS)
    if item:
        prefs.update({k: item[k] for k in DEFAULT_PREFS if k in item})
    prefs["due_soon_days"] = int(prefs["due_soon_days"])
    prefs["mail"] = mail_choices((item or {}).get("mail"))
    return prefs


def my_work(caller: Caller, table: Table | None = None, *, store: WorkStore | None = None,
            calendar: CalendarSource | None = None, clock: Clock | None = None
            ) -> dict[str, Any]:
    """The caller's inbox: every open item of theirs, of the unit they head and of
    the role queues they belong to (marked ``for_unit``/``for_role``), overdue first
    then the oldest deadline, with counts per group. One request per queue,
    whatever the amount of open work in the agency (the preferences ride in the
    person's partition)."""
    store = _store(table, store)
    cal, now = (calendar or agency_calendar)(), (clock or utcnow)()
    person = work_items.person(caller.username)
    found, prefs_item, more = store.inbox(person, queues_of(caller))
    window = Decimal(_prefs_from(prefs_item)["due_soon_days"])
    views = []
    for item in found:
        if item.get("waiting") is False:  # handed on: the unit's officers act now
            continue
        view = _view(item, cal, now, window)
        if work_items.is_unit(item["assignee"]):
            view["for_unit"] = work_items.name_of(item["assignee"])
        elif work_items.is_role(item["assignee"]):
            view["for_role"] = work_items.name_of(item["assignee"])
        views.append(view)
    views = _sorted(views)
    groups: dict[str, dict[str, Any]] = {}
    for v in views:
        g = groups.setdefault(v["group"], {"group": v["group"], "count": 0, "overdue": 0})
        g["count"] += 1
        g["overdue"] += v["timeliness"] == "overdue"
    return {"items": views, "groups": list(groups.values()), "count": len(views),
            "overdue": sum(g["overdue"] for g in groups.values()), "truncated": more}


def unit_work(caller: Caller, unit: str | None = None, table: Table | None = None, *,
              store: WorkStore | None = None, directory: Directory | None = None,
              calendar: CalendarSource | None = None, clock: Clock | None = None
              ) -> dict[str, Any]:
    """A head's view of the unit (its own parts and each member's), overdue first;
    leaders may look at any unit."""
    from chalicelib.kernel.errors import Forbidden
    from chalicelib.organisation.service import list_users

    store = _store(table, store)
    unit = unit or caller.unit
    if not unit or not (Role.LEADER in caller.roles
                        or (Role.UNIT_HEAD in caller.roles and caller.unit == unit)):
        raise Forbidden()
    cal, now = (calendar or agency_calendar)(), (clock or utcnow)()
    items = store.open_of(work_items.unit(unit))
    people = [u["username"] for u in list_users(unit, store=_directory(store, directory))]
    for name in people:
        items += store.open_of(work_items.person(name))
    return {"unit": unit, "items": _sorted([_view(i, cal, now) for i in items])}


def agency_work(caller: Caller, limit: int = 200, table: Table | None = None, *,
                store: WorkStore | None = None, calendar: CalendarSource | None = None,
                clock: Clock | None = None) -> dict[str, Any]:
    """Leaders: everything open, the oldest deadlines (the overdue) first."""
    from chalicelib.kernel.errors import Forbidden

    if Role.LEADER not in caller.roles:
        raise Forbidden()
    store = _store(table, store)
    cal, now = (calendar or agency_calendar)(), (clock or utcnow)()
    page = store.open_page(limit)
    return {"items": [_view(i, cal, now) for i in page.items], "cursor": page.cursor}


# ---------------------------------------------------------------- preferences

def preferences(username: str, table: Table | None = None, *,
                store: WorkStore | None = None) -> dict[str, Any]:
    return _prefs_from(_store(table, store).preferences(username))


def set_preferences(username: str, digest: bool, instant: bool, due_soon_days: int,
                    table: Table | None = None, *, store: WorkStore | None = None,
                    mail: dict[str, str] | None = None) -> dict[str, Any]:
    """Save the person's reminder settings. ``mail`` (kind -> instant, digest or
    off) changes the choices of the kinds it names; the others stay as saved,
    so a client that knows only the two switches changes nothing else."""
    store = _store(table, store)
    saved = mail_choices((store.preferences(username) or {}).get("mail"))
    mail = {**saved, **(mail or {})}
    store.save_preferences(username, {"digest": digest, "instant": instant,
                                      "due_soon_days": due_soon_days,
                                      "mail": mail_choices(mail),
                                      "updated_at": iso(utcnow())})
    return preferences(username, store=store)


# ---------------------------------------------------------------- jobs

def _heads(directory: Directory, unit: str, cache: dict[str, list[dict[str, Any]]]
           ) -> list[dict[str, Any]]:
    from chalicelib.organisation.service import list_users

    if unit not in cache:
        cache[unit] = [u for u in list_users(unit, store=directory)
                       if Role.UNIT_HEAD.value in u["roles"] and u["status"] == "active"]
    return cache[unit]


def _holders(directory: Directory, role: str, cache: dict[str, list[dict[str, Any]]]
             ) -> list[dict[str, Any]]:
    """The active holders of a role across the agency (a role queue's people)."""
    from chalicelib.organisation.service import list_users

    if "*" not in cache:
        cache["*"] = [u for u in list_users(store=directory) if u["status"] == "active"]
    return [u for u in cache["*"] if role in u["roles"]]


def _people_of(directory: Directory, assignee: str, cache: dict[str, list[dict[str, Any]]]
               ) -> list[str]:
    """Who answers for an item: the person, a unit's heads, a role's holders."""
    who = work_items.name_of(assignee)
    if work_items.is_person(assignee):
        return [who]
    if work_items.is_role(assignee):
        return [u["username"] for u in _holders(directory, who, cache)]
    return [h["username"] for h in _heads(directory, who, cache)]


def _job_run(table: Table | None, store: WorkStore | None, directory: Directory | None,
             now: datetime | None, calendar: CalendarSource | None
             ) -> tuple[WorkStore, Directory, datetime, AgencyCalendar]:
    """What a mail job runs with: the store, the directory, the time and the calendar."""
    store = _store(table, store)
    return (store, _directory(store, directory), now or utcnow(),
            (calendar or agency_calendar)())


def _mail_once(store: WorkStore, mailer: Mailer, kind: str, username: str, day: str,
               template: str, context: dict[str, Any], to: str) -> bool:
    """Send the mail unless ``kind`` was already claimed for the person and day;
    a failed send gives the claim back so that the job's retry sends it."""
    from chalicelib.outputs.mail import compose_mail

    if not store.claim(kind, username, day):
        return False
    try:
        compose_mail(template, context, [to]).send(mailer)
    except Exception:
        store.release(kind, username, day)
        raise
    return True


NOTICE_REQUESTED = "notice.requested"  # notifications turn it into in-app notices
# More newly overdue items than this make one notice that counts them: a bell
# with two hundred lines is read by no one, the inbox lists them all in red.
OVERDUE_NOTICES_ONE_BY_ONE = 10


def notice_overdue(store: WorkStore, username: str, views: list[dict[str, Any]], *,
                   day: str = "") -> int:
    """An in-app "quá hạn" notice for the person's work newly seen overdue: one
    per item, or one that counts them when there are many. What was announced is
    remembered in one item per person (ids of work still overdue), so a run costs
    one read and one write per person, not one per item. The digest itself is the
    mail, so the notice asks for none. Best effort: a notice that cannot be
    announced is tried again the next run and never stops the digest."""
    from chalicelib.kernel.events import DomainEvent
    from chalicelib.kernel.logging import logger

    seen = store.seen_overdue(username)
    current = {v["item_id"] for v in views}
    fresh = [v for v in views if v["item_id"] not in seen]
    if not fresh:
        if seen - current:  # some are done or no longer overdue: forget them
            store.remember_overdue(username, seen & current)
        return 0
    if len(fresh) > OVERDUE_NOTICES_ONE_BY_ONE:
        earliest = min(v["deadline"] for v in fresh)
        events = [DomainEvent(NOTICE_REQUESTED, f"overdue:{username}:{day or earliest}", {
            "to": [username], "kind": OVERDUE, "title": f"{len(fresh)} việc mới quá hạn",
            "link": "/app/work", "deadline": earliest, "mail": False})]
    else:
        events = [DomainEvent(NOTICE_REQUESTED, v["item_id"], {
            "to": [username], "kind": OVERDUE, "title": f"Quá hạn: {v['title']}",
            "link": v["link"], "deadline": v["deadline"], "mail": False}) for v in fresh]
    try:
        store.publish(events)  # at most OVERDUE_NOTICES_ONE_BY_ONE: one commit
    except Exception:  # noqa: BLE001 - the digest goes on; the next run tries again
        logger.exception("overdue notices not announced")
        store.remember_overdue(username, seen & current)
        return 0
    store.remember_overdue(username, current)
    return len(fresh)


def send_digests(*, now: datetime | None = None, table: Table | None = None,
                 mailer: Mailer, store: WorkStore | None = None,
                 directory: Directory | None = None,
                 calendar: CalendarSource | None = None) -> dict[str, Any]:
    """The 07:30 digest: each person with due-soon or overdue work gets one mail."""
    from chalicelib.kernel.config import get_settings
    from chalicelib.organisation.service import get_user

    store, directory, now, cal = _job_run(table, store, directory, now, calendar)
    today = now.astimezone(cal.tz).date()
    if not cal.is_working_day(today):
        return {"skipped": "not a working day", "day": today.isoformat()}
    horizon = cal.add_working_days(now, DUE_SOON_DAYS + 3)  # widest preference allowed
    due = store.due_before(horizon)
    per_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    cache: dict[str, list[dict[str, Any]]] = {}
    for item in due:
        # A unit's part goes to the unit's heads, a queue's to the role's holders.
        for username in _people_of(directory, item["assignee"], cache):
            per_person[username].append(item)
    sent = skipped = 0
    base = get_settings().public_base_url
    for username, items in sorted(per_person.items()):
        prefs = preferences(username, store=store)
        days = Decimal(prefs["due_soon_days"])
        window = cal.add_working_days(now, days)
        views = [_view(i, cal, now, days) for i in items if instant(i["deadline"]) <= window]
        views = _sorted([v for v in views if v["timeliness"] in ("overdue", "due_soon")])
        notice_overdue(store, username, [v for v in views if v["timeliness"] == "overdue"],
                       day=today.isoformat())
        if mail_choice(prefs, OVERDUE) == OFF:  # no mail for it; the in-app notice stays
            views = [v for v in views if v["timeliness"] != "overdue"]
        if not views or not prefs["digest"]:
            skipped += 1
            continue
        profile = get_user(username, store=directory)
        if profile["status"] != "active" or not profile.get("email"):
            skipped += 1
            continue
        context = {"name": profile["full_name"], "items": views, "base": base,
                   "day": today.strftime("%d/%m/%Y"),
                   "overdue": sum(1 for v in views if v["timeliness"] == "overdue")}
        if _mail_once(store, mailer, "DIGEST", username, today.isoformat(), "digest", context,
                      profile["email"]):
            sent += 1
    return {"sent": sent, "skipped": skipped, "due_items": len(due), "day": today.isoformat()}


def _holder_name(directory: Directory, item: dict[str, Any], unit_names: dict[str, str]) -> str:
    """Who holds an item, as a head reads it: a person's name, a unit's, a queue's."""
    from chalicelib.kernel.identity import ROLE_LABELS

    who = work_items.name_of(item["assignee"])
    if work_items.is_person(item["assignee"]):
        profile = directory.user(who)
        return str(profile.get("full_name") or who) if profile else who
    if work_items.is_role(item["assignee"]):
        return next((vi for r, (vi, _) in ROLE_LABELS.items() if r.value == who), who)
    return unit_names.get(who, who)


def working_days_back(cal: AgencyCalendar, now: datetime, days: int) -> datetime:
    """The instant ``days`` working days before ``now`` (same time of day)."""
    day = now.astimezone(cal.tz).date()
    counted = 0
    while counted < days:
        day -= timedelta(days=1)
        if cal.is_working_day(day):
            counted += 1
    return datetime.combine(day, now.astimezone(cal.tz).timetz())


def escalate(*, now: datetime | None = None, table: Table | None = None,
             mailer: Mailer, store: WorkStore | None = None,
             directory: Directory | None = None,
             calendar: CalendarSource | None = None) -> dict[str, Any]:
    """Work overdue by ESCALATE_AFTER_DAYS working days: a summary to each head
    of the unit concerned, once a day."""
    from chalicelib.kernel.config import get_settings
    from chalicelib.organisation.service import list_units

    store, directory, now, cal = _job_run(table, store, directory, now, calendar)
    today = now.astimezone(cal.tz).date()
    if not cal.is_working_day(today):
        return {"skipped": "not a working day"}
    cutoff = working_days_back(cal, now, ESCALATE_AFTER_DAYS)
    late = store.due_before(cutoff)
    per_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in late:
        if item.get("unit"):
            per_unit[item["unit"]].append(item)
    sent = 0
    cache: dict[str, list[dict[str, Any]]] = {}
    unit_names = {u["code"]: u["name"] for u in list_units(store=directory)}
    for unit, items in sorted(per_unit.items()):
        views = _sorted([{**_view(i, cal, now), "holder": _holder_name(directory, i, unit_names)}
                         for i in items])
        for head in _heads(directory, unit, cache):
            if not head.get("email"):
                continue
            context = {"name": head["full_name"], "unit": unit_names.get(unit, unit),
                       "items": views,
                       "days": ESCALATE_AFTER_DAYS, "base": get_settings().public_base_url}
            if _mail_once(store, mailer, "ESCALATE", head["username"], today.isoformat(),
                          "escalation", context, head["email"]):
                sent += 1
    return {"sent": sent, "overdue_items": len(late)}


def count_completion(uow: UnitOfWorkPort, unit: str, code: str, day: date) -> None:
    """Count a completion in the unit's weekly counters, in the completing transaction."""
    field = {"done_early": "early", "done_on_time": "on_time", "done_late": "late"}[code]
    count_week(uow, unit, field, week_key(day))


def weekly_summary(*, now: datetime | None = None, table: Table | None = None,
                   mailer: Mailer, store: WorkStore | None = None,
                   directory: Directory | None = None,
                   calendar: CalendarSource | None = None) -> dict[str, Any]:
    """Monday: the leaders get each unit's on-time rate for the week before, read
    from counters the completions keep (a read per unit, not a walk over work)."""
    from chalicelib.organisation.service import list_units, list_users
    from chalicelib.outputs.mail import compose_mail

    store, directory, now, cal = _job_run(table, store, directory, now, calendar)
    last_week = week_key(now.astimezone(cal.tz).date() - timedelta(days=7))
    rows = []
    for unit in list_units(store=directory):
        item = store.week_counters(unit["code"], last_week) or {}
        early, on_time, late = (int(item.get(k, 0)) for k in ("early", "on_time", "late"))
        total = early + on_time + late
        rows.append({"unit": unit["name"], "done": total, "late": late,
                     "rate": round(100 * (early + on_time) / total) if total else None})
    leaders = [u for u in list_users(store=directory)
               if Role.LEADER.value in u["roles"] and u["status"] == "active" and u.get("email")]
    sent = 0
    for leader in leaders:
        if not store.claim("WEEKLY", leader["username"], last_week):
            continue
        context = {"name": leader["full_name"], "week": last_week, "rows": rows}
        compose_mail("weekly", context, [leader["email"]]).send(mailer)
        sent += 1
    return {"sent": sent, "week": last_week}

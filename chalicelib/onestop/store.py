"""Where the one-stop shop lives in the table, and the only code that knows its keys.

- ``PROC#{code}/V#{effective_from}#{version}`` one version of a procedure (the
  catalogue), listed under gsi1 ``PROCEDURES`` / ``{code}#{version}``; a stored
  version is never rewritten, since dossiers refer to it;
- ``DOSSIER#{id}/DOSSIER`` a dossier, found by its public code under gsi1
  ``DOSSIERCODE#{code}`` / ``{id}`` and by the month it was received under gsi3
  ``DOSSIERS#{yyyy-mm}`` / ``{received_at}#{id}``; every save is conditional on
  the version it was read at;
- ``DOSSIER#{id}/WORK#{assignee}`` the current step's work, a work item of the
  shape of ``work.items`` (so my-work lists and reminders see it): ``UNIT#{unit}``
  for a unit's step, ``ROLE#one_stop`` for the desk's; the dossier's other
  pending actions (sign, return) are ``work.pending``'s ``TODO#…`` items;
- ``DOSSIERKEY#{key}/KEY`` the idempotency key of an online submission;
- ``COUNTER#dossier#{unit code}#{yymmdd}/COUNTER`` the daily sequence of codes,
  moved by a write conditional on the value read;
- ``STATS#onestop#{unit}/{yyyy-mm-dd}`` form 06 counters (ADD, in the same
  transaction as the change they count);
- ``ATTEMPTS#dossier#{code}/{hour}`` the code's attempt budget of the hour
  (``kernel.attempts``), shared by every public route of the dossier, kept by TTL;
- ``REFUSAL#{id}/REFUSAL`` a dossier refused at the desk (never counted);
- ``RESULT#{dossier id}/RESULT`` a signed result, registered for public
  verification like an issued document under gsi1 ``VERIFY#{code}`` / ``{id}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from chalicelib.adapters import attempts
from chalicelib.adapters.dynamo import put_op, update_op
from chalicelib.adapters.outbox import TableStore, UnitOfWork
from chalicelib.kernel.events import instant
from chalicelib.onestop.rules import CounterDelta
from chalicelib.work import items
from chalicelib.work.rules import Action, Part
from chalicelib.work.store import measured

# The attributes the table adds to a dossier: its keys, never shown.
KEYS = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi3pk", "gsi3sk")
# What a month's list reads of each dossier: the row, who may see it, its
# position (a dossier's steps, slip and timeline weigh many times more).
LISTED = ("id", "code", "procedure.name", "applicant.name", "status", "received_at",
          "appointment_at", "channel", "units", "people", "gsi3sk")
# What the ISO evidence reads of each dossier of a month (``evidence_in``).
EVIDENCE = ("id", "code", "received_at", "iso_procedure", "steps", "slip")
# The parent kind of a dossier's work items (``work.items.work_item``).
WORK_PARENT = "DOSSIER"


class OneStopStore(TableStore):
    # ------------------------------------------------------------ the catalogue

    def procedure_codes(self) -> list[str]:
        page = self.table.query("PROCEDURES", index="gsi1", limit=500)
        return sorted({str(i["code"]) for i in page.items})

    def procedure_versions(self, code: str) -> list[dict[str, Any]]:
        return self.table.query(f"PROC#{code}", sk_prefix="V#", limit=100).items

    def add_procedure(self, version: dict[str, Any]) -> bool:
        """A version of a procedure unless it is stored already (then False)."""
        item = {"pk": f"PROC#{version['code']}",
                "sk": f"V#{version['effective_from']}#{version['version']}",
                "kind": "procedure", "gsi1pk": "PROCEDURES",
                "gsi1sk": f"{version['code']}#{version['version']}", **version}
        if self.table.get(item["pk"], item["sk"]) is not None:
            return False
        self.table.put(item)
        return True

    # ------------------------------------------------------------ dossiers

    def get(self, dossier_id: str) -> dict[str, Any] | None:
        return self.table.get(f"DOSSIER#{dossier_id}", "DOSSIER", consistent=True)

    def by_code(self, code: str) -> dict[str, Any] | None:
        """The dossier as the code index holds it (eventually consistent)."""
        page = self.table.query(f"DOSSIERCODE#{code}", index="gsi1", limit=1)
        return page.items[0] if page.items else None

    def received_page(self, month: str, *, before: str | None, limit: int
                      ) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
        """Up to ``limit`` dossiers received in a month, newest first, strictly
        older than the position ``before``: each with its position, and whether
        the month holds more."""
        page = self.table.query(f"DOSSIERS#{month}", index="gsi3", sk_before=before,
                                limit=limit, forward=False, attributes=LISTED)
        return [(str(i["gsi3sk"]), i) for i in page.items], page.cursor is not None

    def evidence_in(self, month: str) -> list[dict[str, Any]]:
        """Every dossier received in a month, with what the ISO evidence reads of
        it (the procedure version it follows, its steps and control slip)."""
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.table.query(f"DOSSIERS#{month}", index="gsi3", limit=500,
                                    cursor=cursor, attributes=EVIDENCE)
            out.extend(page.items)
            cursor = page.cursor
            if not cursor:
                return out

    def add(self, uow: UnitOfWork, dossier: dict[str, Any], *, month: str) -> dict[str, Any]:
        """A new dossier (refused if its id exists), listed under the month
        (``yyyy-mm``, local time) it was received; returns the item as stored."""
        item = {"pk": f"DOSSIER#{dossier['id']}", "sk": "DOSSIER", "kind": "dossier",
                **dossier,
                "gsi1pk": f"DOSSIERCODE#{dossier['code']}", "gsi1sk": dossier["id"],
                "gsi3pk": f"DOSSIERS#{month}",
                "gsi3sk": f"{dossier['received_at']}#{dossier['id']}"}
        uow.add(put_op(item, condition="attribute_not_exists(pk)"))
        return item

    def save(self, uow: UnitOfWork, before: dict[str, Any], after: dict[str, Any]) -> None:
        """The dossier over the version it was read at (a lost race is a 409)."""
        uow.add(put_op(after, condition="#v = :v", names={"#v": "version"},
                       values={":v": int(before["version"])}))

    # ------------------------------------------------------------ the public code's budget

    def take_attempt(self, code: str, window: int, limit: int, expires_at: int) -> bool:
        return attempts.take(self.table, f"ATTEMPTS#dossier#{code}", str(window), limit,
                             expires_at)

    def give_back_attempt(self, code: str, window: int) -> None:
        attempts.give_back(self.table, f"ATTEMPTS#dossier#{code}", str(window))

    # ------------------------------------------------------------ online submissions

    def submission(self, key: str) -> dict[str, Any] | None:
        return self.table.get(f"DOSSIERKEY#{key}", "KEY", consistent=True)

    def add_submission(self, uow: UnitOfWork, key: str, dossier_id: str, expires_at: int
                       ) -> None:
        uow.add(put_op({"pk": f"DOSSIERKEY#{key}", "sk": "KEY", "kind": "idempotency",
                        "dossier_id": dossier_id, "expires_at": expires_at},
                       condition="attribute_not_exists(pk)"))

    # ------------------------------------------------------------ the daily code sequence

    def next_sequence(self, uow: UnitOfWork, unit_code: str, day: datetime) -> int:
        """The next number of the day (local ``day``); the change moves the
        counter only from the value read, so two desks never share a number."""
        pk = f"COUNTER#dossier#{unit_code}#{day:%y%m%d}"
        current = self.table.get(pk, "COUNTER", consistent=True)
        value = int(current["value"]) if current else 0
        counter = {"pk": pk, "sk": "COUNTER", "kind": "counter", "value": value + 1}
        uow.add(put_op(counter, condition="attribute_not_exists(pk)") if current is None
                else put_op(counter, condition="#v = :v", names={"#v": "value"},
                            values={":v": value}))
        return value + 1

    # ------------------------------------------------------------ the steps' work

    @staticmethod
    def step_work(dossier: dict[str, Any], index: int, *, by: str,
                  assignee: str | None = None, link: str | None = None) -> dict[str, Any]:
        """The work item of step ``index``, given to ``assignee`` (by default the
        step's unit), counted under the step's unit: the dossier-step action."""
        step = dossier["steps"][index]
        subject = {"id": dossier["id"], "trich_yeu": f"{dossier['code']}: "
                   f"{dossier['procedure']['name']}"[:300]}
        work = items.work_item(subject, assignee or items.unit(step["unit"]), Part.LEAD,
                               step["name"], instant(step["deadline"]), by, step["unit"],
                               parent=WORK_PARENT, action=Action.DOSSIER_STEP, link=link)
        work["step_index"] = index
        return work

    @staticmethod
    def is_dossier_work(work: dict[str, Any]) -> bool:
        return str(work.get("pk", "")).startswith(f"{WORK_PARENT}#")

    def work(self, dossier_id: str) -> list[dict[str, Any]]:
        return self.table.query(f"DOSSIER#{dossier_id}", sk_prefix="WORK#", limit=50).items

    def put_work(self, uow: UnitOfWork, work: dict[str, Any]) -> None:
        uow.add(put_op(measured(uow, work)))

    # ------------------------------------------------------------ form 06 counters

    def count(self, uow: UnitOfWork, deltas: Iterable[CounterDelta]) -> None:
        """The deltas, merged per unit and day, as ADDs in the change's transaction."""
        merged: dict[tuple[str, str], dict[str, int]] = {}
        for d in deltas:
            row = merged.setdefault((d.unit, d.day.isoformat()), {})
            row[d.counter] = row.get(d.counter, 0) + d.delta
        for (unit, day), counters in merged.items():
            uow.add(update_op(f"STATS#onestop#{unit}", day,
                              "ADD " + ", ".join(f"#{k} :{k}" for k in counters),
                              names={f"#{k}": k for k in counters},
                              values={f":{k}": v for k, v in counters.items()}))

    def daily_counters(self, unit: str, until: date) -> list[tuple[date, dict[str, Any]]]:
        """A unit's counters of every day before ``until``, oldest first."""
        out: list[tuple[date, dict[str, Any]]] = []
        start: dict[str, Any] | None = None
        while True:
            found, start = self.table.query_range(f"STATS#onestop#{unit}", index=None,
                                                  low=None, below=until.isoformat(),
                                                  start=start, limit=1000)
            out.extend((date.fromisoformat(i["sk"]), i) for i in found)
            if not start:
                return out

    # ------------------------------------------------------------ refusals at the desk

    def add_refusal(self, uow: UnitOfWork, refusal: dict[str, Any]) -> None:
        uow.add(put_op({"pk": f"REFUSAL#{refusal['id']}", "sk": "REFUSAL",
                        "kind": "dossier_refusal", **refusal},
                       condition="attribute_not_exists(pk)"))

    def refusal(self, refusal_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
        return self.table.get(f"REFUSAL#{refusal_id}", "REFUSAL", consistent=consistent)

    # ------------------------------------------------------------ signed results

    def register_result(self, dossier_id: str, record: dict[str, Any]) -> None:
        """The signed result, where verification by its printed ``code`` finds
        issued documents (the record has their shape)."""
        self.table.put({"pk": f"RESULT#{dossier_id}", "sk": "RESULT", "kind": "outgoing",
                        "id": dossier_id, **record,
                        "gsi1pk": f"VERIFY#{record['code']}", "gsi1sk": dossier_id})

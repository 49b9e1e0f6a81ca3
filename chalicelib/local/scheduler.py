"""Runs the app's own schedule expressions, as EventBridge would, in UTC.

AWS expressions: ``rate(N minute|minutes|hour|hours|day|days)`` and
``cron(minutes hours day-of-month month day-of-week year)`` with ``*``, ``?``,
lists, ranges, steps and names (MON-FRI, JAN). ``L``, ``W`` and ``#`` are
refused at start-up rather than silently misread.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.kernel.logging import logger
from chalicelib.local.pump import handler_for, lambda_context

_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
# AWS numbers days of week 1-7 from Sunday.
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


def _field(spec: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """The values a cron field allows; None means any."""
    if spec in ("*", "?"):
        return None
    if re.search(r"[LW#]", spec):
        raise ValueError(f"unsupported cron feature in {spec!r}")
    values: set[int] = set()
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-")
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step > 1 else start
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    return int(text)


@dataclass
class CronSchedule:
    minutes: set[int] | None
    hours: set[int] | None
    days: set[int] | None
    months: set[int] | None
    weekdays: set[int] | None
    years: set[int] | None

    @classmethod
    def parse(cls, body: str) -> CronSchedule:
        parts = body.split()
        if len(parts) != 6:
            raise ValueError(f"cron needs 6 fields: {body!r}")
        return cls(
            _field(parts[0], 0, 59), _field(parts[1], 0, 23), _field(parts[2], 1, 31),
            _field(parts[3], 1, 12, _MONTHS), _field(parts[4], 1, 7, _DAYS),
            _field(parts[5], 1970, 2199),
        )

    def matches(self, t: datetime) -> bool:
        aws_weekday = (t.isoweekday() % 7) + 1  # Sunday=1 … Saturday=7
        checks = [(self.minutes, t.minute), (self.hours, t.hour), (self.days, t.day),
                  (self.months, t.month), (self.weekdays, aws_weekday), (self.years, t.year)]
        return all(allowed is None or value in allowed for allowed, value in checks)


_RATE = re.compile(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)")


@dataclass
class Job:
    name: str
    handler_string: str
    expression: str
    interval: timedelta | None = None
    cron: CronSchedule | None = None
    next_run: datetime | None = None
    last_minute: datetime | None = field(default=None)

    @classmethod
    def from_expression(cls, name: str, handler_string: str, expression: str,
                        now: datetime) -> Job:
        m = _RATE.fullmatch(expression.strip())
        if m:
            unit = m.group(2).rstrip("s")
            interval = timedelta(**{f"{unit}s": int(m.group(1))})
            return cls(name, handler_string, expression, interval=interval, next_run=now + interval)
        if expression.startswith("cron(") and expression.endswith(")"):
            return cls(name, handler_string, expression, cron=CronSchedule.parse(expression[5:-1]))
        raise ValueError(f"unsupported schedule expression {expression!r}")

    def due(self, now: datetime) -> bool:
        if self.interval is not None:
            assert self.next_run is not None
            if now >= self.next_run:
                self.next_run = now + self.interval
                return True
            return False
        assert self.cron is not None
        minute = now.replace(second=0, microsecond=0)
        if minute != self.last_minute and self.cron.matches(minute):
            self.last_minute = minute
            return True
        return False


def expression_of(source: Any) -> str:
    expr = source.schedule_expression
    return expr if isinstance(expr, str) else expr.to_string()


def scheduled_event(name: str, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    return {
        "version": "0", "id": f"local-{name}-{int(now.timestamp())}",
        "detail-type": "Scheduled Event", "source": "aws.events", "account": "000000000000",
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": "local",
        "resources": [f"arn:aws:events:local:000000000000:rule/{name}"], "detail": {},
    }


def jobs_of(app: Any, now: datetime | None = None) -> dict[str, Job]:
    from chalice.app import ScheduledEventConfig

    now = now or datetime.now(UTC)
    return {
        src.name: Job.from_expression(src.name, src.handler_string, expression_of(src), now)
        for src in app.event_sources
        if isinstance(src, ScheduledEventConfig)
    }


def run_job(job_name: str, handler_string: str) -> Any:
    handler = handler_for(handler_string)
    return handler(scheduled_event(job_name), lambda_context(job_name, timeout_s=300))


class Scheduler:
    def __init__(self, jobs: dict[str, Job]) -> None:
        self.jobs = jobs
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True, name="scheduler")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(5):
            now = datetime.now(UTC)
            for job in self.jobs.values():
                if job.due(now):
                    try:
                        result = run_job(job.name, job.handler_string)
                        logger.info("scheduled job ran", job=job.name, result=result)
                    except Exception:  # noqa: BLE001 - as EventBridge: the next tick tries again
                        logger.exception("scheduled job failed", job=job.name)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

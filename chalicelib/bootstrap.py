"""The composition root: the one place where clients, the table, stores, mailers
and settings are built and handed to the use cases that need them, and the one
place that knows which modules wire into which.

Entry points (routes, workflow steps, scheduled jobs, the local runtime) ask
here for their use cases; use cases never build their own collaborators, so a
unit test can hand them fakes of our own ports instead (``tests/fakes.py``).
Everything is built on demand: ``import app`` loads no capability, and a
Lambda builds only what its request uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamo import Table
from chalicelib.kernel.ports import Mailer

if TYPE_CHECKING:
    from chalicelib.work.tasks import Tasks


def table() -> Table:
    """The one DynamoDB table of the stage (its name from the settings)."""
    return Table()


def tasks() -> Tasks:
    from chalicelib.audit.trail import Trail
    from chalicelib.calendar.service import agency_calendar
    from chalicelib.organisation.store import Directory
    from chalicelib.work.task_store import TaskStore
    from chalicelib.work.tasks import Tasks

    t = table()
    return Tasks(store=TaskStore(t), trail=Trail(t), directory=Directory(t),
                 calendar=agency_calendar)


def load_steps() -> None:
    """Import every module that registers workflow steps with
    ``kernel.subscribers.subscribe`` (explicit: no discovery by file name)."""
    from chalicelib.complaints import steps as _complaint_steps  # noqa: F401
    from chalicelib.incoming import steps as _incoming_steps  # noqa: F401
    from chalicelib.meetings import service as _meetings  # noqa: F401
    from chalicelib.notifications import service as _notifications  # noqa: F401
    from chalicelib.onestop import steps as _onestop_steps  # noqa: F401
    from chalicelib.outgoing import steps as _outgoing_steps  # noqa: F401
    from chalicelib.search import service as _search  # noqa: F401


def mailer() -> Mailer:
    """The application's mailer: SES, as raw MIME so that attachments travel."""
    from chalicelib.adapters.mailer import SesMailer

    return SesMailer()


# What a workflow step may ask for with ``subscribe(..., needs=(...))``. The step
# runner hands them in: a step cannot import this module to fetch them itself,
# since load_steps imports the steps (the import graph would have a cycle).
COLLABORATORS: dict[str, Callable[[], Any]] = {"mailer": mailer}


def collaborators(needs: Iterable[str]) -> dict[str, Any]:
    """The keyword arguments of a step that declared ``needs``."""
    unknown = sorted(set(needs) - set(COLLABORATORS))
    if unknown:
        raise LookupError(f"no collaborator named {unknown} in the composition root")
    return {name: COLLABORATORS[name]() for name in needs}

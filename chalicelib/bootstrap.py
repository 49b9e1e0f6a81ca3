"""The composition root: the one place that knows which modules wire into which.

Entry points (the workflow step runner, jobs, the local runtime) ask here for
what they need; use cases never assemble their own collaborators' list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from chalicelib.kernel.ports import Mailer


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

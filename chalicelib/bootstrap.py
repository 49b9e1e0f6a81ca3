"""The composition root: the one place that knows which modules wire into which.

Entry points (the workflow step runner, jobs, the local runtime) ask here for
what they need; use cases never assemble their own collaborators' list.
"""

from __future__ import annotations


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

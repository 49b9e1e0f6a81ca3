"""Named points inside long steps where the local runtime can be made to stop
dead, so that a crash test kills it *inside* the step rather than by timing luck.

``pause_point("outgoing.sign")`` does nothing unless the process runs the local
stage (``EOFFICE_STAGE=local``) with ``EOFFICE_PAUSE_AT`` naming that point
(several points: comma-separated). Then it creates a file of the point's name in
the folder ``EOFFICE_PAUSE_DIR`` (how the test knows the step is there) and
blocks the thread for good: the test SIGKILLs the runtime, and a restart must
finish the step or leave it visibly to be done again. On AWS the stage is never
``local``, so these calls are a dictionary lookup and nothing else.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

PAUSE_AT_ENV = "EOFFICE_PAUSE_AT"
PAUSE_DIR_ENV = "EOFFICE_PAUSE_DIR"


def pause_point(name: str) -> None:
    if os.environ.get("EOFFICE_STAGE") != "local" or \
            name not in os.environ.get(PAUSE_AT_ENV, "").split(","):
        return
    folder = os.environ.get(PAUSE_DIR_ENV)
    if folder:
        Path(folder, name).touch()
    threading.Event().wait()  # until the process is killed

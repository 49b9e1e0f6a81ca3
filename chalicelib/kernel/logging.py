"""One structured JSON logger for every function (Powertools).

The Powertools logger is built on the first log call, not at import: every
Lambda imports ``app.py`` and most requests log nothing, so importing
Powertools (and the JMESPath and JSON machinery it brings) would only lengthen
every cold start.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _powertools_logger() -> Any:
    from aws_lambda_powertools import Logger

    return Logger(service="eoffice")


class _DeferredLogger:
    """Forwards every call to the Powertools logger, created on first use."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_powertools_logger(), name)


logger: Any = _DeferredLogger()

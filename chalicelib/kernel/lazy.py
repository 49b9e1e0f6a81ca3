"""Modules loaded on first use.

Every Lambda of a Chalice app imports ``app.py`` and so every route module: a
route module that imported its capability at the top would put every use case,
rule and catalogue on every function's cold start (the ingest and scheduled
Lambdas included). Route modules name their capability with ``lazy_module``
instead, and it loads when a request first reaches one of its views. The
architecture test reads these calls as imports, so they count for the cycle
and layer checks like any other import.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for a module; the first attribute read imports it (under the
    interpreter's import lock, so concurrent first requests load it once)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def _module(self) -> ModuleType:
        return importlib.import_module(self._name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._module(), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


def lazy_module(name: str) -> Any:
    """The module ``name``, imported when first used (typed ``Any`` so that its
    functions keep their call sites unchanged)."""
    return LazyModule(name)

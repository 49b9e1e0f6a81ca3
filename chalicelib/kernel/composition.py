"""The guard of the composition root's rule: a use case is handed its table (or
the collaborators built on it) by an entry point that asked ``chalicelib.bootstrap``;
it never builds the stage's table itself."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def given(table: T | None) -> T:
    """The caller's table; one given neither it nor the collaborators built on it
    is a programming error, not a cue to build one."""
    if table is None:
        raise TypeError("pass the table, or the collaborators built on it")
    return table

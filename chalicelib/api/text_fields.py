"""Text fields of request models, tidied once their limits have passed (as a
``field_validator`` in "after" mode would; the limits count what was sent):

- ``OneLine``: Unicode NFC, every run of white space one space, none at the ends
  (names, subjects, reasons, comments);
- ``Paragraphs``: NFC, line breaks as LF, none at the ends; the lines and their
  spacing kept (a complaint's content, a draft's body).

Request models only: the schema modules load on a route's first call, so
pydantic here costs no cold start.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator


def one_line(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def paragraphs(value: str) -> str:
    return unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()


OneLine = Annotated[str, AfterValidator(one_line)]
Paragraphs = Annotated[str, AfterValidator(paragraphs)]

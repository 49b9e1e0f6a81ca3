"""Request models of the search routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SearchQuery(BaseModel):
    # Blank and wordless queries are refused by the use case, naming q as well.
    q: str = Field(min_length=1, max_length=200)
    kind: Literal["incoming", "outgoing", "complaint", "dossier", "task", "meeting"] | None = None
    limit: int = Field(default=5, ge=1, le=20)  # results per kind
    # Incoming documents (the full-text engine): by relevance, or newest first.
    sort: Literal["relevance", "newest"] = "relevance"

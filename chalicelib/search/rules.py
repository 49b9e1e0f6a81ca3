"""Search terms, insensitive to diacritics, case and Unicode form: "ha noi",
"HÀ NỘI" and an NFD-encoded "Hà Nội" are the same two terms. The folding is
kernel vocabulary (``kernel.folding``), shared with the lists' ``q`` filters."""

from __future__ import annotations

from chalicelib.kernel.folding import MAX_QUERY_TERMS, fold, matches, query_terms, terms

__all__ = ["MAX_QUERY_TERMS", "fold", "matches", "query_terms", "terms"]

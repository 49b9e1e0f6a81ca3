"""The search port on Tantivy: BM25 ranking, phrase and prefix queries, filters
and counts inside the engine, one directory of immutable segment files that
``search/replica.py`` copies to and from S3.

Text is folded before it reaches Tantivy (``query.fold_aligned``), so its
default tokenizer (split on non-alphanumerics, lower case) yields the same
words as ``kernel.folding``. Permissions are a term-set clause on ``scopes``
in the same query as the words: a document no scope of the caller's may see
never matches, so it is neither fetched nor counted.

``tantivy`` is imported by the functions here only: ``import app`` and the
routes that do not search never load it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chalicelib.search.ports import (
    FACETS,
    Hit,
    IndexedDocument,
    SearchPage,
    SearchRequest,
)
from chalicelib.search.query import fold_aligned, nfc
from chalicelib.search.snippets import snippet

METADATA_BOOST = 2.0  # a word of the subject or the number weighs more than one of the body
WRITER_HEAP = 50_000_000
FACET_SIZE = 20


def schema() -> Any:
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    for name in ("kind", "urgency", "status"):
        b.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("units", fast=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("scopes", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("arrival", stored=False, indexed=True, fast=True)
    b.add_text_field("meta", tokenizer_name="default", index_option="position")
    b.add_text_field("text", tokenizer_name="default", index_option="position")
    # The original words, for snippets: stored (compressed), never indexed.
    b.add_bytes_field("original", stored=True, indexed=False)
    return b.build()


class TantivyIndex:
    """``SearchIndex`` over a directory (``None``: in memory, for tests)."""

    def __init__(self, directory: Path | None = None) -> None:
        import tantivy

        self.schema = schema()
        if directory is None:
            self.index = tantivy.Index(self.schema)
        else:
            directory.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(directory), reuse=True)
        self.directory = directory

    def reload(self) -> None:
        self.index.reload()

    # ---- writing

    def _document(self, doc: IndexedDocument) -> Any:
        import tantivy

        metadata, body = nfc(doc.metadata), nfc(doc.body)
        out = tantivy.Document()
        out.add_text("id", doc.id)
        out.add_text("kind", doc.kind)
        out.add_text("urgency", doc.urgency or "")
        out.add_text("status", doc.status or "")
        for unit in doc.units:
            out.add_text("units", unit)
        for scope in doc.scopes:
            out.add_text("scopes", scope)
        out.add_integer("arrival", doc.arrival)
        out.add_text("meta", fold_aligned(metadata))
        out.add_text("text", fold_aligned(metadata + "\n" + body))
        out.add_bytes("original", (metadata + "\n" + body).encode("utf-8"))
        return out

    def apply(self, upserts: Sequence[IndexedDocument], deletes: Sequence[str]) -> None:
        writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        for doc_id in [*deletes, *(d.id for d in upserts)]:
            writer.delete_documents_by_term("id", doc_id)
        for doc in upserts:
            writer.add_document(self._document(doc))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def clear(self) -> None:
        writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    # ---- reading

    def count(self) -> int:
        return int(self.index.searcher().num_docs)

    def _text_query(self, request: SearchRequest) -> Any:
        from tantivy import Occur, Query

        s, q = self.schema, request.query
        clauses: list[tuple[Any, Any]] = []
        for word in q.words:
            # Required in the text; a match in the metadata ranks higher.
            clauses.append((Occur.Must, Query.term_query(s, "text", word)))
            clauses.append((Occur.Should, Query.boost_query(Query.term_query(s, "meta", word),
                                                            METADATA_BOOST)))
        for phrase in q.phrases:
            clauses.append((Occur.Must, Query.phrase_query(s, "text", list(phrase))))
            clauses.append((Occur.Should, Query.boost_query(
                Query.phrase_query(s, "meta", list(phrase)), METADATA_BOOST)))
        for prefix in q.prefixes:
            # Folded terms are [0-9a-z]: nothing to escape in the pattern.
            clauses.append((Occur.Must, Query.regex_query(s, "text", f"{prefix}.*")))
        clauses.append((Occur.Must, Query.term_set_query(s, "scopes", sorted(request.scopes))))
        if request.since is not None or request.before is not None:
            from tantivy import FieldType

            clauses.append((Occur.Must, Query.range_query(
                s, "arrival", FieldType.Integer, request.since,
                None if request.before is None else request.before - 1)))
        return clauses

    def _filters(self, request: SearchRequest) -> list[tuple[Any, Any]]:
        from tantivy import Occur, Query

        s = self.schema
        out: list[tuple[Any, Any]] = []
        if request.kinds:
            out.append((Occur.Must, Query.term_set_query(s, "kind", list(request.kinds))))
        for field, value in (("urgency", request.urgency), ("status", request.status),
                             ("units", request.unit)):
            if value:
                out.append((Occur.Must, Query.term_query(s, field, value)))
        return out

    def search(self, request: SearchRequest) -> SearchPage:
        from tantivy import Order, Query

        if not request.scopes:
            return SearchPage([], 0, {})
        searcher = self.index.searcher()
        base = self._text_query(request)
        query = Query.boolean_query(base + self._filters(request))
        if request.newest_first:
            found = searcher.search(query, request.limit, count=True, offset=request.offset,
                                    order_by_field="arrival", order=Order.Desc)
        else:
            found = searcher.search(query, request.limit, count=True, offset=request.offset)
        hits = []
        for key, address in found.hits:
            doc = searcher.doc(address)
            original = bytes(doc.get_first("original") or b"").decode("utf-8")
            hits.append(Hit(id=str(doc.get_first("id")),
                            score=0.0 if request.newest_first else float(key),
                            scopes=tuple(doc.get_all("scopes")),
                            snippet=snippet(original, request.query)))
        return SearchPage(hits, int(found.count or 0), self._counts(searcher, base))

    def _counts(self, searcher: Any, base: list[tuple[Any, Any]]) -> dict[str, dict[str, int]]:
        """Per filter value, the matches of the words within the caller's scopes
        and dates, whatever the other filters: what choosing that value gives."""
        from tantivy import Query

        agg = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in FACETS}
        out = searcher.aggregate(Query.boolean_query(base), agg)
        return {f: {str(b["key"]): int(b["doc_count"]) for b in out.get(f, {}).get("buckets", [])
                    if b["key"] != ""} for f in FACETS}

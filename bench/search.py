"""Search: the Tantivy engine behind ``chalicelib.search`` against SQLite FTS5
over the same synthetic Vietnamese documents, in the same run.

1. **Latency.** The engine's ``search()`` exactly as the route calls it
   (BM25 ranking, the caller's scopes as a clause, highlighted snippets and
   the counts per filter value) against FTS5 asked the same question (bm25,
   the scopes as a column in the MATCH, ``snippet()``, the total and the
   counts per urgency), both over the same folded texts, p50 and p95 over the
   same queries and callers.
2. **Size** of the index directory against the FTS5 database file (both keep
   the original text, for snippets).
3. **A writer's batch of 100 updates**: the engine's apply and commit, and
   what the replica uploads to S3 for it (only the new segment files, the
   meta file and the manifest).
4. **The rebuild's reads**: the rebuild (``indexing.rebuild``) over documents
   whose text layers answer after a simulated S3 latency, read one after
   another and by the rebuild's pool of threads, in documents a second, and
   what that makes of a rebuild of 100,000 documents against a 900 s Lambda.
5. **AWS calls of a search in the steady state**, counted with botocore event
   hooks on the real ``search()`` over moto (a small collection: the number of
   calls does not depend on its size): S3 and DynamoDB.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.report import table
from bench.vi_docs import CLERK, LEADERS, SynthDoc, make_doc, officer, unit_head

SEED = 1
LARGE = 100_000
QUICK_LARGE = 10_000
BUILD_BATCH = 5_000
LIMIT = 20
PER_CLASS = 12
REPEATS = 3  # runs of each query per engine; the median is its latency
UPDATES = 100
MOTO_DOCS = 60
READ_LATENCY_S = 0.015  # one S3 GetObject of a text layer from Lambda, typical
REBUILD_SEQUENTIAL = 200  # documents read one after another (3 s at 15 ms)
REBUILD_PARALLEL = 3_000
LAMBDA_S = 900
TARGET_RATIO = 3.0
UNITS = ("PDKKD", "PTH", "VP")


@dataclass
class Result:
    n: int
    build_s: float = 0.0
    fts_build_s: float = 0.0
    size: int = 0
    fts_size: int = 0
    ours_ms: dict[str, list[float]] = field(default_factory=dict)
    fts_ms: dict[str, list[float]] = field(default_factory=dict)
    hits: dict[str, tuple[int, int]] = field(default_factory=dict)  # class -> (ours, fts)
    batch_s: float = 0.0
    batch_upload: int = 0
    batch_files: int = 0
    calls: dict[str, int] = field(default_factory=dict)
    rebuild_rate: dict[int, float] = field(default_factory=dict)  # workers -> documents/s
    notes: list[str] = field(default_factory=list)


def _callers() -> list[tuple[str, Any]]:
    from chalicelib.kernel.identity import Caller, Role

    return [("leader", Caller(LEADERS[0], frozenset({Role.LEADER}), unit="BGD")),
            ("clerk", Caller(CLERK, frozenset({Role.CLERK}), unit="VP")),
            ("unit head", Caller(unit_head("PDKKD"), frozenset({Role.UNIT_HEAD}), unit="PDKKD")),
            ("officer", Caller(officer("PDKKD", 1), frozenset({Role.OFFICER}), unit="PDKKD"))]


def _scopes(caller: Any) -> frozenset[str]:
    from chalicelib.kernel.access import Kind, scopes_for

    return frozenset(scopes_for(caller, Kind.INCOMING))


def _token(scope: str) -> str:
    return "s" + hashlib.sha1(scope.encode()).hexdigest()[:10]


def _docs(n: int) -> list[tuple[SynthDoc, Any]]:
    from chalicelib.search.indexing import indexed

    out = []
    for i in range(n):
        doc = make_doc(i, SEED)
        out.append((doc, indexed(doc.item(), doc.text())))
    return out


def _queries(docs: list[tuple[SynthDoc, Any]]) -> list[tuple[str, str]]:
    """(class, text): words by document frequency in a sample, a phrase from a
    subject, a prefix. Deterministic."""
    from chalicelib.search.query import TOKEN, fold_aligned

    rng = random.Random(SEED * 7919)
    sample = docs[: min(len(docs), 3_000)]
    df: dict[str, int] = {}
    for _, d in sample:
        for t in set(TOKEN.findall(fold_aligned(d.metadata + " " + d.body))):
            if len(t) > 1 and not t.isdigit():
                df[t] = df.get(t, 0) + 1
    n = len(sample)
    common = sorted(t for t, c in df.items() if c > 0.2 * n)
    medium = sorted(t for t, c in df.items() if 0.01 * n <= c <= 0.05 * n)
    # Rare: the least frequent tenth of the words met at least twice.
    seen_twice = sorted((c, t) for t, c in df.items() if c >= 2)
    rare = sorted(t for _, t in seen_twice[: max(5, len(seen_twice) // 10)])
    out: list[tuple[str, str]] = []
    for _ in range(PER_CLASS):
        out.append(("one common word", rng.choice(common)))
        out.append(("common + medium", f"{rng.choice(common)} {rng.choice(medium)}"))
        out.append(("medium + rare", f"{rng.choice(medium)} {rng.choice(rare)}"))
        subject = TOKEN.findall(fold_aligned(rng.choice(sample)[0].trich_yeu))
        k = rng.randrange(0, max(1, len(subject) - 2))
        out.append(("phrase of 3 words", '"' + " ".join(subject[k:k + 3]) + '"'))
        out.append(("word + prefix", f"{rng.choice(common)} {rng.choice(medium)[:3]}*"))
    return out


def _fts_query(parsed: Any, scopes: frozenset[str]) -> str:
    parts = [*parsed.words, *(f'"{" ".join(p)}"' for p in parsed.phrases),
             *(f"{p}*" for p in parsed.prefixes)]
    words = " AND ".join(f"{{meta text}}: {p}" for p in parts)
    return f"scopes: ({' OR '.join(_token(s) for s in sorted(scopes))}) AND {words}"


def _build_fts(path: Path, docs: list[tuple[SynthDoc, Any]]) -> sqlite3.Connection:
    from chalicelib.search.query import fold_aligned, nfc

    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, arrival UNINDEXED, "
               "urgency UNINDEXED, scopes, meta, text, original UNINDEXED)")
    db.executemany("INSERT INTO fts VALUES (?, ?, ?, ?, ?, ?, ?)", (
        (d.id, d.arrival, d.urgency, " ".join(_token(s) for s in d.scopes),
         fold_aligned(nfc(d.metadata)), fold_aligned(nfc(d.metadata + "\n" + d.body)),
         nfc(d.metadata + "\n" + d.body)) for _, d in docs))
    db.commit()
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.commit()
    return db


def _fts_search(db: sqlite3.Connection, match: str) -> int:
    rows = db.execute("SELECT id, snippet(fts, 5, '[', ']', '…', 24) FROM fts WHERE fts MATCH ? "
                      "ORDER BY bm25(fts, 0, 0, 0, 2.0, 1.0, 0) LIMIT ?", (match, LIMIT)).fetchall()
    db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match,)).fetchone()
    db.execute("SELECT urgency, count(*) FROM fts WHERE fts MATCH ? GROUP BY urgency",
               (match,)).fetchall()
    return len(rows)


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    best: list[float] = []
    out = None
    for _ in range(REPEATS):
        started = time.perf_counter()
        out = call()
        best.append((time.perf_counter() - started) * 1000)
    return out, statistics.median(best)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


class _CountingS3:
    """What the replica would send to S3, counted, kept nowhere."""

    class exceptions:  # noqa: N801 - boto3's shape
        NoSuchKey = KeyError

    def __init__(self) -> None:
        self.bytes = 0
        self.files = 0
        self.manifests: dict[str, bytes] = {}  # the replica reads its manifest back

    def upload_file(self, path: str, bucket: str, key: str) -> None:
        self.bytes += os.path.getsize(path)
        self.files += 1

    def put_object(self, **kw: Any) -> None:
        body = kw["Body"].encode() if isinstance(kw["Body"], str) else kw["Body"]
        self.manifests[kw["Key"]] = body
        self.bytes += len(body)
        self.files += 1

    def get_object(self, **kw: Any) -> dict[str, Any]:
        return {"Body": io.BytesIO(self.manifests[kw["Key"]])}

    def delete_objects(self, **kw: Any) -> None:
        """Retired files are not counted as sent."""


def _moto_calls(say: Callable[[str], None]) -> dict[str, int]:
    """The real ``search()`` over moto after the writer's rebuild: AWS calls of
    a search once the reader's copy is in /tmp."""
    from bench.embedded import embedded_aws
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.dynamo import Table
    from chalicelib.bootstrap import s3_pool
    from chalicelib.incoming.store import scope_entries
    from chalicelib.kernel.config import get_settings
    from chalicelib.search import writer
    from chalicelib.search.service import search

    with embedded_aws(seed_users=False):
        writer.forget_reader()
        s3, table = client("s3"), Table()
        items: list[dict[str, Any]] = []
        for i in range(MOTO_DOCS):
            doc = make_doc(i, SEED)
            item = doc.item()
            items += [item, *scope_entries(item)]
            s3.put_object(Bucket=get_settings().documents_bucket, Key=str(item["text_key"]),
                          Body=doc.text().encode())
        table.batch_write(puts=items)
        writer.rebuild_index(table, s3_pool=s3_pool)
        caller = _callers()[0][1]
        q = make_doc(0, SEED).trich_yeu.split()[-1]
        # The first search copies the index to /tmp.
        search(caller, q, sort="relevance", table=table)
        calls: dict[str, int] = {"s3": 0, "dynamodb": 0}
        hooks = [(client(name).meta.events, name) for name in calls]

        def count(name: str) -> Callable[..., None]:
            return lambda **_: calls.__setitem__(name, calls[name] + 1)

        for events, name in hooks:
            events.register(f"before-call.{name}.*", count(name), unique_id=f"bench-{name}")
        try:
            for _ in range(5):
                search(caller, q, sort="relevance", table=table)
        finally:
            for events, name in hooks:
                events.unregister(f"before-call.{name}.*", unique_id=f"bench-{name}")
        writer.forget_reader()
        say(f"moto: {calls} over 5 searches")
        return {k: v // 5 for k, v in calls.items()}


def _rebuild_rates(say: Callable[[str], None]) -> dict[int, float]:
    """Documents a second of ``indexing.rebuild`` into a fresh index, each text
    layer answering after ``READ_LATENCY_S`` (a sleep stands for the network:
    threads overlap it as they overlap real S3 requests)."""
    from chalicelib.search.engine import TantivyIndex
    from chalicelib.search.indexing import rebuild
    from chalicelib.search.writer import READS

    made = [make_doc(i, SEED) for i in range(REBUILD_PARALLEL)]
    items = [d.item() for d in made]
    texts = {str(item["id"]): d.text() for item, d in zip(items, made, strict=True)}

    def text_of(doc: dict[str, Any]) -> str:
        time.sleep(READ_LATENCY_S)
        return texts[str(doc["id"])]

    rates: dict[int, float] = {}
    for workers, n in ((1, REBUILD_SEQUENTIAL), (READS, REBUILD_PARALLEL)):
        started = time.perf_counter()
        count, _ = rebuild(items[:n], text_of=text_of, index=TantivyIndex(None),
                           workers=workers)
        rates[workers] = count / (time.perf_counter() - started)
        say(f"rebuild with {workers} reader(s): {rates[workers]:.0f} documents/s")
    return rates


def measure(quick: bool = False, log: Callable[[str], None] | None = None) -> Result:
    from chalicelib.search.engine import TantivyIndex
    from chalicelib.search.ports import SearchRequest
    from chalicelib.search.query import parse
    from chalicelib.search.replica import Replica

    def say(text: str) -> None:
        (log or (lambda m: print(f"bench search: {m}", file=sys.stderr, flush=True)))(text)

    n = QUICK_LARGE if quick else LARGE
    result = Result(n)
    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        started = time.perf_counter()
        docs = _docs(n)
        say(f"{n} documents made in {time.perf_counter() - started:.0f} s")
        engine = TantivyIndex(work / "index")
        started = time.perf_counter()
        for k in range(0, n, BUILD_BATCH):
            engine.apply([d for _, d in docs[k:k + BUILD_BATCH]], [])
        result.build_s = time.perf_counter() - started
        result.size = _dir_size(work / "index")
        say(f"engine built in {result.build_s:.0f} s, {result.size / 1e6:.0f} MB")
        started = time.perf_counter()
        db = _build_fts(work / "fts.db", docs)
        result.fts_build_s = time.perf_counter() - started
        result.fts_size = (work / "fts.db").stat().st_size
        say(f"FTS5 built in {result.fts_build_s:.0f} s, {result.fts_size / 1e6:.0f} MB")

        callers = _callers()
        for i, (klass, text) in enumerate(_queries(docs)):
            label, caller = callers[i % len(callers)]
            scopes = _scopes(caller)
            parsed = parse(text)
            request = SearchRequest(parsed, scopes, limit=LIMIT)
            page, ours = _timed(lambda request=request: engine.search(request))
            found, fts = _timed(lambda m=_fts_query(parsed, scopes): _fts_search(db, m))
            result.ours_ms.setdefault(klass, []).append(ours)
            result.fts_ms.setdefault(klass, []).append(fts)
            mine, theirs = result.hits.get(klass, (0, 0))
            result.hits[klass] = (mine + len(page.hits), theirs + found)
        say("queries done")

        # A writer's batch: 100 documents changed (given to another unit), one commit.
        replica = Replica(_CountingS3(), "bench", "incoming", work / "index")
        replica.push()  # the state before, as uploaded
        s3 = replica.s3
        s3.bytes = s3.files = 0
        rng = random.Random(SEED)
        changed = []
        for _, d in rng.sample(docs, UPDATES):
            from dataclasses import replace

            changed.append(replace(d, units=(*d.units, "PTH"), status="distributed"))
        started = time.perf_counter()
        engine.apply(changed, [])
        replica.push()
        result.batch_s = time.perf_counter() - started
        result.batch_upload, result.batch_files = s3.bytes, s3.files
        say(f"batch of {UPDATES}: {result.batch_s:.2f} s, {s3.files} files, {s3.bytes} bytes")
        db.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result.rebuild_rate = _rebuild_rates(say)
    result.calls = _moto_calls(say)
    return result


def _rebuild_text(r: Result) -> str:
    from chalicelib.search.writer import CHUNK_MARGIN_S

    (_, seq), (workers, par) = sorted(r.rebuild_rate.items())
    return (
        f"The rebuild, each text layer answering after {READ_LATENCY_S * 1000:.0f} ms: "
        f"**{seq:,.0f} documents/s** read one after another, **{par:,.0f} documents/s** with "
        f"{workers} readers (including the engine's indexing, in batches of 500). At "
        f"{LARGE:,} documents: {LARGE / seq / 60:,.0f} min against {LARGE / par / 60:,.1f} min; "
        f"a {LAMBDA_S} s Lambda run holds ~{(LAMBDA_S - CHUNK_MARGIN_S) * par:,.0f} documents "
        f"a chunk ({CHUNK_MARGIN_S:.0f} s kept to commit and upload); a longer rebuild goes "
        "on in chunks.")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def markdown(r: Result) -> str:
    every_ours = [v for vs in r.ours_ms.values() for v in vs]
    every_fts = [v for vs in r.fts_ms.values() for v in vs]
    rows = []
    for klass in r.ours_ms:
        o, f = r.ours_ms[klass], r.fts_ms[klass]
        rows.append([klass, f"{_pct(o, .5):.2f}", f"{_pct(o, .95):.2f}", f"{_pct(f, .5):.2f}",
                     f"{_pct(f, .95):.2f}", f"{r.hits[klass][0]} / {r.hits[klass][1]}"])
    p50, p95 = _pct(every_ours, .5), _pct(every_ours, .95)
    f50, f95 = _pct(every_fts, .5), _pct(every_fts, .95)
    rows.append(["**all**", f"**{p50:.2f}**", f"**{p95:.2f}**", f"**{f50:.2f}**",
                 f"**{f95:.2f}**", ""])
    ratio = max(p50 / f50, p95 / f95)
    verdict = "met" if ratio <= TARGET_RATIO else "**not met**"
    return "\n\n".join([
        f"{r.n:,} synthetic incoming documents (bench/vi_docs.py), the same folded texts in "
        f"both engines; {len(every_ours)} queries, each run {REPEATS}× per engine (median), "
        "callers rotating over a leader, the clerk, a head of unit and an officer.",
        table(["query", "engine p50 ms", "engine p95 ms", "FTS5 p50 ms", "FTS5 p95 ms",
               "hits shown (engine / FTS5)"], rows),
        f"Engine against FTS5: **{p50 / f50:.2f}×** at p50, **{p95 / f95:.2f}×** at p95 "
        f"(goal ≤ {TARGET_RATIO:.0f}×: {verdict}). Both rank by BM25 (metadata weighted 2), "
        "filter by the caller's scopes inside the query, and return 20 rows with a snippet, "
        "the total and counts; the engine also counts per status and unit.",
        table(["", "engine (Tantivy)", "SQLite FTS5"], [
            ["index size", f"{r.size / 1e6:,.0f} MB", f"{r.fts_size / 1e6:,.0f} MB"],
            ["build (batches of 5,000)", f"{r.build_s:,.0f} s", f"{r.fts_build_s:,.0f} s"],
        ]),
        f"A writer's batch of {UPDATES} updates (documents given to another unit): "
        f"**{r.batch_s:.2f} s** to apply, commit and upload; {r.batch_files} files "
        f"({r.batch_upload / 1e6:.1f} MB) sent to S3, the manifest last — the older segments "
        "are not sent again.",
        _rebuild_text(r),
        f"AWS calls of a search in the steady state (the real `search()` over moto, "
        f"{MOTO_DOCS} documents, the reader's copy in /tmp): **{r.calls.get('s3', 0)} to S3, "
        f"{r.calls.get('dynamodb', 0)} to DynamoDB** (the caller's list entries of the page, "
        "one BatchGetItem). The route adds the session's own reads.",
    ])

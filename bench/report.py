"""Writes one generated section of docs/performance.md between its markers,
leaving the rest of the file (hand-written text, other suites' sections) alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"

INTRO = """# Performance

Figures in this file are produced by `make bench` (`python -m bench.run`) and
rewritten on every run between the `bench:*` markers; text outside the markers
is kept. A timing is always a ratio against a baseline measured in the same
run on the same machine, never an absolute promise and never a test assertion.
"""


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def write_section(name: str, body: str, path: Path = PERFORMANCE_DOC) -> None:
    start, end = markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text("utf-8") if path.exists() else INTRO
    head, found_start, rest = text.partition(start)
    if found_start:
        _, found_end, tail = rest.partition(end)
        if not found_end:
            # A start marker without its end: the rest of the file would be lost
            # by guessing, so refuse and let a person repair the file.
            raise ValueError(f"{path}: {start} has no matching {end}")
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def quick_main(prog: str, doc: str | None, run: Callable[[bool], str],
               argv: list[str] | None, quick_help: str | None = None) -> int:
    """``python -m bench.NAME [--quick]`` of a family whose ``run`` takes only
    ``quick``: print its section."""
    import argparse

    parser = argparse.ArgumentParser(prog=prog, description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    print(run(parser.parse_args(argv).quick))
    return 0

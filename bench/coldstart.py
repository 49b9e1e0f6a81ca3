"""Cold start: what ``import app`` costs a fresh interpreter, against the floor
that any Chalice + boto3 Lambda pays (``import chalice, boto3``).

Every Lambda of a Chalice app imports app.py, so this is every function's cold
start. Two figures per variant, each from new ``python -c`` processes: the whole
process, from spawn to exit (what a Lambda's init pays, interpreter start-up
included: the figure the target is set on), and the import statement alone
timed inside the child, which also lists the modules it loaded, so that a
regression shows up as a named module, not only as a number.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from bench.report import ROOT

BASELINE = "import chalice, boto3"
SUBJECT = "import app"
RUNS = 9
TARGET_RATIO = 1.5
OWN_PACKAGES = ("app", "chalicelib")
OWN_SHOWN = 8

# DESIGN.md: these belong inside the adapter function that needs them, never on
# the path of ``import app``.
HEAVY = ("pyhanko", "pypdf", "pdfminer", "pikepdf", "fpdf", "reportlab", "openpyxl",
         "pypdfium2", "PIL", "fitz", "jinja2")

# The child reports the import time and every module it holds afterwards; json
# and time are imported before the clock starts, in both variants alike.
_CHILD = """\
import json, sys, time
t0 = time.perf_counter()
{statement}
elapsed = time.perf_counter() - t0
print(json.dumps({{"seconds": elapsed, "modules": sorted(sys.modules)}}))
"""


@dataclass
class Variant:
    statement: str
    seconds: list[float] = field(default_factory=list)  # the import statement alone
    whole: list[float] = field(default_factory=list)  # the whole process, spawn to exit
    modules: set[str] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def whole_median(self) -> float:
        return statistics.median(self.whole)


@dataclass
class ColdStart:
    baseline: Variant
    subject: Variant
    extra: set[str]  # modules (full names) that app loads and the baseline does not
    self_us: dict[str, int]  # module -> its own import time in one -X importtime run
    heavy_loaded: list[str]
    environment: str

    @property
    def ratio(self) -> float:
        """Whole processes: the figure the target is set on."""
        return self.subject.whole_median / self.baseline.whole_median

    @property
    def statement_ratio(self) -> float:
        return self.subject.median / self.baseline.median


def child_environment(pycache: str) -> dict[str, str]:
    # Nothing of the caller's AWS or app setup may leak in (an endpoint, a profile).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "EOFFICE_")) and k != "JWKS_URL"
           and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env.update({
        # Settings are read lazily, but a stage and dummy credentials keep any
        # import-time lookup from failing or reaching for a real profile.
        "EOFFICE_STAGE": "local",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_REGION": "ap-southeast-1",
        # Bytecode goes to a private folder, warmed by a discarded first run:
        # both variants then read compiled code, whatever the state of the
        # __pycache__ folders in the repository (the Makefile disables them).
        "PYTHONPYCACHEPREFIX": pycache,
    })
    return env


def _sample(statement: str, env: dict[str, str],
            extra_args: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    proc = subprocess.run(
        [sys.executable, *extra_args, "-c", _CHILD.format(statement=statement)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"`{statement}` failed in a fresh interpreter:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def _whole(statement: str, env: dict[str, str]) -> float:
    """Seconds from spawning ``python -c statement`` to its exit."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], cwd=ROOT, env=env, capture_output=True,
                   timeout=120, check=True)
    return time.perf_counter() - started


def _self_times(stderr: str) -> dict[str, int]:
    """Self microseconds per module from ``-X importtime`` (its own body, without
    what it imports): additive, so a package's modules can be summed."""
    out: dict[str, int] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        out[parts[2].strip()] = int(parts[0].strip())
    return out


def measure(runs: int = RUNS) -> ColdStart:
    baseline, subject = Variant(BASELINE), Variant(SUBJECT)
    with tempfile.TemporaryDirectory(prefix="eoffice-bench-pycache-") as pycache:
        env = child_environment(pycache)
        for variant in (baseline, subject):  # warm the bytecode cache; not counted
            _sample(variant.statement, env)
        for i in range(runs):
            # Interleaved, and the order flips each round, so that drift of the
            # machine (other jobs, CPU frequency) weighs on both alike.
            pair = (baseline, subject) if i % 2 == 0 else (subject, baseline)
            for variant in pair:
                data, _ = _sample(variant.statement, env)
                variant.seconds.append(float(data["seconds"]))
                variant.modules = set(data["modules"])
                variant.whole.append(_whole(variant.statement, env))
        _, stderr = _sample(SUBJECT, env, ("-X", "importtime"))
    extra = subject.modules - baseline.modules
    app_top = {name.split(".")[0] for name in subject.modules}
    heavy = sorted(name for name in HEAVY if name in app_top)
    environment = (f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), "
                   f"{runs} interleaved runs per variant after one discarded warm-up each")
    return ColdStart(baseline, subject, extra, _self_times(stderr), heavy, environment)


def markdown(result: ColdStart) -> str:
    from bench.report import table

    ms = 1000.0
    rows = [
        [f"baseline `{BASELINE}`", f"{result.baseline.whole_median * ms:.1f}",
         f"{result.baseline.median * ms:.1f}", f"{min(result.baseline.seconds) * ms:.1f}",
         f"{max(result.baseline.seconds) * ms:.1f}", len(result.baseline.seconds)],
        [f"`{SUBJECT}`", f"{result.subject.whole_median * ms:.1f}",
         f"{result.subject.median * ms:.1f}", f"{min(result.subject.seconds) * ms:.1f}",
         f"{max(result.subject.seconds) * ms:.1f}", len(result.subject.seconds)],
    ]
    verdict = "met" if result.ratio <= TARGET_RATIO else "**missed**"
    heavy = (
        "none of " + ", ".join(f"`{h}`" for h in HEAVY) + " is loaded by `import app`."
        if not result.heavy_loaded
        else "**loaded by `import app` (regression):** "
        + ", ".join(f"`{h}`" for h in result.heavy_loaded)
    )
    base_top = {name.split(".")[0] for name in result.baseline.modules}
    packages: dict[str, list[str]] = {}
    for name in result.extra:
        packages.setdefault(name.split(".")[0], []).append(name)

    def self_ms(names: list[str]) -> float:
        return sum(result.self_us.get(n, 0) for n in names) / 1000

    extra_rows = [
        [f"`{top}`", "more of it" if top in base_top else "new", len(names),
         f"{self_ms(names):.1f}"]
        for top, names in sorted(packages.items(), key=lambda kv: (-self_ms(kv[1]), kv[0]))
    ]
    own = sorted((n for n in result.extra if n.split(".")[0] in OWN_PACKAGES),
                 key=lambda n: -result.self_us.get(n, 0))[:OWN_SHOWN]
    own_rows = [[f"`{n}`", f"{result.self_us.get(n, 0) / 1000:.1f}"] for n in own]
    total_ms = self_ms(sorted(result.extra))
    return "\n\n".join([
        "### Cold start: `import app` against `import chalice, boto3`",
        "Each sample is a fresh interpreter (`python -c`), with `EOFFICE_STAGE=local` and "
        "dummy AWS credentials: the whole process from spawn to exit (interpreter start-up "
        "included, as a Lambda's init pays it), and, in a separate process, the import "
        f"statement alone timed inside it; {result.environment}.",
        table(["import", "whole process, median ms", "statement median ms",
               "statement min ms", "statement max ms", "runs"], rows),
        f"**Ratio app / baseline, whole processes (medians): {result.ratio:.2f}** (target ≤ "
        f"{TARGET_RATIO}: {verdict}); the import statements alone: "
        f"{result.statement_ratio:.2f}.",
        f"Heavy libraries: {heavy}",
        "Modules that `import app` loads and the baseline does not, by top-level package "
        "(*new*: the baseline loads nothing of it; *more of it*: further submodules). Time is "
        "the sum of the modules' own import time (`-X importtime` self column, one run, "
        f"which inflates it); these add up to {total_ms:.0f} ms:",
        table(["package", "vs baseline", "modules", "self import ms"], extra_rows)
        if extra_rows else "_none_",
        f"Our own modules with the largest own import time (top {OWN_SHOWN}); pydantic "
        "models are built when their module is imported, so they are counted here:",
        table(["module", "self import ms"], own_rows) if own_rows else "_none_",
    ])

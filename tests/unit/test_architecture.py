"""The shape of the code, as docs/architecture.md draws it, checked from the
imports themselves (module level and inside functions alike).

- no import cycle between modules;
- no module imports another module's private (``_name``) names;
- the kernel imports nothing of ours outside it; adapters only the kernel;
  outputs only the kernel and adapters; the HTTP kernel (``api``) no capability;
- rules (``*/rules.py`` and the kernel) import neither boto3/botocore nor Chalice;
- capabilities depend on each other one way: counting the imports of their
  use cases, rules and stores (not their entry points: routes, jobs, the
  ingest handler), the graph of capability packages has no cycle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "chalicelib"
KERNEL, ADAPTERS, OUTPUTS, HTTP = "kernel", "adapters", "outputs", "api"
# Packages that wire everything together: they may import anything, nobody
# below imports them (checked by the layer rules).
ROOTS = {"bootstrap", "handlers", "local"}
FRAMEWORKS = ("boto3", "botocore", "chalice")


@dataclass
class Module:
    name: str
    path: Path
    imports: dict[str, int] = field(default_factory=dict)  # our module -> first line
    private: list[tuple[int, str]] = field(default_factory=list)  # (line, "mod._name")
    external: set[str] = field(default_factory=set)  # top-level third-party names

    @property
    def package(self) -> str:
        parts = self.name.split(".")
        return parts[1] if parts[0] == PACKAGE and len(parts) > 1 else parts[0]

    @property
    def leaf(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def is_entry_point(self) -> bool:
        return (self.package in ROOTS or self.name == "app" or self.leaf == "routes"
                or self.leaf.endswith("_routes") or self.leaf in ("jobs", "ingest", "pages")
                or self.is_command)

    @property
    def is_command(self) -> bool:
        """Run as ``python -m`` (a one-off like the intake's pointer backfill): an
        entry point like a route or a job, so it asks the composition root."""
        return '\nif __name__ == "__main__":' in self.path.read_text(encoding="utf-8")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def load_modules() -> dict[str, Module]:
    paths = [ROOT / "app.py", *sorted((ROOT / PACKAGE).rglob("*.py"))]
    modules = {_module_name(p): Module(_module_name(p), p) for p in paths}
    for module in modules.values():
        _read_imports(module, modules)
    return modules


def _read_imports(module: Module, modules: dict[str, Module]) -> None:
    tree = ast.parse(module.path.read_text(encoding="utf-8"), str(module.path))
    aliases: dict[str, str] = {}  # local name bound to one of our modules -> module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top == PACKAGE:
                    _add(module, alias.name, node.lineno, modules)
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                else:
                    module.external.add(top)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{module.path}:{node.lineno}: relative import")
            source = node.module or ""
            if source.split(".")[0] != PACKAGE:
                module.external.add(source.split(".")[0])
                continue
            for alias in node.names:
                target = f"{source}.{alias.name}"
                if target in modules:  # a module imported by name
                    _add(module, target, node.lineno, modules)
                    aliases[alias.asname or alias.name] = target
                    continue
                _add(module, source, node.lineno, modules)
                if _is_private(alias.name):
                    module.private.append((node.lineno, target))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "lazy_module" and node.args
                and isinstance(node.args[0], ast.Constant)):
            # kernel.lazy: an import deferred to first use is an import all the same
            _add(module, str(node.args[0].value), node.lineno, modules)
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and _is_private(node.attr)):
            module.private.append((node.lineno, f"{aliases[node.value.id]}.{node.attr}"))


def _add(module: Module, target: str, line: int, modules: dict[str, Module]) -> None:
    # ``import chalicelib.a.b`` also runs chalicelib.a's __init__, which is empty
    # here; the edge that matters is to the module named.
    if target in modules and target != module.name:
        module.imports.setdefault(target, line)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    return load_modules()


def _describe(component: list[str], modules: dict[str, Module]) -> str:
    members = set(component)
    return "; ".join(f"{m} -> {t} (line {line})" for m in component
                     for t, line in modules[m].imports.items() if t in members)


def test_the_cycle_finder_finds_a_cycle_and_nothing_else() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"b"}}) == []


def test_no_import_cycle_between_modules(modules: dict[str, Module]) -> None:
    graph = {name: set(m.imports) for name, m in modules.items()}
    found = cycles(graph)
    assert not found, "import cycles: " + " | ".join(_describe(c, modules) for c in found)


def test_no_module_imports_another_modules_private_names(modules: dict[str, Module]) -> None:
    offences = [f"{m.path.relative_to(ROOT)}:{line}: {name}"
                for m in modules.values() for line, name in m.private
                if name.rsplit(".", 1)[0] != m.name]
    assert not offences, "private names used across modules:\n" + "\n".join(offences)


ALLOWED_BELOW = {
    KERNEL: {KERNEL},
    ADAPTERS: {KERNEL, ADAPTERS},
    OUTPUTS: {KERNEL, ADAPTERS, OUTPUTS},
    HTTP: {KERNEL, ADAPTERS, OUTPUTS, HTTP},
}


def test_layers_import_only_what_lies_below_them(modules: dict[str, Module]) -> None:
    offences = []
    for m in modules.values():
        if m.name == "app":
            continue
        allowed = ALLOWED_BELOW.get(m.package)
        for target, line in m.imports.items():
            to = modules[target].package
            if allowed is not None and to not in allowed:
                offences.append(f"{m.name}:{line} ({m.package}) imports {target}")
            elif allowed is None and to in ROOTS and not m.is_entry_point:
                offences.append(f"{m.name}:{line} imports the root package {target}")
    assert not offences, "\n".join(offences)


def test_rules_and_the_kernel_know_no_aws_sdk_and_no_web_framework(
        modules: dict[str, Module]) -> None:
    offences = [f"{m.name} imports {sorted(m.external & set(FRAMEWORKS))}"
                for m in modules.values()
                if (m.package == KERNEL or m.leaf == "rules" or m.leaf.endswith("_rules"))
                and m.external & set(FRAMEWORKS)]
    assert not offences, "\n".join(offences)


def test_capabilities_depend_on_each_other_one_way(modules: dict[str, Module]) -> None:
    lower = set(ALLOWED_BELOW) | ROOTS | {"app"}
    graph: dict[str, set[str]] = defaultdict(set)
    why: dict[tuple[str, str], str] = {}
    for m in modules.values():
        if m.package in lower or m.is_entry_point:
            continue
        for target in m.imports:
            to = modules[target].package
            if to != m.package and to not in lower:
                graph[m.package].add(to)
                why.setdefault((m.package, to), f"{m.name} -> {target}")
    found = cycles(dict(graph))
    assert not found, "\n".join(
        " / ".join(why[(a, b)] for a in c for b in c if (a, b) in why) for c in found)


# ---- the storage boundary: only a capability's store knows its keys ----------

TABLE_METHODS = {"get", "query", "query_range", "query_from", "put", "update", "delete",
                 "transact", "batch_get", "batch_write"}
KEY_FIELDS = {"pk", "sk"} | {f"gsi{n}{k}" for n in range(1, 6) for k in ("pk", "sk")}
KEY_PREFIX = __import__("re").compile(r"^[A-Z][A-Z0-9_]*#")
# Modules whose use cases still read and write the table themselves: they move
# behind their capability's store one by one (docs/architecture.md, "Stores");
# the list only shrinks.
NOT_YET_BEHIND_A_STORE: set[str] = set()


def _is_store(m: Module) -> bool:
    return m.leaf == "store" or m.leaf.endswith("_store") or m.name == "chalicelib.work.items"


def storage_knowledge(m: Module) -> list[str]:
    """Where a module builds a key or talks to the table itself."""
    found = []
    tree = ast.parse(m.path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if isinstance(key, ast.Constant) and key.value in KEY_FIELDS:
                    found.append(f"{node.lineno}: key field {key.value!r}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and KEY_PREFIX.match(node.value):
            found.append(f"{node.lineno}: key prefix {node.value[:20]!r}")
        elif isinstance(node, ast.JoinedStr) and node.values \
                and isinstance(node.values[0], ast.Constant) \
                and KEY_PREFIX.match(str(node.values[0].value)):
            found.append(f"{node.lineno}: key prefix {str(node.values[0].value)[:20]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in TABLE_METHODS:
            target = node.func.value
            name = target.id if isinstance(target, ast.Name) else (
                target.attr if isinstance(target, ast.Attribute) else "")
            if name in ("table", "Table") or (isinstance(target, ast.Call)
                                              and getattr(target.func, "id", "") == "Table"):
                found.append(f"{node.lineno}: table.{node.func.attr}()")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("put_op",
                                                                             "update_op"):
            found.append(f"{node.lineno}: {node.func.id}()")  # type: ignore[attr-defined]
    return found


def test_only_stores_know_the_tables_keys(modules: dict[str, Module]) -> None:
    capability = [m for m in modules.values()
                  if m.package not in set(ALLOWED_BELOW) | ROOTS | {"app"} and not _is_store(m)]
    offenders = {m.name: storage_knowledge(m) for m in capability}
    leaking = {n: f for n, f in offenders.items() if f and n not in NOT_YET_BEHIND_A_STORE}
    assert not leaking, "\n".join(f"{n}: {f[:5]}" for n, f in sorted(leaking.items()))
    # The exemptions are true: a module that no longer touches the table leaves the list.
    clean = sorted(n for n in NOT_YET_BEHIND_A_STORE if n in offenders and not offenders[n])
    assert not clean, f"behind a store now, take them off the list: {clean}"
    assert NOT_YET_BEHIND_A_STORE <= set(modules), \
        sorted(NOT_YET_BEHIND_A_STORE - set(modules))


def test_the_storage_check_sees_keys_and_table_calls() -> None:
    sample = Module("chalicelib.x.service", ROOT / "chalicelib" / "work" / "tasks.py")
    assert storage_knowledge(sample) == []  # behind its store
    task_store = Module("chalicelib.work.task_store", ROOT / "chalicelib/work/task_store.py")
    found = storage_knowledge(task_store)
    assert any("key field 'pk'" in f for f in found)
    assert any("table.get()" in f for f in found)
    assert any("key prefix 'TASK#'" in f for f in found)


# ---- the composition root: only bootstrap builds the table and AWS clients --------

# Where building the stage's table or an AWS client is the job itself.
BUILDERS = {"chalicelib.bootstrap"}
BUILDER_PACKAGES = {ADAPTERS, "local"}
# Modules that still build their own collaborators: they take them as
# parameters one by one (docs/architecture.md, "Composition root"); the list
# only shrinks.
STILL_BUILDS_ITS_OWN: set[str] = {
    "chalicelib.api.authorizer",
    "chalicelib.api.ratelimit",
    "chalicelib.calendar.service",
    "chalicelib.organisation.store",  # directory_over: for organisation.service and .users
}


def construction(m: Module) -> list[str]:
    """Where a module builds a ``Table`` or a boto3 client or resource itself."""
    found = []
    for node in ast.walk(ast.parse(m.path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id == "Table") or (
                isinstance(func, ast.Attribute) and func.attr == "Table"):
            found.append(f"{node.lineno}: Table()")
        elif (isinstance(func, ast.Attribute) and func.attr in ("client", "resource")
              and isinstance(func.value, ast.Name) and func.value.id in ("boto3", "session")):
            found.append(f"{node.lineno}: {func.value.id}.{func.attr}()")
    return found


def test_only_the_composition_root_builds_tables_and_clients(
        modules: dict[str, Module]) -> None:
    offenders = {m.name: construction(m) for m in modules.values()
                 if m.name not in BUILDERS and m.package not in BUILDER_PACKAGES}
    building = {n: f for n, f in offenders.items() if f and n not in STILL_BUILDS_ITS_OWN}
    assert not building, "ask chalicelib.bootstrap instead:\n" + "\n".join(
        f"{n}: {f[:5]}" for n, f in sorted(building.items()))
    clean = sorted(n for n in STILL_BUILDS_ITS_OWN if n in offenders and not offenders[n])
    assert not clean, f"composed from the root now, take them off the list: {clean}"
    assert STILL_BUILDS_ITS_OWN <= set(modules), sorted(STILL_BUILDS_ITS_OWN - set(modules))


def test_the_construction_check_sees_tables_and_clients() -> None:
    sample = Module("chalicelib.x.sample", ROOT / "chalicelib" / "work" / "tasks.py")
    assert construction(sample) == []  # takes its store as a parameter
    root = Module("chalicelib.bootstrap", ROOT / "chalicelib" / "bootstrap.py")
    found = construction(root)
    assert any("Table()" in f for f in found)
    # s3_pool: no module outside the builders calls boto3 now, so only this
    # shows that the check would see one that did.
    assert any("boto3.client()" in f for f in found)

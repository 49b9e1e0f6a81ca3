"""Every action an audit trail records has a Vietnamese name: the audit page and
its exports never show a code such as "outgoing.approve"."""

from __future__ import annotations

import ast
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from itertools import product
from pathlib import Path

from chalicelib.audit.labels import ACTION_LABELS, action_label
from chalicelib.audit.trail import export_rows, for_display

ROOT = Path(__file__).resolve().parents[2]
ACTION = re.compile(r"^[a-z]+\.[a-z_]+$")
# The trail's writes (``AuditTrail.append``/``note``, ``trail.record``) and where
# their ``action`` stands among the positional arguments.
TRAIL_CALLS = {"append": 3, "note": 2, "record": 2}
TRAIL_CALL = re.compile(r"\b(trail|audit)\.(append|note|record)\(")
Scope = tuple[ast.FunctionDef | ast.AsyncFunctionDef, ...]


class RecordedActions:
    """The actions handed to the audit trail, followed back from each trail call
    through local assignments, f-strings, ``+``, conditional expressions, the
    callers of the function whose parameter it is, and the tuples a function
    returns. What it cannot follow is listed in ``unresolved``, so an action built
    in a new way fails the test instead of escaping it."""

    def __init__(self, package: Path) -> None:
        self.defs: dict[str, list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Scope]]] = \
            defaultdict(list)
        self.calls: dict[str, list[tuple[ast.Call, Scope, str]]] = defaultdict(list)
        self.trail_calls: list[tuple[ast.Call, Scope, str]] = []
        self.home: dict[int, str] = {}
        self.uses: dict[str, dict[str, set[str]]] = {}
        self.unresolved: list[str] = []
        self._followed: set[tuple[int, str]] = set()
        # Parsing every module is most of the cost: a module is parsed when its
        # text may hold what is looked for (a trail call, a caller, a definition).
        self._sources = {str(path.relative_to(package.parent)): path.read_text("utf-8")
                         for path in sorted(package.rglob("*.py"))}
        self._read(lambda text: TRAIL_CALL.search(text) is not None)

    def _read(self, wanted: Callable[[str], bool]) -> None:
        for where, text in self._sources.items():
            if where not in self.uses and wanted(text):
                self.uses[where] = defaultdict(set)
                self._visit(ast.parse(text), (), where)

    def _visit(self, node: ast.AST, scope: Scope, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            self._note_import(child, self.uses[where])
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.defs[child.name].append((child, scope))
                self.home[id(child)] = where
                inner = (*scope, child)
            elif isinstance(child, ast.Call):
                name = _called(child)
                self.calls[name].append((child, scope, f"{where}:{child.lineno}"))
                if name in TRAIL_CALLS and isinstance(child.func, ast.Attribute) \
                        and _named(child.func.value) in ("trail", "audit"):
                    self.trail_calls.append((child, scope, f"{where}:{child.lineno}"))
            self._visit(child, inner, where)

    @staticmethod
    def _note_import(node: ast.AST, used: dict[str, set[str]]) -> None:
        """The modules a file uses (imported at the top, in a function, or by name
        for ``lazy_module``) and the local names it gives each."""
        if isinstance(node, ast.ImportFrom) and node.module:
            used[node.module]
            for a in node.names:
                used[f"{node.module}.{a.name}"].add(a.asname or a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                used[a.name].add(a.asname or a.name.rsplit(".", 1)[-1])
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and _called(node.value) == "lazy_module" \
                and isinstance(module := node.value.args[0], ast.Constant):
            used[module.value] |= {getattr(t, "id", "") for t in node.targets}

    def actions(self) -> set[str]:
        found: set[str] = set()
        for call, scope, at in self.trail_calls:
            arg = _argument(call, "action", TRAIL_CALLS[_called(call)])
            if arg is None:
                self.unresolved.append(f"{at}: no action")
            else:
                found |= self._values(arg, scope, at)
        return found

    def _values(self, expr: ast.expr, scope: Scope, at: str) -> set[str]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self._values(expr.body, scope, at) | self._values(expr.orelse, scope, at)
        if isinstance(expr, ast.Name):
            return self._assigned(expr.id, scope, at)
        parts: list[ast.expr] = []
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            parts = [expr.left, expr.right]
        elif isinstance(expr, ast.JoinedStr):
            parts = [p.value if isinstance(p, ast.FormattedValue) else p for p in expr.values]
        if not parts:
            self.unresolved.append(f"{at}: {ast.unparse(expr)}")
        return {"".join(p) for p in product(*(self._values(p, scope, at) for p in parts))} \
            if parts else set()

    def _assigned(self, name: str, scope: Scope, at: str) -> set[str]:
        for depth in range(len(scope), 0, -1):
            fn, outer = scope[depth - 1], scope[:depth]
            found: set[str] = set()
            assigned = False
            for node in ast.walk(fn):
                if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == name:
                        assigned = True
                        found |= self._values(node.value, outer, at)
                    elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Call) \
                            and name in (names := [getattr(e, "id", "") for e in target.elts]):
                        assigned = True
                        found |= self._returned(node.value, names.index(name), at)
            if assigned:
                return found
            if name in _params(fn):
                return self._passed(fn, name, at)
        self.unresolved.append(f"{at}: {name}")
        return set()

    def _returned(self, call: ast.Call, index: int, at: str) -> set[str]:
        callee = _called(call)
        self._read(lambda text: f"def {callee}(" in text)
        found: set[str] = set()
        for fn, scope in self.defs.get(callee, []):
            for node in ast.walk(fn):
                if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                    found |= self._values(node.value.elts[index], (*scope, fn), at)
        if not found:
            self.unresolved.append(f"{at}: {ast.unparse(call)}[{index}]")
        return found

    def _passed(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, name: str, at: str
                ) -> set[str]:
        if (id(fn), name) in self._followed:
            return set()
        self._followed.add((id(fn), name))
        params = _params(fn)
        method = params[:1] in (["self"], ["cls"])
        home = self.home[id(fn)]
        module = home.removesuffix(".py").replace("/", ".")
        self._read(lambda text: f"{fn.name}(" in text)
        found: set[str] = set()
        for call, scope, where in self.calls.get(fn.name, []):
            path = where.split(":")[0]
            # A call of another function of the same name is not this one's.
            if (path != home and module not in self.uses[path]) or (
                    not method and isinstance(call.func, ast.Attribute)
                    and ast.unparse(call.func.value) not in self.uses[path].get(module, ())):
                continue
            arg = _argument(call, name, params.index(name) - method)
            if arg is not None:
                found |= self._values(arg, scope, where)
        if not found:
            self.unresolved.append(f"{at}: no caller gives {fn.name}() its {name}")
        return found


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _named(node: ast.expr) -> str:
    """``trail`` for ``trail``, ``self.trail`` and ``deps.trail``."""
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")


def _argument(call: ast.Call, keyword: str, index: int) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[index] if index < len(call.args) else None


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)]


def test_every_action_the_code_records_has_a_vietnamese_label() -> None:
    code = RecordedActions(ROOT / "chalicelib")
    recorded = code.actions()
    assert code.unresolved == []
    assert len(recorded) > 100
    assert all(ACTION.match(a) for a in recorded), sorted(recorded)
    assert sorted(recorded - set(ACTION_LABELS)) == []


def test_labels_are_vietnamese_and_the_page_and_export_show_them() -> None:
    for action, label in ACTION_LABELS.items():
        assert label and unicodedata.is_normalized("NFC", label), action
        assert not ACTION.match(label), action
    entry = {"seq": 3, "at": "2026-12-02T01:00:00.000Z", "actor": "giamdoc",
             "action": "outgoing.approve", "hash": "h"}
    assert for_display(entry)["action_label"] == "Duyệt dự thảo"
    assert action_label("something.new") == "Thao tác khác"


def test_the_export_names_the_action_not_its_code() -> None:
    class Store:
        def entries(self, chain: str) -> list[dict[str, object]]:
            return [{"seq": 1, "at": "2026-12-02T01:00:00.000Z", "actor": "giamdoc",
                     "action": "outgoing.approve", "hash": "h"}]

        def readings(self, chain: str) -> list[dict[str, object]]:
            return []

    header, row = export_rows("OUT#1", store=Store())  # type: ignore[arg-type]
    assert row[header.index("Hành động")] == "Duyệt dự thảo"

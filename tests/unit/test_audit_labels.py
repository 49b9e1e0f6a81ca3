"""Every action an audit trail records has a Vietnamese name: the audit page and
its exports never show a code such as "outgoing.approve"."""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

from chalicelib.audit.labels import ACTION_LABELS, action_label
from chalicelib.audit.trail import export_rows, for_display

ROOT = Path(__file__).resolve().parents[2] / "chalicelib"
ACTION = re.compile(r"^[a-z]+\.[a-z_]+$")
# Calls whose string arguments are not audit actions: event types and their
# subscriptions, template and file names, dictionary look-ups, crash-test pause points.
NOT_AUDIT = {"DomainEvent", "emit", "subscribe", "render", "render_page", "get", "pop",
             "setdefault", "startswith", "endswith", "join", "pause_point"}


def _recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
                node.func, "id", "")
            if name in NOT_AUDIT:
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                        and ACTION.match(arg.value) and "." + arg.value.split(".")[1] not in (
                            ".html", ".json", ".yaml", ".pdf"):
                    found.add(arg.value)
    return found


def test_every_action_the_code_records_has_a_vietnamese_label() -> None:
    recorded = _recorded_actions()
    # "task.extension_" + approve / refuse, built at run time.
    recorded |= {"task.extension_approve", "task.extension_refuse"}
    assert len(recorded) > 60
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

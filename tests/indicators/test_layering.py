"""DESIGN §4: `indicators` needs only `reference` (and the package-root helpers and the one
permission policy that every app uses); no domain app above it may be imported from it."""

from __future__ import annotations

import ast
from pathlib import Path

import jamkoll.indicators

HIGHER = ("programmes", "ledger", "obligations", "plans", "reports", "web", "backup", "api", "urls")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_indicators_depend_only_on_reference() -> None:
    root = Path(jamkoll.indicators.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "jamkoll" and len(parts) > 1 and parts[1] in HIGHER:
                offenders.append(f"{path.relative_to(root)}: {name}")
    assert offenders == []
    assert len(list(root.rglob("*.py"))) >= 5  # the scan saw the app

"""One "today" in the whole system: Stockholm's (`timezone.localdate()`), never the server's clock.

Between 23:00 and 24:00 UTC (22:00 in summer) the server's date and Stockholm's differ; a deadline, a
"not in the future" check or an organisation's name on a date must not change with where the server
stands. Django sets the process's TZ from TIME_ZONE on Unix, which hides `date.today()` in tests, so
this reads the source instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jamkoll

NAIVE = {("date", "today"), ("datetime", "today"), ("datetime", "now"), ("datetime", "utcnow")}


def _naive_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            # datetime.now(tz) names its zone; only the bare call reads the server's clock.
            if (name, node.func.attr) in NAIVE and not (node.args or node.keywords):
                found.append(f"{path}:{node.lineno}: {name}.{node.func.attr}()")
    return found


def test_the_system_reads_today_in_stockholm_only() -> None:
    root = Path(jamkoll.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 100  # the scan saw the package
    assert [call for path in files for call in _naive_calls(path)] == []


def test_the_scan_finds_a_naive_today(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime as dt\nfrom datetime import datetime\n"
        "a = dt.date.today()\nb = datetime.now()\nc = datetime.now(dt.UTC)\n"
    )
    assert [line.split(": ")[1] for line in _naive_calls(sample)] == ["date.today()", "datetime.now()"]

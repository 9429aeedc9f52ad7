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

CLOCK = {"today", "now", "utcnow", "localdate", "localtime"}
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


def _clock_calls(node: ast.AST) -> list[int]:
    return [
        n.lineno
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in CLOCK
    ]


def _collection_time_reads(path: Path) -> list[str]:
    """Reads of the clock that run when pytest collects the module — at its top level, in a class
    body or in a decorator (`parametrize`) — rather than when a test runs."""
    found: list[int] = []
    pending: list[ast.stmt] = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                found += _clock_calls(decorator)
            found += [line for default in node.args.defaults for line in _clock_calls(default)]
        elif isinstance(node, ast.ClassDef):
            for decorator in node.decorator_list:
                found += _clock_calls(decorator)
            pending += node.body
        else:
            found += _clock_calls(node)
    return [f"{path}:{line}" for line in sorted(found)]


def test_no_test_reads_the_clock_when_it_is_collected() -> None:
    """The suite takes 15-20 minutes: a date taken when a module is collected is stale for the
    tests that run after midnight (CI failed so, at 23:00 UTC: "tomorrow" had become today)."""
    root = Path(__file__).parent
    files = [p for p in sorted(root.rglob("*.py")) if "node_modules" not in p.parts]
    assert len(files) > 100
    assert [read for path in files for read in _collection_time_reads(path)] == []


def test_the_scan_finds_a_date_taken_at_collection(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime as dt\nimport pytest\nfrom django.utils import timezone\n"
        "TOMORROW = timezone.localdate() + dt.timedelta(days=1)\n"
        "@pytest.mark.parametrize('on', [dt.date.today()])\ndef test_a(on):\n    pass\n"
        "def test_b():\n    assert timezone.localdate()\n"
        "class TestC:\n    when = timezone.now()\n    def test_d(self, x=dt.date.today()):\n        pass\n"
    )
    assert [int(read.rsplit(":", 1)[1]) for read in _collection_time_reads(sample)] == [4, 5, 11, 12]

"""One "today" in the whole system: Stockholm's (`timezone.localdate()`), never the server's clock.

Between 23:00 and 24:00 UTC (22:00 in summer) the server's date and Stockholm's differ; a deadline, a
"not in the future" check or an organisation's name on a date must not change with where the server
stands. Django sets the process's TZ from TIME_ZONE on Unix, which hides `date.today()` in tests, so
this reads the source instead.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import jamkoll

CLOCK = {"today", "now", "utcnow", "localdate", "localtime"}
NAIVE = {("date", "today"), ("datetime", "today"), ("datetime", "now"), ("datetime", "utcnow")}


def _owner(node: ast.Attribute) -> str:
    owner = node.value
    return owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")


def _naive_calls(path: Path) -> list[str]:
    """`date.today()`, `datetime.now()` and the like, called bare or passed as a default
    (`default=dt.date.today`), and the date of `timezone.now()` (UTC's, not Stockholm's)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # datetime.now(tz) names its zone; only the bare call reads the server's clock.
    zoned = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call) and (n.args or n.keywords)}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (_owner(node), node.attr) in NAIVE and id(node) not in zoned:
            found.append((node.lineno, f"{_owner(node)}.{node.attr}()"))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "date"
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and (_owner(node.value.func), node.value.func.attr) == ("timezone", "now")
        ):
            found.append((node.lineno, "timezone.now().date()"))
    return [f"{path}:{line}: {what}" for line, what in sorted(found)]


def _scan(root: Path, find: Callable[[Path], list[str]]) -> list[str]:
    """What `find` finds in every Python file under `root` (not in installed node packages)."""
    files = [p for p in sorted(root.rglob("*.py")) if "node_modules" not in p.parts]
    assert len(files) > 100  # the scan saw the tree
    return [found for path in files for found in find(path)]


def test_the_system_reads_today_in_stockholm_only() -> None:
    assert _scan(Path(jamkoll.__file__).parent, _naive_calls) == []


def test_the_scan_finds_a_naive_today(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime as dt\nfrom datetime import datetime\n"
        "a = dt.date.today()\nb = datetime.now()\nc = datetime.now(dt.UTC)\n"
        "d = models.DateField(default=dt.date.today)\ne = timezone.now().date()\n"
        "f = timezone.localdate()\n"
    )
    assert [line.split(": ")[1] for line in _naive_calls(sample)] == [
        "date.today()",
        "datetime.now()",
        "date.today()",
        "timezone.now().date()",
    ]


def _clock_calls(node: ast.AST) -> list[int]:
    """Calls of the clock (`timezone.localdate()`, `date.today()`, a bare `localdate()`) that run
    when `node` runs: not those inside a function or lambda it defines."""
    found = []
    pending = [node]
    while pending:
        n = pending.pop()
        if isinstance(n, ast.Call):
            name = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            if name in CLOCK:
                found.append(n.lineno)
        if n is not node and isinstance(n, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        pending += ast.iter_child_nodes(n)
    return found


def _collection_time_reads(path: Path) -> list[str]:
    """Reads of the clock that run when pytest collects the module — at its top level, in a class
    body, in a decorator (`parametrize`) or a default argument — rather than when a test runs."""
    found: list[int] = []
    pending: list[ast.stmt] = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            defaults = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
            for part in [*node.decorator_list, *defaults]:
                found += _clock_calls(part)
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
    assert _scan(Path(__file__).parent, _collection_time_reads) == []


def test_the_scan_finds_a_date_taken_at_collection(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime as dt\nimport pytest\nfrom django.utils import timezone\n"
        "TOMORROW = timezone.localdate() + dt.timedelta(days=1)\n"
        "@pytest.mark.parametrize('on', [dt.date.today()])\ndef test_a(on):\n    pass\n"
        "def test_b():\n    assert timezone.localdate()\n"
        "class TestC:\n    when = timezone.now()\n    def test_d(self, x=dt.date.today()):\n        pass\n"
        "from django.utils.timezone import localdate\nTODAY = localdate()\n"
        "def test_e(*, on=localdate()):\n    pass\n"
        "LATER = lambda: localdate()\nif True:\n    def test_f():\n        assert localdate()\n"
    )
    assert [int(read.rsplit(":", 1)[1]) for read in _collection_time_reads(sample)] == [4, 5, 11, 12, 15, 16]

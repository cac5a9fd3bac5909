"""The package's layout: no import circles between its files, no stage importing the command
line, and `govkit validate` (which pre-commit runs on every commit) importing no live edge."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "govkit"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """File -> the package's files it imports (anywhere in it, `TYPE_CHECKING` included)."""
    files = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([base] if base else [])])
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]
            for target in targets:
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != name and files[target].name != "__init__.py":
                    found.add(target)
        graph[name] = found
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Files that reach each other through imports, one group per circle."""
    reach: dict[str, set[str]] = {}
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        reach[start] = seen
    groups = {
        frozenset({a, *(b for b in reach[a] if a in reach[b])}) for a in graph if a in reach[a]
    }
    return sorted(sorted(g) for g in groups)


def test_no_file_of_the_package_imports_one_that_imports_it() -> None:
    assert _circles(_graph()) == []


def test_no_stage_imports_the_command_line() -> None:
    # `python -m govkit` and the benchmarks run commands; they are not stages.
    drivers = ("govkit.cli", "govkit.__main__", "govkit.bench")
    climbs = sorted(
        (name, target)
        for name, targets in _graph().items()
        if not name.startswith(drivers)
        for target in targets
        if target.startswith("govkit.cli")
    )
    assert climbs == []


def test_validate_imports_no_live_edge_and_no_identities() -> None:
    code = (
        "import sys, govkit.cli.main, govkit.cli.validate; "
        "print(' '.join(m for m in sys.modules if m.startswith(("
        "'govkit.identity', 'govkit.live', 'databricks', 'msgraph', 'azure', 'ruamel'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []

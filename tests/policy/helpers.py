"""Run a rule case: write its spec files to a folder, validate, and compare findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from govkit.pipeline import validate

CASES = Path(__file__).parent / "cases"
# (code, file, line, col, severity): severity as the user sees it, so a rule whose default
# severity changes fails its cases, not only the generated rules page.
Expected = tuple[str, str, int, int, str]
SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    as_of: dt.date
    files: dict[str, str]
    expect: list[Expected]
    messages: list[str] = field(default_factory=list)
    # Directory rules (GOV406+): changes to the base directory (_identities.yaml), an account.
    identities: dict[str, Any] | None = None
    account: dict[str, Any] | None = None


def _base() -> dict[str, str]:
    data = yaml.safe_load((CASES / "_base.yaml").read_text(encoding="utf-8"))
    files: dict[str, str] = data["files"]
    return files


def load_cases() -> list[Case]:
    """Every case of every rule file, in code and name order."""
    base = _base()
    out = []
    for path in sorted(CASES.glob("GOV*.yaml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, case in data["cases"].items():
            files = {**base, **case.get("files", {})}
            files = {k: v for k, v in files.items() if v is not None}  # `file: null` drops one
            out.append(
                Case(
                    rule=data["rule"],
                    name=name,
                    as_of=dt.date.fromisoformat(str(case.get("as_of", "2026-11-26"))),
                    files=files,
                    expect=[_expected(path, name, e) for e in case.get("expect", [])],
                    messages=list(case.get("messages", [])),
                    identities=case.get("identities"),
                    account=case.get("account"),
                )
            )
    return out


def _expected(path: Path, name: str, entry: Any) -> Expected:
    """One `[code, file, line, col, severity]` entry of a case, or a failure naming the case."""
    shape_ok = isinstance(entry, list) and len(entry) == 5 and entry[4] in SEVERITIES
    assert shape_ok, (
        f"{path.name}: case {name}: expect entry {entry!r} is not "
        f"[code, file, line, col, severity] with severity one of {', '.join(SEVERITIES)}"
    )
    code, file, line, col, severity = entry
    return (str(code), str(file), int(line), int(col), str(severity))


def write_case(case: Case, tmp_path: Path) -> Path:
    """The case's spec files in `tmp_path/spec`."""
    spec_dir = tmp_path / "spec"
    for rel, text in case.files.items():
        target = spec_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return spec_dir


def run_case(case: Case, tmp_path: Path) -> tuple[list[Expected], list[str]]:
    """(code, file, line, col, severity) of every diagnostic, and the diagnostics as text."""
    spec_dir = write_case(case, tmp_path)
    prefix = f"{spec_dir}/"
    result = validate(str(spec_dir), case.as_of)
    diagnostics = result.diagnostics
    if case.identities is not None and result.spec is not None:
        from .directory import check_case_directory

        diagnostics = diagnostics + check_case_directory(case, result, str(spec_dir))
    found = [
        (d.code, d.file.removeprefix(prefix), d.line, d.col, d.severity.value) for d in diagnostics
    ]
    return found, [d.text().replace(prefix, "") for d in diagnostics]

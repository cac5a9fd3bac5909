"""Diagnostics: every finding of every stage, in one shape, reported once.

A stage that finds a problem in a spec file names the file and the document path inside it
(`("schemas", "reporting", "grants", 0, "principal")`); `locate` turns the path into a line and a
column only when the diagnostic is reported, so the fast path never pays for positions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Protocol

Path = tuple[str | int, ...]


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "note": 2}[self.value]


@dataclass(frozen=True)
class Diagnostic:
    """One finding. `file` is a spec path (or a securable's full name for live findings)."""

    code: str
    severity: Severity
    message: str
    rule: str
    file: str
    path: Path = ()
    hint: str = ""
    line: int = 0
    col: int = 0
    # On a key, point at the key itself rather than its value.
    at_key: bool = False

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.col, self.code, self.message)

    def text(self) -> str:
        where = self.file if not self.line else f"{self.file}:{self.line}:{self.col}"
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}: {self.code} {self.severity.value}: {self.message}{hint} [{self.rule}]"


class Locator(Protocol):
    def position(self, file: str, path: Path, at_key: bool) -> tuple[int, int]: ...


def locate(diagnostics: list[Diagnostic], locator: Locator) -> list[Diagnostic]:
    """Fill line and column from document paths, then sort for reporting."""
    out = [
        d if d.line or not d.file else replace(d, line=pos[0], col=pos[1])
        for d in diagnostics
        for pos in [locator.position(d.file, d.path, d.at_key) if not d.line else (0, 0)]
    ]
    return sorted(out, key=Diagnostic.sort_key)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)

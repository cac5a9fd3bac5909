"""The mapping file of a migration: which Hive database of which workspace becomes which schema
of which domain, who owns each domain, which databases stay behind.

```yaml
waivers_expire: 2027-06-30          # the last day of the `imported:` waivers on user grants
domains:
  finance: {owner: finance-owners}
databases:
  - {workspace: [1001, 2001, 3001], database: ledger, domain: finance, schema: ledger}
skip:
  - {workspace: [1001, 3001], database: default}
groups:                             # where a workspace group's members match no Entra group
  - {workspace: 3002, group: quants, entra: risk-analysts}
```

Problems are diagnostics located in the file as the spec loader locates them (file:line:col).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace
from typing import Any

import yaml
from pydantic import ConfigDict, TypeAdapter, ValidationError

from govkit.diagnostics import Diagnostic, Path, Severity
from govkit.spec.construct import load_document
from govkit.spec.loader import SpecLoader

_CONFIG = ConfigDict(extra="forbid")
Workspaces = int | tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DomainTarget:
    __pydantic_config__ = _CONFIG

    owner: str


@dataclass(frozen=True, slots=True)
class DatabaseTarget:
    """Databases of this name in these workspaces become this schema of this domain."""

    __pydantic_config__ = _CONFIG

    workspace: Workspaces
    database: str
    domain: str
    schema: str


@dataclass(frozen=True, slots=True)
class Skipped:
    __pydantic_config__ = _CONFIG

    workspace: Workspaces
    database: str


@dataclass(frozen=True, slots=True)
class GroupTarget:
    __pydantic_config__ = _CONFIG

    workspace: Workspaces
    group: str
    entra: str


@dataclass(frozen=True, slots=True)
class Mapping:
    __pydantic_config__ = _CONFIG

    waivers_expire: dt.date
    domains: dict[str, DomainTarget]
    databases: tuple[DatabaseTarget, ...] = ()
    skip: tuple[Skipped, ...] = ()
    groups: tuple[GroupTarget, ...] = ()


def workspaces_of(value: Workspaces) -> tuple[int, ...]:
    return (value,) if isinstance(value, int) else value


@functools.cache
def _adapter() -> TypeAdapter[Mapping]:
    return TypeAdapter(Mapping)


def diagnostic(code: str, message: str, file: str, path: Path = (), hint: str = "") -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, "migrate.plan", file, path, hint)


def parse(file: str, raw: bytes) -> tuple[Mapping | None, list[Diagnostic]]:
    """The mapping, or the diagnostics that say why not (all of a file's shape errors)."""
    try:
        data: Any = load_document(raw.decode("utf-8").lstrip("\ufeff"), SpecLoader)
    except UnicodeDecodeError:
        return None, [diagnostic("GOV801", "mapping file is not UTF-8", file)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        d = diagnostic("GOV801", f"YAML syntax error: {problem}", file, hint="fix the YAML")
        if mark is not None:
            d = replace(d, line=mark.line + 1, col=mark.column + 1)
        return None, [d]
    try:
        return _adapter().validate_python(data, strict=False), []
    except ValidationError as exc:
        out: dict[Path, Diagnostic] = {}
        for error in exc.errors():
            where = tuple(p for p in error["loc"] if not str(p).startswith(("int", "tuple")))
            if where in out:
                continue  # one problem per place (a union reports each of its arms)
            shown = ".".join(str(p) for p in where) or "the file"
            out[where] = diagnostic(
                "GOV801",
                f"invalid mapping at {shown}: {error['msg']}",
                file,
                where,
                "see docs/migrate.md for the mapping file",
            )
        return None, list(out.values())

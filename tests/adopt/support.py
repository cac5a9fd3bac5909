"""Helpers for the import tests: write an import's files, load them back, compare States."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from govkit.adopt import Adoption
from govkit.diagnostics import Diagnostic
from govkit.privileges import SecurableType, normalise
from govkit.resolve import resolve_environment
from govkit.spec.build import Spec, load_spec
from govkit.state import Securable, State

TODAY = dt.date(2026, 11, 26)
MODELLED = {SecurableType.CATALOG, SecurableType.SCHEMA, SecurableType.TABLE}


def write_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root


def load_back(root: Path) -> Spec:
    loaded = load_spec(str(root))
    assert loaded.spec is not None, [d.text() for d in loaded.diagnostics]
    return loaded.spec


def _comparable(s: Securable) -> tuple[object, ...]:
    grants = {p: tuple(sorted({normalise(x) for x in v})) for p, v in s.grants.items()}
    return (s.owner, s.isolation_mode, s.workspace_ids, grants)


def differences(expected: State, actual: State) -> dict[str, str]:
    """Securable name -> what differs, over the securable types the spec models.

    Privilege spellings are normalised first: Unity Catalog compares them case- and
    space-insensitively, so `use catalog` and `USE_CATALOG` are one privilege.
    """
    want = {s.name: s for s in expected.securables if s.type in MODELLED}
    got = {s.name: s for s in actual.securables}
    out = {}
    for name in sorted(set(want) | set(got)):
        if name not in got:
            out[name] = "missing"
        elif name not in want:
            out[name] = "extra"
        elif _comparable(want[name]) != _comparable(got[name]):
            out[name] = f"{_comparable(want[name])} != {_comparable(got[name])}"
    return out


def roundtrip(root: Path, adoption: Adoption, env: str) -> tuple[State, Spec]:
    spec = load_back(write_files(root, adoption.files))
    return resolve_environment(spec, env, TODAY).state, spec


def subjects(diagnostics: Iterable[Diagnostic]) -> set[str]:
    return {d.file for d in diagnostics}

"""The front of the pipeline that every command shares: load, validate, resolve, check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from govkit.diagnostics import Diagnostic, has_errors, locate
from govkit.gc_pause import paused_gc
from govkit.policy import check_policies
from govkit.resolve import DesiredEnvironment, resolve
from govkit.spec.build import Spec, load_spec


@dataclass(frozen=True)
class Validated:
    """A spec folder after validation: `spec` and `environments` only when there is no error."""

    spec: Spec | None
    environments: tuple[DesiredEnvironment, ...]
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not has_errors(self.diagnostics)


def validate(
    spec_dir: str, today: dt.date, overrides: Mapping[str, bytes | None] | None = None
) -> Validated:
    """Load, shape-check, resolve and policy-check a spec folder; diagnostics located, sorted.

    `overrides` (display path -> bytes, None for a removed file) validates an edit or a git
    revision in memory, before anything is written.
    """
    with paused_gc():
        return _validate(spec_dir, today, overrides)


def _validate(
    spec_dir: str, today: dt.date, overrides: Mapping[str, bytes | None] | None
) -> Validated:
    loaded = load_spec(spec_dir, overrides)
    diagnostics = list(loaded.diagnostics)
    environments: tuple[DesiredEnvironment, ...] = ()
    if loaded.spec is not None:
        environments = resolve(loaded.spec, today)
        diagnostics.extend(check_policies(loaded.spec, environments, today))
    located = locate(diagnostics, loaded.sources)
    if has_errors(located):
        return Validated(None, (), located)
    return Validated(loaded.spec, environments, located)

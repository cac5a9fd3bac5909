"""Policy debt on day one: every policy finding on the imported spec gets a waiver that says
"imported", on the object the finding names, and is reported; nothing is changed to fit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from govkit.diagnostics import Diagnostic, Severity
from govkit.policy.base import Holder
from govkit.policy.context import Context
from govkit.policy.engine import BY_CODE, RULES, configured_severity
from govkit.policy.waivers import WAIVER_RULES, WaiverBook
from govkit.resolve import DesiredEnvironment, resolve
from govkit.spec.build import Spec, build_spec
from govkit.spec.loader import Loaded, SpecFile, classify

ROOT = "."


def spec_of(
    files: Mapping[str, dict[str, Any]], root: str = ROOT
) -> tuple[Spec | None, list[Diagnostic]]:
    """The Spec that `files` (relative path -> document) would load as, without writing them."""
    loaded = Loaded()
    for rel, doc in sorted(files.items()):
        kind = classify(doc)
        assert kind is not None, rel  # the import writes only the three kinds
        loaded.files.append(SpecFile(f"{root}/{rel}", kind, doc))
    return build_spec(root, loaded)


def _holder_value(files: Mapping[str, dict[str, Any]], holder: Holder, root: str) -> Any:
    node: Any = files[holder[0].removeprefix(f"{root}/")]
    for step in holder[1]:
        node = node[step]
    return node


def _findings(
    spec: Spec, environments: tuple[DesiredEnvironment, ...], today: dt.date
) -> list[tuple[str, Severity, str, Diagnostic, Holder | None]]:
    ctx = Context(spec, environments, today)
    off = {r.code for r in RULES if configured_severity(r, spec) is None}
    ctx.waivers = WaiverBook(spec, today, off)
    ctx.known_codes = frozenset(BY_CODE)
    waiver_codes = {r.code for r in WAIVER_RULES}
    out = []
    for rule in RULES:
        severity = configured_severity(rule, spec)
        if severity is None or rule.code in waiver_codes:
            continue
        for f in rule().check(ctx):
            if f.waivable_by and ctx.waivers.waives(rule.code, f.waivable_by):
                continue  # waived already (a merge into a spec that has waivers)
            diagnostic = Diagnostic(
                rule.code, severity, f.message, rule.name, f.file, f.path, f.hint, at_key=f.at_key
            )
            holder = f.waivable_by[0] if f.waivable_by else None
            out.append((rule.code, severity, f.message, diagnostic, holder))
    return out


def add_waivers(
    files: dict[str, dict[str, Any]],
    today: dt.date,
    expires: dt.date,
    root: str = ROOT,
    touched: set[str] | None = None,
) -> list[Diagnostic]:
    """Waive every waivable finding in `files` (edited in place); return what was found.

    A waived finding comes back as a warning that says so; one that no waiver can silence keeps
    its severity, and the caller refuses to write a spec that still has an error.
    """
    spec, diagnostics = spec_of(files, root)
    if spec is None:
        return diagnostics
    out = [d for d in diagnostics if d.severity is not Severity.NOTE]
    placed: set[tuple[Holder, str]] = set()
    for code, _severity, message, diagnostic, holder in _findings(
        spec, resolve(spec, today), today
    ):
        if holder is None:
            out.append(diagnostic)
            continue
        if (holder, code) not in placed:
            placed.add((holder, code))
            target = _holder_value(files, holder, root)
            if touched is not None:
                touched.add(holder[0].removeprefix(f"{root}/"))
            target.setdefault("waivers", []).append(
                {"rule": code, "reason": f"imported: {message}", "expires": expires}
            )
        waived = f"waived as imported: {message}"
        out.append(replace(diagnostic, severity=Severity.WARNING, message=waived))
    return out

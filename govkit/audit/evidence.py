"""What makes the report evidence: each input's standing, its age, and the spec's own hash.

`spec_tree_sha256` reads the spec files (an edge); the rest is pure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from govkit.audit.model import Finding, Source, finding
from govkit.spec.loader import spec_paths

# A live State, identities or lineage taken this long before the report's time is stale: an
# auditor tests the estate as of the report, not as of last month.
STALE_AFTER = dt.timedelta(days=7)
_AGED = ("live", "identities", "lineage", "legacy")
_LIVE = ("workspace", "warehouse")


def spec_tree_sha256(spec_dir: str) -> str:
    """SHA-256 of the `sha256sum` lines (`HASH  PATH`, PATH relative to the spec folder, sorted)
    of every spec file: the same spec gives the same hash in any folder, in git or not."""
    lines = []
    for display, path in spec_paths(spec_dir):
        rel = display[len(spec_dir.rstrip("/")) + 1 :]
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n")
    return hashlib.sha256("".join(sorted(lines, key=lambda x: x[66:])).encode()).hexdigest()


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def stale_inputs(sources: Iterable[Source], generated_at: str) -> list[tuple[Source, str]]:
    """Inputs taken long before the report's time, or after it, each with what is wrong."""
    report = _moment(generated_at)
    out: list[tuple[Source, str]] = []
    if report is None:
        return out
    for s in sources:
        taken = _moment(s.taken_at) if s.taken_at and s.name in _AGED else None
        if taken is None:
            continue
        if taken > report and s.kind in _LIVE:
            # The read's own time is in the evidence: the finding is the same on every run.
            out.append((s, f"read live after the report's time {generated_at}"))
        elif taken > report:
            out.append((s, f"taken at {s.taken_at}, after the report's time {generated_at}"))
        elif report - taken > STALE_AFTER:
            days = (report - taken).days
            out.append((s, f"taken at {s.taken_at}, {days} days before the report's time"))
    return out


def input_findings(
    sources: tuple[Source, ...], generated_at: str, spec_in_git: bool, empty_lineage: bool
) -> list[Finding]:
    """Findings on the inputs themselves: missing, incomplete, stale, empty, or not in git."""
    out = [
        finding(
            "GOV690",
            "error",
            "inputs",
            s.name,
            f"input {s.name} ({s.location or s.kind}) was "
            f"{'not given' if s.kind == 'none' else 'incomplete'}; the sections it feeds say so",
        )
        for s in sources
        if not s.complete and s.name != "audit_log"
    ]
    for s, why in stale_inputs(sources, generated_at):
        after = "after the report" in why  # the report would predate its own evidence
        out.append(
            finding(
                "GOV691",
                "error" if after else "warning",
                "inputs",
                s.name,
                f"input {s.name} ({s.location or s.kind}) is stale: {why}; read it again or "
                "pass --as-of its time",
            )
        )
    if empty_lineage:
        out.append(
            finding(
                "GOV692",
                "note",
                "inputs",
                "lineage",
                "the lineage input holds no edges: either nothing ran or the read saw nothing "
                "(system tables off, no rights); lineage findings prove nothing",
            )
        )
    if not spec_in_git:
        out.append(
            finding(
                "GOV693",
                "warning",
                "inputs",
                "spec",
                "the spec is not a git commit (not in git, or changed since): only its tree "
                "hash identifies it; audit a committed spec",
            )
        )
    return out

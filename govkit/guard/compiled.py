"""The guard at `govkit compile`: the new output against the output it replaces.

The previous output folder is the "before": it is what the stacks' next `terraform plan` is
taken against on this machine and in this branch, it needs no git, and it is exactly what the
write would replace. (A pull request's base is `govkit diff`'s concern; a saved plan against
the live estate is `govkit plan-check`'s.) An environment that the new organisation file no
longer declares counts as protected: its protection can no longer be known.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from govkit.compile.writer import existing_files
from govkit.guard.check import Finding, check_footprints
from govkit.guard.terraform import compiled_footprints
from govkit.spec.model import Organisation

# Where a compile allowed by --allow-destructive records why, beside stacks.json. Hidden, like
# Terraform's own files, so that `govkit compile --check` compares only the stacks.
RECORD_FILE = ".govkit-allow-destructive.json"


def check_compiled(
    previous: Mapping[str, bytes], files: Mapping[str, bytes], organisation: Organisation
) -> list[Finding]:
    """Destructive changes from the `previous` output files to the new `files`.

    UnreadableInput when the previous output cannot be read: there is nothing to compare, and
    the caller says why (no override can make the comparison).
    """
    before = compiled_footprints(previous)
    after = compiled_footprints(files)
    envs = organisation.environments

    def protected(env: str) -> bool:
        return (
            envs[env].protected if env in envs else bool(before[env].grants or before[env].catalogs)
        )

    return check_footprints(before, after, protected, organisation.mass_revoke_percent)


def record(findings: list[Finding], reason: str) -> dict[str, bytes]:
    """The file that records an allowed destructive compile, by its path in the output."""
    document = {
        "format": "govkit.allow-destructive/v1",
        "reason": reason,
        "findings": [
            {"environment": f.environment, "kind": f.kind, "message": f.message} for f in findings
        ],
    }
    return {RECORD_FILE: (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()}


def previous_output(out_dir: Path) -> dict[str, bytes]:
    """The compiled files now in `out_dir` (hidden files aside); empty when there are none."""
    return existing_files(out_dir)

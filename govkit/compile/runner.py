"""A thin runner over the user's `terraform` (or `tofu`) binary.

It reads only machine-readable output (`-json`, `show -json` of a saved plan, exit codes) and
never parses text meant for humans; on failure it passes the CLI's own message on.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class TerraformError(Exception):
    """The CLI failed; the message carries its stderr as it was written."""


@dataclass(frozen=True)
class Terraform:
    """One working folder (a root module) driven through one CLI binary."""

    binary: str
    workdir: Path
    env: Mapping[str, str] = field(default_factory=dict)

    def _run(
        self, args: Sequence[str], ok: Sequence[int] = (0,)
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", **self.env}
        done = subprocess.run(
            [self.binary, *args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in ok:
            raise TerraformError(
                f"{Path(self.binary).name} {' '.join(args)} exited {done.returncode} in "
                f"{self.workdir}:\n{done.stderr}{done.stdout}"
            )
        return done

    def version(self) -> dict[str, Any]:
        return self._json(["version", "-json"])

    def init(self, backend: bool = True) -> None:
        self._run(["init", "-input=false", "-no-color", f"-backend={str(backend).lower()}"])

    def validate(self) -> dict[str, Any]:
        """The `validate -json` document: `valid`, `error_count`, `diagnostics`."""
        return self._json(["validate", "-json", "-no-color"], ok=(0, 1))

    def plan(self, plan_file: str = "govkit.tfplan") -> bool:
        """Save a plan; True when it has changes (exit code 2 of `-detailed-exitcode`)."""
        args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", f"-out={plan_file}"]
        return self._run(args, ok=(0, 2)).returncode == 2

    def show_plan(self, plan_file: str = "govkit.tfplan") -> dict[str, Any]:
        return self._json(["show", "-json", plan_file])

    def apply(self, plan_file: str | None = None) -> None:
        args = ["apply", "-input=false", "-no-color", "-auto-approve"]
        self._run([*args, plan_file] if plan_file else args)

    def outputs(self) -> dict[str, Any]:
        """`output -json`: each output's `value`, `type` and `sensitive`."""
        return self._json(["output", "-json"])

    def fmt_ok(self, path: str = ".") -> bool:
        """True when `fmt -check -recursive` finds nothing to reformat."""
        return self._run(["fmt", "-check", "-recursive", path], ok=(0, 3)).returncode == 0

    def _json(self, args: Sequence[str], ok: Sequence[int] = (0,)) -> dict[str, Any]:
        done = self._run(args, ok)
        try:
            value = json.loads(done.stdout)
        except json.JSONDecodeError as exc:
            raise TerraformError(f"{' '.join(args)} gave no JSON: {exc}\n{done.stderr}") from exc
        if not isinstance(value, dict):
            raise TerraformError(f"{' '.join(args)} gave {type(value).__name__}, not an object")
        return value


def planned_changes(plan: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """(address, actions) of every resource change in a `show -json` plan that is not a no-op."""
    changes = []
    for rc in plan.get("resource_changes", []):
        actions = tuple(rc.get("change", {}).get("actions", ()))
        if actions not in ((), ("no-op",), ("read",)):
            changes.append((str(rc.get("address")), actions))
    return changes

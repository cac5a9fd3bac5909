"""A thin runner over the user's `terraform` (or `tofu`) binary.

It reads only machine-readable output (`-json`, `show -json` of a saved plan, exit codes) and
never parses text meant for humans; on failure it passes the CLI's own message on.

Which binary and which CLI configuration come from the environment that `scripts/tool-env`
exports: `GOVKIT_TERRAFORM` (else `terraform`, else `tofu` on PATH) and `GOVKIT_TF_CLI_CONFIG`
(the filesystem-mirror configuration of `scripts/install-tools`), passed to the CLI as
`TF_CLI_CONFIG_FILE`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class TerraformError(Exception):
    """The CLI failed; the message carries its stderr as it was written."""


def find_terraform(environ: Mapping[str, str] | None = None) -> str | None:
    """The Terraform-compatible CLI: `GOVKIT_TERRAFORM`, else `terraform`, else `tofu`."""
    env = os.environ if environ is None else environ
    return env.get("GOVKIT_TERRAFORM") or shutil.which("terraform") or shutil.which("tofu")


def cli_config_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """`TF_CLI_CONFIG_FILE` for the CLI, from `GOVKIT_TF_CLI_CONFIG` when that is set.

    A configuration that does not exist is an error here: Terraform itself would only warn
    and then ask the registry, which an air-gapped machine cannot reach.
    """
    env = os.environ if environ is None else environ
    config = env.get("GOVKIT_TF_CLI_CONFIG")
    if not config:
        return {}
    if not Path(config).is_file():
        raise TerraformError(
            f"GOVKIT_TF_CLI_CONFIG={config}: no such CLI configuration "
            "(hint: run scripts/install-tools, which writes it with the provider mirror)"
        )
    return {"TF_CLI_CONFIG_FILE": config}


@dataclass(frozen=True)
class Terraform:
    """One working folder (a root module) driven through one CLI binary."""

    binary: str
    workdir: Path
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls, workdir: Path, env: Mapping[str, str] | None = None) -> Terraform:
        """The CLI and CLI configuration of `scripts/tool-env`, in `workdir`, plus `env`."""
        binary = find_terraform()
        if binary is None:
            raise TerraformError(
                "no Terraform CLI: install terraform >= 1.5 (or run scripts/install-tools)"
            )
        return cls(binary, workdir, {**cli_config_env(), **(env or {})})

    def _run(
        self, args: Sequence[str], ok: Sequence[int] = (0,)
    ) -> subprocess.CompletedProcess[str]:
        config = self.env.get("TF_CLI_CONFIG_FILE")
        if config and not Path(config).is_file():
            raise TerraformError(f"TF_CLI_CONFIG_FILE={config}: no such CLI configuration")
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

    def plan(self, plan_file: str | None = "govkit.tfplan", *extra: str) -> bool:
        """Plan (saved to `plan_file` unless None); True when it has changes (exit code 2)."""
        args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", *extra]
        if plan_file:
            args.append(f"-out={plan_file}")
        return self._run(args, ok=(0, 2)).returncode == 2

    def show_plan(self, plan_file: str = "govkit.tfplan") -> dict[str, Any]:
        return self._json(["show", "-json", plan_file])

    def apply(self, plan_file: str | None = None) -> None:
        """Apply; on failure the error names each failed resource and the CLI's message."""
        args = ["apply", "-input=false", "-no-color", "-auto-approve", "-json"]
        done = self._run([*args, plan_file] if plan_file else args, ok=(0, 1))
        if done.returncode != 0:
            failures = apply_failures(done.stdout) or [done.stderr.strip()]
            raise TerraformError("\n".join(failures))

    def outputs(self) -> dict[str, Any]:
        """`output -json`: each output's `value`, `type` and `sensitive`."""
        return self._json(["output", "-json"])

    def state(self) -> dict[str, Any]:
        """`show -json` of the current state (empty `values` when nothing is applied)."""
        return self._json(["show", "-json"])

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


class StackFailed(TerraformError):
    """One stack of several failed to apply; the stacks after it were left alone."""

    def __init__(self, stack: str, message: str, applied: Sequence[str]) -> None:
        super().__init__(f"stack {stack}: {message}")
        self.stack = stack
        self.applied = tuple(applied)


def apply_stacks(stacks: Sequence[tuple[str, Terraform]]) -> list[str]:
    """Apply (stack id, runner) pairs in the order given, which must honour `needs`; the ids
    applied. The first failure stops the run: its error names the stack and each failed
    resource, and no later stack is touched, so their states stay as they were."""
    applied: list[str] = []
    for stack_id, terraform in stacks:
        try:
            terraform.apply()
        except TerraformError as exc:
            raise StackFailed(stack_id, str(exc), applied) from exc
        applied.append(stack_id)
    return applied


def apply_failures(json_lines: str) -> list[str]:
    """`ADDRESS: summary: detail` for each error diagnostic of `apply -json` output."""
    failures = []
    for line in json_lines.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        diagnostic = message.get("diagnostic") if isinstance(message, dict) else None
        if not isinstance(diagnostic, dict) or diagnostic.get("severity") != "error":
            continue
        text = ": ".join(str(diagnostic[k]) for k in ("summary", "detail") if diagnostic.get(k))
        address = diagnostic.get("address")
        failures.append(f"{address}: {text}" if address else text)
    return failures


def planned_changes(plan: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """(address, actions) of every resource change in a `show -json` plan that is not a no-op."""
    changes = []
    for rc in plan.get("resource_changes", []):
        actions = tuple(rc.get("change", {}).get("actions", ()))
        if actions not in ((), ("no-op",), ("read",)):
            changes.append((str(rc.get("address")), actions))
    return changes

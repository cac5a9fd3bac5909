"""Helpers for the compiler tests: compile a spec folder, write spec folders, find the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from govkit.compile import Compiled, compile_stacks
from govkit.resolve import resolve
from govkit.spec.build import load_spec

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "terraform" / "modules"
GOLDEN = ROOT / "tests" / "golden"
TODAY = dt.date(2026, 11, 26)


def compile_spec(spec_dir: Path | str, modules_dir: str = "../modules") -> Compiled:
    """Load and resolve a spec folder (no policy rules: the compiler's input), then compile."""
    loaded = load_spec(str(spec_dir))
    assert loaded.spec is not None, loaded.diagnostics
    return compile_stacks(loaded.spec, resolve(loaded.spec, TODAY), modules_dir)


def write_spec(root: Path, files: dict[str, object]) -> Path:
    """A spec folder from {relative path: YAML value}."""
    for rel, value in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(value, sort_keys=False, allow_unicode=True), "utf-8")
    return root


def organisation(**terraform: object) -> dict[str, object]:
    return {
        "version": 1,
        "environments": {
            "dev": {"workspaces": [11]},
            "prod": {"workspaces": [31], "protected": True, "deployer": "sp-deploy"},
        },
        "terraform": {"backend": {"type": "local"}, **terraform},
    }


PRINCIPALS = {
    "groups": {"owners": {}, "readers": {}},
    "service_principals": {
        "sp-deploy": {"application_id": "11111111-2222-4333-8444-555555555555"},
    },
}


# Strings that Terraform would read as templates or escapes if govkit did not escape them.
TRICKY = [
    'double "quotes" and \\backslashes\\ and \\n not a newline',
    "real\nnewlines\r\n\ttabs",
    "unicode: Zürich → 東京 🚀",
    "${var.not_a_variable} and ${jsonencode({})}",
    "%{ if true }directive%{ endif } and %{~ for x in [] }",
    "already doubled: $${x} %%{y} $$ %% $ %",
    "trailing sigils $ %",
]


def tricky_spec(root: Path) -> Path:
    """A spec whose comments, names and ids hold every string Terraform could misread."""
    principals = {
        "groups": {"owners": {}, 'team "${x}" %{y} \\ ü': {}},
        "service_principals": {"sp-deploy": {"application_id": "a-${b}"}},
    }
    schemas = {f"s{i}": {"comment": text} for i, text in enumerate(TRICKY)}
    domain = {
        "domain": "d",
        "owner": "owners",
        "comment": TRICKY[0],
        "grants": [{"principal": 'team "${x}" %{y} \\ ü', "privileges": ["USE_CATALOG"]}],
        "schemas": schemas,
    }
    return write_spec(
        root,
        {"govkit.yaml": organisation(), "principals.yaml": principals, "domains/d.yaml": domain},
    )


def terraform_cli() -> str:
    """The Terraform-compatible CLI of scripts/tool-env; a skip on a laptop, a failure in CI."""
    from tests.terraform.tools import terraform_binary

    return terraform_binary()

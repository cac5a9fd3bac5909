"""The real Terraform CLI and the Databricks provider's mirror, or a skip (a failure in CI).

`scripts/install-tools` installs the provider as a filesystem mirror and writes the CLI
configuration; `scripts/tool-env` exports it as GOVKIT_TF_CLI_CONFIG.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from govkit.compile.runner import find_terraform


def missing(reason: str) -> NoReturn:
    """Skip on a developer's machine; under CI=true a missing real part fails the run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def terraform_binary() -> str:
    binary = find_terraform()
    if not binary:
        missing("no Terraform CLI: install terraform >= 1.5, or run scripts/install-tools")
    return binary


def mirror_config() -> Path:
    """The CLI configuration that takes the Databricks provider from the filesystem mirror."""
    configured = os.environ.get("GOVKIT_TF_CLI_CONFIG")
    cache = Path(os.environ.get("GOVKIT_CACHE") or Path.home() / ".cache" / "govkit")
    config = Path(configured) if configured else cache / "terraform-mirror" / "govkit.tfrc"
    if not config.is_file():
        missing(
            f"no Databricks provider mirror ({config} does not exist): run scripts/install-tools "
            "with ../shared/tools/databricks-provider/ beside the repository"
        )
    return config

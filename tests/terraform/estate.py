"""The estates of the tests: compiled from a spec with this machine's Terraform CLI and the
provider mirror (a skip on a laptop without them, a failure in CI)."""

from __future__ import annotations

from pathlib import Path

from govkit.testing import terraform
from govkit.testing.terraform import Estate, Metastore, account_level, metastore
from tests.compile.support import MODULES
from tests.conftest import TODAY
from tests.terraform.tools import mirror_config, terraform_binary

__all__ = ["Estate", "Metastore", "account_level", "compile_estate", "metastore"]


def compile_estate(spec: Path, work: Path) -> Estate:
    binary, config = terraform_binary(), mirror_config()
    return terraform.compile_estate(
        spec, work, MODULES, binary=binary, cli_config=config, today=TODAY
    )

"""`terraform validate` with the real Databricks provider from the filesystem mirror: every
hand-written module, every generated stack of catalogs/ and of the golden spec."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govkit.compile.runner import Terraform
from tests.compile.support import MODULES
from tests.terraform.estate import Estate
from tests.terraform.tools import mirror_config, terraform_binary

pytestmark = pytest.mark.terraform


def test_every_module_validates(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(MODULES, tmp_path / "modules"))
    env = {"TF_CLI_CONFIG_FILE": str(mirror_config())}
    for module in sorted(p.name for p in copy.iterdir()):
        tf = Terraform(terraform_binary(), copy / module, env)
        tf.init(backend=False)
        result = tf.validate()
        assert result["valid"], (module, result["diagnostics"])


@pytest.mark.parametrize("spec", ["bundled", "golden"])
def test_every_generated_stack_validates(spec: str, request: pytest.FixtureRequest) -> None:
    estate: Estate = request.getfixturevalue(spec)
    assert len(estate.stacks) >= 5
    results = estate.each(lambda stack: estate.terraform(stack).validate())
    assert len(results) == len(estate.stacks)
    assert {k: r["diagnostics"] for k, r in results.items() if not r["valid"]} == {}

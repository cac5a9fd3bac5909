"""The compiler's output through a real Terraform CLI (terraform >= 1.5 or OpenTofu 1.6).

Without the Databricks provider the CLI still proves two things: the hand-written modules are
well-formed (`fmt -check`), and every string govkit escapes comes back from Terraform as the
literal YAML value. Everything that needs the provider (validate, plan, apply against the local
server) is in tests/terraform/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govkit.compile.runner import Terraform
from tests.compile.support import MODULES, TRICKY, compile_spec, terraform_cli, tricky_spec

pytestmark = pytest.mark.terraform


def _cli(workdir: Path) -> Terraform:
    # An empty CLI config: no plugin cache or credentials of this machine leak into a test.
    config = workdir.parent / "empty.tfrc"
    config.write_text("")
    return Terraform(terraform_cli(), workdir, {"TF_CLI_CONFIG_FILE": str(config)})


def test_hand_written_modules_are_formatted_and_parse():
    tf = Terraform(terraform_cli(), MODULES)
    assert tf.fmt_ok(), "run `terraform fmt -recursive terraform/modules`"


def test_yaml_strings_reach_terraform_as_literals(tmp_path):
    """The compiler's module arguments, evaluated by Terraform, equal the YAML input."""
    files = compile_spec(tricky_spec(tmp_path / "spec")).files()
    call: dict[str, Any] = json.loads(files["prod/d/main.tf.json"])["module"]["domain"]
    del call["source"]
    # A provider-free root module: the escaped arguments as a local, read back as an output.
    root = tmp_path / "root"
    root.mkdir()
    document = {"locals": {"call": call}, "output": {"call": {"value": "${local.call}"}}}
    (root / "main.tf.json").write_text(json.dumps(document), "utf-8")
    tf = _cli(root)
    tf.init(backend=False)
    tf.apply()
    value = tf.outputs()["call"]["value"]
    assert value["comment"] == TRICKY[0]
    assert [s["comment"] for s in value["schemas"]] == TRICKY
    assert value["owner"] == "a-${b}"  # the deployer's application id, verbatim
    assert value["grants"][0]["principal"] == 'team "${x}" %{y} \\ ü'

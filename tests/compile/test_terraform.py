"""The compiler's output through a real Terraform CLI (terraform >= 1.5 or OpenTofu 1.6).

Without the Databricks provider the CLI still proves two things: the hand-written modules are
well-formed (`fmt -check`), and every string govkit escapes comes back from Terraform as the
literal YAML value. With a provider binary (GOVKIT_DATABRICKS_PROVIDER, or the cached build of
scripts/install-tools) every module and every stack of the bundled estate is validated, and the
stacks are planned and applied against the local Unity Catalog API server.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.compile.runner import Terraform, planned_changes
from govkit.compile.writer import write_files
from tests.compile.support import (
    MODULES,
    ROOT,
    compile_spec,
    databricks_provider,
    organisation,
    terraform_cli,
    write_spec,
)

pytestmark = pytest.mark.terraform

TRICKY = [
    'double "quotes" and \\backslashes\\ and \\n not a newline',
    "real\nnewlines\r\n\ttabs",
    "unicode: Zürich → 東京 🚀",
    "${var.not_a_variable} and ${jsonencode({})}",
    "%{ if true }directive%{ endif } and %{~ for x in [] }",
    "already doubled: $${x} %%{y} $$ %% $ %",
    "trailing sigils $ %",
]


def _cli(workdir: Path) -> Terraform:
    # An empty CLI config: no plugin cache or credentials of this machine leak into a test.
    config = workdir.parent / "empty.tfrc"
    config.write_text("")
    return Terraform(terraform_cli(), workdir, {"TF_CLI_CONFIG_FILE": str(config)})


def test_hand_written_modules_are_formatted_and_parse():
    tf = Terraform(terraform_cli(), MODULES)
    assert tf.fmt_ok(), "run `terraform fmt -recursive terraform/modules`"


def _tricky_spec(root: Path) -> Path:
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


def test_yaml_strings_reach_terraform_as_literals(tmp_path):
    """The compiler's module arguments, evaluated by Terraform, equal the YAML input."""
    files = compile_spec(_tricky_spec(tmp_path / "spec")).files()
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


# --- with the Databricks provider ------------------------------------------------------------


def _provider_config(tmp_path: Path) -> Path:
    provider = Path(databricks_provider())
    config = tmp_path / "provider.tfrc"
    overrides = {"databricks/databricks": str(provider.parent)}
    body = "".join(f'    "{k}" = "{v}"\n' for k, v in overrides.items())
    config.write_text(
        f"provider_installation {{\n  dev_overrides {{\n{body}  }}\n  direct {{}}\n}}\n"
    )
    return config


def _with_provider(workdir: Path, config: Path, **env: str) -> Terraform:
    return Terraform(terraform_cli(), workdir, {"TF_CLI_CONFIG_FILE": str(config), **env})


@pytest.mark.parametrize("module", ["uc-domain", "uc-grants", "service-principal"])
def test_every_module_validates_with_the_provider(tmp_path, module):
    config = _provider_config(tmp_path)
    work = Path(shutil.copytree(MODULES, tmp_path / "modules")) / module
    tf = _with_provider(work, config)
    tf.init(backend=False)
    result = tf.validate()
    assert result["valid"], result["diagnostics"]


def _local_estate(tmp_path: Path, spec: Path) -> Path:
    """The spec, with a local backend, compiled beside a copy of the modules."""
    copy = Path(shutil.copytree(spec, tmp_path / "spec"))
    org_file = copy / "govkit.yaml"
    org = yaml.safe_load(org_file.read_text("utf-8"))
    org["terraform"] = {**org.get("terraform", {}), "backend": {"type": "local"}}
    org_file.write_text(yaml.safe_dump(org, sort_keys=False), "utf-8")
    shutil.copytree(MODULES, tmp_path / "modules")
    out = tmp_path / "out"
    write_files(out, compile_spec(copy, "../modules").files())
    return out


def test_every_stack_of_the_bundled_estate_validates(tmp_path):
    config = _provider_config(tmp_path)
    out = _local_estate(tmp_path, ROOT / "catalogs")
    index = json.loads((out / "stacks.json").read_text())
    for entry in index["stacks"]:
        tf = _with_provider(out / entry["path"], config)
        tf.init(backend=False)
        result = tf.validate()
        assert result["valid"], (entry["id"], result["diagnostics"])


def test_plan_apply_and_replan_against_the_local_api_server(tmp_path):
    config = _provider_config(tmp_path)
    ucserver = pytest.importorskip("govkit.testing.ucserver")
    out = _local_estate(tmp_path, ROOT / "tests" / "golden" / "small" / "spec")
    with ucserver.UCServer() as server:
        env = {
            "DATABRICKS_HOST": server.url,
            "DATABRICKS_TOKEN": server.token,
            "DATABRICKS_AUTH_TYPE": "pat",
            "DATABRICKS_RATE_LIMIT": "1000",
            "DATABRICKS_RETRY_TIMEOUT_SECONDS": "20",
            "DATABRICKS_HTTP_TIMEOUT_SECONDS": "10",
        }
        index = json.loads((out / "stacks.json").read_text())
        for entry in index["stacks"]:
            tf = _with_provider(out / entry["path"], config, **env)
            tf.init()
            assert tf.plan(), f"{entry['id']}: a fresh stack must plan changes"
        web = _with_provider(out / "prod" / "web", config, **env)
        web.apply("govkit.tfplan")
        assert not web.plan(), planned_changes(web.show_plan())

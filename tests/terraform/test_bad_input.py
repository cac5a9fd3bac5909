"""Bad input around Terraform: a provider archive that does not match its checksum, a CLI
configuration pointing nowhere, and a stack whose apply fails half way."""

from __future__ import annotations

import hashlib
import lzma
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from govkit.compile.runner import StackFailed, Terraform, TerraformError, apply_stacks
from govkit.privileges import SecurableType
from tests.compile.support import GOLDEN, ROOT
from tests.terraform.estate import compile_estate, metastore
from tests.terraform.tools import mirror_config

pytestmark = pytest.mark.terraform

BINARY = "terraform-provider-databricks_v1.128.0"
ARCHIVE = "terraform-provider-databricks_1.128.0_linux_amd64.xz"


def _install(
    tmp_path: Path, archive: bytes, sums: dict[str, bytes]
) -> subprocess.CompletedProcess[str]:
    shared = tmp_path / "shared"
    shared.mkdir(parents=True)
    (shared / ARCHIVE).write_bytes(archive)
    lines = [f"{hashlib.sha256(v).hexdigest()}  {k}\n" for k, v in sums.items()]
    (shared / "SHA256SUMS").write_text("".join(lines))
    env = {
        **os.environ,
        "GOVKIT_CACHE": str(tmp_path / "cache"),
        "GOVKIT_PROVIDER_DIR": str(shared),
    }
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "install-tools"), "provider"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def _mirrored(tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / "cache").rglob("*") if p.is_file())


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the archive name is linux_amd64")
def test_install_tools_refuses_an_archive_or_binary_that_does_not_match(tmp_path: Path) -> None:
    binary = b"#!/bin/sh\necho provider\n"
    archive = lzma.compress(binary, format=lzma.FORMAT_XZ)

    done = _install(tmp_path / "a", archive, {BINARY: binary, ARCHIVE: b"another archive"})
    assert done.returncode == 1
    assert f"checksum mismatch for {tmp_path / 'a' / 'shared' / ARCHIVE}" in done.stderr
    assert _mirrored(tmp_path / "a") == []

    done = _install(tmp_path / "b", archive, {BINARY: b"another binary", ARCHIVE: archive})
    assert done.returncode == 1
    assert f"checksum mismatch for the unpacked {BINARY}" in done.stderr
    assert _mirrored(tmp_path / "b") == []

    done = _install(tmp_path / "c", archive, {BINARY: binary, ARCHIVE: archive})
    assert done.returncode == 0, done.stderr
    mirror = tmp_path / "c" / "cache" / "terraform-mirror"
    installed = mirror / "registry.terraform.io/databricks/databricks/1.128.0/linux_amd64" / BINARY
    assert installed.read_bytes() == binary and os.access(installed, os.X_OK)
    config = (mirror / "govkit.tfrc").read_text()
    assert f'path    = "{mirror}"' in config and "dev_overrides" not in config


def test_a_cli_configuration_pointing_nowhere_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVKIT_TF_CLI_CONFIG", str(tmp_path / "missing.tfrc"))
    with pytest.raises(TerraformError, match=r"missing\.tfrc: no such CLI configuration"):
        Terraform.from_environment(tmp_path)
    # A configuration whose mirror folder is gone: Terraform's own message, passed on.
    config = tmp_path / "moved.tfrc"
    mirror = tmp_path / "no-mirror"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    )
    monkeypatch.setenv("GOVKIT_TF_CLI_CONFIG", str(config))
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf.json").write_text(
        '{"terraform": {"required_providers": {"databricks": {"source": "databricks/databricks"}}}}'
    )
    with pytest.raises(TerraformError, match=r"(?s)cannot search\s+\S*no-mirror"):
        Terraform.from_environment(stack).init(backend=False)


def test_a_stack_that_fails_half_way_names_itself_and_leaves_the_others_alone(
    tmp_path: Path,
) -> None:
    """A grant to a group that was declared but never synced to the account fails as a real
    metastore fails it; the stacks before it are applied, the ones after it untouched."""
    estate = compile_estate(GOLDEN / "small" / "spec", tmp_path)
    chosen = [s for s in estate.in_order() if s.environment in ("_account", "prod")]
    with metastore(estate) as running:
        for stack in chosen:
            estate.terraform(stack).init()
        runners = [(s.id, estate.terraform(s, running.provider_env(s))) for s in chosen]
        assert apply_stacks(runners) == [s.id for s in chosen]
        before = {s.id: estate.state_file(s).read_bytes() for s in chosen}

        principals = estate.spec / "principals.yaml"
        doc = yaml.safe_load(principals.read_text("utf-8"))
        doc["groups"]["never-synced"] = {}
        principals.write_text(yaml.safe_dump(doc), "utf-8")
        sales = estate.spec / "domains" / "sales.yaml"
        doc = yaml.safe_load(sales.read_text("utf-8"))
        doc["grants"].append({"principal": "never-synced", "access": "read"})
        sales.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
        # Recompiled in place (`compile --out` would replace the folder with its .terraform).
        changed = estate.recompile()
        assert changed == ["dev/sales/main.tf.json", "prod/sales/main.tf.json"]

        with pytest.raises(StackFailed) as failed:
            apply_stacks(runners)
        after = {s.id: estate.state_file(s).read_bytes() for s in chosen}
    assert failed.value.stack == "prod/sales", str(failed.value)
    message = str(failed.value)
    assert message.startswith("stack prod/sales: ")
    assert 'databricks_grants.this["catalog/sales_prod"]' in message
    assert "Could not find principal with name never-synced" in message
    # The stacks before it were applied again (no changes), the ones after it never ran.
    ids = [s.id for s in chosen]
    assert failed.value.applied == tuple(ids[: ids.index("prod/sales")])
    later = ids[ids.index("prod/sales") + 1 :]
    assert later and [k for k in later if before[k] != after[k]] == []
    assert (
        "never-synced" not in running.server.store.get(SecurableType.CATALOG, "sales_prod").grants
    )


def test_a_missing_provider_fails_in_ci_and_skips_on_a_laptop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVKIT_TF_CLI_CONFIG", str(tmp_path / "none.tfrc"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true and no Databricks provider mirror"):
        mirror_config()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="run scripts/install-tools"):
        mirror_config()

"""End to end: a messy estate in the local server, imported through each reader, compiled,
and planned with the real Databricks provider: no stack plans a change but the anchor grants
the import reports (GOV713).

The plan adopts what exists through the import blocks (`no-op` with `importing`); after the
apply that records them, a second plan is empty (`-detailed-exitcode` 0).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.compile.runner import Terraform, planned_changes
from govkit.testing.fixtures import ServerFactory
from tests.adopt.messy import load_messy
from tests.adopt.support import TODAY
from tests.compile.support import MODULES
from tests.terraform.tools import mirror_config, terraform_binary

pytestmark = pytest.mark.terraform


def _environment(monkeypatch: pytest.MonkeyPatch, server: object) -> dict[str, str]:
    env = {
        "DATABRICKS_HOST": server.url,  # type: ignore[attr-defined]
        "DATABRICKS_TOKEN": server.token,  # type: ignore[attr-defined]
        "DATABRICKS_AUTH_TYPE": "pat",
        "DATABRICKS_RATE_LIMIT": "1000",
        "DATABRICKS_RETRY_TIMEOUT_SECONDS": "20",
        "DATABRICKS_HTTP_TIMEOUT_SECONDS": "10",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _ordered(tf_out: Path) -> list[str]:
    stacks = json.loads((tf_out / "stacks.json").read_text())["stacks"]
    done: list[str] = []
    while len(done) < len(stacks):
        done += [s["id"] for s in stacks if s["id"] not in done and set(s["needs"]) <= set(done)]
    return done


@pytest.fixture
def terraform() -> tuple[str, Path]:
    """The CLI and the provider mirror's configuration, found before HOME is moved."""
    return terraform_binary(), mirror_config()


def _import(source: str, spec: Path, tf_out: Path, modules: Path, account: str) -> None:
    args = ["import", "--env", "dev", "--source", source, "--warehouse-id", "wh1"]
    args += ["--out", str(spec), "--terraform", str(tf_out), "--modules", str(modules)]
    args += ["--account-host", account]
    assert main([*args, "--as-of", TODAY.isoformat()]) == 0


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*.tf.json")}


def test_import_then_plan_shows_no_changes_on_every_stack(
    terraform: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    databricks_env: None,
    ucserver_factory: ServerFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    binary, config = terraform
    server = ucserver_factory()
    load_messy(server)
    env = _environment(monkeypatch, server)
    account = server.add_host("account")
    monkeypatch.setenv("DATABRICKS_ACCOUNT_ID", server.store.account_id)
    modules = Path(shutil.copytree(MODULES, tmp_path / "modules"))
    spec, tf_out = tmp_path / "catalogs", tmp_path / "generated"
    _import("workspace", spec, tf_out, modules, account)
    err = capsys.readouterr().err
    assert "GOV702 warning: grants of old-team on web_dev (USAGE) are left unmanaged" in err
    assert "sp-sales-etl:" in (spec / "principals.yaml").read_text("utf-8")
    assert "catalog: hive_reports" in (spec / "domains" / "hive_reports.yaml").read_text("utf-8")
    # Comments are read too, so that no stack clears them.
    assert '"Zürich → 東京\\nsecond line"' in (spec / "domains" / "sales.yaml").read_text("utf-8")
    # The warehouse reader sees the same estate: the same stacks and import blocks follow.
    _import("warehouse", tmp_path / "catalogs-sql", tmp_path / "generated-sql", modules, account)
    assert _files(tmp_path / "generated-sql") == _files(tf_out)
    planned = {}
    # One plugin cache: each stack's init links the provider instead of copying it.
    (tmp_path / "plugins").mkdir()
    env["TF_PLUGIN_CACHE_DIR"] = str(tmp_path / "plugins")
    for stack in _ordered(tf_out):
        # The service principal stack talks to the account host, the domains to the workspace.
        host = {"DATABRICKS_HOST": account} if stack.endswith("/_shared") else {}
        settings = {"TF_CLI_CONFIG_FILE": str(config), **env, **host}
        if host:
            settings["DATABRICKS_ACCOUNT_ID"] = server.store.account_id
        tf = Terraform(binary, tf_out / stack, settings)
        tf.init()
        tf.plan()
        planned[stack] = planned_changes(tf.show_plan())
        if stack == "dev/sales":  # adopt the richest stack for real, then plan again
            tf.apply("govkit.tfplan")
            assert not tf.plan(None)
    # The one change: the anchor grant of each authoritative securable that holds no grant,
    # which the import reports (GOV713), so that a grant made there by hand is revoked.
    anchors = sorted(
        line.split(" note: ")[1].split(" holds ")[0].split(" ")
        for line in err.splitlines()
        if " GOV713 note: " in line
    )
    assert [name for _, name in anchors] == [
        "sales_dev.archive", "sales_dev.archive.old", "sales_dev.orders.lines",
    ]  # fmt: skip
    grants = "module.domain.module.grants.databricks_grants.this"
    expected = [(f'{grants}["{kind}/{name}"]', ("create",)) for kind, name in anchors]
    assert sorted(planned.pop("dev/sales")) == sorted(expected)
    assert planned == {s: [] for s in planned}
    assert set(planned) == {"dev/_shared", "dev/hive_reports", "dev/web"}

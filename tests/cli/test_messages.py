"""Messages a user reads when something is in the way: what is wrong and what to do, in words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govkit.cli.main import main
from tests.conftest import CATALOGS, ROOT

AS_OF = ["--as-of", "2026-11-26"]


def _repository(tmp_path: Path) -> Path:
    shutil.copytree(CATALOGS, tmp_path / "catalogs")
    shutil.copytree(ROOT / "terraform" / "modules", tmp_path / "terraform" / "modules")
    return tmp_path


def test_compile_over_a_conflicted_output_says_it_cannot_read_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # During a merge conflict git writes markers into the generated files; the guard cannot
    # compare with them, and no --allow-destructive can make it compare.
    monkeypatch.chdir(_repository(tmp_path))
    assert main(["compile", "catalogs", *AS_OF]) == 0
    stack = Path("terraform/generated/dev/_storage/main.tf.json")
    conflicted = "<<<<<<< HEAD\n" + stack.read_text() + "=======\n{}\n>>>>>>> theirs\n"
    stack.write_text(conflicted)
    capsys.readouterr()
    assert main(["compile", "catalogs", *AS_OF]) == 1
    err = capsys.readouterr().err
    assert (
        "terraform/generated: the previous output cannot be read: dev/_storage/main.tf.json "
        "holds git conflict markers (a merge or rebase in progress)"
    ) in err
    assert "git checkout HEAD -- terraform/generated" in err
    assert "--allow-destructive" not in err
    assert stack.read_text() == conflicted  # nothing written


def test_an_unknown_environment_is_refused_before_the_live_read_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Before, the workspace reader started first and the answer came seconds later.
    assert main(["drift", str(CATALOGS), "--env", "prdo", "--source", "workspace", *AS_OF]) == 1
    assert capsys.readouterr().err == (
        "Error: unknown environment 'prdo'; known: dev, staging, prod (did you mean 'prod'?)\n"
    )


def test_no_workspace_host_says_what_to_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.databrickscfg
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none.cfg"))
    assert main(["drift", str(CATALOGS), "--env", "prod", "--source", "workspace", *AS_OF]) == 1
    err = capsys.readouterr().err
    assert "cannot configure default credentials; DATABRICKS_HOST is not set" in err
    assert "(hint: set DATABRICKS_HOST to the workspace URL" in err
    assert "please check https://" not in err

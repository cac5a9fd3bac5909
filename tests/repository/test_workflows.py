"""The governance workflows: lint-clean, least permissions, nothing applies for a pull request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.repository.scaffold import workflow_files
from tests.conftest import ROOT
from tests.repository.support import lint

WORKFLOWS = ROOT / ".github" / "workflows"
GOVERNANCE = sorted(p for p in WORKFLOWS.glob("govkit*.yml"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # `on` stays "on"
    return data


def test_every_workflow_passes_actionlint() -> None:
    done = lint(WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_repository_runs_the_workflows_govkit_init_writes() -> None:
    shipped = workflow_files(["dev", "staging", "prod"])
    assert sorted(shipped) == [p.name for p in GOVERNANCE]
    for path in GOVERNANCE:
        assert path.read_text() == shipped[path.name], f"{path.name} differs from the template"


@pytest.mark.parametrize("path", GOVERNANCE, ids=lambda p: p.name)
def test_least_permissions(path: Path) -> None:
    workflow = _load(path)
    assert workflow["permissions"] == {"contents": "read"}
    assert "pull_request_target" not in workflow["on"]
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        if granted.get("id-token") == "write":  # only jobs that sign in to Databricks
            assert "environment" in job or "uses" in job, name
        assert "write-all" not in str(granted), name


def test_only_a_push_to_main_applies() -> None:
    for path in GOVERNANCE:
        text = path.read_text()
        if "terraform apply" in text or "govkit-apply-environment.yml" in text:
            trigger = _load(path)["on"]
            assert set(trigger) <= {"push", "workflow_call"}, path.name
            if "push" in trigger:
                assert trigger["push"]["branches"] == ["main"]


def test_pull_request_jobs_that_sign_in_skip_forks() -> None:
    jobs = _load(WORKFLOWS / "govkit.yml")["jobs"]
    for name in ("plan", "comment"):
        assert (
            "github.event.pull_request.head.repo.full_name == github.repository"
            in (jobs[name]["if"])
        ), name


def test_environments_apply_one_after_another() -> None:
    jobs = _load(WORKFLOWS / "govkit-apply.yml")["jobs"]
    assert jobs["apply-account"]["needs"] == "prepare"
    assert jobs["apply-dev"]["needs"] == ["prepare", "apply-account"]
    assert jobs["apply-staging"]["needs"] == ["prepare", "apply-dev"]
    assert jobs["apply-prod"]["needs"] == ["prepare", "apply-staging"]
    assert jobs["apply-prod"]["with"]["environment"] == "prod"


def test_the_pull_request_description_is_read_when_the_check_runs() -> None:
    # The event payload is the description as it was when the event fired; a re-run replays it.
    for path in GOVERNANCE:
        assert "pull_request.body" not in path.read_text(), path.name
    trigger = _load(WORKFLOWS / "govkit.yml")["on"]["pull_request"]
    assert "edited" in trigger["types"]


def test_each_environment_applies_from_its_last_applied_revision() -> None:
    jobs = _load(WORKFLOWS / "govkit-apply.yml")["jobs"]
    for env in ("dev", "staging", "prod"):
        assert jobs[f"apply-{env}"]["with"]["base"] == (
            f"${{{{ fromJSON(needs.prepare.outputs.bases)['{env}'] }}}}"
        )
    assert "github.event.before" not in (WORKFLOWS / "govkit-apply.yml").read_text()

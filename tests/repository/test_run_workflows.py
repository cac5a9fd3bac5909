"""The governance workflows `govkit init` writes, run for real by a GitHub Actions runner (act)
against the local Unity Catalog server and a local GitHub API: a first push, a pull request
with a request, its merge, two merges in a burst, a destructive change with and without the
pull request's `allow-destructive:` line, a table declared before its pipeline has created it,
and the nightly drift check.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.cli.main import main
from govkit.state import Securable, SecurableType
from govkit.testing.fixtures import ServerFactory
from govkit.testing.githubapi import GitHubServer, PullRequest
from govkit.testing.ucserver import UCServer
from tests.diff.support import commit, git
from tests.repository.runner import Run, Runner, act_binary, tool_env
from tests.terraform.tools import mirror_config, terraform_binary

pytestmark = pytest.mark.terraform

AS_OF = ["--as-of", "2026-11-26"]
NO_COMMIT = "0" * 40
REPOSITORY = "acme/governance"
ETL = "sp-treasury-etl-dev"
ETL_ID = ["--application-id", "3f2c1b0a-9e8d-4c7b-a6f5-e4d3c2b1a090"]


@pytest.fixture
def tools() -> tuple[str, str, Path]:
    """act, the Terraform CLI and the provider mirror, found before `databricks_env` moves HOME."""
    return act_binary(), terraform_binary(), mirror_config()


@pytest.fixture
def github() -> Iterator[GitHubServer]:
    with GitHubServer(REPOSITORY) as server:
        yield server


def _scaffold(repo: Path, server: UCServer, state: Path) -> None:
    args = ["init", str(repo), "--organisation", "Acme", "--environments", "dev"]
    assert main([*args, "--github-org", "acme", *AS_OF]) == 0
    org = repo / "catalogs" / "govkit.yaml"  # dev is the local server's workspace, protected
    text = org.read_text().replace("[1001]", f"[{server.store.workspace_id}]")
    text = text.replace("    deployer:", "    protected: true\n    deployer:")
    # State outlives a job, as the remote backend's that init writes does (the runner's disk
    # does not): a file outside the jobs' checkouts stands in for the cloud's store, so the
    # environment says `applied_by: hand`, which GOV307 requires of a local backend.
    start, end = text.index("terraform:\n"), text.index("codeowners:")
    text = (
        text[:start]
        + (f"terraform:\n  backend: {{type: local, config: {{path: {state}}}}}\n")
        + text[end:]
    )
    assert "    applied_by: workflows\n" in text
    text = text.replace("    applied_by: workflows\n", "    applied_by: hand\n")
    org.write_text(text)
    # govkit from this checkout; the published install is another matter (README)
    (repo / ".github" / "govkit-requirements.txt").write_text("# govkit is on PYTHONPATH\n")
    shutil.rmtree(repo / "terraform" / "generated")  # compiled afresh, dev protected from the start
    _compile(repo)


def _govkit(repo: Path, *argv: str) -> None:
    """A govkit command in the repository, as its author runs it."""
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        assert main([*argv, *AS_OF]) == 0, argv
    finally:
        os.chdir(cwd)


def _compile(repo: Path, *extra: str) -> None:
    _govkit(repo, "compile", "catalogs", *extra)
    _govkit(repo, "codeowners", "catalogs")


@pytest.fixture(scope="module")
def plugin_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("terraform-plugins")


@pytest.fixture
def server(ucserver_factory: ServerFactory) -> UCServer:
    return ucserver_factory()


@pytest.fixture
def runner(
    tools: tuple[str, str, Path],
    tmp_path: Path,
    server: UCServer,
    databricks_env: None,
    github: GitHubServer,
    plugin_cache: Path,
) -> Runner:
    act, terraform, config = tools
    repo, origin = tmp_path / "governance", tmp_path / "origin.git"
    _scaffold(repo, server, tmp_path / "state")
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "remote", "add", "origin", str(origin))
    env = {
        **tool_env(terraform),
        "TF_CLI_CONFIG_FILE": str(config),
        # Each job's `terraform init` links the provider instead of copying it again.
        "TF_PLUGIN_CACHE_DIR": str(plugin_cache),
        "DATABRICKS_TOKEN": server.token,
    }
    variables = {
        "DATABRICKS_AUTH_TYPE": "pat",  # the OIDC token exchange cannot run offline
        "DATABRICKS_HOST": server.url,
        "DATABRICKS_ACCOUNT_HOST": server.add_host("account"),
        "DATABRICKS_ACCOUNT_ID": server.store.account_id,
    }
    work = tmp_path / "runner"
    (work / "home").mkdir(parents=True)
    return Runner(act, repo, origin, github, work, env, variables)


def _push(runner: Runner, before: str) -> Run:
    git(runner.repo, "push", "-q", "--force", "origin", "main")
    head = git(runner.repo, "rev-parse", "HEAD").strip()
    payload = {"ref": "refs/heads/main", "before": before, "after": head}
    return runner.run("govkit-apply.yml", "push", payload)


def _applied(runner: Runner, env: str) -> str:
    found = git(runner.origin, "tag", "-l", f"govkit-applied/{env}").strip()
    return git(runner.origin, "rev-parse", found).strip() if found else ""


def _pull_request(runner: Runner, pr: PullRequest, action: str = "opened") -> Run:
    payload: dict[str, Any] = {
        "action": action,
        "number": pr.number,
        "pull_request": {
            "number": pr.number,
            "body": pr.body,
            "head": {"sha": pr.head_sha, "repo": {"full_name": REPOSITORY}},
            "base": {"sha": pr.base_sha, "repo": {"full_name": REPOSITORY}},
        },
    }
    run = runner.run("govkit.yml", "pull_request", payload)
    conclusion = "success" if run.code == 0 else "failure"
    runner.github.record_run("govkit.yml", pr.head_sha, conclusion, run.artifacts)
    return run


def _head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def _grants(server: UCServer, name: str) -> dict[str, list[str]]:
    found = [s for s in server.dump_state().securables if s.name == name]
    return {p: list(privs) for p, privs in found[0].grants.items()} if found else {}


def _bootstrap(runner: Runner) -> str:
    commit(runner.repo, "governance repository")
    run = _push(runner, NO_COMMIT)
    assert run.code == 0, run.log
    return _head(runner.repo)


def _branch(runner: Runner, name: str, base: str = "main") -> None:
    git(runner.repo, "checkout", "-q", "-b", name, base)


def _request(runner: Runner, principal: str, reason: str) -> None:
    args = ["--principal", principal, "--on", "example", "--env", "dev", "--access", "read"]
    _govkit(runner.repo, "request", "catalogs", *args, "--reason", reason)
    _compile(runner.repo)


def _open(runner: Runner, message: str, body: str = "") -> PullRequest:
    """Commit the branch, push it and open its pull request against main."""
    commit(runner.repo, message)
    branch = git(runner.repo, "branch", "--show-current").strip()
    git(runner.repo, "push", "-q", "origin", branch)
    base = git(runner.repo, "rev-parse", "main").strip()
    return runner.github.open_pull_request(_head(runner.repo), base, body)


def _merge(runner: Runner, pr: PullRequest, branch: str) -> str:
    """Merge the pull request into main with a merge commit, as GitHub does; main's new head."""
    git(runner.repo, "checkout", "-q", "main")
    git(runner.repo, "merge", "-q", "--no-ff", "-m", f"Merge pull request #{pr.number}", branch)
    pr.merge_commit_sha = _head(runner.repo)
    return pr.merge_commit_sha


def test_first_push_bootstraps_every_stack_on_its_host(runner: Runner, server: UCServer) -> None:
    head = _bootstrap(runner)
    store = server.store
    # The principal stack ran on the account host: the principals, their workspace
    # assignments and the federation policies the workflows sign in through.
    by_name = {sp["displayName"]: sp for sp in store.service_principals.values()}
    assert {"sp-uc-deploy-dev", "sp-uc-read-dev"} <= set(by_name)
    for name in ("sp-uc-deploy-dev", "sp-uc-read-dev"):
        assert (store.workspace_id, str(by_name[name]["id"])) in store.assignments, name
    subjects = {p["oidc_policy"]["subject"] for p in store.federation_policies.values()}
    assert subjects == {
        "repo:acme/governance:environment:dev",
        "repo:acme/governance:environment:dev-read",
    }
    assert _grants(server, "example_dev")  # the domain stack, after it, on the workspace host
    assert _applied(runner, "dev") == head
    assert _applied(runner, "_account") == ""  # no account-wide stack: its job did not run


def test_a_pull_request_is_planned_and_its_merge_applies_the_reviewed_plan(
    runner: Runner, server: UCServer
) -> None:
    _bootstrap(runner)
    # A merge that touches neither catalogs/ nor terraform/ runs no govkit workflow at all.
    _branch(runner, "docs")
    (runner.repo / "README.md").write_text("Acme's Unity Catalog governance.\n")
    _merge(runner, _open(runner, "a README"), "docs")
    git(runner.repo, "push", "-q", "origin", "main")
    _branch(runner, "platform-reads-example")
    _request(runner, "platform-owners", "PLAT-1")
    pr = _open(runner, "platform-owners reads example")
    run = _pull_request(runner, pr)
    assert run.code == 0, run.log
    assert run.jobs() == {
        "govkit/check": "succeeded",
        "govkit/plan": "succeeded",
        "govkit/comment": "succeeded",
    }
    [comment] = [c["body"] for c in runner.github.state.comments.values()]
    assert comment.startswith("<!-- govkit:pull-request -->")
    assert "| `dev/example` |" in comment

    head = _merge(runner, pr, "platform-reads-example")
    before = git(runner.repo, "rev-parse", "HEAD^1").strip()
    run = _push(runner, before)
    assert run.code == 0, run.log
    assert "SELECT" in _grants(server, "example_dev")["platform-owners"]
    assert _applied(runner, "dev") == head


def test_two_merges_in_a_burst_apply_both(runner: Runner, server: UCServer) -> None:
    # GitHub cancels the pending run of the first merge when the second queues: the second
    # run must apply both, from the last applied revision rather than from its `before`.
    bootstrap = _bootstrap(runner)
    _branch(runner, "first")
    _request(runner, "platform-owners", "PLAT-1")
    first = _open(runner, "platform-owners reads example")
    assert _pull_request(runner, first).code == 0
    _branch(runner, "second", bootstrap)
    team = ["--github-team", "@acme/treasury-data-owners", "--etl-principal", ETL, *ETL_ID]
    _govkit(runner.repo, "onboard", "treasury", "--owner", "treasury-owners", *team)
    _compile(runner.repo)
    second = _open(runner, "onboard treasury")
    run = _pull_request(runner, second)
    assert run.code == 0, run.log
    # Its new ETL principal is planned on the account host, its domain on the workspace's.
    assert sorted(p.name for p in run.artifacts.iterdir() if p.name.startswith("plan-")) == [
        "plan-dev-_shared",
        "plan-dev-treasury",
    ]

    first_merge = _merge(runner, first, "first")
    git(runner.repo, "push", "-q", "origin", "main")  # its run is cancelled: nothing runs
    head = _merge(runner, second, "second")
    run = _push(runner, first_merge)
    assert run.code == 0, run.log
    assert "SELECT" in _grants(server, "example_dev")["platform-owners"]  # the first merge's
    assert "treasury_dev" in {s.name for s in server.dump_state().securables}
    names = {sp["displayName"] for sp in server.store.service_principals.values()}
    assert ETL in names
    assert _applied(runner, "dev") == head


def test_a_destructive_change_needs_the_line_in_the_pull_request_as_it_is_now(
    runner: Runner, server: UCServer
) -> None:
    _bootstrap(runner)
    _branch(runner, "drop-example")
    (runner.repo / "catalogs" / "domains" / "example.yaml").unlink()
    _compile(runner.repo, "--allow-destructive", "EX-1 example is retired")
    pr = _open(runner, "retire example", body="Retire the example domain.")
    run = _pull_request(runner, pr)
    assert run.code != 0
    assert run.jobs()["govkit/check"] == "failed", run.log
    # The author adds the line to the description. The edited event's payload (or a re-run's)
    # may carry the old body: the checks read the pull request itself.
    pr.body = "Retire the example domain.\n\nallow-destructive: EX-1 example is retired\n"
    run = _pull_request(runner, pr, action="edited")
    assert run.code == 0, run.log
    assert run.jobs()["govkit/plan"] == "succeeded"
    [comment] = runner.github.state.comments.values()  # updated in place, not repeated
    assert "| `dev/example` | 3 delete |" in comment["body"]

    # On merge the removed stack is destroyed from the last applied revision's folder.
    _merge(runner, pr, "drop-example")
    run = _push(runner, git(runner.repo, "rev-parse", "HEAD^1").strip())
    assert run.code == 0, run.log
    assert "example_dev" not in {s.name for s in server.dump_state().securables}


def test_a_table_not_created_yet_is_granted_by_the_first_apply_after_its_pipeline(
    runner: Runner, server: UCServer
) -> None:
    _bootstrap(runner)
    _branch(runner, "orders")
    domain = runner.repo / "catalogs" / "domains" / "example.yaml"
    text = domain.read_text()
    assert "schemas: {}\n" in text
    domain.write_text(
        text.replace("schemas: {}\n", "schemas:\n  orders:\n    tables:\n      lines: {}\n")
    )
    _compile(runner.repo)
    pr = _open(runner, "example declares orders.lines")
    run = _pull_request(runner, pr)
    assert run.code == 0, run.log
    _merge(runner, pr, "orders")
    # Merged before the pipeline has written the table: the schema is applied, the table's
    # grants wait (the provider refuses a grant on a missing table).
    run = _push(runner, git(runner.repo, "rev-parse", "HEAD^1").strip())
    assert run.code == 0, run.log
    assert "grants wait on the tables not created yet: example_dev.orders.lines" in run.log
    live = {s.name for s in server.dump_state().securables}
    assert "example_dev.orders" in live and "example_dev.orders.lines" not in live

    with server.store.lock:  # the pipeline runs
        table = Securable(SecurableType.TABLE, "example_dev.orders.lines", "sp-uc-deploy-dev")
        server.store.add_tables([table])
    assert _grants(server, "example_dev.orders.lines") == {}
    _branch(runner, "platform-reads-example")
    _request(runner, "platform-owners", "PLAT-1")
    pr = _open(runner, "platform-owners reads example")
    assert _pull_request(runner, pr).code == 0
    _merge(runner, pr, "platform-reads-example")
    run = _push(runner, git(runner.repo, "rev-parse", "HEAD^1").strip())
    assert run.code == 0, run.log
    assert "grants wait on the tables not created yet: none" in run.log
    # Its anchor grant: the deployer owns everything in a protected environment.
    principals = yaml.safe_load((runner.repo / "catalogs" / "principals.yaml").read_text())
    deployer = principals["service_principals"]["sp-uc-deploy-dev"]["application_id"]
    assert _grants(server, "example_dev.orders.lines") == {deployer: ["SELECT"]}


def test_nightly_drift_opens_an_issue(runner: Runner, server: UCServer) -> None:
    _bootstrap(runner)
    run = runner.run("govkit-nightly.yml", "schedule", {"schedule": "17 3 * * *"})
    assert run.code == 0, run.log
    assert runner.github.state.issues == {}
    store = server.store
    catalog = store.get("catalog", "example_dev")
    store.change_grants(catalog, [{"principal": "someone-else", "add": ["SELECT"]}])
    run = runner.run("govkit-nightly.yml", "schedule", {"schedule": "17 3 * * *"})
    assert run.code == 0, run.log
    [issue] = runner.github.state.issues.values()
    assert issue["title"] == "govkit: drift in dev"
    assert "someone-else" in issue["body"]

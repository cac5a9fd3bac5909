"""The governance workflows' calls to the GitHub REST API, as `python -m govkit.repository.github`.

Read from the API at the time the step runs, never from the event payload, so that an edited
pull request body or a re-run sees what the pull request says now. The API is the one the runner
names (`GITHUB_API_URL`, `GITHUB_REPOSITORY`), signed in with `GH_TOKEN`.

    allow-destructive PR         the reason of the body's `allow-destructive: REASON` line, if any
    reviewed-runs BASE HEAD      the govkit runs that planned the pull requests merged in BASE..HEAD
    download-plans DEST RUN...   their `plan-*` artifacts; for each stack the newest run's plan
    comment PR FILE              the pull request's govkit comment, created or updated in place
    drift-issue ENV CODE FILE    the environment's drift issue, by `govkit drift`'s exit code
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MARKER = "<!-- govkit:pull-request -->"
DRIFT_LABEL = "govkit-drift"
PLAN_PREFIX = "plan-"
WORKFLOW = "govkit.yml"
# What govkit-apply.yml applies: a merge that touched neither was not planned, nor need be.
APPLIED_PATHS = ("catalogs", "terraform")
_REASON = re.compile(r"^allow-destructive: *(.*?)\s*$", re.MULTILINE)


_ATTEMPTS = 3


class GitHubError(Exception):
    """An API call failed or answered what the workflow cannot use; the message says which."""


def _request(method: str, path: str, body: Any = None) -> bytes:
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    url = path if path.startswith(("http://", "https://")) else f"{api}/{path.lstrip('/')}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/vnd.github+json")
    req.add_header("X-GitHub-Api-Version", "2022-11-28")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    # Unredirected: an artifact's download redirects to a storage host, which gets no token.
    req.add_unredirected_header("Authorization", f"Bearer {os.environ.get('GH_TOKEN', '')}")
    # A reset connection is retried where the call is safe to repeat (a GET), as GitHub's own
    # clients do; anything else that fails is one line, never a traceback in the job's log.
    attempts = _ATTEMPTS if method == "GET" else 1
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(req, timeout=60) as answer:
                content: bytes = answer.read()
                return content
        except urllib.error.HTTPError as exc:
            raise GitHubError(f"{method} {url}: HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise GitHubError(f"{method} {url}: {exc.reason}") from None
        except ConnectionError as exc:
            if attempt == attempts:
                raise GitHubError(f"{method} {url}: {exc.strerror or exc}") from None
            time.sleep(0.5 * attempt)
        except OSError as exc:
            raise GitHubError(f"{method} {url}: {exc}") from None
    raise AssertionError("unreachable")  # the loop returns or raises


def _json(method: str, path: str, body: Any = None) -> Any:
    return json.loads(_request(method, path, body) or b"null")


def _repo() -> str:
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    if not repo:
        raise GitHubError("GITHUB_REPOSITORY is not set")
    return repo


def allow_destructive(pull_request: str) -> str:
    """The REASON of the first `allow-destructive: REASON` line of the body, or ""."""
    body = _json("GET", f"repos/{_repo()}/pulls/{pull_request}").get("body") or ""
    found = _REASON.search(body.replace("\r\n", "\n"))
    return found.group(1) if found else ""


def _merged(base: str, head: str) -> list[str]:
    """The commits of main from BASE (excluded) to HEAD that change what is applied, newest
    first: one per merge."""
    done = subprocess.run(
        ["git", "rev-list", "--first-parent", f"{base}..{head}", "--", *APPLIED_PATHS],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise GitHubError(f"git rev-list {base}..{head}: {done.stderr.strip()}")
    return done.stdout.split()


def reviewed_runs(base: str, head: str) -> dict[str, list[str]]:
    """For every commit merged since BASE, its pull request and the run that planned its head.

    A commit that came from no pull request, or whose pull request no run planned, is an error:
    nothing was reviewed for it.
    """
    repo, pulls, runs = _repo(), [], []
    for sha in _merged(base, head):
        found = _json("GET", f"repos/{repo}/commits/{sha}/pulls")
        if not found:
            raise GitHubError(f"{sha} did not come from a pull request: nothing was reviewed")
        number = str(found[0]["number"])
        head_sha = _json("GET", f"repos/{repo}/pulls/{number}")["head"]["sha"]
        query = urllib.parse.urlencode({"head_sha": head_sha, "status": "success"})
        listed = _json("GET", f"repos/{repo}/actions/workflows/{WORKFLOW}/runs?{query}")
        planned = listed.get("workflow_runs") or []
        if not planned:
            raise GitHubError(f"no successful {WORKFLOW} run planned pull request #{number}")
        pulls.append(number)
        runs.append(str(planned[0]["id"]))
    return {"pull_requests": pulls, "runs": runs}


def download_plans(dest: Path, runs: Sequence[str]) -> list[str]:
    """Unpack each run's `plan-*` artifacts under DEST/NAME; a newer run's plan wins."""
    repo, unpacked = _repo(), []
    for run in runs:  # newest first
        listed = _json("GET", f"repos/{repo}/actions/runs/{run}/artifacts?per_page=100")
        for artifact in listed.get("artifacts") or []:
            name = str(artifact["name"])
            if not name.startswith(PLAN_PREFIX) or (dest / name).exists():
                continue
            archive = _request("GET", str(artifact["archive_download_url"]))
            with zipfile.ZipFile(io.BytesIO(archive)) as files:
                files.extractall(dest / name)
            unpacked.append(f"{name} (run {run})")
    return unpacked


def comment(pull_request: str, file: Path) -> None:
    """One govkit comment per pull request: the first comment with the marker, updated."""
    repo, body = _repo(), file.read_text("utf-8")
    existing = _json("GET", f"repos/{repo}/issues/{pull_request}/comments?per_page=100")
    mine = [c for c in existing if str(c.get("body", "")).startswith(MARKER)]
    if mine:
        _json("PATCH", f"repos/{repo}/issues/comments/{mine[0]['id']}", {"body": body})
    else:
        _json("POST", f"repos/{repo}/issues/{pull_request}/comments", {"body": body})


def drift_issue(env: str, code: int, file: Path) -> str:
    """Open, update or close the environment's drift issue; what was done, in words."""
    repo, title = _repo(), f"govkit: drift in {env}"
    query = urllib.parse.urlencode({"labels": DRIFT_LABEL, "state": "open", "per_page": 100})
    found = [i for i in _json("GET", f"repos/{repo}/issues?{query}") if i.get("title") == title]
    number = found[0]["number"] if found else None
    run = os.environ.get("GITHUB_RUN_ID", "")
    if code == 0:
        if number is None:
            return "no drift, no issue"
        text = f"No drift in {env} on run {run}."
        _json("POST", f"repos/{repo}/issues/{number}/comments", {"body": text})
        _json("PATCH", f"repos/{repo}/issues/{number}", {"state": "closed"})
        return f"no drift: closed #{number}"
    if code == 2:
        body = file.read_text("utf-8")
        if number is not None:
            _json("PATCH", f"repos/{repo}/issues/{number}", {"body": body})
            return f"drift: updated #{number}"
        new = {"title": title, "body": body, "labels": [DRIFT_LABEL]}
        return f"drift: opened #{_json('POST', f'repos/{repo}/issues', new)['number']}"
    if number is not None:
        text = (
            f"The drift check of {env} could not check (run {run}); the state above may be stale."
        )
        _json("POST", f"repos/{repo}/issues/{number}/comments", {"body": text})
    return "the drift check could not check"


def main(argv: list[str]) -> int:
    command, *args = argv or [""]
    try:
        if command == "allow-destructive" and len(args) == 1:
            print(allow_destructive(args[0]))
        elif command == "reviewed-runs" and len(args) == 2:
            print(json.dumps(reviewed_runs(*args), sort_keys=True))
        elif command == "download-plans" and len(args) >= 1:
            for line in download_plans(Path(args[0]), args[1:]):
                print(line)
        elif command == "comment" and len(args) == 2:
            comment(args[0], Path(args[1]))
        elif command == "drift-issue" and len(args) == 3:
            print(drift_issue(args[0], int(args[1]), Path(args[2])))
            return 1 if int(args[1]) not in (0, 2) else 0
        else:
            print(__doc__, file=sys.stderr)
            return 1
    except GitHubError as exc:
        print(f"govkit: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

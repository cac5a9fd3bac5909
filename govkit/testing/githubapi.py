"""A local GitHub REST API: the few endpoints the governance workflows call, for the tests that
run those workflows under a real Actions runner (`act`) on 127.0.0.1.

Shapes follow the REST reference (docs.github.com/en/rest): pulls (`GET /repos/{o}/{r}/pulls/{n}`),
the pull requests of a commit (`GET .../commits/{sha}/pulls`), workflow runs
(`GET .../actions/workflows/{file}/runs?head_sha=&status=`), run artifacts
(`GET .../actions/runs/{id}/artifacts`; `GET .../actions/artifacts/{id}/zip` answers 302 to a
storage URL that must be fetched without the token), issue comments and issues. A run's
artifacts are the folders of the directory the test gives when it records the run.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import threading
import urllib.parse
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from govkit.testing.http import Listener

Answer = tuple[int, Any, dict[str, str]]


@dataclass
class PullRequest:
    number: int
    body: str
    head_sha: str
    base_sha: str
    merge_commit_sha: str | None = None


@dataclass
class Run:
    id: int
    workflow: str
    head_sha: str
    conclusion: str
    artifacts: Path  # one folder per artifact


@dataclass
class GitHubState:
    repository: str
    pulls: dict[int, PullRequest] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> {issue, body}
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 100

    def new_id(self) -> int:
        self._next += 1
        return self._next


def _pull_json(state: GitHubState, pr: PullRequest) -> dict[str, Any]:
    repo = {"full_name": state.repository}
    return {
        "number": pr.number,
        "body": pr.body,
        "state": "closed" if pr.merge_commit_sha else "open",
        "head": {"sha": pr.head_sha, "repo": repo},
        "base": {"sha": pr.base_sha, "repo": repo},
        "merge_commit_sha": pr.merge_commit_sha,
    }


def _artifacts(run: Run) -> list[Path]:
    if not run.artifacts.is_dir():
        return []
    return sorted(p for p in run.artifacts.iterdir() if p.is_dir())


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


class GitHubServer:
    """`.url` (the API root for GITHUB_API_URL), `.token`, `.state`; start/stop or `with`."""

    def __init__(self, repository: str) -> None:
        self.state = GitHubState(repository)
        self.token = f"ghs_local{secrets.token_hex(12)}"
        self.blobs: dict[str, bytes] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                server.handle(self)

            do_GET = do_POST = do_PATCH = _answer

        self._httpd = Listener(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        repo = re.escape(repository)
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Answer]]] = [
            ("GET", re.compile(rf"/repos/{repo}/pulls/(\d+)"), self._pull),
            ("GET", re.compile(rf"/repos/{repo}/commits/(\w+)/pulls"), self._commit_pulls),
            ("GET", re.compile(rf"/repos/{repo}/actions/workflows/([\w.-]+)/runs"), self._runs),
            ("GET", re.compile(rf"/repos/{repo}/actions/runs/(\d+)/artifacts"), self._run_files),
            ("GET", re.compile(rf"/repos/{repo}/actions/artifacts/(\d+)-(.+)/zip"), self._zip),
            ("GET", re.compile(rf"/repos/{repo}/issues/(\d+)/comments"), self._comments),
            ("POST", re.compile(rf"/repos/{repo}/issues/(\d+)/comments"), self._comment),
            ("PATCH", re.compile(rf"/repos/{repo}/issues/comments/(\d+)"), self._edit_comment),
            ("GET", re.compile(rf"/repos/{repo}/issues"), self._issues),
            ("POST", re.compile(rf"/repos/{repo}/issues"), self._open_issue),
            ("PATCH", re.compile(rf"/repos/{repo}/issues/(\d+)"), self._edit_issue),
        ]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> GitHubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> GitHubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what a test records ----------------------------------------------------------------

    def open_pull_request(self, head_sha: str, base_sha: str, body: str = "") -> PullRequest:
        with self.state.lock:
            number = len(self.state.pulls) + 1
            pr = self.state.pulls[number] = PullRequest(number, body, head_sha, base_sha)
        return pr

    def record_run(self, workflow: str, head_sha: str, conclusion: str, artifacts: Path) -> Run:
        with self.state.lock:
            run = Run(self.state.new_id(), workflow, head_sha, conclusion, artifacts)
            self.state.runs.append(run)
        return run

    # -- the API ------------------------------------------------------------------------------

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(h.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        length = int(h.headers.get("Content-Length") or 0)
        body = json.loads(h.rfile.read(length) or b"null") if length else None
        status, payload, headers = self._dispatch(h, parts.path, query, body)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        h.send_response(status)
        for name, value in headers.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _dispatch(
        self, h: BaseHTTPRequestHandler, path: str, query: dict[str, str], body: Any
    ) -> Answer:
        auth = h.headers.get("Authorization")
        if path.startswith("/blob/"):
            # As a storage host with a signed URL: a forwarded API token is refused.
            if auth is not None:
                return 400, {"message": "the storage URL is signed; no Authorization"}, {}
            blob = self.blobs.get(path.removeprefix("/blob/"))
            return (200, blob, {"Content-Type": "application/zip"}) if blob else (404, {}, {})
        if auth != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}, {}
        for method, pattern, handler in self._routes:
            found = pattern.fullmatch(path)
            if found and method == h.command:
                with self.state.lock:
                    return handler(*found.groups(), query=query, body=body)
        return 404, {"message": "Not Found"}, {}

    def _pull(self, number: str, **_: Any) -> Answer:
        pr = self.state.pulls.get(int(number))
        return (200, _pull_json(self.state, pr), {}) if pr else (404, {"message": "Not Found"}, {})

    def _commit_pulls(self, sha: str, **_: Any) -> Answer:
        found = [p for p in self.state.pulls.values() if sha in (p.merge_commit_sha, p.head_sha)]
        return 200, [_pull_json(self.state, p) for p in found], {}

    def _runs(self, workflow: str, *, query: dict[str, str], **_: Any) -> Answer:
        runs = [
            r
            for r in reversed(self.state.runs)  # newest first, as GitHub lists them
            if r.workflow == workflow
            and query.get("head_sha", r.head_sha) == r.head_sha
            and query.get("status", r.conclusion) == r.conclusion
        ]
        listed = [
            {"id": r.id, "head_sha": r.head_sha, "status": "completed", "conclusion": r.conclusion}
            for r in runs
        ]
        return 200, {"total_count": len(listed), "workflow_runs": listed}, {}

    def _run_files(self, run_id: str, **_: Any) -> Answer:
        runs = [r for r in self.state.runs if r.id == int(run_id)]
        if not runs:
            return 404, {"message": "Not Found"}, {}
        listed = [
            {
                "id": f"{run_id}-{folder.name}",
                "name": folder.name,
                "expired": False,
                "archive_download_url": f"{self.url}/repos/{self.state.repository}"
                f"/actions/artifacts/{run_id}-{folder.name}/zip",
            }
            for folder in _artifacts(runs[0])
        ]
        return 200, {"total_count": len(listed), "artifacts": listed}, {}

    def _zip(self, run_id: str, name: str, **_: Any) -> Answer:
        runs = [r for r in self.state.runs if r.id == int(run_id)]
        folders = [f for r in runs for f in _artifacts(r) if f.name == name]
        if not folders:
            return 404, {"message": "Not Found"}, {}
        key = secrets.token_hex(8)
        self.blobs[key] = _zip(folders[0])
        return 302, b"", {"Location": f"{self.url}/blob/{key}"}

    def _comments(self, issue: str, **_: Any) -> Answer:
        found = [
            {"id": cid, "body": c["body"]}
            for cid, c in sorted(self.state.comments.items())
            if c["issue"] == int(issue)
        ]
        return 200, found, {}

    def _comment(self, issue: str, *, body: Any, **_: Any) -> Answer:
        cid = self.state.new_id()
        self.state.comments[cid] = {"issue": int(issue), "body": str(body["body"])}
        return 201, {"id": cid, "body": body["body"]}, {}

    def _edit_comment(self, cid: str, *, body: Any, **_: Any) -> Answer:
        if int(cid) not in self.state.comments:
            return 404, {"message": "Not Found"}, {}
        self.state.comments[int(cid)]["body"] = str(body["body"])
        return 200, {"id": int(cid), "body": body["body"]}, {}

    def _issues(self, *, query: dict[str, str], **_: Any) -> Answer:
        label, wanted = query.get("labels"), query.get("state", "open")
        found = [
            {"number": n, **i}
            for n, i in sorted(self.state.issues.items())
            if (label is None or label in i["labels"]) and wanted in ("all", i["state"])
        ]
        return 200, found, {}

    def _open_issue(self, *, body: Any, **_: Any) -> Answer:
        number = self.state.new_id()
        self.state.issues[number] = {
            "title": str(body["title"]),
            "body": str(body.get("body", "")),
            "labels": list(body.get("labels", [])),
            "state": "open",
        }
        return 201, {"number": number, **self.state.issues[number]}, {}

    def _edit_issue(self, number: str, *, body: Any, **_: Any) -> Answer:
        issue = self.state.issues.get(int(number))
        if issue is None:
            return 404, {"message": "Not Found"}, {}
        issue.update({k: v for k, v in body.items() if k in ("body", "state", "title")})
        return 200, {"number": int(number), **issue}, {}

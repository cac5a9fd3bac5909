"""The workflows' GitHub API calls (govkit.repository.github) against the local GitHub API."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from govkit.repository import github
from govkit.testing.githubapi import GitHubServer
from tests.diff.support import commit, git


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubServer]:
    with GitHubServer("acme/governance") as server:
        monkeypatch.setenv("GITHUB_API_URL", server.url)
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/governance")
        monkeypatch.setenv("GH_TOKEN", server.token)
        yield server


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Retire it.\r\n\r\nallow-destructive: EX-1 retired\r\n", "EX-1 retired"),
        ("allow-destructive: first\nallow-destructive: second\n", "first"),
        ("Nothing destructive here.", ""),
        ("", ""),
    ],
)
def test_the_reason_comes_from_the_pull_request_as_it_is_now(
    api: GitHubServer, body: str, reason: str
) -> None:
    pr = api.open_pull_request("a" * 40, "b" * 40, "old body")
    pr.body = body  # edited after the event
    assert github.allow_destructive(str(pr.number)) == reason


def test_the_newest_run_s_plan_wins_and_storage_gets_no_token(
    api: GitHubServer, tmp_path: Path
) -> None:
    for run, text in (("old", "older plan"), ("new", "newer plan")):
        (tmp_path / run / "plan-dev-example").mkdir(parents=True)
        (tmp_path / run / "plan-dev-example" / "plan.json").write_text(text)
    (tmp_path / "old" / "plan-dev-_shared").mkdir()
    (tmp_path / "old" / "plan-dev-_shared" / "plan.json").write_text("shared")
    (tmp_path / "new" / "access-diff").mkdir()
    older = api.record_run("govkit.yml", "1" * 40, "success", tmp_path / "old")
    newer = api.record_run("govkit.yml", "2" * 40, "success", tmp_path / "new")
    dest = tmp_path / "reviewed"
    unpacked = github.download_plans(dest, [str(newer.id), str(older.id)])
    assert unpacked == [
        f"plan-dev-example (run {newer.id})",
        f"plan-dev-_shared (run {older.id})",
    ]
    assert (dest / "plan-dev-example" / "plan.json").read_text() == "newer plan"
    assert sorted(p.name for p in dest.iterdir()) == ["plan-dev-_shared", "plan-dev-example"]


def test_a_merge_that_no_pull_request_brought_is_not_reviewed(
    api: GitHubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "catalogs").mkdir()
    (tmp_path / "catalogs" / "govkit.yaml").write_text("version: 1\n")
    commit(tmp_path, "base")
    base = git(tmp_path, "rev-parse", "HEAD").strip()
    (tmp_path / "catalogs" / "govkit.yaml").write_text("version: 1\n# pushed to main\n")
    commit(tmp_path, "a direct push")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(github.GitHubError, match="did not come from a pull request"):
        github.reviewed_runs(base, "HEAD")
    assert github.main(["reviewed-runs", base, "HEAD"]) == 1


def _resetting_server(resets: int) -> tuple[socket.socket, threading.Thread, list[int]]:
    """A port that resets its first `resets` connections, then answers `[]` as GitHub would."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[int] = []

    def serve() -> None:
        while len(seen) < resets + 1:
            conn, _ = listener.accept()
            seen.append(1)
            conn.recv(65536)
            if len(seen) <= resets:  # SO_LINGER 0: close with a reset, as a dropped proxy does
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread, seen


@pytest.mark.parametrize(("resets", "answered"), [(2, True), (3, False)])
def test_a_reset_connection_is_retried_then_one_line(
    monkeypatch: pytest.MonkeyPatch, resets: int, answered: bool
) -> None:
    listener, thread, seen = _resetting_server(resets)
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{listener.getsockname()[1]}")
    try:
        if answered:  # two resets, then the answer: the third attempt gets it
            assert github._json("GET", "repos/acme/governance/pulls") == []
            thread.join(5)
            assert len(seen) == 3
        else:  # every attempt reset: one line naming the call, no ConnectionResetError
            with pytest.raises(github.GitHubError, match=r"^GET http://127\.0\.0\.1:\d+/repos/"):
                github._json("GET", "repos/acme/governance/pulls")
            assert len(seen) == 3
    finally:
        listener.close()

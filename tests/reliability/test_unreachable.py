"""A host that no request reaches is one line naming the host and the cause, exit 1, for every
live command: TLS spoken to a plain-HTTP server, a refused port, a name that does not resolve,
a proxy that is not there, a host that resets every connection. Real clients throughout:
databricks-sdk (requests) for the workspace, msgraph-sdk (httpx) for Graph."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from govkit.cli.main import main
from govkit.identity.document import make_identities
from govkit.testing import UCServer
from govkit.testing.faults import ResettingHost, closed_port
from govkit.testing.graphserver import GraphServer
from tests.compile.support import GOLDEN, TODAY
from tests.identity.conftest import require_msgraph

SPEC = str(GOLDEN / "small" / "spec")
KINDS = ("tls", "refused", "dns", "proxy", "reset")
CAUSES = {
    "tls": "TLS handshake failed: wrong version number (the server does not speak TLS",
    "refused": "Connection refused",
    "dns": "cannot resolve nothing.invalid: Name or service not known",
    "proxy": "through the proxy http://127.0.0.1:",
    "reset": "Connection reset by peer",
}


@contextlib.contextmanager
def broken_host(kind: str, monkeypatch: pytest.MonkeyPatch, plain: str) -> Iterator[str]:
    """The URL of a host that fails as `kind` does; `plain` is a plain-HTTP server's URL."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                 "all_proxy", "NO_PROXY", "no_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    if kind == "tls":
        yield plain.replace("http://", "https://")
    elif kind == "refused":
        yield f"http://127.0.0.1:{closed_port()}"
    elif kind == "dns":
        yield "https://nothing.invalid"  # RFC 2606: never resolves
    elif kind == "proxy":
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
        yield "https://workspace.example"
    else:
        with ResettingHost() as host:
            yield host.url


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main([*args, "--as-of", TODAY.isoformat()])
    captured = capsys.readouterr()
    return code, captured.err.strip().splitlines()


def assert_one_line(code: int, lines: list[str], url: str, kind: str) -> None:
    host = url.split("/")[2]
    assert code == 1, lines
    assert not any("Traceback" in line or "internal error" in line for line in lines), lines
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and errors == lines[-1:], lines
    assert f"cannot connect to {url.split('/')[0]}//{host}" in errors[0], errors
    assert CAUSES[kind] in errors[0], errors
    # Anything before it is the retry notice of the same failure, not a reader's traceback.
    assert all(host in line for line in lines), lines


LIVE_COMMANDS = {
    "drift": ["drift", SPEC, "--env", "prod", "--source", "workspace"],
    "snapshot warehouse": ["snapshot", SPEC, "--env", "prod", "--source", "warehouse",
                           "--warehouse-id", "wh1", "--out", "{out}/state.json"],
    "audit --live": ["audit", SPEC, "--env", "prod", "--live", "workspace", "--out", "{out}/a"],
    "access --live": ["access", SPEC, "--env", "prod", "--live", "workspace",
                      "--principal", "sales-analysts"],
    "import": ["import", "--env", "prod", "--source", "workspace", "--out", "{out}/spec"],
}  # fmt: skip
CASES = [(kind, "drift") for kind in KINDS] + [("tls", c) for c in LIVE_COMMANDS if c != "drift"]


@pytest.mark.parametrize(("kind", "command"), CASES)
def test_a_workspace_no_request_reaches_is_one_line_naming_host_and_cause(
    kind: str,
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    with UCServer() as plain, broken_host(kind, monkeypatch, plain.url) as url:
        monkeypatch.setenv("DATABRICKS_HOST", url)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-local")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        args = [a.replace("{out}", str(tmp_path / "out")) for a in LIVE_COMMANDS[command]]
        code, lines = run(args, capsys)
    assert_one_line(code, lines, url, kind)
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.parametrize("kind", KINDS)
def test_graph_that_no_request_reaches_is_one_line_naming_host_and_cause(
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    require_msgraph()
    monkeypatch.setenv("GOVKIT_GRAPH_TOKEN", "test-token")
    out = tmp_path / "identities.json"
    with (
        GraphServer(make_identities("file")) as plain,
        broken_host(kind, monkeypatch, plain.url) as url,
    ):
        code, lines = run(["identities", "pull", SPEC, "--graph-url", f"{url}/v1.0",
                           "--out", str(out)], capsys)  # fmt: skip
    assert_one_line(code, lines, url, kind)
    assert not out.exists()

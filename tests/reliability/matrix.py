"""The fault matrix: each fault x command against the local servers, with the requests made.

`python -m tests.reliability.matrix` prints the table; tests/reliability/test_faults.py checks
that every row holds: the fault-free result, or exit 1 naming what could not be read.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkit.cli.main import main
from govkit.identity.document import Group, Identities, User, dumps, make_identities
from govkit.legacy import document as legacy_document
from govkit.resolve import resolve
from govkit.spec.build import load_spec
from govkit.testing import Faults, UCServer
from govkit.testing.graphserver import GraphFaults, GraphServer
from govkit.testing.http import ServerConfig
from tests.compile.support import GOLDEN, TODAY

SPEC = GOLDEN / "small" / "spec"
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # statement ids
_SERVER = re.compile(r"http://127\.0\.0\.1:\d+")  # a port of its own each run
UC_FAULTS: dict[str, Faults] = {
    "none": Faults(),
    "429 storm, Retry-After 1": Faults(seed=1, rate=0.5, kinds=("429",), retry_after=1),
    "429 storm, Retry-After 0": Faults(seed=2, rate=0.5, kinds=("429",), retry_after=0),
    "rate limit 5/s, Retry-After 1": Faults(limit_per_second=5, retry_after=1),
    "every request 429, deadline 5 s": Faults(rate=1.0, kinds=("429",), retry_after=1),
    "500 at 30%": Faults(seed=3, rate=0.3, kinds=("500",), retry_after=0),
    "503 at 30%": Faults(seed=4, rate=0.3, kinds=("503",), retry_after=0),
    "dropped connections at 30%": Faults(seed=5, rate=0.3, kinds=("drop",)),
    "every request 503": Faults(rate=1.0, kinds=("503",), retry_after=0),
    "a page fails mid-listing": Faults(fail_pages=(("/schemas", 1),)),
    "one securable always 500": Faults(fail_paths=("permissions/schema/sales_prod.orders",)),
    "statement FAILED": Faults(fail_statements=("table_privileges",)),
    "lineage statement FAILED": Faults(fail_statements=("table_lineage",)),
    "lineage statement CANCELED": Faults(cancel_statements=("table_lineage",)),
    "an external link 404s": Faults(gone_paths=("/blob/",)),
    "answers 3 s late, timeout 1 s": Faults(rate=1.0, kinds=("slow",), slow_seconds=3),
    "every grant read 503, breaker": Faults(
        rate=1.0, kinds=("503",), retry_after=0, paths=("permissions", "/statements")
    ),
}
# The settings a fault row runs with (govkit/live/settings.py reads them from the environment).
FAULT_ENV: dict[str, dict[str, str]] = {
    "answers 3 s late, timeout 1 s": {"GOVKIT_HTTP_TIMEOUT": "1", "GOVKIT_DEADLINE": "5"},
    "every request 429, deadline 5 s": {"GOVKIT_DEADLINE": "5"},
    "every grant read 503, breaker": {"GOVKIT_BREAKER_COOLDOWN": "0.2"},
}
GRAPH_FAULTS: dict[str, GraphFaults] = {
    "none": GraphFaults(),
    "429 x2, Retry-After 1": GraphFaults(throttle_first=2, retry_after=1),
    "429 x2, no Retry-After": GraphFaults(throttle_first=2, retry_after=None),
    "Graph down (503)": GraphFaults(unavailable=True),
    "$batch: one part fails": GraphFaults(fail_paths=("id-g2/members",)),
}
UC_COMMANDS = ("snapshot workspace", "snapshot warehouse", "drift workspace")
AUDIT_COMMANDS = ("audit workspace", "audit warehouse")  # the live State; lineage: warehouse
AUDIT_FAULTS = (
    "none",
    "429 storm, Retry-After 0",
    "503 at 30%",
    "a page fails mid-listing",
    "statement FAILED",
    "lineage statement FAILED",
    "lineage statement CANCELED",
    "an external link 404s",
    "answers 3 s late, timeout 1 s",
    "every grant read 503, breaker",
)


@dataclass(frozen=True)
class Row:
    fault: str
    command: str
    code: int
    result: Any  # what the command produced, to compare with the fault-free run
    message: str  # the last line of stderr
    requests: int
    seconds: float = 0.0  # the command's wall time, printed for the rows that wait


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[Path]:
    saved = dict(os.environ)
    folder = Path(tempfile.mkdtemp(prefix="govkit-matrix-"))
    os.environ.update(values)
    os.environ["XDG_CACHE_HOME"] = str(folder / "cache")
    try:
        yield folder
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(folder, ignore_errors=True)


def _run(args: list[str]) -> tuple[int, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--as-of", TODAY.isoformat()])
    return code, out.getvalue(), err.getvalue(), time.monotonic() - started


def _desired() -> Any:
    loaded = load_spec(str(SPEC))
    assert loaded.spec is not None
    return next(e.state for e in resolve(loaded.spec, TODAY) if e.name == "prod")


def uc_row(fault: str, command: str) -> Row:
    server = UCServer([_desired()], faults=UC_FAULTS[fault], config=ServerConfig(page_size=2))
    env = {
        "DATABRICKS_HOST": server.url,
        "DATABRICKS_TOKEN": server.token,
        **FAULT_ENV.get(fault, {}),
    }
    with server, _environment(env) as folder:
        verb, source = command.split()
        out = folder / "out.json"
        args = [verb, str(SPEC), "--env", "prod", "--source", source]
        if source == "warehouse":
            args += ["--warehouse-id", "wh1"]
        if verb == "snapshot":
            code, _, err, seconds = _run([*args, "--out", str(out)])
            data = json.loads(out.read_text()) if out.exists() else {}
            result: Any = (data.get("complete"), data.get("securables"))
        else:
            code, text, err, seconds = _run([*args, "--format", "json"])
            result = json.loads(text).get("changes") if text.strip() else None
        lines = err.strip().splitlines()
        message = lines[-1] if lines else ""
        return Row(fault, command, code, result, message, server.request_count, seconds)


def _directory() -> Identities:
    """The golden spec's groups in Entra ID, each with a few members."""
    users = [User(f"u{i}@example.com", f"id-u{i}") for i in range(6)] + [User("ada@example.com")]
    names = ("sales-owners", "sales-analysts", "web-owners", "web-analysts")
    groups = [
        Group(n, f"id-g{i}", tuple(f"user:{u.name}" for u in users[i : i + 3]))
        for i, n in enumerate(names)
    ]
    return make_identities("file", groups=groups, users=users)


def graph_row(fault: str) -> Row:
    server = GraphServer(_directory(), faults=GRAPH_FAULTS[fault])
    with server, _environment({"GOVKIT_GRAPH_TOKEN": server.token}) as folder:
        out = folder / "ids.json"
        args = ["identities", "pull", str(SPEC), "--graph-url", server.url, "--out", str(out)]
        code, _, err, _ = _run(args)
        doc = json.loads(out.read_text()) if out.exists() else {}
        result = (doc.get("complete"), doc.get("groups"), doc.get("users"))
        lines = err.strip().splitlines()
        return Row(fault, "identities pull", code, result, lines[-1] if lines else "",
                   len(server.requests))  # fmt: skip


def _lineage_events() -> list[dict[str, str]]:
    """Reads of the golden table into a few web tables: three edges, so several result chunks."""
    return [
        {"source_table_full_name": "sales_prod.orders.order_lines", "source_type": "TABLE",
         "target_table_full_name": f"web_prod.sessions.{name}", "target_type": "TABLE",
         "entity_type": "JOB", "entity_id": "7", "created_by": "id-u1",
         "event_time": f"2026-11-0{day}T09:00:00Z"}
        for day, name in enumerate(("visits", "carts", "funnels"), start=1)
    ]  # fmt: skip


def _report(folder: Path) -> Any:
    """The JSON report; of its evidence, only what each source held (paths and times vary)."""
    files = sorted(folder.glob("*.json"))
    if not files:
        return None
    report = json.loads(files[0].read_text())
    sources = report.pop("evidence", {}).get("sources", [])
    report["sources"] = [(s["name"], s["complete"], s["errors"]) for s in sources]
    return report


def audit_row(fault: str, command: str) -> Row:
    """`govkit audit` of the live State (`command` names its source) and warehouse lineage."""
    server = UCServer(
        [_desired()],
        lineage=_lineage_events(),
        faults=UC_FAULTS[fault],
        config=ServerConfig(page_size=2, chunk_rows=2),
    )
    env = {
        "DATABRICKS_HOST": server.url,
        "DATABRICKS_TOKEN": server.token,
        **FAULT_ENV.get(fault, {}),
    }
    with server, _environment(env) as folder:
        (folder / "ids.json").write_text(dumps(_directory()))
        # Access outside Unity Catalog from a file: the faults under test are the live State's.
        legacy = legacy_document.make_legacy(
            "file", [legacy_document.Workspace(31)], environment="prod"
        )
        (folder / "legacy.json").write_text(legacy_document.dumps(legacy))
        args = ["audit", str(SPEC), "--env", "prod", "--live", command.split()[1],
                "--legacy", str(folder / "legacy.json"),
                "--identities", str(folder / "ids.json"), "--lineage", "warehouse",
                "--warehouse-id", "wh1", "--out", str(folder / "audit"),
                "--format", "json"]  # fmt: skip
        code, _, err, seconds = _run(args)
        lines = err.strip().splitlines()
        result = _report(folder / "audit")
        message = lines[-1] if lines else ""
        return Row(fault, command, code, result, message, server.request_count, seconds)


def outcome(row: Row, baseline: Row) -> str:
    """`equal`, `exit 1: ...` (what could not be read), or `WRONG: ...`."""
    if row.code == baseline.code and row.result == baseline.result:
        return "equal"
    if row.code == 1 and row.message:
        said = _SERVER.sub("<server>", _ID.sub("<id>", row.message.removeprefix("Error: ")))
        return f"exit 1: {said[:110]}"
    return f"WRONG: exit {row.code}, a result unlike the fault-free one"


def rows() -> Iterator[tuple[Row, str]]:
    for command in UC_COMMANDS:
        baseline = uc_row("none", command)
        for fault in UC_FAULTS:
            row = baseline if fault == "none" else uc_row(fault, command)
            yield row, outcome(row, baseline)
    for command in AUDIT_COMMANDS:
        baseline = audit_row("none", command)
        for fault in AUDIT_FAULTS:
            row = baseline if fault == "none" else audit_row(fault, command)
            yield row, outcome(row, baseline)
    baseline = graph_row("none")
    for fault in GRAPH_FAULTS:
        row = baseline if fault == "none" else graph_row(fault)
        yield row, outcome(row, baseline)


if __name__ == "__main__":
    print("| fault | command | outcome | requests | seconds |")
    print("|---|---|---|---|---|")
    for row, said in rows():
        line = f"| {row.fault} | {row.command} | {said} | {row.requests} | {row.seconds:.0f} |"
        print(line, flush=True)

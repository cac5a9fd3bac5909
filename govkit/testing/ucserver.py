"""The local Unity Catalog server (`metastore.UCServer`) and its command line:
`python -m govkit.testing.ucserver [--state FILE] --port N`, serving until interrupted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from govkit.testing import callers
from govkit.testing.faults import Faults
from govkit.testing.http import arguments, serve_until_interrupted
from govkit.testing.metastore import Seen as Seen
from govkit.testing.metastore import UCServer as UCServer


def _add_callers(server: UCServer, path: str) -> None:
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    for token, caller in callers.parse(entries if isinstance(entries, list) else [0]):
        server.add_caller(caller.name, caller.role, caller.groups, token)


def _load_legacy(server: UCServer, path: str) -> None:
    from govkit.legacy.document import loads

    server.compute.load(loads(Path(path).read_bytes()))


def _add_pipelines(server: UCServer, path: str) -> None:
    from govkit.state import loads

    server.add_tables([loads(Path(path).read_bytes())])


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, load what it names, serve until interrupted."""
    parser = arguments("python -m govkit.testing.ucserver", 8766, "A local Unity Catalog API.")
    parser.add_argument(
        "--state", help="State document(s) or a dump to load (default: start empty)"
    )
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dump", help="write the server's state here on exit")
    parser.add_argument("--legacy", help="a legacy-access document: the workspaces' compute")
    parser.add_argument(
        "--callers",
        help="a JSON list of further callers: {token, name, role, groups} (see callers.py)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="the own port is one workspace (--workspace-id) whose catalog bindings hold",
    )
    parser.add_argument(
        "--workspace-id",
        type=int,
        default=None,
        help="the id of the workspace --port serves (the provider binds what it creates to it: "
        "give one of the environment's)",
    )
    parser.add_argument("--account-port", type=int, help="also serve the account host here")
    parser.add_argument(
        "--pipelines",
        help="a State document whose tables pipelines create once Terraform has created their "
        "schema (Terraform creates no tables)",
    )
    args = parser.parse_args(argv)
    server = UCServer(
        port=args.port,
        token=args.token,
        faults=Faults(args.seed, args.fault_rate),
        strict=args.strict,
        workspace_id=args.workspace_id,
    )
    loaders = (
        (args.callers, lambda path: _add_callers(server, path)),
        (args.state, server.load),
        (args.legacy, lambda path: _load_legacy(server, path)),
        (args.pipelines, lambda path: _add_pipelines(server, path)),
    )
    for path, load in loaders:
        if not path:
            continue
        try:
            load(path)
        except (OSError, ValueError) as exc:
            print(f"govkit.testing.ucserver: {path}: {exc}", file=sys.stderr)
            server.stop()
            return 1
    account = server.add_host("account", port=args.account_port) if args.account_port else None
    print(f"serving Unity Catalog API on {server.url}", flush=True)
    print(f"DATABRICKS_HOST={server.url} DATABRICKS_TOKEN={server.token}", flush=True)
    if account:
        print(
            f"GOVKIT_ACCOUNT_HOST={account} DATABRICKS_ACCOUNT_ID={server.store.account_id}",
            flush=True,
        )
    try:
        serve_until_interrupted(server.start, server.stop)
    finally:
        if args.dump:
            Path(args.dump).write_text(json.dumps(server.dump(), indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Apply a compiled estate with the real Terraform CLI and provider to a local metastore.

`compile_estate` compiles a spec folder with a local backend beside a copy of the modules;
`metastore` starts one local server with a workspace host per environment and an account host;
`Estate.each` runs Terraform on every stack in an order that honours `needs`. The tests and the
race benchmark (`python -m govkit.bench race`) share them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from govkit.compile import compile_stacks
from govkit.compile.model import Compiled, Stack
from govkit.compile.runner import Terraform
from govkit.compile.writer import write_files
from govkit.resolve import DesiredEnvironment, resolve
from govkit.spec.build import Spec, load_spec
from govkit.testing.http import ServerConfig
from govkit.testing.ucserver import UCServer

T = TypeVar("T")


def account_level(stack: Stack) -> bool:
    """Service principal stacks talk to the account host; domain stacks to a workspace."""
    return stack.kind == "shared"


@dataclass
class Estate:
    """The stacks of one spec, compiled with a local backend beside a copy of the modules."""

    spec: Path
    out: Path
    stacks: list[Stack]
    environments: tuple[DesiredEnvironment, ...]
    people: tuple[str, ...]  # groups and users, as Unity Catalog names them
    binary: str
    cli_config: Path | None  # TF_CLI_CONFIG_FILE, e.g. the provider mirror's
    today: dt.date

    def terraform(self, stack: Stack, env: Mapping[str, str] | None = None) -> Terraform:
        config = {"TF_CLI_CONFIG_FILE": str(self.cli_config)} if self.cli_config else {}
        return Terraform(self.binary, self.out / stack.id, {**config, **(env or {})})

    def recompile(self) -> list[str]:
        """Compile the (edited) spec again and write the files that changed, keeping each
        stack's `.terraform`; the paths written."""
        written = []
        for path, content in sorted(_compile(self.spec, self.today)[1].files().items()):
            target = self.out / path
            if not target.is_file() or target.read_bytes() != content:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                written.append(path)
        return written

    def state_file(self, stack: Stack) -> Path:
        """Where the stack's local backend keeps its state."""
        relative = str(stack.document["terraform"]["backend"]["local"]["path"])
        return (self.out / stack.id / relative).resolve()

    def stack(self, stack_id: str) -> Stack:
        (found,) = [s for s in self.stacks if s.id == stack_id]
        return found

    def init(self) -> None:
        """`terraform init` once per stack (the provider is linked from the mirror)."""
        self.each(lambda stack: self.terraform(stack).init())

    def waves(self, environment: str | None = None) -> list[list[Stack]]:
        """Stacks in groups that may run side by side: a group only after every stack it
        `needs`, and account-level principal stacks before the domains (until the compiler
        writes that order into `needs`)."""
        chosen = [s for s in self.stacks if environment in (None, s.environment)]
        ids = {s.id for s in chosen}
        done: set[str] = set()
        waves: list[list[Stack]] = []
        pending = sorted(chosen, key=lambda s: s.id)
        while pending:
            ready = [s for s in pending if all(n in done or n not in ids for n in s.needs)]
            if any(account_level(s) for s in ready):
                ready = [s for s in ready if account_level(s)]
            if not ready:
                raise AssertionError(f"needs form a cycle: {[s.id for s in pending]}")
            waves.append(ready)
            done.update(s.id for s in ready)
            pending = [s for s in pending if s.id not in done]
        return waves

    def in_order(self, environment: str | None = None) -> list[Stack]:
        return [s for wave in self.waves(environment) for s in wave]

    def each(self, run: Callable[[Stack], T], environment: str | None = None) -> dict[str, T]:
        """`run` on every stack, wave after wave, two at a time (Terraform mostly waits on its
        provider); the first failure is raised once its wave has finished."""
        results: dict[str, T] = {}
        with ThreadPoolExecutor(max_workers=2) as pool:
            for wave in self.waves(environment):
                futures = [(s.id, pool.submit(run, s)) for s in wave]
                for stack_id, future in futures:
                    results[stack_id] = future.result()
        return results


def _compile(spec_dir: Path, today: dt.date) -> tuple[Spec, Compiled]:
    loaded = load_spec(str(spec_dir))  # the compiler's input: shape, no policy rules
    if loaded.spec is None:
        raise ValueError(f"{spec_dir}: not a valid spec: {loaded.diagnostics[:3]}")
    spec = loaded.spec
    return spec, compile_stacks(spec, resolve(spec, today), "../modules")


def compile_estate(
    spec: Path,
    work: Path,
    modules: Path,
    *,
    binary: str,
    cli_config: Path | None,
    today: dt.date,
) -> Estate:
    """Copy the spec into `work` with a local backend and compile it beside a copy of the
    modules; stacks are not initialised yet (`Estate.init`)."""
    copy = Path(shutil.copytree(spec, work / "spec"))
    org_file = copy / "govkit.yaml"
    org = yaml.safe_load(org_file.read_text("utf-8"))
    org["terraform"] = {**org.get("terraform", {}), "backend": {"type": "local"}}
    org_file.write_text(yaml.safe_dump(org, sort_keys=False), "utf-8")
    shutil.copytree(modules, work / "modules")
    out = work / "out"
    loaded, compiled = _compile(copy, today)
    write_files(out, compiled.files())
    people = (*loaded.groups, *loaded.users)
    environments = resolve(loaded, today)
    return Estate(copy, out, list(compiled.stacks), environments, people, binary, cli_config, today)


@dataclass
class Metastore:
    """One local server: a workspace host per environment (its first workspace, so that the
    binding the provider adds for the workspace it runs in is one the spec declares) and an
    account host for the service principal stacks."""

    server: UCServer
    workspace_urls: dict[str, str]
    account_url: str

    def provider_env(self, stack: Stack) -> dict[str, str]:
        host = self.account_url if account_level(stack) else self.workspace_urls[stack.environment]
        return {
            "DATABRICKS_HOST": host,
            "DATABRICKS_TOKEN": self.server.token,
            "DATABRICKS_AUTH_TYPE": "pat",
            "DATABRICKS_RATE_LIMIT": "1000",
            "DATABRICKS_RETRY_TIMEOUT_SECONDS": "20",
            "DATABRICKS_HTTP_TIMEOUT_SECONDS": "10",
            "DATABRICKS_CONFIG_FILE": "/dev/null",
        }

    def workspace_client(self, environment: str) -> Any:
        from databricks.sdk import WorkspaceClient

        url = self.workspace_urls[environment]
        return WorkspaceClient(host=url, token=self.server.token, auth_type="pat")


@contextmanager
def metastore(
    estate: Estate, *, pipelines: bool = True, config: ServerConfig | None = None
) -> Iterator[Metastore]:
    """A server that knows the spec's groups and users (as synced from Entra ID) and, with
    `pipelines`, writes each declared table as soon as Terraform has created its schema."""
    server = UCServer(config=config)
    urls = {e.name: server.add_host(workspace_id=e.workspaces[0]) for e in estate.environments}
    account = server.add_host("account")
    server.add_principals(estate.people)
    if pipelines:
        server.add_tables(e.state for e in estate.environments)
    with server:
        yield Metastore(server, urls, account)

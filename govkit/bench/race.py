"""`python -m govkit.bench race`: govkit drift against Terraform's refresh, on one estate.

The estate (`--size`, default M) is compiled, and one environment's stacks (`--env`, default
prod) are applied with the real provider to one local server (a fast provider for the set-up).
Then, against the same server and with every tool at its defaults:

- `terraform plan -refresh-only` over the environment's domain stacks, one after another;
- `govkit drift --source warehouse` and `govkit drift --source workspace` (each must be clean).

It prints wall time, requests and the ratio to Terraform's refresh for all three, and the
server's request log per route. The server answers paged calls with a filled first page, short
statements at once and results in chunks of 10,000 rows (under 1 MB of JSON each), as a real
metastore and warehouse usually do; the correctness tests keep the empty first page, the polling
and chunks of 500 rows, which the readers must survive. So each tool pays for the requests it
needs and no more. The set-up (applying the estate) is not timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from govkit.bench.estate import SIZES, generate
from govkit.compile.runner import TerraformError, cli_config_env, find_terraform
from govkit.testing.http import ServerConfig
from govkit.testing.terraform import Estate, Metastore, compile_estate, metastore

MODULES = Path(__file__).resolve().parents[2] / "terraform" / "modules"


@dataclass(frozen=True)
class Lap:
    tool: str
    seconds: float
    requests: Counter[str]

    @property
    def total(self) -> int:
        return sum(self.requests.values())


def _provider_env(running: Metastore, estate: Estate, stack_id: str) -> dict[str, str]:
    env = running.provider_env(estate.stack(stack_id))
    for name in ("DATABRICKS_RATE_LIMIT", "DATABRICKS_RETRY_TIMEOUT_SECONDS",
                 "DATABRICKS_HTTP_TIMEOUT_SECONDS"):  # fmt: skip
        env.pop(name, None)  # the provider at its defaults
    return env


def _set_up(estate: Estate, running: Metastore, environment: str) -> list[str]:
    """Apply the environment's stacks (principals first, then waves two at a time); the domain
    stacks' ids. Not timed, so the provider runs with the test settings (no 15 requests per
    second rate limit): at its defaults the M estate's 6,610 grants take most of an hour."""
    estate.each(lambda stack: estate.terraform(stack).init(), environment)
    estate.each(
        lambda stack: estate.terraform(stack, running.provider_env(stack)).apply(), environment
    )
    return [s.id for s in estate.in_order(environment) if s.kind != "shared"]


def _refresh(estate: Estate, running: Metastore, stacks: list[str]) -> Lap:
    running.server.reset_counts()
    start = time.perf_counter()
    for stack_id in stacks:
        tf = estate.terraform(estate.stack(stack_id), _provider_env(running, estate, stack_id))
        tf.plan(None, "-refresh-only")
    return Lap("terraform plan -refresh-only", time.perf_counter() - start,
               running.server.requests_by_route())  # fmt: skip


def _drift(estate: Estate, running: Metastore, environment: str, source: str) -> Lap:
    args = [sys.executable, "-m", "govkit", "drift", str(estate.spec), "--env", environment,
            "--as-of", estate.today.isoformat(), "--source", source]  # fmt: skip
    if source == "warehouse":
        args += ["--warehouse-id", "bench"]
    env = {**os.environ, **_provider_env(running, estate, estate.in_order(environment)[-1].id)}
    running.server.reset_counts()
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"govkit drift --source {source} exited {done.returncode}:\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")  # fmt: skip
    return Lap(f"govkit drift --source {source}", seconds, running.server.requests_by_route())


def _with_mirror(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment, with the provider mirror that scripts/install-tools writes when no
    GOVKIT_TF_CLI_CONFIG is set (as scripts/tool-env would), so that the race runs offline."""
    env = dict(environ)
    cache = Path(env.get("GOVKIT_CACHE") or Path.home() / ".cache" / "govkit")
    mirror = cache / "terraform-mirror" / "govkit.tfrc"
    if not env.get("GOVKIT_TF_CLI_CONFIG") and mirror.is_file():
        env["GOVKIT_TF_CLI_CONFIG"] = str(mirror)
    return env


def _print(laps: list[Lap], header: str) -> None:
    print(header)
    print(f"{'tool':<34}{'seconds':>9}{'requests':>10}{'x faster':>10}")
    base = laps[0].seconds
    for lap in laps:
        print(f"{lap.tool:<34}{lap.seconds:>9.1f}{lap.total:>10,}{base / lap.seconds:>10.1f}")
    print("\nrequests per route")
    routes = sorted({r for lap in laps for r in lap.requests})
    names = [lap.tool.split()[-1] if "drift" in lap.tool else "terraform" for lap in laps]
    print(f"{'route':<78}" + "".join(f"{name:>11}" for name in names))
    for route in routes:
        print(f"{route:<78}" + "".join(f"{lap.requests.get(route, 0):>11,}" for lap in laps))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govkit.bench race")
    parser.add_argument("--size", default="M", choices=sorted(SIZES))
    parser.add_argument("--env", default="prod")
    parser.add_argument("--work", default="bench-out")
    args = parser.parse_args(argv)
    binary = find_terraform()
    if binary is None:
        print("govkit.bench race: no Terraform CLI (terraform or tofu)", file=sys.stderr)
        return 1
    try:
        cli_config = cli_config_env(_with_mirror(os.environ)).get("TF_CLI_CONFIG_FILE")
    except TerraformError as exc:
        print(f"govkit.bench race: {exc}", file=sys.stderr)
        return 1
    work = Path(args.work)
    spec = work / f"estate-{args.size}"
    if not (spec / "govkit.yaml").exists():
        generate(spec, SIZES[args.size])
    race = work / f"race-{args.size}-{args.env}"
    shutil.rmtree(race, ignore_errors=True)
    race.mkdir(parents=True)
    estate = compile_estate(spec, race, MODULES, binary=binary,
                            cli_config=Path(cli_config) if cli_config else None,
                            today=dt.date.today())  # fmt: skip
    # As a real metastore usually answers: a filled first page, a statement done at once, and
    # result chunks far larger than the tests' 500 rows.
    config = ServerConfig(empty_first_page=False, statement_polls=0, chunk_rows=10_000)
    with metastore(estate, config=config) as running:
        started = time.perf_counter()
        stacks = _set_up(estate, running, args.env)
        print(f"set-up: {len(stacks)} stacks applied in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)  # fmt: skip
        laps = [_refresh(estate, running, stacks)]
        laps += [_drift(estate, running, args.env, s) for s in ("warehouse", "workspace")]
    grants = sum(estate.stack(s).grant_resources for s in stacks)
    _print(laps, f"race: {args.size} estate, {args.env}: {len(stacks)} stacks, {grants:,} grant "
                 "resources, one local server, every tool at its defaults\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Is the plan about to be applied the plan that was reviewed? Both as `terraform show -json`.

`python -m govkit.repository.plans REVIEWED.json FRESH.json [--pull-request N --reviewed-run ID
--apply-run ID]` prints each difference in words, and how to re-plan, and exits 1 when there
is one: the merge workflow stops rather than apply what nobody reviewed.
Resources that do not change are left out; so are values known only after apply, which
Terraform marks as unknown on both sides.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any


def planned(plan: Mapping[str, Any]) -> dict[str, tuple[tuple[str, ...], Any]]:
    """Address -> (actions, values after) of every resource the plan changes."""
    out = {}
    for change in plan.get("resource_changes") or ():
        actions = tuple(change["change"]["actions"])
        if actions not in (("no-op",), ("read",)):
            out[change["address"]] = (actions, change["change"].get("after"))
    return out


def differences(reviewed: Mapping[str, Any], fresh: Mapping[str, Any]) -> list[str]:
    """What the fresh plan does that the reviewed one did not, or does differently; sorted."""
    before, now = planned(reviewed), planned(fresh)
    out = []
    for address in sorted(before.keys() | now.keys()):
        if address not in before:
            out.append(f"+ {address}: {'/'.join(now[address][0])}, not in the reviewed plan")
        elif address not in now:
            out.append(f"- {address}: {'/'.join(before[address][0])} was reviewed, now not planned")
        elif before[address][0] != now[address][0]:
            was, will = "/".join(before[address][0]), "/".join(now[address][0])
            out.append(f"~ {address}: reviewed {was}, now {will}")
        elif before[address][1] != now[address][1]:
            out.append(f"~ {address}: the planned values differ from the reviewed ones")
    return out


def advice(pull_request: str | None, reviewed_run: str | None, apply_run: str | None) -> list[str]:
    """What to do when the fresh plan differs: re-plan the pull request on top of main.

    The usual cause is an earlier merge whose apply finished after this pull request was
    planned. A pull request that was up to date with main when it merged (the branch rule the
    workflows expect) holds exactly main's spec, so re-running its check plans main against the
    estate as it is now; the apply is then re-run and compares with that plan.
    """
    pr = f"pull request #{pull_request}" if pull_request else "the pull request"
    rerun_check = f"gh run rerun {reviewed_run}" if reviewed_run else "re-run all its govkit jobs"
    rerun_apply = f"gh run rerun {apply_run} --failed" if apply_run else "re-run this apply"
    return [
        f"govkit: nothing was applied. Most often an earlier merge was applied after {pr} was "
        "planned, so its plan no longer matches the estate.",
        f"govkit: re-plan {pr} on top of main: `{rerun_check}` (its plan then starts from the "
        f"estate as it is now), review the new plan, then `{rerun_apply}`.",
        "govkit: this holds when the pull request was up to date with main when it merged "
        "(branch rule: require branches to be up to date); otherwise revert it and open it again.",
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m govkit.repository.plans")
    parser.add_argument("reviewed")
    parser.add_argument("fresh")
    parser.add_argument("--pull-request", help="The pull request that was reviewed.")
    parser.add_argument("--reviewed-run", help="The id of the govkit run that planned it.")
    parser.add_argument("--apply-run", help="The id of this apply run.")
    args = parser.parse_args(argv)
    with open(args.reviewed, encoding="utf-8") as r, open(args.fresh, encoding="utf-8") as f:
        found = differences(json.load(r), json.load(f))
    for line in found:
        print(line)
    if found:
        print(f"govkit: the plan differs from the reviewed plan in {len(found)} resources")
        for line in advice(args.pull_request, args.reviewed_run, args.apply_run):
            print(line)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

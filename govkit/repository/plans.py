"""Is the plan about to be applied the plan that was reviewed? Both as `terraform show -json`.

`python -m govkit.repository.plans REVIEWED.json FRESH.json` prints each difference in words and
exits 1 when there is one: the merge workflow stops rather than apply what nobody reviewed.
Resources that do not change are left out; so are values known only after apply, which
Terraform marks as unknown on both sides.
"""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    reviewed_file, fresh_file = argv
    with open(reviewed_file, encoding="utf-8") as r, open(fresh_file, encoding="utf-8") as f:
        found = differences(json.load(r), json.load(f))
    for line in found:
        print(line)
    if found:
        print(f"govkit: the plan differs from the reviewed plan in {len(found)} resources")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

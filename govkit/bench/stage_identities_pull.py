"""Benchmark stage `identities_pull`: resolve 2,000 groups with 50,000 memberships from Graph.

A synthetic directory (20,000 people; 2,000 groups, some nested, five past Graph's page size of
999) is served by the local Graph server in a process of its own, and govkit reads every group
by object id and display name, then every member, the way `govkit identities pull` does.
Figures: HTTP requests (goal: under 200 per 1,000 groups), batch parts, the read's wall time
(goal: under 30 s) and, in `peak_mb`, this process's (the reader's) high-water mark.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from govkit.identity.document import Group, Identities, User, dumps, make_identities

# The directory does not depend on the estate's size: one run is the figure.
SIZES = ("S",)
GROUPS = 2_000
MEMBERSHIPS = 50_000
PEOPLE = 20_000
LARGE = 5  # groups of 1,500 people: they page
NESTED = 200  # parent groups that hold three other groups each


def directory() -> Identities:
    """2,000 groups and exactly 50,000 direct memberships, deterministic."""
    people = [f"person{i:05d}@bench.example" for i in range(PEOPLE)]
    members: list[list[str]] = [[] for _ in range(GROUPS)]
    for g in range(NESTED):
        members[g] = [f"group:bench-group-{NESTED + 3 * g + k:04d}" for k in range(3)]
    for g in range(NESTED, NESTED + LARGE):
        members[g] += [f"user:{people[(g * 1_500 + i) % PEOPLE]}" for i in range(1_500)]
    total = sum(len(m) for m in members)
    g, i = NESTED + LARGE, 0
    while total < MEMBERSHIPS:
        members[g].append(f"user:{people[(g * 37 + len(members[g])) % PEOPLE]}")
        total, i = total + 1, i + 1
        g = NESTED + LARGE + i % (GROUPS - NESTED - LARGE)
    groups = [
        Group(f"bench-group-{g:04d}", f"00000000-0000-4000-8000-{g:012d}", tuple(m))
        for g, m in enumerate(members)
    ]
    return make_identities("file", groups, [User(p) for p in people])


def run(spec_dir: str, work_dir: str) -> dict[str, float | int | str]:
    from govkit.identity.batching import BatchSettings
    from govkit.identity.credentials import StaticToken
    from govkit.identity.graph import Targets, pull_graph

    doc = directory()
    path = Path(work_dir) / "bench-directory.json"
    path.write_text(dumps(doc), encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "govkit.testing.graphserver", "--directory", str(path),
         "--port", "0", "--token", "bench"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[-1]
        targets = Targets(groups=tuple((g.display_name, g.id) for g in doc.groups))
        start = time.perf_counter()
        read = asyncio.run(pull_graph(StaticToken("bench"), url, targets, BatchSettings()))
        seconds = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait()
    memberships = sum(len(g.members) for g in read.identities.groups)
    return {
        "groups": len(read.identities.groups),
        "memberships": memberships,
        "people": len(read.identities.users),
        "http_requests": read.requests,
        "requests_per_1000_groups": round(read.requests * 1000 / GROUPS, 1),
        "read_seconds": round(seconds, 2),
        "complete": str(read.identities.complete),
    }

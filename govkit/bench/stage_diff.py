"""Benchmark stage `diff`: `govkit diff` between two git revisions that differ in 10 grants.

Preparation (a git repository of the estate, and a second commit that removes ten table grants
of one domain) runs once per estate and is cached in `work_dir`; `diff_seconds` is the wall
time of `govkit diff --base REV1 --head REV2 --format json`, start-up included.
"""

from __future__ import annotations

import hashlib
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CHANGED_GRANTS = 10
_GIT = ["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench"]


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run([*_GIT, *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _fingerprint(spec_dir: str) -> str:
    h = hashlib.sha256()
    for f in sorted(Path(spec_dir).rglob("*.yaml")):
        h.update(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}\n".encode())
    return h.hexdigest()


def _drop_grants(domain_file: Path, count: int) -> None:
    """Remove the first `count` table-level grants of the domain's first analysts group."""
    text = domain_file.read_text("utf-8")
    name = domain_file.stem
    block = f"        - principal: {name}-a1\n          privileges:\n          - SELECT\n"
    assert text.count(block) >= count, f"{domain_file} has fewer than {count} such grants"
    domain_file.write_text(text.replace(block, "", count), "utf-8")


def prepare(spec_dir: str, work_dir: str) -> Path:
    repo = Path(work_dir) / "diff-repo"
    stamp = Path(work_dir) / "diff-prepared"
    fingerprint = _fingerprint(spec_dir)
    if stamp.exists() and stamp.read_text("utf-8") == fingerprint:
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    shutil.copytree(spec_dir, repo / "catalogs")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "estate")
    _drop_grants(repo / "catalogs" / "domains" / "d000.yaml", CHANGED_GRANTS)
    _git(repo, "commit", "-q", "-am", f"{CHANGED_GRANTS} grants fewer")
    stamp.write_text(fingerprint, "utf-8")
    return repo


def run(spec_dir: str, work_dir: str) -> dict[str, Any]:
    repo = prepare(spec_dir, work_dir)
    args = ["diff", "catalogs", "--base", "HEAD~1", "--head", "HEAD", "--format", "json"]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "govkit", *args, "--as-of", "2026-11-26"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    if done.returncode != 2:
        raise RuntimeError(f"govkit diff exited {done.returncode}: {done.stderr.strip()[-300:]}")
    deltas = done.stdout.count('"removed": [\n')
    return {
        "diff_seconds": round(seconds, 3),
        "diff_cpu_seconds": round(cpu_seconds, 3),
        "grant_deltas_across_envs": deltas,
    }

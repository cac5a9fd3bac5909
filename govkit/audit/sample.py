"""A reproducible random sample of live grants, for tests of operating effectiveness.

The population is every direct grant of the live State (securable, principal), sorted; its
SHA-256 and the seed are recorded, so that anyone draws the same sample from the same inputs
(Python's `random.Random(seed).sample`, documented as reproducible for a given seed).
"""

from __future__ import annotations

import hashlib
import random

from govkit.audit.model import Sample, SampledGrant
from govkit.resolve import DesiredEnvironment
from govkit.state import State


def default_seed(environment: str, generated_at: str) -> int:
    """A seed nobody chose: from the report's environment and time, recorded with the sample."""
    return int(hashlib.sha256(f"{environment}@{generated_at}".encode()).hexdigest()[:8], 16)


def draw_sample(env: DesiredEnvironment, live: State, size: int, seed: int) -> Sample:
    """`size` grants drawn without replacement (all of them when there are fewer)."""
    declared = {(s.name, p): ps for s in env.state.securables for p, ps in s.grants.items()}
    population = [
        (s.name, s.type.value, principal, privileges)
        for s in live.securables
        for principal, privileges in sorted(s.grants.items())
    ]
    population.sort(key=lambda g: (g[0], g[2]))
    text = "".join(
        f"{name}\t{principal}\t{','.join(ps)}\n" for name, _, principal, ps in population
    )
    picked = random.Random(seed).sample(range(len(population)), min(size, len(population)))
    rows = []
    for i in sorted(picked):
        name, kind, principal, privileges = population[i]
        rows.append(
            SampledGrant(
                index=i,
                securable=name,
                type=kind,
                principal=principal,
                privileges=privileges,
                declared=(name, principal) in declared,
            )
        )
    return Sample(
        population="live direct grants, sorted by (securable, principal)",
        population_size=len(population),
        population_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        seed=seed,
        size=len(rows),
        grants=tuple(rows),
    )

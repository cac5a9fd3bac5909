"""Benchmarks: `python -m govkit.bench` prints wall time and peak memory of each stage.

Each stage is a module `govkit.bench.stage_<name>` with `run(spec_dir, work_dir) -> dict`: it
does the stage's work once and returns extra figures (request counts, sizes). The driver runs
every stage in its own process so that peak memory is that stage's alone.
"""

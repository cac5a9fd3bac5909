"""Volume checks: each external volume's path lies in a declared external location of its
environment and overlaps no other volume and no catalog's managed storage.

Unity Catalog's path rules ("How do paths work for data managed by Unity Catalog?", Databricks
docs, data-governance/unity-catalog/paths): tables and volumes store their files in external
locations or the metastore root; volumes cannot overlap other volumes; external volumes cannot
overlap managed storage locations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from govkit.diagnostics import Diagnostic, Path, Severity
from govkit.privileges import SecurableType
from govkit.spec import model
from govkit.spec.validated import Spec

RULE = "spec.references"

_URL = re.compile(r"^(?P<root>[A-Za-z][A-Za-z0-9+.-]*://[^/\s?#]+)(?P<path>/[^\s?#]*)?$")


def _parts(url: str) -> tuple[str, ...] | None:
    """`scheme://host` then each path segment; None for a URL that is not a storage URL (that
    is reported as GOV030 where it is written)."""
    match = _URL.match(url)
    if match is None:
        return None
    return (match["root"].lower(), *(p for p in (match["path"] or "").split("/") if p))


def _within(inner: tuple[str, ...], outer: tuple[str, ...]) -> bool:
    return inner[: len(outer)] == outer


class _Path(NamedTuple):
    """A declared storage path of one environment: whose it is, and where it is written."""

    parts: tuple[str, ...]
    what: str
    file: str
    path: Path


def _environments(spec: Spec, d: model.Domain) -> tuple[str, ...]:
    wanted = d.environments
    return tuple(e for e in spec.organisation.environments if wanted is None or e in wanted)


def _error(
    code: str, message: str, file: str, path: Path, hint: str, at_key: bool = False
) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, RULE, file, path, hint, 0, 0, at_key)


def _declared(spec: Spec) -> Iterator[tuple[str, _Path]]:
    """Every external volume path by environment, and the domains' managed storage roots."""
    for doc in spec.domains:
        d = doc.domain
        for env, url in d.storage_root.items():
            parts = _parts(url)
            if parts is not None:
                where = _Path(parts, f"the managed storage of domain {d.domain!r}", doc.file,
                              ("storage_root", env))  # fmt: skip
                yield env, where
        for s_name, schema in d.schemas.items():
            for v_name, volume in schema.volumes.items():
                for env, url in volume.storage_location.items():
                    parts = _parts(url)
                    if parts is not None:
                        path: Path = ("schemas", s_name, "volumes", v_name, "storage_location", env)
                        yield env, _Path(parts, f"volume {s_name}.{v_name}", doc.file, path)


Check = Callable[..., Iterator[Diagnostic]]


def volume_references(
    file: str, schema: model.Schema, s_path: Path, principal: Check, grants: Check, url: Check
) -> Iterator[Diagnostic]:
    """Each volume's owner, grants (privileges valid on a volume: GOV024) and paths."""
    for v_name, volume in schema.volumes.items():
        here: Path = (*s_path, "volumes", v_name)
        if volume.owner is not None:
            yield from principal(volume.owner, file, (*here, "owner"))
        yield from grants(volume.grants, SecurableType.VOLUME, file, (*here, "grants"))
        for env, location in volume.storage_location.items():
            yield from url(location, file, (*here, "storage_location", env))


def check_volumes(spec: Spec) -> Iterator[Diagnostic]:
    """GOV290 (a path in no declared external location), GOV291 (overlaps), GOV292 (an
    environment the volume's domain does not live in, or one it lives in without a path)."""
    org = spec.organisation
    locations: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for name, loc in org.external_locations.items():
        parts = _parts(loc.url)
        if parts is not None:
            locations.setdefault(loc.environment, []).append((name, parts))
    for doc in spec.domains:
        yield from _domain(spec, doc.file, doc.domain, locations)
    yield from _overlaps(spec)


def _domain(
    spec: Spec, file: str, d: model.Domain, locations: dict[str, list[tuple[str, tuple[str, ...]]]]
) -> Iterator[Diagnostic]:
    envs = _environments(spec, d)
    for s_name, schema in d.schemas.items():
        for v_name, volume in schema.volumes.items():
            here: Path = ("schemas", s_name, "volumes", v_name)
            if not volume.storage_location:
                continue
            missing = [e for e in envs if e not in volume.storage_location]
            if missing:
                yield _error(
                    "GOV292",
                    f"external volume {s_name}.{v_name} has no storage_location in "
                    f"{', '.join(missing)}",
                    file,
                    (*here, "storage_location"),
                    "give a path for every environment of the domain, or none for a managed volume",
                    at_key=True,
                )
            for env, url in volume.storage_location.items():
                path: Path = (*here, "storage_location", env)
                if env not in envs:
                    yield _error(
                        "GOV292",
                        f"domain {d.domain!r} does not live in environment {env!r}",
                        file,
                        path,
                        f"its environments: {', '.join(envs)}",
                        at_key=True,
                    )
                    continue
                parts = _parts(url)
                if parts is None:
                    continue  # GOV030 where the URL is checked
                inside = [n for n, loc in locations.get(env, ()) if _within(parts, loc)]
                if not inside:
                    declared = ", ".join(n for n, _ in locations.get(env, ())) or "none"
                    yield _error(
                        "GOV290",
                        f"{url!r} is in no external location declared for {env!r}",
                        file,
                        path,
                        f"declare one under `external_locations:` with `environment: {env}` "
                        f"whose url holds this path (declared for {env}: {declared})",
                    )


def _overlaps(spec: Spec) -> Iterator[Diagnostic]:
    """A volume path equal to, inside or above another volume's path or a managed root."""
    by_env: dict[str, list[_Path]] = {}
    for env, declared in _declared(spec):
        by_env.setdefault(env, []).append(declared)
    for env in sorted(by_env):
        paths = by_env[env]
        for i, a in enumerate(paths):
            if a.path[0] != "schemas":
                continue  # two managed roots are not this check's concern
            for j, b in enumerate(paths):
                if j == i or (b.path[0] == "schemas" and j > i):
                    continue  # a pair of volumes is reported once, at the later one
                if _within(a.parts, b.parts) or _within(b.parts, a.parts):
                    elsewhere = "" if b.file == a.file else f" ({b.file})"
                    yield _error(
                        "GOV291",
                        f"the path of volume {a.what.removeprefix('volume ')} overlaps "
                        f"{b.what} in {env!r}{elsewhere}",
                        a.file,
                        a.path,
                        "Unity Catalog refuses overlapping volumes and external volumes in "
                        "managed storage: give each volume a directory of its own",
                    )

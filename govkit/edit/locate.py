"""Find what an edit is about without loading the whole spec: the organisation and domain files.

One pass over the raw bytes with anchored regular expressions (a top-level `domain:` or
`version:` line) finds the files; only those are parsed. On a large estate this is the
difference between reading 100 MB of YAML and reading two files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from govkit.diagnostics import Diagnostic
from govkit.edit.document import EditRefused
from govkit.edit.grants import Target
from govkit.spec import model
from govkit.spec.build import closest
from govkit.spec.loader import parse_file, read_spec_file, spec_paths

_DOMAIN = re.compile(rb"""^domain:[ \t]*["']?([^\s"'#]+)["']?[ \t]*(?:#.*)?$""", re.MULTILINE)
_VERSION = re.compile(rb"^version:", re.MULTILINE)


@dataclass(frozen=True)
class SpecMap:
    """The organisation (parsed) and every domain's file, by display path."""

    spec_dir: str
    organisation: model.Organisation
    organisation_file: str
    domains: dict[str, tuple[str, Path]]  # domain -> (display path, filesystem path)

    def catalog(self, domain: str, env: str) -> str:
        return self.organisation.catalog_name.format(domain=domain, env=env)

    def environments(self) -> list[str]:
        return list(self.organisation.environments)


def map_spec(spec_dir: str) -> SpecMap:
    """The organisation file and the file of each domain, or a refusal saying what is wrong."""
    if not Path(spec_dir).is_dir():
        raise EditRefused(spec_dir, "spec folder does not exist", "pass the folder of govkit.yaml")
    organisations: list[tuple[str, bytes]] = []
    domains: dict[str, tuple[str, Path]] = {}
    for display, full in spec_paths(spec_dir):
        raw = read_spec_file(display, full)
        if isinstance(raw, Diagnostic):
            raise EditRefused(display, raw.message, raw.hint)
        found = _DOMAIN.search(raw)
        if found is not None:
            domains.setdefault(found.group(1).decode("utf-8", "replace"), (display, full))
        elif _VERSION.search(raw):
            organisations.append((display, raw))
    if len(organisations) != 1:
        raise EditRefused(
            spec_dir,
            f"expected one organisation file, found {len(organisations)}",
            "run `govkit validate` and fix what it reports first",
        )
    org_file, raw = organisations[0]
    parsed, error = parse_file(org_file, raw)
    try:
        if parsed is None:
            raise ValueError(error.text() if error else "unreadable")
        organisation = model.Organisation.model_validate(parsed.data)
    except (ValueError, ValidationError):
        raise EditRefused(
            org_file, "the organisation file is invalid", "run `govkit validate` and fix it first"
        ) from None
    return SpecMap(spec_dir, organisation, org_file, domains)


def parse_target(spec: SpecMap, on: str, env: str) -> Target:
    """`finance`, `finance.reporting`, `finance_prod.reporting.revenue` as a Target in `env`.

    A catalog name must be the catalog of `env`, so that a request cannot say two things.
    """
    if env not in spec.organisation.environments:
        raise EditRefused(
            spec.organisation_file,
            f"unknown environment {env!r}",
            closest(env, spec.environments()) or f"known: {', '.join(spec.environments())}",
        )
    parts = on.split(".")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise EditRefused(on, "not a securable", "write CATALOG_OR_DOMAIN[.SCHEMA[.TABLE]]")
    head = parts[0]
    domain = head if head in spec.domains else _domain_of_catalog(spec, head, env)
    if domain is None:
        names = sorted(spec.domains)
        raise EditRefused(
            on,
            f"no domain or catalog named {head!r}",
            closest(head, names + [spec.catalog(d, env) for d in names])
            or f"known domains: {', '.join(names)}",
        )
    return Target(domain, *parts[1:])


def _domain_of_catalog(spec: SpecMap, catalog: str, env: str) -> str | None:
    for domain in spec.domains:
        for candidate_env in spec.environments():
            if spec.catalog(domain, candidate_env) == catalog:
                if candidate_env != env:
                    raise EditRefused(
                        catalog,
                        f"catalog {catalog} is in environment {candidate_env}, not {env}",
                        f"use --env {candidate_env}, or name the domain ({domain})",
                    )
                return domain
    return None

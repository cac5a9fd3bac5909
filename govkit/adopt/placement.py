"""Which domain each catalog belongs to, by the organisation's catalog naming template.

`finance_prod` in environment prod under `{domain}_{env}` is domain `finance`; a catalog that
fits no template becomes a domain of its own, named like the catalog, which keeps its name
with `catalog:`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Templates tried for a new spec, the most common first; the one that fits most catalogs wins.
TEMPLATES = ("{domain}_{env}", "{env}_{domain}", "{domain}-{env}", "{env}-{domain}")
_IDENTIFIER = re.compile(r"[^.\s/\x00-\x1f\x7f`]+\Z")
RESERVED = frozenset({"_shared"})


@dataclass(frozen=True)
class Placement:
    """A catalog's domain; `own_name` when the catalog keeps its name outside the template."""

    catalog: str
    domain: str
    own_name: bool


def _pattern(template: str, env: str) -> re.Pattern[str]:
    parts = re.split(r"(\{domain\}|\{env\})", template)
    regex = "".join(
        "(?P<domain>.+)" if p == "{domain}" else re.escape(env) if p == "{env}" else re.escape(p)
        for p in parts
    )
    return re.compile(regex + r"\Z", re.DOTALL)


def domain_of(catalog: str, template: str, env: str) -> str | None:
    """The domain whose catalog in `env` is `catalog`, or None when it does not fit."""
    found = _pattern(template, env).match(catalog)
    if found is None:
        return None
    domain = found.group("domain")
    if not _IDENTIFIER.match(domain) or domain in RESERVED:
        return None
    return domain if template.format(domain=domain, env=env) == catalog else None


def choose_template(catalogs: Iterable[str], env: str) -> str:
    """The template of TEMPLATES that fits most of the catalogs (ties: the first)."""
    names = list(catalogs)
    fits = [sum(domain_of(c, t, env) is not None for c in names) for t in TEMPLATES]
    return TEMPLATES[fits.index(max(fits))]


def place(
    catalogs: Iterable[str],
    template: str,
    env: str,
    reserved: Iterable[str] = (),
    closed: Iterable[str] = (),
) -> list[Placement]:
    """Every catalog placed in a domain, in catalog order.

    A catalog that fits the template goes to its domain unless that domain is `closed` (an
    existing domain whose catalog keeps its own name); the others become domains named like
    the catalog, avoiding `reserved` names (existing domains) and each other, case folded.
    """
    shut = {c.lower() for c in closed}
    fitted: dict[str, str] = {}
    for catalog in sorted(catalogs):
        domain = domain_of(catalog, template, env)
        if domain is not None and domain.lower() not in shut:
            fitted[catalog] = domain
    used = {r.lower() for r in reserved} | {d.lower() for d in fitted.values()}
    out = [Placement(c, d, False) for c, d in fitted.items()]
    for catalog in sorted(catalogs):
        if catalog in fitted:
            continue
        domain = catalog if catalog not in RESERVED else f"{catalog}_catalog"
        n = 1
        while domain.lower() in used:
            n += 1
            domain = f"{catalog}_{n}"
        used.add(domain.lower())
        out.append(Placement(catalog, domain, True))
    return sorted(out, key=lambda p: p.catalog)

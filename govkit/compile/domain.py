"""Domain stacks: one catalog of one environment, split by grant count when it is large."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from govkit.compile.model import GrantEntry, GrantSet, Stack
from govkit.compile.root import module_source, root_document
from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment, DesiredSecurable
from govkit.spec.build import Spec
from govkit.state import Securable

DEPTH = 2  # stacks sit at <out>/<environment>/<domain>


@dataclass(frozen=True)
class DomainInput:
    """What one domain contributes to one environment, as resolved."""

    domain: str
    file: str
    catalog: DesiredSecurable
    schemas: tuple[DesiredSecurable, ...]
    volumes: tuple[DesiredSecurable, ...]
    # The domain's securables as the desired State has them: grants merged per principal.
    state: tuple[Securable, ...]


def domain_inputs(env: DesiredEnvironment) -> list[DomainInput]:
    """The environment's securables grouped by domain, in domain order."""
    securables: dict[str, list[DesiredSecurable]] = defaultdict(list)
    for s in env.securables:
        securables[s.domain].append(s)
    in_state = env.state.index()
    out = []
    for domain in sorted(securables):
        items = securables[domain]
        catalog = next(s for s in items if s.type is SecurableType.CATALOG)
        schemas = sorted((s for s in items if s.type is SecurableType.SCHEMA), key=lambda s: s.name)
        volumes = sorted((s for s in items if s.type is SecurableType.VOLUME), key=lambda s: s.name)
        state = tuple(in_state[(s.type.value, s.name)] for s in items)
        inputs = (catalog, tuple(schemas), tuple(volumes), state)
        out.append(DomainInput(domain, catalog.origin.file, *inputs))
    return out


def grant_entries(securables: Iterable[Securable]) -> tuple[GrantEntry, ...]:
    """One entry per (securable, principal), from the desired State, which merged them."""
    entries = (
        GrantEntry(s.type.value, s.name, principal, privileges)
        for s in securables
        for principal, privileges in s.grants.items()
    )
    return tuple(sorted(entries, key=_key))


def _key(entry: GrantEntry) -> tuple[str, str, str]:
    return entry.key


def _schema_of(entry: GrantEntry) -> str:
    """The schema part of a securable's name; empty for the catalog, so it sorts first."""
    parts = entry.securable_name.split(".")
    return parts[1] if len(parts) > 1 else ""


def split_grants(grant_set: GrantSet, limit: int) -> list[GrantSet]:
    """Consecutive groups of at most `limit` grant resources, one securable never split.

    Securables are taken catalog first, then schema by schema with its tables, so a schema's
    grants sit in one part or in consecutive ones. A part is never empty; a single securable
    with more principals than `limit` (additive) stays whole.
    """
    by_securable: dict[tuple[str, str], list[GrantEntry]] = defaultdict(list)
    for e in grant_set.entries:
        by_securable[e.securable].append(e)
    order = sorted(by_securable, key=lambda s: (_schema_of(by_securable[s][0]), s[1]))
    parts: list[list[GrantEntry]] = [[]]
    used = 0
    for securable in order:
        entries = by_securable[securable]
        cost = 1 if grant_set.authority == "authoritative" else len(entries)
        if used + cost > limit and parts[-1]:
            parts.append([])
            used = 0
        parts[-1].extend(entries)
        used += cost
    return [GrantSet(grant_set.authority, tuple(sorted(p, key=_key))) for p in parts]


def _relative(spec: Spec, file: str) -> str:
    root = spec.root.rstrip("/") + "/"
    return file[len(root) :] if file.startswith(root) else file


def _depends_on(spec: Spec, d: DomainInput) -> tuple[str, ...]:
    return tuple(sorted({_relative(spec, f) for f in (*spec.shared_files, d.file)}))


def _needs(creators: Mapping[str, str], named: Iterable[str], *also: str) -> tuple[str, ...]:
    """The stacks that create the principals named here, and any stack given in `also`."""
    return tuple(sorted({*(creators[p] for p in named if p in creators), *also}))


def domain_stacks(
    spec: Spec,
    env: DesiredEnvironment,
    d: DomainInput,
    modules_dir: str,
    creators: Mapping[str, str] | None = None,
) -> list[Stack]:
    """The domain's primary stack (catalog, bindings, schemas, first grants) and any parts.

    `creators` maps the Unity Catalog name of each service principal govkit creates to the
    stack that creates it: a stack that names one as owner or grantee needs that stack first.
    """
    creators = creators or {}
    settings = spec.organisation.terraform
    full = GrantSet(d.catalog.authority, grant_entries(d.state))
    parts = split_grants(full, settings.max_grant_resources)
    base_id = f"{env.name}/{d.domain}"
    depends_on = _depends_on(spec, d)
    note = _relative(spec, d.file)
    workspace_ids = list(d.catalog.workspace_ids or ())
    catalog_call = {
        "source": module_source(modules_dir, DEPTH, "uc-domain"),
        "catalog_name": d.catalog.name,
        "owner": spec.uc_name(d.catalog.owner),
        "comment": d.catalog.comment,
        "workspace_ids": workspace_ids,
        "schemas": [
            {"name": s.name.split(".", 1)[1], "owner": spec.uc_name(s.owner), "comment": s.comment}
            for s in d.schemas
        ],
        "authority": full.authority,
        "grants": [e.as_json() for e in parts[0].entries],
    }
    if d.catalog.storage.storage_root is not None:
        catalog_call["storage_root"] = d.catalog.storage.storage_root
    if d.volumes:  # only when declared, so a spec without volumes compiles as before
        catalog_call["volumes"] = [_volume(spec, v) for v in d.volumes]
    owners = [d.catalog.owner, *(s.owner for s in (*d.schemas, *d.volumes))]
    named = [*(spec.uc_name(o) for o in owners), *(e.principal for e in parts[0].entries)]
    stacks = [
        Stack(
            id=base_id,
            environment=env.name,
            domain=d.domain,
            kind="domain",
            depends_on=depends_on,
            needs=_needs(creators, named),
            document=root_document(settings, base_id, DEPTH, note, {"domain": catalog_call}),
            resources=1
            + len(workspace_ids)
            + len(d.schemas)
            + len(d.volumes)
            + len(parts[0].resources()),
            grants=parts[0],
            creates=(
                ("catalog", d.catalog.name),
                *(("schema", s.name) for s in d.schemas),
                *(("volume", v.name) for v in d.volumes),
            ),
        )
    ]
    for number, part in enumerate(parts[1:], start=2):
        # A period cannot occur in a domain name, so a part's folder never meets a domain's.
        part_id = f"{base_id}.{number}"
        call = {
            "source": module_source(modules_dir, DEPTH, "uc-grants"),
            "authority": part.authority,
            "grants": [e.as_json() for e in part.entries],
        }
        part_note = f"{note}, part {number}"
        document = root_document(settings, part_id, DEPTH, part_note, {"grants": call})
        stacks.append(
            Stack(
                id=part_id,
                environment=env.name,
                domain=d.domain,
                kind="grants",
                depends_on=depends_on,
                needs=_needs(creators, (e.principal for e in part.entries), base_id),
                document=document,
                resources=len(part.resources()),
                grants=part,
            )
        )
    return stacks


def _volume(spec: Spec, v: DesiredSecurable) -> dict[str, str | None]:
    """One entry of the uc-domain module's `volumes`: names short, the path for an external one."""
    _, schema, name = v.name.split(".")
    out: dict[str, str | None] = {"schema": schema, "name": name}
    out |= {"owner": spec.uc_name(v.owner), "comment": v.comment}
    if v.storage.url is not None:
        out["storage_location"] = v.storage.url
    return out

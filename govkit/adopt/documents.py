"""A live State as spec documents: the organisation, principal and domain files, as values.

Each value carries comments saying where it came from. What the spec cannot hold is reported
(see `report`), never silently dropped; grants the spec cannot hold are left unmanaged, which
makes their domain additive, so that the first apply revokes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from govkit.adopt.estate import Catalog, Estate, most_common_owner
from govkit.adopt.grants import Collapsed, Levels, collapse
from govkit.adopt.placement import Placement
from govkit.adopt.principals import DECLARED, SECTIONS, Principal
from govkit.adopt.report import reported
from govkit.diagnostics import Diagnostic, Path
from govkit.resolve import ANCHOR
from govkit.state import Securable

ORGANISATION_FILE = "govkit.yaml"
PRINCIPALS_FILE = "principals.yaml"


def anchor_notes(securables: Iterable[Securable]) -> Iterator[Diagnostic]:
    """What the first apply adds to the securables of an authoritative domain that hold no grant:
    the anchor grant to the owner that keeps them under a `databricks_grants` (govkit.resolve)."""
    for s in securables:
        if not s.grants and s.type in ANCHOR:
            yield reported(
                "GOV713",
                s.name,
                f"{s.type.value} {s.name} holds no grant: the first apply grants its owner "
                f"{ANCHOR[s.type]}, the anchor that lets the next apply revoke grants made there "
                "by hand",
                "nothing to do: the owner holds every privilege there already; a declared grant "
                "replaces the anchor",
            )


@dataclass(frozen=True)
class Options:
    """What an import needs besides the State: the environment and how to describe the source."""

    env: str
    today: dt.date
    source: str  # words for comments, e.g. "the workspace snapshot of prod taken at ..."
    template: str | None = None
    workspaces: tuple[int, ...] = ()
    waiver_days: int = 90
    incomplete: bool = False
    root: str = "."  # the spec folder, as diagnostics name its files
    comments: Mapping[str, str] = field(default_factory=dict)  # securable -> its comment

    @property
    def waiver_expiry(self) -> dt.date:
        return self.today + dt.timedelta(days=self.waiver_days)


@dataclass
class Draft:
    """Spec files as documents (relative path -> value) with their comments, before writing."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, dict[Path, list[str]]] = field(default_factory=lambda: defaultdict(dict))
    diagnostics: list[Diagnostic] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # Unity Catalog names the documents name

    def comment(self, file: str, path: Path, *lines: str) -> None:
        self.comments[file].setdefault(path, []).extend(lines)


def domain_file(domain: str, taken: set[str]) -> str:
    """`domains/<name>.yaml`, with characters a file name should not hold replaced."""
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", domain).lstrip(".") or "domain"
    name, n = stem, 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name.lower())
    return f"domains/{name}.yaml"


def _names(uc_names: list[str]) -> str:
    return ", ".join(uc_names[:3]) + (f" and {len(uc_names) - 3} more" if len(uc_names) > 3 else "")


class DomainBuilder:
    """One catalog of one environment as a domain document."""

    def __init__(
        self,
        draft: Draft,
        principals: Mapping[str, Principal],
        levels: Levels,
        deployer: str | None,
        options: Options,
    ) -> None:
        self.draft = draft
        self.principals = principals
        self.levels = levels
        self.deployer = deployer  # Unity Catalog name of the protected environment's deployer
        self.options = options

    def key(self, uc_name: str) -> str:
        self.draft.used.add(uc_name)
        return self.principals[uc_name].key

    def grants(self, file: str, s: Securable, into: dict[str, Any], path: Path) -> bool:
        """Put the securable's grants into `into`; False when some were left unmanaged."""
        found: Collapsed = collapse(s.type, s.grants, self.principals, self.levels)
        unmanaged = {u.principal for u in found.unmanaged}
        self.draft.used.update(p for p in s.grants if p not in unmanaged)
        if found.entries:
            into["grants"] = found.entries
        for raw, written in sorted(set(found.respelled)):
            self.draft.diagnostics.append(
                reported(
                    "GOV707",
                    s.name,
                    f"privilege {raw!r} on {s.name} is written {written}",
                    "Unity Catalog compares privileges case- and space-insensitively: "
                    "nothing changes",
                )
            )
        for u in found.unmanaged:
            self.draft.diagnostics.append(
                reported(
                    "GOV702",
                    s.name,
                    f"grants of {u.principal} on {s.name} ({', '.join(u.privileges)}) are left "
                    f"unmanaged: {u.why}",
                    "the domain is additive, so they stay as they are; regrant them with "
                    "privileges of today and declare them",
                )
            )
            self.draft.comment(
                file, (*path, "grants") if found.entries else path,
                f"left unmanaged: {u.principal} holds {', '.join(u.privileges)} ({u.why})",
            )  # fmt: skip
        return not found.unmanaged

    def owner(self, s: Securable, inherited: str | None, file: str, path: Path) -> str | None:
        """The owner's spec key to write, or None to inherit; reports an unknown owner."""
        if self.deployer is not None or s.owner == inherited:
            return None
        if s.owner is None:
            self.draft.diagnostics.append(
                reported(
                    "GOV705",
                    s.name,
                    f"{s.type.value} {s.name} has no owner in the snapshot; it inherits "
                    f"{inherited} in the spec",
                    "the first apply sets that owner; name the right one with `owner:`",
                )
            )
            return None
        return self.key(s.owner)

    def build(self, placement: Placement, catalog: Catalog, file: str) -> None:
        s = catalog.securable
        env = self.options.env
        doc: dict[str, Any] = {"domain": placement.domain}
        if placement.own_name:
            doc["catalog"] = catalog.name
            self.draft.comment(
                file, ("catalog",), "the catalog's name does not fit catalog_name: kept as it is"
            )
        uc_owner = self.deployer or s.owner or most_common_owner(catalog)
        doc["owner"] = self.key(uc_owner) if uc_owner else "unknown"
        if catalog.name in self.options.comments:
            doc["comment"] = self.options.comments[catalog.name]
        doc["environments"] = [env]
        doc["authority"] = "authoritative"
        complete = self.grants(file, s, doc, ())
        schemas: dict[str, Any] = {}
        for short, schema in catalog.schemas.items():
            schemas[short] = self.schema(catalog, short, schema, uc_owner, file)
            complete = schemas[short].pop("_complete") and complete
        if schemas:
            doc["schemas"] = schemas
        if catalog.unread or not complete:
            doc["authority"] = "additive"
        else:
            self.draft.diagnostics.extend(anchor_notes(catalog.securables()))
        self.comments(placement, catalog, file, complete)
        self.draft.files[file] = doc

    def schema(
        self, catalog: Catalog, short: str, s: Securable, inherited: str | None, file: str
    ) -> dict[str, Any]:
        path: Path = ("schemas", short)
        out: dict[str, Any] = {}
        owner = self.owner(s, inherited, file, path)
        if owner is not None:
            out["owner"] = owner
        if s.name in self.options.comments:
            out["comment"] = self.options.comments[s.name]
        complete = self.grants(file, s, out, path)
        schema_owner = s.owner if owner is not None else inherited
        tables: dict[str, Any] = {}
        for t_short, table in catalog.tables.get(short, {}).items():
            t_path: Path = (*path, "tables", t_short)
            t_out: dict[str, Any] = {}
            t_owner = self.owner(table, schema_owner, file, t_path)
            if t_owner is not None:
                t_out["owner"] = t_owner
            complete = self.grants(file, table, t_out, t_path) and complete
            tables[t_short] = t_out
        if tables:
            out["tables"] = tables
        out["_complete"] = complete
        return out

    def comments(self, placement: Placement, catalog: Catalog, file: str, complete: bool) -> None:
        s = catalog.securable
        workspaces = ", ".join(str(w) for w in s.workspace_ids or ()) or "none"
        self.draft.comment(
            file,
            (),
            f"Imported by govkit import from {self.options.source}.",
            f"Catalog {s.name}: owner {s.owner}, {s.isolation_mode or 'isolation unknown'}, "
            f"bound to workspaces {workspaces}.",
        )
        if self.deployer is not None:
            self.draft.comment(
                file,
                ("owner",),
                f"every securable of {self.options.env} is owned by the deployer: name the "
                "accountable owner group here",
            )
        else:
            self.draft.comment(file, ("owner",), f"the owner of {s.name} in Unity Catalog")
        if catalog.unread:
            reason = f"the snapshot could not read {_names(catalog.unread)}"
        elif not complete:
            reason = "some grants could not be declared (see the comments below)"
        else:
            reason = ""
        self.draft.comment(
            file,
            ("authority",),
            f"additive: {reason}" if reason else "authoritative: the import saw every grant",
        )
        if catalog.unread:
            self.draft.diagnostics.append(
                reported(
                    "GOV704",
                    s.name,
                    f"domain {placement.domain} is imported as additive: {reason}",
                    "import again from a complete snapshot to make it authoritative",
                )
            )


def principals_document(
    draft: Draft, principals: Mapping[str, Principal], options: Options
) -> None:
    """The principal file: every principal the other documents name, with how it was classified."""
    doc: dict[str, dict[str, Any]] = {}
    for uc_name in sorted(draft.used & set(principals)):
        p = principals[uc_name]
        if p.how == DECLARED:
            continue
        section: str = SECTIONS[p.kind]
        value: dict[str, Any] = {}
        if p.kind == "service_principal":
            value = {"application_id": uc_name, "environments": [options.env]}
        doc.setdefault(section, {})[p.key] = value
        draft.comment(PRINCIPALS_FILE, (section, p.key), f"{p.kind.replace('_', ' ')}: {p.how}")
    ordered: dict[str, Any] = {
        s: doc[s] for s in ("groups", "service_principals", "users") if s in doc
    }
    if ordered:
        draft.files[PRINCIPALS_FILE] = ordered
        draft.comment(
            PRINCIPALS_FILE,
            (),
            f"Imported by govkit import from {options.source}:",
            "every principal named in an owner or a grant there.",
        )


def find_deployer(estate: Estate, principals: Mapping[str, Principal]) -> Principal | None:
    """The service principal that owns every securable: the environment is protected."""
    sole = estate.sole_owner()
    found = principals.get(sole) if sole is not None else None
    return found if found is not None and found.kind == "service_principal" else None


def organisation_document(
    draft: Draft,
    estate: Estate,
    template: str,
    deployer: Principal | None,
    options: Options,
) -> None:
    env = options.env
    workspaces = list(options.workspaces or estate.workspaces())
    config: dict[str, Any] = {"workspaces": workspaces}
    if deployer is not None:
        config["protected"] = True
        config["deployer"] = deployer.key
    draft.files[ORGANISATION_FILE] = {
        "version": 1,
        "catalog_name": template,
        "environments": {env: config},
    }
    draft.comment(ORGANISATION_FILE, (), f"Imported by govkit import from {options.source}.")
    draft.comment(
        ORGANISATION_FILE,
        ("catalog_name",),
        "the naming template that fits most catalogs; the others keep their name with `catalog:`",
    )
    where = "given on the command line" if options.workspaces else "the catalogs are bound to"
    draft.comment(ORGANISATION_FILE, ("environments", env, "workspaces"), f"the workspaces {where}")
    if deployer is not None:
        draft.comment(
            ORGANISATION_FILE,
            ("environments", env, "protected"),
            f"every securable is owned by service principal {deployer.uc_name}: the deployer",
        )
    _check_isolation(draft, estate, tuple(workspaces))


def _check_isolation(draft: Draft, estate: Estate, workspaces: tuple[int, ...]) -> None:
    for catalog in estate.catalogs.values():
        s = catalog.securable
        bound = tuple(s.workspace_ids or ())
        if s.isolation_mode == "ISOLATED" and bound == workspaces:
            continue
        what = "is OPEN" if s.isolation_mode != "ISOLATED" else f"is bound to {list(bound)}"
        draft.diagnostics.append(
            reported(
                "GOV703",
                s.name,
                f"catalog {s.name} {what}; the spec makes every catalog ISOLATED and bound to "
                f"the environment's workspaces {list(workspaces)}",
                "the first apply changes its isolation or bindings (never removes a binding)",
            )
        )

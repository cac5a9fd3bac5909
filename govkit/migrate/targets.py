"""Where each Hive database goes: the mapping checked against the assessment and the
organisation. Every database is mapped or skipped; a name that several workspaces share is a
conflict until each of them is; two databases of one environment cannot become one schema."""

from __future__ import annotations

from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from typing import Any

from govkit.diagnostics import Diagnostic, Path
from govkit.migrate.document import HiveAssessment
from govkit.migrate.mapping import Mapping, diagnostic, workspaces_of


@dataclass(frozen=True, slots=True)
class Target:
    domain: str
    schema: str
    entry: Path  # the mapping entry, for diagnostics


@dataclass
class Targets:
    # workspace -> environment
    environment: dict[int, str] = field(default_factory=dict)
    # (workspace, database) -> target
    of: dict[tuple[int, str], Target] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def environments_of(organisation: AbcMapping[str, Any]) -> dict[int, str]:
    envs = organisation.get("environments") or {}
    return {int(w): env for env, body in envs.items() for w in (body or {}).get("workspaces", ())}


def catalog_name(organisation: AbcMapping[str, Any], domain: str, env: str) -> str:
    """The Unity Catalog name of a new domain's catalog in `env` (the organisation's rule)."""
    template = str(organisation.get("catalog_name") or "{domain}_{env}")
    return template.format(domain=domain, env=env)


def _mapped(
    mapping: Mapping, file: str, present: set[tuple[int, str]], out: Targets
) -> set[tuple[int, str]]:
    """Fill `out.of` from the mapping's `databases` and return the skipped pairs."""
    chosen: dict[tuple[int, str], Path] = {}
    entries: list[tuple[Path, int, str]] = []
    for i, entry in enumerate(mapping.databases):
        entries += [(("databases", i), w, entry.database) for w in workspaces_of(entry.workspace)]
        if entry.domain not in mapping.domains:
            out.diagnostics.append(diagnostic(
                "GOV807", f"domain {entry.domain!r} has no owner under `domains`", file,
                ("databases", i, "domain"), f"add `{entry.domain}: {{owner: GROUP}}` to domains",
            ))  # fmt: skip
    for i, skip in enumerate(mapping.skip):
        entries += [(("skip", i), w, skip.database) for w in workspaces_of(skip.workspace)]
    skipped: set[tuple[int, str]] = set()
    for path, workspace, database in entries:
        key = (workspace, database)
        if key not in present:
            out.diagnostics.append(diagnostic(
                "GOV807", f"workspace {workspace} has no Hive database {database!r}", file,
                (*path, "database"), "map only databases the assessment lists",
            ))  # fmt: skip
        elif key in chosen:
            out.diagnostics.append(diagnostic(
                "GOV807", f"workspace {workspace} database {database!r} is mapped twice",
                file, path, f"the first is at {'.'.join(map(str, chosen[key]))}",
            ))  # fmt: skip
        else:
            chosen[key] = path
            if path[0] == "skip":
                skipped.add(key)
            else:
                entry = mapping.databases[int(path[1])]
                out.of[key] = Target(entry.domain, entry.schema, path)
    return skipped


def _unmapped(doc: HiveAssessment, file: str, skipped: set[tuple[int, str]], out: Targets) -> None:
    holders: dict[str, list[int]] = {}
    for w in doc.workspaces:
        for d in w.databases:
            holders.setdefault(d.name, []).append(w.workspace_id)
    for name, workspaces in sorted(holders.items()):
        left = [w for w in workspaces if (w, name) not in out.of and (w, name) not in skipped]
        for ws in left:
            if len(workspaces) > 1:
                out.diagnostics.append(diagnostic(
                    "GOV802",
                    f"workspace {ws}: Hive database {name!r} is also in workspaces "
                    f"{', '.join(str(o) for o in workspaces if o != ws)}; it is a conflict "
                    "until each is mapped",
                    file, (), "map or skip it for this workspace in the mapping file",
                ))  # fmt: skip
            else:
                out.diagnostics.append(diagnostic(
                    "GOV803", f"workspace {ws}: Hive database {name!r} is neither mapped nor "
                    "skipped", file, (), "map or skip it in the mapping file",
                ))  # fmt: skip


def _one_schema_each(mapping_file: str, out: Targets) -> None:
    seen: dict[tuple[str, str, str], tuple[int, str]] = {}
    for (workspace, database), t in sorted(out.of.items()):
        env = out.environment.get(workspace, "")
        key = (env, t.domain, t.schema)
        if key in seen:
            first = seen[key]
            out.diagnostics.append(diagnostic(
                "GOV804",
                f"workspace {workspace} database {database!r} and workspace {first[0]} "
                f"database {first[1]!r} are both mapped to schema {t.domain}.{t.schema} in "
                f"environment {env}",
                mapping_file, (*t.entry, "schema"), "map each database to a schema of its own",
            ))  # fmt: skip
        else:
            seen[key] = (workspace, database)


def targets(
    doc: HiveAssessment,
    assessment_file: str,
    mapping: Mapping,
    mapping_file: str,
    organisation: AbcMapping[str, Any],
) -> Targets:
    out = Targets(environment=environments_of(organisation))
    for w in doc.workspaces:
        if w.workspace_id not in out.environment:
            out.diagnostics.append(diagnostic(
                "GOV807", f"workspace {w.workspace_id} is in no environment of the organisation",
                assessment_file, (), "list it under an environment's workspaces in govkit.yaml",
            ))  # fmt: skip
    present = {(w.workspace_id, d.name) for w in doc.workspaces for d in w.databases}
    skipped = _mapped(mapping, mapping_file, present, out)
    _unmapped(doc, assessment_file, skipped, out)
    _one_schema_each(mapping_file, out)
    return out

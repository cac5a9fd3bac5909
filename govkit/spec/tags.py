"""Tag checks over the whole spec: every assigned key is governed, every value allowed.

The organisation file declares the governed tags (`tags:`); domain files assign them on their
catalog, schemas, tables and columns. Unity Catalog refuses a governed tag's value outside its
allowed values, so an assignment it would refuse is refused here, at its line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace

from govkit.diagnostics import Diagnostic, Path, Severity
from govkit.diagnostics.hints import closest
from govkit.spec import model
from govkit.spec.validated import Spec

RULE = "spec.tags"

# (name, file, path) -> diagnostics for a principal that is not declared.
PrincipalCheck = Callable[[str, str, Path], Iterator[Diagnostic]]


def tagged(d: model.Domain) -> Iterator[tuple[Path, Mapping[str, str | model.TagInEnvironments]]]:
    """Every tag mapping of a domain file with its document path, in file order."""
    yield ("tags",), d.tags
    for s_name, schema in d.schemas.items():
        s_path: Path = ("schemas", s_name)
        yield (*s_path, "tags"), schema.tags
        for t_name, table in schema.tables.items():
            t_path: Path = (*s_path, "tables", t_name)
            yield (*t_path, "tags"), table.tags
            for c_name, column in table.columns.items():
                yield (*t_path, "columns", c_name, "tags"), column.tags


def attached(d: model.Domain) -> Iterator[tuple[Path, str, model.AbacPolicy]]:
    """Every ABAC policy of a domain file with the path of its securable, in file order."""
    holders: list[tuple[Path, Mapping[str, model.AbacPolicy]]] = [((), d.policies)]
    for s_name, schema in d.schemas.items():
        holders.append((("schemas", s_name), schema.policies))
        for t_name, table in schema.tables.items():
            holders.append((("schemas", s_name, "tables", t_name), table.policies))
    for path, policies in holders:
        for name, policy in policies.items():
            yield path, name, policy


def tag_value(value: str | model.TagInEnvironments, env: str) -> str | None:
    """The tag's value in `env`, or None when it is not assigned there."""
    if isinstance(value, str):
        return value
    return value.value if env in value.environments else None


def check_tags(spec: Spec, principal: PrincipalCheck) -> Iterator[Diagnostic]:
    """Governed tags name declared assigners; assignments use governed keys and values."""
    org, org_file = spec.organisation, spec.organisation_file
    for key, governed in org.tags.items():
        for i, name in enumerate(governed.assigners):
            yield from principal(name, org_file, ("tags", key, "assigners", i))
    for doc in spec.domains:
        for path, tags in tagged(doc.domain):
            for key, value in tags.items():
                yield from _assignment(spec, doc.file, (*path, key), key, value)
        for path, name, policy in attached(doc.domain):
            yield from _policy(spec, principal, doc.file, (*path, "policies", name), policy)


# Unity Catalog's group of every account user: declared or not, a policy may name it.
_EVERYONE = "account users"


def _policy(
    spec: Spec, principal: PrincipalCheck, file: str, path: Path, policy: model.AbacPolicy
) -> Iterator[Diagnostic]:
    match = policy.match
    value: str | model.TagInEnvironments = match.value if match.value is not None else ""
    for d in _assignment(spec, file, (*path, "match", "tag"), match.tag, value):
        if d.code != "GOV051":
            yield d
        elif match.value is not None:  # no value matches any value
            yield replace(d, path=(*path, "match", "value"))
    for i, name in enumerate(policy.to_principals):
        if name != _EVERYONE:
            yield from principal(name, file, (*path, "to_principals", i))
    for i, name in enumerate(policy.except_principals):
        here: Path = (*path, "except_principals", i)
        declared = spec.principals.get(name)
        if declared is None:
            yield from principal(name, file, here)
        elif declared.kind != "group":
            yield Diagnostic(
                "GOV052",
                Severity.ERROR,
                f"policy exception {name!r} is a {declared.kind.replace('_', ' ')}, not a group",
                RULE,
                file,
                here,
                "except a group that the person or service principal is a member of",
            )
    yield from _environments(spec, policy.environments or (), file, (*path, "environments"))


def _assignment(
    spec: Spec, file: str, path: Path, key: str, value: str | model.TagInEnvironments
) -> Iterator[Diagnostic]:
    governed = spec.organisation.tags.get(key)
    if governed is None:
        known = sorted(spec.organisation.tags)
        yield Diagnostic(
            "GOV050",
            Severity.ERROR,
            f"tag {key!r} is not a governed tag",
            RULE,
            file,
            path,
            closest(key, known)
            or f"declare it under `tags:` in {spec.organisation_file}: `{key}: {{}}`",
            at_key=True,
        )
        return
    text = value if isinstance(value, str) else value.value
    at: Path = path if isinstance(value, str) else (*path, "value")
    if governed.values and text not in governed.values:
        shown = text or "no value"
        yield Diagnostic(
            "GOV051",
            Severity.ERROR,
            f"tag {key!r} does not allow {shown!r}",
            RULE,
            file,
            at,
            closest(text, list(governed.values))
            or f"allowed values of {key}: {', '.join(governed.values)}",
        )
    if not isinstance(value, str):
        yield from _environments(spec, value.environments, file, (*path, "environments"))


def _environments(
    spec: Spec, names: tuple[str, ...], file: str, path: Path
) -> Iterator[Diagnostic]:
    envs = list(spec.organisation.environments)
    for i, env in enumerate(names):
        if env not in spec.organisation.environments:
            yield Diagnostic(
                "GOV021",
                Severity.ERROR,
                f"unknown environment {env!r}",
                RULE,
                file,
                (*path, i),
                closest(env, envs) or f"known environments: {', '.join(envs)}",
            )

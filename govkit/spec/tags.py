"""Tag checks over the whole spec: every assigned key is governed, every value allowed.

The organisation file declares the governed tags (`tags:`); domain files assign them on their
catalog, schemas, tables and columns. Unity Catalog refuses a governed tag's value outside its
allowed values, so an assignment it would refuse is refused here, at its line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

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
        envs = list(spec.organisation.environments)
        for i, env in enumerate(value.environments):
            if env not in spec.organisation.environments:
                yield Diagnostic(
                    "GOV021",
                    Severity.ERROR,
                    f"unknown environment {env!r}",
                    RULE,
                    file,
                    (*path, "environments", i),
                    closest(env, envs) or f"known environments: {', '.join(envs)}",
                )

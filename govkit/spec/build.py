"""Turn parsed spec files into a `Spec`: shape errors as coded diagnostics, then references."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from govkit.diagnostics import Diagnostic, Path, Severity
from govkit.diagnostics.hints import closest as closest
from govkit.spec import model
from govkit.spec.loader import FileKind, Loaded, SourceIndex, load_files
from govkit.spec.prune import Pruned, in_file_terms, pruned_domain
from govkit.spec.validated import Declared as Declared
from govkit.spec.validated import DomainDoc as DomainDoc
from govkit.spec.validated import PrincipalKind as PrincipalKind
from govkit.spec.validated import Spec as Spec

_MODELS: dict[FileKind, type[BaseModel]] = {
    FileKind.ORGANISATION: model.Organisation,
    FileKind.PRINCIPALS: model.Principals,
    FileKind.DOMAIN: model.Domain,
}

_DATE_ERRORS = {
    "date_parsing",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "date_type",
    "date_future",
    "date_past",
}


def _vocabulary() -> list[str]:
    names: set[str] = set()
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            names.update(value.model_fields)
    return sorted(names)


_VOCABULARY = _vocabulary()


def shape_diagnostics(file: str, exc: ValidationError) -> list[Diagnostic]:
    """Every Pydantic error as a coded diagnostic on its document path."""
    out = []
    for err in exc.errors(include_url=False):
        loc: Path = tuple(p for p in err["loc"] if isinstance(p, str | int))
        kind = err["type"]
        at_key = False
        if kind == "lower_case_name":
            at_key = bool(loc) and loc[-1] == "[key]"
            loc = loc[:-1] if at_key else loc
            code = "GOV016"
            message = (
                f"name {err.get('input')!r} has capital letters, and Unity Catalog stores "
                "names in lower case"
            )
            hint = f"rename it {str(err.get('input')).lower()!r}"
        elif loc and loc[-1] == "[key]":
            loc, at_key = loc[:-1], True
            code, message = "GOV011", f"invalid name {loc[-1]!r}: {err['msg'].lower()}"
            hint = "Unity Catalog names have no period, space, slash or control character"
        elif kind == "extra_forbidden":
            at_key = True
            code, message = "GOV010", f"unknown key {loc[-1]!r}"
            hint = closest(str(loc[-1]), _VOCABULARY) or "remove it"
        elif kind == "missing":
            code, message = "GOV012", f"missing required key {loc[-1]!r}"
            hint = f"add `{loc[-1]}:`"
            loc = loc[:-1]
        elif kind in _DATE_ERRORS:
            code = "GOV013"
            message = f"bad date {err.get('input')!r}: {err['msg'].lower()}"
            hint = "write dates as YYYY-MM-DD, e.g. 2027-03-31"
        else:
            code = "GOV011"
            message = f"{'.'.join(str(p) for p in loc) or 'value'}: {err['msg']}"
            hint = "see `govkit schema spec` for the expected shape"
        out.append(
            Diagnostic(
                code=code,
                severity=Severity.ERROR,
                message=message,
                rule="spec.shape",
                file=file,
                path=loc,
                hint=hint,
                at_key=at_key,
            )
        )
    return out


def _error(code: str, message: str, file: str, path: Path, hint: str, rule: str) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, rule, file, path, hint)


@dataclass
class _Collected:
    organisations: list[tuple[str, model.Organisation]] = field(default_factory=list)
    principals: list[tuple[str, model.Principals]] = field(default_factory=list)
    domains: list[DomainDoc] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    invalid_principals: set[str] = field(default_factory=set)
    # Domain files with shape errors, pruned so that their references are checked too.
    partial: dict[str, tuple[DomainDoc, Pruned]] = field(default_factory=dict)


def _valid_principals(data: dict[str, Any], exc: ValidationError) -> tuple[Any, set[str]]:
    """The principal file without the entries (and unknown keys) that failed validation.

    One broken entry must not void the file: the others stay declared. Returns the validated
    rest (None when even that fails) and the names of the entries left out.
    """
    bad: set[tuple[str, str]] = set()
    unknown: set[str] = set()
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        if len(loc) >= 2 and isinstance(loc[1], str):
            bad.add((str(loc[0]), loc[1]))
        elif len(loc) == 1:
            unknown.add(str(loc[0]))
    kept = {
        key: {n: v for n, v in section.items() if (key, n) not in bad}
        if isinstance(section, dict)
        else section
        for key, section in data.items()
        if key not in unknown
    }
    try:
        return model.Principals.model_validate(kept), {n for _, n in bad}
    except ValidationError:
        return None, {n for _, n in bad}


def _validate_files(loaded: Loaded) -> _Collected:
    out = _Collected()
    for f in loaded.files:
        try:
            value = _MODELS[f.kind].model_validate(f.data)
        except ValidationError as exc:
            out.diagnostics.extend(shape_diagnostics(f.path, exc))
            if f.kind is FileKind.PRINCIPALS:
                rest, broken = _valid_principals(f.data, exc)
                out.invalid_principals.update(broken)
                if rest is not None:
                    out.principals.append((f.path, rest))
            elif f.kind is FileKind.DOMAIN:
                found = pruned_domain(f.data, exc)
                if found is not None:
                    out.partial[f.path] = (DomainDoc(f.path, found[0]), found[1])
            continue
        if isinstance(value, model.Organisation):
            out.organisations.append((f.path, value))
        elif isinstance(value, model.Principals):
            out.principals.append((f.path, value))
        elif isinstance(value, model.Domain):
            out.domains.append(DomainDoc(f.path, value))
    return out


def _declare_principals(
    collected: _Collected,
) -> tuple[dict[str, Declared], list[Diagnostic]]:
    declared: dict[str, Declared] = {}
    problems: list[Diagnostic] = []
    for file, doc in collected.principals:
        entries: list[tuple[str, PrincipalKind, str, Any]] = [
            *((n, "group", n, g) for n, g in doc.groups.items()),
            *(
                (n, "service_principal", s.application_id, s)
                for n, s in doc.service_principals.items()
            ),
            *((n, "user", n, u) for n, u in doc.users.items()),
        ]
        for name, kind, uc_name, value in entries:
            section = {
                "group": "groups",
                "service_principal": "service_principals",
                "user": "users",
            }[kind]
            path: Path = (section, name)
            if name in declared:
                other = declared[name]
                problems.append(
                    _error(
                        "GOV028",
                        f"principal {name!r} is declared twice (also in {other.file} as a "
                        f"{other.kind.replace('_', ' ')})",
                        file,
                        path,
                        "keep one declaration",
                        "spec.references",
                    )
                )
                continue
            declared[name] = Declared(
                name, kind, file, path, uc_name, value.environments, value.waivers
            )
    return declared, problems


def build_spec(root: str, loaded: Loaded) -> tuple[Spec | None, list[Diagnostic]]:
    """Validate shapes, then references; a Spec only when there is no error at all."""
    from govkit.spec.references import check_references

    collected = _validate_files(loaded)
    diagnostics = [*loaded.diagnostics, *collected.diagnostics]
    orgs = collected.organisations
    org_files = [f.path for f in loaded.files if f.kind is FileKind.ORGANISATION]
    if len(org_files) > 1:
        diagnostics.extend(
            _error(
                "GOV009",
                f"a second organisation file (the first is {org_files[0]})",
                f,
                (),
                "keep exactly one file with `version:`",
                "spec.load",
            )
            for f in org_files[1:]
        )
    elif not org_files and not any(d.code == "GOV009" for d in diagnostics):
        diagnostics.append(
            _error(
                "GOV009",
                "no organisation file (a file with `version: 1`)",
                root,
                (),
                "add govkit.yaml with version, catalog_name and environments",
                "spec.load",
            )
        )
    declared, problems = _declare_principals(collected)
    diagnostics.extend(problems)
    if len(orgs) != 1 or len(org_files) != 1:
        return None, diagnostics
    org_file, org = orgs[0]
    spec = Spec(
        root=root,
        organisation=org,
        organisation_file=org_file,
        principals=declared,
        groups={n: g for _, p in collected.principals for n, g in p.groups.items()},
        service_principals={
            n: s for _, p in collected.principals for n, s in p.service_principals.items()
        },
        users={n: u for _, p in collected.principals for n, u in p.users.items()},
        domains=tuple(
            sorted(
                [*collected.domains, *(d for d, _ in collected.partial.values())],
                key=lambda d: d.domain.domain,
            )
        ),
        shared_files=tuple(sorted([org_file, *(f for f, _ in collected.principals)])),
        invalid_principals=frozenset(collected.invalid_principals),
    )
    diagnostics.extend(in_file_terms(check_references(spec), collected.partial))
    if collected.partial or any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics
    return spec, diagnostics


@dataclass(frozen=True)
class SpecResult:
    spec: Spec | None
    diagnostics: list[Diagnostic]
    sources: SourceIndex


def load_spec(root: str, overrides: Mapping[str, bytes | None] | None = None) -> SpecResult:
    """Read, parse and validate the spec folder. Diagnostics are unlocated and unsorted.

    `overrides` replaces files by display path (see `load_files`).
    """
    loaded = load_files(root, overrides)
    spec, diagnostics = build_spec(root, loaded)
    return SpecResult(spec, diagnostics, SourceIndex(loaded.sources))

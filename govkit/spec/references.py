"""Reference checks over the whole spec: principals, environments, privileges, names."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from govkit.diagnostics import Diagnostic, Path, Severity
from govkit.diagnostics.hints import closest
from govkit.privileges import (
    ALL_KNOWN,
    DEFAULT_ACCESS_LEVELS,
    LEGACY,
    PRIVILEGES,
    SecurableType,
    valid_on,
)
from govkit.spec import model
from govkit.spec.tags import check_tags
from govkit.spec.validated import Spec
from govkit.spec.volumes import check_volumes, volume_references

RULE = "spec.references"


def _error(code: str, message: str, file: str, path: Path, hint: str) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, RULE, file, path, hint)


def access_levels(org: model.Organisation) -> dict[str, tuple[str, ...]]:
    """Built-in levels, overridden and extended by the organisation file."""
    return {**DEFAULT_ACCESS_LEVELS, **org.access_levels}


class _Checker:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.envs = list(spec.organisation.environments)
        self.levels = access_levels(spec.organisation)
        self.names = sorted(spec.principals)

    def principal(self, name: str, file: str, path: Path) -> Iterator[Diagnostic]:
        if name in self.spec.principals or name in self.spec.invalid_principals:
            return  # an entry that did not validate is reported where it is declared
        yield _error(
            "GOV020",
            f"unknown principal {name!r}",
            file,
            path,
            closest(name, self.names, cutoff=0.85) or self.how_to_declare(name),
        )

    def how_to_declare(self, name: str) -> str:
        files = sorted({d.file for d in self.spec.principals.values()})
        where = f"in {files[0]}" if files else "in a principal file (e.g. principals.yaml)"
        if "@" in name:
            return f"declare the user under `users:` {where}: `{name}: {{}}`"
        return (
            f"declare it {where}: a group under `groups:` (`{name}: {{}}`), or a service "
            f"principal under `service_principals:` (`{name}: {{application_id: ...}}`)"
        )

    def environments(
        self, envs: tuple[str, ...] | None, file: str, path: Path
    ) -> Iterator[Diagnostic]:
        for i, env in enumerate(envs or ()):
            if env not in self.spec.organisation.environments:
                yield _error(
                    "GOV021",
                    f"unknown environment {env!r}",
                    file,
                    (*path, i),
                    closest(env, self.envs) or f"known environments: {', '.join(self.envs)}",
                )

    def privilege(
        self, name: str, on: SecurableType, file: str, path: Path
    ) -> Iterator[Diagnostic]:
        if name in LEGACY:
            yield _error(
                "GOV023",
                f"legacy privilege {name!r} is not accepted",
                file,
                path,
                f"use {LEGACY[name]}",
            )
        elif name not in ALL_KNOWN:
            yield _error(
                "GOV022",
                f"unknown privilege {name!r}",
                file,
                path,
                closest(name, sorted(ALL_KNOWN)) or "see `govkit schema spec` for privileges",
            )
        elif name not in PRIVILEGES[on]:
            where = ", ".join(t.value for t in valid_on(name))
            yield _error(
                "GOV024",
                f"{name} is not a privilege on a {on.value}",
                file,
                path,
                f"{name} is granted on: {where}",
            )

    def grants(
        self, grants: tuple[model.Grant, ...], on: SecurableType, file: str, path: Path
    ) -> Iterator[Diagnostic]:
        for i, grant in enumerate(grants):
            here = (*path, i)
            yield from self.principal(grant.principal, file, (*here, "principal"))
            yield from self.environments(grant.environments, file, (*here, "environments"))
            if (grant.access is None) == (grant.privileges is None):
                yield _error(
                    "GOV029",
                    "a grant has either `access:` or `privileges:`, not "
                    + ("both" if grant.access else "neither"),
                    file,
                    here,
                    "write `access: read` or `privileges: [SELECT]`",
                )
            elif grant.access is not None and grant.access not in self.levels:
                yield _error(
                    "GOV025",
                    f"unknown access level {grant.access!r}",
                    file,
                    (*here, "access"),
                    closest(grant.access, list(self.levels))
                    or f"levels: {', '.join(sorted(self.levels))}",
                )
            for j, privilege in enumerate(grant.privileges or ()):
                yield from self.privilege(privilege, on, file, (*here, "privileges", j))

    def domain(self, file: str, d: model.Domain) -> Iterator[Diagnostic]:
        yield from self.principal(d.owner, file, ("owner",))
        yield from self.environments(d.environments, file, ("environments",))
        yield from self.grants(d.grants, SecurableType.CATALOG, file, ("grants",))
        yield from self.storage_roots(file, d)
        yield from _case_duplicates(d.schemas, file, ("schemas",), "schema")
        for s_name, schema in d.schemas.items():
            s_path: Path = ("schemas", s_name)
            if schema.owner is not None:
                yield from self.principal(schema.owner, file, (*s_path, "owner"))
            yield from self.grants(schema.grants, SecurableType.SCHEMA, file, (*s_path, "grants"))
            yield from _case_duplicates(schema.tables, file, (*s_path, "tables"), "table")
            for t_name, table in schema.tables.items():
                t_path: Path = (*s_path, "tables", t_name)
                if table.owner is not None:
                    yield from self.principal(table.owner, file, (*t_path, "owner"))
                yield from self.grants(table.grants, SecurableType.TABLE, file, (*t_path, "grants"))
            yield from _case_duplicates(schema.volumes, file, (*s_path, "volumes"), "volume")
            yield from volume_references(
                file, schema, s_path, self.principal, self.grants, storage_url
            )

    def organisation(self) -> Iterator[Diagnostic]:
        org, file = self.spec.organisation, self.spec.organisation_file
        for env_name, env in org.environments.items():
            if env.deployer is None:
                continue
            path: Path = ("environments", env_name, "deployer")
            declared = self.spec.principals.get(env.deployer)
            if declared is None:
                yield from self.principal(env.deployer, file, path)
            elif declared.kind != "service_principal":
                yield _error(
                    "GOV020",
                    f"deployer {env.deployer!r} is a {declared.kind}, not a service principal",
                    file,
                    path,
                    "name a service principal declared under service_principals",
                )
        for level, privileges in org.access_levels.items():
            for j, privilege in enumerate(privileges):
                if privilege in LEGACY or privilege not in ALL_KNOWN:
                    # Validity per securable is decided at expansion; here only the name.
                    yield from self.privilege(
                        privilege, SecurableType.CATALOG, file, ("access_levels", level, j)
                    )
        yield from _catalog_name_template(org.catalog_name, file)

    def storage(self) -> Iterator[Diagnostic]:
        """Credentials and locations: environments, principals, clouds, URLs, references."""
        org, file = self.spec.organisation, self.spec.organisation_file
        for name, cred in org.storage_credentials.items():
            path: Path = ("storage_credentials", name)
            yield from self.securable_env(cred.environment, file, (*path, "environment"))
            yield from self.principal(cred.owner, file, (*path, "owner"))
            yield from self.grants(
                cred.grants, SecurableType.STORAGE_CREDENTIAL, file, (*path, "grants")
            )
            yield from _credential_cloud(cred, org.cloud, file, path)
        for name, loc in org.external_locations.items():
            path = ("external_locations", name)
            yield from self.securable_env(loc.environment, file, (*path, "environment"))
            yield from self.principal(loc.owner, file, (*path, "owner"))
            yield from self.grants(
                loc.grants, SecurableType.EXTERNAL_LOCATION, file, (*path, "grants")
            )
            yield from storage_url(loc.url, file, (*path, "url"))
            reached = org.storage_credentials.get(loc.credential)
            if reached is None:
                yield _error(
                    "GOV031",
                    f"unknown storage credential {loc.credential!r}",
                    file,
                    (*path, "credential"),
                    closest(loc.credential, list(org.storage_credentials))
                    or "declare it under `storage_credentials:`",
                )
            else:
                yield from _url_cloud(loc.url, reached, loc.credential, file, (*path, "url"))

    def securable_env(
        self, env: str, file: str, path: Path, at_key: bool = False
    ) -> Iterator[Diagnostic]:
        if env not in self.spec.organisation.environments:
            hint = closest(env, self.envs) or f"known environments: {', '.join(self.envs)}"
            message = f"unknown environment {env!r}"
            yield Diagnostic(
                "GOV021", Severity.ERROR, message, RULE, file, path, hint, 0, 0, at_key
            )

    def storage_roots(self, file: str, d: model.Domain) -> Iterator[Diagnostic]:
        for env, url in d.storage_root.items():
            path: Path = ("storage_root", env)
            if env not in self.spec.organisation.environments:
                yield from self.securable_env(env, file, path, at_key=True)
            elif d.environments is not None and env not in d.environments:
                yield Diagnostic(
                    "GOV021",
                    Severity.ERROR,
                    f"domain {d.domain!r} does not live in environment {env!r}",
                    RULE,
                    file,
                    path,
                    f"its environments: {', '.join(d.environments)}",
                    at_key=True,
                )
            yield from storage_url(url, file, path)

    def principals(self) -> Iterator[Diagnostic]:
        for declared in self.spec.principals.values():
            yield from self.environments(
                declared.environments, declared.file, (*declared.path, "environments")
            )


# What Unity Catalog refuses in an object name, with the words for it.
_NOT_IN_NAMES = {
    ".": "a period",
    " ": "a space",
    "/": "a slash",
    "`": "a backtick",
}


def _catalog_name_template(template: str, file: str) -> Iterator[Diagnostic]:
    """The template must make names Unity Catalog accepts, whatever domain and environment."""
    path: Path = ("catalog_name",)
    hint = 'use letters, digits, _ or - around {domain} and {env}, e.g. "{domain}_{env}"'
    try:
        example = template.format(domain="finance", env="prod")
    except (KeyError, IndexError, ValueError):
        yield _error(
            "GOV011",
            f"catalog_name {template!r} may use only {{domain}} and {{env}}",
            file,
            path,
            hint,
        )
        return
    bad = sorted(
        {_NOT_IN_NAMES.get(c) or f"control character {c!r}" for c in example
         if c in _NOT_IN_NAMES or not c.isprintable() or c.isspace()}
    )  # fmt: skip
    if not example:
        bad = ["nothing at all"]
    if bad:
        yield _error(
            "GOV011",
            f"catalog_name {template!r} makes names like {example!r}, which Unity Catalog "
            f"refuses: {', '.join(bad)}",
            file,
            path,
            hint,
        )


_URL = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<host>[^/\s?#]+)(?P<path>/[^\s?#]*)?$"
)
_CLOUD_NAMES: dict[str, str] = {"azure": "Azure", "aws": "AWS", "gcp": "GCP"}
_SCHEME_CLOUD: dict[str, model.Cloud] = {"abfss": "azure", "s3": "aws", "gs": "gcp"}


def storage_url(url: str, file: str, path: Path) -> Iterator[Diagnostic]:
    """A storage URL Unity Catalog accepts: abfss, s3, gs or r2, a host, no query."""
    match = _URL.match(url)
    schemes = ", ".join(f"{s}://" for s in model.STORAGE_SCHEMES)
    if match is None:
        yield _error(
            "GOV030",
            f"bad storage URL {url!r}",
            file,
            path,
            f"write SCHEME://HOST/PATH with one of {schemes}",
        )
    elif match["scheme"] not in model.STORAGE_SCHEMES:
        yield _error(
            "GOV030",
            f"storage URL scheme {match['scheme']!r} is not accepted by Unity Catalog",
            file,
            path,
            closest(match["scheme"].lower(), list(model.STORAGE_SCHEMES), cutoff=0.5)
            or f"use one of {schemes}",
        )


def _credential_cloud(
    cred: model.StorageCredential, cloud: model.Cloud | None, file: str, path: Path
) -> Iterator[Diagnostic]:
    keys = cred.identities
    if len(keys) != 1:
        yield Diagnostic(
            "GOV032",
            Severity.ERROR,
            "a storage credential names exactly one identity, here "
            + (", ".join(keys) if keys else "none"),
            RULE,
            file,
            path,
            "give one of azure_managed_identity, aws_iam_role, gcp_service_account",
            at_key=True,
        )
    elif cloud is not None and cred.cloud != cloud:
        yield _error(
            "GOV033",
            f"an {_CLOUD_NAMES[cred.cloud or cloud]} credential in an organisation on "
            f"{_CLOUD_NAMES[cloud]}",
            file,
            (*path, keys[0]),
            f"the organisation file says `cloud: {cloud}`: use its kind of identity",
        )


def _url_cloud(
    url: str, cred: model.StorageCredential, name: str, file: str, path: Path
) -> Iterator[Diagnostic]:
    match = _URL.match(url)
    wanted = _SCHEME_CLOUD.get(match["scheme"]) if match else None
    if wanted is not None and cred.cloud is not None and cred.cloud != wanted:
        yield _error(
            "GOV033",
            f"{match['scheme'] if match else ''}:// storage cannot be reached through "
            f"the {_CLOUD_NAMES[cred.cloud]} credential {name!r}",
            file,
            path,
            f"name an {_CLOUD_NAMES[wanted]} credential",
        )


def _case_duplicates(
    names: Mapping[str, object], file: str, path: Path, what: str
) -> Iterator[Diagnostic]:
    """Unity Catalog names are case-insensitive: `Sales` and `sales` are one object."""
    seen: dict[str, str] = {}
    for name in names:
        folded = name.lower()
        if folded in seen:
            yield _error(
                "GOV026",
                f"{what} {name!r} duplicates {seen[folded]!r} (names are case-insensitive)",
                file,
                (*path, name),
                "merge the two or rename one",
            )
        else:
            seen[folded] = name


def check_references(spec: Spec) -> list[Diagnostic]:
    """Every reference problem in the spec, in one pass."""
    checker = _Checker(spec)
    out = [*checker.organisation(), *checker.storage(), *checker.principals()]
    seen: dict[str, str] = {}
    for doc in spec.domains:
        name = doc.domain.domain.lower()
        if name in seen:
            out.append(
                _error(
                    "GOV027",
                    f"domain {doc.domain.domain!r} is declared twice (also in {seen[name]})",
                    doc.file,
                    ("domain",),
                    "one file per domain",
                )
            )
        seen.setdefault(name, doc.file)
        out.extend(checker.domain(doc.file, doc.domain))
    out.extend(check_tags(spec, checker.principal))
    out.extend(check_volumes(spec))
    return out

"""Storage rules: who may write through external locations, and where data may live.

Grants on storage credentials and external locations (GOV22x) and the isolation of storage
paths between locations, catalogs and environments (GOV32x).
"""

from __future__ import annotations

from collections.abc import Iterator

from govkit.diagnostics import Severity
from govkit.policy.base import Finding, Holder, Rule, Scope, and_list
from govkit.policy.context import Context
from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment, DesiredGrant

WRITES = ("WRITE_FILES", "CREATE_EXTERNAL_TABLE", "CREATE_EXTERNAL_VOLUME")


def _holders(grant: DesiredGrant) -> tuple[Holder, ...]:
    """Waivers on the grant itself and on the credential or location it sits on."""
    file, path = grant.origin
    return ((file, path), (file, path[:2]))


def _on_grant(grant: DesiredGrant, message: str, key: str, hint: str) -> Finding:
    """A finding at one key of a grant on storage, waivable there or on its securable."""
    path = (*grant.origin.path, key)
    return Finding(message, grant.origin.file, path, hint, waivable_by=_holders(grant))


def _storage_grants(ctx: Context) -> Iterator[tuple[DesiredEnvironment, DesiredGrant]]:
    """Each grant on a credential or location once (it lives in one environment)."""
    for env in ctx.environments:
        for grant in env.storage_grants:
            yield env, grant


class StorageWritersAreServicePrincipals(Rule):
    """In a protected environment only service principals write through external locations.

    WRITE_FILES, CREATE_EXTERNAL_TABLE and CREATE_EXTERNAL_VOLUME on a location let the holder
    put files under its path with no table grant in the way. In production that is a pipeline's
    job; a person or a group with it is a door around every grant on the tables.

    Bad:

    ```yaml
    external_locations:
      landing-prod:
        environment: prod
        grants:
          - {principal: data-engineers, privileges: [WRITE_FILES]}
    ```

    Good:

    ```yaml
        grants:
          - {principal: sp-ingest-prod, privileges: [WRITE_FILES]}
          - {principal: data-engineers, privileges: [READ_FILES]}
    ```
    """

    code = "GOV220"
    name = "grants.storage-writers-are-service-principals"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for env, grant in _storage_grants(ctx):
            if not env.protected or grant.securable_type is not SecurableType.EXTERNAL_LOCATION:
                continue
            writes = [p for p in grant.privileges if p in WRITES]
            kind = ctx.kind(grant.principal)
            if writes and kind != "service_principal":
                yield _on_grant(
                    grant,
                    f"{kind.replace('_', ' ')} {grant.principal} holds {and_list(writes)} on "
                    f"location {grant.securable} in protected environment {env.name}",
                    "principal",
                    "grant writes to the pipeline's service principal; people get READ_FILES",
                )


class NoAllPrivilegesOnStorage(Rule):
    """No ALL_PRIVILEGES on a storage credential or an external location.

    ALL_PRIVILEGES on storage includes every future privilege and the right to create external
    locations and tables anywhere the credential reaches. Name the privileges needed.

    Bad:

    ```yaml
    grants:
      - {principal: sp-ingest-prod, privileges: [ALL_PRIVILEGES]}
    ```

    Good:

    ```yaml
    grants:
      - {principal: sp-ingest-prod, privileges: [READ_FILES, WRITE_FILES]}
    ```
    """

    code = "GOV221"
    name = "grants.no-all-privileges-on-storage"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for _, grant in _storage_grants(ctx):
            if "ALL_PRIVILEGES" in grant.privileges:
                what = grant.securable_type.value.replace("_", " ")
                message = f"ALL_PRIVILEGES to {grant.principal} on {what} {grant.securable}"
                hint = "name the privileges needed, e.g. READ_FILES"
                yield _on_grant(grant, message, "principal", hint)


class ReadOnlyLocationHasNoWrites(Rule):
    """A read-only external location holds no write grants.

    `read_only: true` makes Unity Catalog refuse writes under the path; a write grant on it
    says something the location will not do, and misleads the next reader of the spec.

    Bad:

    ```yaml
    external_locations:
      vendor-feed:
        read_only: true
        grants:
          - {principal: sp-ingest-prod, privileges: [WRITE_FILES]}
    ```

    Good:

    ```yaml
        grants:
          - {principal: sp-ingest-prod, privileges: [READ_FILES]}
    ```
    """

    code = "GOV222"
    name = "grants.read-only-location-has-no-writes"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        read_only = {
            name for name, loc in ctx.spec.organisation.external_locations.items() if loc.read_only
        }
        for _, grant in _storage_grants(ctx):
            if grant.securable_type is not SecurableType.EXTERNAL_LOCATION:
                continue
            writes = [p for p in grant.privileges if p in (*WRITES, "ALL_PRIVILEGES")]
            if grant.securable in read_only and writes:
                yield _on_grant(
                    grant,
                    f"read-only location {grant.securable} grants {and_list(writes)} to "
                    f"{grant.principal}",
                    "privileges",
                    "grant READ_FILES, or drop `read_only: true`",
                )


def _normal(url: str) -> str:
    """A URL to compare paths by: scheme and host as given, no trailing slash."""
    return url.rstrip("/")


def within(inner: str, outer: str) -> bool:
    """`inner` is `outer` or a path below it (by whole path segments)."""
    a, b = _normal(inner), _normal(outer)
    return a == b or a.startswith(b + "/")


class StoragePathsDoNotOverlap(Rule):
    """No two external locations overlap, and none lies inside a catalog's managed storage.

    Unity Catalog decides who may read a file by the one location whose path holds it. Two
    locations over one path give it two sets of grants; a location at or inside a catalog's
    managed storage root hands out file access to managed tables around their grants. (A
    managed storage root inside a location is how managed storage is set up, and fine.)

    Bad:

    ```yaml
    external_locations:
      landing: {url: "s3://acme-lake/landing", ...}
      landing-sales: {url: "s3://acme-lake/landing/sales", ...}
    ```

    Good:

    ```yaml
    external_locations:
      landing-hr: {url: "s3://acme-lake/landing/hr", ...}
      landing-sales: {url: "s3://acme-lake/landing/sales", ...}
    ```
    """

    code = "GOV320"
    name = "environments.storage-paths-do-not-overlap"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        file = ctx.spec.organisation_file
        seen: list[tuple[str, str]] = []
        roots = [
            (f"{doc.domain.domain} in {env}", url)
            for doc in ctx.spec.domains
            for env, url in doc.domain.storage_root.items()
        ]
        for name, loc in ctx.spec.organisation.external_locations.items():
            path = ("external_locations", name, "url")
            holders: tuple[Holder, ...] = ((file, ("external_locations", name)),)
            for other, url in seen:
                if within(loc.url, url) or within(url, loc.url):
                    yield Finding(
                        f"location {name} ({loc.url}) overlaps location {other} ({url})",
                        file,
                        path,
                        "give each location a path of its own, side by side",
                        waivable_by=holders,
                    )
            for catalog, root in roots:
                if within(loc.url, root):
                    yield Finding(
                        f"location {name} ({loc.url}) lies inside the managed storage of "
                        f"{catalog} ({root})",
                        file,
                        path,
                        "move the location beside the managed storage root, not into it",
                        waivable_by=holders,
                    )
            seen.append((name, loc.url))


class ProtectedStorageStaysProtected(Rule):
    """A protected environment's catalog does not store data under another environment's location.

    A production catalog whose managed storage root lies under a dev location puts production
    files where dev grants (READ_FILES, WRITE_FILES) reach them. Each protected environment
    stores under locations of its own, or of another protected environment.

    Bad:

    ```yaml
    external_locations:
      lake-dev: {environment: dev, url: "abfss://lake@stacmedev.dfs.core.windows.net/", ...}
    # sales.yaml
    storage_root:
      prod: "abfss://lake@stacmedev.dfs.core.windows.net/sales"
    ```

    Good:

    ```yaml
    storage_root:
      prod: "abfss://lake@stacmeprod.dfs.core.windows.net/sales"
    ```
    """

    code = "GOV321"
    name = "environments.protected-storage-stays-protected"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        envs = ctx.spec.organisation.environments
        unprotected = [
            (name, loc)
            for name, loc in ctx.spec.organisation.external_locations.items()
            if loc.environment in envs and not envs[loc.environment].protected
        ]
        for doc in ctx.spec.domains:
            for env, root in doc.domain.storage_root.items():
                if env not in envs or not envs[env].protected:
                    continue
                for name, loc in unprotected:
                    if within(root, loc.url):
                        yield Finding(
                            f"catalog of {doc.domain.domain} in protected environment {env} "
                            f"stores under location {name} of {loc.environment} ({loc.url})",
                            doc.file,
                            ("storage_root", env),
                            f"put its storage root under a location of {env}",
                            waivable_by=((doc.file, ()),),
                        )


RULES: tuple[type[Rule], ...] = (
    StorageWritersAreServicePrincipals,
    NoAllPrivilegesOnStorage,
    ReadOnlyLocationHasNoWrites,
    StoragePathsDoNotOverlap,
    ProtectedStorageStaysProtected,
)

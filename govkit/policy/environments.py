"""Environment and isolation rules (GOV3xx): what belongs to dev stays in dev."""

from __future__ import annotations

from collections.abc import Iterator

from govkit.diagnostics import Severity
from govkit.policy.base import Finding, Rule, Scope, and_list, environments_phrase
from govkit.policy.context import Context


class _Scoped(Rule):
    kinds: frozenset[str]

    def check(self, ctx: Context) -> Iterator[Finding]:
        limited = {
            name: d
            for name, d in ctx.spec.principals.items()
            if d.kind in self.kinds and d.environments is not None
        }
        for entry in ctx.entries:
            declared = limited.get(entry.principal)
            if declared is None or declared.environments is None:
                continue
            allowed = declared.environments
            outside = [env.name for env, _ in entry.active if env.name not in allowed]
            if outside:
                kind = declared.kind.replace("_", " ")
                yield Finding(
                    f"{kind} {entry.principal} is declared for {and_list(list(allowed))} and may "
                    f"not hold grants in {environments_phrase(outside)}",
                    entry.file,
                    entry.key_path("principal"),
                    f"narrow the grant with `environments: [{', '.join(allowed)}]`",
                    waivable_by=ctx.entry_holders(entry),
                )


class ServicePrincipalIsolation(_Scoped):
    """A service principal declared for one environment holds no grants in another.

    A pipeline identity of staging that can write prod joins the two environments: a bug or a
    leaked credential in staging reaches production. Each environment has its own service
    principals (`environments: [prod]`), and grants to them are narrowed to match.

    Bad:

    ```yaml
    service_principals:
      sp-etl-staging:
        application_id: 7c3f9a2b-4d5e-4a6f-8b7c-1d2e3f4a5b6c
        environments: [staging]
    # finance.yaml
    grants:
      - {principal: sp-etl-staging, access: write}
    ```

    Good:

    ```yaml
    grants:
      - {principal: sp-etl-staging, access: write, environments: [staging]}
    ```
    """

    code = "GOV301"
    name = "environments.service-principal-isolation"
    severity = Severity.ERROR
    scope = Scope.STATE
    kinds = frozenset({"service_principal"})


class PrincipalScope(_Scoped):
    """A group or user limited to some environments is not granted outside them.

    `environments: [dev]` on a group says its members (sandbox users, contractors) work only
    there. A grant that reaches another environment contradicts the declaration.

    Bad:

    ```yaml
    groups:
      dev-sandbox-users: {environments: [dev]}
    # platform.yaml
    grants:
      - {principal: dev-sandbox-users, access: read}
    ```

    Good:

    ```yaml
    grants:
      - {principal: dev-sandbox-users, access: read, environments: [dev]}
    ```
    """

    code = "GOV302"
    name = "environments.principal-scope"
    severity = Severity.ERROR
    scope = Scope.STATE
    kinds = frozenset({"group", "user"})


class HasWorkspaces(Rule):
    """Every environment has workspaces.

    Catalogs are ISOLATED and bound to their environment's workspaces; an environment without
    workspaces produces catalogs that no workspace can reach.

    Bad:

    ```yaml
    environments:
      staging: {protected: true, deployer: sp-uc-deploy-staging}
    ```

    Good:

    ```yaml
    environments:
      staging: {workspaces: [2001], protected: true, deployer: sp-uc-deploy-staging}
    ```
    """

    code = "GOV303"
    name = "environments.has-workspaces"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name, env in ctx.spec.organisation.environments.items():
            if not env.workspaces:
                yield Finding(
                    f"environment {name} has no workspaces, so its catalogs are bound to none",
                    ctx.spec.organisation_file,
                    ("environments", name),
                    "list its workspace ids under `workspaces:`",
                    at_key=True,
                )


class WorkspaceInOneEnvironment(Rule):
    """No workspace belongs to two environments.

    A workspace bound to dev and prod catalogs lets dev notebooks read and write production:
    the isolation that the environments promise is gone.

    Bad:

    ```yaml
    environments:
      dev: {workspaces: [1001, 3001]}
      prod: {workspaces: [3001], protected: true, deployer: sp-uc-deploy-prod}
    ```

    Good:

    ```yaml
    environments:
      dev: {workspaces: [1001]}
      prod: {workspaces: [3001], protected: true, deployer: sp-uc-deploy-prod}
    ```
    """

    code = "GOV304"
    name = "environments.workspace-in-one-environment"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        owner: dict[int, str] = {}
        for name, env in ctx.spec.organisation.environments.items():
            for i, workspace in enumerate(env.workspaces):
                first = owner.setdefault(workspace, name)
                if first != name or env.workspaces.index(workspace) != i:
                    where = "twice" if first == name else f"in {first} too"
                    yield Finding(
                        f"workspace {workspace} of environment {name} is listed {where}",
                        ctx.spec.organisation_file,
                        ("environments", name, "workspaces", i),
                        "a workspace belongs to exactly one environment",
                    )


class ProtectedHasDeployer(Rule):
    """A protected environment names its deployer service principal.

    In a protected environment the deployer owns every securable and applies every change; with
    no deployer, owners fall back to human groups and nobody is the one identity that writes.

    Bad:

    ```yaml
    prod: {workspaces: [3001], protected: true}
    ```

    Good:

    ```yaml
    prod: {workspaces: [3001], protected: true, deployer: sp-uc-deploy-prod}
    ```
    """

    code = "GOV305"
    name = "environments.protected-has-deployer"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name, env in ctx.spec.organisation.environments.items():
            if env.protected and env.deployer is None:
                yield Finding(
                    f"protected environment {name} has no deployer",
                    ctx.spec.organisation_file,
                    ("environments", name, "protected"),
                    "add `deployer:` naming a service principal declared for it",
                    at_key=True,
                )


class UniqueCatalogNames(Rule):
    """Catalog names are unique across environments.

    One metastore holds every environment's catalogs; if two environments (or two domains)
    resolve to one catalog name, they share one catalog, and dev grants land in production.
    Unity Catalog names are case-insensitive.

    Bad:

    ```yaml
    catalog_name: "{domain}"
    ```

    Good:

    ```yaml
    catalog_name: "{domain}_{env}"
    ```
    """

    code = "GOV306"
    name = "environments.unique-catalog-names"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        first: dict[str, tuple[str, str]] = {}  # folded name -> (domain, environment)
        clashes: dict[str, list[str]] = {}  # domain -> descriptions
        for env in ctx.environments:
            for s in env.securables:
                if s.origin.path:
                    continue  # only catalogs sit at the domain file's root
                earlier = first.setdefault(s.name.lower(), (s.domain, env.name))
                if earlier != (s.domain, env.name):
                    clashes.setdefault(s.domain, []).append(
                        f"{s.name} in {env.name} is also the catalog of {earlier[0]} "
                        f"in {earlier[1]}"
                    )
        for doc in ctx.spec.domains:
            found = clashes.get(doc.domain.domain)
            if found:
                more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                yield Finding(
                    f"catalog {found[0]}{more}",
                    doc.file,
                    ("domain",),
                    'make catalog_name unique per domain and environment, e.g. "{domain}_{env}"',
                    waivable_by=((doc.file, ()),),
                )


class WorkflowsKeepRemoteState(Rule):
    """An environment the govkit workflows apply keeps its Terraform state remote.

    A GitHub-hosted runner starts from an empty disk and is thrown away after the run. With
    `backend: {type: local}` each apply starts from no state: Terraform plans to create what
    exists (and fails on it), forgets what it created, and can never destroy it. Use the
    cloud's state store, signed in by OIDC like the provider (`govkit init --backend`).

    Bad:

    ```yaml
    environments:
      prod: {workspaces: [3001], applied_by: workflows}
    terraform:
      backend: {type: local}
    ```

    Good:

    ```yaml
    terraform:
      backend:
        type: azurerm
        config: {storage_account_name: sttfstate, container_name: tfstate, use_oidc: true,
                 use_azuread_auth: true}
    ```
    """

    code = "GOV307"
    name = "environments.workflows-keep-remote-state"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        organisation = ctx.spec.organisation
        if organisation.terraform.backend.type != "local":
            return
        for name, env in organisation.environments.items():
            if env.applied_by == "workflows":
                yield Finding(
                    f"environment {name} is applied by the govkit workflows, whose runners keep "
                    "no disk, but its Terraform state is local: every run would start from none",
                    ctx.spec.organisation_file,
                    ("environments", name, "applied_by"),
                    "set `terraform: {backend: {type: azurerm|s3|gcs, config: ...}}`, or "
                    "`applied_by: hand`",
                    at_key=True,
                )


RULES: tuple[type[Rule], ...] = (
    ServicePrincipalIsolation,
    PrincipalScope,
    HasWorkspaces,
    WorkspaceInOneEnvironment,
    ProtectedHasDeployer,
    UniqueCatalogNames,
    WorkflowsKeepRemoteState,
)

"""Ownership rules (GOV1xx): every securable has an owner, and the right kind of owner."""

from __future__ import annotations

from collections.abc import Iterator

from govkit.diagnostics import Path, Severity
from govkit.policy.base import Finding, Rule, Scope, environments_phrase
from govkit.policy.context import Context, securable_chain
from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment
from govkit.state import State

# What ownership rules look at on a live State: what the spec declares owners for.
_OWNED = frozenset({SecurableType.CATALOG, SecurableType.SCHEMA, SecurableType.TABLE})


class OwnerResolves(Rule):
    """Every catalog, schema and declared table resolves to an owner in its environment.

    An owner holds every privilege and is who Unity Catalog asks when a grant is disputed. An
    owner declared only for some environments (`environments: [dev]`) does not exist in the
    others, so the securables it would own there have no owner at all. (In a protected
    environment the deployer owns everything; GOV104 checks that.)

    Bad (`sales-sandbox` exists only in dev, the domain lives in dev and test):

    ```yaml
    # principals.yaml
    groups:
      sales-sandbox: {environments: [dev]}
    # sales.yaml
    domain: sales
    owner: sales-sandbox
    ```

    Good:

    ```yaml
    domain: sales
    owner: sales-owners
    ```
    """

    code = "GOV101"
    name = "ownership.owner-resolves"
    severity = Severity.ERROR
    scope = Scope.STATE

    def check(self, ctx: Context) -> Iterator[Finding]:
        # (file, owner key) -> owner, first securable, environments: one finding per `owner:`.
        missing: dict[tuple[str, Path], tuple[str, str, list[str]]] = {}
        for env in ctx.environments:
            if env.protected and env.deployer is not None:
                continue
            for s in env.securables:
                declared = ctx.declared(s.owner)
                if declared is not None and (
                    declared.environments is None or env.name in declared.environments
                ):
                    continue
                key = (s.origin.file, ctx.owner_path(s.origin.file, s.origin.path))
                envs = missing.setdefault(key, (s.owner, s.name, []))[2]
                if env.name not in envs:
                    envs.append(env.name)
        for (file, path), (owner, first, envs) in missing.items():
            declared = ctx.declared(owner)
            scope = ", ".join(declared.environments or ()) if declared else "no environment"
            yield Finding(
                f"{owner} is declared for {scope} only, so {first} has no owner in "
                f"{environments_phrase(envs)}",
                file,
                path,
                "name an owner that exists in every environment of the domain",
                waivable_by=((file, path[:-1]), *ctx.principal_holder(owner)),
            )

    def check_state(self, state: State, env: DesiredEnvironment, ctx: Context) -> Iterator[Finding]:
        for s in state.securables:
            if s.owner is None and s.type in _OWNED:
                yield Finding(
                    f"{s.type.value} {s.name} has no owner in {env.name}",
                    s.name,
                    (),
                    "set the owner the spec declares (govkit drift --emit sql)",
                )


class OwnerNotAUser(Rule):
    """Owners are groups or service principals, never individual users.

    People change teams and leave; a securable owned by a person becomes an orphan with every
    privilege attached to an account that nobody governs. A group keeps ownership with the team.

    Bad:

    ```yaml
    domain: sales
    owner: ada@example.com
    ```

    Good:

    ```yaml
    domain: sales
    owner: sales-owners
    ```
    """

    code = "GOV102"
    name = "ownership.owner-not-a-user"
    severity = Severity.ERROR
    scope = Scope.STATE

    def check(self, ctx: Context) -> Iterator[Finding]:
        for (file, path), declaration in ctx.declarations.items():
            owner = declaration.owner
            if owner is None or ctx.kind(owner) != "user":
                continue
            if not path:
                what = "the domain"
            else:
                what = f"{'schema' if len(path) == 2 else 'table'} {path[-1]}"
            yield Finding(
                f"{owner} is an individual user and may not own {what}",
                file,
                (*path, "owner"),
                "make the team's group the owner; people leave, groups stay",
                waivable_by=(
                    *((file, p) for p in securable_chain(path)),
                    *ctx.principal_holder(owner),
                ),
            )

    def check_state(self, state: State, env: DesiredEnvironment, ctx: Context) -> Iterator[Finding]:
        for s in state.securables:
            if s.owner is not None and ctx.uc_kind(s.owner) == "user":
                yield Finding(
                    f"{s.owner} is an individual user and owns {s.type.value} {s.name}",
                    s.name,
                    (),
                    "make the team's group the owner; people leave, groups stay",
                )


class AccountableOwnerIsGroup(Rule):
    """A domain's accountable owner is a group.

    The domain's `owner` approves access requests (CODEOWNERS) and answers for the data in
    audits: that is a team of people, not a pipeline. Service principals own securables in
    protected environments through the deployer; they are never the accountable owner.

    Bad:

    ```yaml
    domain: sales
    owner: sp-sales-etl-prod
    ```

    Good:

    ```yaml
    domain: sales
    owner: sales-owners
    ```
    """

    code = "GOV103"
    name = "ownership.accountable-owner-is-group"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for doc in ctx.spec.domains:
            owner = doc.domain.owner
            if ctx.kind(owner) == "service_principal":
                yield Finding(
                    f"{owner} is a service principal and cannot be the accountable owner of "
                    f"domain {doc.domain.domain}",
                    doc.file,
                    ("owner",),
                    "name the group of people who approve access to this domain",
                    waivable_by=((doc.file, ()), *ctx.principal_holder(owner)),
                )


class ProtectedOwnerIsDeployer(Rule):
    """In a protected environment every securable is owned by that environment's deployer.

    An owner holds every privilege, so a human owner in a protected environment would break
    "humans read, service principals write". govkit makes the `deployer` the Unity Catalog owner
    there; the deployer must be a service principal declared for that environment, or the apply
    in that environment runs as a principal that does not belong to it.

    Bad (the staging deployer deploys prod):

    ```yaml
    environments:
      prod: {workspaces: [3001], protected: true, deployer: sp-uc-deploy-staging}
    ```

    Good:

    ```yaml
    environments:
      prod: {workspaces: [3001], protected: true, deployer: sp-uc-deploy-prod}
    ```
    """

    code = "GOV104"
    name = "ownership.protected-owner-is-deployer"
    severity = Severity.ERROR
    scope = Scope.STATE

    def check(self, ctx: Context) -> Iterator[Finding]:
        org_file = ctx.spec.organisation_file
        for env in ctx.environments:
            if not env.protected or env.deployer is None:
                continue  # GOV305 reports a protected environment without a deployer
            declared = ctx.declared(env.deployer)
            scope = declared.environments if declared is not None else None
            if scope is not None and env.name not in scope:
                yield Finding(
                    f"deployer {env.deployer} is declared for {', '.join(scope)}, not for "
                    f"{env.name}, yet would own every securable in protected environment "
                    f"{env.name}",
                    org_file,
                    ("environments", env.name, "deployer"),
                    f"name a service principal declared for {env.name}",
                    waivable_by=ctx.principal_holder(env.deployer),
                )
            for s in env.securables:
                if s.owner != env.deployer:
                    yield Finding(
                        f"{s.name} is owned by {s.owner}, not by deployer {env.deployer}, in "
                        f"protected environment {env.name}",
                        s.origin.file,
                        ctx.owner_path(s.origin.file, s.origin.path),
                        "owners hold every privilege; let the deployer own it",
                    )

    def check_state(self, state: State, env: DesiredEnvironment, ctx: Context) -> Iterator[Finding]:
        if not env.protected or env.deployer is None:
            return
        deployer = ctx.spec.uc_name(env.deployer)
        for s in state.securables:
            if s.type in _OWNED and s.owner is not None and s.owner != deployer:
                yield Finding(
                    f"{s.type.value} {s.name} is owned by {ctx.label(s.owner)}, not by deployer "
                    f"{env.deployer}, in protected environment {env.name}",
                    s.name,
                    (),
                    "owners hold every privilege; let the deployer own it",
                )


RULES: tuple[type[Rule], ...] = (
    OwnerResolves,
    OwnerNotAUser,
    AccountableOwnerIsGroup,
    ProtectedOwnerIsDeployer,
)

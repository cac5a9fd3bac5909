"""The principal that applies keeps the right to apply (GOV213)."""

from __future__ import annotations

from collections.abc import Iterator

from govkit.diagnostics import Severity
from govkit.policy.base import Finding, Rule, Scope
from govkit.policy.context import Context
from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment, DesiredSecurable

# Inside a catalog: MANAGE on the catalog covers them.
_IN_CATALOG = frozenset({SecurableType.SCHEMA, SecurableType.TABLE})


class DeployerKeepsManage(Rule):
    """The deployer keeps the right to apply: it owns each securable or holds MANAGE on it.

    The environment's `deployer` is the principal that runs `terraform apply`. Changing the
    grants of a securable needs its ownership or MANAGE on it (or on its catalog). Where the
    deployer is not the declared owner (an environment that is not protected), the apply hands
    each securable's ownership to the declared owner, and an authoritative apply revokes every
    MANAGE the spec does not declare: the deployer locks itself out of the grants it must set,
    and the apply fails part-way. The Databricks provider warns about exactly this in its docs
    for `databricks_grants`. Declare the deployer's MANAGE, on the catalog for all of a domain.

    Bad:

    ```yaml
    # govkit.yaml
    environments:
      dev: {workspaces: [1001], deployer: sp-deploy-dev}
    # sales.yaml
    domain: sales
    owner: sales-owners
    ```

    Good:

    ```yaml
    domain: sales
    owner: sales-owners
    grants:
      - {principal: sp-deploy-dev, privileges: [MANAGE], environments: [dev]}
    ```
    """

    code = "GOV213"
    name = "grants.deployer-keeps-manage"
    severity = Severity.ERROR
    scope = Scope.SPEC

    def check(self, ctx: Context) -> Iterator[Finding]:
        for env in ctx.environments:
            if env.deployer is not None:
                yield from _locked_out(ctx, env, env.deployer)


def _locked_out(ctx: Context, env: DesiredEnvironment, deployer: str) -> Iterator[Finding]:
    applier = ctx.spec.uc_name(deployer)
    grants = {s.key: s.grants.get(applier, ()) for s in env.state.securables}
    reported: set[str] = set()  # catalogs found without it: their contents say nothing new
    for s in (*env.securables, *env.storage):
        catalog = s.name.split(".", 1)[0]
        if s.owner == deployer or "MANAGE" in grants.get((s.type.value, s.name), ()):
            continue
        if s.type in _IN_CATALOG and (
            catalog in reported or "MANAGE" in grants.get(("catalog", catalog), ())
        ):
            continue
        if s.type is SecurableType.CATALOG:
            reported.add(s.name)
        yield _finding(ctx, env, s, deployer)


def _finding(ctx: Context, env: DesiredEnvironment, s: DesiredSecurable, deployer: str) -> Finding:
    file, path = s.origin
    inside = s.type in _IN_CATALOG or s.type is SecurableType.CATALOG
    where = "it or its catalog" if s.type in _IN_CATALOG else "it"
    on = "the catalog" if inside else f"{s.type.value} {s.name}"
    return Finding(
        f"deployer {deployer} would lose the right to apply {s.type.value} {s.name} in "
        f"{env.name}: {s.owner} owns it, and the deployer holds no MANAGE on {where}",
        file,
        ctx.owner_path(file, path) if s.type not in _STORAGE else (*path, "owner"),
        f"grant {deployer} MANAGE on {on} for {env.name}, or make {env.name} protected "
        "so that the deployer owns every securable",
        waivable_by=((file, path),),
    )


_STORAGE = frozenset({SecurableType.EXTERNAL_LOCATION, SecurableType.STORAGE_CREDENTIAL})

RULES: tuple[type[Rule], ...] = (DeployerKeepsManage,)

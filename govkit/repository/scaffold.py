"""A whole governance repository for `govkit init`: spec, workflows, CODEOWNERS, pre-commit.

Identifiers that only the organisation knows (workspace ids, application ids) are placeholders,
marked as such, so that the scaffold validates and compiles at once and the first pull request
replaces them.
"""

from __future__ import annotations

import uuid
from importlib import resources

from govkit.repository.backend import backend_lines
from govkit.repository.install import requirement
from govkit.repository.order import ACCOUNT

PRE_COMMIT = """\
# govkit checks before each commit: `pre-commit install` once.
repos:
  - repo: local
    hooks:
      - id: govkit-validate
        name: govkit validate
        entry: govkit validate catalogs
        language: system
        files: ^catalogs/
        pass_filenames: false
      - id: govkit-compile
        name: govkit compile --check
        entry: govkit compile catalogs --check
        language: system
        files: ^(catalogs|terraform)/
        pass_filenames: false
      - id: govkit-codeowners
        name: govkit codeowners --check
        entry: govkit codeowners catalogs --check
        language: system
        files: ^(catalogs/|\\.github/CODEOWNERS$)
        pass_filenames: false
"""

GITIGNORE = (
    "# Terraform's working files. Each stack's .terraform.lock.hcl is committed: the plan of a\n"
    "# pull request and the apply of its merge then use the same provider build.\n"
    ".terraform/\n*.tfplan\n*.tfstate\n*.tfstate.*\nterraform-state/\n"
    "# Written by the workflows before each plan (govkit drift --emit absent-tables).\n"
    "absent_tables.json\n"
)


def placeholder_id(organisation: str, name: str) -> str:
    """A stable UUID standing in for an id the organisation has to fill in."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"govkit-placeholder:{organisation}:{name}"))


GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


def deployer(env: str) -> str:
    """The service principal that applies `env` from the merge workflow."""
    return f"sp-uc-deploy-{env}"


def reader(env: str) -> str:
    """The service principal that plans (pull requests) and reads drift (nightly) in `env`."""
    return f"sp-uc-read-{env}"


def organisation_text(
    organisation: str, environments: list[str], github_org: str, backend: str = "azurerm"
) -> str:
    lines = [
        "# yaml-language-server: $schema=https://govkit.dev/schemas/spec.json",
        f"# {organisation}: environments, naming and who approves what.",
        "# Workspace ids are placeholders: replace them with your workspaces' ids.",
        "version: 1",
        'catalog_name: "{domain}_{env}"',
        "environments:",
    ]
    for i, env in enumerate(environments):
        lines.append(f"  {env}:")
        lines.append(f"    workspaces: [{(i + 1) * 1000 + 1}]")
        lines.append("    applied_by: workflows")  # govkit-apply.yml applies every environment
        if i > 0:  # every environment after the first is protected
            lines.append("    protected: true")
        lines.append(f"    deployer: {deployer(env)}")
    lines += [
        *backend_lines(backend, github_org.lower()),
        "codeowners:",
        f'  platform: "@{github_org}/uc-platform"',
        "  teams:",
        f'    platform-owners: "@{github_org}/uc-platform"',
    ]
    return "\n".join(lines) + "\n"


def _signed_in_from(repository: str, github_environment: str) -> list[str]:
    """A federation policy: GitHub Actions jobs of `repository` in that GitHub environment."""
    return [
        "    federation:",
        f"      issuer: {GITHUB_ISSUER}",
        f"      subject: repo:{repository}:environment:{github_environment}",
    ]


def principals_text(organisation: str, environments: list[str], repository: str) -> str:
    """Groups and the workflows' principals: per environment a deployer and a reader, each
    signing in from the GitHub environment its jobs run in (`ENV`, `ENV-read`), without secret.

    `repository` is the governance repository as GitHub names it, `ORG/NAME`.
    """
    lines = [
        "# Groups (by their Entra ID display name) and service principals.",
        "# Application ids are placeholders: replace them with the real ones.",
        "groups:",
        "  platform-owners:",
        "    description: Platform team; approves the organisation and principal files",
        "service_principals:",
    ]
    for env in environments:
        lines += [
            f"  {deployer(env)}:",
            f"    application_id: {placeholder_id(organisation, deployer(env))}",
            f"    description: Applies Unity Catalog in {env} on merge (govkit-apply.yml)",
            f"    environments: [{env}]",
            *_signed_in_from(repository, env),
            f"  {reader(env)}:",
            f"    application_id: {placeholder_id(organisation, reader(env))}",
            f"    description: Plans pull requests and reads drift in {env} (read only)",
            f"    environments: [{env}]",
            *_signed_in_from(repository, f"{env}-read"),
        ]
    return "\n".join(lines) + "\n"


ENVIRONMENTS_MARK = "# govkit:environments\n"


def _apply_job(env: str, previous: str | None) -> str:
    job = "apply-account" if env == ACCOUNT else f"apply-{env}"
    needs = "prepare" if previous is None else f"[prepare, {previous}]"
    stacks = f"fromJSON(needs.prepare.outputs.order)['{env}']"
    planned = f"contains(fromJSON(needs.prepare.outputs.order).environments, '{env}')"
    return (
        f"  {job}:\n"
        f"    needs: {needs}\n"
        f"    if: ${{{{ !cancelled() && !failure() && {planned} }}}}\n"
        "    uses: ./.github/workflows/govkit-apply-environment.yml\n"
        "    permissions:\n"
        "      contents: write\n"
        "      id-token: write\n"
        "      actions: read\n"
        "    with:\n"
        f"      environment: {env}\n"
        f"      stacks: ${{{{ toJSON({stacks}) }}}}\n"
        f"      base: ${{{{ fromJSON(needs.prepare.outputs.bases)['{env}'] }}}}\n"
        "      reviewed_runs: ${{ needs.prepare.outputs.reviewed_runs }}\n"
        "      pull_requests: ${{ needs.prepare.outputs.pull_requests }}\n"
    )


def apply_jobs(environments: list[str]) -> str:
    """One job per environment, each after the one before: account-level stacks, dev, ..."""
    jobs, previous = [], None
    for env in [ACCOUNT, *environments]:
        jobs.append(_apply_job(env, previous))
        previous = "apply-account" if env == ACCOUNT else f"apply-{env}"
    return "\n".join(jobs)


def workflow_files(environments: list[str]) -> dict[str, str]:
    """The governance workflows shipped with govkit, for these environments, by file name."""
    folder = resources.files("govkit.repository") / "workflows"
    files = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yml"):
            text = entry.read_text("utf-8")
            files[entry.name] = text.replace(ENVIRONMENTS_MARK, apply_jobs(environments))
    return files


MODULES = "terraform/modules"


def module_files() -> dict[str, str]:
    """govkit's hand-written Terraform modules, by path in a new repository; {} if not shipped.

    Read as package data, so that an installed wheel has them as well as a checkout.
    """
    folder = resources.files("govkit.repository") / "modules"
    if not folder.is_dir():
        return {}
    files = {}
    for module in sorted(folder.iterdir(), key=lambda e: e.name):
        if module.is_dir():
            for entry in sorted(module.iterdir(), key=lambda e: e.name):
                if entry.is_file():
                    files[f"{MODULES}/{module.name}/{entry.name}"] = entry.read_text("utf-8")
    return files


def requirements_text(reference: str) -> str:
    """What the workflows install: govkit at one revision (raises InstallError if unpinned)."""
    return (
        "# govkit for the workflows, pinned to one revision (`govkit init --govkit-source`).\n"
        "# To upgrade: a newer commit here; install it, remove terraform/modules/ (compile\n"
        "# writes the new version's), run `govkit compile` and commit what changed.\n"
        + requirement(reference)
    )

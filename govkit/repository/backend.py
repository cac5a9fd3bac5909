"""The Terraform state backend a new governance repository starts with: the chosen cloud's
state store, signed in by OIDC as the workflows sign in to Databricks.

The workflows' runners keep no disk between runs, so a local backend would lose the state of
every apply (GOV307 refuses it for an environment `applied_by: workflows`). Names are
placeholders for the organisation's own state store; credentials never sit in the spec.
"""

from __future__ import annotations

BACKENDS = ("azurerm", "s3", "gcs")
STATE_PREFIX = "unity-catalog"
# S3's own state locking (`use_lockfile`) came with Terraform 1.10.
S3_REQUIRED_VERSION = ">= 1.10.0"


def _storage_account(slug: str) -> str:
    # Azure storage account names: 3 to 24 lower-case letters and digits.
    return f"st{''.join(c for c in slug if c.isalnum())[:15]}tfstate"


def backend_config(backend: str, slug: str) -> dict[str, str | bool]:
    """The backend block's settings for `backend`, with placeholder names from `slug`.

    azurerm: Entra ID sign-in to the blob data plane (`use_azuread_auth`) with the workflow's
    OIDC token (`use_oidc`; client, tenant and subscription from `ARM_*`). s3: credentials
    from the AWS SDK chain (a web identity role in CI), encrypted, with S3 state locking. gcs:
    application default credentials (workload identity federation in CI).
    """
    if backend == "azurerm":
        return {
            "storage_account_name": _storage_account(slug),
            "container_name": "tfstate",
            "key": STATE_PREFIX,
            "use_oidc": True,
            "use_azuread_auth": True,
        }
    if backend == "s3":
        return {
            "bucket": f"{slug}-tfstate",
            "key": STATE_PREFIX,
            "region": "eu-west-1",
            "encrypt": True,
            "use_lockfile": True,
        }
    if backend == "gcs":
        return {"bucket": f"{slug}-tfstate", "prefix": STATE_PREFIX}
    raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")


def backend_lines(backend: str, slug: str) -> list[str]:
    """The organisation file's `terraform:` settings for a new repository, as YAML lines."""
    lines = [
        "terraform:",
        "  # Each stack's state, in the cloud: the workflows' runners keep no disk (GOV307).",
        "  # The names are placeholders for your state store; sign-in is OIDC, no secret.",
        "  backend:",
        f"    type: {backend}",
        "    config:",
    ]
    for key, value in backend_config(backend, slug).items():
        lines.append(f"      {key}: {str(value).lower() if isinstance(value, bool) else value}")
    if backend == "s3":
        lines.append(f'  required_version: "{S3_REQUIRED_VERSION}"')
    return lines

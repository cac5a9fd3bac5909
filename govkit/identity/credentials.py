"""Credentials for Microsoft Graph: a bearer token, else azure-identity.

`GOVKIT_GRAPH_TOKEN` (for example from `az account get-access-token --resource-type ms-graph`)
takes the place of azure-identity where given. Otherwise `--auth` picks the flow; each reads the
standard `AZURE_*` variables that azure-identity documents.
"""

from __future__ import annotations

import os
import time
from typing import Any

AUTH_METHODS = ("client-secret", "certificate", "workload-identity", "azure-cli")
DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
TOKEN_VARIABLE = "GOVKIT_GRAPH_TOKEN"

_NEEDS = {
    "client-secret": ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"),
    "certificate": ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_CERTIFICATE_PATH"),
    "workload-identity": ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE"),
    "azure-cli": (),
}


class CredentialError(ValueError):
    """A credential that cannot be built from the environment (a one-line user error)."""


class MissingExtra(ImportError):
    """msgraph-sdk or azure-identity is not installed."""


INSTALL_HINT = (
    "Microsoft Graph support is the optional extra govkit-unity-catalog[entra]: "
    "pip install 'msgraph-sdk>=1.10' 'azure-identity>=1.15'"
)


def require_extra() -> None:
    """Fail with the install hint when msgraph-sdk or azure-identity is missing."""
    try:
        import azure.identity  # noqa: F401  # imported only to test that the extra is there
        import msgraph  # noqa: F401
    except ImportError as exc:
        raise MissingExtra(f"{INSTALL_HINT}; missing: {exc.name}") from None


class StaticToken:
    """An async azure-core token credential that hands out one bearer token."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + 3600)

    async def close(self) -> None:
        """Nothing to release (kiota closes the credential after every token)."""


def make_credential(auth: str | None, environ: dict[str, str] | None = None) -> Any:
    """The credential for `auth`, or the bearer token of GOVKIT_GRAPH_TOKEN when it is set."""
    env = dict(os.environ if environ is None else environ)
    token = env.get(TOKEN_VARIABLE, "").strip()
    if token and auth is None:
        return StaticToken(token)
    method = auth or ("workload-identity" if env.get("AZURE_FEDERATED_TOKEN_FILE") else "azure-cli")
    if method not in _NEEDS:
        raise CredentialError(f"unknown --auth {method!r}; one of {', '.join(AUTH_METHODS)}")
    missing = [name for name in _NEEDS[method] if not env.get(name)]
    if missing:
        raise CredentialError(
            f"--auth {method} needs {', '.join(missing)} in the environment "
            f"(or set {TOKEN_VARIABLE} to a Graph bearer token)"
        )
    from azure.identity import aio

    tenant, client = env.get("AZURE_TENANT_ID", ""), env.get("AZURE_CLIENT_ID", "")
    if method == "client-secret":
        return aio.ClientSecretCredential(tenant, client, env["AZURE_CLIENT_SECRET"])
    if method == "certificate":
        return aio.CertificateCredential(
            tenant, client, env["AZURE_CLIENT_CERTIFICATE_PATH"],
            password=env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None,
        )  # fmt: skip
    if method == "workload-identity":
        return aio.WorkloadIdentityCredential(
            tenant_id=tenant, client_id=client, token_file_path=env["AZURE_FEDERATED_TOKEN_FILE"]
        )
    return aio.AzureCliCredential()


def graph_scopes(graph_url: str) -> list[str]:
    """`https://graph.microsoft.com/.default` for the Graph at `graph_url` (national clouds too)."""
    from urllib.parse import urlsplit

    parts = urlsplit(graph_url)
    return [f"{parts.scheme}://{parts.hostname}/.default"]

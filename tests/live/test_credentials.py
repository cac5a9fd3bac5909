"""Service credentials beside storage credentials: the warehouse reader reads the CREDENTIALS
views that replace the deprecated STORAGE_CREDENTIALS ones and leaves service credentials out,
as the REST reader does. A service credential is made through the real databricks-sdk's
Credentials API against the local server."""

from __future__ import annotations

import pytest

from govkit.testing import Faults
from govkit.testing.fixtures import ServerFactory
from tests.live.conftest import client_for
from tests.live.test_storage import CREDENTIAL, read, storage_state

# Both deprecated relations: STORAGE_CREDENTIALS and STORAGE_CREDENTIAL_PRIVILEGES.
DEPRECATED = "information_schema.storage_credential"


def _with_a_service_credential(server: object) -> None:
    from databricks.sdk.service.catalog import AzureManagedIdentity, CredentialPurpose

    w = client_for(server)
    identity = AzureManagedIdentity(access_connector_id="/subscriptions/0/ac-openai")
    w.credentials.create_credential(
        name="svc-openai", purpose=CredentialPurpose.SERVICE, azure_managed_identity=identity
    )


@pytest.mark.parametrize("include_all", [False, True])
def test_the_warehouse_reader_reads_credentials_not_the_deprecated_views(
    ucserver_factory: ServerFactory, include_all: bool
) -> None:
    desired = storage_state()
    # The deprecated views fail here: a reader that still used them would be incomplete.
    server = ucserver_factory([desired], faults=Faults(fail_statements=(DEPRECATED,)))
    _with_a_service_credential(server)
    kwargs = {"include_all": True, "storage": ()} if include_all else {}
    rest = read(server, "workspace", desired, **kwargs)
    sql = read(server, "warehouse", desired, **kwargs)
    assert rest.complete and sql.complete, sql.errors
    credentials = [s.name for s in sql.securables if s.type is CREDENTIAL]
    assert credentials == ["cred-prod", "cred-vendor"]  # no svc-openai
    assert sql.securables == rest.securables

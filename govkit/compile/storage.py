"""Storage stacks: the storage credentials and external locations of one environment.

They live in `<env>/_storage`, beside the environment's domains: a location is metastore-wide
and belongs to no domain. A catalog's storage root is set in its domain stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govkit.compile.domain import DEPTH, grant_entries
from govkit.compile.model import STORAGE, GrantSet, Stack
from govkit.compile.root import module_source, root_document
from govkit.privileges import SecurableType
from govkit.resolve import DesiredEnvironment
from govkit.spec.build import Spec
from govkit.spec.model import StorageCredential


def _credential(name: str, cred: StorageCredential, owner: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "owner": owner,
        "comment": cred.comment,
        "read_only": cred.read_only,
    }
    if cred.azure_managed_identity is not None:
        out["azure_access_connector_id"] = cred.azure_managed_identity.access_connector_id
        out["azure_managed_identity_id"] = cred.azure_managed_identity.managed_identity_id
    if cred.aws_iam_role is not None:
        out["aws_role_arn"] = cred.aws_iam_role.role_arn
    out["gcp_service_account"] = cred.gcp_service_account is not None
    return out


def storage_stack(
    spec: Spec, env: DesiredEnvironment, modules_dir: str, creators: Mapping[str, str]
) -> Stack | None:
    """The environment's storage stack, or None when it declares no storage."""
    if not env.storage:
        return None
    org = spec.organisation
    in_state = env.state.index()
    state = [in_state[(s.type.value, s.name)] for s in env.storage]
    credentials, locations = [], []
    # By name, not by the order of the YAML keys: the same spec gives the same bytes.
    for s in sorted(env.storage, key=lambda s: s.name):
        owner = spec.uc_name(s.owner)
        if s.type is SecurableType.STORAGE_CREDENTIAL:
            credentials.append(_credential(s.name, org.storage_credentials[s.name], owner))
        else:
            loc = org.external_locations[s.name]
            locations.append(
                {
                    "name": s.name,
                    "url": loc.url,
                    "credential": loc.credential,
                    "owner": owner,
                    "comment": loc.comment,
                    "read_only": loc.read_only,
                }
            )
    grants = GrantSet("authoritative", grant_entries(state))
    call = {
        "source": module_source(modules_dir, DEPTH, "uc-storage"),
        "credentials": credentials,
        "locations": locations,
        "grants": [e.as_json() for e in grants.entries],
    }
    stack_id = f"{env.name}/{STORAGE}"
    root = spec.root.rstrip("/") + "/"
    named = {s.owner for s in state} | {e.principal for e in grants.entries}
    return Stack(
        id=stack_id,
        environment=env.name,
        domain=None,
        kind="storage",
        depends_on=(spec.organisation_file.removeprefix(root),),
        needs=tuple(sorted({creators[p] for p in named if p is not None and p in creators})),
        document=root_document(
            org.terraform, stack_id, DEPTH, "the organisation file", {"storage": call}
        ),
        resources=len(state) + len(grants.resources()),
        grants=grants,
        creates=tuple(sorted((s.type.value, s.name) for s in env.storage)),
    )

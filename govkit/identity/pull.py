"""`identities pull`: what the spec declares, read from Microsoft Graph into one document.

The edge that imports msgraph-sdk and azure-identity (lazily: nothing else does).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from govkit.identity.batching import BatchSettings
from govkit.identity.credentials import (
    DEFAULT_GRAPH_URL,
    make_credential,
    require_extra,
)
from govkit.identity.graph import GraphRead, Targets, pull_graph
from govkit.spec.build import Spec


def targets_from_spec(spec: Spec) -> Targets:
    """Every declared group (with its object id), service principal and user, sorted."""
    return Targets(
        groups=tuple(sorted((name, g.entra_object_id) for name, g in spec.groups.items())),
        service_principals=tuple(
            sorted(s.application_id for s in spec.service_principals.values())
        ),
        users=tuple(sorted(spec.users)),
    )


def pull(
    targets: Targets,
    graph_url: str | None = None,
    auth: str | None = None,
    settings: BatchSettings | None = None,
    cache: Path | None = None,
) -> GraphRead:
    """Read `targets` from Graph (`--graph-url`, GOVKIT_GRAPH_TOKEN or azure-identity)."""
    require_extra()
    url = graph_url or os.environ.get("GOVKIT_GRAPH_URL") or DEFAULT_GRAPH_URL
    credential = make_credential(auth)
    return asyncio.run(pull_graph(credential, url, targets, settings or BatchSettings(), cache))

"""A small directory with nesting and a cycle; the real msgraph-sdk pointed at a local server."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from govkit.identity.document import Group, Identities, ServicePrincipal, User, make_identities
from govkit.testing.graphserver import GraphFaults, GraphServer

ANALYSTS_ID = "3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a"
ETL_APP = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def require_msgraph() -> None:
    """msgraph-sdk is a real part of these tests: missing, it fails under CI and skips elsewhere."""
    if importlib.util.find_spec("msgraph") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("msgraph-sdk is not installed (pip install -e '.[dev,entra]')")
        pytest.skip("msgraph-sdk is not installed (the govkit[entra] extra)")


def directory(people: int = 5) -> Identities:
    users = [User(f"user{i}@m.example", display_name=f"User {i}") for i in range(people)]
    return make_identities(
        "file",
        groups=[
            Group(
                "finance-analysts",
                ANALYSTS_ID,
                ("group:finance-interns", *(f"user:{u.name}" for u in users)),
            ),
            # A cycle, as dynamic groups can make.
            Group(
                "finance-interns",
                None,
                ("group:finance-analysts", f"sp:{ETL_APP}", "user:gone@m.example"),
            ),
        ],
        users=[*users, User("gone@m.example", enabled=False)],
        service_principals=[ServicePrincipal(ETL_APP, display_name="sp-finance-etl-prod")],
    )


@pytest.fixture
def graph_factory() -> Iterator[Callable[..., GraphServer]]:
    started: list[GraphServer] = []

    def start(doc: Identities | None = None, faults: GraphFaults | None = None) -> GraphServer:
        server = GraphServer(doc or directory(), token="test-token", faults=faults).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def sdk_client(server: GraphServer, token: str = "test-token") -> Any:
    """The real GraphServiceClient, through the azure-identity provider, at the local server."""
    require_msgraph()
    from govkit.identity.credentials import StaticToken
    from govkit.identity.graph import make_client

    return make_client(StaticToken(token), server.url)

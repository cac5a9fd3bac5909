"""A databricks-sdk client on a local server, with a clean environment."""

from __future__ import annotations

from typing import Any

import pytest

from govkit.testing import UCServer
from govkit.testing.fixtures import ServerFactory
from govkit.testing.http import ServerConfig
from govkit.testing.sample import sample_state


@pytest.fixture
def server(ucserver_factory: ServerFactory, databricks_env: None) -> UCServer:
    # Small pages, so that every listing walks several pages.
    return ucserver_factory([sample_state()], config=ServerConfig(page_size=2))


@pytest.fixture
def w(server: UCServer) -> Any:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    config = Config(host=server.url, token=server.token, auth_type="pat", retry_timeout_seconds=5)
    return WorkspaceClient(config=config)

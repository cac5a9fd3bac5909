"""pytest fixtures for a local Unity Catalog API server.

Enable in a `conftest.py` with `pytest_plugins = ["govkit.testing.fixtures"]`, then:

    def test_grants(ucserver_factory):
        server = ucserver_factory(states=[desired_state])
        ...  # point databricks-sdk at server.url with server.token
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from govkit.state import State
from govkit.testing.faults import Faults
from govkit.testing.http import ServerConfig
from govkit.testing.ucserver import UCServer

ServerFactory = Callable[..., UCServer]


@pytest.fixture
def ucserver_factory() -> Iterator[ServerFactory]:
    """Start servers on demand (`states=`, `faults=`, `config=`, ...); all stop at teardown."""
    started: list[UCServer] = []

    def start(
        states: Iterable[State] = (),
        *,
        faults: Faults | None = None,
        config: ServerConfig | None = None,
        **kwargs: Any,
    ) -> UCServer:
        server = UCServer(states, faults=faults, config=config, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def ucserver(ucserver_factory: ServerFactory) -> UCServer:
    """An empty, fault-free server."""
    return ucserver_factory()


@pytest.fixture
def databricks_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No `DATABRICKS_*`, `ARM_*` or `~/.databrickscfg` from the developer's machine."""
    import os

    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_", "GOOGLE_CREDENTIALS")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))

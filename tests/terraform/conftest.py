"""One compiled, initialised estate per spec and one applied metastore, shared by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.compile.support import GOLDEN
from tests.conftest import CATALOGS
from tests.terraform.estate import Estate, Metastore, compile_estate, metastore


@pytest.fixture(scope="session")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Estate:
    """The bundled catalogs/, every stack initialised once against the provider mirror."""
    estate = compile_estate(CATALOGS, tmp_path_factory.mktemp("bundled"))
    estate.init()
    return estate


@pytest.fixture(scope="session")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Estate:
    estate = compile_estate(Path(GOLDEN) / "small" / "spec", tmp_path_factory.mktemp("golden"))
    estate.init()
    return estate


@pytest.fixture(scope="session")
def applied(bundled: Estate) -> Iterator[Metastore]:
    """Every stack of every environment of catalogs/ applied, in dependency order, to one
    server that first holds the declared tables (as pipelines create them)."""
    with metastore(bundled) as running:
        bundled.each(lambda stack: bundled.terraform(stack, running.provider_env(stack)).apply())
        yield running

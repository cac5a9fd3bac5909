"""Test helpers for govkit and its users: a local Unity Catalog API server and its fixtures.

Importing this package does not import databricks-sdk; the server is standard library only.
Names are resolved on first use, so that `python -m govkit.testing.ucserver` runs its module
once, as the main program.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govkit.testing.faults import Faults
    from govkit.testing.http import ServerConfig
    from govkit.testing.ucserver import UCServer

__all__ = ["Faults", "ServerConfig", "UCServer"]

_WHERE = {"Faults": "faults", "ServerConfig": "http", "UCServer": "ucserver"}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'govkit.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f"govkit.testing.{module}"), name)

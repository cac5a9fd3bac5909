"""Test helpers for govkit and its users: a local Unity Catalog API server and its fixtures.

Importing this package does not import databricks-sdk; the server is standard library only.
"""

from __future__ import annotations

from govkit.testing.faults import Faults
from govkit.testing.http import ServerConfig
from govkit.testing.ucserver import UCServer

__all__ = ["Faults", "ServerConfig", "UCServer"]

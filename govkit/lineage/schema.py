"""The canonical text of a published JSON Schema (`python -m govkit.audit.schema` writes them)."""

from __future__ import annotations

import json
from typing import Any

from govkit.lineage.document import json_schema


def schema_text(schema: dict[str, Any] | None = None) -> str:
    """The canonical text of a published schema (the lineage document's by default)."""
    return json.dumps(schema or json_schema(), indent=2, sort_keys=True) + "\n"

"""Write the published JSON Schemas of the audit's documents: `python -m govkit.audit.schema`.

Generated from the documents' own types, so that a document and its schema cannot part; tests
check that the copies in docs/schemas/ are fresh.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govkit.audit.model import json_schema as audit_schema
from govkit.legacy.document import json_schema as legacy_schema
from govkit.lineage.document import json_schema as lineage_schema
from govkit.lineage.schema import schema_text

PUBLISHED: dict[str, Callable[[], dict[str, Any]]] = {
    "docs/schemas/audit.json": audit_schema,
    "docs/schemas/lineage.json": lineage_schema,
    "docs/schemas/legacy-access.json": legacy_schema,
}


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path()
    for name, schema in PUBLISHED.items():
        (root / name).write_text(schema_text(schema()), encoding="utf-8")
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Write the published JSON Schema of the Hive assessment: `python -m govkit.migrate.schema`.

Generated from the document's own types; a test checks that docs/schemas/hive.json is fresh.
"""

from __future__ import annotations

import sys
from pathlib import Path

from govkit.lineage.schema import schema_text
from govkit.migrate.document import json_schema

PUBLISHED = "docs/schemas/hive.json"


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path()
    (root / PUBLISHED).write_text(schema_text(json_schema()), encoding="utf-8")
    print(f"wrote {PUBLISHED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

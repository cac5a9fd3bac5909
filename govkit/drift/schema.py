"""Write the JSON Schema of `govkit.drift/v1`: `python -m govkit.drift.schema [PATH]`.

The schema is generated from the Pydantic model, so the document and its schema cannot part;
a test checks that the published copy in docs/schemas/drift.json is fresh.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from govkit.drift.model import json_schema

DEFAULT_PATH = Path("docs/schemas/drift.json")


def schema_text() -> str:
    """The canonical text of the published schema."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_PATH
    path.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

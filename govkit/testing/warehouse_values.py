"""DuckDB result types and values as a Databricks warehouse reports them.

Columns get the Statement Execution API's `type_name` enum and a Spark-style `type_text`
(`BIGINT`, `ARRAY<STRING>`, `STRUCT<email: STRING>`); values become JSON_ARRAY text, computed
by DuckDB itself: numbers and booleans as strings, timestamps as ISO-8601 UTC with
milliseconds, complex values as compact JSON.
"""

from __future__ import annotations

from typing import Any

from duckdb.sqltypes import DuckDBPyType

# DuckDB type id -> (type_name, type_text) for the scalar types
_SCALARS: dict[str, tuple[str, str]] = {
    "varchar": ("STRING", "STRING"),
    "uuid": ("STRING", "STRING"),
    "bigint": ("LONG", "BIGINT"),
    "hugeint": ("LONG", "BIGINT"),  # sum() of integers: Databricks answers BIGINT
    "ubigint": ("LONG", "BIGINT"),
    "uinteger": ("LONG", "BIGINT"),
    "integer": ("INT", "INT"),
    "usmallint": ("INT", "INT"),
    "smallint": ("SHORT", "SMALLINT"),
    "utinyint": ("SHORT", "SMALLINT"),
    "tinyint": ("BYTE", "TINYINT"),
    "double": ("DOUBLE", "DOUBLE"),
    "float": ("FLOAT", "FLOAT"),
    "boolean": ("BOOLEAN", "BOOLEAN"),
    "date": ("DATE", "DATE"),
    "timestamp": ("TIMESTAMP", "TIMESTAMP"),
    "timestamp with time zone": ("TIMESTAMP", "TIMESTAMP"),
    "timestamp_ms": ("TIMESTAMP", "TIMESTAMP"),
    "timestamp_ns": ("TIMESTAMP", "TIMESTAMP"),
    "timestamp_s": ("TIMESTAMP", "TIMESTAMP"),
    "interval": ("INTERVAL", "INTERVAL"),
    "blob": ("BINARY", "BINARY"),
    "null": ("NULL", "VOID"),
}


def type_text(t: DuckDBPyType) -> str:
    """The Spark SQL spelling of a DuckDB type."""
    if t.id in ("list", "array"):
        return f"ARRAY<{type_text(t.child)}>"
    if t.id == "map":
        return f"MAP<{type_text(t.key)}, {type_text(t.value)}>"
    if t.id == "struct":
        fields = (f"{n}: {type_text(c)}" for n, c in t.children if isinstance(c, DuckDBPyType))
        return "STRUCT<" + ", ".join(fields) + ">"
    if t.id == "decimal":
        return str(t).replace(" ", "")
    return _SCALARS.get(t.id, ("STRING", "STRING"))[1]


def column_info(name: str, position: int, t: DuckDBPyType) -> dict[str, Any]:
    """One entry of `manifest.schema.columns`."""
    if t.id in ("list", "array"):
        type_name = "ARRAY"
    elif t.id in ("map", "struct", "decimal"):
        type_name = t.id.upper()
    else:
        type_name = _SCALARS.get(t.id, ("STRING", "STRING"))[0]
    info: dict[str, Any] = {
        "name": name,
        "position": position,
        "type_name": type_name,
        "type_text": type_text(t),
    }
    if t.id == "decimal":
        precision, scale = (int(str(v)) for _, v in t.children)
        info["type_precision"], info["type_scale"] = precision, scale
    return info


def text_sql(t: DuckDBPyType, column: str) -> str:
    """DuckDB SQL for the JSON_ARRAY text of `column`, a column of type `t`."""
    if t.id.startswith("timestamp"):
        return f"strftime(CAST({column} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')"
    if t.id in ("list", "array", "map", "struct"):
        return f"CAST(to_json({column}) AS VARCHAR)"
    if t.id == "blob":
        return f"base64({column})"
    if t.id == "varchar":
        return column
    return f"CAST({column} AS VARCHAR)"  # numbers, booleans (true/false), dates

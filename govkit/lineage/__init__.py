"""Table lineage as distinct edges (`govkit.lineage/v1`), read from a SQL warehouse or a file."""

"""Access outside Unity Catalog: instance profiles, no-isolation and legacy-mode clusters, and
compute that enforces Hive metastore table ACLs, per workspace of an environment."""

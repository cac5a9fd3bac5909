"""Migration from Hive metastores to Unity Catalog: the assessment document, the plan."""

"""The `information_schema` views of the local warehouse, as DuckDB SQL over the base tables.

`systables` creates the base tables that the store fills (`base.securables`, `base.grants`,
`base.storage`, `base.applicable`); these views compute from them what the real views show,
inherited grants included. Columns follow the Databricks documentation of each view.
"""

from __future__ import annotations

from govkit.testing.store import SYSTEM_OWNER, SYSTEM_SCHEMA

# The securables with their name parts.
OBJECTS = """
CREATE VIEW base.objects AS
SELECT securable_type, full_name, owner, comment, created,
       split_part(full_name, '.', 1) AS catalog_name,
       NULLIF(split_part(full_name, '.', 2), '') AS schema_name,
       NULLIF(split_part(full_name, '.', 3), '') AS table_name
FROM base.securables
"""

# Every grant visible on a securable: its own, and those reaching it from its catalog and schema.
GRANT_PATHS = """
CREATE VIEW base.grant_paths AS
SELECT s.securable_type, s.catalog_name, s.schema_name, s.table_name, s.owner AS grantor,
       g.grantee, g.privilege_type, 'NONE' AS inherited_from
FROM base.objects s
JOIN base.grants g ON g.securable_type = s.securable_type AND g.full_name = s.full_name
UNION ALL
SELECT s.securable_type, s.catalog_name, s.schema_name, s.table_name, c.owner,
       g.grantee, g.privilege_type, 'CATALOG'
FROM base.objects s
JOIN base.objects c ON c.securable_type = 'CATALOG' AND c.full_name = s.catalog_name
JOIN base.grants g ON g.securable_type = 'CATALOG' AND g.full_name = c.full_name
JOIN base.applicable a
     ON a.securable_type = s.securable_type AND a.privilege_type = g.privilege_type
WHERE s.securable_type IN ('SCHEMA', 'TABLE', 'VOLUME', 'FUNCTION')
UNION ALL
SELECT s.securable_type, s.catalog_name, s.schema_name, s.table_name, p.owner,
       g.grantee, g.privilege_type, 'SCHEMA'
FROM base.objects s
JOIN base.objects p ON p.securable_type = 'SCHEMA'
     AND p.full_name = s.catalog_name || '.' || s.schema_name
JOIN base.grants g ON g.securable_type = 'SCHEMA' AND g.full_name = p.full_name
JOIN base.applicable a
     ON a.securable_type = s.securable_type AND a.privilege_type = g.privilege_type
WHERE s.securable_type = 'TABLE'
"""

VIEWS = (
    OBJECTS,
    GRANT_PATHS,
    """CREATE VIEW system_information_schema.catalogs AS
    SELECT catalog_name, owner AS catalog_owner, comment, created
    FROM base.objects WHERE securable_type = 'CATALOG'""",
    f"""CREATE VIEW system_information_schema.schemata AS
    SELECT catalog_name, schema_name, owner AS schema_owner, comment, created
    FROM base.objects WHERE securable_type = 'SCHEMA'
    UNION ALL
    SELECT catalog_name, '{SYSTEM_SCHEMA}', '{SYSTEM_OWNER}', NULL, created
    FROM base.objects WHERE securable_type = 'CATALOG'""",
    """CREATE VIEW system_information_schema.tables AS
    SELECT catalog_name AS table_catalog, schema_name AS table_schema, table_name,
           'MANAGED' AS table_type, owner AS table_owner, comment, created,
           'DELTA' AS data_source_format
    FROM base.objects WHERE securable_type = 'TABLE'""",
    """CREATE VIEW system_information_schema.catalog_privileges AS
    SELECT grantor, grantee, catalog_name, privilege_type, 'NO' AS is_grantable, inherited_from
    FROM base.grant_paths WHERE securable_type = 'CATALOG'""",
    """CREATE VIEW system_information_schema.schema_privileges AS
    SELECT grantor, grantee, catalog_name, schema_name, privilege_type, 'NO' AS is_grantable,
           inherited_from
    FROM base.grant_paths WHERE securable_type = 'SCHEMA'""",
    """CREATE VIEW system_information_schema.table_privileges AS
    SELECT grantor, grantee, catalog_name AS table_catalog, schema_name AS table_schema,
           table_name, privilege_type, 'NO' AS is_grantable, inherited_from
    FROM base.grant_paths WHERE securable_type = 'TABLE'""",
    # READ_ONLY and USED_FOR_MANAGED_STORAGE are STRING columns; Spark's text of a boolean.
    """CREATE VIEW system_information_schema.external_locations AS
    SELECT o.full_name AS external_location_name, o.owner AS external_location_owner, x.url,
           c.id AS storage_credential_id, x.credential_name AS storage_credential_name,
           CAST(x.read_only AS VARCHAR) AS read_only, o.comment, o.created,
           o.owner AS created_by, o.created AS last_altered, o.owner AS last_altered_by
    FROM base.objects o
    JOIN base.storage x ON x.securable_type = o.securable_type AND x.full_name = o.full_name
    LEFT JOIN base.storage c
         ON c.securable_type = 'STORAGE_CREDENTIAL' AND c.full_name = x.credential_name
    WHERE o.securable_type = 'EXTERNAL_LOCATION'""",
    """CREATE VIEW system_information_schema.storage_credentials AS
    SELECT x.id AS storage_credential_id, o.full_name AS storage_credential_name,
           o.owner AS storage_credential_owner, x.credential_type,
           '[REDACTED]' AS credential, 'false' AS used_for_managed_storage, o.comment,
           o.created, o.owner AS created_by, o.created AS last_altered,
           o.owner AS last_altered_by
    FROM base.objects o
    JOIN base.storage x ON x.securable_type = o.securable_type AND x.full_name = o.full_name
    WHERE o.securable_type = 'STORAGE_CREDENTIAL' AND x.purpose = 'STORAGE'""",
    # CREDENTIALS and CREDENTIAL_PRIVILEGES (Databricks Runtime 15.4 and above) replace the
    # deprecated STORAGE_CREDENTIALS views and hold service credentials too, told apart by
    # CREDENTIAL_PURPOSE ('STORAGE' or 'SERVICE'). Sources: Databricks SQL reference,
    # information_schema CREDENTIALS and CREDENTIAL_PRIVILEGES (docs.databricks.com/sql/
    # language-manual/information-schema/credentials.html, credential_privileges.html).
    """CREATE VIEW system_information_schema.credentials AS
    SELECT x.id AS credential_id, o.full_name AS credential_name,
           o.owner AS credential_owner, x.purpose AS credential_purpose, x.credential_type,
           '[REDACTED]' AS credential, 'false' AS used_for_managed_storage, o.comment,
           o.created, o.owner AS created_by, o.created AS last_altered,
           o.owner AS last_altered_by
    FROM base.objects o
    JOIN base.storage x ON x.securable_type = o.securable_type AND x.full_name = o.full_name
    WHERE o.securable_type = 'STORAGE_CREDENTIAL'""",
    """CREATE VIEW system_information_schema.credential_privileges AS
    SELECT grantor, grantee, catalog_name AS credential_name, privilege_type,
           'NO' AS is_grantable, inherited_from
    FROM base.grant_paths WHERE securable_type = 'STORAGE_CREDENTIAL'""",
    """CREATE VIEW system_information_schema.external_location_privileges AS
    SELECT grantor, grantee, catalog_name AS external_location_name, privilege_type,
           'NO' AS is_grantable, inherited_from
    FROM base.grant_paths WHERE securable_type = 'EXTERNAL_LOCATION'""",
    # During the service credentials preview this view also lists service credentials'
    # privileges ("incorrect preview behavior", the STORAGE_CREDENTIAL_PRIVILEGES reference).
    """CREATE VIEW system_information_schema.storage_credential_privileges AS
    SELECT grantor, grantee, catalog_name AS storage_credential_name, privilege_type,
           'NO' AS is_grantable, inherited_from
    FROM base.grant_paths WHERE securable_type = 'STORAGE_CREDENTIAL'""",
)

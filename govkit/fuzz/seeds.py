"""Valid inputs that the fuzzers start from and mutate: a small spec, State and identities."""

from __future__ import annotations

ORGANISATION = b"""version: 1
catalog_name: "{domain}_{env}"
environments:
  dev: {workspaces: [11]}
  prod: {workspaces: [31, 32], protected: true, deployer: sp-deploy}
access_levels:
  read: [USE_CATALOG, USE_SCHEMA, SELECT]
mass_revoke_percent: 20
"""

PRINCIPALS = b"""groups:
  owners: {entra_object_id: 0b9c2f6e-1111-4222-8333-444455556666}
  readers: {}
service_principals:
  sp-deploy: {application_id: 11111111-2222-4333-8444-555555555555, environments: [prod]}
users:
  alice@example.com: {}
"""

DOMAIN = b"""domain: sales
owner: owners
environments: [dev, prod]
authority: authoritative
grants:
  - {principal: readers, access: read}
  - {principal: alice@example.com, privileges: [USE CATALOG], environments: [dev]}
schemas:
  orders:
    comment: "Orders ${x} %{y}"
    grants:
      - principal: readers
        privileges: [SELECT]
        expires: 2027-03-31
        reason: SALES-1
        waivers: [{rule: GOV201, reason: r, expires: 2027-01-01}]
    tables:
      lines: {grants: [{principal: readers, privileges: [SELECT]}]}
  raw: {}
"""

STATE = b"""{"format": "govkit.state/v1", "source": "workspace", "environment": "prod",
"taken_at": "2026-11-26T02:00:00Z", "complete": false,
"errors": [{"securable": "sales_prod.raw", "message": "timeout"}],
"securables": [
 {"type": "catalog", "name": "sales_prod", "owner": "sp", "isolation_mode": "ISOLATED",
  "workspace_ids": [31, 32], "grants": {"readers": ["SELECT", "USE_CATALOG"]}},
 {"type": "schema", "name": "sales_prod.orders", "owner": null, "grants": {}},
 {"type": "table", "name": "sales_prod.orders.lines", "owner": "o", "grants": {"r": ["SELECT"]}}
]}
"""

IDENTITIES = b"""{"format": "govkit.identities/v1", "source": "graph",
"taken_at": "2026-11-26T02:00:00Z", "complete": true, "errors": [],
"groups": [
 {"display_name": "readers", "id": "g1", "members": ["group:interns", "sp:app-1", "user:a@x.io"]},
 {"display_name": "interns", "id": "g2", "members": ["group:readers"]}],
"users": [{"name": "a@x.io", "id": "u1", "display_name": "A", "enabled": true}],
"service_principals": [{"application_id": "app-1", "id": "s1", "display_name": "etl",
 "enabled": false}]}
"""

LINEAGE = b"""{"format": "govkit.lineage/v1", "source": "warehouse",
"taken_at": "2026-11-26T02:00:00Z", "complete": true, "errors": [],
"edges": [{"source": "a.b.c", "target": "a.b.d", "last_seen": "2026-11-20T09:12:00Z",
 "events": 14}]}
"""

LEGACY = b"""{"format": "govkit.legacy-access/v1", "source": "workspace", "environment": "prod",
"taken_at": "2026-11-26T02:00:00Z", "complete": true, "errors": [],
"workspaces": [{"workspace_id": 31,
 "instance_profiles": [{"instance_profile_arn": "arn:aws:iam::1:instance-profile/p"}],
 "clusters": [{"cluster_id": "c1", "data_security_mode": "NONE",
  "spark_conf": {"spark.databricks.acl.sqlOnly": "true"}}],
 "cluster_policies": [{"policy_id": "P", "instance_profile_arns": ["arn:aws:iam::1:x"]}],
 "jobs": [{"job_id": 7, "clusters": [{"kind": "task", "key": "t"}]}]}]}
"""

resource "databricks_catalog" "this" {
  name           = var.catalog_name
  owner          = var.owner
  comment        = var.comment == "" ? null : var.comment
  isolation_mode = "ISOLATED"
  storage_root   = var.storage_root
  force_destroy  = var.force_destroy
}

# The provider binds the workspace it runs in when it creates an ISOLATED catalog; these
# bindings add the rest of the environment's workspaces (and never remove others).
resource "databricks_workspace_binding" "this" {
  for_each = toset([for id in var.workspace_ids : tostring(id)])

  securable_type = "catalog"
  securable_name = databricks_catalog.this.name
  workspace_id   = tonumber(each.value)
  binding_type   = "BINDING_TYPE_READ_WRITE"
}

resource "databricks_schema" "this" {
  for_each = { for s in var.schemas : s.name => s }

  catalog_name = databricks_catalog.this.name
  name         = each.value.name
  owner        = each.value.owner
  comment      = each.value.comment == "" ? null : each.value.comment
}

# Volumes are created here, managed or external (a path inside a declared external location).
resource "databricks_volume" "this" {
  for_each = { for v in var.volumes : "${v.schema}.${v.name}" => v }

  catalog_name     = databricks_catalog.this.name
  schema_name      = databricks_schema.this[each.value.schema].name
  name             = each.value.name
  volume_type      = each.value.storage_location == null ? "MANAGED" : "EXTERNAL"
  storage_location = each.value.storage_location
  owner            = each.value.owner
  comment          = each.value.comment == "" ? null : each.value.comment
}

# Tables are created by pipelines, not by Terraform: only their grants are managed here.
module "grants" {
  source = "../uc-grants"

  authority = var.authority
  grants    = var.grants

  depends_on = [databricks_catalog.this, databricks_schema.this, databricks_volume.this]
}

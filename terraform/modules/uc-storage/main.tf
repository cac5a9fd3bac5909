# Storage credentials and external locations of one environment, with their grants.
resource "databricks_storage_credential" "this" {
  for_each = { for c in var.credentials : c.name => c }

  name      = each.value.name
  owner     = each.value.owner
  comment   = each.value.comment == "" ? null : each.value.comment
  read_only = each.value.read_only

  dynamic "azure_managed_identity" {
    for_each = each.value.azure_access_connector_id == null ? [] : [1]
    content {
      access_connector_id = each.value.azure_access_connector_id
      managed_identity_id = each.value.azure_managed_identity_id
    }
  }

  dynamic "aws_iam_role" {
    for_each = each.value.aws_role_arn == null ? [] : [1]
    content {
      role_arn = each.value.aws_role_arn
    }
  }

  dynamic "databricks_gcp_service_account" {
    for_each = each.value.gcp_service_account ? [1] : []
    content {}
  }
}

resource "databricks_external_location" "this" {
  for_each = { for l in var.locations : l.name => l }

  name            = each.value.name
  url             = each.value.url
  credential_name = databricks_storage_credential.this[each.value.credential].name
  owner           = each.value.owner
  comment         = each.value.comment == "" ? null : each.value.comment
  read_only       = each.value.read_only
}

locals {
  by_securable = {
    for g in var.grants : "${g.securable_type}/${g.securable_name}" => g...
  }
}

# Authoritative: the whole set of grants on one credential or location; the rest is revoked.
resource "databricks_grants" "this" {
  for_each = local.by_securable

  storage_credential = each.value[0].securable_type == "storage_credential" ? databricks_storage_credential.this[each.value[0].securable_name].name : null
  external_location  = each.value[0].securable_type == "external_location" ? databricks_external_location.this[each.value[0].securable_name].name : null

  dynamic "grant" {
    for_each = { for g in each.value : g.principal => g.privileges }
    content {
      principal  = grant.key
      privileges = grant.value
    }
  }
}

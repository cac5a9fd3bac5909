locals {
  # Declared tables that no pipeline has created yet, as `govkit drift --emit absent-tables`
  # lists them in the stack's folder before an apply: their grants wait until they exist (the
  # provider refuses a grant on a missing table, which would fail the whole apply). Without
  # the file every declared grant is applied.
  absent_file = "${path.root}/absent_tables.json"
  absent      = fileexists(local.absent_file) ? jsondecode(file(local.absent_file)) : []
  grants = [
    for g in var.grants : g
    if !(g.securable_type == "table" && contains(local.absent, g.securable_name))
  ]
  # Grouped by securable: the key is "<type>/<full name>", the value every grant on it.
  by_securable = {
    for g in local.grants : "${g.securable_type}/${g.securable_name}" => g...
  }
  authoritative = var.authority == "authoritative" ? local.by_securable : {}
  additive = var.authority == "additive" ? {
    for g in local.grants : "${g.securable_type}/${g.securable_name}/${g.principal}" => g
  } : {}
}

# Authoritative: the whole set of grants on one securable. Anything not listed is revoked.
resource "databricks_grants" "this" {
  for_each = local.authoritative

  catalog = each.value[0].securable_type == "catalog" ? each.value[0].securable_name : null
  schema  = each.value[0].securable_type == "schema" ? each.value[0].securable_name : null
  table   = each.value[0].securable_type == "table" ? each.value[0].securable_name : null
  volume  = each.value[0].securable_type == "volume" ? each.value[0].securable_name : null

  dynamic "grant" {
    for_each = { for g in each.value : g.principal => g.privileges }
    content {
      principal  = grant.key
      privileges = grant.value
    }
  }
}

# Additive: one principal on one securable; grants made outside govkit are left alone.
resource "databricks_grant" "this" {
  for_each = local.additive

  catalog    = each.value.securable_type == "catalog" ? each.value.securable_name : null
  schema     = each.value.securable_type == "schema" ? each.value.securable_name : null
  table      = each.value.securable_type == "table" ? each.value.securable_name : null
  volume     = each.value.securable_type == "volume" ? each.value.securable_name : null
  principal  = each.value.principal
  privileges = each.value.privileges
}

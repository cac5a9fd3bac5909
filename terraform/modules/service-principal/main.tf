# Account level: configure the provider with the account host and account_id.
resource "databricks_service_principal" "this" {
  application_id = var.application_id
  display_name   = var.display_name
  active         = true
}

resource "databricks_mws_permission_assignment" "this" {
  for_each = toset([for id in var.workspace_ids : tostring(id)])

  workspace_id = tonumber(each.value)
  principal_id = tonumber(databricks_service_principal.this.id)
  permissions  = ["USER"]
}

# A federation policy lets a CI job exchange its OIDC token for a Databricks token.
resource "databricks_service_principal_federation_policy" "this" {
  count = var.federation == null ? 0 : 1

  service_principal_id = tonumber(databricks_service_principal.this.id)
  policy_id            = "govkit-ci"
  oidc_policy = {
    issuer        = var.federation.issuer
    subject       = var.federation.subject
    subject_claim = "sub"
    audiences     = length(var.federation.audiences) > 0 ? var.federation.audiences : null
  }
}

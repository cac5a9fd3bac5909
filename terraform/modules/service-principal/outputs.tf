output "id" {
  description = "Account SCIM id of the service principal."
  value       = databricks_service_principal.this.id
}

output "application_id" {
  description = "Application id, the name to use in grants and as owner."
  value       = databricks_service_principal.this.application_id
}

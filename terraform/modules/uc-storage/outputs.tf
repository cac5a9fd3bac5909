output "credentials" {
  description = "Storage credential names."
  value       = sort(keys(databricks_storage_credential.this))
}

output "locations" {
  description = "External location names."
  value       = sort(keys(databricks_external_location.this))
}

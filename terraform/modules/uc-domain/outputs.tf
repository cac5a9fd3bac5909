output "catalog_name" {
  description = "Name of the catalog."
  value       = databricks_catalog.this.name
}

output "schema_names" {
  description = "Full names of the schemas, by short name."
  value       = { for k, s in databricks_schema.this : k => "${databricks_catalog.this.name}.${s.name}" }
}

output "tag_keys" {
  description = "The governed tag keys."
  value       = sort(keys(databricks_tag_policy.this))
}

output "assignments" {
  description = "The tag assignments, as entity_type/entity_name/tag_key."
  value       = sort(keys(databricks_entity_tag_assignment.this))
}

output "policies" {
  description = "The ABAC policies, as on_securable_type/on_securable_fullname/name."
  value       = sort(keys(databricks_policy_info.this))
}

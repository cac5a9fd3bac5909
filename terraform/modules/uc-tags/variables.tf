variable "tag_policies" {
  description = "Governed tags: tag_key, description and the allowed values (empty: any value)."
  type = list(object({
    tag_key     = string
    description = string
    values      = list(string)
  }))
  default = []
}

variable "assignments" {
  description = "Tag assignments, one per (entity, tag key): entity_type is catalogs, schemas, tables, columns or volumes; entity_name is the full name; tag_value is empty for a key-only tag."
  type = list(object({
    entity_type = string
    entity_name = string
    tag_key     = string
    tag_value   = string
  }))
  default = []

  validation {
    condition     = alltrue([for a in var.assignments : contains(["catalogs", "schemas", "tables", "columns", "volumes"], a.entity_type)])
    error_message = "A tag is assigned to catalogs, schemas, tables, columns or volumes."
  }
}

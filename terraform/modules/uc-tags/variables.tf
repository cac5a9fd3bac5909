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

variable "policies" {
  description = "ABAC policies: name, policy_type (COLUMN_MASK or ROW_FILTER), the securable it is attached to (on_securable_type CATALOG, SCHEMA or TABLE, on_securable_fullname), the function, the condition that matches the tagged columns (bound as `col`), to_principals, except_principals, when_condition (empty for none) and comment."
  type = list(object({
    name                  = string
    policy_type           = string
    on_securable_type     = string
    on_securable_fullname = string
    function_name         = string
    match_condition       = string
    to_principals         = list(string)
    except_principals     = list(string)
    when_condition        = string
    comment               = string
  }))
  default = []

  validation {
    condition     = alltrue([for p in var.policies : contains(["COLUMN_MASK", "ROW_FILTER"], p.policy_type)])
    error_message = "A policy is a COLUMN_MASK or a ROW_FILTER."
  }
}

variable "authority" {
  description = "authoritative: one databricks_grants per securable, undeclared grants are revoked. additive: one databricks_grant per principal, other grants are left alone."
  type        = string
  default     = "authoritative"

  validation {
    condition     = contains(["authoritative", "additive"], var.authority)
    error_message = "The authority must be \"authoritative\" or \"additive\"."
  }
}

variable "grants" {
  description = "Direct grants, one entry per (securable, principal). securable_type is catalog, schema, table or volume; securable_name is the full name; principal is the Unity Catalog name (group display name, user e-mail, service principal application id)."
  type = list(object({
    securable_type = string
    securable_name = string
    principal      = string
    privileges     = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for g in var.grants : contains(["catalog", "schema", "table", "volume"], g.securable_type)])
    error_message = "securable_type must be catalog, schema, table or volume."
  }

  validation {
    condition     = alltrue([for g in var.grants : length(g.privileges) > 0])
    error_message = "Every grant needs at least one privilege: an empty set is read back as a missing resource."
  }

  validation {
    # Two entries for one principal on one securable would fight each other on every apply.
    condition     = length(distinct([for g in var.grants : "${g.securable_type}/${g.securable_name}/${g.principal}"])) == length(var.grants)
    error_message = "Each (securable, principal) pair may appear only once."
  }
}

variable "catalog_name" {
  description = "Name of the catalog, e.g. finance_prod."
  type        = string
}

variable "owner" {
  description = "Unity Catalog owner of the catalog: the deployer's application id in a protected environment, else the domain's owner group."
  type        = string
}

variable "comment" {
  description = "Catalog comment; empty for none."
  type        = string
  default     = ""
}

variable "storage_root" {
  description = "The catalog's managed storage root (abfss://, s3://, gs:// or r2://); null for the metastore's."
  type        = string
  default     = null
}

variable "workspace_ids" {
  description = "The environment's workspaces. The catalog is ISOLATED and bound to exactly these."
  type        = list(number)

  validation {
    condition     = length(var.workspace_ids) > 0
    error_message = "An ISOLATED catalog needs at least one workspace binding."
  }
}

variable "schemas" {
  description = "Schemas of the catalog: name (short), owner, comment (empty for none)."
  type = list(object({
    name    = string
    owner   = string
    comment = string
  }))
  default = []

  validation {
    condition     = length(distinct([for s in var.schemas : s.name])) == length(var.schemas)
    error_message = "Schema names must be unique."
  }
}

variable "volumes" {
  description = "Volumes of the catalog's schemas: schema and name (short), owner, comment (empty for none), storage_location (null for a managed volume)."
  type = list(object({
    schema           = string
    name             = string
    owner            = string
    comment          = string
    storage_location = optional(string)
  }))
  default = []

  validation {
    condition     = length(distinct([for v in var.volumes : "${v.schema}.${v.name}"])) == length(var.volumes)
    error_message = "Volume names must be unique within a schema."
  }
}

variable "authority" {
  description = "authoritative (databricks_grants per securable) or additive (databricks_grant per principal)."
  type        = string
  default     = "authoritative"
}

variable "grants" {
  description = "Direct grants on the catalog, its schemas, tables and volumes; see the uc-grants module."
  type = list(object({
    securable_type = string
    securable_name = string
    principal      = string
    privileges     = list(string)
  }))
  default = []
}

variable "force_destroy" {
  description = "Allow destroying a catalog that still holds schemas. Off: losing data takes a deliberate change."
  type        = bool
  default     = false
}

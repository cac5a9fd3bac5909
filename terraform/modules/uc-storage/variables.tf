variable "credentials" {
  description = "Storage credentials: name, owner, comment, read_only and exactly one identity (an Azure access connector id with an optional managed identity id, an AWS role ARN, or gcp_service_account = true)."
  type = list(object({
    name                      = string
    owner                     = string
    comment                   = string
    read_only                 = bool
    azure_access_connector_id = optional(string)
    azure_managed_identity_id = optional(string)
    aws_role_arn              = optional(string)
    gcp_service_account       = optional(bool, false)
  }))
  default = []

  validation {
    condition = alltrue([
      for c in var.credentials :
      length(compact([c.azure_access_connector_id, c.aws_role_arn, c.gcp_service_account ? "gcp" : null])) == 1
    ])
    error_message = "Each storage credential names exactly one identity."
  }
}

variable "locations" {
  description = "External locations: name, url, credential (a name from credentials), owner, comment, read_only."
  type = list(object({
    name       = string
    url        = string
    credential = string
    owner      = string
    comment    = string
    read_only  = bool
  }))
  default = []

  validation {
    condition     = alltrue([for l in var.locations : can(regex("^(abfss|s3|gs|r2)://[^/]+", l.url))])
    error_message = "A location URL is abfss://, s3://, gs:// or r2:// with a host."
  }
}

variable "grants" {
  description = "Direct grants on the credentials and locations, one entry per (securable, principal); securable_type is storage_credential or external_location."
  type = list(object({
    securable_type = string
    securable_name = string
    principal      = string
    privileges     = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for g in var.grants : contains(["storage_credential", "external_location"], g.securable_type)])
    error_message = "Grants here are on storage_credential or external_location only."
  }
}

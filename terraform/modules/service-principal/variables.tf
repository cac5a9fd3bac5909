variable "application_id" {
  description = "Application id of the service principal (how Unity Catalog names it)."
  type        = string
}

variable "display_name" {
  description = "Display name in the account console."
  type        = string
}

variable "workspace_ids" {
  description = "Workspaces the service principal is assigned to, as a workspace USER."
  type        = list(number)
  default     = []
}

variable "federation" {
  description = "Workload identity federation (e.g. GitHub Actions OIDC), so CI signs in without a long-lived secret. null for none."
  type = object({
    issuer    = string
    subject   = string
    audiences = list(string)
  })
  default = null
}

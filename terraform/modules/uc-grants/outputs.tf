output "securables" {
  description = "The \"<type>/<full name>\" keys of every securable this module grants on."
  value       = sort(keys(local.by_securable))
}

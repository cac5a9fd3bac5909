# Governed tags: the keys that may be assigned and the values each allows.
resource "databricks_tag_policy" "this" {
  for_each = { for p in var.tag_policies : p.tag_key => p }

  tag_key     = each.value.tag_key
  description = each.value.description == "" ? null : each.value.description
  values      = length(each.value.values) == 0 ? null : [for v in each.value.values : { name = v }]
}

# One tag on one entity; the key is the entity and the tag key, so a changed value updates in place.
resource "databricks_entity_tag_assignment" "this" {
  for_each = { for a in var.assignments : "${a.entity_type}/${a.entity_name}/${a.tag_key}" => a }

  entity_type = each.value.entity_type
  entity_name = each.value.entity_name
  tag_key     = each.value.tag_key
  tag_value   = each.value.tag_value == "" ? null : each.value.tag_value
}

# ABAC policies: a mask or filter function applied to the columns a tag condition matches, on
# every table under the securable the policy is attached to.
resource "databricks_policy_info" "this" {
  for_each = { for p in var.policies : "${p.on_securable_type}/${p.on_securable_fullname}/${p.name}" => p }

  name                  = each.value.name
  policy_type           = each.value.policy_type
  on_securable_type     = each.value.on_securable_type
  on_securable_fullname = each.value.on_securable_fullname
  for_securable_type    = "TABLE"
  to_principals         = each.value.to_principals
  except_principals     = length(each.value.except_principals) == 0 ? null : each.value.except_principals
  when_condition        = each.value.when_condition == "" ? null : each.value.when_condition
  comment               = each.value.comment == "" ? null : each.value.comment
  match_columns         = [{ alias = "col", condition = each.value.match_condition }]
  column_mask           = each.value.policy_type == "COLUMN_MASK" ? { function_name = each.value.function_name, on_column = "col", using = null } : null
  row_filter            = each.value.policy_type == "ROW_FILTER" ? { function_name = each.value.function_name, using = [{ alias = "col", constant = null }] } : null

  depends_on = [databricks_entity_tag_assignment.this]
}

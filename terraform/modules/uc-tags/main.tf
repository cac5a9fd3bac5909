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

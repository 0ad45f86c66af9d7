# One private blob container; the workloads that use it get Storage Blob Data Contributor on
# this container only.

resource "azurerm_storage_container" "this" {
  #checkov:skip=CKV2_AZURE_21:Blob read logging is a diagnostic setting of the account the organisation routes to its workspace
  name                  = var.name
  storage_account_id    = var.storage_account_id
  container_access_type = "private"
}

resource "azurerm_role_assignment" "data_contributor" {
  for_each             = toset(var.principal_ids)
  scope                = azurerm_storage_container.this.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = each.value
}

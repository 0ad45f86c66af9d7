output "id" {
  description = "Resource id of the storage account."
  value       = azurerm_storage_account.this.id
}

output "name" {
  description = "Name of the storage account."
  value       = azurerm_storage_account.this.name
}

output "environment" {
  description = "What infrar.storage reads on Azure: the account URL (identities, not keys, authenticate)."
  value = {
    AZURE_STORAGE_ACCOUNT_URL = azurerm_storage_account.this.primary_blob_endpoint
  }
}

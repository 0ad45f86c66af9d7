output "connection" {
  description = "What the application needs to reach the container (no secrets)."
  value = {
    name = azurerm_storage_container.this.name
    id   = azurerm_storage_container.this.id
  }
}

output "environment" {
  description = "The container's name (unique inside the project's own storage account) under the variable the storage adapters read."
  value       = { "BUCKET_NAME_${upper(replace(var.name, "/[^a-zA-Z0-9]/", "_"))}" = azurerm_storage_container.this.name }
}

output "private_link" {
  description = "The Private Link target of the project's storage account (blob): a Synapse warehouse whose jobs' starters use the container makes a managed private endpoint to it."
  value = {
    resource_id = var.storage_account_id
    subresource = "blob"
  }
}

output "connection" {
  description = "What the application needs to reach the container (no secrets)."
  value = {
    name = azurerm_storage_container.this.name
    id   = azurerm_storage_container.this.id
  }
}

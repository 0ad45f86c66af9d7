output "id" {
  description = "Resource id of the Container Apps environment."
  value       = azurerm_container_app_environment.this.id
}

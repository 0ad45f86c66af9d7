output "principal_id" {
  description = "Object id of the app's managed identity: resources grant their roles to it."
  value       = azurerm_user_assigned_identity.this.principal_id
}

output "url" {
  description = "HTTPS address of the app (null without ingress)."
  value       = var.ingress ? "https://${azurerm_container_app.this.ingress[0].fqdn}" : null
}

output "identity_name" {
  description = "Display name of the managed identity: the Entra principal a database user is created FROM EXTERNAL PROVIDER for (Synapse serverless SQL looks principals up by name)."
  value       = azurerm_user_assigned_identity.this.name
}

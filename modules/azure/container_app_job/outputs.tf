output "principal_id" {
  description = "Object id of the job's managed identity: resources grant their roles to it."
  value       = azurerm_user_assigned_identity.this.principal_id
}

output "job" {
  description = "Resource id of the job."
  value       = azurerm_container_app_job.this.id
}

output "identity_name" {
  description = "Display name of the managed identity: the Entra principal a database user is created FROM EXTERNAL PROVIDER for (Synapse serverless SQL looks principals up by name)."
  value       = azurerm_user_assigned_identity.this.name
}

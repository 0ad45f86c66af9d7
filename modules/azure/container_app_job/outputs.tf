output "principal_id" {
  description = "Object id of the job's managed identity: resources grant their roles to it."
  value       = azurerm_user_assigned_identity.this.principal_id
}

output "job" {
  description = "Resource id of the job."
  value       = azurerm_container_app_job.this.id
}
